package ozg

import (
	"context"
	"fmt"
	"reflect"
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

// NewReference implements ReferenceGenerator. It draws the number with its own NextSequence
// call; Applications uses Numbering instead when the sequence is its store, so that the number
// is drawn in the submit's transaction.
func (r *SequenceReferences) NewReference(ctx context.Context, a *Application) (string, error) {
	num, err := r.Numbering(a)
	if err != nil {
		return "", err
	}
	n, err := r.seq.NextSequence(ctx, num.Sequence)
	if err != nil {
		return "", fmt.Errorf("ozg: reference for %s: %w", a.ID, err)
	}
	return num.Reference(n), nil
}

// Numbering returns how a's reference is made: the sequence to draw from (named after prefix
// and year, so each year starts at 1) and the form PREFIX-YEAR-NNNNNN. A prefix that is not
// 1 to 32 letters, digits or hyphens is refused.
func (r *SequenceReferences) Numbering(a *Application) (Numbering, error) {
	p := r.prefix(a)
	if p == "" || len(p) > 32 || strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return Numbering{}, fmt.Errorf("ozg: reference prefix %q must be 1 to 32 letters, digits or hyphens", p)
	}
	year := r.now().UTC().Year()
	return Numbering{Sequence: fmt.Sprintf("reference:%s:%d", p, year), Prefix: fmt.Sprintf("%s-%d-", p, year), Digits: 6}, nil
}

// drawsFrom reports whether r's numbers come from store's sequences, so that the store can
// draw them inside the submit's transaction.
func (r *SequenceReferences) drawsFrom(store any) bool {
	t := reflect.TypeOf(r.seq)
	return t != nil && t == reflect.TypeOf(store) && t.Comparable() && any(r.seq) == store
}

// Numbering tells a store how to number a submission inside its transaction (see
// NumberingStore): draw the next number of the named Sequence, the same sequence
// ApplicationStore.NextSequence counts, and make the reference with Reference. It is data, not
// a function, so that an SQL store can form the reference in the statement that draws the
// number.
type Numbering struct {
	// Sequence names the sequence, e.g. "reference:WOHNGELD:2026"; 1 to 200 bytes.
	Sequence string
	// Prefix comes before the number, e.g. "WOHNGELD-2026-"; at most 64 bytes.
	Prefix string
	// Digits is the least number of digits of the number, zero-padded: 1 to 18. Larger
	// numbers keep all their digits.
	Digits int
}

// Reference returns the reference of number n: Prefix, then n with at least Digits digits.
func (num Numbering) Reference(n int64) string {
	return num.Prefix + fmt.Sprintf("%0*d", num.Digits, n)
}

// Check returns an error wrapping ErrInvalidApplication when the numbering is out of bounds.
// Stores call it in SubmitNumbered.
func (num Numbering) Check() error {
	if num.Sequence == "" || len(num.Sequence) > 200 || len(num.Prefix) > 64 || num.Digits < 1 || num.Digits > 18 {
		return fmt.Errorf("%w: numbering needs a sequence of 1 to 200 bytes, a prefix of at most 64 and 1 to 18 digits", ErrInvalidApplication)
	}
	return nil
}
