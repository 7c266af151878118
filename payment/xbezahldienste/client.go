package xbezahldienste

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/payment"
)

// Config configures a [Client].
type Config struct {
	// BaseURL is the platform's payment-transaction base, e.g.
	// "https://epay.example/xbezahldienste/api/v1.0.0/". Required.
	BaseURL string
	// OriginatorID and EndpointID name the online service at the platform (often the form's
	// name or a LeiKa key, and the booking endpoint). Required.
	OriginatorID, EndpointID string
	// HTTPClient sends the requests; configure authentication here (client certificate,
	// OAuth2, Basic) and a timeout. Nil means a client with a 30 second timeout.
	HTTPClient *http.Client
	// BookingData is added to every payment item (Haushaltsstelle, Objektnummer, ...).
	BookingData map[string]string
	// TaxRate of the fee in hundredths of a percent (1900 = 19 %); fees are usually 0. The
	// whole amount is sent as net amount when 0; otherwise split into net and tax.
	TaxRate int64
	// Now is the clock for requestTimestamp; default time.Now.
	Now func() time.Time
	// Logger receives little and never personal data; default slog.Default().
	Logger *slog.Logger
}

// Client talks to one platform for one originator and endpoint. It implements
// payment.Provider and payment.Checker and is safe for concurrent use. It does not retry:
// payment.Service does, on errors that wrap payment.ErrUnavailable.
type Client struct {
	cfg  Config
	base *url.URL
	hc   *http.Client
	now  func() time.Time
	log  *slog.Logger
}

var (
	_ payment.Provider = (*Client)(nil)
	_ payment.Checker  = (*Client)(nil)
	_ payment.Pinger   = (*Client)(nil)
)

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("xbezahldienste: BaseURL %q must be an absolute http(s) URL without query", cfg.BaseURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	if err := CheckEndpoint("OriginatorID", cfg.OriginatorID); err != nil {
		return nil, fmt.Errorf("xbezahldienste: %w", err)
	}
	if err := CheckEndpoint("EndpointID", cfg.EndpointID); err != nil {
		return nil, fmt.Errorf("xbezahldienste: %w", err)
	}
	if cfg.TaxRate < 0 || cfg.TaxRate > 10000 {
		return nil, fmt.Errorf("xbezahldienste: TaxRate %d is not 0 to 10000 hundredths of a percent", cfg.TaxRate)
	}
	c := &Client{cfg: cfg, base: u, hc: cfg.HTTPClient, now: cfg.Now, log: cfg.Logger}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: 30 * time.Second}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	return c, nil
}

// Request builds the XBezahldienste request for req, with the purpose transliterated
// ([Transliterate]) and the description too ([TransliterateDescription]), and validates it.
// It sends nothing.
func (c *Client) Request(req payment.CreateRequest) (*PaymentRequest, error) {
	return buildRequest(req, c.cfg.BookingData, c.cfg.TaxRate, c.now())
}

// Check reports whether a platform would accept req as the [Client] sends it (without
// configured booking data, tax rate 0): every rule of [PaymentRequest.Validate]. It sends
// nothing.
func Check(req payment.CreateRequest) error {
	_, err := buildRequest(req, nil, 0, time.Now())
	return err
}

func buildRequest(req payment.CreateRequest, cfgBooking map[string]string, taxRate int64, now time.Time) (*PaymentRequest, error) {
	booking := cfgBooking
	if len(req.BookingData) > 0 {
		booking = make(map[string]string, len(cfgBooking)+len(req.BookingData))
		for k, v := range cfgBooking {
			booking[k] = v
		}
		for k, v := range req.BookingData {
			booking[k] = v
		}
	}
	net, tax := req.Amount, int64(0)
	if taxRate > 0 {
		// gross = net × (1 + rate); tax rounded half up, net takes the rest.
		net = (req.Amount*10000*2 + (10000 + taxRate)) / (2 * (10000 + taxRate))
		tax = req.Amount - net
	}
	desc := TransliterateDescription(req.Description)
	pr := &PaymentRequest{
		RequestID:        req.RequestID,
		RequestTimestamp: now.UTC().Format(TimestampLayout),
		Currency:         req.Currency,
		GrosAmount:       Decimal(req.Amount),
		Purpose:          Transliterate(req.Purpose),
		Description:      desc,
		RedirectURL:      req.ReturnURL,
		Items: []PaymentItem{{
			ID: "1", Reference: req.Reference, Description: desc,
			TaxRate: Decimal(taxRate), Quantity: 1,
			TotalNetAmount: Decimal(net), TotalTaxAmount: Decimal(tax),
			SingleNetAmount: Decimal(net), SingleTaxAmount: Decimal(tax),
			BookingData: booking,
		}},
	}
	if req.Amount <= 0 {
		return nil, field("grosAmount", "%s: a payment must be above 0.00", payment.FormatEuro(req.Amount))
	}
	if err := pr.Validate(); err != nil {
		return nil, err
	}
	return pr, nil
}

