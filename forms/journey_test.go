package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/forms/formstest"
)

// These tests go through the public API as a browser does: Render a page, enter the citizen's
// answers into it (formstest.Fill refuses a field the page does not show), post it
// (ParseValues) and look at what comes back.

// testDay is the day the date bounds of the test forms are checked against.
var testDay = time.Date(2026, 11, 30, 15, 4, 5, 0, time.UTC)

// wohnen loads the test form with conditions, steps, a declaration and date bounds.
func wohnen(t testing.TB) *Form {
	t.Helper()
	f, err := New("wohnen.schema.json", readFile(t, "testdata/wohnen.schema.json"), &Options{Now: func() time.Time { return testDay }})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// page renders doc with opts, checks the HTML with formstest.Check and returns it.
func page(t testing.TB, f *Form, doc string, opts *RenderOptions) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f.Render(&b, []byte(doc), opts); err != nil {
		t.Fatalf("Render: %v", err)
	}
	if err := formstest.Check(bytes.NewReader(b.Bytes())); err != nil {
		t.Errorf("rendered page is not accessible: %v\n%s", err, b.Bytes())
	}
	return b.Bytes()
}

// post enters answers into the page, presses the button (_action=action) and parses the post.
func post(t testing.TB, f *Form, html []byte, answers map[string][]string, action string) ([]byte, Action) {
	t.Helper()
	vals, err := formstest.Fill(bytes.NewReader(html), answers, "_action", action)
	if err != nil {
		t.Fatalf("the browser cannot post: %v", err)
	}
	doc, act, err := f.ParseValues(vals)
	if err != nil {
		t.Fatalf("ParseValues: %v", err)
	}
	return doc, act
}

func one(v string) []string { return []string{v} }

func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	if !reflect.DeepEqual(canonical(t, got), canonical(t, []byte(want))) {
		t.Errorf("document\n got %s\nwant %s", got, want)
	}
}

func pointers(errs []FieldError) []string {
	var out []string
	for _, fe := range errs {
		out = append(out, fe.Pointer+" "+fe.Keyword)
	}
	return out
}

// Point 1: a household of one.
func TestAnEmptyRepeatableGroupPostsBackAsAnEmptyArray(t *testing.T) {
	f, err := Load("liste.json", []byte(`{
	  "type": "object", "required": ["mitglieder", "kinder"],
	  "properties": {
	    "mitglieder": {"type": "array", "x-ui": {"label": "Weitere Haushaltsmitglieder", "itemLabel": "Haushaltsmitglied"},
	      "items": {"type": "object", "required": ["vorname"], "properties": {"vorname": {"type": "string", "minLength": 1, "x-ui": {"label": "Vorname"}}}}},
	    "kinder": {"type": "array", "minItems": 1, "x-ui": {"label": "Kinder", "itemLabel": "Kind"},
	      "items": {"type": "object", "properties": {"vorname": {"type": "string", "x-ui": {"label": "Vorname"}}}}}
	  }
	}`))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a required array that may be empty starts without an entry and posts back as []", func(t *testing.T) {
		html := page(t, f, `{}`, nil)
		if bytes.Contains(html, []byte(`name="/mitglieder/0/vorname"`)) {
			t.Error("the page shows an empty Haushaltsmitglied 1 that the citizen must remove")
		}
		if !bytes.Contains(html, []byte(`value="add:/mitglieder"`)) {
			t.Error("no button to add a member")
		}
		doc, _ := post(t, f, html, nil, "submit")
		if got := valueAt(canonical(t, doc), "/mitglieder"); !reflect.DeepEqual(got, []any{}) {
			t.Fatalf("mitglieder = %#v in %s, want []", got, doc)
		}
		for _, fe := range fieldErrors(t, f.Validate(doc)) {
			if strings.HasPrefix(fe.Pointer, "/mitglieder") {
				t.Errorf("an empty household is refused: %+v", fe)
			}
		}
	})
	t.Run("removing the only entry leaves an empty list, not a new empty entry", func(t *testing.T) {
		html := page(t, f, `{"mitglieder":[{"vorname":"Hans"}],"kinder":[{"vorname":"Lea"}]}`, nil)
		doc, act := post(t, f, html, nil, "remove:/mitglieder/0")
		if act.Kind != "remove" {
			t.Fatalf("action %+v", act)
		}
		jsonEqual(t, doc, `{"mitglieder":[],"kinder":[{"vorname":"Lea"}]}`)
		again := page(t, f, string(doc), nil)
		if bytes.Contains(again, []byte(`name="/mitglieder/0/vorname"`)) {
			t.Error("the removed entry came back empty")
		}
		if err := f.Validate(doc); err != nil {
			t.Errorf("a complete document with an empty household: %v", err)
		}
	})
	t.Run("an array with minItems shows that many entries and asks for one", func(t *testing.T) {
		html := page(t, f, `{"mitglieder":[]}`, nil)
		if !bytes.Contains(html, []byte(`name="/kinder/0/vorname"`)) {
			t.Error("no first Kind to fill in")
		}
		doc, _ := post(t, f, html, nil, "submit")
		errs := fieldErrors(t, f.Validate(doc))
		if got := pointers(errs); !reflect.DeepEqual(got, []string{"/kinder minItems"}) {
			t.Errorf("errors %v, want /kinder minItems", got)
		}
	})
	t.Run("a marker for something that is not an array of the form is refused", func(t *testing.T) {
		for _, bad := range []string{"/mitglieder/0/vorname", "/nichts", "mitglieder", "/mitglieder/01"} {
			_, _, err := f.ParseValues(url.Values{"_arrays": {bad}})
			if fe := fieldErrors(t, err); len(fe) != 1 {
				t.Errorf("_arrays=%s: %v", bad, err)
			}
		}
	})
}

