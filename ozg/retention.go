package ozg

import (
	"fmt"
	"time"
)

// Bounds of a retention period other than zero (keep).
const (
	// MinRetention is the shortest retention period: one day, so that nothing a citizen is
	// working on (a draft saved this morning, a message sent an hour ago) is ever swept away,
	// and far beyond the outbox's lease, so that no delivery is in flight for what goes.
	MinRetention = 24 * time.Hour
	// MaxRetention is the longest retention period other than "keep": ten years.
	MaxRetention = 10 * 365 * 24 * time.Hour
)

// Retention says how long the portal keeps what a service's citizens leave in it
// (Löschfristen). Each period is zero, meaning "keep" (nothing of that kind is ever deleted),
// or between MinRetention and MaxRetention. A [Sweeper] deletes what is due.
//
// The portal keeps transit copies: the authority's record of a case is its back office's
// (Fachverfahren) file, with the retention its records schedule (Aktenplan,
// Aufbewahrungsfristen) sets. The periods here bound how long the portal holds personal data
// after it has done its part; state them in the service's privacy notice (Art. 13 GDPR).
// DefaultRetention returns a starting point.
type Retention struct {
	// Drafts: applications never submitted (drafts, and drafts the citizen withdrew) are
	// deleted this long after their last change, with their evidence.
	Drafts time.Duration
	// Submissions: a submitted application is deleted, with its submission, its outbox entry
	// and its evidence, this long after its last change of state (delivery, acceptance, the
	// decision, a withdrawal), and only once its outbox entry is settled: delivered (the
	// authority has it and the citizen has the receipt) or withdrawn. An entry the outbox is
	// still working on (pending, notifying, withdrawing) or that failed (a person must see to
	// it) is never deleted. Until then the citizen sees the application under "Meine Anträge"
	// and can withdraw it. A back office that does not report its decision back leaves the
	// application at "delivered", so the period runs from the delivery: it must be at least
	// the service's ProcessingDays, so that a case in the usual course is decided first.
	Submissions time.Duration
	// Evidence: the files (Nachweise) of a submitted application are deleted this long after
	// the application's last change of state, once its outbox entry is settled, as for
	// Submissions; the application and its submission stay (the submission keeps the files'
	// names, sizes and hashes). At most Submissions when both are set. Evidence of drafts goes
	// with the draft. Set it only when the back office keeps its own copy of the files:
	// FIT-Connect and webhook targets do; ozg/casework opens them from the portal's blob store.
	Evidence time.Duration
	// Messages: Postfach messages of the service (receipts, status, queries, notices, replies)
	// are deleted with their attachments this long after they were sent.
	Messages time.Duration
}

// DefaultRetention returns the periods ozgkit suggests when an authority has no rule of its
// own: drafts 30 days, submissions 180 days, evidence 30 days, Postfach messages 365 days
// (a notice's one-month period for an objection, Widerspruchsfrist, with ample time to save
// it). They are a starting point, not legal advice: the authority's data protection officer
// decides.
func DefaultRetention() Retention {
	const day = 24 * time.Hour
	return Retention{Drafts: 30 * day, Submissions: 180 * day, Evidence: 30 * day, Messages: 365 * day}
}

// Keeps reports whether nothing is ever deleted.
func (r Retention) Keeps() bool { return r == Retention{} }

// retentionProblems lists the broken rules of the service's retention.
func (s *Service) retentionProblems() []FieldProblem {
	out := s.Retention.problems()
	if d := s.Retention.Submissions; d != 0 && d < time.Duration(s.ProcessingDays)*24*time.Hour {
		out = append(out, FieldProblem{
			Field: "retention.submissions", Rule: "retention",
			Message: fmt.Sprintf("must be at least the processing time of %d days (got %v)", s.ProcessingDays, d),
		})
	}
	return out
}

// problems lists every broken rule of r, with fields below "retention".
func (r Retention) problems() []FieldProblem {
	var out []FieldProblem
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"drafts", r.Drafts}, {"submissions", r.Submissions}, {"evidence", r.Evidence}, {"messages", r.Messages}} {
		if f.d != 0 && (f.d < MinRetention || f.d > MaxRetention) {
			out = append(out, FieldProblem{
				Field: "retention." + f.name, Rule: "retention",
				Message: fmt.Sprintf("must be 0 (keep) or between %v and %v (got %v)", MinRetention, MaxRetention, f.d),
			})
		}
	}
	if r.Evidence != 0 && r.Submissions != 0 && r.Evidence > r.Submissions {
		out = append(out, FieldProblem{
			Field: "retention.evidence", Rule: "retention",
			Message: fmt.Sprintf("must not outlast retention.submissions (%v): evidence goes with its submission", r.Submissions),
		})
	}
	return out
}
