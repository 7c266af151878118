package saml

import (
	"bytes"
	"compress/flate"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ozgkit/ozgkit/identity"
)

// LoginCookie prefixes the names of the cookies that carry a begun login to its callback.
// Each login has its own cookie (the prefix and the start of its RelayState), so logins begun
// in two tabs do not overwrite each other.
const LoginCookie = "ozgkit_saml_"

// The AKDB request extension BundID reads from an AuthnRequest.
const (
	akdbNamespace      = "https://www.akdb.de/request/2018/09"
	akdbClassicUI      = "https://www.akdb.de/request/2018/09/classic-ui/v1"
	comparisonMinimum  = "minimum"
	sigAlgRSASHA256URI = dsig.RSASHA256SignatureMethod
)

func loginCookieName(state string) string {
	if len(state) > 16 {
		state = state[:16]
	}
	return LoginCookie + state
}

// transaction is what a begun login keeps for its callback, sealed in the login cookie.
type transaction struct {
	State     string         `json:"s"` // the RelayState
	RequestID string         `json:"i"` // the AuthnRequest's ID, expected as InResponseTo
	Level     identity.Level `json:"l"`
	ReturnTo  string         `json:"r"`
	Expires   int64          `json:"e"`
}

// Request describes one AuthnRequest to build.
type Request struct {
	Level      identity.Level // the least level asked for (RequestedAuthnContext, Comparison minimum)
	ForceAuthn bool           // the citizen must authenticate anew, not reuse a session at the provider
}

// BeginLogin sends the browser to the identity provider with a signed AuthnRequest asking for
// at least level. When the request's context carries an authenticated principal below level
// (a step-up: the Gate puts the session's principal there), the request says
// ForceAuthn="true" so the citizen authenticates anew at the higher level instead of being
// handed the session they have at the provider.
func (s *ServiceProvider) BeginLogin(w http.ResponseWriter, r *http.Request, level identity.Level, returnTo string) error {
	if !level.Valid() {
		return fmt.Errorf("saml: begin login: %w: %d", identity.ErrUnknownLevel, int(level))
	}
	req := Request{Level: level}
	if p, ok := identity.PrincipalFrom(r.Context()); ok && p.Level < level {
		req.ForceAuthn = true
	}
	el, id, err := s.AuthnRequest(req)
	if err != nil {
		return fmt.Errorf("saml: begin login: %w", err)
	}
	txn := transaction{State: randomString(32), RequestID: id, Level: level, ReturnTo: returnTo, Expires: s.now().Add(s.loginTTL).Unix()}
	b, err := json.Marshal(txn)
	if err != nil {
		return err
	}
	sealed, err := s.keys.Seal(b)
	if err != nil {
		return fmt.Errorf("saml: begin login: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: loginCookieName(txn.State), Value: sealed, Path: "/", MaxAge: int(s.loginTTL.Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	if s.cfg.Binding == BindingPOST {
		return s.postRequest(w, el, txn.State)
	}
	u, err := s.RedirectURL(el, txn.State)
	if err != nil {
		return fmt.Errorf("saml: begin login: %w", err)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u, http.StatusFound)
	return nil
}

// AuthnRequest builds an AuthnRequest element and returns it with its ID: issuer, ACS URL and
// HTTP-POST as the response binding, RequestedAuthnContext with Comparison="minimum" and the
// AuthnContextClassRef of the level (STORK-QAA-Level-1…4 with the default mapping),
// ForceAuthn when asked, and the AKDB extension naming the requested attributes. With the
// HTTP-POST binding it carries an enveloped signature; for HTTP-Redirect
// [ServiceProvider.RedirectURL] signs
// the query instead.
func (s *ServiceProvider) AuthnRequest(r Request) (*etree.Element, string, error) {
	acr, ok := s.acr.ACR(r.Level)
	if !ok {
		return nil, "", fmt.Errorf("%w: no AuthnContextClassRef for level %v or above", identity.ErrUnknownLevel, r.Level)
	}
	sp := s.sp
	sp.SignatureMethod = "" // signed below, after the extension is in place
	sp.Clock = dsig.NewFakeClockAt(s.now())
	req, err := sp.MakeAuthenticationRequest(s.ssoURL, string(s.cfg.Binding), saml.HTTPPostBinding)
	if err != nil {
		return nil, "", err
	}
	req.RequestedAuthnContext = &saml.RequestedAuthnContext{Comparison: comparisonMinimum, AuthnContextClassRefs: []string{acr}}
	if r.ForceAuthn {
		t := true
		req.ForceAuthn = &t
	}
	el := req.Element()
	if ext := s.akdbExtension(); ext != nil {
		insertAfterIssuer(el, ext)
	}
	if s.cfg.Binding == BindingPOST {
		if el, err = s.signEnveloped(el); err != nil {
			return nil, "", err
		}
	}
	return el, req.ID, nil
}

// akdbExtension builds samlp:Extensions with the AKDB AuthenticationRequest (version 2): the
// requested attributes and the display information.
func (s *ServiceProvider) akdbExtension() *etree.Element {
	if len(s.cfg.Attributes) == 0 && s.cfg.OrganizationDisplayName == "" && s.cfg.OnlineServiceID == "" {
		return nil
	}
	ext := etree.NewElement("samlp:Extensions")
	ar := ext.CreateElement("akdb:AuthenticationRequest")
	ar.CreateAttr("xmlns:akdb", akdbNamespace)
	ar.CreateAttr("Version", "2")
	if len(s.cfg.Attributes) > 0 {
		attrs := ar.CreateElement("akdb:RequestedAttributes")
		for _, a := range s.cfg.Attributes {
			ra := attrs.CreateElement("akdb:RequestedAttribute")
			ra.CreateAttr("Name", a.Name)
			if a.Required {
				ra.CreateAttr("RequiredAttribute", "true")
			}
		}
	}
	if s.cfg.OrganizationDisplayName != "" || s.cfg.OnlineServiceID != "" {
		v := ar.CreateElement("akdb:DisplayInformation").CreateElement("classic-ui:Version")
		v.CreateAttr("xmlns:classic-ui", akdbClassicUI)
		if s.cfg.OrganizationDisplayName != "" {
			v.CreateElement("classic-ui:OrganizationDisplayName").SetText(s.cfg.OrganizationDisplayName)
		}
		if s.cfg.OnlineServiceID != "" {
			v.CreateElement("classic-ui:OnlineServiceId").SetText(s.cfg.OnlineServiceID)
		}
	}
	return ext
}

// insertAfterIssuer puts child right after the request's Issuer (and Signature), where the
// schema wants Extensions.
func insertAfterIssuer(el, child *etree.Element) {
	at := 0
	for i, c := range el.Child {
		if e, ok := c.(*etree.Element); ok && (e.Tag == "Issuer" || e.Tag == "Signature") {
			at = i + 1
		}
	}
	el.InsertChildAt(at, child)
}

// signEnveloped signs el with an enveloped XML signature (RSA-SHA256, exclusive c14n) placed
// after the Issuer, as the schema requires.
func (s *ServiceProvider) signEnveloped(el *etree.Element) (*etree.Element, error) {
	ctx, err := dsig.NewSigningContext(s.cfg.Key, [][]byte{s.cfg.Certificate.Raw})
	if err != nil {
		return nil, err
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(sigAlgRSASHA256URI); err != nil {
		return nil, err
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		return nil, err
	}
	sig := signed.Child[len(signed.Child)-1].(*etree.Element)
	signed.RemoveChildAt(len(signed.Child) - 1)
	at := 0
	for i, c := range signed.Child {
		if e, ok := c.(*etree.Element); ok && e.Tag == "Issuer" {
			at = i + 1
		}
	}
	signed.InsertChildAt(at, sig)
	return signed, nil
}

// RedirectURL encodes an AuthnRequest for the HTTP-Redirect binding: deflated, base64 and
// signed over "SAMLRequest=…&RelayState=…&SigAlg=…" with RSA-SHA256 (SAML bindings §3.4.4.1).
func (s *ServiceProvider) RedirectURL(el *etree.Element, relayState string) (string, error) {
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	raw, err := doc.WriteToBytes()
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	fw := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(fw)
	fw.Reset(&buf)
	if _, err := fw.Write(raw); err != nil {
		return "", err
	}
	if err := fw.Close(); err != nil {
		return "", err
	}
	q := "SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString(buf.Bytes()))
	if relayState != "" {
		q += "&RelayState=" + url.QueryEscape(relayState)
	}
	q += "&SigAlg=" + url.QueryEscape(sigAlgRSASHA256URI)
	sum := sha256.Sum256([]byte(q))
	sig, err := s.cfg.Key.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return "", err
	}
	q += "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(sig))
	sep := "?"
	if strings.Contains(s.ssoURL, "?") {
		sep = "&"
	}
	return s.ssoURL + sep + q, nil
}

// deflaters keeps flate writers, which allocate about 1 MiB each, between requests.
var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.DefaultCompression)
	return w
}}

