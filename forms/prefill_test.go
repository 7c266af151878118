package forms

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

type failingSource struct{}

func (failingSource) Name() string { return "melderegister" }
func (failingSource) Prefill(ctx context.Context, f *Form) (map[string]any, error) {
	return nil, errors.New("register unreachable")
}

func TestPrefillFillsFromFactsAndRecordsProvenance(t *testing.T) {
	f := antrag(t)
	ctx := context.Background()
	claims := &FactSource{Source: "bundid", Facts: map[string]any{
		"given_name": "Erika", "family_name": "Mustermann", "birthdate": "1964-08-12",
		"email": "not-an-email", "postal_code": "51147", "locality": "Köln", "nationality": "DE",
	}}
	doc, prov, err := f.Prefill(ctx, []byte(`{"antragsteller":{"vorname":"Eri"}}`), Provenance{"/antragsteller/vorname": ProvenanceUser}, claims)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"anschrift":{"ort":"Köln","plz":"51147"},"antragsteller":{"geburtsdatum":"1964-08-12","nachname":"Mustermann","vorname":"Eri"}}`
	if !reflect.DeepEqual(canonical(t, doc), canonical(t, []byte(want))) {
		t.Errorf("doc = %s\nwant  %s", doc, want)
	}
	wantProv := Provenance{
		"/antragsteller/vorname":      ProvenanceUser, // the citizen's own value is kept
		"/antragsteller/nachname":     "prefill:bundid",
		"/antragsteller/geburtsdatum": "prefill:bundid",
		"/anschrift/plz":              "prefill:bundid",
		"/anschrift/ort":              "prefill:bundid",
		// the invalid email is left for the citizen; facts without a field are ignored
	}
	if !reflect.DeepEqual(prov, wantProv) {
		t.Errorf("provenance = %v\nwant %v", prov, wantProv)
	}

	// The citizen changes the place: it becomes theirs; the rest keeps its source.
	changed := patchDoc(t, doc, "/anschrift/ort", "Köln-Porz")
	prov2, err := f.TrackChanges(doc, changed, prov)
	if err != nil {
		t.Fatal(err)
	}
	if prov2["/anschrift/ort"] != ProvenanceUser || prov2["/anschrift/plz"] != "prefill:bundid" || prov["/anschrift/ort"] != "prefill:bundid" {
		t.Errorf("after a change: %v (before: %v)", prov2, prov)
	}
}

func TestPrefillRefusesBadSources(t *testing.T) {
	f := antrag(t)
	ctx := context.Background()
	tests := []struct {
		name string
		src  PrefillSource
	}{
		{"a pointer the form does not have", &FactSource{Source: "bundid", Facts: map[string]any{"x": "y"}, Pointers: map[string]string{"x": "/antragsteller/spitzname"}}},
		{"a source name with spaces", &FactSource{Source: "bund id"}},
		{"a failing source", failingSource{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, prov, err := f.Prefill(ctx, nil, nil, tt.src)
			if err == nil || doc != nil || prov != nil {
				t.Fatalf("Prefill = %s, %v, %v; want an error and nothing filled", doc, prov, err)
			}
		})
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := f.Prefill(cancelled, nil, nil, &FactSource{Source: "bundid"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Prefill on a cancelled context = %v", err)
	}
}

func TestPrefillWithExplicitPointersFillsArrayEntries(t *testing.T) {
	f := antrag(t)
	src := &FactSource{Source: "melderegister", Facts: map[string]any{"vorname": "Erika", "kind": "Lena"},
		Pointers: map[string]string{"vorname": "/haushalt/0/vorname", "kind": "/haushalt/1/vorname"}}
	doc, prov, err := f.Prefill(context.Background(), nil, nil, src)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"haushalt":[{"vorname":"Erika"},{"vorname":"Lena"}]}`; !reflect.DeepEqual(canonical(t, doc), canonical(t, []byte(want))) {
		t.Errorf("doc = %s, want %s", doc, want)
	}
	if len(prov) != 2 || prov["/haushalt/1/vorname"] != "prefill:melderegister" {
		t.Errorf("provenance = %v", prov)
	}
}

func patchDoc(t *testing.T, doc []byte, ptr string, v any) []byte {
	t.Helper()
	val, err := setPath(canonical(t, doc), splitPointer(ptr), v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(val)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
