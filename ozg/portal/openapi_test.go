package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

// servedOpenAPI fetches the document the API serves at /api/openapi.json and loads it.
func servedOpenAPI(t *testing.T, j *journey) (*openapi3.T, []byte) {
	t.Helper()
	resp := j.do("", "GET", "/api/openapi.json", nil, nil, nil)
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/openapi.json = %d %s", resp.StatusCode, raw)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("the served OpenAPI document does not load: %v", err)
	}
	return doc, raw
}

// TestOpenAPIDocumentIsValid checks the served document against the OpenAPI 3.1 rules as
// kin-openapi knows them (it validates 3.1 documents, their schemas as JSON Schema 2020-12),
// and the facts it states that the code defines elsewhere.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	j := newJourney(t)
	doc, _ := servedOpenAPI(t, j)
	if !doc.IsOpenAPI31OrLater() || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}

	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/api" {
		t.Errorf("servers = %v, want the default API prefix /api", doc.Servers)
	}
	keys, err := identity.NewKeyring(identity.Key{ID: "k", Secret: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := identity.NewSessions(keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	schemes := doc.Components.SecuritySchemes
	for _, c := range []struct {
		scheme, in, name string
	}{
		{"session", "cookie", sessions.CookieName()},
		{"csrf", "header", identity.CSRFHeader},
	} {
		s := schemes[c.scheme]
		if s == nil || s.Value.Type != "apiKey" || s.Value.In != c.in || s.Value.Name != c.name {
			t.Errorf("security scheme %s = %+v, want an apiKey in the %s named %q", c.scheme, s, c.in, c.name)
		}
	}
	if b := schemes["bearer"]; b == nil || b.Value.Type != "http" || b.Value.Scheme != "bearer" {
		t.Errorf("security scheme bearer = %+v, want http bearer", b)
	}
	if p := doc.Components.Parameters["idempotencyKey"]; p == nil || p.Value.Name != portal.IdempotencyKeyHeader || p.Value.In != "header" {
		t.Errorf("the idempotency key parameter is not the header %s", portal.IdempotencyKeyHeader)
	}
	// Every operation describes each of its answers with content or, for 204, none.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Responses.Len() == 0 || op.Responses.Default() != nil {
				t.Errorf("%s %s: responses must be listed by status, without a default", method, path)
			}
			for status, r := range op.Responses.Map() {
				if bodyless := status == "204"; bodyless != (len(r.Value.Content) == 0) {
					t.Errorf("%s %s %s: content %v", method, path, status, r.Value.Content)
				}
				for ct, mt := range r.Value.Content {
					if ct != "*/*" && mt.Schema == nil {
						t.Errorf("%s %s %s: %s without a schema", method, path, status, ct)
					}
				}
			}
		}
	}
}

// TestOpenAPIValidatorRefusesBrokenDocuments shows the validity check can fail.
func TestOpenAPIValidatorRefusesBrokenDocuments(t *testing.T) {
	j := newJourney(t)
	_, raw := servedOpenAPI(t, j)
	tests := []struct {
		name  string
		spoil func(doc map[string]any)
	}{
		{"a reference to a schema that does not exist", func(doc map[string]any) {
			schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
			delete(schemas, "Evidence")
		}},
		{"a path parameter that is not declared", func(doc map[string]any) {
			paths := doc["paths"].(map[string]any)
			paths["/services/{service}/steps/{step}"] = paths["/services/{service}/form"]
		}},
		{"a response without a description", func(doc map[string]any) {
			responses := doc["components"].(map[string]any)["responses"].(map[string]any)
			delete(responses["NotFound"].(map[string]any), "description")
		}},
		{"a schema type that JSON Schema does not know", func(doc map[string]any) {
			schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
			schemas["Level"].(map[string]any)["type"] = "text"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			tt.spoil(doc)
			b, _ := json.Marshal(doc)
			loaded, err := openapi3.NewLoader().LoadFromData(b)
			if err == nil {
				err = loaded.Validate(context.Background())
			}
			if err == nil {
				t.Fatal("the broken document passed")
			}
		})
	}
}

