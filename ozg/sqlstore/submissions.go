package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

// Submit implements ozg.SubmissionStore: application update, submission and outbox entry in
// one transaction.
func (s *ApplicationStore) Submit(ctx context.Context, app *ozg.Application, sub *ozg.Submission) error {
	return s.submit(ctx, app, sub, nil)
}

// SubmitNumbered implements ozg.NumberingStore: the reference number is drawn from the
// sequences table in the submit's transaction. The sequence's row stays locked until the
// transaction ends, so concurrent submits of one sequence take turns for that moment, and a
// submit that is rolled back gives its number back: numbers have no gaps.
func (s *ApplicationStore) SubmitNumbered(ctx context.Context, app *ozg.Application, sub *ozg.Submission, num ozg.Numbering) error {
	if err := num.Check(); err != nil {
		return err
	}
	return s.submit(ctx, app, sub, &num)
}

// submit runs a submit's transaction: the next number when num is not nil, the application's
// update at its version, the submission and its outbox entry. The idempotency key is checked
// by the submissions' unique index (owner, idempotency_key), so no statement is spent on it.
func (s *ApplicationStore) submit(ctx context.Context, app *ozg.Application, sub *ozg.Submission, num *ozg.Numbering) error {
	if sub.ID == "" || sub.Owner == "" || sub.IdempotencyKey == "" {
		return fmt.Errorf("%w: submission id, owner and idempotency key are required", ozg.ErrInvalidApplication)
	}
	tx, err := s.d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: submit %s: %w", sub.ID, err)
	}
	defer tx.Rollback()
	appRef, subRef := app.Reference, sub.Reference
	restore := func() { app.Reference, sub.Reference = appRef, subRef }
	switch {
	case num != nil && s.d.dialect == dialectPostgres:
		if err := s.numberedUpdate(ctx, tx, app, sub, *num); err != nil {
			restore()
			return err
		}
	case num != nil:
		n, err := nextSequence(ctx, s.d, tx, num.Sequence)
		if err != nil {
			return err
		}
		ref := num.Reference(n)
		app.Reference, sub.Reference = ref, ref
		fallthrough
	default:
		if err := s.update(ctx, tx, app); err != nil {
			restore()
			return err
		}
	}
	body, err := json.Marshal(sub)
	if err != nil {
		restore()
		return fmt.Errorf("sqlstore: encode submission %s: %w", sub.ID, err)
	}
	if s.d.dialect == dialectPostgres {
		_, err = tx.ExecContext(ctx, s.d.q(queryInsertSubmissionQueued), sub.ID, sub.ApplicationID, sub.Owner, sub.IdempotencyKey,
			string(body), micros(sub.SubmittedAt), sub.Delivery, string(ozg.DeliveryPending), micros(sub.SubmittedAt))
	} else {
		_, err = s.d.exec(ctx, tx, queryInsertSubmission, sub.ID, sub.ApplicationID, sub.Owner, sub.IdempotencyKey, string(body), micros(sub.SubmittedAt))
		if err == nil {
			_, err = s.d.exec(ctx, tx, queryInsertOutbox, sub.ID, sub.Delivery, string(ozg.DeliveryPending), micros(sub.SubmittedAt))
		}
	}
	if isUniqueViolation(err) {
		restore()
		// the key is taken (perhaps by a concurrent submit that committed first), or the id
		return fmt.Errorf("%w: key %q (or id %s) is taken", ozg.ErrDuplicateSubmission, sub.IdempotencyKey, sub.ID)
	}
	if err != nil {
		restore()
		return fmt.Errorf("sqlstore: submit %s: %w", sub.ID, err)
	}
	if err := tx.Commit(); err != nil {
		restore()
		return fmt.Errorf("sqlstore: submit %s: %w", sub.ID, err)
	}
	app.Version++
	return nil
}