var postForm = template.Must(template.New("post").Parse(`<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Weiter zur Anmeldung</title></head>
<body><form method="post" action="{{.Action}}" id="saml">
<input type="hidden" name="{{.Field}}" value="{{.Value}}">
<input type="hidden" name="RelayState" value="{{.RelayState}}">{{range $k, $v := .Extra}}
<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<noscript><p>JavaScript ist aus. Bitte fahren Sie mit der Schaltfläche fort.</p></noscript>
<button type="submit">Weiter</button>
</form>
<script nonce="{{.Nonce}}">document.getElementById("saml").submit();</script>
</body></html>
`))

type postPage struct {
	Action, Field, Value, RelayState, Nonce string
	Extra                                   map[string]string
}

// writePostPage answers with a page that posts the form to its action at once (and with a
// button where scripts are off), under a CSP that allows only its own script and posting
// to the action's origin.
func writePostPage(w http.ResponseWriter, p postPage) error {
	p.Nonce = randomString(16)
	var buf bytes.Buffer
	if err := postForm.Execute(&buf, p); err != nil {
		return err
	}
	formAction := "'self'"
	if u, err := url.Parse(p.Action); err == nil && u.Host != "" {
		formAction = u.Scheme + "://" + u.Host
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+p.Nonce+"'; form-action "+formAction+"; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}

func (s *ServiceProvider) postRequest(w http.ResponseWriter, el *etree.Element, relayState string) error {
	doc := etree.NewDocument()
	doc.SetRoot(el)
	raw, err := doc.WriteToBytes()
	if err != nil {
		return err
	}
	return writePostPage(w, postPage{Action: s.ssoURL, Field: "SAMLRequest", Value: base64.StdEncoding.EncodeToString(raw), RelayState: relayState})
}
