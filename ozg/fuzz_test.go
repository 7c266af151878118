package ozg_test

import (
	"encoding/base64"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ozgkit/ozgkit/ozg"
)

// FuzzDecodeCursor feeds arbitrary cursors to DecodeCursor: a cursor it accepts must be
// exactly the one EncodeCursor writes for what it decoded, so one position has one cursor
// (no sign, leading zero, padding bit or other spelling of it passes).
func FuzzDecodeCursor(f *testing.F) {
	f.Add(ozg.EncodeCursor(time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), "0193c7d0-0000-7000-8000-000000000000"))
	f.Add("")
	f.Add("MTIzfA")
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("+123|a")))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("0123|a")))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("-0|a")))
	f.Add("MTIzfGF") // "123|a" with a non-zero padding bit
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("123|a\x00b")))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("123|\xff")))
	f.Fuzz(func(t *testing.T, cursor string) {
		at, id, err := ozg.DecodeCursor(cursor)
		if err != nil {
			if !errors.Is(err, ozg.ErrBadCursor) {
				t.Fatalf("cursor %q: error %v is no ErrBadCursor", cursor, err)
			}
			return
		}
		if again := ozg.EncodeCursor(at, id); again != cursor {
			t.Fatalf("cursor %q decoded to %v %q, which encodes as %q", cursor, at, id, again)
		}
		if !utf8.ValidString(id) || strings.ContainsFunc(id, unicode.IsControl) {
			t.Fatalf("cursor %q decoded to the id %q", cursor, id)
		}
	})
}

// FuzzCursorRoundTrip encodes arbitrary positions: every position with a printable UTF-8 id
// of at most 128 bytes comes back from its cursor unchanged, to the nanosecond.
func FuzzCursorRoundTrip(f *testing.F) {
	f.Add(int64(0), "0193c7d0-0000-7000-8000-000000000000")
	f.Add(int64(-1), "a|b")
	f.Add(int64(math.MaxInt64), "ä")
	f.Add(int64(math.MinInt64), "x")
	f.Fuzz(func(t *testing.T, ns int64, id string) {
		if id == "" || len(id) > 128 || !utf8.ValidString(id) || strings.ContainsFunc(id, unicode.IsControl) {
			return
		}
		at := time.Unix(0, ns).UTC()
		gotAt, gotID, err := ozg.DecodeCursor(ozg.EncodeCursor(at, id))
		if err != nil || !gotAt.Equal(at) || gotID != id {
			t.Fatalf("(%v, %q) came back as (%v, %q, %v)", at, id, gotAt, gotID, err)
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
