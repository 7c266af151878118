package main

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLintDescriptor feeds arbitrary descriptor files to the linter: it must never panic, and a
// descriptor it passes must build a service that validates.
func FuzzLintDescriptor(f *testing.F) {
	for _, seed := range []string{"testdata/wohngeld.json", "testdata/parkausweis.json", "testdata/bad/fields.json", "testdata/bad/level.json"} {
		b, err := os.ReadFile(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"form": "/etc/passwd"}`))
	f.Add([]byte(`{"level": 7, "fee": {"amount": -1}} trailing`))
	schema, err := os.ReadFile("testdata/wohngeld.schema.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "wohngeld.schema.json"), schema, 0o600); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "d.json")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		svc, problems, err := loadDescriptor(path)
		if err != nil {
			t.Fatalf("a readable file gave an error: %v", err)
		}
		for _, p := range problems {
			if p.Message == "" {
				t.Fatalf("a problem without a message: %+v", p)
			}
		}
		if len(problems) == 0 {
			if svc == nil || svc.Form == nil {
				t.Fatal("no problems but no service with a form")
			}
			if err := svc.Validate(); err != nil {
				t.Fatalf("passed the linter but does not validate: %v", err)
			}
		}
	})
}
