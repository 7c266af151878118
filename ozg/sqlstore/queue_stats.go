package sqlstore

import (
	"context"
	"fmt"

	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/payment"
)

// QueueStats counts the work that waits in the database's other queues (the outbox has
// ApplicationStore.OutboxStats).
type QueueStats struct {
	// ScanPending counts evidence stored but not yet scanned for malware (the scan queue).
	ScanPending int
	// NotificationsPending counts Postfach messages whose notification is still to be sent;
	// NotificationsFailed those whose notification was given up.
	NotificationsPending, NotificationsFailed int
	// PaymentsOpen counts payments the citizen has not finished (created or pending), which
	// reconciliation asks the provider about.
	PaymentsOpen int
}

// QueueStats counts the queues in one query. The pending scans, notifications and payments
// are counted over indexes; the failed notifications over the Postfach's messages, so read
// it at a metrics scrape's pace, not per request.
func (d *DB) QueueStats(ctx context.Context) (QueueStats, error) {
	var s QueueStats
	err := d.db.QueryRowContext(ctx, d.q(`SELECT
		(SELECT COUNT(*) FROM evidence WHERE scan_state = ?),
		(SELECT COUNT(*) FROM mailbox_messages WHERE notify_done IS NULL),
		(SELECT COUNT(*) FROM mailbox_messages WHERE notify_gave_up <> 0),
		(SELECT COUNT(*) FROM payments WHERE state IN (?, ?))`),
		string(evidence.ScanPending), string(payment.StateCreated), string(payment.StatePending)).
		Scan(&s.ScanPending, &s.NotificationsPending, &s.NotificationsFailed, &s.PaymentsOpen)
	if err != nil {
		return QueueStats{}, fmt.Errorf("sqlstore: queue stats: %w", err)
	}
	return s, nil
}