// contract checks each request of a journey and its answer against the OpenAPI document.
type contract struct {
	t      *testing.T
	j      *journey
	router routers.Router
	seen   map[string]bool // "METHOD /path status" answered and checked
}

func newContract(t *testing.T, j *journey) *contract {
	doc, _ := servedOpenAPI(t, j)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid document: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{t: t, j: j, router: router, seen: map[string]bool{}}
}

// call sends a request through the journey harness, checks that it answered want, and
// validates the answer (status, headers, content type and body) against the operation's
// response in the document. The request is validated too: it must match the document, or,
// when it is deliberately wrong (badRequest), the document must refuse it as the API does.
func (c *contract) call(citizen, method, path string, body []byte, header map[string]string, want int, badRequest bool) (*http.Response, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	resp := c.j.do(citizen, method, path, rd, header, nil)
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s = %d %.300s, want %d", method, path, resp.StatusCode, got, want)
	}
	req := resp.Request.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Fatalf("%s %s: the document has no operation for it: %v", method, path, err)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	switch err := openapi3filter.ValidateRequest(context.Background(), in); {
	case err != nil && !badRequest:
		c.t.Errorf("%s %s: the request does not match the document: %v", method, path, err)
	case err == nil && badRequest:
		c.t.Errorf("%s %s: the document allows a request the API refuses with %d", method, path, resp.StatusCode)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
		Header: resp.Header, Options: opts}
	out.SetBodyBytes(got)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		c.t.Errorf("%s %s: the answer %d %.300s does not match the document: %v", method, path, resp.StatusCode, got, err)
	}
	// A response the document gives no content must have no body.
	if r := route.Operation.Responses.Status(resp.StatusCode); r != nil && len(r.Value.Content) == 0 && len(got) != 0 {
		c.t.Errorf("%s %s: %d has a body (%q) the document does not describe", method, path, resp.StatusCode, got)
	}
	c.seen[route.Method+" "+route.Path+" "+strconv.Itoa(resp.StatusCode)] = true
	return resp, got
}

// json calls and decodes the JSON answer.
func (c *contract) json(citizen, method, path string, body []byte, header map[string]string, want int) map[string]any {
	c.t.Helper()
	_, b := c.call(citizen, method, path, body, header, want, false)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
	}
	return m
}

func uploadBody(t *testing.T, requirement, name string, content []byte) ([]byte, map[string]string) {
	r, h := upload(t, requirement, name, content)
	b, _ := io.ReadAll(r)
	return b, h
}

