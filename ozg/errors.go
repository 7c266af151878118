package ozg

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by this package, for use with errors.Is.
var (
	// ErrInvalidService: a service descriptor breaks a rule; the error is a *DescriptorError.
	ErrInvalidService = errors.New("ozg: invalid service descriptor")
	// ErrDuplicateService: a catalogue already holds a service with that id.
	ErrDuplicateService = errors.New("ozg: duplicate service")
	// ErrNotFound: no such service or application (or not the caller's).
	ErrNotFound = errors.New("ozg: not found")
	// ErrExists: an application with that id already exists.
	ErrExists = errors.New("ozg: already exists")
	// ErrConflict: an update was based on a stale version.
	ErrConflict = errors.New("ozg: version conflict")
	// ErrInvalidTransition: the application's state does not allow the requested change.
	ErrInvalidTransition = errors.New("ozg: invalid state transition")
	// ErrInvalidApplication: an application's fields break a rule (empty owner, bad data, ...).
	ErrInvalidApplication = errors.New("ozg: invalid application")
)

// FieldProblem is one broken rule of a descriptor.
type FieldProblem struct {
	// Field is the JSON path of the field, e.g. "authority.region" or "evidence[0].maxCount".
	Field string `json:"field"`
	// Rule names the broken rule, e.g. "leika" or "required".
	Rule string `json:"rule"`
	// Message says in English what the field must be.
	Message string `json:"message"`
}

// DescriptorError lists every problem of a service descriptor at once. It matches
// ErrInvalidService with errors.Is.
type DescriptorError struct {
	ServiceID string
	Problems  []FieldProblem
}

func (e *DescriptorError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ozg: service %q is invalid: ", e.ServiceID)
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Field)
		b.WriteString(": ")
		b.WriteString(p.Message)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalidService) true.
func (e *DescriptorError) Unwrap() error { return ErrInvalidService }

// Has reports whether a problem names field.
func (e *DescriptorError) Has(field string) bool {
	for _, p := range e.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}
