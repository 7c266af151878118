package mailbox_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/mailbox/mailboxtest"
)

func TestValidateAcceptsAValidMessage(t *testing.T) {
	m := mailboxtest.Fixture("m1", "alice", 0)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	m.Subject = strings.Repeat("ä", mailbox.MaxSubjectLength)
	m.Body = strings.Repeat("x", mailbox.MaxBodySize)
	if err := m.Validate(); err != nil {
		t.Fatalf("message at the bounds: %v", err)
	}
}

func TestValidateRefusesBadMessages(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(m *mailbox.Message)
		field  string
		code   string
	}{
		{"an empty owner is refused", func(m *mailbox.Message) { m.Owner = "" }, "owner", "required"},
		{"a blank owner is refused", func(m *mailbox.Message) { m.Owner = "  " }, "owner", "required"},
		{"a subject over 255 characters is refused", func(m *mailbox.Message) { m.Subject = strings.Repeat("ä", 256) }, "subject", "maxLength"},
		{"an empty subject is refused", func(m *mailbox.Message) { m.Subject = "" }, "subject", "required"},
		{"a line break in the subject is refused", func(m *mailbox.Message) { m.Subject = "Betreff\nBcc: x" }, "subject", "controlCharacter"},
		{"a NUL in the subject is refused", func(m *mailbox.Message) { m.Subject = "Betreff\x00" }, "subject", "controlCharacter"},
		{"a body over 64 KiB is refused", func(m *mailbox.Message) { m.Body = strings.Repeat("x", mailbox.MaxBodySize+1) }, "body", "maxLength"},
		{"an escape sequence in the body is refused", func(m *mailbox.Message) { m.Body = "Text \x1b[2J" }, "body", "controlCharacter"},
		{"a C1 control character in the body is refused", func(m *mailbox.Message) { m.Body = "Text \u0085" }, "body", "controlCharacter"},
		{"a DEL in the body is refused", func(m *mailbox.Message) { m.Body = "Text \x7f" }, "body", "controlCharacter"},
		{"invalid UTF-8 in the body is refused", func(m *mailbox.Message) { m.Body = "Text \xff" }, "body", "invalid"},
		{"an unknown kind is refused", func(m *mailbox.Message) { m.Kind = "spam" }, "kind", "invalid"},
		{"a status message without status is refused", func(m *mailbox.Message) { m.Status = "" }, "status", "required"},
		{"a status outside the BundID vocabulary is refused", func(m *mailbox.Message) { m.Status = "DONE" }, "status", "invalid"},
		{"a message without sender is refused", func(m *mailbox.Message) { m.Sender.Name = "" }, "sender/name", "required"},
		{"an unknown trust level is refused", func(m *mailbox.Message) { m.MinLevel = 7 }, "minLevel", "invalid"},
		{"a malformed id is refused", func(m *mailbox.Message) { m.ID = "../etc" }, "id", "invalid"},
		{"a message without creation time is refused", func(m *mailbox.Message) { m.Created = time.Time{} }, "created", "required"},
		{"a reply flag on a non-query is refused", func(m *mailbox.Message) { m.ReplyAllowed = true }, "replyAllowed", "notAllowed"},
		{"too many attachments are refused", func(m *mailbox.Message) {
			for len(m.Attachments) <= mailbox.MaxAttachments {
				m.Attachments = append(m.Attachments, m.Attachments[0])
			}
		}, "attachments", "maxItems"},
		{"an attachment name with a path is refused", func(m *mailbox.Message) { m.Attachments[0].Name = "../../etc/passwd" }, "attachments/0/name", "invalid"},
		{"an attachment name with a bidi override is refused", func(m *mailbox.Message) { m.Attachments[0].Name = "rechnung\u202efdp.exe" }, "attachments/0/name", "controlCharacter"},
		{"an attachment name with a control character is refused", func(m *mailbox.Message) { m.Attachments[0].Name = "a\x00.pdf" }, "attachments/0/name", "controlCharacter"},
		{"a malformed media type is refused", func(m *mailbox.Message) { m.Attachments[0].MediaType = "pdf" }, "attachments/0/mediaType", "invalid"},
		{"a malformed SHA-512 is refused", func(m *mailbox.Message) { m.Attachments[0].SHA512 = "abc" }, "attachments/0/sha512", "invalid"},
		{"a negative attachment size is refused", func(m *mailbox.Message) { m.Attachments[0].Size = -1 }, "attachments/0/size", "invalid"},
		{"a reply without the query it answers is refused", func(m *mailbox.Message) { m.Kind, m.Status, m.Attachments = mailbox.KindReply, "", nil }, "inReplyTo", "required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mailboxtest.Fixture("m1", "alice", 0)
			tc.change(&m)
			err := m.Validate()
			var ve *mailbox.ValidationError
			if !errors.Is(err, mailbox.ErrInvalid) || !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			for _, f := range ve.Errors {
				if f.Field == tc.field && f.Code == tc.code {
					if f.Message == "" || f.MessageEN == "" {
						t.Fatalf("field error without messages: %+v", f)
					}
					return
				}
			}
			t.Fatalf("errors %+v do not name %s (%s)", ve.Errors, tc.field, tc.code)
		})
	}
}

func TestBodyHTMLEscapesMarkup(t *testing.T) {
	m := mailbox.Message{Body: "<script>alert(1)</script>\n& \"x\""}
	got := string(m.BodyHTML())
	want := "&lt;script&gt;alert(1)&lt;/script&gt;<br>\n&amp; &#34;x&#34;"
	if got != want {
		t.Fatalf("BodyHTML = %q, want %q", got, want)
	}
}

func TestLevelMatchesIdentityOrder(t *testing.T) {
	for i, name := range []string{"none", "basic", "low", "substantial", "high"} {
		l, err := mailbox.ParseLevel(name)
		if err != nil || int(l) != i || l.String() != name {
			t.Errorf("ParseLevel(%q) = %d, %v; want %d", name, l, err, i)
		}
	}
	if !mailbox.LevelHigh.Meets(mailbox.LevelSubstantial) || mailbox.LevelBasic.Meets(mailbox.LevelLow) {
		t.Fatal("Meets does not follow the order")
	}
	if _, err := mailbox.ParseLevel("STORK-QAA-Level-4"); !errors.Is(err, mailbox.ErrUnknownLevel) {
		t.Fatalf("ParseLevel of an unknown name: %v", err)
	}
}
