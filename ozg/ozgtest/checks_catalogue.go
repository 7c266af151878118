package ozgtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
)

var leikaKey = regexp.MustCompile(`^99\d{12}$`)

// serviceView is a catalogue entry as the portal shows it: the descriptor's JSON and the URN.
type serviceView struct {
	ozg.Service
	LeikaURN string `json:"leikaUrn"`
}

func pathEscape(s string) string { return url.PathEscape(s) }

func (r *runner) catalogue() outcome {
	a, err := r.call(r.anon, request{method: http.MethodGet, path: "/services"})
	if err != nil {
		return fail("%v", err)
	}
	if a.status != http.StatusOK {
		return fail("want 200; %s", a)
	}
	var list []json.RawMessage
	if err := a.decode(&list); err != nil {
		return fail("%v (want a JSON array of services)", err)
	}
	var listed *serviceView
	for _, raw := range list {
		var v serviceView
		if err := json.Unmarshal(raw, &v); err != nil {
			var id struct{ ID string }
			if json.Unmarshal(raw, &id) == nil && id.ID == r.t.ServiceID {
				return fail("the catalogue entry of %s does not read as a service: %v", r.t.ServiceID, err)
			}
			continue
		}
		if v.ID == r.t.ServiceID {
			listed = &v
			break
		}
	}
	if listed == nil {
		return fail("GET /services lists %d services, not %s", len(list), r.t.ServiceID)
	}
	if !leikaKey.MatchString(listed.LeikaKey) {
		return fail("leikaKey %q is not a Leistungsschlüssel (14 digits starting with 99)", listed.LeikaKey)
	}
	if want := ozg.LeikaURNPrefix + listed.LeikaKey; listed.LeikaURN != want {
		return fail("leikaUrn is %q, want %q", listed.LeikaURN, want)
	}
	a, err = r.call(r.anon, request{method: http.MethodGet, path: "/services/" + pathEscape(r.t.ServiceID)})
	if err != nil {
		return fail("%v", err)
	}
	var one serviceView
	if a.status != http.StatusOK {
		return fail("want 200; %s", a)
	}
	if err := a.decode(&one); err != nil {
		return fail("%v", err)
	}
	if one.ID != listed.ID || one.LeikaKey != listed.LeikaKey || one.Level != listed.Level {
		return fail("GET /services/%s (id %q, key %q, level %s) differs from the list (id %q, key %q, level %s)",
			r.t.ServiceID, one.ID, one.LeikaKey, one.Level, listed.ID, listed.LeikaKey, listed.Level)
	}
	svc := one.Service
	r.svc = &svc
	r.observed.Information = true
	return pass("%s, %s, level %s", svc.Name, one.LeikaURN, svc.Level)
}

func (r *runner) formCheck() outcome {
	if o, ok := r.needs("catalogue"); !ok {
		return o
	}
	a, err := r.call(r.anon, request{method: http.MethodGet, path: "/services/" + pathEscape(r.t.ServiceID) + "/form", limit: maxSchema})
	if err != nil {
		return fail("%v", err)
	}
	if a.status != http.StatusOK {
		return fail("want 200; %s", a)
	}
	if mt := a.mediaType(); mt != "application/schema+json" && mt != "application/json" {
		return fail("want application/schema+json or application/json, got %q", mt)
	}
	f, err := forms.Load(r.t.ServiceID+".schema.json", a.body)
	if err != nil {
		return fail("the form does not compile: %v", err)
	}
	r.form = f
	return pass("%d top-level fields", len(f.Root().Fields))
}

func (r *runner) openAPI() outcome {
	a, err := r.call(r.anon, request{method: http.MethodGet, path: "/openapi.json"})
	if err != nil {
		return fail("%v", err)
	}
	if a.status != http.StatusOK {
		return fail("want 200; %s", a)
	}
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := a.decode(&doc); err != nil {
		return fail("%v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return fail("openapi is %q, want 3.x", doc.OpenAPI)
	}
	if missing := r.undescribed(doc.Paths); len(missing) > 0 {
		return fail("the document does not describe %s (of %d paths)", strings.Join(missing, ", "), len(doc.Paths))
	}
	return pass("OpenAPI %s, %d paths", doc.OpenAPI, len(doc.Paths))
}

var pathParam = regexp.MustCompile(`\{[^}/]*\}`)

// undescribed lists the journey's routes that paths (an OpenAPI paths object) lacks. Parameter
// names do not matter, and paths may carry the API prefix.
func (r *runner) undescribed(paths map[string]json.RawMessage) []string {
	want := []string{"/services", "/services/{}", "/services/{}/form", "/services/{}/applications",
		"/applications/{}", "/applications/{}/submit"}
	if r.svc != nil && len(r.svc.Evidence) > 0 {
		want = append(want, "/applications/{}/evidence")
	}
	if r.svc != nil && r.svc.FeeDueOnline() {
		want = append(want, "/applications/{}/payment", "/applications/{}/payment/return")
	}
	var missing []string
	for _, w := range want {
		found := false
		for p := range paths {
			if strings.HasSuffix(pathParam.ReplaceAllString(p, "{}"), w) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, w)
		}
	}
	return missing
}

func (r *runner) loginRequired() outcome {
	if o, ok := r.needs("catalogue"); !ok {
		return o
	}
	a, err := r.call(r.anon, request{method: http.MethodPost, path: "/services/" + pathEscape(r.t.ServiceID) + "/applications"})
	if err != nil {
		return fail("%v", err)
	}
	if _, err := a.expectProblem(http.StatusUnauthorized); err != nil {
		return fail("%v", err)
	}
	return pass("")
}

func (r *runner) levelTooLow() outcome {
	if o, ok := r.needs("catalogue"); !ok {
		return o
	}
	if r.svc.Level <= identity.LevelBasic {
		return notApplicable("the service needs level %s: no login is below it (no login at all is checked by login-required)", r.svc.Level)
	}
	c, err := r.t.Login(r.ctx, identity.LevelBasic)
	if err != nil {
		return skip("login at basic: %v", err)
	}
	a, err := r.call(c, request{method: http.MethodPost, path: "/services/" + pathEscape(r.t.ServiceID) + "/applications"})
	if err != nil {
		return fail("%v", err)
	}
	p, err := a.expectProblem(http.StatusForbidden)
	if err != nil {
		return fail("%v", err)
	}
	if p.RequiredLevel != r.svc.Level.String() {
		return fail("the 403 names requiredLevel %q, want %q; %s", p.RequiredLevel, r.svc.Level, a)
	}
	return pass("")
}

// problemJSON asks for a service and an application that do not exist.
func (r *runner) problemJSON() outcome {
	missing := "ozgtest-missing-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	a, err := r.call(r.anon, request{method: http.MethodGet, path: "/services/" + missing})
	if err != nil {
		return fail("%v", err)
	}
	if _, err := a.expectProblem(http.StatusNotFound); err != nil {
		return fail("an unknown service: %v", err)
	}
	if r.a == nil {
		return pass("an unknown service answered 404 as problem+json; an unknown application was not asked for (no login)")
	}
	a, err = r.call(r.a, request{method: http.MethodGet, path: "/applications/" + uuid.NewString()})
	if err != nil {
		return fail("%v", err)
	}
	if _, err := a.expectProblem(http.StatusNotFound); err != nil {
		return fail("an unknown application: %v", err)
	}
	return pass("")
}
