package fitconnecttest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/ozgkit/ozgkit/internal/problem"
	"github.com/ozgkit/ozgkit/ozg/fitconnect"
)

// Key ids the server publishes.
const (
	EncryptionKID           = "destination-encryption"
	DestinationSignatureKID = "destination-signature"
	ServiceSignatureKID     = "service-signature"
)

// Options configure a Server; nil means the defaults.
type Options struct {
	// ClientID and ClientSecret are the credentials the token endpoint accepts
	// (default "sender" and "sender-secret").
	ClientID, ClientSecret string
	// DestinationID is the one destination the server offers (default a random UUID).
	DestinationID string
	// Keys default to SharedKeys().
	Keys *Keys
	// PKI, when set, certifies the encryption and signature keys and the server publishes
	// their x5c chains; its Pool is then the sender's trust anchor.
	PKI *PKI
	// EncryptionJWK, when set, is published instead of the proper encryption key, to test
	// how senders treat bad keys.
	EncryptionJWK []byte
	// CallbackURL and CallbackSecret: when both are set, the server POSTs a signed callback
	// naming the case after each submission is accepted or rejected.
	CallbackURL    string
	CallbackSecret []byte
	// MetadataSchema, when set, is what received metadata is validated against.
	MetadataSchema *jsonschema.Schema
	// MaxPayload bounds one attachment's plaintext (default fitconnect.MaxPayload).
	MaxPayload int64
	// SubmitStatus is the status a submit is answered with: 202 (the default, as API v1
	// documents it) or 200, as other deployments answer.
	SubmitStatus int
	Logger       *slog.Logger
}

// Server is a local FIT-Connect-like Submission API under httptest, with the endpoints a
// sender uses: the token endpoint, the destination and its keys, announcing a submission,
// uploading attachments, submitting, the event log and the service's JWKS. It plays the
// authority's subscriber too: on submit it decrypts everything with the destination's
// private key, checks the hashes against the metadata and logs an accept-submission event
// (or reject-submission with the reason), signed with the destination's key.
type Server struct {
	*httptest.Server
	opts Options

	mu          sync.Mutex
	tokens      map[string]bool
	submissions map[string]*submission
	events      map[string][]string
	faults      []fault
	callbacks   sync.WaitGroup
}

type submission struct {
	id, caseID  string
	announced   []string
	attachments map[string][]byte
	submitted   bool
	received    *fitconnect.Received
	err         error
	cty         map[string]string
}

type fault struct {
	method, prefix string
	status         int
	left           int
}

