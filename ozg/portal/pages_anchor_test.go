package portal

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/forms"
)

// The add and remove buttons of the household send the citizen back to the group: the
// anchor must be an id the rendered step really has.
func TestFieldAnchorNamesTheRepeatableGroup(t *testing.T) {
	b, err := os.ReadFile("testdata/wohngeld.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := forms.Load("wohngeld.schema.json", b)
	if err != nil {
		t.Fatal(err)
	}
	doc := []byte(`{"haushalt":{"mitglieder":[{"vorname":"Hans"},{"vorname":"Lea"}]}}`)
	var buf bytes.Buffer
	if err := f.Render(&buf, doc, &forms.RenderOptions{Step: "haushalt"}); err != nil {
		t.Fatal(err)
	}
	for _, act := range []forms.Action{
		{Kind: "add", Pointer: "/haushalt/mitglieder"},
		{Kind: "remove", Pointer: "/haushalt/mitglieder/1"},
	} {
		id := fieldAnchor(act)
		if !strings.Contains(buf.String(), `id="`+id+`"`) {
			t.Errorf("%s %s: anchor %q is no id of the rendered step", act.Kind, act.Pointer, id)
		}
	}
}