// TestOpenAPIDescribesTheLiveJourney walks a whole journey through the API and checks every
// request and answer against the served document.
func TestOpenAPIDescribesTheLiveJourney(t *testing.T) {
	j := newJourney(t)
	j.citizens["erika-basic"] = &identity.Principal{Subject: "bpk2-erika", Issuer: "https://idp.example", Level: identity.LevelBasic}
	c := newContract(t, j)
	const app = "/api/applications/"

	// the catalogue, public
	c.call("", "GET", "/api/openapi.json", nil, nil, 200, false)
	c.call("", "GET", "/api/services", nil, nil, 200, false)
	c.call("", "GET", "/api/services?region=010020000000", nil, nil, 200, false)
	c.call("", "GET", "/api/services?region=1234", nil, nil, 400, false)
	c.call("", "GET", "/api/services/wohngeld", nil, nil, 200, false)
	c.call("", "GET", "/api/services/hundesteuer", nil, nil, 404, false)
	if resp, _ := c.call("", "GET", "/api/services/wohngeld/form", nil, nil, 200, false); resp.Header.Get("Content-Type") != "application/schema+json" {
		t.Errorf("form content type %q", resp.Header.Get("Content-Type"))
	}
	c.call("", "GET", "/api/services/hundesteuer/form", nil, nil, 404, false)

	// the login
	c.call("", "GET", "/api/session", nil, nil, 401, false)
	c.call("erika", "GET", "/api/session", nil, nil, 200, false)

	// drafts: with and without a body; no login, too low a level, an unknown service
	c.call("", "POST", "/api/services/wohngeld/applications", nil, nil, 401, false)
	c.call("basic", "POST", "/api/services/wohngeld/applications", nil, nil, 403, false)
	c.call("erika", "POST", "/api/services/hundesteuer/applications", nil, nil, 404, false)
	c.call("erika", "POST", "/api/services/wohngeld/applications", []byte(`{"data":{"zimmer":0}}`), nil, 422, false)
	c.call("erika", "POST", "/api/services/wohngeld/applications", []byte(`{"data":`), nil, 422, true)
	draft := c.json("erika", "POST", "/api/services/wohngeld/applications", nil, nil, 201)
	id := draft["id"].(string)
	other := c.json("erika", "POST", "/api/services/wohngeld/applications", []byte(`{"data":{"zimmer":2}}`), nil, 201)
	otherID := other["id"].(string)

	// read and list
	c.call("erika", "GET", app+id, nil, nil, 200, false)
	c.call("mallory", "GET", app+id, nil, nil, 404, false)
	c.call("erika-basic", "GET", app+id, nil, nil, 403, false)
	c.call("", "GET", app+id, nil, nil, 401, false)
	list := c.json("erika", "GET", "/api/applications?limit=1", nil, nil, 200)
	c.call("erika", "GET", "/api/applications?cursor="+url.QueryEscape(list["next"].(string)), nil, nil, 200, false)
	c.call("erika", "GET", "/api/applications?limit=1000", nil, nil, 400, true)
	c.call("erika", "GET", "/api/applications?cursor=not-a-cursor", nil, nil, 400, false)
	c.call("", "GET", "/api/applications", nil, nil, 401, false)

	// save: ok, stale, invalid, too large
	c.call("erika", "PUT", app+id, []byte(`{"version":1,"data":{"zimmer":0}}`), nil, 422, false)
	c.call("erika", "PUT", app+id, []byte(`{"version":1,"data":{"vorname":"Erika","nachname":"Gabler","zimmer":3}}`), nil, 200, false)
	c.call("erika", "PUT", app+id, []byte(`{"version":1,"data":{}}`), nil, 409, false)
	c.call("erika", "PUT", app+id, []byte(`{"version":2,"data":{"vorname":"`+strings.Repeat("a", 2<<20)+`"}}`), nil, 413, false)

	// submit too early: no key, evidence and payment missing
	key := map[string]string{"Idempotency-Key": "submit-1"}
	c.call("erika", "POST", app+id+"/submit", nil, nil, 400, true)
	c.call("erika", "POST", app+id+"/submit", nil, key, 422, false)

	// evidence: upload, list, download, delete; bad uploads
	body, h := uploadBody(t, "mietvertrag", "mietvertrag.pdf", pdf)
	c.call("mallory", "POST", app+id+"/evidence", body, h, 404, false)
	ev := c.json("erika", "POST", app+id+"/evidence", body, h, 201)
	body, h = uploadBody(t, "grundriss", "grundriss.pdf", pdf)
	c.call("erika", "POST", app+id+"/evidence", body, h, 422, false)
	body, h = uploadBody(t, "mietvertrag", "bild.png", []byte("not an image at all"))
	c.call("erika", "POST", app+id+"/evidence", body, h, 415, false)
	c.call("erika", "POST", app+id+"/evidence", []byte(`{}`), nil, 415, true)
	// The order of the parts is in the document's words only; JSON Schema cannot state it.
	c.call("erika", "POST", app+id+"/evidence", fileBeforeRequirement(t), map[string]string{"Content-Type": fileBeforeRequirementType}, 400, false)
	body, h = uploadBody(t, "mietvertrag", "zweitschrift.pdf", pdf)
	spare := c.json("erika", "POST", app+id+"/evidence", body, h, 201)
	c.call("erika", "GET", app+id+"/evidence", nil, nil, 200, false)
	c.call("erika-basic", "GET", app+id+"/evidence", nil, nil, 403, false)
	resp, got := c.call("erika", "GET", app+id+"/evidence/"+ev["id"].(string), nil, nil, 200, false)
	if resp.Header.Get("Content-Type") != ev["mediaType"] || !bytes.Equal(got, pdf) {
		t.Errorf("download: %s, %d bytes; want %s and the uploaded bytes", resp.Header.Get("Content-Type"), len(got), ev["mediaType"])
	}
	c.call("erika", "DELETE", app+id+"/evidence/"+spare["id"].(string), nil, nil, 204, false)
	c.call("erika", "DELETE", app+id+"/evidence/"+spare["id"].(string), nil, nil, 404, false)
	c.call("erika", "GET", app+id+"/evidence/"+spare["id"].(string), nil, nil, 404, false)
	c.call("", "GET", app+id+"/evidence", nil, nil, 401, false)

	// payment: start, return before and after paying
	c.call("mallory", "POST", app+id+"/payment", nil, nil, 404, false)
	start := c.json("erika", "POST", app+id+"/payment", nil, nil, 200)
	pid := url.QueryEscape(start["paymentId"].(string))
	c.call("erika", "GET", app+id+"/payment/return?payment="+pid, nil, nil, 200, false)
	if err := j.provider.Act(txID(t, start["redirectUrl"].(string)), paymenttest.ActionPay, payment.MethodCreditCard); err != nil {
		t.Fatal(err)
	}
	if ret := c.json("erika", "GET", app+id+"/payment/return?payment="+pid, nil, nil, 200); ret["state"] != "paid" {
		t.Fatalf("after paying: %v", ret)
	}

	// submit: accepted, repeated, another key; evidence is then fixed
	c.json("erika", "POST", app+id+"/submit", nil, key, 202)
	c.json("erika", "POST", app+id+"/submit", nil, key, 202)
	c.call("erika", "POST", app+id+"/submit", nil, map[string]string{"Idempotency-Key": "other"}, 409, false)
	body, h = uploadBody(t, "mietvertrag", "nachtrag.pdf", pdf)
	c.call("erika", "POST", app+id+"/evidence", body, h, 409, false)
	c.call("erika", "DELETE", app+id+"/evidence/"+ev["id"].(string), nil, nil, 409, false)
	c.call("erika", "PUT", app+id, []byte(`{"version":3,"data":{}}`), nil, 409, false)
	c.call("erika", "POST", app+id+"/payment", nil, nil, 409, false)

	// withdraw the other draft; twice is a conflict
	c.call("erika", "POST", app+otherID+"/withdraw", nil, nil, 200, false)
	c.call("erika", "POST", app+otherID+"/withdraw", nil, nil, 409, false)
	c.call("mallory", "POST", app+otherID+"/withdraw", nil, nil, 404, false)

	// delivery, then the receipt in the mailbox
	for range 2 {
		if _, err := j.outbox.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	box := c.json("erika", "GET", "/api/mailbox", nil, nil, 200)
	msgs, _ := box["messages"].([]any)
	if len(msgs) == 0 {
		t.Fatalf("no receipt in the mailbox: %v", box)
	}
	msg := msgs[0].(map[string]any)["id"].(string)
	c.call("erika", "GET", "/api/mailbox?kind=receipt&application="+id+"&limit=5", nil, nil, 200, false)
	c.call("erika", "GET", "/api/mailbox?limit=0", nil, nil, 400, true)
	c.call("erika", "GET", "/api/mailbox?cursor=not-a-cursor", nil, nil, 400, false)
	c.call("", "GET", "/api/mailbox", nil, nil, 401, false)
	c.call("erika", "GET", "/api/mailbox/"+msg, nil, nil, 200, false)
	c.call("erika-basic", "GET", "/api/mailbox/"+msg, nil, nil, 403, false)
	c.call("mallory", "GET", "/api/mailbox/"+msg, nil, nil, 404, false)
	c.call("erika", "GET", "/api/mailbox/"+msg+"/attachments/0", nil, nil, 404, false)
	c.call("erika", "POST", "/api/mailbox/"+msg+"/reply", []byte(`{"body":"Danke."}`), nil, 409, false)
	c.call("erika", "POST", "/api/mailbox/"+msg+"/reply", []byte(`body=Danke`), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, true)

	// The journey reached every operation of the document.
	doc, _ := servedOpenAPI(t, j)
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			reached := false
			for k := range c.seen {
				reached = reached || strings.HasPrefix(k, method+" "+path+" ")
			}
			if !reached {
				t.Errorf("the journey never reached %s %s", method, path)
			}
		}
	}
}