// NewServer starts a server; Close it when done.
func NewServer(opts *Options) (*Server, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.ClientID == "" {
		o.ClientID, o.ClientSecret = "sender", "sender-secret"
	}
	if o.DestinationID == "" {
		o.DestinationID = uuid.NewString()
	}
	if o.Keys == nil {
		k, err := SharedKeys()
		if err != nil {
			return nil, err
		}
		o.Keys = k
	}
	if o.MaxPayload <= 0 {
		o.MaxPayload = fitconnect.MaxPayload
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.SubmitStatus == 0 {
		o.SubmitStatus = http.StatusAccepted
	}
	s := &Server{opts: o, tokens: map[string]bool{}, submissions: map[string]*submission{}, events: map[string][]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("GET /.well-known/jwks.json", s.jwks)
	mux.HandleFunc("GET /v1/destinations/{id}", s.auth(s.destination))
	mux.HandleFunc("GET /v1/destinations/{id}/keys/{kid}", s.auth(s.key))
	mux.HandleFunc("POST /v1/submissions", s.auth(s.announce))
	mux.HandleFunc("PUT /v1/submissions/{id}/attachments/{aid}", s.auth(s.attachment))
	mux.HandleFunc("PUT /v1/submissions/{id}", s.auth(s.submit))
	mux.HandleFunc("GET /v1/cases/{id}/events", s.auth(s.eventLog))
	s.Server = httptest.NewServer(s.withFaults(mux))
	return s, nil
}

// Close waits for callbacks under way and stops the server.
func (s *Server) Close() {
	s.callbacks.Wait()
	s.Server.Close()
}

// TokenURL is the token endpoint.
func (s *Server) TokenURL() string { return s.URL + "/token" }

// DestinationID is the destination the server offers.
func (s *Server) DestinationID() string { return s.opts.DestinationID }

// Credentials are the client id and secret the token endpoint accepts.
func (s *Server) Credentials() (id, secret string) { return s.opts.ClientID, s.opts.ClientSecret }

// Roots is the trust anchor pool of the server's PKI, nil without one.
func (s *Server) Roots() *x509.CertPool {
	if s.opts.PKI == nil {
		return nil
	}
	return s.opts.PKI.Pool()
}

// Fail makes the next n requests whose method is method and whose path starts with prefix
// fail with status, before they are looked at.
func (s *Server) Fail(method, prefix string, status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{method: method, prefix: prefix, status: status, left: n})
}

// Received returns what the subscriber side decrypted of a submitted submission, or the
// reason it rejected it.
func (s *Server) Received(submissionID string) (*fitconnect.Received, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.submissions[submissionID]
	switch {
	case !ok:
		return nil, fmt.Errorf("fitconnecttest: no submission %s", submissionID)
	case !sub.submitted:
		return nil, fmt.Errorf("fitconnecttest: submission %s was announced but not submitted", submissionID)
	}
	return sub.received, sub.err
}

// ContentTypes returns the cty of each payload of a submitted submission as its JWE header
// names it: "metadata", "data" and each attachment id; "" where the header has none.
func (s *Server) ContentTypes(submissionID string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.submissions[submissionID]
	if !ok {
		return nil
	}
	out := make(map[string]string, len(sub.cty))
	for k, v := range sub.cty {
		out[k] = v
	}
	return out
}

// LogEvent appends a Security Event Token about a submission to its case's event log, signed
// as FIT-Connect's event table says it is: by the destination's signature key (iss the
// destination id) when byDestination, otherwise by the Submission API's key (iss the
// server's URL). Use it for forward-submission, or for the Zustelldienst's reject-submission
// of a submission not fetched within 14 days.
func (s *Server) LogEvent(submissionID, event string, byDestination bool, payload any) error {
	s.mu.Lock()
	sub, ok := s.submissions[submissionID]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("fitconnecttest: no submission %s", submissionID)
	}
	sign := s.serviceSET
	if byDestination {
		sign = s.destinationSET
	}
	set, err := sign(sub, event, payload)
	if err != nil {
		return err
	}
	return s.AppendEvent(sub.caseID, set)
}

// AppendEvent appends any token, e.g. a forged one, to a case's event log.
func (s *Server) AppendEvent(caseID, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.events[caseID]; !ok {
		return fmt.Errorf("fitconnecttest: no case %s", caseID)
	}
	s.events[caseID] = append(s.events[caseID], token)
	return nil
}

// Submissions returns the ids of all announced submissions and how many were submitted.
func (s *Server) Submissions() (announced []string, submitted int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, sub := range s.submissions {
		announced = append(announced, id)
		if sub.submitted {
			submitted++
		}
	}
	return announced, submitted
}

func (s *Server) withFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		for i := range s.faults {
			f := &s.faults[i]
			if f.left > 0 && f.method == r.Method && strings.HasPrefix(r.URL.Path, f.prefix) {
				f.left--
				s.mu.Unlock()
				problem.Error(w, f.status, "fault injected by the test")
				return
			}
		}
		s.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	if id != s.opts.ClientID || secret != s.opts.ClientSecret {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[tok] = true
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 1800})
}

func writeOAuthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}

func (s *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		known := ok && s.tokens[tok]
		s.mu.Unlock()
		if !known {
			w.Header().Set("WWW-Authenticate", "Bearer")
			problem.Error(w, http.StatusUnauthorized, "A valid bearer token is required.")
			return
		}
		next(w, r)
	}
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	k := JWK(&s.opts.Keys.Signing.PublicKey, "PS512", ServiceSignatureKID, []string{"verify"}, nil)
	writeJSON(w, http.StatusOK, map[string]any{"keys": []json.RawMessage{k}})
}

