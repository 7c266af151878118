package oidc

import (
	"context"
	"crypto/sha256"
	"strings"

	"github.com/ozgkit/ozgkit/identity"
)

// VerifyBearer verifies a bearer token (an access token in JWT form, or an ID token) sent by
// an API client and returns its principal. The token must be signed by the provider, be
// valid now, and be addressed to this client (aud is ClientID or one of BearerAudiences, or
// azp is ClientID); its claims must map to a principal. A repeated token is answered from a
// bounded cache keyed by its SHA-256 until it expires. The principal returned is the
// caller's to keep.
func (rp *RelyingParty) VerifyBearer(ctx context.Context, token string) (*identity.Principal, error) {
	token = strings.TrimSpace(token)
	var sum [32]byte
	if rp.bearer != nil && len(token) <= maxToken {
		sum = sha256.Sum256([]byte(token))
		if p, ok := rp.bearer.Get(sum, rp.now()); ok {
			cp := *p
			return &cp, nil
		}
	}
	auds := append([]string{rp.cfg.ClientID}, rp.cfg.BearerAudiences...)
	v, err := rp.verifyToken(ctx, token, auds, true)
	if err != nil {
		return nil, err
	}
	p, err := rp.principal(v.claims)
	if err != nil {
		return nil, err
	}
	if rp.bearer != nil {
		rp.bearer.Put(sum, p, v.token.Expiration())
	}
	cp := *p
	return &cp, nil
}

var _ identity.BearerVerifier = (*RelyingParty)(nil)
