package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/internal/vectors"
)

func TestRun(t *testing.T) {
	blaue, ok := vectors.Path("xdatenfelder", "fim-real", "BlaueKarte.xml")
	if !ok {
		t.Skipf("vector xdatenfelder/fim-real/BlaueKarte.xml not found (set %s)", vectors.EnvDir)
	}
	bad := filepath.Join(t.TempDir(), "bad.xml")
	if err := os.WriteFile(bad, []byte(`<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
<xdf:stammdatenschema><xdf:identifikation><xdf:id>S1</xdf:id></xdf:identifikation>
<xdf:struktur><xdf:anzahl>viele</xdf:anzahl></xdf:struktur></xdf:stammdatenschema></xdf:xdatenfelder.stammdatenschema.0102>`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string // a part of standard output
		stderr     string // a part of standard error
		jsonOutput bool
	}{
		{"a real export prints its schema and lists what is not enforced", []string{blaue}, 0, `"G00000630"`, "not enforced: codeList F00000065", true},
		{"a code list file makes its field a choice", []string{"-codelist", "../../forms/fim/testdata/geschlecht.gc.xml", blaue}, 0, `"enumLabels"`, "evidence f00001019", true},
		{"-report prints the whole result", []string{"-report", blaue}, 0, `"notEnforced"`, "", true},
		{"an invalid export names the element and line", []string{bad}, 1, "", "line 3: <xdf:anzahl>", false},
		{"a missing file is an error", []string{filepath.Join(t.TempDir(), "none.xml")}, 1, "", "no such file", false},
		{"no file is wrong usage", nil, 2, "", "usage: fim2form", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tc.args, &out, &errOut); code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, errOut.String())
			}
			if !strings.Contains(out.String(), tc.stdout) {
				t.Errorf("stdout lacks %q", tc.stdout)
			}
			if !strings.Contains(errOut.String(), tc.stderr) {
				t.Errorf("stderr lacks %q: %s", tc.stderr, errOut.String())
			}
			if tc.jsonOutput && !json.Valid(out.Bytes()) {
				t.Error("stdout is not JSON")
			}
		})
	}
}
