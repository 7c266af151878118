package fim

import (
	"bytes"
	"encoding/json"
)

// obj is a JSON object that keeps its keys in the order they were set, so that the schema
// lists properties, and forms renders fields, in the order of the export.
type obj struct {
	keys []string
	vals map[string]any
}

func newObj() *obj { return &obj{vals: map[string]any{}} }

func (o *obj) set(k string, v any) *obj {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
	return o
}

func (o *obj) get(k string) any { return o.vals[k] }

func (o *obj) has(k string) bool { _, ok := o.vals[k]; return ok }

// sub returns the object under k, creating it when there is none.
func (o *obj) sub(k string) *obj {
	if s, ok := o.vals[k].(*obj); ok {
		return s
	}
	s := newObj()
	o.set(k, s)
	return s
}

func (o *obj) len() int { return len(o.keys) }

// MarshalJSON writes the keys in order and leaves <, > and & unescaped, which keeps German
// texts such as "Größe & Augenfarbe" readable in the schema.
func (o *obj) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := o.write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// write appends the object to buf, nested objects directly, so that encoding/json does not
// check and compact the output of every level again.
func (o *obj) write(buf *bytes.Buffer) error {
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := encode(buf, k); err != nil {
			return err
		}
		buf.WriteByte(':')
		var err error
		switch v := o.vals[k].(type) {
		case *obj:
			err = v.write(buf)
		case []*obj:
			buf.WriteByte('[')
			for j, e := range v {
				if j > 0 {
					buf.WriteByte(',')
				}
				if err = e.write(buf); err != nil {
					break
				}
			}
			buf.WriteByte(']')
		default:
			err = encode(buf, v)
		}
		if err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

func encode(buf *bytes.Buffer, v any) error {
	e := json.NewEncoder(buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}

// indentObj renders an object as indented JSON.
func indentObj(o *obj) ([]byte, error) {
	var flat, out bytes.Buffer
	if err := o.write(&flat); err != nil {
		return nil, err
	}
	if err := json.Indent(&out, flat.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// marshalIndent renders v as indented JSON without HTML escaping.
func marshalIndent(v any) ([]byte, error) {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
