package portal_test

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzPortalSaveDraft sends arbitrary bodies to the draft route: the portal must answer each
// with 200 or a 4xx problem document, never a server error, and a refused body must leave the
// draft as it was.
func FuzzPortalSaveDraft(f *testing.F) {
	for _, seed := range []string{
		`{"version":1,"data":{"vorname":"Erika","zimmer":3}}`,
		`{"version":1,"data":{"zimmer":"drei"}}`,
		`{"version":1,"data":[]}`,
		`{"version":"1"}`,
		`{"version":1,"data":{},"x":1}`,
		`{"version":1,"data":{"vorname":"\u0000"}}`,
		`{`, ``, `null`, `{"version":1,"data":{"a":{"b":{"c":{"d":[[[[[[1]]]]]]}}}}}`,
	} {
		f.Add(seed)
	}
	j := newJourney(f)
	draft := j.expect(j.do("erika", "POST", "/api/services/wohngeld/applications", nil, nil, nil), 201)
	id := draft["id"].(string)
	f.Fuzz(func(t *testing.T, body string) {
		j.t = t
		before := j.expect(j.do("erika", "GET", "/api/applications/"+id, nil, nil, nil), 200)
		resp := j.do("erika", "PUT", "/api/applications/"+id, strings.NewReader(body), nil, nil)
		switch {
		case resp.StatusCode == http.StatusOK:
			return
		case resp.StatusCode >= 500:
			t.Fatalf("body %q: server error %d", body, resp.StatusCode)
		case resp.Header.Get("Content-Type") != "application/problem+json":
			t.Fatalf("body %q: %d without a problem document", body, resp.StatusCode)
		}
		after := j.expect(j.do("erika", "GET", "/api/applications/"+id, nil, nil, nil), 200)
		if after["version"] != before["version"] || mailboxJSON(after) != mailboxJSON(before) {
			t.Fatalf("body %q was refused (%d) but changed the draft", body, resp.StatusCode)
		}
	})
}
