package payment

import (
	"context"
	"errors"
	"fmt"
)

// ReconcileReport counts what one [Service.Reconcile] run did.
type ReconcileReport struct {
	// Checked is the number of payments looked at.
	Checked int
	// Paid, Failed, Canceled and Expired count the payments moved to that state.
	Paid, Failed, Canceled, Expired int
	// Unavailable counts payments the provider could not be asked about; they stay as they are.
	Unavailable int
	// Mismatched counts payments whose provider transaction does not match.
	Mismatched int
	// Errors counts payments the provider refused to tell about (other than unavailable).
	Errors int
	// ProviderDown is set when the provider, asked first whether it is ready (a [Pinger]),
	// answered that it is not: no payment with a transaction was asked about, and each counts
	// as Unavailable.
	ProviderDown bool
}

// Reconcile asks the provider about payments left pending (the citizen closed the tab, the
// return never arrived) and moves them on; payments still not paid ExpireAfter after their
// start become expired, as do payments never confirmed by the provider. A payment the provider
// cannot be asked about is left as it is: a network error never fails or expires a payment.
// Run it periodically, e.g. every few minutes; one run looks at up to ReconcileBatch payments
// per state, least recently updated first.
//
// A provider that is a [Pinger] is asked once first. When it is down, the run asks it about
// no payment (each counts as Unavailable, none expires on the provider's silence; payments it
// never confirmed may still expire); when it refuses the service's configuration, the run
// changes nothing and returns the error.
func (s *Service) Reconcile(ctx context.Context) (ReconcileReport, error) {
	var rep ReconcileReport
	if pg, ok := s.provider.(Pinger); ok {
		err := pg.Ping(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return rep, ctx.Err()
		case errors.Is(err, ErrUnavailable):
			rep.ProviderDown = true
			s.log.WarnContext(ctx, "payment: reconcile: provider not ready", "err", err)
		case err != nil:
			return rep, fmt.Errorf("payment: reconcile: provider refuses the configuration: %w", err)
		}
	}
	for _, state := range []State{StatePending, StateCreated} {
		ps, err := s.store.ListByState(ctx, state, s.batch)
		if err != nil {
			return rep, fmt.Errorf("payment: reconcile: %w", err)
		}
		for _, p := range ps {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			rep.Checked++
			if err := s.reconcileOne(ctx, p, &rep); err != nil {
				return rep, err
			}
		}
	}
	return rep, nil
}

func (s *Service) reconcileOne(ctx context.Context, p *Payment, rep *ReconcileReport) error {
	overdue := s.now().Sub(p.CreatedAt) >= s.expire
	if p.TransactionID != "" && rep.ProviderDown {
		rep.Unavailable++
		return nil
	}
	if p.TransactionID != "" {
		q, err := s.refresh(ctx, p)
		switch {
		case err != nil && ctx.Err() != nil:
			return err
		case errors.Is(err, ErrUnavailable):
			// Nothing is known: leave the payment as it is, even when overdue; ask next time.
			rep.Unavailable++
			return nil
		case errors.Is(err, ErrMismatch):
			rep.Mismatched++
		case err != nil:
			// Refused (e.g. the provider does not know the transaction): it can still expire.
			rep.Errors++
			s.log.WarnContext(ctx, "payment: reconcile", "payment", p.ID, "err", err)
		}
		if q != nil && q.State != p.State {
			switch q.State {
			case StatePaid:
				rep.Paid++
			case StateFailed:
				rep.Failed++
			case StateCanceled:
				rep.Canceled++
			}
			return nil
		}
		if q != nil {
			p = q
		}
	}
	if !overdue {
		return nil
	}
	ok, err := s.expireIfOpen(ctx, p)
	if err != nil {
		return fmt.Errorf("payment: reconcile %s: %w", p.ID, err)
	}
	if ok {
		rep.Expired++
	}
	return nil
}
