package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

const portalSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["vorname", "nachname", "zimmer"],
  "properties": {
    "vorname": {"type": "string", "minLength": 1, "x-ui": {"label": "Vorname", "fact": "given_name"}},
    "nachname": {"type": "string", "minLength": 1, "x-ui": {"label": "Nachname", "fact": "family_name"}},
    "zimmer": {"type": "integer", "minimum": 1, "x-ui": {"label": "Zimmer"}}
  }
}`

// journey is a portal with every part in memory, behind a stand-in for identity's Gate that
// logs requests in as the principal named by the X-Test-Citizen header.
type journey struct {
	t        testing.TB
	srv      *httptest.Server
	store    *ozg.MemoryStore
	provider *paymenttest.MemoryProvider
	inbox    *delivery.Inbox
	outbox   *ozg.Outbox
	citizens map[string]*identity.Principal
}

func newJourney(t testing.TB) *journey {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	form, err := forms.Load("antrag.json", []byte(portalSchema))
	if err != nil {
		t.Fatal(err)
	}
	svc := &ozg.Service{
		ID: "wohngeld", Name: "Wohngeld beantragen", NameEN: "Apply for housing benefit",
		Description: "Zuschuss zur Miete.", LeikaKey: "99107004017000", Topic: ozg.TopicBauenWohnen,
		Authority: ozg.Authority{Name: "Landeshauptstadt Kiel, Amt für Wohnen", Region: "010020000000",
			Contact: ozg.Contact{Email: "wohngeld@kiel.example"},
			Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"}},
		Level: identity.LevelSubstantial, Form: form,
		Evidence: []evidence.Requirement{{ID: "mietvertrag", Title: "Mietvertrag", Required: true, MaxCount: 3,
			MediaTypes: []string{"application/pdf", "image/jpeg", "image/png"}, MaxSize: 20 << 20}},
		LegalBasis: "§ 22 WoGG", ProcessingDays: 42, Delivery: "fachverfahren",
	}
	svc.Fee = &ozg.Fee{Amount: 2500, LegalBasis: "Gebührensatzung Nr. 7", DueBeforeSubmission: true}
	catalog := ozg.NewCatalog(&ozg.CatalogOptions{Logger: quiet})
	if err := catalog.Register(svc); err != nil {
		t.Fatal(err)
	}
	j := &journey{t: t, store: ozg.NewMemoryStore(), provider: paymenttest.NewMemoryProvider(), inbox: delivery.NewInbox(),
		citizens: map[string]*identity.Principal{
			"erika":   {Subject: "bpk2-erika", Issuer: "https://idp.example", Level: identity.LevelHigh, Method: "eID", GivenNames: "Erika", FamilyName: "Mustermann"},
			"basic":   {Subject: "bpk2-basic", Issuer: "https://idp.example", Level: identity.LevelBasic},
			"mallory": {Subject: "bpk2-mallory", Issuer: "https://idp.example", Level: identity.LevelHigh},
		}}
	blobs := evidence.NewMemoryBlobStore()
	ev, err := evidence.New(evidence.NewMemoryStore(), blobs, evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	mb, err := mailbox.New(mailbox.NewMemoryStore(), mailbox.NewMemoryBlobStore(), &mailbox.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	pays := payment.NewService(payment.NewMemoryStore(), j.provider, &payment.Options{Logger: quiet})
	apps := ozg.NewApplications(catalog, j.store, &ozg.ApplicationsOptions{Evidence: ev, Fees: portal.PaymentFees(pays), Logger: quiet})
	mux := http.NewServeMux()
	j.srv = httptest.NewServer(mux)
	t.Cleanup(j.srv.Close)
	api, err := portal.NewAPI(portal.APIConfig{Catalog: catalog, Applications: apps, Evidence: ev,
		Mailbox: mb, Prefix: "/api", BaseURL: j.srv.URL, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := j.citizens[r.Header.Get("X-Test-Citizen")]; ok {
			r = r.WithContext(identity.WithPrincipal(r.Context(), p))
		}
		api.ServeHTTP(w, r)
	}))
	j.outbox = ozg.NewOutbox(j.store, map[string]ozg.Delivery{"fachverfahren": j.inbox}, blobs, &ozg.OutboxOptions{
		Logger: quiet, OnDelivered: portal.OnDelivered(catalog, mb)})
	return j
}

// do sends a request as citizen and decodes a JSON answer into out (when not nil).
func (j *journey) do(citizen, method, path string, body io.Reader, header map[string]string, out any) *http.Response {
	j.t.Helper()
	req, _ := http.NewRequest(method, j.srv.URL+path, body)
	if citizen != "" {
		req.Header.Set("X-Test-Citizen", citizen)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		j.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			j.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

func (j *journey) expect(resp *http.Response, status int) map[string]any {
	j.t.Helper()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		j.t.Fatalf("%s %s = %d %s, want %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, b, status)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

func upload(t *testing.T, requirement, name string, content []byte) (io.Reader, map[string]string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("requirement", requirement)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	return &buf, map[string]string{"Content-Type": mw.FormDataContentType()}
}

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func TestPortalJourney(t *testing.T) {
	j := newJourney(t)
	var services []map[string]any
	j.do("", "GET", "/api/services", nil, nil, &services)
	if len(services) != 1 || services[0]["leikaUrn"] != "urn:de:fim:leika:leistung:99107004017000" {
		t.Fatalf("services = %v", services)
	}
	j.expect(j.do("", "GET", "/api/openapi.json", nil, nil, nil), 200)

	// login and level
	j.expect(j.do("", "POST", "/api/services/wohngeld/applications", nil, nil, nil), 401)
	p := j.expect(j.do("basic", "POST", "/api/services/wohngeld/applications", nil, nil, nil), 403)
	if p["requiredLevel"] != "substantial" {
		t.Fatalf("403 without the required level: %v", p)
	}

	// a draft prefilled from the login (once-only)
	draft := j.expect(j.do("erika", "POST", "/api/services/wohngeld/applications", nil, nil, nil), 201)
	id := draft["id"].(string)
	data, _ := draft["data"].(map[string]any)
	prov, _ := draft["provenance"].(map[string]any)
	if data["vorname"] != "Erika" || prov["/vorname"] != "prefill:identity" {
		t.Fatalf("draft not prefilled: %v %v", data, prov)
	}
	j.expect(j.do("mallory", "GET", "/api/applications/"+id, nil, nil, nil), 404)

	// saving: what is there must be valid; stale versions are refused
	bad := j.expect(j.do("erika", "PUT", "/api/applications/"+id, strings.NewReader(`{"version":1,"data":{"zimmer":0}}`), nil, nil), 422)
	if errs, _ := bad["errors"].([]any); len(errs) != 1 || !strings.Contains(errs[0].(map[string]any)["pointer"].(string), "zimmer") {
		t.Fatalf("422 without the field: %v", bad)
	}
	saved := j.expect(j.do("erika", "PUT", "/api/applications/"+id, strings.NewReader(`{"version":1,"data":{"vorname":"Erika","nachname":"Gabler","zimmer":3}}`), nil, nil), 200)
	if saved["version"].(float64) != 2 || saved["provenance"].(map[string]any)["/nachname"] != "user" {
		t.Fatalf("saved = %v", saved)
	}
	j.expect(j.do("erika", "PUT", "/api/applications/"+id, strings.NewReader(`{"version":1,"data":{}}`), nil, nil), 409)

	// submit too early: evidence and payment missing
	key := map[string]string{"Idempotency-Key": "submit-1"}
	j.expect(j.do("erika", "POST", "/api/applications/"+id+"/submit", nil, nil, nil), 400)
	early := j.expect(j.do("erika", "POST", "/api/applications/"+id+"/submit", nil, key, nil), 422)
	if errs, _ := early["errors"].([]any); len(errs) != 2 {
		t.Fatalf("incomplete submit errors = %v", early["errors"])
	}

	// evidence: another citizen cannot upload; the owner can
	body, h := upload(t, "mietvertrag", "mietvertrag.pdf", pdf)
	j.expect(j.do("mallory", "POST", "/api/applications/"+id+"/evidence", body, h, nil), 404)
	body, h = upload(t, "mietvertrag", "mietvertrag.pdf", pdf)
	j.expect(j.do("erika", "POST", "/api/applications/"+id+"/evidence", body, h, nil), 201)

	// payment: start, pay on the provider's page, return
	start := j.expect(j.do("erika", "POST", "/api/applications/"+id+"/payment", nil, nil, nil), 200)
	if start["redirectUrl"] == "" || start["amount"].(float64) != 2500 {
		t.Fatalf("payment start = %v", start)
	}
	ret := j.expect(j.do("erika", "GET", "/api/applications/"+id+"/payment/return?payment="+start["paymentId"].(string)+"&status=PAYED", nil, nil, nil), 200)
	if ret["state"] == "paid" {
		t.Fatal("a return with status=PAYED in the query was taken as paid before the provider said so")
	}
	payments := j.provider
	if err := payments.Act(txID(t, start["redirectUrl"].(string)), paymenttest.ActionPay, payment.MethodCreditCard); err != nil {
		t.Fatal(err)
	}
	ret = j.expect(j.do("erika", "GET", "/api/applications/"+id+"/payment/return?payment="+start["paymentId"].(string), nil, nil, nil), 200)
	if ret["state"] != "paid" {
		t.Fatalf("after paying: %v", ret)
	}

	// submit: 202 with reference; a repeat with the same key gives the same answer
	receipt := j.expect(j.do("erika", "POST", "/api/applications/"+id+"/submit", nil, key, nil), 202)
	again := j.expect(j.do("erika", "POST", "/api/applications/"+id+"/submit", nil, key, nil), 202)
	if !strings.HasPrefix(receipt["reference"].(string), "WOHNGELD-2") || again["submissionId"] != receipt["submissionId"] {
		t.Fatalf("receipts %v and %v", receipt, again)
	}
	if atts, _ := receipt["attachments"].([]any); len(atts) != 1 || receipt["payment"] == nil {
		t.Fatalf("receipt lacks evidence or payment: %v", receipt)
	}
	j.expect(j.do("erika", "POST", "/api/applications/"+id+"/submit", nil, map[string]string{"Idempotency-Key": "other"}, nil), 409)
	body, h = upload(t, "mietvertrag", "nachtrag.pdf", pdf)
	j.expect(j.do("erika", "POST", "/api/applications/"+id+"/evidence", body, h, nil), 409)

	// delivery, then the receipt in the mailbox
	if n, err := j.outbox.RunOnce(context.Background()); n != 1 || err != nil {
		t.Fatalf("outbox = %d, %v", n, err)
	}
	if subs := j.inbox.Submissions(); len(subs) != 1 || subs[0].Reference != receipt["reference"] || subs[0].Payment.GrossAmount != 2500 {
		t.Fatalf("inbox = %+v", subs)
	} else if p := subs[0].Payment; p.Status != "BOOKED" || p.Method == "" || p.TransactionID == "" || p.Timestamp.IsZero() {
		t.Fatalf("the payment facts are not what the provider reported: %+v", p) // the status was hard-coded once
	}
	app := j.expect(j.do("erika", "GET", "/api/applications/"+id, nil, nil, nil), 200)
	if app["state"] != "delivered" {
		t.Fatalf("application state %v after delivery", app["state"])
	}
	// the receipt is the outbox's next piece of work, recorded on its own; a repeat sends nothing twice
	if n, err := j.outbox.RunOnce(context.Background()); n != 1 || err != nil {
		t.Fatalf("outbox receipt round = %d, %v", n, err)
	}
	var box map[string]any
	j.do("erika", "GET", "/api/mailbox", nil, nil, &box)
	if !strings.Contains(mailboxJSON(box), "Eingangsbestätigung") {
		t.Fatalf("mailbox = %v", box)
	}
	j.do("mallory", "GET", "/api/mailbox", nil, nil, &box)
	if strings.Contains(mailboxJSON(box), "Eingangsbestätigung") {
		t.Fatal("another citizen sees the receipt")
	}
}

func mailboxJSON(m map[string]any) string { b, _ := json.Marshal(m); return string(b) }

// txID finds the provider transaction behind a pay page URL of the memory provider.
func txID(t *testing.T, redirect string) string {
	t.Helper()
	id, ok := strings.CutPrefix(redirect, paymenttest.MemoryProviderURL+"pay/")
	if !ok {
		t.Fatalf("pay page URL %q is not the memory provider's", redirect)
	}
	return id
}

func TestPortalPaymentCanBeRetriedAfterCancel(t *testing.T) {
	j := newJourney(t)
	draft := j.expect(j.do("erika", "POST", "/api/services/wohngeld/applications", nil, nil, nil), 201)
	id := draft["id"].(string)
	first := j.expect(j.do("erika", "POST", "/api/applications/"+id+"/payment", nil, nil, nil), 200)
	again := j.expect(j.do("erika", "POST", "/api/applications/"+id+"/payment", nil, nil, nil), 200)
	if again["paymentId"] != first["paymentId"] {
		t.Fatalf("a repeated start began a second payment: %v vs %v", again, first)
	}
	if err := j.provider.Act(txID(t, first["redirectUrl"].(string)), paymenttest.ActionCancel, ""); err != nil {
		t.Fatal(err)
	}
	ret := j.expect(j.do("erika", "GET", "/api/applications/"+id+"/payment/return?payment="+first["paymentId"].(string), nil, nil, nil), 200)
	if ret["state"] != "canceled" {
		t.Fatalf("after cancel: %v", ret)
	}
	second := j.expect(j.do("erika", "POST", "/api/applications/"+id+"/payment", nil, nil, nil), 200)
	if second["paymentId"] == first["paymentId"] || second["redirectUrl"] == "" {
		t.Fatalf("no new attempt after cancel: %v", second)
	}
	if err := j.provider.Act(txID(t, second["redirectUrl"].(string)), paymenttest.ActionPay, payment.MethodGiropay); err != nil {
		t.Fatal(err)
	}
	ret = j.expect(j.do("erika", "GET", "/api/applications/"+id+"/payment/return?payment="+second["paymentId"].(string), nil, nil, nil), 200)
	if ret["state"] != "paid" {
		t.Fatalf("after paying the second attempt: %v", ret)
	}
	// another citizen's return for this application is not found
	j.expect(j.do("mallory", "GET", "/api/applications/"+id+"/payment/return?payment="+second["paymentId"].(string), nil, nil, nil), 404)
}

func TestPortalRefusesBadInput(t *testing.T) {
	j := newJourney(t)
	draft := j.expect(j.do("erika", "POST", "/api/services/wohngeld/applications", nil, nil, nil), 201)
	id := draft["id"].(string)
	big := `{"version":1,"data":{"vorname":"` + strings.Repeat("a", 2<<20) + `"}}`
	tests := []struct {
		name, citizen, method, path, body string
		status                            int
	}{
		{"an unknown service", "erika", "POST", "/api/services/hundesteuer/applications", "", 404},
		{"an unknown application", "erika", "GET", "/api/applications/0193c7d0-0000-7000-8000-000000000000", "", 404},
		{"another citizen's application", "mallory", "PUT", "/api/applications/" + id, `{"version":1,"data":{}}`, 404},
		{"another citizen's evidence list", "basic", "GET", "/api/applications/" + id + "/evidence", "", 404},
		{"no login on the evidence routes", "", "GET", "/api/applications/" + id + "/evidence", "", 401},
		{"a body that is not JSON", "erika", "PUT", "/api/applications/" + id, `{"version":`, 422},
		{"unknown fields in the body", "erika", "PUT", "/api/applications/" + id, `{"version":1,"data":{},"state":"decided"}`, 422},
		{"data that is not an object", "erika", "PUT", "/api/applications/" + id, `{"version":1,"data":[1]}`, 422},
		{"a body larger than allowed", "erika", "PUT", "/api/applications/" + id, big, 413},
		{"a fee payment for a draft of another citizen", "mallory", "POST", "/api/applications/" + id + "/payment", "", 404},
		{"a bad region filter", "", "GET", "/api/services?region=1234", "", 400},
		{"a bad page limit", "erika", "GET", "/api/applications?limit=1000", "", 400},
		{"a tampered page cursor", "erika", "GET", "/api/applications?cursor=not-a-cursor!", "", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			resp := j.do(tt.citizen, tt.method, tt.path, body, nil, nil)
			if resp.StatusCode != tt.status {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("%d %s, want %d", resp.StatusCode, b, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("content type %q, want problem+json", ct)
			}
		})
	}
	got := j.expect(j.do("erika", "GET", "/api/applications/"+id, nil, nil, nil), 200)
	if got["version"].(float64) != 1 {
		t.Fatalf("refused requests changed the draft: %v", got)
	}
}

func TestPortalLevelIsEnforcedOnEveryApplicationRoute(t *testing.T) {
	j := newJourney(t)
	draft := j.expect(j.do("erika", "POST", "/api/services/wohngeld/applications", nil, nil, nil), 201)
	id := draft["id"].(string)
	// Erika's session drops to basic (e.g. a new login with username and password).
	j.citizens["erika"] = &identity.Principal{Subject: "bpk2-erika", Issuer: "https://idp.example", Level: identity.LevelBasic}
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/applications/" + id},
		{"PUT", "/api/applications/" + id},
		{"POST", "/api/applications/" + id + "/submit"},
		{"POST", "/api/applications/" + id + "/payment"},
		{"GET", "/api/applications/" + id + "/evidence"},
		{"POST", "/api/applications/" + id + "/withdraw"},
	} {
		p := j.expect(j.do("erika", r.method, r.path, strings.NewReader(`{}`), nil, nil), 403)
		if p["requiredLevel"] != "substantial" || p["currentLevel"] != "basic" {
			t.Errorf("%s %s: %v", r.method, r.path, p)
		}
	}
}

// Regression (security finding 1): the list of applications showed the form data of a service
// above the session's level, which GET /applications/{id} refuses with 403.
func TestTheListShowsNoDataAboveTheSessionsLevel(t *testing.T) {
	j := newJourney(t)
	var created map[string]any
	j.do("erika", "POST", "/api/services/wohngeld/applications", strings.NewReader(`{"data": {"vorname": "Erika", "nachname": "Mustermann"}}`), nil, &created)
	id, _ := created["id"].(string)
	if id == "" {
		t.Fatalf("create: %v", created)
	}
	// erika's own list at high shows the application, without its data
	var list map[string]any
	j.expect(j.do("erika", "GET", "/api/applications", nil, nil, &list), 200)
	items, _ := list["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("list %v", list)
	}
	item := items[0].(map[string]any)
	if item["id"] != id || item["state"] != "draft" || item["serviceId"] != "wohngeld" {
		t.Fatalf("item %v", item)
	}
	for _, k := range []string{"data", "provenance", "history"} {
		if _, ok := item[k]; ok {
			t.Errorf("the list carries %q: %v", k, item)
		}
	}
	if b, _ := json.Marshal(list); strings.Contains(string(b), "Mustermann") {
		t.Fatalf("personal data in the list: %s", b)
	}
}

// Regression (security finding 9): ids that are no ids reached the store (PostgreSQL answered
// 500 for a NUL byte or invalid UTF-8); they answer 404.
func TestMalformedIDsAnswerNotFound(t *testing.T) {
	j := newJourney(t)
	for _, path := range []string{"/api/applications/x%00y", "/api/applications/%ff%fe", "/api/applications/" + strings.Repeat("a", 5000),
		"/api/applications/x%00y/evidence", "/api/mailbox/x%00y"} {
		resp := j.do("erika", "GET", path, nil, nil, nil)
		if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("GET %s: %d %s, want 404 problem+json", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

func TestTheOpenAPIDocumentNamesTheAPIsPrefix(t *testing.T) {
	for _, prefix := range []string{"/api", "/v1", ""} {
		catalog := ozg.NewCatalog(nil)
		api, err := portal.NewAPI(portal.APIConfig{Catalog: catalog, Applications: ozg.NewApplications(catalog, ozg.NewMemoryStore(), nil), Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest("GET", prefix+"/openapi.json", nil))
		var doc struct {
			Servers []struct{ URL string } `json:"servers"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if prefix == "" && len(doc.Servers) != 0 || prefix != "" && (len(doc.Servers) != 1 || doc.Servers[0].URL != prefix) {
			t.Errorf("prefix %q: servers %+v", prefix, doc.Servers)
		}
	}
}