const fileBeforeRequirementType = "multipart/form-data; boundary=b0undary"

// fileBeforeRequirement is an upload whose file part comes before the requirement field.
func fileBeforeRequirement(t *testing.T) []byte {
	t.Helper()
	return []byte("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" +
		string(pdf) + "\r\n--b0undary\r\nContent-Disposition: form-data; name=\"requirement\"\r\n\r\nmietvertrag\r\n--b0undary--\r\n")
}

// route is one method and path pattern of the API, below its prefix.
type route struct{ method, path string }

// apiRoutes are the API's routes. TestRoutesAndTheOpenAPIDocumentAgree checks this table
// against the running API and the document, and TestRouteTableCoversTheSource against the
// patterns the code registers, so a route added to one of them alone fails.
var apiRoutes = []route{
	{"GET", "/openapi.json"},
	{"GET", "/session"},
	{"GET", "/services"},
	{"GET", "/services/{service}"},
	{"GET", "/services/{service}/form"},
	{"POST", "/services/{service}/applications"},
	{"GET", "/applications"},
	{"GET", "/applications/{application}"},
	{"PUT", "/applications/{application}"},
	{"POST", "/applications/{application}/withdraw"},
	{"POST", "/applications/{application}/submit"},
	{"POST", "/applications/{application}/payment"},
	{"GET", "/applications/{application}/payment/return"},
	{"POST", "/applications/{application}/evidence"},
	{"GET", "/applications/{application}/evidence"},
	{"GET", "/applications/{application}/evidence/{evidence}"},
	{"DELETE", "/applications/{application}/evidence/{evidence}"},
	{"GET", "/mailbox"},
	{"GET", "/mailbox/{id}"},
	{"GET", "/mailbox/{id}/attachments/{n}"},
	{"POST", "/mailbox/{id}/reply"},
}

