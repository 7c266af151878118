package identitytest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity/identitytest"
)

// browser is a cookie-keeping client that does not follow redirects, so each answer of the
// provider can be looked at.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// authorize sends an authorization request from b and returns the answer's status, the
// redirect's query (nil without a redirect) and the body.
func (f *flow) authorize(t *testing.T, b *http.Client, change func(url.Values)) (int, url.Values, string) {
	t.Helper()
	resp, err := b.Get(f.base + "/authorize?" + f.authorizeQuery(change).Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if loc := resp.Header.Get("Location"); loc != "" {
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, u.Query(), string(body)
	}
	return resp.StatusCode, nil, string(body)
}

// idToken redeems the code of an authorization answer and returns the ID token's claims.
func (f *flow) idToken(t *testing.T, q url.Values) map[string]any {
	t.Helper()
	status, body := f.redeem(t, "portal", "pw", f.form(q.Get("code")))
	if status != http.StatusOK {
		t.Fatalf("redeem: %d %v", status, body)
	}
	return decodeJWTPayload(t, body["id_token"].(string))
}

func TestPromptNoneNeverShowsAPage(t *testing.T) {
	f := newFlow(t)
	none := func(q url.Values) { q.Set("prompt", "none") }
	for _, auto := range []string{"", "erika"} {
		if err := f.p.SetAutoLogin(auto); err != nil {
			t.Fatal(err)
		}
		status, q, body := f.authorize(t, browser(), none)
		if status != http.StatusFound || q.Get("error") != "login_required" || q.Get("state") != "st" || q.Get("iss") != f.p.Issuer() || q.Get("code") != "" {
			t.Fatalf("prompt=none without a session (auto login %q) answered %d %v %.80s", auto, status, q, body)
		}
	}
	// With a provider session, prompt=none logs in silently.
	b := browser()
	_ = f.p.SetAutoLogin("erika")
	if status, q, _ := f.authorize(t, b, nil); status != http.StatusFound || q.Get("code") == "" {
		t.Fatalf("first login: %d %v", status, q)
	}
	_ = f.p.SetAutoLogin("")
	if status, q, _ := f.authorize(t, b, none); status != http.StatusFound || q.Get("code") == "" {
		t.Fatalf("prompt=none with a session: %d %v", status, q)
	}
}

func TestTheProviderAnswersFromItsSessionUnlessToldToAuthenticateAnew(t *testing.T) {
	f := newFlow(t)
	stork := func(level string) func(url.Values) {
		return func(q url.Values) { q.Set("acr_values", level) }
	}
	tests := []struct {
		name    string
		change  func(url.Values)
		wantACR string
		anew    bool
	}{
		{"acr_values alone is answered from the session at Level-1", stork("STORK-QAA-Level-3"), "STORK-QAA-Level-1", false},
		{"a generous max_age is answered from the session", func(q url.Values) { q.Set("acr_values", "STORK-QAA-Level-3"); q.Set("max_age", "3600") }, "STORK-QAA-Level-1", false},
		{"prompt=login authenticates anew at the requested level", func(q url.Values) { q.Set("acr_values", "STORK-QAA-Level-3"); q.Set("prompt", "login") }, "STORK-QAA-Level-3", true},
		{"a session older than max_age authenticates anew", func(q url.Values) { q.Set("acr_values", "STORK-QAA-Level-3"); q.Set("max_age", "5") }, "STORK-QAA-Level-3", true},
		{"max_age=0 authenticates anew at the requested level", func(q url.Values) { q.Set("acr_values", "STORK-QAA-Level-4"); q.Set("max_age", "0") }, "STORK-QAA-Level-4", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := browser()
			_ = f.p.SetAutoLogin("erika")
			_, q, _ := f.authorize(t, b, stork("STORK-QAA-Level-1"))
			first := f.idToken(t, q)
			if first["acr"] != "STORK-QAA-Level-1" {
				t.Fatalf("first login at %v", first["acr"])
			}
			f.advance(10 * time.Second)
			status, q, _ := f.authorize(t, b, tt.change)
			if status != http.StatusFound || q.Get("code") == "" {
				t.Fatalf("second request: %d %v", status, q)
			}
			second := f.idToken(t, q)
			if second["acr"] != tt.wantACR {
				t.Errorf("acr = %v, want %s", second["acr"], tt.wantACR)
			}
			if anew := second["auth_time"] != first["auth_time"]; anew != tt.anew {
				t.Errorf("auth_time %v then %v: authenticated anew = %v, want %v", first["auth_time"], second["auth_time"], anew, tt.anew)
			}
			if sameSID := second["sid"] == first["sid"]; sameSID == tt.anew {
				t.Errorf("sid %v then %v", first["sid"], second["sid"])
			}
		})
	}
}

