package saml

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ozgkit/ozgkit/identity"
)

// Bounds on what a browser posts to the assertion consumer service.
const (
	maxForm       = 512 << 10 // the whole form body
	maxResponse   = 384 << 10 // the decoded SAMLResponse
	maxAttributes = 64
	maxValues     = 16
)

// FinishLogin completes a login from the identity provider's response, posted by the browser
// with the HTTP-POST binding (see identity.Authenticator). It checks the transaction cookie
// and RelayState, then the response: the signature against the identity provider's
// certificate from the configured metadata (Response or Assertion signed; an encrypted
// assertion decrypted with RSA-OAEP and AES-GCM or AES-CBC), issuer, status, Destination,
// InResponseTo, audience, recipient, NotBefore and NotOnOrAfter with the leeway, that the
// assertion id was not accepted before (the replay cache), and that the AuthnContextClassRef
// reaches the requested level. Attributes become the Principal through the claim mapping.
func (s *ServiceProvider) FinishLogin(w http.ResponseWriter, r *http.Request) (*identity.Principal, string, error) {
	if r.Method != http.MethodPost {
		return nil, "", fmt.Errorf("%w: the response must be posted (HTTP-POST binding), got %s", ErrResponse, r.Method)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return nil, "", fmt.Errorf("%w: form: %v", ErrResponse, err)
	}
	state := r.PostForm.Get("RelayState")
	if len(state) < 16 || len(state) > 128 {
		return nil, "", fmt.Errorf("%w: the response has no RelayState of a login begun here", ErrState)
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookieName(state), Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	txn, err := s.transaction(r, loginCookieName(state))
	if err != nil {
		return nil, "", err
	}
	if subtle.ConstantTimeCompare([]byte(state), []byte(txn.State)) != 1 {
		return nil, "", fmt.Errorf("%w: the RelayState is not the one of the login begun in this browser", ErrState)
	}
	encoded := r.PostForm.Get("SAMLResponse")
	if encoded == "" {
		return nil, "", fmt.Errorf("%w: no SAMLResponse in the form", ErrResponse)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Map(dropSpace, encoded))
	if err != nil {
		return nil, "", fmt.Errorf("%w: SAMLResponse is not base64: %v", ErrResponse, err)
	}
	p, err := s.ParseResponse(r.Context(), raw, txn.RequestID, txn.Level)
	if err != nil {
		return nil, "", err
	}
	s.log.LogAttrs(r.Context(), slog.LevelDebug, "saml login", slog.String("level", p.Level.String()))
	return p, txn.ReturnTo, nil
}

func dropSpace(r rune) rune {
	switch r {
	case ' ', '\t', '\r', '\n':
		return -1
	}
	return r
}

func (s *ServiceProvider) transaction(r *http.Request, name string) (*transaction, error) {
	c, err := r.Cookie(name)
	if err != nil {
		return nil, fmt.Errorf("%w: no login with this RelayState under way in this browser", ErrState)
	}
	b, err := s.keys.Open(c.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: login cookie: %w", ErrState, err)
	}
	var txn transaction
	if err := json.Unmarshal(b, &txn); err != nil {
		return nil, fmt.Errorf("%w: login cookie: %v", ErrState, err)
	}
	if s.now().Unix() > txn.Expires {
		return nil, fmt.Errorf("%w: the login took too long, please start again", ErrState)
	}
	return &txn, nil
}

// ParseResponse verifies a decoded SAML response to the AuthnRequest requestID (see
// FinishLogin for what is checked), records its assertion id in the replay cache and returns
// the principal. A login below level fails with identity.ErrLevelTooLow.
func (s *ServiceProvider) ParseResponse(ctx context.Context, raw []byte, requestID string, level identity.Level) (*identity.Principal, error) {
	if len(raw) > maxResponse {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrResponse, len(raw), maxResponse)
	}
	if err := statusOf(raw); err != nil {
		return nil, err
	}
	now := s.now()
	sp := s.sp
	sp.Clock = dsig.NewFakeClockAt(now)
	a, err := sp.ParseXMLResponse(raw, []string{requestID}, *s.acs)
	if err != nil {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) && ire.PrivateErr != nil {
			err = ire.PrivateErr
		}
		var bad saml.ErrBadStatus
		if errors.As(err, &bad) {
			return nil, &StatusError{Code: bad.Status}
		}
		return nil, fmt.Errorf("%w: %v", ErrResponse, err)
	}
	expires, err := s.checkTimes(a, now)
	if err != nil {
		return nil, err
	}
	if err := s.replay.Consume(ctx, "saml-assertion:"+a.ID, expires); err != nil {
		if errors.Is(err, identity.ErrReplayed) {
			return nil, fmt.Errorf("%w: assertion %q", ErrReplayed, truncate(a.ID, 64))
		}
		return nil, fmt.Errorf("%w: recording the assertion id: %v", ErrResponse, err)
	}
	p, err := s.principal(a)
	if err != nil {
		return nil, err
	}
	if !p.Level.Meets(level) {
		return nil, fmt.Errorf("%w: logged in at %v, %v required", identity.ErrLevelTooLow, p.Level, level)
	}
	return p, nil
}