// numberedUpdate draws the next number of num and updates app at its version with the
// reference made from it, in one statement (PostgreSQL), and sets the references of app and
// sub. It leaves app.Version alone.
func (s *ApplicationStore) numberedUpdate(ctx context.Context, tx *sql.Tx, app *ozg.Application, sub *ozg.Submission, num ozg.Numbering) error {
	vals, err := row(app, app.Version+1)
	if err != nil {
		return err
	}
	var n int64
	err = tx.QueryRowContext(ctx, s.d.q(queryNumberedUpdate), num.Sequence,
		vals[3], vals[4], vals[5], vals[7], vals[9], vals[10], num.Prefix, num.Digits,
		app.ID, app.Version, app.Owner, app.ServiceID, micros(app.CreatedAt)).Scan(&n)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s.notUpdated(ctx, tx, app)
	case isUniqueViolation(err):
		return fmt.Errorf("%w: the reference drawn for application %s is taken", ozg.ErrExists, app.ID)
	case err != nil:
		return fmt.Errorf("sqlstore: update application %s: %w", app.ID, err)
	}
	ref := num.Reference(n)
	app.Reference, sub.Reference = ref, ref
	return nil
}

func (s *ApplicationStore) submissionWhere(ctx context.Context, where string, args ...any) (*ozg.Submission, error) {
	var body string
	err := s.d.db.QueryRowContext(ctx, s.d.q(`SELECT body FROM submissions WHERE `+where), args...).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: submission", ozg.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read submission: %w", err)
	}
	var sub ozg.Submission
	if err := json.Unmarshal([]byte(body), &sub); err != nil {
		return nil, fmt.Errorf("sqlstore: decode submission: %w", err)
	}
	return &sub, nil
}

// Submission implements ozg.SubmissionStore.
func (s *ApplicationStore) Submission(ctx context.Context, id string) (*ozg.Submission, error) {
	return s.submissionWhere(ctx, `id = ?`, id)
}

// SubmissionByKey implements ozg.SubmissionStore.
func (s *ApplicationStore) SubmissionByKey(ctx context.Context, owner, key string) (*ozg.Submission, error) {
	return s.submissionWhere(ctx, `owner = ? AND idempotency_key = ?`, owner, key)
}

// SubmissionOf implements ozg.SubmissionStore.
func (s *ApplicationStore) SubmissionOf(ctx context.Context, applicationID string) (*ozg.Submission, error) {
	return s.submissionWhere(ctx, `application_id = ?`, applicationID)
}

const outboxColumns = `submission_id, delivery, state, attempts, next_attempt, last_error, receipt, failed_in`

func scanEntry(sc scanner) (ozg.OutboxEntry, error) {
	var (
		e             ozg.OutboxEntry
		state, failed string
		next          int64
		receipt       sql.NullString
	)
	if err := sc.Scan(&e.SubmissionID, &e.Delivery, &state, &e.Attempts, &next, &e.LastError, &receipt, &failed); err != nil {
		return e, err
	}
	e.State, e.NextAttempt, e.FailedIn = ozg.DeliveryState(state), fromMicros(next), ozg.DeliveryState(failed)
	if receipt.Valid {
		var r ozg.Receipt
		if err := json.Unmarshal([]byte(receipt.String), &r); err != nil {
			return e, fmt.Errorf("decode receipt: %w", err)
		}
		e.Receipt = &r
	}
	return e, nil
}

// claimableStates is the SQL list of the states the outbox works on.
const claimableStates = `('pending', 'notifying', 'withdrawing')`

