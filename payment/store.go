package payment

import "context"

// MaxList is the most payments one List call returns.
const MaxList = 1000

// Store keeps payments. [NewMemoryStore] is the in-memory implementation; package
// ozg/sqlstore has one on database/sql. paymenttest.RunStoreConformance checks this contract.
//
// Contract:
//   - Create stores a new payment as given, with Version 1 (p.Version is set to 1). A payment
//     whose ID or Key is already stored is refused with an error wrapping [ErrExists].
//   - Get and GetByKey return a copy; a missing payment gives an error wrapping [ErrNotFound].
//   - Update replaces the stored payment with p only if the stored Version equals p.Version;
//     it then stores and sets p.Version+1. A stale version gives an error wrapping
//     [ErrConflict] and changes nothing; a missing payment gives [ErrNotFound]. ID, Key,
//     ApplicationID, Owner, Amount and Currency never change; an Update that changes them is
//     refused with an error wrapping [ErrInvalid].
//   - ListByApplication returns the application's payments, oldest first.
//   - ListByState returns up to limit payments in the given state (limit ≤ 0 or above
//     [MaxList] means [MaxList]), least recently updated first.
//   - Callers never see the store's own copy: changing a returned payment changes nothing.
//   - Implementations are safe for concurrent use and honour ctx cancellation.
type Store interface {
	Create(ctx context.Context, p *Payment) error
	Get(ctx context.Context, id string) (*Payment, error)
	GetByKey(ctx context.Context, key string) (*Payment, error)
	Update(ctx context.Context, p *Payment) error
	ListByApplication(ctx context.Context, applicationID string) ([]*Payment, error)
	ListByState(ctx context.Context, state State, limit int) ([]*Payment, error)
}
