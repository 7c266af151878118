package ozg_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

func FuzzDecodeCursor(f *testing.F) {
	f.Add(ozg.EncodeCursor(time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), "0193c7d0-0000-7000-8000-000000000000"))
	f.Add("")
	f.Add("MTIzfA")
	f.Fuzz(func(t *testing.T, cursor string) {
		at, id, err := ozg.DecodeCursor(cursor)
		if err != nil {
			return
		}
		if again := ozg.EncodeCursor(at, id); again != cursor {
			if _, id2, err := ozg.DecodeCursor(again); err != nil || id2 != id {
				t.Fatalf("cursor %q decoded to %v %q, which does not round-trip", cursor, at, id)
			}
		}
	})
}

func FuzzRegionScope(f *testing.F) {
	for _, s := range []string{"010020000000", "01", "091620000000", "170000000000", "01002x000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ars string) {
		scope, err := ozg.RegionScope(ars)
		if err != nil {
			return
		}
		if !strings.HasPrefix(ars, scope) || strings.Trim(ars[len(scope):], "0") != "" {
			t.Fatalf("RegionScope(%q) = %q: not a prefix followed by zeros", ars, scope)
		}
	})
}
