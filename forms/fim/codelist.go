package fim

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// CodeList is a code list (Codeliste) read from a genericode file, the format in which
// XRepository publishes the code lists FIM fields refer to.
type CodeList struct {
	CanonicalURI        string
	CanonicalVersionURI string
	Codes               []Code
}

// MaxCodes bounds the number of values ReadGenericode accepts.
const MaxCodes = 20_000

// ReadGenericode reads an OASIS genericode 1.0 code list: the key column gives the values,
// the first other column the labels. Its size is bounded by MaxSize and MaxCodes.
func ReadGenericode(r io.Reader) (*CodeList, error) {
	root, err := parse(r, parseLimits{maxSize: MaxSize, maxDepth: 16, maxElements: MaxElements})
	if err != nil {
		return nil, err
	}
	if root.name != "CodeList" {
		return nil, &Error{Element: "<" + root.name + ">", Line: root.line, Err: fmt.Errorf("%w: not a genericode CodeList", ErrUnsupported)}
	}
	id := root.child("Identification")
	cl := &CodeList{CanonicalURI: id.value("CanonicalUri"), CanonicalVersionURI: id.value("CanonicalVersionUri")}
	if cl.CanonicalURI == "" {
		return nil, &Error{Element: "<Identification>", Line: root.line, Err: fmt.Errorf("%w: no CanonicalUri", ErrInvalid)}
	}
	cols := root.child("ColumnSet")
	var key, lbl string
	if k := cols.child("Key"); k != nil {
		key, _ = k.child("ColumnRef").attr("Ref")
	}
	for _, c := range cols.all("Column") {
		cid, _ := c.attr("Id")
		switch {
		case key == "":
			key = cid
		case lbl == "" && cid != key:
			lbl = cid
		}
	}
	if key == "" {
		return nil, &Error{Element: "<ColumnSet>", Line: root.line, Err: fmt.Errorf("%w: no columns", ErrInvalid)}
	}
	list := root.child("SimpleCodeList")
	if list == nil {
		return nil, &Error{Element: "<CodeList>", Line: root.line, Err: errors.New("no SimpleCodeList")}
	}
	for _, row := range list.all("Row") {
		if len(cl.Codes) == MaxCodes {
			return nil, &Error{Element: "<Row>", Line: row.line, Err: fmt.Errorf("%w: more than %d values", ErrTooLarge, MaxCodes)}
		}
		var c Code
		for _, v := range row.all("Value") {
			ref, _ := v.attr("ColumnRef")
			text := strings.TrimSpace(v.value("SimpleValue"))
			switch ref {
			case key:
				c.Value = text
			case lbl:
				c.Label = text
			}
		}
		if c.Value == "" {
			return nil, &Error{Element: "<Row>", Line: row.line, Err: fmt.Errorf("%w: a row without a value in column %s", ErrInvalid, key)}
		}
		cl.Codes = append(cl.Codes, c)
	}
	return cl, nil
}
