package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// layout is what encoding/json forgets about a schema document: the order of object keys and
// where each value starts, so that fields render in the order they were written and schema
// errors can name a line and column.
type layout struct {
	src    []byte
	keys   map[string][]string // JSON pointer of an object -> its keys in order
	offset map[string]int64    // JSON pointer of a value -> byte offset near its start
}

// maxSchemaDepth bounds the nesting of a schema document.
const maxSchemaDepth = 64

func scanLayout(src []byte) (*layout, error) {
	l := &layout{src: src, keys: map[string][]string{}, offset: map[string]int64{}}
	d := json.NewDecoder(bytes.NewReader(src))
	d.UseNumber()
	if err := l.value(d, "", 0); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, &SchemaError{Pointer: "", Err: errors.New("trailing data after the schema")}
	}
	return l, nil
}

func (l *layout) value(d *json.Decoder, ptr string, depth int) error {
	if depth > maxSchemaDepth {
		return &SchemaError{Pointer: ptr, Err: fmt.Errorf("nested deeper than %d levels", maxSchemaDepth)}
	}
	l.offset[ptr] = d.InputOffset()
	t, err := d.Token()
	if err != nil {
		return &SchemaError{Pointer: ptr, Err: err}
	}
	delim, ok := t.(json.Delim)
	if !ok {
		return nil
	}
	switch delim {
	case '{':
		var keys []string
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return &SchemaError{Pointer: ptr, Err: err}
			}
			k, _ := kt.(string)
			keys = append(keys, k)
			if err := l.value(d, ptr+"/"+escapePointer(k), depth+1); err != nil {
				return err
			}
		}
		l.keys[ptr] = keys
	case '[':
		for i := 0; d.More(); i++ {
			if err := l.value(d, ptr+"/"+strconv.Itoa(i), depth+1); err != nil {
				return err
			}
		}
	}
	if _, err := d.Token(); err != nil { // closing delimiter
		return &SchemaError{Pointer: ptr, Err: err}
	}
	return nil
}

// position returns the 1-based line and column of byte offset off in src.
func position(src []byte, off int64) (line, col int) {
	if off < 0 || off > int64(len(src)) {
		return 0, 0
	}
	// Skip the separator and whitespace the decoder leaves before a value.
	for off < int64(len(src)) && strings.IndexByte(" \t\r\n:,", src[off]) >= 0 {
		off++
	}
	before := src[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// locate fills in the line and column of e from its pointer, using the nearest known ancestor.
func (l *layout) locate(e *SchemaError) {
	if l == nil || e.Line > 0 {
		return
	}
	p := e.Pointer
	for {
		if off, ok := l.offset[p]; ok {
			e.Line, e.Column = position(l.src, off)
			return
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return
		}
		p = p[:i]
	}
}

// escapePointer escapes one JSON pointer reference token (RFC 6901).
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// unescapePointer undoes escapePointer.
func unescapePointer(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// splitPointer splits a JSON pointer into its unescaped reference tokens.
func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range parts {
		parts[i] = unescapePointer(s)
	}
	return parts
}
