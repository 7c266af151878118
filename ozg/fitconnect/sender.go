package fitconnect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/ozgkit/ozgkit/ozg"
)

// Config is what a sender needs to know of FIT-Connect.
type Config struct {
	// SubmissionAPI is the base URL of the Submission API, without the version, e.g.
	// "https://submission-api-testing.fit-connect.fitko.dev".
	SubmissionAPI string
	// APIVersion is the version of the Submission API's paths, "v1" (the default and, as
	// FITKO publishes the API, the current one for senders: no other version is published).
	// A version this package does not speak is refused by NewSender.
	APIVersion string
	// TokenURL is the OAuth 2.0 token endpoint; ClientID and ClientSecret are the API
	// client's credentials from the self-service portal.
	TokenURL     string
	ClientID     string
	ClientSecret string
	// Scopes are requested with the token; FIT-Connect derives them from the client when empty.
	Scopes []string
	// Routes maps an ozg service id (Submission.ServiceID) to its destination.
	Routes map[string]Route
}

// SenderOptions tune a Sender; nil means the defaults.
type SenderOptions struct {
	// HTTPClient makes every request, the token request included; default has a 60 s timeout.
	HTTPClient *http.Client
	// KeyPolicy checks the destination's keys; set its Roots in production.
	KeyPolicy *KeyPolicy
	// MaxAttachment bounds one attachment (default MaxPayload). Each attachment is read into
	// memory whole to be encrypted, one at a time.
	MaxAttachment int64
	Logger        *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Sender delivers submissions to FIT-Connect: it implements ozg.Delivery.
//
// For each submission it fetches and checks the destination's encryption key, builds and
// encrypts the metadata and the data, announces the submission with its attachment ids
// (POST /v1/submissions), uploads each encrypted attachment
// (PUT /v1/submissions/{id}/attachments/{attachmentId}) and submits
// (PUT /v1/submissions/{id}). A Sender is safe for concurrent use.
type Sender struct {
	cfg    Config
	base   *url.URL
	client *http.Client
	tokens oauth2.TokenSource
	policy *KeyPolicy
	max    int64
	logger *slog.Logger
	now    func() time.Time

	mu          sync.Mutex
	serviceKeys *keyCache
	destKeys    map[string]destKey
}

var _ ozg.Delivery = (*Sender)(nil)

// NewSender checks cfg and returns a Sender.
func NewSender(cfg Config, opts *SenderOptions) (*Sender, error) {
	if opts == nil {
		opts = &SenderOptions{}
	}
	base, err := url.Parse(strings.TrimRight(cfg.SubmissionAPI, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("fitconnect: SubmissionAPI %q is not an http(s) URL", cfg.SubmissionAPI)
	}
	if u, err := url.Parse(cfg.TokenURL); err != nil || u.Host == "" {
		return nil, fmt.Errorf("fitconnect: TokenURL %q is not a URL", cfg.TokenURL)
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("fitconnect: ClientID and ClientSecret are required")
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = APIv1
	}
	if !slices.Contains(APIVersions, cfg.APIVersion) {
		return nil, fmt.Errorf("fitconnect: APIVersion %q is not one of %q", cfg.APIVersion, APIVersions)
	}
	if len(cfg.Routes) == 0 {
		return nil, errors.New("fitconnect: no Routes configured")
	}
	for id, r := range cfg.Routes {
		if !isUUID(r.DestinationID) {
			return nil, fmt.Errorf("fitconnect: route %q: destination id %q is not a UUID", id, r.DestinationID)
		}
	}
	s := &Sender{
		cfg: cfg, base: base, client: opts.HTTPClient, policy: opts.KeyPolicy, max: opts.MaxAttachment,
		logger: opts.Logger, now: opts.Now, destKeys: map[string]destKey{},
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 60 * time.Second}
	}
	if s.policy == nil {
		s.policy = &KeyPolicy{}
	}
	if s.max <= 0 {
		s.max = MaxPayload
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	cc := clientcredentials.Config{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: cfg.TokenURL,
		Scopes: cfg.Scopes, AuthStyle: oauth2.AuthStyleInParams,
	}
	// The token source outlives any one call; the HTTP client's timeout bounds its requests.
	s.tokens = cc.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, s.client))
	return s, nil
}

// APIv1 is version 1 of the Submission API.
const APIv1 = "v1"

// APIVersions are the Submission API versions a Sender speaks.
var APIVersions = []string{APIv1}

// api returns the path of an endpoint of the configured API version, e.g.
// api("/submissions") = "/v1/submissions".
func (s *Sender) api(path string) string { return "/" + s.cfg.APIVersion + path }

// Success answers of the steps of a delivery: what API v1 documents and what other
// deployments answer (200 for a submit that v1 answers with 202).
var (
	announced = []int{http.StatusCreated, http.StatusOK}
	submitted = []int{http.StatusAccepted, http.StatusOK}
)

// announce is the body of POST /v1/submissions.
type announce struct {
	DestinationID        string            `json:"destinationId"`
	AnnouncedAttachments []string          `json:"announcedAttachments"`
	ServiceType          PublicServiceType `json:"serviceType"`
}

// created is the answer to POST /v1/submissions.
type created struct {
	DestinationID string `json:"destinationId"`
	SubmissionID  string `json:"submissionId"`
	CaseID        string `json:"caseId"`
}

// submit is the body of PUT /v1/submissions/{id}.
type submit struct {
	EncryptedMetadata string `json:"encryptedMetadata"`
	EncryptedData     string `json:"encryptedData,omitempty"`
}

