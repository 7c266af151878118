// Package formstest checks rendered forms the way an assistive technology and a browser see them:
// [Check] tests the accessibility rules of labels, ids, fieldsets and error links; [Submit]
// collects what a browser would send when a button of the form is pressed.
//
// They work on any HTML form, not only those of package forms.
package formstest

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Run calls Check on the HTML in r and reports each problem with t.Error.
func Run(t testing.TB, r io.Reader) {
	t.Helper()
	if err := Check(r); err != nil {
		for _, e := range unjoin(err) {
			t.Error(e)
		}
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Check parses the HTML in r and returns every accessibility problem it finds (joined with
// errors.Join), or nil. The rules (WCAG 2.1 AA / BITV 2.0 success criteria 1.3.1, 2.4.6, 3.3.1,
// 3.3.2, 4.1.1, 4.1.2, in the GOV.UK Design System's patterns):
//
//   - ids are unique;
//   - every visible input, select and textarea has an id and a non-empty <label for> naming it;
//   - every fieldset starts with a non-empty legend, and radios and checkboxes that share a name
//     sit in a fieldset;
//   - every id in aria-describedby exists;
//   - every input marked aria-invalid="true" is described (aria-describedby, on it or its
//     fieldset) by a non-empty error message, and is linked from the error summary (an element
//     with role="alert"), directly or through another input of the same name;
//   - every link of the error summary points to an existing form control (an input, select,
//     textarea, or a button such as the one that adds the first entry of an empty list);
//   - every button has a text.
func Check(r io.Reader) error {
	doc, err := html.Parse(r)
	if err != nil {
		return fmt.Errorf("formstest: parse: %w", err)
	}
	c := checker{ids: map[string]*html.Node{}, labels: map[string]string{}}
	c.collect(doc)
	c.check(doc)
	return errors.Join(c.errs...)
}

type checker struct {
	ids     map[string]*html.Node
	labels  map[string]string // for -> label text
	summary []*html.Node      // links in role=alert
	errs    []error
}

func (c *checker) fail(format string, a ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, a...))
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

func (c *checker) collect(n *html.Node) {
	if n.Type == html.ElementNode {
		if id, ok := attr(n, "id"); ok {
			if id == "" {
				c.fail("<%s> has an empty id", n.Data)
			} else if _, dup := c.ids[id]; dup {
				c.fail("id %q is used twice", id)
			} else {
				c.ids[id] = n
			}
		}
		if n.DataAtom == atom.Label {
			if f, ok := attr(n, "for"); ok {
				c.labels[f] = text(n)
			}
		}
		if role, _ := attr(n, "role"); role == "alert" {
			c.links(n)
		}
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.collect(ch)
	}
}

func (c *checker) links(n *html.Node) {
	if n.Type == html.ElementNode && n.DataAtom == atom.A {
		c.summary = append(c.summary, n)
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.links(ch)
	}
}

func isControl(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.DataAtom {
	case atom.Select, atom.Textarea:
		return true
	case atom.Input:
		t, _ := attr(n, "type")
		switch t {
		case "hidden", "submit", "button", "reset", "image":
			return false
		}
		return true
	}
	return false
}

func inputType(n *html.Node) string {
	t, _ := attr(n, "type")
	return t
}

func (c *checker) check(doc *html.Node) {
	var controls []*html.Node
	fieldsetOf := map[*html.Node]*html.Node{}
	groups := map[string][]*html.Node{}
	var walk func(n, fieldset *html.Node)
	walk = func(n, fieldset *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case n.DataAtom == atom.Fieldset:
				fieldset = n
				first := n.FirstChild
				for first != nil && first.Type != html.ElementNode {
					first = first.NextSibling
				}
				if first == nil || first.DataAtom != atom.Legend || text(first) == "" {
					c.fail("fieldset %s does not start with a legend", describe(n))
				}
			case n.DataAtom == atom.Button:
				if text(n) == "" {
					c.fail("button %s has no text", describe(n))
				}
			case isControl(n):
				controls = append(controls, n)
				fieldsetOf[n] = fieldset
				if t := inputType(n); t == "radio" || t == "checkbox" {
					name, _ := attr(n, "name")
					groups[name] = append(groups[name], n)
				}
			}
			if d, ok := attr(n, "aria-describedby"); ok {
				for _, id := range strings.Fields(d) {
					if c.ids[id] == nil {
						c.fail("%s: aria-describedby names %q, which does not exist", describe(n), id)
					}
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, fieldset)
		}
	}
	walk(doc, nil)

	linked := map[string]bool{}
	for _, a := range c.summary {
		href, _ := attr(a, "href")
		id, ok := strings.CutPrefix(href, "#")
		target := c.ids[id]
		if !ok || target == nil || !isControl(target) && target.DataAtom != atom.Button {
			c.fail("error summary link %q (%q) does not point to a form control", href, text(a))
			continue
		}
		linked[id] = true
		if name, _ := attr(target, "name"); name != "" {
			linked["name:"+name] = true
		}
	}

	for _, n := range controls {
		id, _ := attr(n, "id")
		if id == "" {
			c.fail("%s has no id, so no label can name it", describe(n))
		} else if l, ok := c.labels[id]; !ok || l == "" {
			c.fail("%s has no <label for=%q>", describe(n), id)
		}
		if t := inputType(n); t == "radio" || t == "checkbox" {
			name, _ := attr(n, "name")
			if len(groups[name]) > 1 && fieldsetOf[n] == nil {
				c.fail("%s: a group of %ss is not in a fieldset", describe(n), t)
			}
		}
		if inv, _ := attr(n, "aria-invalid"); inv == "true" {
			if !c.describedByMessage(n) && !(fieldsetOf[n] != nil && c.describedByMessage(fieldsetOf[n])) {
				c.fail("%s is invalid but no error message describes it", describe(n))
			}
			name, _ := attr(n, "name")
			if !linked[id] && !linked["name:"+name] {
				c.fail("%s is invalid but the error summary does not link to it", describe(n))
			}
		}
	}
}

func (c *checker) describedByMessage(n *html.Node) bool {
	d, _ := attr(n, "aria-describedby")
	for _, id := range strings.Fields(d) {
		if m := c.ids[id]; m != nil && text(m) != "" {
			return true
		}
	}
	return false
}

func describe(n *html.Node) string {
	id, _ := attr(n, "id")
	name, _ := attr(n, "name")
	return fmt.Sprintf("<%s id=%q name=%q>", n.Data, id, name)
}

// Submit parses the HTML form in r and returns what a browser sends when the submit button with
// the given name and value is pressed ("" presses none): the successful controls in document
// order — text-like inputs and hidden inputs with their value, checked radios and checkboxes,
// selected options (the first option of a single select when none is), textareas.
func Submit(r io.Reader, buttonName, buttonValue string) (url.Values, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("formstest: parse: %w", err)
	}
	return collect(doc, buttonName, buttonValue)
}