// probeMethods are the methods tried on every path.
var probeMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// samplePath fills a path pattern's wildcards with values the API's router accepts.
func samplePath(pattern string) string {
	return strings.NewReplacer(
		"{service}", "wohngeld",
		"{application}", "0193c7d0-0000-7000-8000-000000000000",
		"{evidence}", "0193c7d0-0000-7000-8000-000000000001",
		"{id}", "m1",
		"{n}", "0",
	).Replace(pattern)
}

// TestRoutesAndTheOpenAPIDocumentAgree checks that the API serves exactly the operations the
// document describes: the route table equals the document's operations, and every path of
// either answers, without a login, from a handler for the listed methods and with the
// router's own 404 or 405 for every other method.
func TestRoutesAndTheOpenAPIDocumentAgree(t *testing.T) {
	j := newJourney(t)
	doc, _ := servedOpenAPI(t, j)
	documented := map[route]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[route{method, path}] = true
		}
	}
	listed := map[route]bool{}
	for _, r := range apiRoutes {
		listed[r] = true
		if !documented[r] {
			t.Errorf("the API serves %s %s, the OpenAPI document does not describe it", r.method, r.path)
		}
	}
	for r := range documented {
		if !listed[r] {
			t.Errorf("the OpenAPI document describes %s %s, which is not in the route table", r.method, r.path)
		}
	}

	paths := map[string]bool{}
	for r := range listed {
		paths[r.path] = true
	}
	for r := range documented {
		paths[r.path] = true
	}
	for path := range paths {
		for _, method := range probeMethods {
			want := listed[route{method, path}] || documented[route{method, path}] ||
				method == "HEAD" && (listed[route{"GET", path}] || documented[route{"GET", path}])
			matched, detail := probe(t, j, method, "/api"+samplePath(path))
			if matched != want {
				t.Errorf("%s %s: served by a handler = %v (%s), want %v", method, path, matched, detail, want)
			}
		}
	}
}