// Deliver implements ozg.Delivery. Failures that retrying will not cure (no route, metadata
// that does not fit the schema, an attachment too large or changed in the blob store, a key
// that fails its checks, a 4xx answer other than 408 and 429) wrap ozg.ErrPermanent.
//
// Retries: FIT-Connect has no idempotency key. When a later step fails after the submission
// was announced, the next attempt announces a new one; the announced but never submitted
// one is discarded by the Submission API when it expires and never reaches the authority.
// Only a failure after the final PUT succeeded (the answer lost, or a crash before the outbox
// records the receipt) can make the authority receive the submission twice; both carry the
// same additionalReferenceInfo.senderReference (the Aktenzeichen) and the same attachment
// ids, by which the authority can tell.
func (s *Sender) Deliver(ctx context.Context, sub *ozg.Submission, files ozg.Files) (ozg.Receipt, error) {
	route, ok := s.cfg.Routes[sub.ServiceID]
	if !ok {
		return ozg.Receipt{}, ozg.Permanent(fmt.Errorf("%w %q", ErrNoRoute, sub.ServiceID))
	}
	if len(sub.Attachments) > maxAttachments {
		return ozg.Receipt{}, ozg.Permanent(fmt.Errorf("%w: %d attachments, more than %d", ErrMetadata, len(sub.Attachments), maxAttachments))
	}
	for _, a := range sub.Attachments {
		if a.Size > s.max {
			return ozg.Receipt{}, ozg.Permanent(fmt.Errorf("%w: attachment %s has %d bytes, limit %d", ErrTooLarge, a.ID, a.Size, s.max))
		}
	}
	if int64(len(sub.Data)) > s.max {
		return ozg.Receipt{}, ozg.Permanent(fmt.Errorf("%w: data has %d bytes, limit %d", ErrTooLarge, len(sub.Data), s.max))
	}
	meta, err := BuildMetadata(sub, route)
	if err != nil {
		return ozg.Receipt{}, ozg.Permanent(err)
	}
	key, err := s.EncryptionKey(ctx, route.DestinationID)
	if err != nil {
		return ozg.Receipt{}, classify(err)
	}
	metaJSON, err := jsonMarshal(meta)
	if err != nil {
		return ozg.Receipt{}, ozg.Permanent(err)
	}
	encMeta, err := EncryptContent(metaJSON, "application/json", key)
	if err != nil {
		return ozg.Receipt{}, err
	}
	encData, err := EncryptContent(sub.Data, meta.ContentStructure.Data.SubmissionSchema.MimeType, key)
	if err != nil {
		return ozg.Receipt{}, err
	}
	ids := make([]string, len(meta.ContentStructure.Attachments))
	for i, a := range meta.ContentStructure.Attachments {
		ids[i] = a.AttachmentID
	}
	var c created
	err = s.call(ctx, http.MethodPost, s.api("/submissions"), jsonBody(announce{
		DestinationID: route.DestinationID, AnnouncedAttachments: ids, ServiceType: *meta.PublicServiceType,
	}), &c, announced...)
	if err != nil {
		return ozg.Receipt{}, classify(err)
	}
	if !isUUID(c.SubmissionID) || !isUUID(c.CaseID) {
		return ozg.Receipt{}, fmt.Errorf("fitconnect: announce answered submissionId %q, caseId %q: not UUIDs", truncate(c.SubmissionID, 64), truncate(c.CaseID, 64))
	}
	log := s.logger.With("submission", sub.ID, "fitconnectSubmission", c.SubmissionID, "case", c.CaseID)
	log.Debug("fitconnect: submission announced", "attachments", len(ids))
	for i, a := range sub.Attachments {
		if err := s.upload(ctx, files, key, c.SubmissionID, ids[i], a); err != nil {
			return ozg.Receipt{}, classify(err)
		}
	}
	err = s.call(ctx, http.MethodPut, s.api("/submissions/"+c.SubmissionID), jsonBody(submit{
		EncryptedMetadata: string(encMeta), EncryptedData: string(encData),
	}), nil, submitted...)
	if err != nil {
		return ozg.Receipt{}, classify(err)
	}
	log.Info("fitconnect: submission submitted")
	return ozg.Receipt{ID: ReceiptID(c.CaseID, c.SubmissionID), DeliveredAt: s.now().UTC()}, nil
}

// ReceiptID is the ozg.Receipt id of a FIT-Connect delivery: "<caseId>/<submissionId>".
func ReceiptID(caseID, submissionID string) string { return caseID + "/" + submissionID }

// ParseReceiptID splits a receipt id made by ReceiptID.
func ParseReceiptID(id string) (caseID, submissionID string, err error) {
	caseID, submissionID, ok := strings.Cut(id, "/")
	if !ok || !isUUID(caseID) || !isUUID(submissionID) {
		return "", "", fmt.Errorf("fitconnect: receipt id %q is not <caseId>/<submissionId>", truncate(id, 80))
	}
	return caseID, submissionID, nil
}

// classify wraps the failures retrying will not cure with ozg.Permanent.
func classify(err error) error {
	var api *APIError
	var re *oauth2.RetrieveError
	switch {
	case errors.Is(err, ozg.ErrPermanent):
		return err
	case errors.As(err, &api):
		if !api.Temporary() {
			return ozg.Permanent(err)
		}
	case errors.As(err, &re):
		if re.Response != nil {
			if st := re.Response.StatusCode; st >= 400 && st < 500 && st != 408 && st != 429 {
				return ozg.Permanent(fmt.Errorf("fitconnect: token: %w", err))
			}
		}
	case errors.Is(err, ErrKey), errors.Is(err, ErrUntrusted), errors.Is(err, ErrMetadata),
		errors.Is(err, ErrTooLarge), errors.Is(err, ErrHashMismatch):
		return ozg.Permanent(err)
	}
	return err
}
