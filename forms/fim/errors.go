package fim

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors, wrapped by [*Error]; check them with errors.Is.
var (
	// ErrNotXML: the input is not well-formed XML (or carries a DTD, which is refused).
	ErrNotXML = errors.New("not well-formed XML")
	// ErrTooLarge: the input is larger, or has more elements, than Options allow.
	ErrTooLarge = errors.New("export too large")
	// ErrTooDeep: elements are nested deeper than Options allow.
	ErrTooDeep = errors.New("export nested too deeply")
	// ErrUnsupported: the document is not an XDatenfelder 2.0 or 3.0 Stammdatenschema or
	// Datenfeldgruppe message, e.g. an XDatenfelder 1.x export.
	ErrUnsupported = errors.New("unsupported document")
	// ErrInvalid: the export breaks a rule of XDatenfelder that the import depends on, such as
	// a cardinality (anzahl) that is not "min:max".
	ErrInvalid = errors.New("invalid export")
)

// Error is an import error: what is wrong, in which element and on which line of the export.
type Error struct {
	Element string // e.g. "<xdf:anzahl>"; "" when the problem is not in one element
	Line    int    // 1-based; 0 when unknown
	Err     error
}

func (e *Error) Error() string {
	s := "fim: "
	if e.Line > 0 {
		s += "line " + strconv.Itoa(e.Line) + ": "
	}
	if e.Element != "" {
		s += e.Element + ": "
	}
	return s + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

func invalid(n *node, format string, a ...any) error {
	return &Error{Element: n.tag(), Line: n.line, Err: fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))}
}
