package fim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// node is one XML element of an export, with the line it starts on.
type node struct {
	space, name string
	attrs       []xml.Attr
	children    []*node
	text        strings.Builder
	line        int
}

// child returns the first child element with the local name, or nil.
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// all returns the child elements with the local name.
func (n *node) all(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, c := range n.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// value returns the trimmed text of the child with the local name, "" if there is none.
func (n *node) value(name string) string {
	c := n.child(name)
	if c == nil {
		return ""
	}
	return strings.TrimSpace(c.text.String())
}

// code returns the text of <name><code>…</code></name>, the way XÖV standards write a code.
func (n *node) code(name string) string {
	return strings.TrimSpace(n.child(name).value("code"))
}

// attr returns the value of the attribute with the local name, and whether it is there.
func (n *node) attr(name string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// tag is how errors name the element: with the prefix xdf: that exports use.
func (n *node) tag() string { return "<xdf:" + n.name + ">" }

// parseLimits bound what parse reads from outside.
type parseLimits struct {
	maxSize     int64
	maxDepth    int
	maxElements int
}

// parse reads an XML document into a tree, refusing one larger, deeper or with more elements
// than the limits allow. Errors are *Error with the line of the problem.
func parse(r io.Reader, lim parseLimits) (*node, error) {
	data, err := io.ReadAll(io.LimitReader(r, lim.maxSize+1))
	if err != nil {
		return nil, &Error{Err: fmt.Errorf("read: %w", err)}
	}
	if int64(len(data)) > lim.maxSize {
		return nil, &Error{Err: fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, lim.maxSize)}
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") || strings.EqualFold(label, "utf8") {
			return in, nil
		}
		return nil, fmt.Errorf("encoding %q: FIM exports are UTF-8", label)
	}
	var (
		root  *node
		stack []*node
		count int
	)
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, &Error{Line: se.Line, Err: fmt.Errorf("%w: %s", ErrNotXML, se.Msg)}
			}
			l, _ := d.InputPos()
			return nil, &Error{Line: l, Err: fmt.Errorf("%w: %v", ErrNotXML, err)}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > lim.maxElements {
				return nil, &Error{Line: line, Err: fmt.Errorf("%w: more than %d elements", ErrTooLarge, lim.maxElements)}
			}
			if len(stack) >= lim.maxDepth {
				return nil, &Error{Element: "<xdf:" + t.Name.Local + ">", Line: line, Err: fmt.Errorf("%w: elements nested deeper than %d", ErrTooDeep, lim.maxDepth)}
			}
			n := &node{space: t.Name.Space, name: t.Name.Local, attrs: t.Attr, line: line}
			if len(stack) == 0 {
				if root != nil {
					return nil, &Error{Line: line, Err: fmt.Errorf("%w: a second root element", ErrNotXML)}
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		case xml.Directive:
			return nil, &Error{Line: line, Err: fmt.Errorf("%w: a DTD or other directive is not accepted", ErrNotXML)}
		}
	}
	if root == nil {
		return nil, &Error{Err: fmt.Errorf("%w: no root element", ErrNotXML)}
	}
	return root, nil
}