func TestMalformedPromptAndMaxAgeAreRefusedToTheClient(t *testing.T) {
	f := newFlow(t)
	_ = f.p.SetAutoLogin("erika")
	for _, tt := range []struct{ name, param, value string }{
		{"an unknown prompt value is refused", "prompt", "sometimes"},
		{"prompt=none with login is refused", "prompt", "none login"},
		{"a negative max_age is refused", "max_age", "-1"},
		{"a max_age that is no number is refused", "max_age", "soon"},
		{"a response_mode other than query is refused", "response_mode", "form_post"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, q, _ := f.authorize(t, browser(), func(q url.Values) { q.Set(tt.param, tt.value) })
			if status != http.StatusFound || q.Get("error") != "invalid_request" || q.Get("code") != "" {
				t.Fatalf("answered %d %v", status, q)
			}
		})
	}
}

func TestTheChooserKeepsAForcedLoginForced(t *testing.T) {
	f := newFlow(t)
	_, _, page := f.authorize(t, browser(), func(q url.Values) { q.Set("prompt", "login"); q.Set("max_age", "0") })
	for _, want := range []string{`name="prompt" value="login"`, `name="max_age" value="0"`} {
		if !strings.Contains(page, want) {
			t.Errorf("chooser page lacks %s", want)
		}
	}
}

func TestTheLoginPageNamesLevelsInThePortalsWords(t *testing.T) {
	f := newFlow(t)
	_, _, page := f.authorize(t, browser(), nil)
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " ")
	for _, want := range []string{"Basisregistrierung – Benutzername und Passwort", "substanziell – ELSTER-Zertifikat", "hoch – Online-Ausweis", "(höchstens hoch)", "(höchstens Basisregistrierung)"} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, word := range []string{"niedrig", "basic", "substantial", "high"} {
		if regexp.MustCompile(`\b` + word + `\b`).MatchString(text) {
			t.Errorf("page text uses %q", word)
		}
	}
	form := f.authorizeQuery(nil)
	form.Set("persona", "lena")
	form.Set("level", "high")
	resp, err := http.PostForm(f.base+"/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "höchstens mit dem Vertrauensniveau „Basisregistrierung“") {
		t.Errorf("refusal of lena at high: %s", b)
	}
}

