package fim_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/forms/fim"
	"github.com/ozgkit/ozgkit/internal/validate"
	"github.com/ozgkit/ozgkit/internal/vectors"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// importVector imports a file of shared/vectors/xdatenfelder, or skips when it is missing.
func importVector(t testing.TB, dir, name string) (*fim.Result, error) {
	t.Helper()
	return importVectorWith(t, dir, name, nil)
}

func importVectorWith(t testing.TB, dir, name string, opts *fim.Options) (*fim.Result, error) {
	t.Helper()
	p, ok := vectors.Path("xdatenfelder", dir, name)
	if !ok {
		t.Skipf("vector xdatenfelder/%s/%s not found (set %s to the shared/vectors folder)", dir, name, vectors.EnvDir)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return fim.Import(f, opts)
}

func mustDecode(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// TestImportVectors imports every XDatenfelder 2.0 and 3.0 vector, compares the whole result
// with its golden file (go test -update rewrites them) and compiles the schema with forms.
func TestImportVectors(t *testing.T) {
	for _, v := range []struct{ dir, name string }{
		{"fim-real", "BlaueKarte.xml"},
		{"synthetic-v2", "data-field-rule.xml"},
		{"synthetic-v2", "minimal.xml"},
		{"synthetic-v2", "rule.xml"},
		{"synthetic-v2", "simple.xml"},
		{"synthetic-v3", "input.xml"},
		{"synthetic-v3", "simple.xml"},
	} {
		t.Run(v.dir+"/"+v.name, func(t *testing.T) {
			res, err := importVector(t, v.dir, v.name)
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			got, err := res.MarshalReport()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", v.dir+"-"+strings.TrimSuffix(v.name, ".xml")+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("result differs from %s (run go test -update after checking the change):\n%s", golden, got)
			}
			if _, err := forms.Load(v.name, res.Schema); err != nil {
				t.Errorf("forms.Load: %v", err)
			}
			v := validate.New()
			for _, e := range res.Evidence {
				if err := v.Struct(e.Requirement); err != nil {
					t.Errorf("evidence requirement %s is not valid: %v", e.Requirement.ID, err)
				}
			}
		})
	}
}

func TestImportRefusesXDatenfelder1Vector(t *testing.T) {
	_, err := importVector(t, "fim-real", "WaBeKa.xml")
	var fe *fim.Error
	if !errors.Is(err, fim.ErrUnsupported) || !errors.As(err, &fe) || fe.Line != 2 {
		t.Fatalf("err = %v, want ErrUnsupported on line 2", err)
	}
}

// TestBlaueKarteThroughForms loads the imported Blaue Karte form with forms, renders a step
// and validates documents, including the rules the import turned into dependentSchemas.
func TestBlaueKarteThroughForms(t *testing.T) {
	res, err := importVector(t, "fim-real", "BlaueKarte.xml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := forms.Load("blauekarte.schema.json", res.Schema)
	if err != nil {
		t.Fatal(err)
	}
	steps := f.Steps()
	if len(steps) < 5 || steps[0].ID != "g00000630" || steps[0].Title.DE != "Persönliche Angaben zum Antragsteller" {
		t.Fatalf("steps = %+v", steps)
	}
	if fld := f.Field("/G00000630/F00000013"); fld == nil || fld.Label.DE != "Familienname" || !fld.Required || fld.MinLength != 1 {
		t.Errorf("Familienname = %+v", fld)
	}

	var page bytes.Buffer
	if err := f.Render(&page, nil, &forms.RenderOptions{Step: "g00000630"}); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, want := range []string{"Familienname", "Geben Sie den Nachnamen, Zunamen bzw. Familiennamen an.", `name="/G00000630/F00000013"`, "Persönliche Angaben zum Antragsteller"} {
		if !strings.Contains(html, want) {
			t.Errorf("rendered step lacks %q", want)
		}
	}
	if strings.Contains(html, "F00001019") {
		t.Error("the file field Lichtbild is rendered as an input; it is an evidence requirement")
	}

	person := `{"G00000630": {"F00000013": "Mustermann", "F00000045": "Erika", "F00000065": "2",
		"F00000067": "Berlin", "F00000039": "000", "F00001017": 172, "F00001018": "braun"}}`
	if err := f.ValidateStep("g00000630", []byte(person)); err != nil {
		t.Errorf("a complete first step is refused: %v", err)
	}
	err = f.ValidateStep("g00000630", []byte(`{"G00000630": {"F00000013": "", "F00001017": "groß"}}`))
	var ve *forms.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("an incomplete first step: err = %v, want a ValidationError", err)
	}
	for _, ptr := range []string{"/G00000630/F00000013", "/G00000630/F00001017", "/G00000630/F00000045"} {
		if !hasError(ve, ptr) {
			t.Errorf("no error at %s in %+v", ptr, ve.Errors)
		}
	}

	// R00000252: F00001031 may only be filled when F00001030 is answered yes.
	step := f.StepOf("/G00000637")
	if step == "" {
		t.Fatal("G00000637 is in no step")
	}
	yes := `{"G00000637": {"F00001030": true, "F00001031": "Frankreich"}}`
	if err := f.ValidateStep(step, []byte(yes)); err != nil {
		t.Errorf("details after yes are refused: %v", err)
	}
	no := `{"G00000637": {"F00001030": false, "F00001031": "Frankreich"}}`
	err = f.ValidateStep(step, []byte(no))
	if !errors.As(err, &ve) || !hasError(ve, "/G00000637/F00001030") {
		t.Errorf("details after no: err = %v, want an error at /G00000637/F00001030", err)
	}

	var evidenceIDs []string
	for _, e := range res.Evidence {
		evidenceIDs = append(evidenceIDs, e.Requirement.ID)
	}
	if got := strings.Join(evidenceIDs, ","); !strings.HasPrefix(got, "f00001019,f00001052,") {
		t.Errorf("evidence = %s", got)
	}
	raw, _ := json.Marshal(res.NotEnforced)
	if strings.Contains(string(raw), `"rule"`) {
		t.Errorf("a rule of Blaue Karte is not enforced: %s", raw)
	}
}

func hasError(ve *forms.ValidationError, ptr string) bool {
	for _, e := range ve.Errors {
		if e.Pointer == ptr {
			return true
		}
	}
	return false
}