// Check implements payment.Checker: it reports whether req would be sent.
func (c *Client) Check(req payment.CreateRequest) error {
	_, err := c.Request(req)
	return err
}

// Create implements payment.Provider: POST {base}paymenttransaction/{originatorId}/{endpointId}.
func (c *Client) Create(ctx context.Context, req payment.CreateRequest) (payment.Transaction, error) {
	pr, err := c.Request(req)
	if err != nil {
		return payment.Transaction{}, err
	}
	body, err := json.Marshal(pr)
	if err != nil {
		return payment.Transaction{}, fmt.Errorf("xbezahldienste: encode request: %w", err)
	}
	tx, err := c.do(ctx, http.MethodPost, c.path(), body)
	if err != nil {
		return payment.Transaction{}, fmt.Errorf("xbezahldienste: create %s: %w", pr.RequestID, err)
	}
	if tx.PaymentRequest.RequestID != "" && tx.PaymentRequest.RequestID != pr.RequestID {
		return payment.Transaction{}, fmt.Errorf("xbezahldienste: create %s: answer is for request %q: %w",
			pr.RequestID, truncate(tx.PaymentRequest.RequestID, 40), payment.ErrMismatch)
	}
	return tx.Transaction(), nil
}

// Status implements payment.Provider: GET {base}paymenttransaction/{originatorId}/{endpointId}/{transactionId}.
func (c *Client) Status(ctx context.Context, transactionID string) (payment.Transaction, error) {
	if err := checkTransactionID(transactionID); err != nil {
		return payment.Transaction{}, fmt.Errorf("%w: %w", payment.ErrNotFound, err)
	}
	tx, err := c.do(ctx, http.MethodGet, c.path(transactionID), nil)
	if err != nil {
		return payment.Transaction{}, fmt.Errorf("xbezahldienste: status %s: %w", transactionID, err)
	}
	if tx.PaymentInformation.TransactionID != transactionID {
		return payment.Transaction{}, fmt.Errorf("xbezahldienste: status %s: answer is for transaction %q: %w",
			transactionID, tx.PaymentInformation.TransactionID, payment.ErrMismatch)
	}
	return tx.Transaction(), nil
}

func (c *Client) path(extra ...string) string {
	u := *c.base
	segs := append([]string{"paymenttransaction", c.cfg.OriginatorID, c.cfg.EndpointID}, extra...)
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u.RawPath = ""
	ref, _ := url.Parse(strings.Join(segs, "/"))
	return u.ResolveReference(ref).String()
}

// Ping implements payment.Pinger: GET {base}status/{originatorId}/{endPointId}, the status of
// the platform's configuration for this originator and endpoint. 200 means ready; 503, other
// server errors and network errors wrap payment.ErrUnavailable; 403 (FORBIDDEN,
// NO_VALID_ORIGINATOR_OR_ENDPOINT) is an [*Error] wrapping payment.ErrProvider.
func (c *Client) Ping(ctx context.Context) error {
	u := *c.base
	u.RawPath = ""
	ref, _ := url.Parse("status/" + url.PathEscape(c.cfg.OriginatorID) + "/" + url.PathEscape(c.cfg.EndpointID))
	if _, err := c.send(ctx, http.MethodGet, u.ResolveReference(ref).String(), nil); err != nil {
		return fmt.Errorf("xbezahldienste: status of %s/%s: %w", c.cfg.OriginatorID, c.cfg.EndpointID, err)
	}
	return nil
}

func (c *Client) do(ctx context.Context, method, target string, body []byte) (*PaymentTransaction, error) {
	b, err := c.send(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	tx, err := ParseTransaction(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", payment.ErrProvider, err)
	}
	return tx, nil
}

// send makes one request and returns the body of a 200 or 201 answer; any other answer is an
// [*Error].
func (c *Client) send(ctx context.Context, method, target string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Accept", "application/json")
	if body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(hreq)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%w)", ctx.Err(), payment.ErrUnavailable)
		}
		return nil, fmt.Errorf("%w: %w", payment.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read answer: %w", payment.ErrUnavailable, err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		e := &Error{StatusCode: resp.StatusCode}
		if len(b) <= MaxResponseSize {
			_ = json.Unmarshal(b, &e.Problem) // a body that is no problem document still leaves the status
		}
		e.Title, e.Detail, e.FunctionalCode = cut(e.Title), cut(e.Detail), cut(e.FunctionalCode)
		e.FunctionalText = truncate(cut(e.FunctionalText), MaxFunctionalTextLength)
		c.log.WarnContext(ctx, "xbezahldienste: refused", "status", resp.StatusCode, "functionalCode", e.FunctionalCode)
		return nil, e
	}
	if len(b) > MaxResponseSize {
		return nil, fmt.Errorf("%w: answer of more than %d bytes", payment.ErrProvider, MaxResponseSize)
	}
	return b, nil
}