func (s *Server) destination(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") != s.opts.DestinationID {
		problem.Error(w, http.StatusNotFound, "No such destination.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"destinationId": s.opts.DestinationID, "status": "active", "encryptionKid": EncryptionKID,
	})
}

func (s *Server) key(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") != s.opts.DestinationID {
		problem.Error(w, http.StatusNotFound, "No such destination.")
		return
	}
	var (
		doc []byte
		err error
	)
	switch r.PathValue("kid") {
	case EncryptionKID:
		doc = s.opts.EncryptionJWK
		if doc == nil {
			doc, err = s.publicJWK(&s.opts.Keys.Encryption.PublicKey, "RSA-OAEP-256", EncryptionKID, "wrapKey")
		}
	case DestinationSignatureKID:
		doc, err = s.publicJWK(&s.opts.Keys.Signing.PublicKey, "PS512", DestinationSignatureKID, "verify")
	default:
		problem.Error(w, http.StatusNotFound, "No such key.")
		return
	}
	if err != nil {
		problem.Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(doc)
}

func (s *Server) publicJWK(pub *rsa.PublicKey, alg, kid, op string) ([]byte, error) {
	var x5c []string
	if s.opts.PKI != nil {
		var err error
		if x5c, err = s.opts.PKI.Chain(pub, kid); err != nil {
			return nil, err
		}
	}
	return JWK(pub, alg, kid, []string{op}, x5c), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readJSON decodes a bounded JSON body; it writes the problem and returns false on failure.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		problem.Error(w, http.StatusUnsupportedMediaType, "The body must be application/json.")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			problem.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The body may have at most %d bytes.", limit))
			return false
		}
		problem.Error(w, http.StatusBadRequest, "The body is not valid JSON: "+err.Error())
		return false
	}
	return true
}

func (s *Server) announce(w http.ResponseWriter, r *http.Request) {
	var req struct {
		DestinationID        string   `json:"destinationId"`
		AnnouncedAttachments []string `json:"announcedAttachments"`
		ServiceType          struct {
			Name       string `json:"name"`
			Identifier string `json:"identifier"`
		} `json:"serviceType"`
	}
	if !readJSON(w, r, 256<<10, &req) {
		return
	}
	if req.DestinationID != s.opts.DestinationID {
		problem.Write(w, problem.Details{Status: http.StatusNotFound, Detail: "destinationId: no such destination.",
			Type: "https://schema.fitko.de/fit-connect/submission-api/problems/destination-not-found"})
		return
	}
	if !strings.HasPrefix(req.ServiceType.Identifier, "urn:") {
		problem.Error(w, http.StatusUnprocessableEntity, "serviceType.identifier must be a URN.")
		return
	}
	if len(req.AnnouncedAttachments) > 1000 {
		problem.Error(w, http.StatusUnprocessableEntity, "announcedAttachments: more than 1000.")
		return
	}
	seen := map[string]bool{}
	for _, id := range req.AnnouncedAttachments {
		if u, err := uuid.Parse(id); err != nil || u.String() != id || seen[id] {
			problem.Error(w, http.StatusUnprocessableEntity, fmt.Sprintf("announcedAttachments: %q is not a unique UUID.", id))
			return
		}
		seen[id] = true
	}
	sub := &submission{id: uuid.NewString(), caseID: uuid.NewString(), announced: req.AnnouncedAttachments, attachments: map[string][]byte{}}
	set, err := s.serviceSET(sub, fitconnect.EventCreate, nil)
	if err != nil {
		problem.Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	s.mu.Lock()
	s.submissions[sub.id] = sub
	s.events[sub.caseID] = append(s.events[sub.caseID], set)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]string{"destinationId": s.opts.DestinationID, "submissionId": sub.id, "caseId": sub.caseID})
}

