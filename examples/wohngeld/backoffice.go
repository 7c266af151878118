package main

import (
	"context"
	"crypto/rand"
	"net/http"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/portal"
)

// backOffice is the authority's side: ozg/casework's inbox as the services' delivery target,
// its pages at /sachbearbeitung with a login at the authority's own (local) identity provider
// for the staff personas sabine (Wohngeld), tom (both services), paula (no role) and otto
// (operations: failed deliveries).
func (e *example) backOffice(cfg config) func(ctx context.Context, p *portal.Portal) (portal.BackOffice, error) {
	return func(ctx context.Context, p *portal.Portal) (portal.BackOffice, error) {
		secret := rand.Text()
		staffURL, err := e.side(func(base string) (http.Handler, error) {
			var err error
			e.staffIdP, err = identitytest.New(base, &identitytest.Options{Personas: identitytest.StaffPersonas(),
				Clients: []identitytest.Client{{ID: "sachbearbeitung", Secret: secret,
					RedirectURIs:           []string{e.base + "/sachbearbeitung/anmelden/callback"},
					PostLogoutRedirectURIs: []string{e.base + "/sachbearbeitung/"}}}})
			return e.staffIdP, err
		})
		if err != nil {
			return portal.BackOffice{}, err
		}
		cw, err := casework.New(p.DB().Casework(),
			casework.Journey{Catalog: p.Catalog(), Applications: p.Applications(), Store: p.DB().Applications(), Files: p.Blobs()},
			p.Mailbox(), &casework.Options{Authority: kiel.Name, Logger: cfg.Logger, OperatorRole: "betrieb",
				Roles: map[string][]string{"wohngeld": {"wohngeld"}, "parkausweis": {"bewohnerparkausweis"}}})
		if err != nil {
			return portal.BackOffice{}, err
		}
		key := make([]byte, 32) // staff log in again after a restart
		rand.Read(key)
		keys, err := identity.NewKeyring(identity.Key{ID: "staff", Secret: key})
		if err != nil {
			return portal.BackOffice{}, err
		}
		gate, err := casework.NewStaffGate(ctx, casework.StaffLogin{Issuer: staffURL, ClientID: "sachbearbeitung",
			ClientSecret: secret, BaseURL: e.base, RoleClaim: identitytest.StaffRoleClaim, Keys: keys, Insecure: true})
		if err != nil {
			return portal.BackOffice{}, err
		}
		e.casework = cw
		return portal.BackOffice{
			Deliveries: map[string]ozg.Delivery{"fachverfahren": cw},
			Routes: map[string]http.Handler{"/sachbearbeitung/": cw.Handler(gate,
				&casework.HandlerOptions{Logger: cfg.Logger, Outbox: p.Outbox()})},
			OnReply:          cw.ReceiveReply,
			EvidenceRequests: cw,
			ReceiptAttachments: func(svc *ozg.Service, s *ozg.Submission) ([]mailbox.NewAttachment, error) {
				att, err := casework.SummaryAttachment(svc, s)
				return []mailbox.NewAttachment{att}, err
			},
		}, nil
	}
}
