package casework

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/ozgkit/ozgkit/ozg"
)

// MaxFailedListed is the most failed deliveries one call lists.
const MaxFailedListed = 100

// Operator reports whether s has Options.OperatorRole: whether s may see and requeue the
// outbox's failed deliveries.
func (cw *Casework) Operator(s Staff) bool {
	return cw.operator != "" && slices.Contains(s.Roles, cw.operator)
}

// FailedDeliveries lists the work outbox ob gave up, oldest first, at most n (1 to
// MaxFailedListed), each with its submission's reference and service, for operator s. Anyone
// else gets ErrForbidden.
func (cw *Casework) FailedDeliveries(ctx context.Context, s Staff, ob *ozg.Outbox, n int) ([]ozg.OutboxWork, error) {
	if !cw.Operator(s) {
		return nil, ErrForbidden
	}
	if n < 1 || n > MaxFailedListed {
		return nil, fmt.Errorf("%w: %d failed deliveries, between 1 and %d", ErrInvalid, n, MaxFailedListed)
	}
	return ob.FailedWork(ctx, n)
}

// OutboxWork returns the outbox work of submission id (in any state) for operator s: its
// state, attempts, last error, and the state whose work failed. Anyone else gets
// ErrForbidden; an unknown id ErrNotFound.
func (cw *Casework) OutboxWork(ctx context.Context, s Staff, ob *ozg.Outbox, id string) (ozg.OutboxWork, error) {
	if !cw.Operator(s) {
		return ozg.OutboxWork{}, ErrForbidden
	}
	w, err := ob.Entry(ctx, id)
	if errors.Is(err, ozg.ErrNotFound) {
		return ozg.OutboxWork{}, fmt.Errorf("%w: outbox entry %.64q", ErrNotFound, id)
	}
	return w, err
}

// RequeueDelivery makes the failed work of submission id due again at once, in the state
// whose work failed, on behalf of operator s, and records who did it: in the audit trail of
// the submission's case when this inbox holds one (ActionRequeued), and always as a log
// record "casework: audit" with the operator's subject, the submission, its reference,
// service, target and step. Anyone but an operator gets ErrForbidden; an unknown id
// ErrNotFound; work that is not failed (any more, e.g. requeued by a colleague)
// ErrStateChanged. It returns the work as it was before the requeue.
func (cw *Casework) RequeueDelivery(ctx context.Context, s Staff, ob *ozg.Outbox, id string) (ozg.OutboxWork, error) {
	w, err := cw.OutboxWork(ctx, s, ob, id)
	if err != nil {
		return ozg.OutboxWork{}, err
	}
	if w.State != ozg.DeliveryFailed {
		return w, fmt.Errorf("%w: outbox entry %s is %s, not failed", ErrStateChanged, id, w.State)
	}
	if err := ob.Requeue(ctx, id); err != nil {
		if errors.Is(err, ozg.ErrInvalidTransition) {
			return w, fmt.Errorf("%w: %v", ErrStateChanged, err)
		}
		return w, fmt.Errorf("casework: requeue %s: %w", id, err)
	}
	step := w.FailedStep()
	cw.log.LogAttrs(ctx, slog.LevelInfo, "casework: audit",
		slog.String("action", string(ActionRequeued)), slog.String("staff", s.Subject),
		slog.String("submission", id), slog.String("reference", w.Reference), slog.String("service", w.ServiceID),
		slog.String("delivery", w.Delivery), slog.String("step", string(step)))
	// The inbox holds a case when it is the submission's target and the delivery got
	// through (a receipt or a withdrawal failed): its audit trail records the requeue too.
	if _, err := cw.store.Case(ctx, id); err == nil {
		detail := fmt.Sprintf("%s (%s)", step, w.Delivery)
		if _, err := cw.store.Append(ctx, Event{CaseID: id, At: cw.clock(), Actor: s.actor(), Action: ActionRequeued, Detail: detail}, "", ""); err != nil {
			return w, fmt.Errorf("casework: case %s: record requeue: %w", id, err)
		}
	} else if !errors.Is(err, ErrNotFound) {
		return w, fmt.Errorf("casework: case %s: %w", id, err)
	}
	return w, nil
}