// checkTimes applies the leeway to the assertion's validity period (the library allows a
// wider clock skew) and returns until when its id must be remembered.
func (s *ServiceProvider) checkTimes(a *saml.Assertion, now time.Time) (time.Time, error) {
	c := a.Conditions
	if !c.NotBefore.IsZero() && now.Add(s.leeway).Before(c.NotBefore) {
		return time.Time{}, fmt.Errorf("%w: assertion not valid before %s", ErrResponse, c.NotBefore.UTC().Format(time.RFC3339))
	}
	deadline := a.IssueInstant.Add(saml.MaxIssueDelay)
	if !c.NotOnOrAfter.IsZero() {
		deadline = earliest(deadline, c.NotOnOrAfter)
	}
	if a.Subject != nil {
		for _, sc := range a.Subject.SubjectConfirmations {
			if d := sc.SubjectConfirmationData; d != nil && !d.NotOnOrAfter.IsZero() {
				deadline = earliest(deadline, d.NotOnOrAfter)
			}
		}
	}
	if !now.Before(deadline.Add(s.leeway)) {
		return time.Time{}, fmt.Errorf("%w: assertion expired at %s", ErrResponse, deadline.UTC().Format(time.RFC3339))
	}
	return deadline.Add(s.leeway + saml.MaxClockSkew), nil
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// principal maps the verified assertion: attributes by name (OID), "acr" from the
// AuthnContextClassRef (the weakest, should there be several AuthnStatements), the NameID as
// ClaimNameID. A trust level attribute naming a weaker level than the AuthnContext lowers the
// principal's level to it.
func (s *ServiceProvider) principal(a *saml.Assertion) (*identity.Principal, error) {
	claims := map[string]any{}
	n := 0
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			if n++; n > maxAttributes {
				return nil, fmt.Errorf("%w: more than %d attributes", ErrResponse, maxAttributes)
			}
			if len(at.Values) > maxValues {
				return nil, fmt.Errorf("%w: attribute %s has more than %d values", ErrResponse, truncate(at.Name, 128), maxValues)
			}
			if _, dup := claims[at.Name]; dup || at.Name == "acr" || at.Name == ClaimNameID {
				return nil, fmt.Errorf("%w: attribute %s given twice or reserved", ErrResponse, truncate(at.Name, 128))
			}
			vals := make([]any, 0, len(at.Values))
			for _, v := range at.Values {
				if !v.Nil {
					vals = append(vals, v.Value)
				}
			}
			switch len(vals) {
			case 0:
			case 1:
				claims[at.Name] = vals[0]
			default:
				claims[at.Name] = vals
			}
		}
	}
	var acr string
	var authTime time.Time
	lowest := identity.LevelHigh + 1
	for _, st := range a.AuthnStatements {
		if st.AuthnContext.AuthnContextClassRef == nil {
			continue
		}
		ref := strings.TrimSpace(st.AuthnContext.AuthnContextClassRef.Value)
		l, err := s.acr.Level(ref)
		if err != nil {
			return nil, fmt.Errorf("%w: AuthnContextClassRef: %v", ErrResponse, err)
		}
		if l < lowest {
			lowest, acr, authTime = l, ref, st.AuthnInstant
		}
	}
	if acr == "" {
		return nil, fmt.Errorf("%w: no AuthnContextClassRef in the assertion", ErrResponse)
	}
	claims["acr"] = acr
	if a.Subject != nil && a.Subject.NameID != nil {
		claims[ClaimNameID] = a.Subject.NameID.Value
	}
	p, err := s.claims.Principal(claims, s.idp.EntityID, s.acr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrResponse, err)
	}
	if tl, ok := claims[identity.ClaimTrustLevel].(string); ok {
		l, err := s.acr.Level(tl)
		if err != nil {
			return nil, fmt.Errorf("%w: trust level attribute: %v", ErrResponse, err)
		}
		if l < p.Level {
			p.Level = l
		}
	}
	if p.AuthTime.IsZero() && !authTime.IsZero() {
		p.AuthTime = authTime.UTC().Truncate(time.Second)
	}
	return p, nil
}

// statusOf reads the (not yet verified) status of a response, so that a refusal by the
// identity provider is reported as such. Only a failure is taken from it: success is decided
// on the verified response.
func statusOf(raw []byte) error {
	var r struct {
		Status struct {
			Code struct {
				Value string `xml:",attr"`
				Sub   *struct {
					Value string `xml:",attr"`
				} `xml:"StatusCode"`
			} `xml:"StatusCode"`
			Message string `xml:"StatusMessage"`
		} `xml:"Status"`
	}
	if err := xml.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("%w: not XML: %v", ErrResponse, err)
	}
	code := r.Status.Code.Value
	if code == "" || code == saml.StatusSuccess {
		return nil
	}
	e := &StatusError{Code: truncate(code, 128), Message: truncate(strings.TrimSpace(r.Status.Message), 256)}
	if r.Status.Code.Sub != nil {
		e.SubCode = truncate(r.Status.Code.Sub.Value, 128)
	}
	return e
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
