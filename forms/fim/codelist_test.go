package fim_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/forms/fim"
)

func readCodeList(t *testing.T) *fim.CodeList {
	t.Helper()
	f, err := os.Open("testdata/geschlecht.gc.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cl, err := fim.ReadGenericode(f)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func TestReadGenericodeReadsKeyAndLabelColumns(t *testing.T) {
	cl := readCodeList(t)
	if cl.CanonicalURI != "urn:xpersonenstand:schluesseltabelle:geschlecht" || cl.CanonicalVersionURI != "urn:xpersonenstand:schluesseltabelle:geschlecht_2" {
		t.Errorf("identification = %q %q", cl.CanonicalURI, cl.CanonicalVersionURI)
	}
	if len(cl.Codes) != 4 || cl.Codes[0] != (fim.Code{Value: "m", Label: "männlich"}) || cl.Codes[3] != (fim.Code{Value: "x", Label: "ohne Angabe"}) {
		t.Errorf("codes = %+v", cl.Codes)
	}
}

func TestReadGenericodeRefuses(t *testing.T) {
	tests := []struct {
		name, xml string
		want      error
	}{
		{"a document that is not a code list", `<Other/>`, fim.ErrUnsupported},
		{"a code list without canonical URI", `<gc:CodeList xmlns:gc="g"><Identification/></gc:CodeList>`, fim.ErrInvalid},
		{"a row without a value in the key column", `<gc:CodeList xmlns:gc="g"><Identification><CanonicalUri>u</CanonicalUri></Identification>
<ColumnSet><Column Id="k"/></ColumnSet><SimpleCodeList><Row><Value ColumnRef="other"><SimpleValue>x</SimpleValue></Value></Row></SimpleCodeList></gc:CodeList>`, fim.ErrInvalid},
		{"broken XML", `<gc:CodeList`, fim.ErrNotXML},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := fim.ReadGenericode(strings.NewReader(tc.xml)); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestImportWithCodeListMakesAChoice imports Blaue Karte with the Geschlecht code list: the
// field becomes a choice and drops out of NotEnforced.
func TestImportWithCodeListMakesAChoice(t *testing.T) {
	cl := readCodeList(t)
	res, err := importVectorWith(t, "fim-real", "BlaueKarte.xml", &fim.Options{CodeLists: map[string][]fim.Code{cl.CanonicalVersionURI: cl.Codes}})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	mustDecode(t, res.Schema, &doc)
	if got := asJSON(at(doc, "properties/G00000630/properties/F00000065/enum")); got != `["m","w","d","x"]` {
		t.Errorf("enum = %s", got)
	}
	if got := asJSON(at(doc, "properties/G00000630/properties/F00000065/x-ui/enumLabels/w")); got != `"weiblich"` {
		t.Errorf("label of w = %s", got)
	}
	for _, g := range res.NotEnforced {
		if g.Element.ID == "F00000065" {
			t.Errorf("still not enforced: %+v", g)
		}
	}
}
