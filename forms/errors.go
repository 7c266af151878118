package forms

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ozgkit/ozgkit/internal/problem"
)

// Errors returned by this package, for use with errors.Is.
var (
	// ErrSchema: the schema or its UI hints do not compile. The error is a *SchemaError.
	ErrSchema = errors.New("forms: invalid schema")
	// ErrDocument: the document is not JSON, too large, too deep, or does not match the schema.
	// The error is a *ValidationError.
	ErrDocument = errors.New("forms: invalid document")
	// ErrUnknownStep: a step (page) name the form does not have.
	ErrUnknownStep = errors.New("forms: unknown step")
)

// SchemaError says why a schema was refused and where: the JSON pointer of the offending part of
// the schema and, when known, its line and column (1-based).
type SchemaError struct {
	Name    string // the name the form was loaded under
	Pointer string // JSON pointer into the schema; "" for the whole document
	Line    int    // 0 if unknown
	Column  int    // 0 if unknown
	Err     error  // the cause
}

func (e *SchemaError) Error() string {
	var b strings.Builder
	b.WriteString("forms: invalid schema ")
	b.WriteString(e.Name)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	if e.Pointer != "" {
		fmt.Fprintf(&b, " at %s", e.Pointer)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns ErrSchema and the cause, so that errors.Is(err, ErrSchema) holds.
func (e *SchemaError) Unwrap() []error { return []error{ErrSchema, e.Err} }

// FieldError is one problem with one field of a document.
type FieldError struct {
	// Pointer is the JSON pointer (RFC 6901) of the field, e.g. "/haushalt/0/geburtsdatum".
	Pointer string `json:"pointer"`
	// Keyword is the stable reason: the JSON Schema keyword ("required", "format", "maxLength"),
	// the validator tag for typed decoding ("validator:eqfield"), "x-date" for a date bound, or
	// one of the checks of a document before validation ("json", "documentSize", "depth",
	// "arrayLength", "duplicateKey", "numberRange").
	Keyword string `json:"keyword"`
	// Message says in German, for the citizen, what to do.
	Message string `json:"message"`
	// MessageEN says it in English.
	MessageEN string `json:"messageEn"`
}

// ValidationError lists every problem found in a document, one entry per field and reason, in
// the order of the form's fields. It wraps ErrDocument.
type ValidationError struct {
	Form   string       // the form's name
	Errors []FieldError // never empty
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "forms: invalid document for %s: ", e.Form)
	for i, fe := range e.Errors {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Errors)-3)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		p := fe.Pointer
		if p == "" {
			p = "/"
		}
		fmt.Fprintf(&b, "%s: %s (%s)", p, fe.MessageEN, fe.Keyword)
	}
	return b.String()
}

// Unwrap returns ErrDocument.
func (e *ValidationError) Unwrap() error { return ErrDocument }

// Field returns the errors of the field at pointer (exactly that pointer).
func (e *ValidationError) Field(pointer string) []FieldError {
	var out []FieldError
	for _, fe := range e.Errors {
		if fe.Pointer == pointer {
			out = append(out, fe)
		}
	}
	return out
}

// Problem returns the entries as RFC 7807 field errors for internal/problem.
func (e *ValidationError) Problem() []problem.FieldError {
	out := make([]problem.FieldError, len(e.Errors))
	for i, fe := range e.Errors {
		out[i] = problem.FieldError{Pointer: fe.Pointer, Code: fe.Keyword, Message: fe.Message, MessageEN: fe.MessageEN}
	}
	return out
}

// Text returns the message of fe in lang ("de" or "en"; anything else gives German).
func (fe FieldError) Text(lang string) string {
	if lang == "en" && fe.MessageEN != "" {
		return fe.MessageEN
	}
	return fe.Message
}
