package ozgtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
)

// Check runs the portal conformance checks against target over HTTP only and returns the
// report; [Report.Err] tells whether anything failed or a security check was skipped without a
// waiver. The checks walk the citizen's journey in order — catalogue, form, OpenAPI document, login and trust level, a draft
// created, read, saved, refused when stale or invalid, hidden from another citizen, evidence,
// payment, submission with an Idempotency-Key and its repetition — and check that every error
// answer is application/problem+json. A check whose prerequisite failed or whose sample is
// missing is skipped with the reason.
//
// Check changes state on the portal: it creates a draft and, given complete sample data,
// submits it. Point it at a test or staging deployment, never at production.
func Check(ctx context.Context, target Target) Report {
	return check(ctx, target, nil)
}

// Run runs the same checks as [Check] as subtests of t, one per check, named by the check's
// sentence; a failed check fails its subtest, a skipped one is skipped.
func Run(t *testing.T, target Target) {
	t.Helper()
	check(t.Context(), target, func(res Result) {
		t.Run(res.Title, func(t *testing.T) {
			switch res.Status {
			case Failed:
				t.Errorf("%s: %s\nrule: %s", res.ID, res.Detail, res.Rule)
			case Skipped:
				t.Skip(res.Detail)
			default:
				if res.Detail != "" {
					t.Log(res.Detail)
				}
			}
		})
	})
}

// outcome is what one check function answers.
type outcome struct {
	status Status
	detail string
	na     bool // skipped because the rule does not apply to the service
}

func pass(format string, args ...any) outcome {
	return outcome{status: Passed, detail: fmt.Sprintf(format, args...)}
}
func fail(format string, args ...any) outcome {
	return outcome{status: Failed, detail: fmt.Sprintf(format, args...)}
}
func skip(format string, args ...any) outcome {
	return outcome{status: Skipped, detail: fmt.Sprintf(format, args...)}
}

// notApplicable skips a check whose rule the service cannot break (no fee, no level below
// the service's).
func notApplicable(format string, args ...any) outcome {
	return outcome{status: Skipped, detail: fmt.Sprintf(format, args...), na: true}
}

type checkDef struct {
	id, title, rule string
	run             func(r *runner) outcome
}

// securityChecks are the checks whose skip leaves a security rule unproven: a report with one
// of them skipped is not a pass unless the target waives it (Target.Waive).
var securityChecks = map[string]bool{
	"login-required": true, "level-too-low": true, "owner-get": true, "owner-put": true, "owner-evidence": true,
}

// checks lists every check in the order they run; later ones build on earlier ones.
var checks = []checkDef{
	{"catalogue", "the catalogue lists the service with a valid Leistungsschlüssel",
		"journey 1, catalogue (GET /services, /services/{id}); LeiKa key ^99\\d{12}$ and URN urn:de:fim:leika:leistung:<key>", (*runner).catalogue},
	{"form", "the service's form is a JSON Schema that compiles",
		"journey 1, catalogue: GET /services/{id}/form answers the JSON Schema (draft 2020-12) with UI hints", (*runner).formCheck},
	{"openapi", "the OpenAPI document is served at /openapi.json",
		"API: an OpenAPI 3.1 document of the routes is served at /openapi.json", (*runner).openAPI},
	{"login-required", "creating a draft without login answers 401 as problem+json",
		"journey 2, login: application routes need a login", (*runner).loginRequired},
	{"level-too-low", "a login below the service's trust level answers 403 naming requiredLevel",
		"journey 2, login: too low a level gets 403 with the level needed (Vertrauensniveau)", (*runner).levelTooLow},
	{"draft-create", "a draft is created with 201, an id, a version and an ETag",
		"journey 3, draft: POST /services/{id}/applications", (*runner).draftCreate},
	{"problem-json", "unknown services and applications answer 404 as problem+json",
		"API: errors as RFC 7807 application/problem+json", (*runner).problemJSON},
	{"draft-read", "the draft reads back with its version and ETag",
		"journey 3, draft: GET /applications/{id}", (*runner).draftRead},
	{"draft-save", "a partial save is accepted and counts the version up",
		"journey 3, draft: partial validation — what is there must be valid, required fields are checked at submit", (*runner).draftSave},
	{"draft-stale", "a save at a stale version answers 409 and changes nothing",
		"journey 3, draft, and trust rules: nothing already stored is changed by a refused request", (*runner).draftStale},
	{"draft-invalid", "invalid data answers 422 with field errors naming the field",
		"trust rules: a bad input gets a clear error naming the field, as problem+json with field errors", (*runner).draftInvalid},
	{"owner-get", "another citizen reading the application gets 404, not 403",
		"trust rules: another owner's id answers 404, not 403", (*runner).ownerGet},
	{"owner-put", "another citizen saving the application gets 404 and changes nothing",
		"trust rules: another owner's id answers 404, not 403", (*runner).ownerPut},
	{"owner-evidence", "another citizen uploading evidence to the application gets 404",
		"trust rules: another owner's id answers 404, not 403", (*runner).ownerEvidence},
	{"draft-complete", "the complete sample data is saved",
		"journey 3, draft: PUT /applications/{id}", (*runner).draftComplete},
	{"evidence-upload", "evidence is uploaded for every required requirement",
		"journey 4, evidence; OZG Reifegrad 3: evidence (Nachweise) online", (*runner).evidenceUpload},
	{"payment", "the fee due before submission is paid online",
		"journey 5, payment; OZG Reifegrad 3: fees paid online; the result comes from asking the provider", (*runner).payment},
	{"submit-key", "a submit without Idempotency-Key is refused and changes nothing",
		"journey 6, submit: POST /applications/{id}/submit with Idempotency-Key", (*runner).submitKey},
	{"submit", "a complete application is accepted with 202 and a reference number",
		"journey 6, submit: answer 202 with the reference number (Aktenzeichen) and a receipt", (*runner).submit},
	{"submit-repeat", "a repeated submit with the same key answers the same submission",
		"trust rules: delivered exactly once per idempotency key", (*runner).submitRepeat},
}