// ClaimDeliveries implements ozg.SubmissionStore. On PostgreSQL the claim skips rows other
// workers hold (FOR UPDATE SKIP LOCKED); SQLite serialises writers anyway.
func (s *ApplicationStore) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, n int) ([]ozg.OutboxEntry, error) {
	if n <= 0 {
		return nil, nil
	}
	lock := ""
	if s.d.dialect == dialectPostgres {
		lock = ` FOR UPDATE SKIP LOCKED`
	}
	rows, err := s.d.db.QueryContext(ctx, s.d.q(`UPDATE outbox SET attempts = attempts + 1, lease_until = ?
		WHERE submission_id IN (SELECT submission_id FROM outbox
			WHERE state IN `+claimableStates+` AND next_attempt <= ? AND lease_until <= ?
			ORDER BY next_attempt, submission_id LIMIT ?`+lock+`)
		RETURNING `+outboxColumns), micros(now.Add(lease)), micros(now), micros(now), n)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: claim deliveries: %w", err)
	}
	defer rows.Close()
	var out []ozg.OutboxEntry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: claim deliveries: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: claim deliveries: %w", err)
	}
	slices.SortFunc(out, func(a, b ozg.OutboxEntry) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		return strings.Compare(a.SubmissionID, b.SubmissionID)
	})
	return out, nil
}