// probe reports whether the API has a handler for method and path: anything but the
// router's answer for an unknown route (404 "Diese Adresse gibt es nicht") or a method the
// path does not take (405). Without a login every route answers before it looks anything
// up, and the sample ids exist where a route is public, so no handler answers 404 itself.
func probe(t *testing.T, j *journey, method, path string) (bool, string) {
	t.Helper()
	resp := j.do("", method, path, nil, nil, nil)
	b, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case http.StatusMethodNotAllowed:
		return false, "405"
	case http.StatusNotFound:
		if method != "HEAD" {
			var p struct{ Detail string }
			if err := json.Unmarshal(b, &p); err != nil || !strings.HasPrefix(p.Detail, "Diese Adresse gibt es nicht") {
				t.Errorf("%s %s: a handler answered 404 (%s); the probe cannot tell whether the route exists", method, path, b)
			}
		}
		return false, "404"
	}
	return true, strconv.Itoa(resp.StatusCode)
}

// TestRouteTableCoversTheSource reads the patterns the API registers (api.go's routes, and
// the mailbox handler it mounts) and checks that the route table lists each of them, so a
// route added in the code but not to the table (and thus not to the document) fails.
func TestRouteTableCoversTheSource(t *testing.T) {
	listed := map[route]bool{}
	for _, r := range apiRoutes {
		listed[r] = true
	}
	api, mounts := registeredPatterns(t, "api.go", "routes")
	if want := []string{"/mailbox", "/mailbox/"}; !slices.Equal(mounts, want) {
		t.Errorf("api.go mounts handlers for every method at %v, want %v (the mailbox); a new mount needs its routes in the table", mounts, want)
	}
	mailbox, _ := registeredPatterns(t, "../../mailbox/handler.go", "NewHandler")
	if len(api) < 10 || len(mailbox) != 4 {
		t.Fatalf("found %d routes in api.go and %d in the mailbox handler; the parser no longer understands them", len(api), len(mailbox))
	}
	for _, r := range append(api, mailbox...) {
		if !listed[r] {
			t.Errorf("the code registers %s %s, which is not in the route table (nor, then, in the document)", r.method, r.path)
		}
	}
}

var patternRE = regexp.MustCompile(`^(?:([A-Z]+) )?(/\S*)$`)

// registeredPatterns finds the first arguments of the calls in function fn of file that are
// ServeMux patterns: string literals, possibly joined with a prefix variable by +, whose
// literal parts form "[METHOD ]/path". It returns the patterns with a method, and the paths
// of those without one (handlers mounted for every method), sorted.
func registeredPatterns(t *testing.T, file, fn string) ([]route, []string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var routes []route
	var mounts []string
	found := false
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fn {
			continue
		}
		found = true
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			s, ok := literalParts(call.Args[0])
			if !ok {
				return true
			}
			m := patternRE.FindStringSubmatch(s)
			switch {
			case m == nil:
			case m[1] != "":
				routes = append(routes, route{m[1], m[2]})
			case m[2] != "/": // "/" alone is a handler's own fallback for unknown paths
				mounts = append(mounts, m[2])
			}
			return true
		})
	}
	if !found {
		t.Fatalf("%s has no function %s", file, fn)
	}
	slices.Sort(mounts)
	return routes, mounts
}

// literalParts joins the string literals of e, an expression of literals and identifiers
// joined by +, dropping the identifiers (the prefix); ok is false when e has no literal.
func literalParts(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		return "", false
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, lok := literalParts(e.X)
		r, rok := literalParts(e.Y)
		if _, isIdent := e.X.(*ast.Ident); !lok && !isIdent {
			return "", false
		}
		if _, isIdent := e.Y.(*ast.Ident); !rok && !isIdent {
			return "", false
		}
		return l + r, lok || rok
	}
	return "", false
}
