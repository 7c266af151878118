package ozgtest

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ozgkit/ozgkit/ozg"
)

// ErrChecksFailed is wrapped by [Report.Err] when at least one check failed.
var ErrChecksFailed = errors.New("ozgtest: conformance checks failed")

// Status is the outcome of one check.
type Status int

const (
	// Passed: the portal behaved as the rule says.
	Passed Status = iota
	// Failed: the portal broke the rule; Detail says how.
	Failed
	// Skipped: the check could not run (a missing sample, a step before it failed); Detail
	// says why. A skipped check proves nothing.
	Skipped
)

func (s Status) String() string {
	switch s {
	case Passed:
		return "pass"
	case Failed:
		return "FAIL"
	case Skipped:
		return "skip"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// MarshalText encodes the status as "pass", "fail" or "skip".
func (s Status) MarshalText() ([]byte, error) {
	if s < Passed || s > Skipped {
		return nil, fmt.Errorf("ozgtest: no status %d", int(s))
	}
	return []byte(strings.ToLower(s.String())), nil
}

// UnmarshalText decodes "pass", "fail" or "skip".
func (s *Status) UnmarshalText(b []byte) error {
	for _, v := range []Status{Passed, Failed, Skipped} {
		if strings.EqualFold(string(b), v.String()) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("ozgtest: unknown status %q (want pass, fail or skip)", b)
}

// Result is the outcome of one check.
type Result struct {
	// ID is the check's stable name, e.g. "owner-get".
	ID string `json:"id"`
	// Title says in a sentence what the check expects.
	Title string `json:"title"`
	// Rule names the OZG or ozgkit rule the check stands for.
	Rule   string `json:"rule"`
	Status Status `json:"status"`
	// Security marks a check of a security rule: skipping it is not a pass unless Waived.
	Security bool `json:"security,omitempty"`
	// Waived: the target waived this security check's skip (Target.Waive).
	Waived bool `json:"waived,omitempty"`
	// NotApplicable: skipped because the service cannot break the rule (no fee to pay, no
	// trust level below the service's).
	NotApplicable bool `json:"notApplicable,omitempty"`
	// Detail explains a failure or a skip; for a pass it may note what was seen.
	Detail string `json:"detail,omitempty"`
}

// Report is the outcome of [Check] for one service.
type Report struct {
	BaseURL   string   `json:"baseUrl"`
	ServiceID string   `json:"serviceId"`
	Results   []Result `json:"results"`
	// Maturity is a hint at the service's maturity (Reifegrad, model 1.1) from what the checks
	// observed over HTTP: the catalogue entry (information), a completed submission (form),
	// logins at the service's level (authentication), the fee paid online, evidence uploaded,
	// and a draft prefilled from the login (once-only). A digital notice (Bescheid) cannot be
	// observed from the citizen's side before the authority decides, so the hint never says
	// so and stays at most 3. Nil when the catalogue entry could not be read.
	Maturity *ozg.Assessment `json:"maturity,omitempty"`
}

// Failed returns the failed checks.
func (r Report) Failed() []Result { return r.with(Failed) }

// Skipped returns the skipped checks.
func (r Report) Skipped() []Result { return r.with(Skipped) }

func (r Report) with(s Status) []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Status == s {
			out = append(out, res)
		}
	}
	return out
}

// Result returns the result of the check id.
func (r Report) Result(id string) (Result, bool) {
	for _, res := range r.Results {
		if res.ID == id {
			return res, true
		}
	}
	return Result{}, false
}

// Unproven returns the security checks that were skipped without a waiver: rules the run
// could not show the portal keeps.
func (r Report) Unproven() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Security && res.Status == Skipped && !res.Waived && !res.NotApplicable {
			out = append(out, res)
		}
	}
	return out
}

// Err returns nil when no check failed and every security check ran (or its skip was waived),
// else an error wrapping [ErrChecksFailed] that names every failed or unproven check and why.
// Other skipped checks are not errors.
func (r Report) Err() error {
	failed, unproven := r.Failed(), r.Unproven()
	if len(failed) == 0 && len(unproven) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d checks failed, %d security checks were skipped without a waiver, for service %s at %s",
		len(failed), len(r.Results), len(unproven), r.ServiceID, r.BaseURL)
	for _, f := range failed {
		fmt.Fprintf(&b, "\n  %s: %s: %s", f.ID, f.Title, f.Detail)
	}
	for _, u := range unproven {
		fmt.Fprintf(&b, "\n  %s (skipped, security): %s: %s", u.ID, u.Title, u.Detail)
	}
	return fmt.Errorf("%w: %s", ErrChecksFailed, b.String())
}

// WriteText writes the report for people: one line per check, details indented, then the
// maturity hint.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Service %s at %s\n", r.ServiceID, r.BaseURL)
	counts := map[Status]int{}
	for _, res := range r.Results {
		counts[res.Status]++
		fmt.Fprintf(&b, "%-4s %-16s %s\n", res.Status, res.ID, res.Title)
		if res.Detail != "" && res.Status != Passed {
			fmt.Fprintf(&b, "     %16s %s\n", "", res.Detail)
		}
		if res.Status == Failed {
			fmt.Fprintf(&b, "     %16s rule: %s\n", "", res.Rule)
		}
	}
	fmt.Fprintf(&b, "%d passed, %d failed, %d skipped\n", counts[Passed], counts[Failed], counts[Skipped])
	if u := r.Unproven(); len(u) > 0 {
		ids := make([]string, len(u))
		for i, res := range u {
			ids[i] = res.ID
		}
		fmt.Fprintf(&b, "NOT PASSED: security checks skipped without a waiver: %s\n", strings.Join(ids, ", "))
	}
	if m := r.Maturity; m != nil {
		fmt.Fprintf(&b, "Reifegrad (hint, model %s, from what was observed): %d of %d\n", m.Model, m.Level, m.MaxLevel)
		for _, c := range m.Limiting() {
			fmt.Fprintf(&b, "  limited by %s: %s\n", c.Name, c.Reason)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