func TestTheDiscoveryDocumentPublishesTheIssParameter(t *testing.T) {
	f := newFlow(t)
	resp, err := http.Get(f.base + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var md map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil {
		t.Fatal(err)
	}
	if md["authorization_response_iss_parameter_supported"] != true {
		t.Errorf("authorization_response_iss_parameter_supported = %v", md["authorization_response_iss_parameter_supported"])
	}
	// What it publishes it does: the code and the error responses carry iss.
	_ = f.p.SetAutoLogin("erika")
	for _, change := range []func(url.Values){nil, func(q url.Values) { q.Set("scope", "profile") }} {
		if _, q, _ := f.authorize(t, browser(), change); q.Get("iss") != md["issuer"] {
			t.Errorf("authorization response %v lacks iss %v", q, md["issuer"])
		}
	}
}

func TestUserinfoAnswersWithBearerChallenges(t *testing.T) {
	f := newFlow(t)
	_, body := f.redeem(t, "portal", "pw", f.form(f.code(t)))
	at, idt := body["access_token"].(string), body["id_token"].(string)
	tests := []struct {
		name      string
		auth      string
		status    int
		challenge string
	}{
		{"a valid access token gets the claims", "Bearer " + at, 200, ""},
		{"no token gets the bare Bearer challenge", "", 401, `Bearer realm="identitytest"`},
		{"a tampered token is an invalid_token", "Bearer " + at + "x", 401, `Bearer realm="identitytest", error="invalid_token"`},
		{"the ID token is no access token", "Bearer " + idt, 401, `Bearer realm="identitytest", error="invalid_token"`},
		{"Basic credentials are an invalid_request", "Basic cG9ydGFsOnB3", 400, `Bearer realm="identitytest", error="invalid_request"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", f.base+"/userinfo", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := resp.Header.Get("WWW-Authenticate")
			if resp.StatusCode != tt.status || !strings.HasPrefix(got, tt.challenge) || (tt.challenge == "") != (got == "") {
				t.Fatalf("answered %d with challenge %q, want %d %q", resp.StatusCode, got, tt.status, tt.challenge)
			}
		})
	}
}

func TestTheEndSessionEndpointTakesGETAndPOST(t *testing.T) {
	const bye = "https://portal.example/bye"
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method+" with an id_token_hint ends the session and redirects", func(t *testing.T) {
			f := newFlow(t)
			f.p.AddClient(identitytest.Client{ID: "portal", Secret: "pw", RedirectURIs: []string{redirect}, PostLogoutRedirectURIs: []string{bye}})
			b := browser()
			_ = f.p.SetAutoLogin("erika")
			_, q, _ := f.authorize(t, b, nil)
			_, tokens := f.redeem(t, "portal", "pw", f.form(q.Get("code")))
			params := url.Values{"id_token_hint": {tokens["id_token"].(string)}, "post_logout_redirect_uri": {bye}, "state": {"s1"}}
			resp := endSession(t, b, method, f.base, params)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != bye+"?state=s1" {
				t.Fatalf("answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if _, q, _ := f.authorize(t, b, func(q url.Values) { q.Set("prompt", "none") }); q.Get("error") != "login_required" {
				t.Fatalf("the provider session survived the logout: %v", q)
			}
		})
		t.Run(method+" without a hint asks the citizen first", func(t *testing.T) {
			f := newFlow(t)
			f.p.AddClient(identitytest.Client{ID: "portal", Secret: "pw", RedirectURIs: []string{redirect}, PostLogoutRedirectURIs: []string{bye}})
			b := browser()
			_ = f.p.SetAutoLogin("erika")
			f.authorize(t, b, nil)
			params := url.Values{"client_id": {"portal"}, "post_logout_redirect_uri": {bye}}
			resp := endSession(t, b, method, f.base, params)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" {
				t.Fatalf("answered %d to %q, want the confirmation page", resp.StatusCode, resp.Header.Get("Location"))
			}
			if _, q, _ := f.authorize(t, b, func(q url.Values) { q.Set("prompt", "none") }); q.Get("code") == "" {
				t.Fatalf("an unconfirmed logout ended the session: %v", q)
			}
			params.Set("confirm", "yes")
			resp = endSession(t, b, http.MethodPost, f.base, params)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != bye {
				t.Fatalf("confirmed logout answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if _, q, _ := f.authorize(t, b, func(q url.Values) { q.Set("prompt", "none") }); q.Get("error") != "login_required" {
				t.Fatalf("the provider session survived the confirmed logout: %v", q)
			}
		})
	}
}

func endSession(t *testing.T, b *http.Client, method, base string, params url.Values) *http.Response {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodGet {
		resp, err = b.Get(base + "/logout?" + params.Encode())
	} else {
		resp, err = b.PostForm(base+"/logout", params)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}
