package mailbox

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestCursorRoundTrip(t *testing.T) {
	p := Position{Created: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), ID: "ABC_def-123"}
	f := Filter{Application: "A-1", Kind: KindNotice}
	s := encodeCursor(testKey, "alice", f, p)
	got, err := decodeCursor(testKey, "alice", f, s)
	if err != nil || !got.Created.Equal(p.Created) || got.ID != p.ID {
		t.Fatalf("decode = %+v, %v; want %+v", got, err, p)
	}
	if len(s) > maxCursorLength {
		t.Fatalf("cursor of %d characters exceeds the bound %d", len(s), maxCursorLength)
	}
	long := encodeCursor(testKey, "alice", f, Position{Created: p.Created, ID: strings.Repeat("A", MaxIDLength)})
	if _, err := decodeCursor(testKey, "alice", f, long); err != nil {
		t.Fatalf("a cursor with the longest id is refused: %v", err)
	}
}

// FuzzDecodeCursor checks that only cursors issued by encodeCursor are accepted: whatever
// decodes is exactly the encoding of the position it yields.
func FuzzDecodeCursor(f *testing.F) {
	p := Position{Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ID: "m1"}
	f.Add(encodeCursor(testKey, "alice", Filter{}, p))
	f.Add("")
	f.Add("AQAAAAAAAAAAbTE")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := decodeCursor(testKey, "alice", Filter{}, s)
		if err != nil {
			if !errors.Is(err, ErrBadCursor) {
				t.Fatalf("error %v does not wrap ErrBadCursor", err)
			}
			return
		}
		if again := encodeCursor(testKey, "alice", Filter{}, got); again != s {
			t.Fatalf("accepted %q, which is not the issued cursor %q", s, again)
		}
	})
}

// FuzzValidate checks that whatever passes validation keeps the bounds and character rules.
func FuzzValidate(f *testing.F) {
	f.Add("Betreff", "Text\nmit Zeilen", "a.pdf")
	f.Add("\x00", "\x1b[2J", "../x")
	f.Add(strings.Repeat("ä", 256), "<script>", "a\u202e.exe")
	f.Fuzz(func(t *testing.T, subject, body, name string) {
		m := Message{
			ID: "m1", Owner: "alice", Kind: KindNotice, Subject: subject, Body: body,
			Sender: Sender{Name: "Amt"}, Created: time.Unix(1, 0),
			Attachments: []Attachment{{Name: name, MediaType: "application/pdf", SHA512: strings.Repeat("0", 128), BlobKey: "k"}},
		}
		err := m.Validate()
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) == 0 {
				t.Fatalf("error %v is no ValidationError with entries", err)
			}
			return
		}
		if len([]rune(subject)) > MaxSubjectLength || len(body) > MaxBodySize || strings.ContainsAny(name, `/\`) {
			t.Fatal("a message beyond the bounds passed")
		}
		for _, r := range subject + name {
			if unicode.IsControl(r) {
				t.Fatalf("control character %U passed in subject or name", r)
			}
		}
		for _, r := range body {
			if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
				t.Fatalf("control character %U passed in body", r)
			}
		}
	})
}
