package fim_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/forms/fim"
	"github.com/ozgkit/ozgkit/internal/vectors"
)

// FuzzImport feeds arbitrary bytes to the XML parser and the conversion: an import either
// fails with a *fim.Error or yields a schema that forms compiles.
func FuzzImport(f *testing.F) {
	f.Add([]byte(export(field("F1", "1:1", "input", "text", `<xdf:praezisierung>{"maxLength":"5","pattern":"a+"}</xdf:praezisierung>`))))
	f.Add([]byte(export(group("G1", "0:*", rule("R1", "x", `"F2 a" ist nur dann zu befüllen, wenn "F1 b" bejaht wurde.`)+
		field("F1", "1:1", "input", "bool", "")+field("F2", "0:1", "select", "text", "")+field("F3", "1:2", "input", "file", "")))))
	f.Add([]byte(exportV3(field("F1", "1:1", "select", "text", `<xdf:werte><xdf:wert><xdf:code>a</xdf:code><xdf:name>A</xdf:name></xdf:wert></xdf:werte>`))))
	f.Add([]byte(export(field("F1", "1:1", "hidden", "num", `<xdf:inhalt>1.5</xdf:inhalt>`) + field("F2", "1:1", "label", "text", `<xdf:inhalt>Text</xdf:inhalt>`))))
	if dir, ok := vectors.Dir(); ok {
		files, _ := filepath.Glob(filepath.Join(dir, "xdatenfelder", "synthetic-*", "*.xml"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := fim.Import(bytes.NewReader(data), &fim.Options{MaxSize: 1 << 16, MaxElements: 5000})
		if err != nil {
			var fe *fim.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is a %T, not a *fim.Error", err, err)
			}
			return
		}
		if !json.Valid(res.Schema) {
			t.Fatalf("schema is not JSON: %s", res.Schema)
		}
		if _, err := forms.Load("fuzz.schema.json", res.Schema); err != nil {
			t.Fatalf("forms.Load: %v\n%s", err, res.Schema)
		}
	})
}

// FuzzReadGenericode feeds arbitrary bytes to the code list reader: it either fails with a
// *fim.Error or returns values that are all non-empty.
func FuzzReadGenericode(f *testing.F) {
	if b, err := os.ReadFile("testdata/geschlecht.gc.xml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`<CodeList><Identification><CanonicalUri>u</CanonicalUri></Identification><ColumnSet><Column Id="k"/></ColumnSet><SimpleCodeList><Row><Value ColumnRef="k"><SimpleValue>a</SimpleValue></Value></Row></SimpleCodeList></CodeList>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cl, err := fim.ReadGenericode(bytes.NewReader(data))
		if err != nil {
			var fe *fim.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is a %T, not a *fim.Error", err, err)
			}
			return
		}
		if cl.CanonicalURI == "" {
			t.Fatal("a code list without canonical URI was accepted")
		}
		for _, c := range cl.Codes {
			if c.Value == "" {
				t.Fatal("a code without value was accepted")
			}
		}
	})
}
