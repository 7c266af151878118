package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "ozgkit.db")
	env := func(string) string { return "" }
	for _, tc := range []struct {
		name string
		args []string
		env  func(string) string
		code int
		out  string
	}{
		{"without a database it says how to name one", nil, env, 2, "set OZGKIT_DSN"},
		{"a check of a new database names what is missing", []string{"-check", "-dsn", dsn}, env, 1, "no migration has been applied"},
		{"a run applies the migrations", nil, func(k string) string { return map[string]string{"OZGKIT_DSN": dsn}[k] }, 0, "applied 0001_applications"},
		{"a second run has nothing to do", []string{"-dsn", dsn}, env, 0, "nothing to apply"},
		{"a check of the migrated database passes", []string{"-check", "-dsn", dsn}, env, 0, "schema is current"},
		{"an argument it does not know is refused", []string{"-dsn", dsn, "extra"}, env, 2, "unexpected argument"},
		{"an unknown kind of database is refused", []string{"-dsn", "mysql://x"}, env, 1, "DSN must start with"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(ctx, tc.args, tc.env, &out, &errOut)
			if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.out) {
				t.Fatalf("exit %d, output %q %q; want exit %d and %q", code, out.String(), errOut.String(), tc.code, tc.out)
			}
		})
	}
}
