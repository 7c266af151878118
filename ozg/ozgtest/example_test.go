package ozgtest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/ozgtest"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

// A portal's own test calls Run with a Target for its running portal; every check becomes a
// subtest. BrowserLogin logs test citizens in through the portal's login route.
func ExampleRun() {
	_ = func(t *testing.T) {
		base := "http://127.0.0.1:8080" // the portal under test
		login := &ozgtest.BrowserLogin{LoginURL: base + "/auth/login?level={level}&return=/api/session", Origin: base}
		ozgtest.Run(t, ozgtest.Target{
			BaseURL: base + "/api", ServiceID: "bewohnerparkausweis",
			Login: login.As("erika"), Other: login.As("max"),
			Data: []byte(`{"name": "Erika Mustermann"}`),
			Pay: func(ctx context.Context, c *http.Client, redirectURL string) (string, error) {
				return (&paymenttest.Citizen{Client: c}).Choose(ctx, redirectURL, paymenttest.ActionPay, payment.MethodCreditCard)
			},
		})
	}
}

// Check walks a running portal's journey over HTTP and answers a Report. Here the portal is a
// whole ozg/portal on loopback, with identitytest as the login and paymenttest as the
// XBezahldienste platform.
func ExampleCheck() {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	base := "http://" + ln.Addr().String()

	idpMux := http.NewServeMux() // the identity provider needs its own URL before it is made
	idpSrv := httptest.NewServer(idpMux)
	defer idpSrv.Close()
	idp, _ := identitytest.New(idpSrv.URL, &identitytest.Options{Clients: []identitytest.Client{{
		ID: "portal", Secret: "s3cret", RedirectURIs: []string{base + "/auth/callback"}, PostLogoutRedirectURIs: []string{base + "/"}}}})
	idpMux.Handle("/", idp)
	payMux := http.NewServeMux()
	paySrv := httptest.NewServer(payMux)
	defer paySrv.Close()
	payMux.Handle("/", paymenttest.NewServer(&paymenttest.ServerOptions{BaseURL: paySrv.URL + "/", Logger: quiet}))
	pay, _ := xbezahldienste.New(xbezahldienste.Config{BaseURL: paySrv.URL + "/", OriginatorID: "ozgkit", EndpointID: "test"})

	form, _ := forms.Load("antrag.json", []byte(`{"type": "object", "required": ["name"],
	  "properties": {"name": {"type": "string", "minLength": 1, "x-ui": {"label": "Name"}}}}`))
	dir, _ := os.MkdirTemp("", "ozgcheck")
	defer os.RemoveAll(dir)
	p, err := portal.New(ctx, portal.Config{
		BaseURL: base, DataDir: dir, Logger: quiet, Payments: pay,
		OIDC: portal.OIDC{Issuer: idpSrv.URL, ClientID: "portal", ClientSecret: "s3cret"},
		Services: []*ozg.Service{{
			ID: "bewohnerparkausweis", Name: "Bewohnerparkausweis beantragen", Description: "Parken im Bewohnerparkgebiet.",
			LeikaKey: "99058009000000", Topic: ozg.TopicMobilitaetReisen, Level: identity.LevelBasic, Form: form,
			Authority: ozg.Authority{Name: "Stadt Kiel", Region: "010020000000", Contact: ozg.Contact{Email: "parken@kiel.example"},
				Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"}},
			Evidence: []evidence.Requirement{{ID: "zulassung", Title: "Zulassungsbescheinigung", Required: true,
				MaxCount: 1, MediaTypes: []string{"application/pdf"}, MaxSize: 5 << 20}},
			Fee:        &ozg.Fee{Amount: 3060, LegalBasis: "GebOSt Nr. 265", DueBeforeSubmission: true},
			LegalBasis: "§ 45 StVO", Delivery: "fachverfahren",
		}},
		Deliveries: map[string]ozg.Delivery{"fachverfahren": delivery.NewInbox()},
		Theme: portal.Theme{Name: "Serviceportal Kiel", ImprintURL: "https://www.kiel.example/impressum",
			PrivacyURL: "https://www.kiel.example/datenschutz", AccessibilityURL: "https://www.kiel.example/barrierefreiheit"},
	})
	if err != nil {
		panic(err)
	}
	defer p.Close()
	go p.Serve(ctx, ln)

	login := &ozgtest.BrowserLogin{LoginURL: base + "/auth/login?level={level}&return=/api/session", Origin: base}
	rep := ozgtest.Check(ctx, ozgtest.Target{
		BaseURL: base + "/api", ServiceID: "bewohnerparkausweis",
		Login: login.As("erika"), Other: login.As("max"),
		Data: []byte(`{"name": "Erika Mustermann"}`),
		Pay: func(ctx context.Context, c *http.Client, redirectURL string) (string, error) {
			return (&paymenttest.Citizen{Client: c}).Choose(ctx, redirectURL, paymenttest.ActionPay, payment.MethodCreditCard)
		},
	})
	for _, res := range rep.Results {
		fmt.Println(res.Status, res.ID)
	}
	fmt.Println("err:", rep.Err())
	// Output:
	// pass catalogue
	// pass form
	// pass openapi
	// pass login-required
	// skip level-too-low
	// pass draft-create
	// pass problem-json
	// pass draft-read
	// pass draft-save
	// pass draft-stale
	// pass draft-invalid
	// pass owner-get
	// pass owner-put
	// pass owner-evidence
	// pass draft-complete
	// pass evidence-upload
	// pass payment
	// pass submit-key
	// pass submit
	// pass submit-repeat
	// err: <nil>
}
