package mailbox

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by this package and by [Store] implementations, for use with errors.Is.
var (
	// ErrNotFound: no message with that id belongs to that owner. Another owner's message is
	// not found, never forbidden, so ids cannot be probed.
	ErrNotFound = errors.New("mailbox: message not found")
	// ErrExists: a message with that id is already stored.
	ErrExists = errors.New("mailbox: message already exists")
	// ErrInvalid: a message, attachment, reply or query breaks a rule; the error is a
	// *[ValidationError] naming the fields.
	ErrInvalid = errors.New("mailbox: invalid input")
	// ErrLevelTooLow: the login's trust level is below the message's; the error is a
	// *[LevelError] naming the level needed.
	ErrLevelTooLow = errors.New("mailbox: trust level too low")
	// ErrReplyNotAllowed: the message is no query open for a reply (wrong kind, replies not
	// allowed, or past its due date), or replies are not configured.
	ErrReplyNotAllowed = errors.New("mailbox: reply not allowed")
	// ErrAlreadyReplied: the query already has the citizen's reply.
	ErrAlreadyReplied = errors.New("mailbox: query already answered")
	// ErrBadCursor: a pagination cursor was not issued by this mailbox for this owner and
	// filter, or was altered.
	ErrBadCursor = errors.New("mailbox: invalid pagination cursor")
	// ErrNoAttachment: the message has no attachment with that number.
	ErrNoAttachment = errors.New("mailbox: attachment not found")
)

// FieldError names one field that is wrong, in German and English.
type FieldError struct {
	// Field is the field's JSON name, with indexes for lists, e.g. "subject" or
	// "attachments/0/name".
	Field string
	// Code is a stable reason: "required", "maxLength", "controlCharacter", "invalid",
	// "maxItems", "maxSize", "notAllowed".
	Code string
	// Message says what is wrong in German, for the citizen or the caseworker.
	Message string
	// MessageEN says it in English.
	MessageEN string
}

// ValidationError lists every field of a message or request that breaks a rule. It wraps
// [ErrInvalid].
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("mailbox: invalid input: ")
	for i, f := range e.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.MessageEN)
	}
	return b.String()
}

// Unwrap returns [ErrInvalid].
func (e *ValidationError) Unwrap() error { return ErrInvalid }

func (e *ValidationError) add(field, code, de, en string) {
	e.Errors = append(e.Errors, FieldError{Field: field, Code: code, Message: de, MessageEN: en})
}

func (e *ValidationError) orNil() error {
	if e == nil || len(e.Errors) == 0 {
		return nil
	}
	return e
}

// LevelError says which trust level a message needs. It wraps [ErrLevelTooLow].
type LevelError struct {
	// Required is the level the message needs; Have is the level of the login.
	Required, Have Level
}

func (e *LevelError) Error() string {
	return fmt.Sprintf("mailbox: trust level %s needed to read this message, login has %s", e.Required, e.Have)
}

// Unwrap returns [ErrLevelTooLow].
func (e *LevelError) Unwrap() error { return ErrLevelTooLow }
