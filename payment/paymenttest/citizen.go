package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/ozgkit/ozgkit/payment"
)

// Citizen drives a [Server]'s pay page over HTTP, as a browser without script would.
type Citizen struct {
	// Client sends the requests; nil means http.DefaultClient. Redirects are not followed.
	Client *http.Client
}

var (
	formRe  = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	tokenRe = regexp.MustCompile(`<input type="hidden" name="token" value="([^"]*)">`)
)

// Choose opens the pay page at payPageURL, chooses a (and method, for [ActionPay]; empty means
// the preselected one) and submits. It returns where the pay page sends the browser back to:
// the return URL of the payment request.
func (c *Citizen) Choose(ctx context.Context, payPageURL string, a Action, method payment.Method) (string, error) {
	hc := http.DefaultClient
	if c != nil && c.Client != nil {
		hc = c.Client
	}
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, payPageURL, nil)
	if err != nil {
		return "", err
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		return "", err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		return "", fmt.Errorf("paymenttest: pay page %s: HTTP %d %s", payPageURL, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	fm, tm := formRe.FindSubmatch(body), tokenRe.FindSubmatch(body)
	if fm == nil || tm == nil {
		return "", errors.New("paymenttest: pay page has no open payment form")
	}
	action, err := resp.Request.URL.Parse(html.UnescapeString(string(fm[1])))
	if err != nil {
		return "", err
	}
	form := url.Values{"token": {html.UnescapeString(string(tm[1]))}, "action": {string(a)}}
	if method != "" {
		form.Set("method", string(method))
	} else {
		form.Set("method", string(payment.MethodCreditCard))
	}
	post, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = noRedirect.Do(post)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("paymenttest: pay page answered %d to %s, want 303", resp.StatusCode, a)
	}
	return resp.Header.Get("Location"), nil
}