// check runs the checks and calls each (when not nil) with every result as it comes.
func check(ctx context.Context, target Target, each func(Result)) Report {
	target.BaseURL = strings.TrimSuffix(target.BaseURL, "/")
	rep := Report{BaseURL: target.BaseURL, ServiceID: target.ServiceID}
	add := func(res Result) {
		rep.Results = append(rep.Results, res)
		if each != nil {
			each(res)
		}
	}
	if err := validTarget(target); err != nil {
		add(Result{ID: "target", Title: "the target is described completely", Rule: "ozgtest.Target", Status: Failed, Detail: err.Error()})
		return rep
	}
	r := &runner{ctx: ctx, t: target, anon: target.Anonymous, done: map[string]Status{}}
	if r.anon == nil {
		r.anon = &http.Client{}
	}
	for _, c := range checks {
		var o outcome
		if ctx.Err() != nil {
			o = skip("the check did not run: %v", context.Cause(ctx))
		} else {
			o = c.run(r)
		}
		if o.status == Failed && r.draft != nil {
			// A failed check may have changed the draft; later checks start from what it is now
			// rather than fail for what this one did.
			if v, err := r.current(); err == nil {
				r.draft = v
			}
		}
		r.done[c.id] = o.status
		res := Result{ID: c.id, Title: c.title, Rule: c.rule, Status: o.status, Detail: o.detail, Security: securityChecks[c.id], NotApplicable: o.na}
		res.Waived = res.Security && o.status == Skipped && slices.Contains(target.Waive, c.id)
		add(res)
	}
	if r.svc != nil {
		a := ozg.Assess(r.svc, r.observed)
		for i, c := range a.Criteria {
			if why, ok := r.unobserved(c.Name); ok {
				a.Criteria[i].Reason = "not observed: " + why
			}
		}
		rep.Maturity = &a
	}
	return rep
}

func validTarget(t Target) error {
	var missing []string
	if !strings.HasPrefix(t.BaseURL, "http://") && !strings.HasPrefix(t.BaseURL, "https://") {
		missing = append(missing, "BaseURL (an http or https URL)")
	}
	if t.ServiceID == "" {
		missing = append(missing, "ServiceID")
	}
	if t.Login == nil {
		missing = append(missing, "Login")
	}
	if len(missing) > 0 {
		return fmt.Errorf("ozgtest: the target lacks %s", strings.Join(missing, ", "))
	}
	return nil
}

// runner carries what the checks learn from one another.
type runner struct {
	ctx  context.Context
	t    Target
	anon *http.Client
	done map[string]Status

	svc      *ozg.Service // from the catalogue
	form     *forms.Form  // from the form route
	a        *http.Client // citizen A at the service's level
	b        *http.Client // citizen B
	bErr     error
	bTried   bool
	draft    *appView // A's draft as last seen
	created  int64    // the draft's first version
	complete bool     // the sample data is saved
	evidence bool     // every required evidence is uploaded
	paid     bool     // the fee is paid, or none is due
	receipt  *receiptView
	key      string // the idempotency key of the submission

	observed ozg.Deployment
}

func (r *runner) needs(ids ...string) (outcome, bool) {
	for _, id := range ids {
		if r.done[id] != Passed {
			return skip("needs the check %s to pass", id), false
		}
	}
	return outcome{}, true
}

func (r *runner) call(c *http.Client, req request) (*answer, error) {
	return do(r.ctx, c, r.t.BaseURL, req)
}

// other returns citizen B's client, logging in once.
func (r *runner) other() (*http.Client, error) {
	if !r.bTried {
		r.bTried = true
		if r.t.Other == nil {
			r.bErr = errors.New("the target has no Other citizen")
		} else if r.b, r.bErr = r.t.Other(r.ctx, r.journeyLevel()); r.bErr != nil {
			r.bErr = fmt.Errorf("login as the other citizen: %w", r.bErr)
		}
	}
	return r.b, r.bErr
}

// unobserved says why a maturity criterion could not be observed; the assessment then keeps
// the level Assess gives without the fact.
func (r *runner) unobserved(criterion string) (string, bool) {
	skipped := func(id string) bool { return r.done[id] == Skipped }
	switch criterion {
	case "notice":
		return "a notice (Bescheid) reaches the mailbox only after the authority decides", true
	case "form":
		if r.done["draft-save"] != Passed {
			return "no draft was saved", true
		}
	case "authentication":
		if r.done["draft-create"] != Passed {
			return "no draft was created after logging in", true
		}
	case "payment":
		if r.svc.Fee != nil && !r.observed.OnlinePayment && skipped("payment") {
			return "the fee was not paid during the checks", true
		}
	case "evidence":
		if len(r.svc.Evidence) > 0 && skipped("evidence-upload") {
			return "no evidence was uploaded during the checks", true
		}
	}
	return "", false
}

// journeyLevel is the level citizen A logs in at: the service's, at least basic.
func (r *runner) journeyLevel() identity.Level {
	return max(r.svc.Level, identity.LevelBasic)
}

func (r *runner) appPath(suffix string) string {
	return "/applications/" + pathEscape(r.draft.ID) + suffix
}
