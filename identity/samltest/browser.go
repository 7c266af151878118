package samltest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// Form is an HTML form as a browser would submit it: where to, how, and its fields.
type Form struct {
	Action string // absolute URL
	Method string // GET or POST
	Fields url.Values
}

// ParseForm finds the form with a field named field (e.g. "SAMLResponse") in an HTML page
// served at base and returns it with its hidden and text fields and its action resolved
// against base. Pages that post a SAML message on load (the HTTP-POST binding) are read this
// way in tests, where no script runs.
func ParseForm(page io.Reader, base *url.URL, field string) (*Form, error) {
	doc, err := html.Parse(io.LimitReader(page, 4<<20))
	if err != nil {
		return nil, err
	}
	var found *Form
	var walk func(n *html.Node, f *Form)
	walk = func(n *html.Node, f *Form) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				f = &Form{Method: strings.ToUpper(attr(n, "method")), Fields: url.Values{}}
				if f.Method == "" {
					f.Method = http.MethodGet
				}
				action, err := base.Parse(attr(n, "action"))
				if err == nil {
					f.Action = action.String()
				}
			case "input":
				if f != nil && attr(n, "name") != "" {
					switch strings.ToLower(attr(n, "type")) {
					case "", "hidden", "text", "password":
						f.Fields.Add(attr(n, "name"), attr(n, "value"))
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, f)
		}
		if n.Type == html.ElementNode && n.Data == "form" && f != nil && found == nil && f.Fields.Has(field) {
			found = f
		}
	}
	walk(doc, nil)
	if found == nil {
		return nil, fmt.Errorf("samltest: no form with a field %q in the page", field)
	}
	return found, nil
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// Submit sends the form with client and returns the response.
func (f *Form) Submit(client *http.Client) (*http.Response, error) {
	if f.Method == http.MethodPost {
		return client.PostForm(f.Action, f.Fields)
	}
	u, err := url.Parse(f.Action)
	if err != nil {
		return nil, err
	}
	u.RawQuery = f.Fields.Encode()
	return client.Get(u.String())
}

// Login plays the browser at the provider for a login begun at the service provider: it
// follows authURL (the Location BeginLogin redirected to) with the auto-login persona set
// (see [Provider.SetAutoLogin]) and returns the form the provider's page posts to the
// assertion consumer service: its action, SAMLResponse and RelayState.
func Login(client *http.Client, authURL string) (*Form, error) {
	resp, err := client.Get(authURL)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("samltest: the provider answered %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	f, err := ParseForm(resp.Body, resp.Request.URL, "SAMLResponse")
	if err != nil {
		return nil, errors.New("samltest: the provider's page has no SAMLResponse form (is an auto-login persona set?)")
	}
	return f, nil
}
