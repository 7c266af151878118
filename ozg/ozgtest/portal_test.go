package ozgtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/ozgtest"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

const schema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["vorname", "nachname", "zimmer"],
  "properties": {
    "vorname": {"type": "string", "minLength": 1, "x-ui": {"label": "Vorname", "fact": "given_name"}},
    "nachname": {"type": "string", "minLength": 1, "x-ui": {"label": "Nachname", "fact": "family_name"}},
    "zimmer": {"type": "integer", "minimum": 1, "x-ui": {"label": "Zimmer"}}
  }
}`

const citizenHeader = "X-Test-Citizen"

// testPortal is an ozg.Portal with every part in memory. A stand-in for identity's Gate logs
// requests in as the principal the X-Test-Citizen header names.
type testPortal struct {
	srv      *httptest.Server
	provider *paymenttest.MemoryProvider
	// wrap, when set, wraps the portal: a way to break it on purpose.
	wrap func(http.Handler) http.Handler
}

var citizens = map[string]*identity.Principal{
	"erika-high":  {Subject: "bpk2-erika", Issuer: "https://idp.example", Level: identity.LevelHigh, Method: "eID", GivenNames: "Erika", FamilyName: "Mustermann"},
	"erika-basic": {Subject: "bpk2-erika", Issuer: "https://idp.example", Level: identity.LevelBasic},
	"max-high":    {Subject: "bpk2-max", Issuer: "https://idp.example", Level: identity.LevelHigh},
}

func service(t *testing.T, fee bool) *ozg.Service {
	s, err := newService(fee)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newService(fee bool) (*ozg.Service, error) {
	form, err := forms.Load("antrag.json", []byte(schema))
	if err != nil {
		return nil, err
	}
	s := &ozg.Service{
		ID: "wohngeld", Name: "Wohngeld beantragen", Description: "Zuschuss zur Miete.",
		LeikaKey: "99107004017000", Topic: ozg.TopicBauenWohnen,
		Authority: ozg.Authority{Name: "Landeshauptstadt Kiel", Region: "010020000000",
			Contact: ozg.Contact{Email: "wohngeld@kiel.example"},
			Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"}},
		Level: identity.LevelSubstantial,
		Form:  form,
		Evidence: []evidence.Requirement{{ID: "mietvertrag", Title: "Mietvertrag", Required: true, MaxCount: 3,
			MediaTypes: []string{"application/pdf"}, MaxSize: 1 << 20}},
		LegalBasis: "§ 22 WoGG",
		Delivery:   "fachverfahren",
	}
	if fee {
		s.Fee = &ozg.Fee{Amount: 2500, LegalBasis: "Gebührensatzung Nr. 7", DueBeforeSubmission: true}
	}
	return s, nil
}

func newPortal(t *testing.T, svc *ozg.Service, wrap func(http.Handler) http.Handler) *testPortal {
	t.Helper()
	tp, err := startPortal(svc, wrap)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tp.srv.Close)
	return tp
}

// startPortal serves a portal for svc on loopback; close its srv when done.
func startPortal(svc *ozg.Service, wrap func(http.Handler) http.Handler) (*testPortal, error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	catalog := ozg.NewCatalog(&ozg.CatalogOptions{Logger: quiet})
	if err := catalog.Register(svc); err != nil {
		return nil, err
	}
	tp := &testPortal{provider: paymenttest.NewMemoryProvider(), wrap: wrap}
	ev, err := evidence.New(evidence.NewMemoryStore(), evidence.NewMemoryBlobStore(), evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	if err != nil {
		return nil, err
	}
	mb, err := mailbox.New(mailbox.NewMemoryStore(), mailbox.NewMemoryBlobStore(), &mailbox.Options{Logger: quiet})
	if err != nil {
		return nil, err
	}
	pays := payment.NewService(payment.NewMemoryStore(), tp.provider, &payment.Options{Logger: quiet})
	apps := ozg.NewApplications(catalog, ozg.NewMemoryStore(), &ozg.ApplicationsOptions{Evidence: ev, Fees: portal.PaymentFees(pays), Logger: quiet})
	mux := http.NewServeMux()
	tp.srv = httptest.NewServer(mux)
	api, err := portal.NewAPI(portal.APIConfig{Catalog: catalog, Applications: apps, Evidence: ev,
		Mailbox: mb, Prefix: "/api", BaseURL: tp.srv.URL, Logger: quiet})
	if err != nil {
		tp.srv.Close()
		return nil, err
	}
	var h http.Handler = api
	if wrap != nil {
		h = wrap(api)
	}
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := citizens[r.Header.Get(citizenHeader)]; ok {
			r = r.WithContext(identity.WithPrincipal(r.Context(), p))
		}
		h.ServeHTTP(w, r)
	}))
	return tp, nil
}

// as is a transport that logs every request in as one citizen.
type as string

func (c as) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(citizenHeader, string(c))
	return http.DefaultTransport.RoundTrip(r)
}

func (tp *testPortal) target() ozgtest.Target {
	return ozgtest.Target{
		BaseURL:   tp.srv.URL + "/api",
		ServiceID: "wohngeld",
		Login: func(_ context.Context, l identity.Level) (*http.Client, error) {
			switch l {
			case identity.LevelBasic:
				return &http.Client{Transport: as("erika-basic")}, nil
			case identity.LevelSubstantial, identity.LevelHigh:
				return &http.Client{Transport: as("erika-high")}, nil
			}
			return nil, fmt.Errorf("%w: %s", ozgtest.ErrLevelUnavailable, l)
		},
		Other: func(context.Context, identity.Level) (*http.Client, error) {
			return &http.Client{Transport: as("max-high")}, nil
		},
		Data: json.RawMessage(`{"vorname":"Erika","nachname":"Mustermann","zimmer":3}`),
		Pay: func(_ context.Context, _ *http.Client, redirect string) (string, error) {
			tx := redirect[strings.LastIndex(redirect, "/")+1:]
			return "", tp.provider.Act(tx, paymenttest.ActionPay, payment.MethodCreditCard)
		},
	}
}

func TestRunPassesAgainstThePortal(t *testing.T) {
	tp := newPortal(t, service(t, true), nil)
	ozgtest.Run(t, tp.target())
}

func TestCheckReportsEveryCheckOfAConformingPortal(t *testing.T) {
	tp := newPortal(t, service(t, true), nil)
	rep := ozgtest.Check(t.Context(), tp.target())
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	if s := rep.Skipped(); len(s) != 0 {
		t.Fatalf("skipped: %+v", s)
	}
	if len(rep.Results) < 20 {
		t.Fatalf("only %d results", len(rep.Results))
	}
	m := rep.Maturity
	if m == nil || m.Level != 3 {
		t.Fatalf("maturity hint = %+v, want level 3 (no digital notice observable)", m)
	}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil || !strings.Contains(b.String(), "20 passed, 0 failed, 0 skipped") {
		t.Fatalf("text report:\n%s", b.String())
	}
}

func TestCheckSkipsWhatTheTargetGivesNoSampleFor(t *testing.T) {
	tp := newPortal(t, service(t, true), nil)
	target := tp.target()
	target.Pay, target.Other = nil, nil
	rep := ozgtest.Check(t.Context(), target)
	if err := rep.Err(); !errors.Is(err, ozgtest.ErrChecksFailed) || !strings.Contains(err.Error(), "owner-get (skipped, security)") {
		t.Fatalf("skipped ownership checks without a waiver: Err = %v, want the unproven checks named", err)
	}
	if len(rep.Failed()) != 0 {
		t.Fatalf("failed %+v", rep.Failed())
	}
	target.Waive = []string{"owner-get", "owner-put", "owner-evidence"}
	rep = ozgtest.Check(t.Context(), target)
	if err := rep.Err(); err != nil {
		t.Fatalf("with the skips waived: %v", err)
	}
	var skipped []string
	for _, r := range rep.Skipped() {
		skipped = append(skipped, r.ID)
	}
	want := []string{"owner-get", "owner-put", "owner-evidence", "payment", "submit", "submit-repeat"}
	if !slices.Equal(skipped, want) {
		t.Fatalf("skipped %v, want %v", skipped, want)
	}
}

func TestCheckRefusesAnIncompleteTarget(t *testing.T) {
	rep := ozgtest.Check(t.Context(), ozgtest.Target{BaseURL: "ftp://example", ServiceID: "x"})
	err := rep.Err()
	if err == nil || !strings.Contains(err.Error(), "BaseURL") || !strings.Contains(err.Error(), "Login") {
		t.Fatalf("Err = %v", err)
	}
}

// rewrite answers 404s as what the broken portal says instead.
type rewriter struct {
	http.ResponseWriter
	r       *http.Request
	replace func(w http.ResponseWriter, r *http.Request, status int) bool
	dropped bool
}

func (w *rewriter) WriteHeader(status int) {
	if w.replace(w.ResponseWriter, w.r, status) {
		w.dropped = true
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *rewriter) Write(b []byte) (int, error) {
	if w.dropped {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func breaking(replace func(w http.ResponseWriter, r *http.Request, status int) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(&rewriter{ResponseWriter: w, r: r, replace: replace}, r)
		})
	}
}

// dropETag removes the ETag header before the answer goes out.
type dropETag struct{ http.ResponseWriter }

func (w *dropETag) WriteHeader(status int) {
	w.Header().Del("ETag")
	w.ResponseWriter.WriteHeader(status)
}

// withCurrentVersion rewrites a save's version to the application's current one, as a portal
// would that ignores versions.
func withCurrentVersion(h http.Handler, r *http.Request) *http.Request {
	get := httptest.NewRequestWithContext(r.Context(), http.MethodGet, r.URL.Path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, get)
	var cur struct{ Version int64 }
	var body map[string]any
	if json.Unmarshal(rec.Body.Bytes(), &cur) != nil || json.NewDecoder(r.Body).Decode(&body) != nil {
		return r
	}
	body["version"] = cur.Version
	b, _ := json.Marshal(body)
	r = r.Clone(r.Context())
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	return r
}

func TestCheckFindsWhatABrokenPortalBreaks(t *testing.T) {
	tests := []struct {
		name   string
		wrap   func(http.Handler) http.Handler
		failed []string
		detail string // in the first failure's detail
	}{
		{
			"a portal that answers 403 for another owner's application",
			breaking(func(w http.ResponseWriter, r *http.Request, status int) bool {
				if status != http.StatusNotFound || r.Header.Get(citizenHeader) != "max-high" {
					return false
				}
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusForbidden)
				w.Write([]byte(`{"type":"about:blank","title":"Forbidden","status":403}`))
				return true
			}),
			[]string{"owner-get", "owner-put", "owner-evidence"}, "answered 403, which tells that the id exists",
		},
		{
			"a portal whose not-found answers are plain text",
			breaking(func(w http.ResponseWriter, r *http.Request, status int) bool {
				if status != http.StatusNotFound {
					return false
				}
				w.Header().Del("Content-Type")
				http.Error(w, "404 page not found", http.StatusNotFound)
				return true
			}),
			[]string{"problem-json", "owner-get", "owner-put", "owner-evidence"}, "want application/problem+json",
		},
		{
			"a portal that lets a login below the service's level create drafts",
			func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Header.Get(citizenHeader) == "erika-basic" {
						r = r.WithContext(identity.WithPrincipal(r.Context(), citizens["erika-high"]))
					}
					next.ServeHTTP(w, r)
				})
			},
			[]string{"level-too-low"}, "want status 403",
		},
		{
			"a portal that takes a submit without Idempotency-Key",
			func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/submit") && r.Header.Get("Idempotency-Key") == "" {
						r.Header.Set("Idempotency-Key", "fixed")
					}
					next.ServeHTTP(w, r)
				})
			},
			[]string{"submit-key", "submit"}, "a submit without key was accepted",
		},
		{
			"a portal whose validation errors name no field",
			breaking(func(w http.ResponseWriter, r *http.Request, status int) bool {
				if status != http.StatusUnprocessableEntity {
					return false
				}
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(status)
				w.Write([]byte(`{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"invalid"}`))
				return true
			}),
			[]string{"draft-invalid"}, "do not name the field /vorname",
		},
		{
			"a portal without an OpenAPI document",
			func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/openapi.json") {
						w.Header().Set("Content-Type", "application/problem+json")
						w.WriteHeader(http.StatusNotFound)
						w.Write([]byte(`{"type":"about:blank","title":"Not Found","status":404}`))
						return
					}
					next.ServeHTTP(w, r)
				})
			},
			[]string{"openapi"}, "want 200",
		},
		{
			"a portal whose OpenAPI document leaves out the submission",
			func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/openapi.json") {
						w.Header().Set("Content-Type", "application/json")
						w.Write([]byte(`{"openapi":"3.1.0","paths":{"/api/services":{},"/api/services/{id}":{},"/api/services/{id}/form":{},
							"/api/services/{id}/applications":{},"/api/applications/{id}":{},"/api/applications/{id}/evidence":{},
							"/api/applications/{id}/payment":{},"/api/applications/{id}/payment/return":{}}}`))
						return
					}
					next.ServeHTTP(w, r)
				})
			},
			[]string{"openapi"}, "does not describe /applications/{}/submit",
		},
		{
			"a portal whose OpenAPI document never ends",
			func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/openapi.json") {
						w.Header().Set("Content-Type", "application/json")
						w.Write([]byte(`{"openapi":"3.1.0","x":"`))
						chunk := []byte(strings.Repeat("a", 64<<10))
						for range 40 { // 2.5 MiB, more than any answer may be
							if _, err := w.Write(chunk); err != nil {
								return
							}
						}
						return
					}
					next.ServeHTTP(w, r)
				})
			},
			[]string{"openapi"}, "larger than 1048576 bytes",
		},
		{
			"a portal that sends no ETag",
			func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					next.ServeHTTP(&dropETag{w}, r)
				})
			},
			[]string{"draft-create"}, "no ETag header",
		},
		{
			"a portal that saves over a stale version",
			func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodPut {
						r = withCurrentVersion(next, r)
					}
					next.ServeHTTP(w, r)
				})
			},
			[]string{"draft-stale"}, "want status 409",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := newPortal(t, service(t, true), tt.wrap)
			rep := ozgtest.Check(t.Context(), tp.target())
			var failed []string
			for _, r := range rep.Failed() {
				failed = append(failed, r.ID)
			}
			if !slices.Equal(failed, tt.failed) || !strings.Contains(rep.Failed()[0].Detail, tt.detail) {
				var b strings.Builder
				rep.WriteText(&b)
				t.Fatalf("failed %v, want %v with %q\n%s", failed, tt.failed, tt.detail, b.String())
			}
		})
	}
}

func TestCheckStopsWhenTheContextEnds(t *testing.T) {
	tp := newPortal(t, service(t, true), nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rep := ozgtest.Check(ctx, tp.target())
	if len(rep.Skipped()) != len(rep.Results) || len(rep.Failed()) != 0 || !errors.Is(rep.Err(), ozgtest.ErrChecksFailed) {
		t.Fatalf("after cancel: %+v (a run that proved nothing is not a pass)", rep.Results)
	}
	if res := rep.Results[0]; !strings.Contains(res.Detail, "context canceled") {
		t.Fatalf("detail %q", res.Detail)
	}
}

func TestAnAnswerLargerThanTheLimitIsNamed(t *testing.T) {
	tp := newPortal(t, service(t, true), func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/openapi.json") {
				w.Write([]byte(strings.Repeat(" ", 1<<20+1)))
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	rep := ozgtest.Check(t.Context(), tp.target())
	if res, _ := rep.Result("openapi"); res.Status != ozgtest.Failed || !strings.Contains(res.Detail, "larger than 1048576 bytes") {
		t.Fatalf("openapi = %+v", res)
	}
}
