package evidence

import (
	"context"
	"time"
)

// Store keeps evidence metadata (the bytes live in a [BlobStore]).
//
// Contract, checked by evidencetest.RunStoreConformance:
//   - Create stores e; an id already stored gives an error wrapping [ErrExists] and changes
//     nothing.
//   - Get returns the evidence with id; a missing id gives an error wrapping [ErrNotFound].
//   - List returns the evidence of one application, oldest first (CreatedAt, then ID); none is
//     an empty slice and no error.
//   - UpdateScan sets ScanState, ScanDetail and UpdatedAt of id (ErrNotFound when missing) and
//     nothing else.
//   - Delete removes id; a missing id gives ErrNotFound.
//   - ListByScanState returns up to limit evidence in state, oldest first.
//   - ListApplications returns up to limit distinct application ids, ascending and greater
//     than after, that have evidence created before the given time (for retention cleanup).
//   - Values go in and come out as copies: changing a returned Evidence changes nothing stored.
//   - Implementations are safe for concurrent use and honour ctx cancellation.
type Store interface {
	Create(ctx context.Context, e Evidence) error
	Get(ctx context.Context, id string) (Evidence, error)
	List(ctx context.Context, applicationID string) ([]Evidence, error)
	UpdateScan(ctx context.Context, id string, state ScanState, detail string, at time.Time) error
	Delete(ctx context.Context, id string) error
	ListByScanState(ctx context.Context, state ScanState, limit int) ([]Evidence, error)
	ListApplications(ctx context.Context, createdBefore time.Time, after string, limit int) ([]string, error)
}

// Limits bound one application's evidence: the files of one requirement, all its files, and
// their bytes together. A zero field is no bound.
type Limits struct {
	MaxPerRequirement int
	MaxFiles          int
	MaxTotalSize      int64
}

// LimitedStore is an optional capability of a [Store]: it checks the limits in the same
// transaction that records the evidence, so several processes (replicas) sharing the store
// cannot pass them together. [Manager] uses it when its store has it; otherwise its own
// check and Create are atomic only within one process.
//
// Contract, checked by evidencetest.RunLimitedStoreConformance:
//   - CreateWithin stores e as Create does if, with e counted, e's application keeps every
//     limit: at most MaxPerRequirement evidence of e.RequirementID, at most MaxFiles evidence
//     and at most MaxTotalSize bytes. Otherwise it stores nothing and returns an error
//     wrapping [ErrTooManyFiles] (a count) or [ErrTooLarge] (the bytes).
//   - Of concurrent CreateWithin calls for one application, from any number of processes,
//     no combination passes a limit.
type LimitedStore interface {
	Store
	CreateWithin(ctx context.Context, e Evidence, l Limits) error
}
