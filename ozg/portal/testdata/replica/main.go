// Command replica is one portal replica for the two-replica test (TestReplicas in
// ozg/portal): a portal on a shared PostgreSQL database, configured entirely from the
// environment, that stops gracefully on SIGTERM and is SIGKILLed by the test.
//
// Environment (all required unless marked):
//
//	REPLICA_ADDR            address to listen on, e.g. 127.0.0.1:40001
//	REPLICA_BASE_URL        the portal's public URL (the test's load balancer)
//	REPLICA_DSN             postgres://... shared by every replica
//	REPLICA_DATA_DIR        this replica's data directory
//	REPLICA_SESSION_KEY     32 hex-encoded bytes, the same on every replica
//	REPLICA_CURSOR_KEY      32 hex-encoded bytes, the same on every replica
//	REPLICA_OIDC_ISSUER     the identity provider; client "portal"
//	REPLICA_OIDC_SECRET     the client's secret
//	REPLICA_EPAYBL_URL      the XBezahldienste platform
//	REPLICA_WEBHOOK_URL     the back office's delivery.Receiver
//	REPLICA_WEBHOOK_SECRET  the webhook's signing secret (at least 32 bytes)
//	REPLICA_OUTBOX_POLL     (optional) the outbox's poll interval, e.g. 200ms
//	REPLICA_OUTBOX_LEASE    (optional) the outbox's lease (portal.Config.OutboxLease), e.g. 6s, so
//	                        work a SIGKILLed replica had claimed is taken over within seconds
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, logger); err != nil {
		logger.Error("replica stopped", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, logger *slog.Logger) error {
	env := func(name string) string { return os.Getenv(name) }
	var missing []error
	for _, name := range []string{"REPLICA_ADDR", "REPLICA_BASE_URL", "REPLICA_DSN", "REPLICA_DATA_DIR", "REPLICA_SESSION_KEY",
		"REPLICA_CURSOR_KEY", "REPLICA_OIDC_ISSUER", "REPLICA_OIDC_SECRET", "REPLICA_EPAYBL_URL", "REPLICA_WEBHOOK_URL", "REPLICA_WEBHOOK_SECRET"} {
		if env(name) == "" {
			missing = append(missing, fmt.Errorf("%s is not set", name))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return err
	}
	sessionKey, err1 := hexKey("REPLICA_SESSION_KEY")
	cursorKey, err2 := hexKey("REPLICA_CURSOR_KEY")
	poll, err3 := optionalDuration("REPLICA_OUTBOX_POLL")
	lease, err4 := optionalDuration("REPLICA_OUTBOX_LEASE")
	pay, err5 := xbezahldienste.New(xbezahldienste.Config{BaseURL: env("REPLICA_EPAYBL_URL"), OriginatorID: "ozgkit", EndpointID: "test"})
	webhook, err6 := delivery.NewWebhook(env("REPLICA_WEBHOOK_URL"), []byte(env("REPLICA_WEBHOOK_SECRET")), nil)
	services, err7 := services()
	if err := errors.Join(err1, err2, err3, err4, err5, err6, err7); err != nil {
		return err
	}
	targets := map[string]ozg.Delivery{"fachverfahren": webhook}
	cfg := portal.Config{
		BaseURL: env("REPLICA_BASE_URL"), DSN: env("REPLICA_DSN"), DataDir: env("REPLICA_DATA_DIR"),
		SessionKeys: [][]byte{sessionKey}, CursorKey: cursorKey,
		Services:   services,
		OIDC:       portal.OIDC{Issuer: env("REPLICA_OIDC_ISSUER"), ClientID: "portal", ClientSecret: env("REPLICA_OIDC_SECRET")},
		Payments:   pay,
		Deliveries: targets,
		Theme: portal.Theme{Name: "Serviceportal Kiel", ImprintURL: "https://www.kiel.example/impressum",
			PrivacyURL: "https://www.kiel.example/datenschutz", AccessibilityURL: "https://www.kiel.example/barrierefreiheit"},
		OutboxPollInterval: poll,
		Logger:             logger,
	}
	cfg.OutboxLease = lease
	return portal.ListenAndServe(ctx, env("REPLICA_ADDR"), cfg)
}

func hexKey(name string) ([]byte, error) {
	k, err := hex.DecodeString(os.Getenv(name))
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("%s must hold 32 hex-encoded bytes", name)
	}
	return k, nil
}

func optionalDuration(name string) (time.Duration, error) {
	s := os.Getenv(name)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q is not a positive duration", name, s)
	}
	return d, nil
}

// services are the portal's two services: the Bewohnerparkausweis (a fee paid online and a
// required piece of evidence) for the whole journey, and its renewal (neither) for the
// submission storm.
func services() ([]*ozg.Service, error) {
	form, err := forms.Load("antrag.json", []byte(`{"type": "object", "required": ["kennzeichen"],
	  "properties": {"kennzeichen": {"type": "string", "minLength": 1, "maxLength": 20, "x-ui": {"label": "Kennzeichen"}}}}`))
	if err != nil {
		return nil, err
	}
	authority := ozg.Authority{Name: "Stadt Kiel", Region: "010020000000", Contact: ozg.Contact{Email: "parken@kiel.example"},
		Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"}}
	return []*ozg.Service{{
		ID: "bewohnerparkausweis", Name: "Bewohnerparkausweis beantragen", Description: "Parken im Bewohnerparkgebiet.",
		LeikaKey: "99058009000000", Topic: ozg.TopicMobilitaetReisen, Level: identity.LevelBasic, Form: form,
		Authority: authority,
		Evidence: []evidence.Requirement{{ID: "zulassung", Title: "Zulassungsbescheinigung Teil I", Required: true,
			MaxCount: 1, MediaTypes: []string{"application/pdf"}, MaxSize: 5 << 20}},
		Fee:        &ozg.Fee{Amount: 3060, LegalBasis: "GebOSt Nr. 265", DueBeforeSubmission: true},
		LegalBasis: "§ 45 Abs. 1b StVO", Delivery: "fachverfahren",
	}, {
		ID: "bewohnerparkausweis-verlaengern", Name: "Bewohnerparkausweis verlängern", Description: "Den Bewohnerparkausweis um ein Jahr verlängern.",
		LeikaKey: "99058009001000", Topic: ozg.TopicMobilitaetReisen, Level: identity.LevelBasic, Form: form,
		Authority: authority, LegalBasis: "§ 45 Abs. 1b StVO", Delivery: "fachverfahren",
	}}, nil
}
