package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/forms/formstest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func renderHTML(t *testing.T, f *Form, doc []byte, opts *RenderOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Render(&buf, doc, opts); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

func TestRenderMatchesTheGoldenFiles(t *testing.T) {
	f := antrag(t)
	bad := patch(t, map[string]any{"/bank/iban": "DE00 1234", "/antragsteller/vorname": nil,
		"/haushalt/1/verwandtschaft": nil, "/erklaerung/richtigkeit": nil, "/einkommen/zimmer": "vier"})
	tests := []struct {
		name   string
		golden string
		doc    []byte
		opts   *RenderOptions
	}{
		{"the whole form with errors in German", "testdata/antrag.errors.de.golden.html", bad, &RenderOptions{Errors: f.Validate(bad), Hidden: map[string]string{"_csrf": "t0k3n"}}},
		{"the household step in English", "testdata/antrag.haushalt.en.golden.html", readFile(t, "testdata/antrag.valid.json"), &RenderOptions{Lang: "en", Step: "haushalt", Action: "/applications/1/steps/haushalt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderHTML(t, f, tt.doc, tt.opts)
			if *update {
				if err := os.WriteFile(tt.golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := readFile(t, tt.golden)
			if !bytes.Equal(got, want) {
				t.Errorf("Render differs from %s; run go test -update and review the diff", tt.golden)
			}
		})
	}
}

func TestRenderedFormsAreAccessible(t *testing.T) {
	f := antrag(t)
	valid := readFile(t, "testdata/antrag.valid.json")
	bad := patch(t, map[string]any{"/bank/iban": "x", "/haushalt/1/verwandtschaft": nil, "/haushalt/2/schwerbehindert": "ja",
		"/einkommen/weitereEinkuenfte": []any{"rente", "rente"}, "/erklaerung/datenschutz": false, "/anschrift": nil, "/x": 1})
	tests := []struct {
		name string
		doc  []byte
		opts *RenderOptions
	}{
		{"an empty form", nil, nil},
		{"a filled form", valid, nil},
		{"a form with errors", bad, &RenderOptions{Errors: f.Validate(bad)}},
		{"a form with errors in English", bad, &RenderOptions{Lang: "en", Errors: f.Validate(bad)}},
		{"each step with errors", bad, &RenderOptions{Step: "person", Errors: f.Validate(bad)}},
		{"the household step with errors", bad, &RenderOptions{Step: "haushalt", Errors: f.Validate(bad)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			formstest.Run(t, bytes.NewReader(renderHTML(t, f, tt.doc, tt.opts)))
		})
	}
}

func TestTheAccessibilityCheckFindsProblems(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"an input without label", `<form><input id="a" name="a"></form>`, "no <label"},
		{"an input without id", `<form><label>A</label><input name="a"></form>`, "no id"},
		{"a duplicate id", `<form><label for="a">A</label><input id="a" name="a"><label for="a">B</label><input id="a" name="b"></form>`, "twice"},
		{"a fieldset without legend", `<form><fieldset><label for="a">A</label><input id="a" name="a"></fieldset></form>`, "legend"},
		{"radios outside a fieldset", `<form><label for="a">A</label><input type="radio" id="a" name="r"><label for="b">B</label><input type="radio" id="b" name="r"></form>`, "not in a fieldset"},
		{"a dangling aria-describedby", `<form><label for="a">A</label><input id="a" name="a" aria-describedby="nope"></form>`, "does not exist"},
		{"an invalid input without message", `<form><div role="alert"><a href="#a">x</a></div><label for="a">A</label><input id="a" name="a" aria-invalid="true"></form>`, "no error message"},
		{"an invalid input not in the summary", `<form><label for="a">A</label><p id="e">Falsch</p><input id="a" name="a" aria-invalid="true" aria-describedby="e"></form>`, "does not link"},
		{"a summary link to nothing", `<form><div role="alert"><a href="#zz">x</a></div></form>`, "does not point"},
		{"a button without text", `<form><button type="submit"></button></form>`, "no text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := formstest.Check(strings.NewReader(tt.html))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Check = %v, want a problem with %q", err, tt.want)
			}
		})
	}
	ok := `<form><div role="alert"><a href="#a">Fehler</a></div><label for="a">A</label><p id="e">Falsch</p><input id="a" name="a" aria-invalid="true" aria-describedby="e"><button>OK</button></form>`
	if err := formstest.Check(strings.NewReader(ok)); err != nil {
		t.Fatalf("Check(good form) = %v", err)
	}
}

