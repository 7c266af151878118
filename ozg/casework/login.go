package casework

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/oidc"
)

// StaffCookie is the name of the case workers' session cookie, distinct from the citizens'.
const StaffCookie = "ozgkit_staff"

// StaffLogin describes the case workers' login at the municipality's own OpenID provider.
type StaffLogin struct {
	// Issuer, ClientID and ClientSecret register the back office at the provider.
	Issuer, ClientID, ClientSecret string
	// BaseURL is the portal's external origin, e.g. "https://portal.musterstadt.de". The
	// provider must accept BaseURL + Prefix + "/anmelden/callback" as redirect URI and
	// BaseURL + Prefix + "/" after logout.
	BaseURL string
	// Prefix is where the case-worker pages are served; default "/sachbearbeitung".
	Prefix string
	// RoleClaim is the claim that carries the case worker's roles; default "roles".
	RoleClaim string
	// Keys seal the staff session cookie and the login transaction. Required.
	Keys *identity.Keyring
	// Insecure drops the cookie's Secure attribute, for http://localhost only.
	Insecure bool
	// IdleTimeout and MaxAge of a staff session; defaults 30 minutes and 10 hours.
	IdleTimeout, MaxAge time.Duration
	// HTTPClient talks to the provider; nil means the relying party's default.
	HTTPClient *http.Client
}

// NewStaffGate returns the gate for [Casework.Handler]: an OpenID Connect relying party of the
// staff provider (roles read with [StaffClaims]) and sessions in their own cookie
// ([StaffCookie]), limited to the case-worker pages' path.
func NewStaffGate(ctx context.Context, l StaffLogin) (*identity.Gate, error) {
	if l.Keys == nil {
		return nil, errors.New("casework: StaffLogin.Keys is required")
	}
	prefix := strings.TrimSuffix(l.Prefix, "/")
	if prefix == "" {
		prefix = "/sachbearbeitung"
	}
	role := l.RoleClaim
	if role == "" {
		role = "roles"
	}
	base := strings.TrimSuffix(l.BaseURL, "/")
	claims := StaffClaims(role)
	rp, err := oidc.New(ctx, oidc.Config{
		Issuer: l.Issuer, ClientID: l.ClientID, ClientSecret: l.ClientSecret,
		RedirectURL: base + prefix + "/anmelden/callback", PostLogoutRedirectURL: base + prefix + "/",
		Claims: &claims,
	}, &oidc.Options{Keys: l.Keys, HTTPClient: l.HTTPClient})
	if err != nil {
		return nil, fmt.Errorf("casework: staff login: %w", err)
	}
	idle, maxAge := l.IdleTimeout, l.MaxAge
	if idle <= 0 {
		idle = 30 * time.Minute
	}
	if maxAge <= 0 {
		maxAge = 10 * time.Hour
	}
	sessions, err := identity.NewSessions(l.Keys, &identity.SessionOptions{
		CookieName: StaffCookie, Path: prefix, Insecure: l.Insecure, IdleTimeout: idle, MaxAge: maxAge,
	})
	if err != nil {
		return nil, fmt.Errorf("casework: staff sessions: %w", err)
	}
	return identity.NewGate(sessions, rp, nil, &identity.GateOptions{LoginPath: prefix + "/anmelden", AfterLogout: prefix + "/"}), nil
}
