package oidc

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/ozgkit/ozgkit/identity"
)

// maxToken bounds the length of a token the relying party looks at.
const maxToken = 16 << 10

// verified is a token whose signature and standard claims have been checked.
type verified struct {
	token  jwt.Token
	claims map[string]any
}

// verifySignature checks the compact JWS raw against the allow-list and the provider's keys
// and returns its payload.
func (rp *RelyingParty) verifySignature(ctx context.Context, raw string) ([]byte, error) {
	if len(raw) > maxToken {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", identity.ErrInvalidToken, len(raw), maxToken)
	}
	if strings.Count(raw, ".") != 2 {
		return nil, fmt.Errorf("%w: not a compact JWS", identity.ErrInvalidToken)
	}
	var why error
	kp := jws.KeyProviderFunc(func(ctx context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
		h := sig.ProtectedHeaders()
		alg := h.Algorithm()
		if !rp.algs[alg] {
			why = fmt.Errorf("%w: %q", ErrAlgorithm, truncate(alg.String(), 32))
			return why
		}
		if len(h.Critical()) > 0 {
			why = fmt.Errorf("%w: crit header %v not understood", identity.ErrInvalidToken, h.Critical())
			return why
		}
		k, err := rp.jwks.key(ctx, h.KeyID(), alg)
		if err != nil {
			why = err
			return err
		}
		if (k.alg != "" && k.alg != alg) || !keySuits(k.raw, alg) {
			why = fmt.Errorf("%w: key %q is not for %s", ErrAlgorithm, truncate(h.KeyID(), 64), alg)
			return why
		}
		sink.Key(alg, k.raw)
		return nil
	})
	payload, err := jws.Verify([]byte(raw), jws.WithKeyProvider(kp), jws.WithContext(ctx))
	if err != nil {
		if why != nil {
			if errors.Is(why, identity.ErrInvalidToken) {
				return nil, why
			}
			return nil, fmt.Errorf("%w: %v", identity.ErrInvalidToken, why)
		}
		return nil, fmt.Errorf("%w: signature: %v", identity.ErrInvalidToken, err)
	}
	return payload, nil
}

// verifyToken checks signature, issuer, expiry, not-before and issued-at, and that one of
// audiences is in aud (or, when azpOK, that azp is the client).
func (rp *RelyingParty) verifyToken(ctx context.Context, raw string, audiences []string, azpOK bool) (*verified, error) {
	payload, err := rp.verifySignature(ctx, raw)
	if err != nil {
		return nil, err
	}
	claims, tok, err := rp.validateClaims(payload)
	if err != nil {
		return nil, err
	}
	aud := tok.Audience()
	ok := false
	for _, a := range audiences {
		if slices.Contains(aud, a) {
			ok = true
			break
		}
	}
	azp, _ := tok.Get("azp")
	if !ok && azpOK && azp == rp.cfg.ClientID {
		ok = true
	}
	if !ok {
		return nil, fmt.Errorf("%w: audience %v is not for this client", identity.ErrInvalidToken, truncateList(aud))
	}
	return &verified{token: tok, claims: claims}, nil
}

// VerifyIDToken verifies an ID token issued to this client for the login whose nonce is
// nonce, and returns its claims. The nonce must be present and equal, and is accepted only
// once: a replayed ID token fails with [ErrNonce].
func (rp *RelyingParty) VerifyIDToken(ctx context.Context, raw, nonce string) (map[string]any, error) {
	v, err := rp.verifyToken(ctx, raw, []string{rp.cfg.ClientID}, false)
	if err != nil {
		return nil, err
	}
	if aud := v.token.Audience(); len(aud) > 1 {
		if azp, _ := v.token.Get("azp"); azp != rp.cfg.ClientID {
			return nil, fmt.Errorf("%w: several audiences and azp is not this client", identity.ErrInvalidToken)
		}
	}
	got, _ := v.claims["nonce"].(string)
	if nonce == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(nonce)) != 1 {
		return nil, fmt.Errorf("%w: missing or not the one of this login", ErrNonce)
	}
	if !rp.useNonce(nonce, v.token.Expiration()) {
		return nil, fmt.Errorf("%w: used before (replayed ID token)", ErrNonce)
	}
	return v.claims, nil
}

// maxUsedNonces bounds the replay memory; beyond it the oldest-expiring entries are dropped
// (their tokens have expired by then, or logins are arriving faster than they can be valid).
const maxUsedNonces = 100000

// useNonce records nonce as used until the token expires; false when it was used before.
func (rp *RelyingParty) useNonce(nonce string, exp time.Time) bool {
	now := rp.now()
	rp.usedMu.Lock()
	defer rp.usedMu.Unlock()
	if until, ok := rp.used[nonce]; ok && now.Before(until) {
		return false
	}
	if len(rp.used) >= maxUsedNonces {
		for n, until := range rp.used {
			if !now.Before(until) {
				delete(rp.used, n)
			}
		}
		for n := range rp.used { // still full: drop arbitrary entries
			if len(rp.used) < maxUsedNonces {
				break
			}
			delete(rp.used, n)
		}
	}
	rp.used[nonce] = exp.Add(rp.leeway)
	return true
}

// principal maps verified claims to a principal.
func (rp *RelyingParty) principal(claims map[string]any) (*identity.Principal, error) {
	return rp.claims.Principal(claims, rp.md.Issuer, rp.acr)
}

func truncateList(l []string) []string {
	if len(l) > 5 {
		l = l[:5]
	}
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = truncate(s, 64)
	}
	return out
}

// registered are the claims jwt.Validate looks at.
var registered = []string{jwt.IssuerKey, jwt.SubjectKey, jwt.AudienceKey, jwt.ExpirationKey, jwt.IssuedAtKey, jwt.NotBeforeKey}

// validateClaims decodes a verified payload once into a claims map and validates the
// registered claims with jwt.Validate: issuer, exp, nbf and iat with the leeway, exp, iat and
// sub present. (jwt.Parse plus Token.AsMap would decode twice, through a streaming decoder
// and a goroutine iterator: half the cost of a verification.)
func (rp *RelyingParty) validateClaims(payload []byte) (map[string]any, jwt.Token, error) {
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, nil, fmt.Errorf("%w: claims are not a JSON object: %v", identity.ErrInvalidToken, err)
	}
	tok := jwt.New()
	for _, k := range registered {
		if v, ok := claims[k]; ok {
			if err := tok.Set(k, v); err != nil {
				return nil, nil, fmt.Errorf("%w: claim %s: %v", identity.ErrInvalidToken, k, err)
			}
		}
	}
	err := jwt.Validate(tok,
		jwt.WithIssuer(rp.md.Issuer),
		jwt.WithAcceptableSkew(rp.leeway),
		jwt.WithClock(jwt.ClockFunc(rp.now)),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithRequiredClaim(jwt.IssuedAtKey),
		jwt.WithRequiredClaim(jwt.SubjectKey),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", identity.ErrInvalidToken, err)
	}
	return claims, tok, nil
}
