package paymenttest

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/internal/problem"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

// MaxRequestSize is the largest request body, in bytes, the [Server] reads.
const MaxRequestSize = 64 << 10

// MaxTransactions is the most transactions a [Server] keeps; further creates are refused
// with 503, so that a server left running cannot be filled without bound.
const MaxTransactions = 100000

// ServerOptions configure a [Server]; nil means the defaults.
type ServerOptions struct {
	// OriginatorID and EndpointID are the only ones accepted; defaults "ozgkit" and "test".
	OriginatorID, EndpointID string
	// BaseURL is the server's external URL, ending in "/", used for transactionUrl and the pay
	// page; set it when the server is mounted below a prefix. Default: from the request's
	// Host (http, or https under TLS).
	BaseURL string
	// BearerToken, if set, must be sent as "Authorization: Bearer <token>" with every API
	// request; otherwise the answer is 403 FORBIDDEN.
	BearerToken string
	// RequiredBookingData names bookingData keys every item must carry; a missing one is
	// refused with BOOKING_DATA_MISSING.
	RequiredBookingData []string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// Server is a local XBezahldienste platform: the payment-transaction API, validated like a
// strict platform, and a pay page. It keeps transactions in memory. Use it with
// httptest.NewServer(paymenttest.NewServer(nil)) or mount it in an example app. Safe for
// concurrent use.
type Server struct {
	opts ServerOptions
	mux  *http.ServeMux
	log  *slog.Logger

	mu          sync.Mutex
	txs         map[string]*record
	byRequest   map[string]string
	unavailable int
	hang        int
	apiCalls    int
}

type record struct {
	tx    xbezahldienste.PaymentTransaction
	token string
}

// NewServer returns a Server.
func NewServer(opts *ServerOptions) *Server {
	s := &Server{txs: map[string]*record{}, byRequest: map[string]string{}}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.OriginatorID == "" {
		s.opts.OriginatorID = "ozgkit"
	}
	if s.opts.EndpointID == "" {
		s.opts.EndpointID = "test"
	}
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	s.log = s.opts.Logger
	if s.log == nil {
		s.log = slog.Default()
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST /paymenttransaction/{originator}/{endpoint}", s.api(s.create))
	s.mux.HandleFunc("GET /paymenttransaction/{originator}/{endpoint}/{transaction}", s.api(s.status))
	s.mux.HandleFunc("GET /status/{originator}/{endpoint}", s.api(s.configStatus))
	s.mux.HandleFunc("GET /pay/{transaction}", s.payPage)
	s.mux.HandleFunc("POST /pay/{transaction}", s.payAction)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Unavailable makes the next n API requests answer 503 with an UNSPECIFIED problem.
func (s *Server) Unavailable(n int) {
	s.mu.Lock()
	s.unavailable = n
	s.mu.Unlock()
}

// Hang makes the next n API requests wait without answering until the client gives up
// (its request context ends), like a platform that does not answer in time.
func (s *Server) Hang(n int) {
	s.mu.Lock()
	s.hang = n
	s.mu.Unlock()
}

// APICalls reports how many API requests reached the server.
func (s *Server) APICalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiCalls
}

// SetAmount changes the grosAmount the server holds for a transaction, to test that a
// service notices a tampered amount. It reports whether the transaction exists.
func (s *Server) SetAmount(transactionID string, cents int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.txs[transactionID]
	if ok {
		rec.tx.PaymentRequest.GrosAmount = xbezahldienste.Decimal(cents)
	}
	return ok
}

// Transaction returns a copy of a kept transaction.
func (s *Server) Transaction(transactionID string) (xbezahldienste.PaymentTransaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.txs[transactionID]
	if !ok {
		return xbezahldienste.PaymentTransaction{}, false
	}
	return copyTx(rec.tx), true
}

func copyTx(tx xbezahldienste.PaymentTransaction) xbezahldienste.PaymentTransaction {
	pi, pr := *tx.PaymentInformation, *tx.PaymentRequest
	return xbezahldienste.PaymentTransaction{PaymentInformation: &pi, PaymentRequest: &pr}
}

func (s *Server) baseURL(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return s.opts.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/"
}

// writeProblem answers a SystemResponse as the published API describes it: type, status,
// title (≤ 250 of [\w\d\s.-]), functionalCode and functionalText (≤ 2000 of the
// description's characters); detail carries the same text unchanged.
func writeProblem(w http.ResponseWriter, status int, code, detail string) {
	problem.Write(w, problem.Details{
		Type:   "https://ozgkit.example/xbezahldienste/" + strings.ToLower(code),
		Status: status, Detail: detail,
		Extra: map[string]any{"functionalCode": code, "functionalText": FunctionalText(detail)},
	})
}

// FunctionalText writes text in the characters and length the published API allows a
// functionalText: characters a description may not have become spaces, runs of spaces one,
// at most 2000 characters; empty text becomes "Fehler".
func FunctionalText(text string) string {
	text = xbezahldienste.TransliterateDescription(text)
	var b strings.Builder
	n, space := 0, false
	for _, r := range text {
		if n >= xbezahldienste.MaxFunctionalTextLength {
			break
		}
		if xbezahldienste.CheckDescription("", string(r)) != nil || r == ' ' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	if b.Len() == 0 {
		return "Fehler"
	}
	return b.String()
}

// api wraps an API handler with the outage switches, authentication and the originator check.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.apiCalls++
		hang, down := s.hang > 0, s.unavailable > 0
		if hang {
			s.hang--
		} else if down {
			s.unavailable--
		}
		s.mu.Unlock()
		if hang {
			// Read the body first: only then does net/http notice that the client went away.
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, MaxRequestSize))
			t := time.NewTimer(time.Minute) // never hold a connection for ever
			defer t.Stop()
			select {
			case <-r.Context().Done():
			case <-t.C:
			}
			return
		}
		if down {
			writeProblem(w, http.StatusServiceUnavailable, xbezahldienste.CodeUnspecified, "simulated outage")
			return
		}
		if tok := s.opts.BearerToken; tok != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(tok)) != 1 {
				writeProblem(w, http.StatusForbidden, xbezahldienste.CodeForbidden, "missing or wrong bearer token")
				return
			}
		}
		for _, name := range []string{"originator", "endpoint"} {
			if err := xbezahldienste.CheckEndpoint(name, r.PathValue(name)); err != nil {
				writeProblem(w, http.StatusBadRequest, xbezahldienste.CodeValidationError, err.Error())
				return
			}
		}
		if r.PathValue("originator") != s.opts.OriginatorID || r.PathValue("endpoint") != s.opts.EndpointID {
			status := http.StatusNotFound
			if strings.HasPrefix(r.URL.Path, "/status/") {
				status = http.StatusForbidden // the status endpoint documents 200, 403 and 503 only
			}
			writeProblem(w, status, xbezahldienste.CodeNoValidOriginatorOrEndpoint, "unknown originator or endpoint")
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeProblem(w, http.StatusUnsupportedMediaType, xbezahldienste.CodeValidationError, "Content-Type must be application/json")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestSize+1))
	if err != nil {
		writeProblem(w, http.StatusBadRequest, xbezahldienste.CodeValidationError, "request body unreadable")
		return
	}
	if len(body) > MaxRequestSize {
		writeProblem(w, http.StatusRequestEntityTooLarge, xbezahldienste.CodeValidationError, fmt.Sprintf("request body above %d bytes", MaxRequestSize))
		return
	}
	var req xbezahldienste.PaymentRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeProblem(w, http.StatusBadRequest, xbezahldienste.CodeValidationError, "request is not a PaymentRequest: "+err.Error())
		return
	}
	if dec.More() {
		writeProblem(w, http.StatusBadRequest, xbezahldienste.CodeValidationError, "data after the PaymentRequest")
		return
	}
	if err := req.Validate(); err != nil {
		code := xbezahldienste.CodeValidationError
		if errors.Is(err, xbezahldienste.ErrCalculation) {
			code = xbezahldienste.CodeCalculationError
		}
		writeProblem(w, http.StatusBadRequest, code, err.Error())
		return
	}
	if req.GrosAmount == 0 {
		writeProblem(w, http.StatusBadRequest, xbezahldienste.CodeValidationError, "invalid grosAmount: must be above 0.00")
		return
	}
	for i, it := range req.Items {
		for _, k := range s.opts.RequiredBookingData {
			if it.BookingData[k] == "" {
				writeProblem(w, http.StatusBadRequest, xbezahldienste.CodeBookingDataMissing, fmt.Sprintf("items[%d].bookingData.%s is missing", i, k))
				return
			}
		}
	}
	id := uuid.NewString()
	base := s.baseURL(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byRequest[req.RequestID]; ok {
		writeProblem(w, http.StatusConflict, xbezahldienste.CodePaymentExists, "a payment with requestId "+req.RequestID+" exists")
		return
	}
	if len(s.txs) >= MaxTransactions {
		writeProblem(w, http.StatusServiceUnavailable, xbezahldienste.CodeUnspecified, "transaction store full")
		return
	}
	var tok [16]byte
	_, _ = rand.Read(tok[:])
	rec := &record{token: hex.EncodeToString(tok[:]), tx: xbezahldienste.PaymentTransaction{
		PaymentRequest: &req,
		PaymentInformation: &xbezahldienste.PaymentInformation{
			TransactionURL:         base + "paymenttransaction/" + s.opts.OriginatorID + "/" + s.opts.EndpointID + "/" + id,
			TransactionRedirectURL: base + "pay/" + id,
			TransactionID:          id,
			TransactionReference:   fmt.Sprintf("KZ%010d", len(s.txs)+1),
			Status:                 xbezahldienste.StatusInitial,
		},
	}}
	s.txs[id] = rec
	s.byRequest[req.RequestID] = id
	writeJSON(w, http.StatusCreated, rec.tx)
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rec, ok := s.txs[r.PathValue("transaction")]
	var tx xbezahldienste.PaymentTransaction
	if ok {
		tx = copyTx(rec.tx)
	}
	s.mu.Unlock()
	if !ok {
		writeProblem(w, http.StatusNotFound, xbezahldienste.CodeUnspecified, "no such transaction")
		return
	}
	writeJSON(w, http.StatusOK, tx)
}