// changeEntry runs an UPDATE of an entry in one of states (an SQL list) through ex and turns
// "no row" into the contract's error.
func (s *ApplicationStore) changeEntry(ctx context.Context, ex execer, id, states, set string, args ...any) error {
	res, err := ex.ExecContext(ctx, s.d.q(`UPDATE outbox SET `+set+` WHERE submission_id = ? AND state IN `+states), append(args, id)...)
	if err != nil {
		return fmt.Errorf("sqlstore: outbox %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: outbox %s: %w", id, err)
	} else if n == 1 {
		return nil
	}
	e, err := scanEntry(ex.QueryRowContext(ctx, s.d.q(`SELECT `+outboxColumns+` FROM outbox WHERE submission_id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: outbox entry %s", ozg.ErrNotFound, id)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: outbox %s: %w", id, err)
	}
	return fmt.Errorf("%w: outbox entry %s is %s", ozg.ErrInvalidTransition, id, e.State)
}

// restart is the SET clause that puts an entry into a state, due at once with no attempts.
const restart = `state = ?, attempts = 0, last_error = '', lease_until = 0`

// CompleteDelivery implements ozg.SubmissionStore: the receipt, the entry's next state and the
// application's move to delivered in one transaction.
func (s *ApplicationStore) CompleteDelivery(ctx context.Context, id string, r ozg.Receipt) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	tx, err := s.d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: complete delivery %s: %w", id, err)
	}
	defer tx.Rollback()
	// A delivery that was in flight when the citizen withdrew: the authority must hear of it.
	err = s.changeEntry(ctx, tx, id, `('withdrawn')`, `receipt = ?, `+restart, string(b), string(ozg.DeliveryWithdrawing))
	if errors.Is(err, ozg.ErrInvalidTransition) {
		err = s.changeEntry(ctx, tx, id, `('pending')`, `receipt = ?, `+restart, string(b), string(ozg.DeliveryNotifying))
		if err == nil {
			err = s.markDelivered(ctx, tx, id, r)
		}
	}
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: complete delivery %s: %w", id, err)
	}
	return nil
}

// markDelivered moves the application of submission id from submitted to delivered in tx.
func (s *ApplicationStore) markDelivered(ctx context.Context, tx *sql.Tx, id string, r ozg.Receipt) error {
	a, err := scanApp(tx.QueryRowContext(ctx, s.d.q(`SELECT `+appColumns+` FROM applications
		WHERE id = (SELECT application_id FROM submissions WHERE id = ?)`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the application was deleted; the delivery stands
	}
	if err != nil {
		return fmt.Errorf("sqlstore: complete delivery %s: %w", id, err)
	}
	if a.State != ozg.StateSubmitted {
		return nil
	}
	if err := a.Transition(ozg.StateDelivered, r.DeliveredAt, "delivered: "+r.ID); err != nil {
		return err
	}
	return s.update(ctx, tx, a)
}

// AcknowledgeDelivery implements ozg.SubmissionStore.
func (s *ApplicationStore) AcknowledgeDelivery(ctx context.Context, id string) error {
	return s.changeEntry(ctx, s.d.db, id, `('notifying')`, restart, string(ozg.DeliveryDelivered))
}

// CompleteWithdrawal implements ozg.SubmissionStore.
func (s *ApplicationStore) CompleteWithdrawal(ctx context.Context, id string) error {
	return s.changeEntry(ctx, s.d.db, id, `('withdrawing')`, restart, string(ozg.DeliveryWithdrawn))
}

// RetryDelivery implements ozg.SubmissionStore.
func (s *ApplicationStore) RetryDelivery(ctx context.Context, id, lastError string, next time.Time) error {
	return s.changeEntry(ctx, s.d.db, id, claimableStates, `last_error = ?, next_attempt = ?, lease_until = 0`, lastError, micros(next))
}

// FailDelivery implements ozg.SubmissionStore.
func (s *ApplicationStore) FailDelivery(ctx context.Context, id, lastError string) error {
	return s.changeEntry(ctx, s.d.db, id, claimableStates, `failed_in = state, state = 'failed', last_error = ?`, lastError)
}

// Requeue implements ozg.SubmissionStore.
func (s *ApplicationStore) Requeue(ctx context.Context, id string, now time.Time) error {
	return s.changeEntry(ctx, s.d.db, id, `('failed')`,
		`state = CASE WHEN failed_in IN `+claimableStates+` THEN failed_in ELSE 'pending' END,
		 failed_in = '', attempts = 0, last_error = '', lease_until = 0, next_attempt = ?`, micros(now))
}

// Withdraw implements ozg.SubmissionStore: the withdrawn application and its outbox entry in
// one transaction.
func (s *ApplicationStore) Withdraw(ctx context.Context, app *ozg.Application) error {
	tx, err := s.d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: withdraw %s: %w", app.ID, err)
	}
	defer tx.Rollback()
	if err := s.update(ctx, tx, app); err != nil {
		return err
	}
	sub := `(SELECT id FROM submissions WHERE application_id = ?)`
	if _, err := tx.ExecContext(ctx, s.d.q(`UPDATE outbox SET state = 'withdrawn' WHERE state = 'pending' AND submission_id IN `+sub), app.ID); err != nil {
		return fmt.Errorf("sqlstore: withdraw %s: %w", app.ID, err)
	}
	if _, err := tx.ExecContext(ctx, s.d.q(`UPDATE outbox SET `+restart+`, next_attempt = ?
		WHERE state IN ('notifying', 'delivered') AND submission_id IN `+sub),
		string(ozg.DeliveryWithdrawing), micros(app.UpdatedAt), app.ID); err != nil {
		return fmt.Errorf("sqlstore: withdraw %s: %w", app.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: withdraw %s: %w", app.ID, err)
	}
	app.Version++
	return nil
}

// OutboxEntry implements ozg.SubmissionStore.
func (s *ApplicationStore) OutboxEntry(ctx context.Context, id string) (ozg.OutboxEntry, error) {
	e, err := scanEntry(s.d.db.QueryRowContext(ctx, s.d.q(`SELECT `+outboxColumns+` FROM outbox WHERE submission_id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("%w: outbox entry %s", ozg.ErrNotFound, id)
	}
	if err != nil {
		return e, fmt.Errorf("sqlstore: outbox %s: %w", id, err)
	}
	return e, nil
}

// FailedDeliveries implements ozg.SubmissionStore.
func (s *ApplicationStore) FailedDeliveries(ctx context.Context, n int) ([]ozg.OutboxEntry, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := s.d.db.QueryContext(ctx, s.d.q(`SELECT `+outboxColumns+` FROM outbox WHERE state = 'failed'
		ORDER BY next_attempt, submission_id LIMIT ?`), n)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: failed deliveries: %w", err)
	}
	defer rows.Close()
	var out []ozg.OutboxEntry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: failed deliveries: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
