package ozgtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/ozg"
)

// appView is an application as its owner sees it.
type appView struct {
	ID         string            `json:"id"`
	ServiceID  string            `json:"serviceId"`
	State      string            `json:"state"`
	Reference  string            `json:"reference"`
	Version    int64             `json:"version"`
	Data       json.RawMessage   `json:"data"`
	Provenance map[string]string `json:"provenance"`
}

// application reads an answer that must be the application with status want, its version in
// the body and, when the ETag is a number, in the ETag too.
func application(a *answer, want int) (*appView, error) {
	if a.status != want {
		return nil, fmt.Errorf("want %d; %s", want, a)
	}
	var v appView
	if err := a.decode(&v); err != nil {
		return nil, err
	}
	if v.ID == "" || v.Version < 1 {
		return nil, fmt.Errorf("the application lacks an id or a version of at least 1; %s", a)
	}
	etag := a.header.Get("ETag")
	if etag == "" {
		return nil, fmt.Errorf("no ETag header; %s", a)
	}
	tag := strings.Trim(strings.TrimPrefix(etag, "W/"), `"`)
	if n, err := strconv.ParseInt(tag, 10, 64); err == nil && n != v.Version {
		return nil, fmt.Errorf("ETag %s does not match version %d", etag, v.Version)
	}
	return &v, nil
}

// current reads A's draft again.
func (r *runner) current() (*appView, error) {
	a, err := r.call(r.a, request{method: http.MethodGet, path: r.appPath("")})
	if err != nil {
		return nil, err
	}
	return application(a, http.StatusOK)
}

// unchanged checks that A's draft is still at the version last seen.
func (r *runner) unchanged(what string) error {
	now, err := r.current()
	if err != nil {
		return fmt.Errorf("reading the draft after %s: %w", what, err)
	}
	if now.Version != r.draft.Version || now.State != r.draft.State {
		return fmt.Errorf("%s changed the draft: version %d → %d, state %s → %s", what, r.draft.Version, now.Version, r.draft.State, now.State)
	}
	return nil
}

func (r *runner) save(version int64, data any) (*answer, error) {
	return r.call(r.a, jsonRequest(http.MethodPut, r.appPath(""), map[string]any{"version": version, "data": data}))
}

func (r *runner) draftCreate() outcome {
	if o, ok := r.needs("catalogue"); !ok {
		return o
	}
	level := r.journeyLevel()
	c, err := r.t.Login(r.ctx, level)
	if err != nil {
		return fail("login as citizen A at level %s: %v", level, err)
	}
	r.a = c
	a, err := r.call(c, request{method: http.MethodPost, path: "/services/" + pathEscape(r.t.ServiceID) + "/applications"})
	if err != nil {
		return fail("%v", err)
	}
	v, err := application(a, http.StatusCreated)
	if err != nil {
		return fail("%v", err)
	}
	if v.ServiceID != r.t.ServiceID || v.State != "draft" {
		return fail("the new application has service %q and state %q, want %q and draft", v.ServiceID, v.State, r.t.ServiceID)
	}
	r.draft, r.created = v, v.Version
	r.observed.Account, r.observed.AuthLevel = true, level
	var prefilled []string
	for p, src := range v.Provenance {
		if strings.HasPrefix(src, "prefill:") {
			prefilled = append(prefilled, p)
		}
	}
	slices.Sort(prefilled)
	r.observed.OnceOnly = len(prefilled) > 0
	if len(prefilled) > 0 {
		return pass("draft %s, prefilled from the login: %s", v.ID, strings.Join(prefilled, ", "))
	}
	return pass("draft %s", v.ID)
}

func (r *runner) draftRead() outcome {
	if o, ok := r.needs("draft-create"); !ok {
		return o
	}
	v, err := r.current()
	if err != nil {
		return fail("%v", err)
	}
	if v.ID != r.draft.ID || v.Version != r.draft.Version {
		return fail("read back id %q version %d, created id %q version %d", v.ID, v.Version, r.draft.ID, r.draft.Version)
	}
	return pass("")
}

