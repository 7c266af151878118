package portal_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg/casework"
)

var mimeLike = regexp.MustCompile(`(application|image|text)/`)

// FuzzReplyForm sends arbitrary multipart bodies (after a valid CSRF token, the form's first
// part) to the answer form of a Nachforderung: every answer must be a page of the portal
// (the web client checks each with formstest), never a server error.
func FuzzReplyForm(f *testing.F) {
	const b = "--B\r\n"
	for _, seed := range []string{
		b + "Content-Disposition: form-data; name=\"antwort\"\r\n\r\nAnbei.\r\n" +
			b + "Content-Disposition: form-data; name=\"nachweis-mietvertrag\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" + string(samplePDF("x")) + "\r\n--B--\r\n",
		b + "Content-Disposition: form-data; name=\"antwort\"\r\n\r\nAnbei.\r\n--B--\r\n",
		b + "Content-Disposition: form-data; name=\"nachweis-einkommen\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--B--\r\n",
		b + "Content-Disposition: form-data; name=\"nachweis-\"; filename=\"\"\r\n\r\n\r\n--B--\r\n",
		b + "Content-Disposition: form-data; name=\"antwort\"\r\n\r\n\x00\x01\r\n--B--\r\n",
		"--B", "", b + "Content-Disposition: form-data; name=\"antwort\"\r\n\r\n",
	} {
		f.Add(seed)
	}
	w := newWorld(f)
	if err := w.idp.SetAutoLogin("erika"); err != nil {
		f.Fatal(err)
	}
	c := newWebClient(f, w.base)
	sub := w.deliveredWohngeld(f, c)
	staff := casework.Staff{Subject: "kc-sabine", Name: "Sabine", Roles: []string{"kiel"}}
	ask := func() string {
		q, err := w.cw.AskFor(context.Background(), staff, sub.ID, casework.Question{Text: "Bitte den Mietvertrag.", Requirements: []string{"mietvertrag"}})
		if err != nil {
			f.Fatal(err)
		}
		return q.ID
	}
	query := ask()
	f.Fuzz(func(t *testing.T, rest string) {
		if mimeLike.MatchString(rest) {
			t.Skip("the text comes back in the form, where the web client would take it for a MIME type shown")
		}
		c.t = t
		if m, _ := w.mailbox.Message(context.Background(), sub.Owner, query); m.ReplyID != "" {
			query = ask()
		}
		form := c.get("/postfach/" + query)
		_, html := form.form(t, `name="antwort"`)
		token := formValues(t, html, "", "").Get(identity.CSRFField)
		body := "--B\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + token + "\r\n" + rest
		req, err := http.NewRequest(http.MethodPost, c.abs("/postfach/"+query+"/antwort"), strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "multipart/form-data; boundary=B")
		req.Header.Set("Origin", c.base)
		if p := c.do(req); p.Status >= 500 {
			t.Fatalf("body %q: %d\n%s", rest, p.Status, p.Body)
		}
	})
}