// Fill is Submit after a citizen's answers, by control name, have been entered as a browser
// lets them be: a text input or textarea takes the (single) value; a select and a group of
// radios choose the option or radio with that value; checkboxes of that name are ticked exactly
// for the values given (none for an empty list). A name that no visible control of the page has,
// or a value that no option or radio offers, is an error: the citizen cannot answer a question
// the page does not ask.
func Fill(r io.Reader, answers map[string][]string, buttonName, buttonValue string) (url.Values, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("formstest: parse: %w", err)
	}
	for name, vs := range answers {
		if err := fill(doc, name, vs); err != nil {
			return nil, err
		}
	}
	return collect(doc, buttonName, buttonValue)
}

func setAttr(n *html.Node, key, val string) {
	for i := range n.Attr {
		if n.Attr[i].Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func delAttr(n *html.Node, key string) {
	out := n.Attr[:0]
	for _, a := range n.Attr {
		if a.Key != key {
			out = append(out, a)
		}
	}
	n.Attr = out
}

func fill(doc *html.Node, name string, vs []string) error {
	var controls []*html.Node
	for n := range doc.Descendants() {
		if isControl(n) {
			if nm, _ := attr(n, "name"); nm == name {
				controls = append(controls, n)
			}
		}
	}
	if len(controls) == 0 {
		return fmt.Errorf("formstest: the page has no control named %q", name)
	}
	one := func() (string, error) {
		if len(vs) != 1 {
			return "", fmt.Errorf("formstest: %q takes one value, not %d", name, len(vs))
		}
		return vs[0], nil
	}
	switch c := controls[0]; {
	case c.DataAtom == atom.Textarea:
		v, err := one()
		if err != nil {
			return err
		}
		for ch := c.FirstChild; ch != nil; ch = c.FirstChild {
			c.RemoveChild(ch)
		}
		c.AppendChild(&html.Node{Type: html.TextNode, Data: v})
	case c.DataAtom == atom.Select:
		v, err := one()
		if err != nil {
			return err
		}
		found := false
		for o := range c.Descendants() {
			if o.Type == html.ElementNode && o.DataAtom == atom.Option {
				ov, ok := attr(o, "value")
				if !ok {
					ov = text(o)
				}
				delAttr(o, "selected")
				if ov == v && !found {
					setAttr(o, "selected", "")
					found = true
				}
			}
		}
		if !found {
			return fmt.Errorf("formstest: select %q has no option %q", name, v)
		}
	case inputType(c) == "radio" || inputType(c) == "checkbox":
		want := map[string]bool{}
		for _, v := range vs {
			want[v] = true
		}
		if inputType(c) == "radio" && len(vs) != 1 {
			return fmt.Errorf("formstest: radios %q take one value, not %d", name, len(vs))
		}
		hit := 0
		for _, n := range controls {
			v, ok := attr(n, "value")
			if !ok {
				v = "on"
			}
			delAttr(n, "checked")
			if want[v] {
				setAttr(n, "checked", "")
				hit++
			}
		}
		if hit != len(want) {
			return fmt.Errorf("formstest: %q offers no choice for some of %q", name, vs)
		}
	default:
		v, err := one()
		if err != nil {
			return err
		}
		setAttr(c, "value", v)
	}
	return nil
}

func collect(doc *html.Node, buttonName, buttonValue string) (url.Values, error) {
	vals := url.Values{}
	found := buttonName == ""
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name, hasName := attr(n, "name")
			_, disabled := attr(n, "disabled")
			if hasName && name != "" && !disabled {
				switch n.DataAtom {
				case atom.Input:
					v, hasValue := attr(n, "value")
					switch inputType(n) {
					case "radio", "checkbox":
						if _, checked := attr(n, "checked"); checked {
							if !hasValue {
								v = "on"
							}
							vals.Add(name, v)
						}
					case "submit", "button", "reset", "image", "file":
					default:
						vals.Add(name, v)
					}
				case atom.Textarea:
					v := ""
					if n.FirstChild != nil && n.FirstChild.Type == html.TextNode {
						v = n.FirstChild.Data
					}
					vals.Add(name, v)
				case atom.Select:
					var first, chosen *html.Node
					for o := range n.Descendants() {
						if o.Type == html.ElementNode && o.DataAtom == atom.Option {
							if first == nil {
								first = o
							}
							if _, sel := attr(o, "selected"); sel && chosen == nil {
								chosen = o
							}
						}
					}
					if chosen == nil {
						chosen = first
					}
					if chosen != nil {
						v, ok := attr(chosen, "value")
						if !ok {
							v = text(chosen)
						}
						vals.Add(name, v)
					}
				case atom.Button:
					if v, _ := attr(n, "value"); name == buttonName && v == buttonValue {
						vals.Add(name, v)
						found = true
					}
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	if !found {
		return nil, fmt.Errorf("formstest: no button %s=%s", buttonName, buttonValue)
	}
	return vals, nil
}