// partialData is the first property of the sample data alone, or an empty object.
func (r *runner) partialData() (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	if len(r.t.Data) == 0 {
		return out, nil
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(r.t.Data, &all); err != nil {
		return nil, fmt.Errorf("the target's sample Data is not a JSON object: %v", err)
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > 0 {
		out[keys[0]] = all[keys[0]]
	}
	return out, nil
}

func (r *runner) draftSave() outcome {
	if o, ok := r.needs("draft-create"); !ok {
		return o
	}
	data, err := r.partialData()
	if err != nil {
		return skip("%v", err)
	}
	a, err := r.save(r.draft.Version, data)
	if err != nil {
		return fail("%v", err)
	}
	v, err := application(a, http.StatusOK)
	if err != nil {
		return fail("saving %d of the sample's fields: %v", len(data), err)
	}
	if v.Version <= r.draft.Version {
		return fail("the save answered version %d, not more than %d", v.Version, r.draft.Version)
	}
	r.draft = v
	if err := r.unchanged("reading"); err != nil {
		return fail("the saved version does not read back: %v", err)
	}
	r.observed.Form = ozg.FormOnline
	return pass("saved %d field(s) at version %d", len(data), v.Version)
}

func (r *runner) draftStale() outcome {
	if o, ok := r.needs("draft-save"); !ok {
		return o
	}
	a, err := r.save(r.created, map[string]any{})
	if err != nil {
		return fail("%v", err)
	}
	if _, err := a.expectProblem(http.StatusConflict); err != nil {
		return fail("a save at version %d when the draft is at %d: %v", r.created, r.draft.Version, err)
	}
	if err := r.unchanged("the stale save"); err != nil {
		return fail("%v", err)
	}
	return pass("")
}

// invalidSample returns data with one top-level field of the wrong JSON type, and the field.
func invalidSample(f *forms.Form) (string, map[string]any, bool) {
	for _, fl := range f.Root().Fields {
		var v any
		switch fl.Type {
		case "string":
			v = 12345
		case "integer", "number", "boolean", "object", "array":
			v = "ozgtest: not a " + fl.Type
		default:
			continue
		}
		return fl.Name, map[string]any{fl.Name: v}, true
	}
	return "", nil, false
}

// namesField reports whether a field error's pointer names the top-level field name.
func namesField(pointer, name string) bool {
	esc := "/" + strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
	p := strings.TrimPrefix(pointer, "#")
	return p == name || p == esc || strings.HasSuffix(p, esc) || strings.HasPrefix(p, esc+"/") || strings.Contains(p, esc+"/")
}

func (r *runner) draftInvalid() outcome {
	if o, ok := r.needs("form", "draft-save"); !ok {
		return o
	}
	name, data, ok := invalidSample(r.form)
	if !ok {
		return skip("the form has no top-level field of a single JSON type to send a wrong type for")
	}
	a, err := r.save(r.draft.Version, data)
	if err != nil {
		return fail("%v", err)
	}
	p, err := a.expectProblem(http.StatusUnprocessableEntity)
	if err != nil {
		return fail("field %q of the wrong type: %v", name, err)
	}
	var pointers []string
	named := false
	for _, e := range p.Errors {
		pointers = append(pointers, e.Pointer)
		named = named || namesField(e.Pointer, name)
	}
	if !named {
		return fail("the problem's field errors %q do not name the field /%s; %s", pointers, name, a)
	}
	if err := r.unchanged("the invalid save"); err != nil {
		return fail("%v", err)
	}
	return pass("/%s of the wrong type was named", name)
}

func (r *runner) draftComplete() outcome {
	if o, ok := r.needs("draft-save"); !ok {
		return o
	}
	if len(r.t.Data) == 0 {
		return skip("the target gives no sample Data")
	}
	a, err := r.save(r.draft.Version, r.t.Data)
	if err != nil {
		return fail("%v", err)
	}
	v, err := application(a, http.StatusOK)
	if err != nil {
		return fail("the sample Data was refused: %v", err)
	}
	r.draft, r.complete = v, true
	return pass("version %d", v.Version)
}