func (s *Server) attachment(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/jose" {
		problem.Error(w, http.StatusUnsupportedMediaType, "An attachment is a compact JWE, application/jose.")
		return
	}
	limit := s.opts.MaxPayload/3*4 + 8<<10
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		problem.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("An attachment may have at most %d bytes.", limit))
		return
	}
	if bytes.Count(body, []byte(".")) != 4 {
		problem.Error(w, http.StatusBadRequest, "The body is not a compact JWE.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.submissions[r.PathValue("id")]
	switch {
	case !ok:
		problem.Error(w, http.StatusNotFound, "No such submission.")
	case sub.submitted:
		problem.Error(w, http.StatusConflict, "The submission was submitted already.")
	case !contains(sub.announced, r.PathValue("aid")):
		problem.Error(w, http.StatusNotFound, "The attachment was not announced.")
	default:
		sub.attachments[r.PathValue("aid")] = body
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	var req struct {
		EncryptedMetadata string `json:"encryptedMetadata"`
		EncryptedData     string `json:"encryptedData"`
	}
	if !readJSON(w, r, s.opts.MaxPayload/3*4+(2<<20), &req) {
		return
	}
	if req.EncryptedMetadata == "" {
		problem.Error(w, http.StatusUnprocessableEntity, "encryptedMetadata is required.")
		return
	}
	s.mu.Lock()
	sub, ok := s.submissions[r.PathValue("id")]
	var missing []string
	if ok {
		for _, id := range sub.announced {
			if _, up := sub.attachments[id]; !up {
				missing = append(missing, id)
			}
		}
	}
	switch {
	case !ok:
		s.mu.Unlock()
		problem.Error(w, http.StatusNotFound, "No such submission.")
		return
	case sub.submitted:
		s.mu.Unlock()
		problem.Error(w, http.StatusConflict, "The submission was submitted already.")
		return
	case len(missing) > 0:
		s.mu.Unlock()
		problem.Error(w, http.StatusUnprocessableEntity, fmt.Sprintf("Announced attachments missing: %s.", strings.Join(missing, ", ")))
		return
	}
	sub.submitted = true
	atts := sub.attachments
	sub.cty = map[string]string{"metadata": cty(req.EncryptedMetadata), "data": cty(req.EncryptedData)}
	for id, a := range atts {
		sub.cty[id] = cty(string(a))
	}
	s.mu.Unlock()

	// The subscriber's side: decrypt, check the hashes, accept or reject.
	received, err := fitconnect.OpenSubmission(s.opts.Keys.Encryption, []byte(req.EncryptedMetadata), []byte(req.EncryptedData), atts,
		&fitconnect.OpenOptions{MaxPayload: s.opts.MaxPayload, Schema: s.opts.MetadataSchema})
	if err == nil && len(received.Attachments) != len(sub.announced) {
		err = fmt.Errorf("%w: %d attachments announced, %d in the metadata", fitconnect.ErrMetadata, len(sub.announced), len(received.Attachments))
	}
	submitSET, serr := s.serviceSET(sub, fitconnect.EventSubmit, nil)
	var outcome string
	if serr == nil {
		if err == nil {
			outcome, serr = s.destinationSET(sub, fitconnect.EventAccept, map[string]any{"authenticationTags": tags(req.EncryptedMetadata, req.EncryptedData, atts)})
		} else {
			outcome, serr = s.destinationSET(sub, fitconnect.EventReject, map[string]any{"problems": []map[string]string{{"title": "Einreichung abgelehnt", "detail": err.Error()}}})
		}
	}
	if serr != nil {
		problem.Error(w, http.StatusInternalServerError, serr.Error())
		return
	}
	s.mu.Lock()
	sub.received, sub.err = received, err
	s.events[sub.caseID] = append(s.events[sub.caseID], submitSET, outcome)
	s.mu.Unlock()
	s.opts.Logger.Debug("fitconnecttest: submitted", "submission", sub.id, "accepted", err == nil)
	writeJSON(w, s.opts.SubmitStatus, map[string]string{"destinationId": s.opts.DestinationID, "submissionId": sub.id, "caseId": sub.caseID})
	s.callback(sub.caseID)
}

// cty reads the cty of a compact JWE's protected header.
func cty(compact string) string {
	head, _, _ := strings.Cut(compact, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h struct {
		Cty string `json:"cty"`
	}
	_ = json.Unmarshal(b, &h)
	return h.Cty
}

// tags are the GCM authentication tags (the fifth JWE segment) of what was submitted.
func tags(meta, data string, atts map[string][]byte) map[string]any {
	tag := func(c string) string { p := strings.Split(c, "."); return p[len(p)-1] }
	a := map[string]string{}
	for id, c := range atts {
		a[id] = tag(string(c))
	}
	return map[string]any{"metadata": tag(meta), "data": tag(data), "attachments": a}
}

// Paging of the event log as API v1 documents it.
const (
	DefaultEventLimit = 100
	MaxEventLimit     = 500
)

// eventLog answers one page of a case's event log: limit (1 to 500, default 100) entries
// from offset, with the totalCount.
func (s *Server) eventLog(w http.ResponseWriter, r *http.Request) {
	limit, offset := DefaultEventLimit, 0
	for name, v := range map[string]*int{"limit": &limit, "offset": &offset} {
		q := r.URL.Query().Get(name)
		if q == "" {
			continue
		}
		n, err := strconv.Atoi(q)
		if err != nil || n < 0 || name == "limit" && (n < 1 || n > MaxEventLimit) {
			problem.Error(w, http.StatusBadRequest, fmt.Sprintf("%s=%q: limit is 1 to %d, offset at least 0.", name, q, MaxEventLimit))
			return
		}
		*v = n
	}
	s.mu.Lock()
	log, ok := s.events[r.PathValue("id")]
	total := len(log)
	page := []string{}
	if offset < total {
		page = append(page, log[offset:min(total, offset+limit)]...)
	}
	s.mu.Unlock()
	if !ok {
		problem.Error(w, http.StatusNotFound, "No such case.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"caseId": r.PathValue("id"), "offset": offset, "count": len(page), "totalCount": total, "eventLog": page})
}

func (s *Server) serviceSET(sub *submission, name string, payload any) (string, error) {
	return SignSET(s.opts.Keys.Signing, ServiceSignatureKID, s.URL, sub.id, sub.caseID, name, payload)
}

func (s *Server) destinationSET(sub *submission, name string, payload any) (string, error) {
	return SignSET(s.opts.Keys.Signing, DestinationSignatureKID, s.opts.DestinationID, sub.id, sub.caseID, name, payload)
}

// SignSET signs a Security Event Token as the event log holds them: PS512, typ
// secevent+jwt, one event of FIT-Connect's prefix.
func SignSET(key any, kid, issuer, submissionID, caseID, event string, payload any) (string, error) {
	if payload == nil {
		payload = map[string]any{}
	}
	claims, err := json.Marshal(map[string]any{
		"iss": issuer, "sub": "submission:" + submissionID, "txn": "case:" + caseID,
		"iat": time.Now().Unix(), "jti": uuid.NewString(),
		"events": map[string]any{fitconnect.EventPrefix + event: payload},
	})
	if err != nil {
		return "", err
	}
	h := jws.NewHeaders()
	_ = h.Set(jws.KeyIDKey, kid)
	_ = h.Set(jws.TypeKey, fitconnect.SETType)
	out, err := jws.Sign(claims, jws.WithKey(jwa.PS512, key, jws.WithProtectedHeaders(h)))
	return string(out), err
}

// callback tells the configured URL that the case has new events.
func (s *Server) callback(caseID string) {
	if s.opts.CallbackURL == "" || len(s.opts.CallbackSecret) == 0 {
		return
	}
	body, _ := json.Marshal(map[string]any{
		"type":    "https://schema.fitko.de/fit-connect/callbacks/new-events",
		"caseIds": []string{caseID},
	})
	ts, mac := fitconnect.SignCallback(s.opts.CallbackSecret, time.Now(), body)
	s.callbacks.Add(1)
	go func() {
		defer s.callbacks.Done()
		req, err := http.NewRequest(http.MethodPost, s.opts.CallbackURL, bytes.NewReader(body))
		if err != nil {
			s.opts.Logger.Warn("fitconnecttest: callback", "err", err)
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(fitconnect.HeaderCallbackTimestamp, ts)
		req.Header.Set(fitconnect.HeaderCallbackAuthentication, mac)
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			s.opts.Logger.Warn("fitconnecttest: callback", "err", err)
			return
		}
		resp.Body.Close()
	}()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
