package mailbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ozgkit/ozgkit/internal/backoff"
)

// Notification tells a [Notifier] that a citizen has a new message. It deliberately carries no
// subject, body or sender: a notification leaves the portal by e-mail or push and must not
// contain personal content.
type Notification struct {
	MessageID string
	// Owner is the citizen's subject; the notifier looks up where to reach them.
	Owner   string
	Kind    Kind
	Created time.Time
}

// Notifier tells a citizen about a new message, for example by e-mail ([SMTPNotifier]).
//
// Contract: Notify returns nil once the notification is handed over. An error is retried later
// (delivery is at least once, so a notification may repeat); an error wrapping ErrNoRecipient
// means the citizen cannot be reached and is not retried. Notify must honour ctx's deadline.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// NotifierFunc adapts a function to a [Notifier].
type NotifierFunc func(ctx context.Context, n Notification) error

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, n Notification) error { return f(ctx, n) }

// ErrNoRecipient: the citizen has no address to notify; the message stays in the mailbox and the
// notification is not retried.
var ErrNoRecipient = errors.New("mailbox: citizen has no notification address")

// ReplyHook receives a citizen's reply to a query after it is stored, for example to hand it to
// the back office (Fachverfahren). An error is retried like a failed notification (at least
// once: the hook may see a reply again and should be idempotent by reply.ID).
type ReplyHook func(ctx context.Context, query, reply Message) error

// RetryPolicy says how failed notifications and reply hand-overs are retried: after the n-th
// failure the next attempt waits First·2^(n-1), at most Max; after Attempts attempts it is given
// up (the message stays stored). Zero fields take the defaults.
type RetryPolicy struct {
	Attempts int           // default 8
	First    time.Duration // default 30s
	Max      time.Duration // default 1h
	// Timeout bounds one attempt; default 30s.
	Timeout time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 8
	}
	if p.First <= 0 {
		p.First = 30 * time.Second
	}
	if p.Max <= 0 {
		p.Max = time.Hour
	}
	if p.Timeout <= 0 {
		p.Timeout = 30 * time.Second
	}
	return p
}

func (p RetryPolicy) backoff(failures int) time.Duration {
	return backoff.Delay(p.First, p.Max, failures)
}

// initialNotification is the state a new message is stored with. A pending notification's first
// attempt is made right after storing; its Next lies one backoff ahead so that a concurrent
// sweep does not pick it up meanwhile, and a crash before the attempt leaves it due later.
func (m *Mailbox) initialNotification(kind Kind, now time.Time) NotificationState {
	if kind != KindReply && m.notify == nil {
		return NotificationState{Done: now}
	}
	if m.queue && kind != KindReply {
		return NotificationState{Next: now} // Run sends it
	}
	return NotificationState{Next: now.Add(m.retry.First)}
}

// dispatch makes one attempt to notify about msg (or hand a reply to the hook) and records the
// outcome in the store. It runs even when ctx is canceled: the message is already stored.
func (m *Mailbox) dispatch(ctx context.Context, msg Message) NotificationState {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.retry.Timeout)
	defer cancel()
	st := msg.Notification
	st.Attempts++
	err := m.attempt(ctx, msg)
	now := m.clock()
	switch {
	case err == nil:
		st.Done, st.Next = now, time.Time{}
	case errors.Is(err, ErrNoRecipient):
		st.Done, st.Next = now, time.Time{}
		m.log.Info("mailbox: citizen has no notification address", "message", msg.ID)
	case st.Attempts >= m.retry.Attempts:
		st.Done, st.Next, st.GaveUp = now, time.Time{}, true
		m.log.Error("mailbox: notification given up; the message stays in the mailbox", "message", msg.ID, "attempts", st.Attempts, "err", err)
	default:
		st.Next = now.Add(m.retry.backoff(st.Attempts))
		m.log.Warn("mailbox: notification failed, will retry", "message", msg.ID, "attempts", st.Attempts, "next", st.Next, "err", err)
	}
	if err := m.store.SetNotification(ctx, msg.ID, st); err != nil {
		m.log.Error("mailbox: record notification state", "message", msg.ID, "err", err)
		return msg.Notification
	}
	return st
}

func (m *Mailbox) attempt(ctx context.Context, msg Message) error {
	if msg.Kind == KindReply {
		if m.onReply == nil {
			return errors.New("no reply hook configured")
		}
		q, err := m.store.Get(ctx, msg.Owner, msg.InReplyTo)
		if err != nil {
			return fmt.Errorf("load query %s: %w", msg.InReplyTo, err)
		}
		return m.onReply(ctx, q, msg)
	}
	if m.notify == nil {
		return nil
	}
	return m.notify.Notify(ctx, Notification{MessageID: msg.ID, Owner: msg.Owner, Kind: msg.Kind, Created: msg.Created})
}

// sweepBatch is how many due notifications one store call returns; maxSweep bounds one sweep.
const (
	sweepBatch = 100
	maxSweep   = 10 * sweepBatch
)

// RetryNotifications makes one attempt for every notification and reply hand-over that is due,
// and returns how many it attempted. Call it periodically, or use [Mailbox.Run].
func (m *Mailbox) RetryNotifications(ctx context.Context) (int, error) {
	done := 0
	for done < maxSweep {
		due, err := m.store.DueNotifications(ctx, m.clock(), sweepBatch)
		if err != nil {
			return done, fmt.Errorf("mailbox: due notifications: %w", err)
		}
		progressed := false
		for _, msg := range due {
			if err := ctx.Err(); err != nil {
				return done, err
			}
			if st := m.dispatch(ctx, msg); st != msg.Notification {
				progressed = true
			}
			done++
		}
		if len(due) < sweepBatch || !progressed {
			break
		}
	}
	return done, nil
}

// Run calls [Mailbox.RetryNotifications] every interval until ctx is done, and returns ctx's
// error. Run it in one goroutine per process; several replicas may each run it (delivery is at
// least once).
func (m *Mailbox) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = m.retry.First
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := m.RetryNotifications(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("mailbox: retry notifications", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
