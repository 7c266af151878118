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