func TestRenderEscapesValues(t *testing.T) {
	f := antrag(t)
	doc := patch(t, map[string]any{"/antragsteller/geburtsort": `"><script>alert(1)</script>`})
	out := string(renderHTML(t, f, doc, nil))
	if strings.Contains(out, "<script>") || strings.Contains(out, "<b>nicht</b>") {
		t.Fatal("a value reached the HTML unescaped")
	}
	if !strings.Contains(out, "&lt;b&gt;nicht&lt;/b&gt;") {
		t.Fatal("the remark is not shown escaped")
	}
}

// canonical decodes JSON into plain values for comparison.
func canonical(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

func submitForm(t *testing.T, f *Form, doc []byte, button, value string) url.Values {
	t.Helper()
	return submitFormIn(t, f, doc, "de", button, value)
}

func submitFormIn(t *testing.T, f *Form, doc []byte, lang, button, value string) url.Values {
	t.Helper()
	vals, err := formstest.Submit(bytes.NewReader(renderHTML(t, f, doc, &RenderOptions{Lang: lang})), button, value)
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

func submitValues(t testing.TB, html []byte) url.Values {
	t.Helper()
	vals, err := formstest.Submit(bytes.NewReader(html), "_action", "submit")
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

func TestASubmittedHTMLFormRoundTripsToTheAPIDocument(t *testing.T) {
	f := antrag(t)
	tests := []struct {
		name string
		doc  []byte
	}{
		{"the complete application", readFile(t, "testdata/antrag.valid.json")},
		{"a draft with a few answers", []byte(`{"antragsteller":{"vorname":"Erika","geburtsdatum":"1964-08-12"},"einkommen":{"miete":0.5,"weitereEinkuenfte":["rente"]}}`)},
		{"an empty draft", []byte(`{}`)},
		{"an application with mistakes", patch(t, map[string]any{"/bank/iban": "DE00", "/einkommen/wohnflaeche": 0, "/antragsteller/vorname": nil})},
	}
	for _, tt := range tests {
		for _, lang := range []string{"de", "en"} {
			t.Run(tt.name+" in "+lang, func(t *testing.T) {
				vals := submitFormIn(t, f, tt.doc, lang, "_action", "submit")
				got, act, err := f.ParseValues(vals)
				if err != nil {
					t.Fatalf("ParseValues: %v", err)
				}
				if act.Kind != "submit" {
					t.Errorf("action = %+v", act)
				}
				// The arrays the page showed come back, [] where the document has none (see
				// TestAnEmptyRepeatableGroupPostsBackAsAnEmptyArray); the documents here have
				// no empty arrays of their own.
				got = withoutEmptyArrays(t, got)
				if !reflect.DeepEqual(canonical(t, got), canonical(t, tt.doc)) {
					t.Errorf("round trip changed the document:\n got %s\nwant %s", got, tt.doc)
				}
				if e1, e2 := f.Validate(got), f.Validate(tt.doc); !reflect.DeepEqual(e1, e2) {
					t.Errorf("validation differs: HTML path %v, API path %v", e1, e2)
				}
			})
		}
	}
}

func TestRepeatableGroupsWorkWithoutJavaScript(t *testing.T) {
	f := antrag(t)
	valid := readFile(t, "testdata/antrag.valid.json")

	got, act, err := f.ParseValues(submitForm(t, f, valid, "_action", "add:/haushalt"))
	if err != nil || act.Kind != "add" || act.Pointer != "/haushalt" {
		t.Fatalf("add: %v %+v", err, act)
	}
	members := canonical(t, got).(map[string]any)["haushalt"].([]any)
	if len(members) != 5 || len(members[4].(map[string]any)) != 0 {
		t.Fatalf("after add: %v", members)
	}
	if !strings.Contains(string(renderHTML(t, f, got, nil)), `name="/haushalt/4/vorname"`) {
		t.Error("the added entry is not rendered")
	}
	if err := f.ValidateDraft(got); err != nil {
		t.Errorf("a draft with an added empty entry: %v", err)
	}

	got, act, err = f.ParseValues(submitForm(t, f, valid, "_action", "remove:/haushalt/1"))
	if err != nil || act.Kind != "remove" {
		t.Fatalf("remove: %v %+v", err, act)
	}
	members = canonical(t, got).(map[string]any)["haushalt"].([]any)
	if len(members) != 3 || members[1].(map[string]any)["vorname"] != "Lena" {
		t.Fatalf("after remove: %v", members)
	}

	full := patch(t, map[string]any{})
	var doc map[string]any
	json.Unmarshal(full, &doc)
	for len(doc["haushalt"].([]any)) < 12 {
		doc["haushalt"] = append(doc["haushalt"].([]any), map[string]any{"vorname": "X"})
	}
	full, _ = json.Marshal(doc)
	if strings.Contains(string(renderHTML(t, f, full, nil)), `value="add:/haushalt"`) {
		t.Error("an add button is offered at maxItems")
	}
	vals := submitForm(t, f, full, "_action", "submit")
	vals.Set("_action", "add:/haushalt")
	if _, _, err := f.ParseValues(vals); !errors.Is(err, ErrDocument) {
		t.Errorf("add beyond maxItems = %v", err)
	}
}

func TestParseValues(t *testing.T) {
	f := antrag(t)
	tests := []struct {
		name   string
		values url.Values
		want   string // JSON, or "" for an error
		errAt  string
	}{
		{"a German decimal comma is understood", url.Values{"/einkommen/miete": {"980,50"}}, `{"einkommen":{"miete":980.50}}`, ""},
		{"German thousands separators are understood", url.Values{"/einkommen/bruttoMonat": {"1.234,56"}}, `{"einkommen":{"bruttoMonat":1234.56}}`, ""},
		{"a decimal point is understood", url.Values{"/einkommen/miete": {"980.5"}}, `{"einkommen":{"miete":980.5}}`, ""},
		{"a German number with thousands separator only", url.Values{"/einkommen/bruttoMonat": {"3.900"}}, `{"einkommen":{"bruttoMonat":3900}}`, ""},
		{"an English number uses the decimal point", url.Values{"_lang": {"en"}, "/einkommen/miete": {"980.555"}}, `{"einkommen":{"miete":980.555}}`, ""},
		{"English thousands separators are understood", url.Values{"_lang": {"en"}, "/einkommen/bruttoMonat": {"1,234.56"}}, `{"einkommen":{"bruttoMonat":1234.56}}`, ""},
		{"a German comma in an English form stays text", url.Values{"_lang": {"en"}, "/einkommen/miete": {"980,5"}}, `{"einkommen":{"miete":"980,5"}}`, ""},
		{"text in a number field stays text", url.Values{"/einkommen/zimmer": {"vier"}}, `{"einkommen":{"zimmer":"vier"}}`, ""},
		{"spaces are trimmed and empty inputs dropped", url.Values{"/antragsteller/vorname": {"  Erika "}, "/antragsteller/nachname": {""}}, `{"antragsteller":{"vorname":"Erika"}}`, ""},
		{"booleans are typed", url.Values{"/einkommen/arbeitnehmer": {"false"}, "/erklaerung/richtigkeit": {"true"}}, `{"einkommen":{"arbeitnehmer":false},"erklaerung":{"richtigkeit":true}}`, ""},
		{"checkboxes make an array", url.Values{"/einkommen/weitereEinkuenfte": {"rente", "alg"}}, `{"einkommen":{"weitereEinkuenfte":["rente","alg"]}}`, ""},
		{"sparse entries are compacted in order", url.Values{"/haushalt/7/vorname": {"B"}, "/haushalt/2/vorname": {"A"}}, `{"haushalt":[{"vorname":"A"},{"vorname":"B"}]}`, ""},
		{"hidden underscore names are ignored", url.Values{"_csrf": {"x"}, "_action": {"submit"}}, `{}`, ""},
		{"an unknown name is refused", url.Values{"/antragsteller/spitzname": {"Eri"}}, "", "/antragsteller/spitzname"},
		{"a name that is not a pointer is refused", url.Values{"vorname": {"Eri"}}, "", "vorname"},
		{"a value for an object is refused", url.Values{"/anschrift": {"Köln"}}, "", "/anschrift"},
		{"an index with a leading zero is refused", url.Values{"/haushalt/01/vorname": {"A"}}, "", "/haushalt/01/vorname"},
		{"an index beyond the array limit is refused", url.Values{"/haushalt/999999/vorname": {"A"}}, "", "/haushalt/999999/vorname"},
		{"a path below a text field is refused", url.Values{"/antragsteller/vorname/x": {"A"}}, "", "/antragsteller/vorname/x"},
		{"removing from a non-array is refused", url.Values{"_action": {"remove:/antragsteller/0"}}, "", "/antragsteller/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := f.ParseValues(tt.values)
			if tt.want == "" {
				fe := fieldErrors(t, err)
				if fe[0].Pointer != tt.errAt {
					t.Fatalf("error at %q, want %q: %v", fe[0].Pointer, tt.errAt, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseValues: %v", err)
			}
			if !reflect.DeepEqual(canonical(t, got), canonical(t, []byte(tt.want))) {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestOtherShapesRoundTripAndStayAccessible(t *testing.T) {
	f, err := Load("shapes.json", []byte(`{
	  "type": "object",
	  "properties": {
	    "namen": {"type": "array", "items": {"type": "string", "minLength": 2}, "maxItems": 3, "x-ui": {"label": "Weitere Namen", "itemLabel": "Name"}},
	    "kinder": {"type": "integer", "enum": [0, 1, 2, 3], "x-ui": {"label": "Anzahl Kinder"}},
	    "eu": {"type": "boolean", "x-ui": {"label": "EU-Bürger", "widget": "select"}},
	    "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
	    "tage": {"type": "array", "items": {"type": "integer", "enum": [1, 2, 3]}, "x-ui": {"enumLabels": {"1": "Montag", "2": "Dienstag", "3": "Mittwoch"}}}
	  }
	}`))
	if err != nil {
		t.Fatal(err)
	}
	docs := []string{
		`{"namen":["Anna","Berta"],"kinder":2,"eu":false,"matrix":[[1,2],[3]],"tage":[1,3]}`,
		`{"namen":["A"],"kinder":0,"eu":true}`,
		`{}`,
	}
	for _, doc := range docs {
		for _, lang := range []string{"de", "en"} {
			html := renderHTML(t, f, []byte(doc), &RenderOptions{Lang: lang, Errors: f.Validate([]byte(doc))})
			formstest.Run(t, bytes.NewReader(html))
			vals, err := formstest.Submit(bytes.NewReader(html), "_action", "submit")
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := f.ParseValues(vals)
			if err != nil {
				t.Fatalf("ParseValues: %v", err)
			}
			got = withoutEmptyArrays(t, got)
			if !reflect.DeepEqual(canonical(t, got), canonical(t, []byte(doc))) {
				t.Errorf("%s round trip: got %s, want %s", lang, got, doc)
			}
		}
	}
	got, _, err := f.ParseValues(url.Values{"/namen/0": {"Anna"}, "_action": {"add:/namen"}})
	if err != nil || string(got) != `{"namen":["Anna",""]}` {
		t.Errorf("add to a list of texts = %s, %v", got, err)
	}
}
