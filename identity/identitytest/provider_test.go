package identitytest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/ozgkit/ozgkit/identity/identitytest"
)

const redirect = "https://portal.example/callback"

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type flow struct {
	p        *identitytest.Provider
	base     string
	verifier string

	mu  sync.Mutex
	now time.Time // the provider's clock
}

func (f *flow) clock() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }

// advance moves the provider's clock on.
func (f *flow) advance(d time.Duration) { f.mu.Lock(); f.now = f.now.Add(d); f.mu.Unlock() }

func newFlow(t *testing.T) *flow {
	t.Helper()
	f := &flow{verifier: strings.Repeat("v", 43), now: time.Now()}
	p, srv := identitytest.NewServer(&identitytest.Options{Now: f.clock, Clients: []identitytest.Client{
		{ID: "portal", Secret: "pw", RedirectURIs: []string{redirect}},
		{ID: "other", Secret: "pw2", RedirectURIs: []string{"https://other.example/cb"}},
	}})
	t.Cleanup(srv.Close)
	f.p, f.base = p, srv.URL
	return f
}

func (f *flow) authorizeQuery(change func(url.Values)) url.Values {
	sum := sha256.Sum256([]byte(f.verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {"portal"}, "redirect_uri": {redirect},
		"scope": {"openid profile"}, "state": {"st"}, "nonce": {"no"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"acr_values": {"STORK-QAA-Level-4"},
	}
	if change != nil {
		change(q)
	}
	return q
}

// code runs an automatic login and returns the code.
func (f *flow) code(t *testing.T) string {
	t.Helper()
	if err := f.p.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}
	resp, err := noFollow.Get(f.base + "/authorize?" + f.authorizeQuery(nil).Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st" {
		t.Fatalf("authorize answered %d %s", resp.StatusCode, loc)
	}
	return loc.Query().Get("code")
}

func (f *flow) redeem(t *testing.T, client, secret string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.base+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(client, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func (f *flow) form(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {f.verifier}}
}

func TestTheTokenEndpointRefusesWhatARealProviderRefuses(t *testing.T) {
	tests := []struct {
		name           string
		client, secret string
		change         func(url.Values)
		status         int
		errCode        string
	}{
		{"a wrong code verifier is refused", "portal", "pw", func(v url.Values) { v.Set("code_verifier", strings.Repeat("w", 43)) }, 400, "invalid_grant"},
		{"a missing code verifier is refused", "portal", "pw", func(v url.Values) { v.Del("code_verifier") }, 400, "invalid_grant"},
		{"another redirect URI is refused", "portal", "pw", func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") }, 400, "invalid_grant"},
		{"another client's code is refused", "other", "pw2", nil, 400, "invalid_grant"},
		{"a wrong client secret is refused", "portal", "wrong", nil, 401, "invalid_client"},
		{"an unknown code is refused", "portal", "pw", func(v url.Values) { v.Set("code", "made-up") }, 400, "invalid_grant"},
		{"a secret both in Basic and in the form is refused", "portal", "pw", func(v url.Values) { v.Set("client_secret", "pw") }, 400, "invalid_request"},
		{"another grant type is refused", "portal", "pw", func(v url.Values) { v.Set("grant_type", "password") }, 400, "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFlow(t)
			form := f.form(f.code(t))
			if tt.change != nil {
				tt.change(form)
			}
			status, body := f.redeem(t, tt.client, tt.secret, form)
			if status != tt.status || body["error"] != tt.errCode {
				t.Fatalf("answer %d %v, want %d %s", status, body, tt.status, tt.errCode)
			}
		})
	}
}

func TestACodeIsRedeemedOnlyOnce(t *testing.T) {
	f := newFlow(t)
	code := f.code(t)
	status, body := f.redeem(t, "portal", "pw", f.form(code))
	if status != 200 || body["id_token"] == nil || body["access_token"] == nil {
		t.Fatalf("first redemption: %d %v", status, body)
	}
	status, body = f.redeem(t, "portal", "pw", f.form(code))
	if status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("reused code: %d %v", status, body)
	}
}

func TestAnUnregisteredRedirectURIIsNeverRedirectedTo(t *testing.T) {
	f := newFlow(t)
	_ = f.p.SetAutoLogin("erika")
	resp, err := noFollow.Get(f.base + "/authorize?" + f.authorizeQuery(func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }).Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Fatalf("answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestAuthorizeWithoutPKCEIsRefusedToTheClient(t *testing.T) {
	f := newFlow(t)
	_ = f.p.SetAutoLogin("erika")
	for _, change := range []func(url.Values){
		func(q url.Values) { q.Del("code_challenge") },
		func(q url.Values) { q.Set("code_challenge_method", "plain") },
	} {
		resp, err := noFollow.Get(f.base + "/authorize?" + f.authorizeQuery(change).Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if loc.Query().Get("error") != "invalid_request" || loc.Query().Get("code") != "" {
			t.Fatalf("answered %s", loc)
		}
	}
}

func TestTheChooserPageLogsInTheChosenPersonaAtTheChosenLevel(t *testing.T) {
	f := newFlow(t)
	resp, err := http.Get(f.base + "/authorize?" + f.authorizeQuery(nil).Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`<html lang="de">`, `<legend>Testperson</legend>`, `<label for="level">`, `value="erika"`, `name="code_challenge"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %s", want)
		}
	}
	post := func(persona, level string) *http.Response {
		form := f.authorizeQuery(nil)
		form.Set("persona", persona)
		form.Set("level", level)
		resp, err := noFollow.PostForm(f.base+"/authorize", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post("lena", "high"); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("lena at high answered %d, want the page again", r.StatusCode)
	}
	r := post("max", "substantial")
	loc, _ := url.Parse(r.Header.Get("Location"))
	code := loc.Query().Get("code")
	status, body := f.redeem(t, "portal", "pw", f.form(code))
	if status != 200 {
		t.Fatalf("redeem: %d %v", status, body)
	}
	claims := decodeJWTPayload(t, body["id_token"].(string))
	if claims["acr"] != "STORK-QAA-Level-3" || claims["nonce"] != "no" || claims["urn:oid:1.3.6.1.4.1.25484.494450.3"] != "bPK2-MAX-21be04" {
		t.Errorf("ID token claims = %v", claims)
	}
}

func TestTheJWKSPublishesRSAAndECKeysOfTwoGenerations(t *testing.T) {
	f := newFlow(t)
	count := func() int {
		set, err := jwk.Fetch(t.Context(), f.base+"/jwks")
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < set.Len(); i++ {
			k, _ := set.Key(i)
			if _, ok := k.(jwk.RSAPublicKey); !ok {
				if _, ok := k.(jwk.ECDSAPublicKey); !ok {
					t.Fatalf("key %d is a %T", i, k)
				}
			}
		}
		return set.Len()
	}
	if n := count(); n != 2 {
		t.Fatalf("keys = %d", n)
	}
	_ = f.p.RotateKeys()
	_ = f.p.RotateKeys()
	if n := count(); n != 4 {
		t.Fatalf("keys after two rotations = %d, want 4 (two generations)", n)
	}
}

func decodeJWTPayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLogoutWithAnIDTokenHintEndsTheProviderSession(t *testing.T) {
	f := newFlow(t)
	f.p.AddClient(identitytest.Client{ID: "portal", Secret: "pw", RedirectURIs: []string{redirect}, PostLogoutRedirectURIs: []string{"https://portal.example/bye"}})
	_, body := f.redeem(t, "portal", "pw", f.form(f.code(t)))
	at, idt := body["access_token"].(string), body["id_token"].(string)
	userinfo := func() int {
		req, _ := http.NewRequest("GET", f.base+"/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+at)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := userinfo(); s != 200 {
		t.Fatalf("userinfo before logout: %d", s)
	}
	q := url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"https://evil.example/"}}
	resp, _ := noFollow.Get(f.base + "/logout?" + q.Encode())
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unregistered post-logout URI answered %d", resp.StatusCode)
	}
	if s := userinfo(); s != 200 {
		t.Fatalf("a refused logout must not end the session: userinfo %d", s)
	}
	q.Set("post_logout_redirect_uri", "https://portal.example/bye")
	resp, _ = noFollow.Get(f.base + "/logout?" + q.Encode())
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://portal.example/bye" {
		t.Fatalf("logout answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if s := userinfo(); s != 401 {
		t.Fatalf("userinfo after logout: %d", s)
	}
}
