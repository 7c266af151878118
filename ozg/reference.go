package ozg

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ReferenceGenerator assigns the reference number (Aktenzeichen) of a submitted application.
// It must never return the same reference twice, across restarts and replicas.
type ReferenceGenerator interface {
	NewReference(ctx context.Context, a *Application) (string, error)
}

// Sequence hands out numbers that never repeat for one name. Every ApplicationStore is one.
type Sequence interface {
	NextSequence(ctx context.Context, name string) (int64, error)
}

// SequenceReferences makes references of the form PREFIX-YEAR-NUMBER, e.g.
// "WOHNGELD-2026-000042", numbering each prefix and year from 1 through a Sequence (usually the
// application store, so numbers survive restarts and are shared by replicas).
type SequenceReferences struct {
	seq    Sequence
	prefix func(a *Application) string
	now    func() time.Time
}

// SequenceReferencesOptions configures SequenceReferences.
type SequenceReferencesOptions struct {
	// Prefix returns the prefix for an application; nil means the service id in upper case.
	// The prefix may hold letters, digits and hyphens.
	Prefix func(a *Application) string
	// Clock gives the time whose year goes into the reference; nil means time.Now.
	Clock func() time.Time
}

// NewSequenceReferences returns a generator drawing numbers from seq. opts may be nil.
func NewSequenceReferences(seq Sequence, opts *SequenceReferencesOptions) *SequenceReferences {
	r := &SequenceReferences{seq: seq, now: time.Now, prefix: func(a *Application) string { return strings.ToUpper(a.ServiceID) }}
	if opts != nil && opts.Prefix != nil {
		r.prefix = opts.Prefix
	}
	if opts != nil && opts.Clock != nil {
		r.now = opts.Clock
	}
	return r
}

// NewReference implements ReferenceGenerator.
func (r *SequenceReferences) NewReference(ctx context.Context, a *Application) (string, error) {
	p := r.prefix(a)
	if p == "" || len(p) > 32 || strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return "", fmt.Errorf("ozg: reference prefix %q must be 1 to 32 letters, digits or hyphens", p)
	}
	year := r.now().UTC().Year()
	n, err := r.seq.NextSequence(ctx, fmt.Sprintf("reference:%s:%d", p, year))
	if err != nil {
		return "", fmt.Errorf("ozg: reference for %s: %w", a.ID, err)
	}
	return fmt.Sprintf("%s-%d-%06d", p, year, n), nil
}
