package ozg

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
)

// Catalog holds the services a portal offers and finds them by id, Leistungsschlüssel and
// region. It is safe for concurrent use. Register every service at start-up; a registered
// service must not be modified.
type Catalog struct {
	logger *slog.Logger

	mu    sync.RWMutex
	byID  map[string]*Service
	scope map[string]string // service id → RegionScope of its authority's ARS
}

// CatalogOptions configures a Catalog. The zero value is ready to use.
type CatalogOptions struct {
	// Logger receives a debug line per registered service; nil means slog.Default().
	Logger *slog.Logger
}

// NewCatalog returns an empty catalogue. opts may be nil.
func NewCatalog(opts *CatalogOptions) *Catalog {
	if opts == nil {
		opts = &CatalogOptions{}
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Catalog{logger: logger, byID: map[string]*Service{}, scope: map[string]string{}}
}

// Register adds s after validating it. It refuses an invalid descriptor with its
// *DescriptorError (ErrInvalidService) and a second service with the same id with
// ErrDuplicateService; the catalogue is unchanged then.
func (c *Catalog) Register(s *Service) error {
	if err := s.Validate(); err != nil {
		return err
	}
	scope, err := RegionScope(s.Authority.Region)
	if err != nil { // Validate checked the ARS already; this guards a future rule drift.
		return fmt.Errorf("%w: %v", ErrInvalidService, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.byID[s.ID]; dup {
		return fmt.Errorf("%w: %q", ErrDuplicateService, s.ID)
	}
	c.byID[s.ID] = s
	c.scope[s.ID] = scope
	c.logger.Debug("ozg: service registered", "service", s.ID, "leika", s.LeikaKey, "region", s.Authority.Region)
	return nil
}

// Service returns the service with the given id, or ErrNotFound.
func (c *Catalog) Service(id string) (*Service, error) {
	c.mu.RLock()
	s, ok := c.byID[id]
	c.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: service %q", ErrNotFound, id)
	}
	return s, nil
}

// Services returns every registered service, ordered by id.
func (c *Catalog) Services() []*Service {
	c.mu.RLock()
	out := make([]*Service, 0, len(c.byID))
	for _, s := range c.byID {
		out = append(out, s)
	}
	c.mu.RUnlock()
	slices.SortFunc(out, func(a, b *Service) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// ByLeikaKey returns the services with the given Leistungsschlüssel (one per authority that
// offers it), ordered by id.
func (c *Catalog) ByLeikaKey(key string) []*Service {
	var out []*Service
	for _, s := range c.Services() {
		if s.LeikaKey == key {
			out = append(out, s)
		}
	}
	return out
}

// ByRegion returns the services relevant to an area given by its ARS (2, 3, 5, 9 or 12
// digits): those whose authority is responsible for the area (a Land-wide service matches every
// Gemeinde of the Land) and those of authorities inside it (a Kreis query finds its Gemeinden's
// services). The most specific services come first, then by id.
func (c *Catalog) ByRegion(ars string) ([]*Service, error) {
	q, err := RegionScope(ars)
	if err != nil {
		return nil, err
	}
	c.mu.RLock()
	var out []*Service
	for id, scope := range c.scope {
		if strings.HasPrefix(q, scope) || strings.HasPrefix(scope, q) {
			out = append(out, c.byID[id])
		}
	}
	scopes := c.scope
	slices.SortFunc(out, func(a, b *Service) int {
		if d := len(scopes[b.ID]) - len(scopes[a.ID]); d != 0 {
			return d
		}
		return strings.Compare(a.ID, b.ID)
	})
	c.mu.RUnlock()
	return out, nil
}

// Route finds the service that handles Leistungsschlüssel key for a citizen in the area ars, as
// FIT-Connect routing does: among the services with that key whose authority is responsible for
// the area, the one with the most specific region wins (Gemeinde before Kreis before Land).
// It returns ErrNotFound when no authority is responsible.
func (c *Catalog) Route(key, ars string) (*Service, error) {
	q, err := RegionScope(ars)
	if err != nil {
		return nil, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	var best *Service
	bestLen := -1
	for id, scope := range c.scope {
		s := c.byID[id]
		if s.LeikaKey != key || !strings.HasPrefix(q, scope) {
			continue
		}
		if len(scope) > bestLen || (len(scope) == bestLen && s.ID < best.ID) {
			best, bestLen = s, len(scope)
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: no service for %s in region %s", ErrNotFound, key, ars)
	}
	return best, nil
}

// WriteJSON writes the catalogue as a JSON array of service descriptors, ordered by id.
func (c *Catalog) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c.Services())
}