// Point 2: a declaration is one checkbox; booleans are Ja/Nein.
func TestADeclarationIsOneCheckboxToTick(t *testing.T) {
	f := wohnen(t)
	html := page(t, f, `{}`, &RenderOptions{Step: "abschluss"})
	s := string(html)
	if strings.Count(s, `type="checkbox"`) != 1 || strings.Contains(s, `type="radio"`) {
		t.Fatalf("the declaration is not exactly one checkbox:\n%s", s)
	}
	if !strings.Contains(s, `<label class="ozg-choice__label" for="f-erklaerung-richtigkeit">Ich versichere, dass meine Angaben richtig sind.</label>`) {
		t.Errorf("the checkbox does not carry the schema's label:\n%s", s)
	}
	if !strings.Contains(s, `aria-required="true"`) {
		t.Error("the declaration is not marked as required")
	}
	for _, raw := range []string{">true<", ">false<", ">true ", "> true<"} {
		if strings.Contains(s, raw) {
			t.Errorf("the page shows a raw boolean %q", raw)
		}
	}

	doc, _ := post(t, f, html, nil, "submit")
	err := f.ValidateStep("abschluss", doc)
	errs := fieldErrors(t, err)
	if len(errs) != 1 || errs[0].Pointer != "/erklaerung/richtigkeit" || errs[0].Message != "Bitte bestätigen Sie „Ich versichere, dass meine Angaben richtig sind“." {
		t.Fatalf("unticked: %+v", errs)
	}
	withErr := page(t, f, string(doc), &RenderOptions{Step: "abschluss", Errors: err})
	if !bytes.Contains(withErr, []byte(`<a href="#f-erklaerung-richtigkeit">`)) {
		t.Errorf("the error summary does not link to the checkbox:\n%s", withErr)
	}
	doc, _ = post(t, f, html, map[string][]string{"/erklaerung/richtigkeit": one("true")}, "submit")
	jsonEqual(t, doc, `{"erklaerung":{"richtigkeit":true}}`)
	if err := f.ValidateStep("abschluss", doc); err != nil {
		t.Errorf("ticked: %v", err)
	}

	// A plain boolean stays a question with Ja and Nein.
	person := string(page(t, f, `{}`, &RenderOptions{Step: "person"}))
	for _, want := range []string{`name="/person/weiterePersonen" type="radio" value="true"`, `>Ja</label>`, `>Nein</label>`} {
		if !strings.Contains(person, want) {
			t.Errorf("the yes/no question lacks %s", want)
		}
	}
	en := string(page(t, f, `{}`, &RenderOptions{Step: "person", Lang: "en"}))
	if !strings.Contains(en, `>Yes</label>`) || !strings.Contains(en, `>No</label>`) {
		t.Error("no Yes/No in English")
	}
	// An enum of booleans is labelled Ja/Nein too, and a checkbox widget does not fit a
	// boolean that may be false... unless it has no const (then ticking means true).
	g, err := Load("b.json", []byte(`{"type":"object","properties":{"a":{"type":"boolean","enum":[true,false]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(page(t, g, `{}`, nil)); !strings.Contains(s, ">Ja</label>") || strings.Contains(s, ">true<") {
		t.Errorf("an enum of booleans:\n%s", s)
	}
	if _, err := Load("c.json", []byte(`{"type":"object","properties":{"a":{"type":"boolean","const":false,"x-ui":{"widget":"checkbox"}}}}`)); !errors.Is(err, ErrSchema) {
		t.Errorf("a checkbox for const false was accepted: %v", err)
	}
}

// Point 3: an empty step reports each of its fields.
func TestAnEmptyGroupReportsEachOfItsFields(t *testing.T) {
	f := wohnen(t)
	html := page(t, f, `{}`, &RenderOptions{Step: "wohnung"})
	doc, _ := post(t, f, html, nil, "submit")
	jsonEqual(t, doc, `{}`)
	err := f.ValidateStep("wohnung", doc)
	errs := fieldErrors(t, err)
	want := []string{"/wohnung/nutzung required", "/wohnung/einzug required", "/wohnung/flaeche required", "/wohnung/kaltmiete required"}
	if got := pointers(errs); !reflect.DeepEqual(got, want) {
		t.Fatalf("errors %v, want %v", got, want)
	}
	again := string(page(t, f, string(doc), &RenderOptions{Step: "wohnung", Errors: err}))
	for _, link := range []string{"#f-wohnung-nutzung--0", "#f-wohnung-einzug", "#f-wohnung-flaeche", "#f-wohnung-kaltmiete"} {
		if !strings.Contains(again, `<a href="`+link+`">`) {
			t.Errorf("the error summary has no link %s", link)
		}
	}
	if strings.Contains(again, "„Wohnung“") {
		t.Error("a message names the group instead of a field")
	}
	// The same over the API, and as a draft nothing is missing.
	if got := pointers(fieldErrors(t, f.ValidateStep("wohnung", []byte(`{"wohnung":{}}`)))); !reflect.DeepEqual(got, want) {
		t.Errorf("API: %v", got)
	}
	if err := f.ValidateDraft(doc); err != nil {
		t.Errorf("draft: %v", err)
	}
}

// Point 4: dates bounded relative to today.
func TestDatesAreBoundedRelativeToToday(t *testing.T) {
	f := wohnen(t)
	base := `{"person":{"name":"A","weiterePersonen":false,"familienstand":"ledig","geburtsdatum":%q},"wohnung":{"nutzung":"miete","flaeche":50,"kaltmiete":400,"einzug":%q},"erklaerung":{"richtigkeit":true}}`
	tests := []struct {
		name, birth, moveIn string
		want                []FieldError
	}{
		{"dates in the past are accepted", "1980-03-27", "2019-04-01", nil},
		{"today is not in the future", "2026-11-30", "2026-11-30", nil},
		{"a birth date in 2099 is refused", "2099-01-01", "2019-04-01", []FieldError{{"/person/geburtsdatum", "x-date",
			"Das Datum bei „Geburtsdatum“ darf nicht in der Zukunft liegen.", "The date for “Date of birth” cannot be in the future."}}},
		{"a move-in date in 2030 is refused", "1980-03-27", "2030-01-01", []FieldError{{"/wohnung/einzug", "x-date",
			"Das Datum bei „Einzugsdatum“ darf nicht in der Zukunft liegen.", "The date for “Moving-in date” cannot be in the future."}}},
		{"tomorrow is in the future", "1980-03-27", "2026-12-01", []FieldError{{"/wohnung/einzug", "x-date",
			"Das Datum bei „Einzugsdatum“ darf nicht in der Zukunft liegen.", "The date for “Moving-in date” cannot be in the future."}}},
		{"a birth more than 120 years back is refused", "1906-11-29", "2019-04-01", []FieldError{{"/person/geburtsdatum", "x-date",
			"Das Datum bei „Geburtsdatum“ darf höchstens 120 Jahre zurückliegen.", "The date for “Date of birth” can be at most 120 years ago."}}},
		{"exactly 120 years back is accepted", "1906-11-30", "2019-04-01", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := []byte(fmt.Sprintf(base, tt.birth, tt.moveIn))
			// Through the pages: the citizen types the dates.
			html := page(t, f, `{}`, &RenderOptions{Step: "person"})
			posted, _ := post(t, f, html, map[string][]string{"/person/geburtsdatum": one(tt.birth)}, "submit")
			if got := valueAt(canonical(t, posted), "/person/geburtsdatum"); got != tt.birth {
				t.Errorf("posted %v", got)
			}
			got := fieldErrors(t, f.Validate(doc))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if d := fieldErrors(t, f.ValidateDraft(doc)); !reflect.DeepEqual(d, tt.want) {
				t.Errorf("draft: %+v", d)
			}
		})
	}
	// The date input tells the browser the bounds.
	html := string(page(t, f, `{}`, &RenderOptions{Step: "person"}))
	if !strings.Contains(html, `type="date" value="" aria-required="true" min="1906-11-30" max="2026-11-30"`) {
		t.Errorf("the birth date input has no min and max:\n%s", html)
	}
	// Bad bounds are schema errors.
	for _, bad := range []string{`{"notFuture":"ja"}`, `{"maxYearsBack":-1}`, `{"maxYearsBack":1.5}`, `{"soon":true}`, `true`} {
		_, err := Load("d.json", []byte(`{"type":"object","properties":{"d":{"type":"string","format":"date","x-date":`+bad+`}}}`))
		if !errors.Is(err, ErrSchema) {
			t.Errorf("x-date %s accepted: %v", bad, err)
		}
	}
}

// Point 5: wording and German numbers.
func TestChoicesAskToChooseAndGermanNumbersRoundTrip(t *testing.T) {
	f := wohnen(t)
	html := page(t, f, `{}`, &RenderOptions{Step: "person"})
	if !bytes.Contains(html, []byte(`<select class="ozg-select" id="f-person-familienstand"`)) {
		t.Fatal("Familienstand is not a select")
	}
	doc, _ := post(t, f, html, map[string][]string{"/person/name": one("A")}, "submit")
	errs := fieldErrors(t, f.ValidateStep("person", doc))
	msgs := map[string]string{}
	for _, fe := range errs {
		msgs[fe.Pointer] = fe.Message
	}
	for ptr, want := range map[string]string{
		"/person/familienstand":   "Bitte wählen Sie bei „Familienstand“ eine der angebotenen Möglichkeiten aus.",
		"/person/weiterePersonen": "Bitte wählen Sie bei „Leben außer Ihnen weitere Personen in Ihrem Haushalt?“ Ja oder Nein aus.",
	} {
		if msgs[ptr] != want {
			t.Errorf("%s: %q, want %q", ptr, msgs[ptr], want)
		}
	}

	// The IBAN's help and error give the same example, which is a valid IBAN.
	iban, err := Load("iban.json", []byte(`{"type":"object","properties":{"iban":{"type":"string","format":"iban","x-ui":{"label":"IBAN"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	verr := iban.Validate([]byte(`{"iban":"DE00"}`))
	ih := string(page(t, iban, `{"iban":"DE00"}`, &RenderOptions{Errors: verr}))
	if !strings.Contains(ih, `<div class="ozg-hint" id="f-iban--hint">Zum Beispiel `+ExampleIBAN+`</div>`) ||
		!strings.Contains(fieldErrors(t, verr)[0].Message, "zum Beispiel "+ExampleIBAN+".") || !ValidIBAN(ExampleIBAN) {
		t.Errorf("hint and error differ or the example is no IBAN:\n%s", ih)
	}

	// "2,5" comes back as "2,5", for numbers and for integers (where it is an error).
	for _, tt := range []struct{ ptr, typed string }{{"/wohnung/flaeche", "68,5"}, {"/wohnung/zimmer", "2,5"}, {"/wohnung/kaltmiete", "1.234,56"}} {
		html := page(t, f, `{}`, &RenderOptions{Step: "wohnung"})
		doc, _ := post(t, f, html, map[string][]string{tt.ptr: one(tt.typed)}, "submit")
		again := string(page(t, f, string(doc), &RenderOptions{Step: "wohnung", Errors: f.ValidateStep("wohnung", doc)}))
		want := tt.typed
		if tt.typed == "1.234,56" {
			want = "1234,56"
		}
		if !strings.Contains(again, `name="`+tt.ptr+`" type="text" value="`+want+`"`) {
			t.Errorf("%s typed %q is shown as %s", tt.ptr, tt.typed, again[strings.Index(again, `name="`+tt.ptr+`"`):][:80])
		}
	}
}

// Point 6: numbers beyond what the validator can take are field errors everywhere.
func TestHugeAndTinyNumbersAreFieldErrorsEverywhere(t *testing.T) {
	f := wohnen(t)
	want := "Bitte geben Sie bei „Wohnfläche in m²“ eine Zahl zwischen 0 und 1000 an."
	for _, n := range []string{"1e99999999", "-1e99999999", "1e-99999999", "1E+400", "0.1e-300", strings.Repeat("9", 401)} {
		doc := []byte(`{"wohnung":{"flaeche":` + n + `}}`)
		check := func(what string, err error) {
			t.Helper()
			errs := fieldErrors(t, err)
			if len(errs) != 1 || errs[0].Pointer != "/wohnung/flaeche" || errs[0].Keyword != "numberRange" || errs[0].Message != want {
				t.Errorf("%s with %.20s: %+v", what, n, errs)
			}
		}
		check("Validate", f.Validate(doc))
		check("ValidateDraft", f.ValidateDraft(doc))
		check("ValidateStep", f.ValidateStep("wohnung", doc))
		check("Render", f.Render(&bytes.Buffer{}, doc, nil))
		check("Decode", f.Decode(doc, &map[string]any{}))
		_, err := f.MergeStep("wohnung", nil, doc)
		check("MergeStep", err)
		_, err = f.MergeStep("person", doc, []byte(`{}`))
		check("MergeStep (data so far)", err)
		_, err = f.Prune(doc)
		check("Prune", err)
		_, err = f.ApplicableSteps(doc)
		check("ApplicableSteps", err)
		_, err = f.Answers(doc, "de")
		check("Answers", err)
		_, err = f.TrackChanges(nil, doc, nil)
		check("TrackChanges", err)
		var v any
		d := json.NewDecoder(bytes.NewReader(doc))
		d.UseNumber()
		if err := d.Decode(&v); err == nil {
			check("ValidateValue", f.ValidateValue(v))
		}
		// A prefill source that knows such a number fills nothing.
		src := &FactSource{Source: "register", Facts: map[string]any{"f": json.Number(n)}, Pointers: map[string]string{"f": "/wohnung/flaeche"}}
		out, _, err := f.Prefill(t.Context(), nil, nil, src)
		if err != nil || string(out) != `{}` {
			t.Errorf("Prefill with %.20s: %s %v", n, out, err)
		}
	}
	// Typed into the page, the number stays as typed and validation names the bounds.
	html := page(t, f, `{}`, &RenderOptions{Step: "wohnung"})
	doc, _ := post(t, f, html, map[string][]string{"/wohnung/flaeche": one("1e99999999")}, "submit")
	err := f.ValidateStep("wohnung", doc)
	var got string
	for _, fe := range fieldErrors(t, err) {
		if fe.Pointer == "/wohnung/flaeche" {
			got = fe.Message
		}
	}
	if got != want {
		t.Errorf("typed: %q", got)
	}
	if !bytes.Contains(page(t, f, string(doc), &RenderOptions{Step: "wohnung", Errors: err}), []byte(`value="1e99999999"`)) {
		t.Error("the typed number is not shown again")
	}
	// A field without bounds names those of forms; Go numbers that are not finite are refused.
	g, err := Load("n.json", []byte(`{"type":"object","properties":{"n":{"type":"number","x-ui":{"label":"Zahl"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if errs := fieldErrors(t, g.Validate([]byte(`{"n":1e400}`))); len(errs) != 1 || errs[0].Message != "Bitte geben Sie bei „Zahl“ eine Zahl zwischen −10³⁰⁰ und 10³⁰⁰ an." || errs[0].MessageEN != "Please enter a number between -10^300 and 10^300 for “Zahl”." {
		t.Errorf("no bounds: %+v", errs)
	}
	for _, v := range []any{1e301, json.Number("1e9999999999999999999"), json.Number("zwölf")} {
		if errs := fieldErrors(t, g.ValidateValue(map[string]any{"n": v})); len(errs) != 1 || errs[0].Keyword != "numberRange" {
			t.Errorf("ValidateValue(%v): %+v", v, errs)
		}
	}
	for _, ok := range []string{`0`, `-0.0`, `0e99999999`, `1e300`, `1e-300`, `123.456e2`} {
		if err := g.Validate([]byte(`{"n":` + ok + `}`)); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
}

// Point 7: a member name twice is refused, at any depth, at every entry point.
func TestDuplicateMemberNamesAreRefused(t *testing.T) {
	f := wohnen(t)
	tests := []struct{ doc, pointer string }{
		{`{"person":{"familienstand":"<script>alert(1)</script>","familienstand":"ledig"}}`, "/person/familienstand"},
		{`{"wohnung":{},"wohnung":{}}`, "/wohnung"},
		{`{"person":{"name":"a","n\u0061me":"b"}}`, "/person/name"},
		{`{"haushalt":{"mitglieder":[{"vorname":"a"},{"vorname":"b","x":{"y":1,"z":2},"vorname":"c"}]}}`, "/haushalt/mitglieder/1/vorname"},
		{`{"a~b/c":1,"a~b/c":2}`, "/a~0b~1c"},
		{`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":0,"k11":1,"k12":2,"k13":3,"k14":4,"k15":5,"k16":6,"k17":7,"k18":8,"k19":9,"k20":0,"k21":1,"k22":2,"k23":3,"k24":4,"k25":5,"k26":6,"k27":7,"k28":8,"k29":9,"k30":0,"k31":1,"k32":2,"k33":3,"k5":9}`, "/k5"},
	}
	for _, tt := range tests {
		check := func(what string, err error) {
			t.Helper()
			errs := fieldErrors(t, err)
			if len(errs) != 1 || errs[0].Pointer != tt.pointer || errs[0].Keyword != "duplicateKey" {
				t.Errorf("%s of %.40s: %+v", what, tt.doc, errs)
			}
		}
		doc := []byte(tt.doc)
		check("Validate", f.Validate(doc))
		check("ValidateDraft", f.ValidateDraft(doc))
		check("ValidateStep", f.ValidateStep("person", doc))
		check("Render", f.Render(&bytes.Buffer{}, doc, nil))
		check("Decode", f.Decode(doc, &map[string]any{}))
		_, err := f.MergeStep("person", doc, []byte(`{}`))
		check("MergeStep", err)
		_, err = f.Prune(doc)
		check("Prune", err)
		_, err = f.Applies(doc, "/wohnung/kaltmiete")
		check("Applies", err)
		_, _, err = f.Prefill(t.Context(), doc, nil)
		check("Prefill", err)
		_, err = f.TrackChanges(doc, []byte(`{}`), nil)
		check("TrackChanges", err)
	}
	if errs := fieldErrors(t, f.Validate([]byte(`{"person":{"name":"A"},"wohnung":{"name":"A"}}`))); pointers(errs)[0] == "/person/name duplicateKey" {
		t.Error("the same name in two objects is no duplicate")
	}
	errs := fieldErrors(t, f.Validate([]byte(`{"person":{"familienstand":"x","familienstand":"ledig"}}`)))
	if errs[0].Message != "Die Angabe „Familienstand“ ist mehrfach übermittelt worden. Bitte senden Sie jede Angabe nur einmal." {
		t.Errorf("message %q", errs[0].Message)
	}
	// A browser sends one value per name; two are refused with the field named.
	_, _, err := f.ParseValues(url.Values{"/person/familienstand": {"<script>", "ledig"}})
	if errs := fieldErrors(t, err); len(errs) != 1 || errs[0].Pointer != "/person/familienstand" || errs[0].Keyword != "duplicateKey" {
		t.Errorf("ParseValues: %+v", errs)
	}
}

// Point 8: questions that depend on earlier answers.
func TestQuestionsDependOnEarlierAnswers(t *testing.T) {
	f := wohnen(t)
	names := func(html []byte) map[string]bool {
		out := map[string]bool{}
		for _, part := range strings.Split(string(html), ` name="`)[1:] {
			out[part[:strings.IndexByte(part, '"')]] = true
		}
		return out
	}

	t.Run("if/then/else: an owner is asked for the Belastung, a tenant for the rent", func(t *testing.T) {
		data := `{}`
		html := page(t, f, data, &RenderOptions{Step: "wohnung"})
		if n := names(html); !n["/wohnung/kaltmiete"] || n["/wohnung/belastung"] {
			t.Fatalf("before the answer, the rent (else) is asked and the Belastung is not: %v", n)
		}
		// The citizen says they own the home and, having filled in the rent earlier, posts it.
		page1, _ := post(t, f, html, map[string][]string{"/wohnung/nutzung": one("eigentum"), "/wohnung/einzug": one("2019-04-01"),
			"/wohnung/flaeche": one("80"), "/wohnung/kaltmiete": one("500")}, "submit")
		saved, err := f.MergeStep("wohnung", []byte(data), page1)
		if err != nil {
			t.Fatal(err)
		}
		jsonEqual(t, saved, `{"wohnung":{"nutzung":"eigentum","einzug":"2019-04-01","flaeche":80}}`) // MergeStep prunes too
		if saved, err = f.Prune(saved); err != nil {
			t.Fatal(err)
		}
		jsonEqual(t, saved, `{"wohnung":{"nutzung":"eigentum","einzug":"2019-04-01","flaeche":80}}`)
		err = f.ValidateStep("wohnung", saved)
		if got := pointers(fieldErrors(t, err)); !reflect.DeepEqual(got, []string{"/wohnung/belastung required"}) {
			t.Fatalf("errors %v", got)
		}
		html = page(t, f, string(saved), &RenderOptions{Step: "wohnung", Errors: err})
		if n := names(html); n["/wohnung/kaltmiete"] || !n["/wohnung/belastung"] {
			t.Fatalf("for an owner: %v", n)
		}
		if !bytes.Contains(html, []byte(`<a href="#f-wohnung-belastung">`)) {
			t.Error("the summary does not link to the Belastung")
		}
		page2, _ := post(t, f, html, map[string][]string{"/wohnung/belastung": one("350,50")}, "submit")
		saved, _ = f.MergeStep("wohnung", saved, page2)
		if err := f.ValidateStep("wohnung", saved); err != nil {
			t.Fatalf("complete: %v", err)
		}
		// Back to renting: the Belastung is stale and dropped, the rent is asked again.
		html = page(t, f, string(saved), &RenderOptions{Step: "wohnung"})
		page3, _ := post(t, f, html, map[string][]string{"/wohnung/nutzung": one("miete")}, "submit")
		saved, _ = f.MergeStep("wohnung", saved, page3)
		saved, _ = f.Prune(saved)
		if valueAt(canonical(t, saved), "/wohnung/belastung") != nil {
			t.Errorf("stale Belastung kept: %s", saved)
		}
		if got := pointers(fieldErrors(t, f.ValidateStep("wohnung", saved))); !reflect.DeepEqual(got, []string{"/wohnung/kaltmiete required"}) {
			t.Errorf("errors %v", got)
		}
	})

	t.Run("dependentSchemas and dependentRequired: a subtenant brings the rooms and the income from subletting", func(t *testing.T) {
		data := `{"wohnung":{"nutzung":"miete"}}`
		html := page(t, f, data, &RenderOptions{Step: "wohnung"})
		n := names(html)
		if n["/wohnung/untermiete"] || !n["/wohnung/untermieter"] {
			t.Fatalf("without a subtenant: %v", n)
		}
		if bytes.Contains(html, []byte(`name="/wohnung/zimmer" type="text" value="" aria-required="true"`)) {
			t.Error("the rooms are required before there is a subtenant")
		}
		p, _ := post(t, f, html, map[string][]string{"/wohnung/untermieter": one("Max")}, "submit")
		saved, _ := f.MergeStep("wohnung", []byte(data), p)
		err := f.ValidateStep("wohnung", saved)
		got := pointers(fieldErrors(t, err))
		for _, w := range []string{"/wohnung/zimmer dependentRequired", "/wohnung/untermiete required"} {
			if !strings.Contains(strings.Join(got, ","), w) {
				t.Errorf("errors %v lack %s", got, w)
			}
		}
		html = page(t, f, string(saved), &RenderOptions{Step: "wohnung", Errors: err})
		if !names(html)["/wohnung/untermiete"] || !bytes.Contains(html, []byte(`name="/wohnung/zimmer" type="text" value="" aria-describedby="f-wohnung-zimmer--error" aria-invalid="true" aria-required="true"`)) {
			t.Errorf("with a subtenant:\n%s", html)
		}
		// Without the subtenant, the income from subletting is stale.
		stale, _ := f.Prune([]byte(`{"wohnung":{"nutzung":"miete","untermiete":100}}`))
		jsonEqual(t, stale, `{"wohnung":{"nutzung":"miete"}}`)
	})

	t.Run("a step whose condition does not hold is skipped", func(t *testing.T) {
		ids := func(doc string) []string {
			steps, err := f.ApplicableSteps([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range steps {
				out = append(out, s.ID)
			}
			return out
		}
		html := page(t, f, `{}`, &RenderOptions{Step: "person"})
		alone, _ := post(t, f, html, map[string][]string{"/person/weiterePersonen": one("false")}, "submit")
		if got := ids(string(alone)); !reflect.DeepEqual(got, []string{"person", "wohnung", "abschluss"}) {
			t.Errorf("living alone: %v", got)
		}
		together, _ := post(t, f, html, map[string][]string{"/person/weiterePersonen": one("true")}, "submit")
		if got := ids(string(together)); !reflect.DeepEqual(got, []string{"person", "wohnung", "haushalt", "abschluss"}) {
			t.Errorf("with others: %v", got)
		}
		if ok, err := f.StepApplies("haushalt", alone); ok || err != nil {
			t.Errorf("StepApplies(haushalt) for one person = %v, %v", ok, err)
		}
		if _, err := f.StepApplies("nope", alone); !errors.Is(err, ErrUnknownStep) {
			t.Errorf("unknown step: %v", err)
		}
		// The skipped step renders nothing to answer and its stale values go.
		if n := names(page(t, f, string(alone), &RenderOptions{Step: "haushalt"})); n["/haushalt/mitglieder/0/vorname"] || n["_arrays"] {
			t.Errorf("the skipped step asks %v", n)
		}
		stale := []byte(`{"person":{"weiterePersonen":false},"haushalt":{"mitglieder":[{"vorname":"Hans"}]}}`)
		pruned, _ := f.Prune(stale)
		jsonEqual(t, pruned, `{"person":{"weiterePersonen":false}}`)
		if ok, _ := f.Applies(stale, "/haushalt/mitglieder/0/vorname"); ok {
			t.Error("a member's name applies to a household of one")
		}
		if ok, _ := f.Applies(together, "/haushalt/mitglieder/0/vorname"); !ok {
			t.Error("a member's name does not apply to a household of two")
		}
		if _, err := f.Applies(together, "/nichts"); err == nil {
			t.Error("Applies of no field")
		}
		// The household page of two starts with one member to fill in (minItems 1).
		if n := names(page(t, f, string(together), &RenderOptions{Step: "haushalt"})); !n["/haushalt/mitglieder/0/vorname"] {
			t.Errorf("household page: %v", n)
		}
	})

	t.Run("errors never point at a field that is not shown", func(t *testing.T) {
		doc := []byte(`{"wohnung":{"nutzung":"eigentum","kaltmiete":400}}`) // a stale rent, as an API client might send
		err := f.ValidateStep("wohnung", doc)
		if got := pointers(fieldErrors(t, err)); !strings.Contains(strings.Join(got, ","), "/wohnung/kaltmiete false") {
			t.Fatalf("the API names the stale value: %v", got)
		}
		html := page(t, f, string(doc), &RenderOptions{Step: "wohnung", Errors: err})
		if bytes.Contains(html, []byte("Kaltmiete")) || !bytes.Contains(html, []byte(`href="#f-wohnung-belastung"`)) {
			t.Errorf("the page mentions the hidden rent or not the Belastung:\n%s", html)
		}
	})

	t.Run("the summary shows only applicable answers", func(t *testing.T) {
		doc := []byte(`{"person":{"name":"Erika","geburtsdatum":"1980-03-27","weiterePersonen":false,"familienstand":"ledig"},
			"wohnung":{"nutzung":"eigentum","einzug":"2019-04-01","flaeche":68.5,"belastung":1234.5,"kaltmiete":400},
			"haushalt":{"mitglieder":[{"vorname":"Hans"}]},"erklaerung":{"richtigkeit":true}}`)
		ans, err := f.Answers(doc, "de")
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, a := range ans {
			lines = append(lines, a.Step+" "+strings.Repeat("  ", a.Depth)+a.Label+": "+a.Value)
		}
		got := strings.Join(lines, "\n")
		want := strings.Join([]string{
			"person Antragstellende Person: ",
			"person   Name: Erika",
			"person   Geburtsdatum: 27.03.1980",
			"person   Leben außer Ihnen weitere Personen in Ihrem Haushalt?: Nein",
			"person   Familienstand: ledig",
			"wohnung Wohnung: ",
			"wohnung   Sie wohnen: im Eigentum",
			"wohnung   Einzugsdatum: 01.04.2019",
			"wohnung   Wohnfläche in m²: 68,5",
			"wohnung   Monatliche Belastung in Euro: 1234,5",
			"abschluss Erklärung: ",
			"abschluss   Ich versichere, dass meine Angaben richtig sind.: Ja",
		}, "\n")
		if got != want {
			t.Errorf("summary\n%s\nwant\n%s", got, want)
		}
	})
}