// configStatus answers GET /status/{originatorId}/{endPointId}: the configuration for the
// originator and endpoint is ready (the outage switch and authentication were checked by api).
func (s *Server) configStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, xbezahldienste.Problem{
		Status: http.StatusOK, Title: "OK", FunctionalText: "Konfiguration fuer " + s.opts.OriginatorID + " " + s.opts.EndpointID + " ist bereit",
	})
}

// act applies the citizen's choice; it returns the redirect URL, or an HTTP status and text.
func (s *Server) act(id, token string, a Action, method payment.Method) (string, int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.txs[id]
	switch {
	case !ok:
		return "", http.StatusNotFound, "Diese Zahlung gibt es nicht."
	case subtle.ConstantTimeCompare([]byte(token), []byte(rec.token)) != 1:
		return "", http.StatusForbidden, "Das Formular ist ungültig. Bitte laden Sie die Seite neu."
	case rec.tx.PaymentInformation.Status != xbezahldienste.StatusInitial:
		return "", http.StatusConflict, "Diese Zahlung ist bereits abgeschlossen."
	}
	pi := rec.tx.PaymentInformation
	switch a {
	case ActionPay:
		if method == "" {
			method = payment.MethodCreditCard
		}
		if !method.Valid() {
			return "", http.StatusBadRequest, "Bitte wählen Sie eine Zahlart."
		}
		pi.Status, pi.PaymentMethod = xbezahldienste.StatusPayed, string(method)
		pi.TransactionTimestamp = s.opts.Now().UTC().Format(xbezahldienste.TimestampLayout)
		pi.StatusDetail = "Zahlung erfolgreich"
	case ActionCancel:
		pi.Status, pi.StatusDetail = xbezahldienste.StatusCanceled, "Vom Nutzer abgebrochen"
	case ActionFail:
		pi.Status, pi.StatusDetail = xbezahldienste.StatusFailed, "Zahlung abgelehnt"
	default:
		return "", http.StatusBadRequest, "Unbekannte Aktion."
	}
	pi.TransactionRedirectURL = ""
	return rec.tx.PaymentRequest.RedirectURL, 0, ""
}

// view returns what the pay page shows of a transaction.
func (s *Server) view(id string) (pageData, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.txs[id]
	if !ok {
		return pageData{}, false
	}
	pr, pi := rec.tx.PaymentRequest, rec.tx.PaymentInformation
	return pageData{
		ID: id, Token: rec.token, Purpose: pr.Purpose, Description: pr.Description,
		Amount:    strings.Replace(payment.FormatEuro(int64(pr.GrosAmount)), ".", ",", 1),
		Reference: pi.TransactionReference, Open: pi.Status == xbezahldienste.StatusInitial,
		Status: string(pi.Status), ReturnURL: pr.RedirectURL,
	}, true
}
