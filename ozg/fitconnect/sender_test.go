package fitconnect_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/fitconnect"
	"github.com/ozgkit/ozgkit/ozg/fitconnect/fitconnecttest"
)

func TestDeliverEndToEnd(t *testing.T) {
	schema := metadataSchema(t)
	pki, err := fitconnecttest.NewPKI("Test V-PKI")
	if err != nil {
		t.Fatal(err)
	}
	callbacks := make(chan []byte, 4)
	cb := httptest.NewServer(fitconnect.CallbackHandler(cbSecret, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		callbacks <- b
		w.WriteHeader(http.StatusNoContent)
	}), nil))
	defer cb.Close()
	srv := newServer(t, &fitconnecttest.Options{PKI: pki, MetadataSchema: schema, CallbackURL: cb.URL, CallbackSecret: cbSecret})
	snd := newSender(t, srv, &fitconnect.SenderOptions{KeyPolicy: &fitconnect.KeyPolicy{Roots: pki.Pool()}})

	big := make([]byte, 300<<10)
	_, _ = rand.Read(big)
	f := newFixture(t, []byte("%PDF-1.7 Einkommensnachweis"), big, []byte("%PDF-1.7 Mietvertrag"))
	ctx := context.Background()
	r, err := snd.Deliver(ctx, f.sub, f.files)
	if err != nil {
		t.Fatal(err)
	}
	caseID, submissionID, err := fitconnect.ParseReceiptID(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := srv.Received(submissionID)
	if err != nil {
		t.Fatalf("the local service rejected the submission: %v", err)
	}
	if !bytes.Equal(got.Data, f.sub.Data) {
		t.Errorf("data arrived as %q", got.Data)
	}
	if len(got.Attachments) != 3 {
		t.Fatalf("%d attachments arrived", len(got.Attachments))
	}
	for _, a := range f.sub.Attachments {
		if !bytes.Equal(got.Attachments[fitconnect.AttachmentID(f.sub, a)], f.blobs[a.ID]) {
			t.Errorf("attachment %s arrived changed", a.ID)
		}
	}
	validate(t, schema, got.MetadataJSON)

	events, err := snd.SubmissionEvents(ctx, f.sub, r)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range events {
		names = append(names, e.Name)
		if e.CaseID != caseID {
			t.Errorf("event of case %s", e.CaseID)
		}
	}
	if strings.Join(names, " ") != "create-submission submit-submission accept-submission" || !events[2].Accepted() {
		t.Errorf("events %v", names)
	}
	select {
	case b := <-callbacks:
		if !strings.Contains(string(b), caseID) {
			t.Errorf("callback %s does not name the case", b)
		}
	case <-time.After(10 * time.Second):
		t.Error("no callback arrived")
	}
}

func TestDeliverWithoutAttachmentsOrPayment(t *testing.T) {
	srv := newServer(t, nil)
	snd := newSender(t, srv, nil)
	f := newFixture(t)
	f.sub.Payment = nil
	r, err := snd.Deliver(context.Background(), f.sub, f.files)
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := fitconnect.ParseReceiptID(r.ID)
	got, err := srv.Received(id)
	if err != nil || !bytes.Equal(got.Data, f.sub.Data) || len(got.Attachments) != 0 || got.Metadata.PaymentInformation != nil {
		t.Fatalf("received %+v, %v", got, err)
	}
}

// changedFiles serves other content than recorded for every blob.
type changedFiles struct{}

func (changedFiles) Open(context.Context, string) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader("not what was uploaded")), nil
}

func TestDeliverFailures(t *testing.T) {
	k := keys(t)
	other, err := fitconnecttest.NewPKI("Other CA")
	if err != nil {
		t.Fatal(err)
	}
	pki, err := fitconnecttest.NewPKI("Test V-PKI")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		opts      *fitconnecttest.Options
		senderOpt *fitconnect.SenderOptions
		setup     func(*fitconnecttest.Server, *fixture, *fitconnect.Config)
		permanent bool
		wantErr   error
	}{
		{name: "a 503 on announcing is retried", setup: func(s *fitconnecttest.Server, _ *fixture, _ *fitconnect.Config) {
			s.Fail(http.MethodPost, "/v1/submissions", http.StatusServiceUnavailable, 1)
		}},
		{name: "a 429 on an attachment is retried", setup: func(s *fitconnecttest.Server, _ *fixture, _ *fitconnect.Config) {
			s.Fail(http.MethodPut, "/v1/submissions/", http.StatusTooManyRequests, 1)
		}},
		{name: "a 408 on the key is retried", setup: func(s *fitconnecttest.Server, _ *fixture, _ *fitconnect.Config) {
			s.Fail(http.MethodGet, "/v1/destinations/", http.StatusRequestTimeout, 1)
		}},
		{name: "a 400 on submitting is permanent", permanent: true, setup: func(s *fitconnecttest.Server, f *fixture, _ *fitconnect.Config) {
			f.sub.Attachments = nil
			s.Fail(http.MethodPut, "/v1/submissions/", http.StatusBadRequest, 1)
		}},
		{name: "an unknown destination is permanent", permanent: true, setup: func(_ *fitconnecttest.Server, _ *fixture, c *fitconnect.Config) {
			r := c.Routes[serviceID]
			r.DestinationID = "11111111-2222-4333-8444-555555555555"
			c.Routes[serviceID] = r
		}},
		{name: "wrong client credentials are permanent", permanent: true, setup: func(_ *fitconnecttest.Server, _ *fixture, c *fitconnect.Config) {
			c.ClientSecret = "wrong"
		}},
		{name: "a service without route is permanent", permanent: true, wantErr: fitconnect.ErrNoRoute, setup: func(_ *fitconnecttest.Server, f *fixture, _ *fitconnect.Config) {
			f.sub.ServiceID = "hundesteuer"
		}},
		{name: "a 2048-bit destination key is permanent", permanent: true, wantErr: fitconnect.ErrKey,
			opts: &fitconnecttest.Options{EncryptionJWK: fitconnecttest.JWK(&small2048(t).PublicKey, "RSA-OAEP-256", fitconnecttest.EncryptionKID, []string{"wrapKey"}, nil)}},
		{name: "a destination key for verify only is permanent", permanent: true, wantErr: fitconnect.ErrKey,
			opts: &fitconnecttest.Options{EncryptionJWK: fitconnecttest.JWK(&k.Encryption.PublicKey, "RSA-OAEP-256", fitconnecttest.EncryptionKID, []string{"verify"}, nil)}},
		{name: "a destination key certified by another CA is permanent", permanent: true, wantErr: fitconnect.ErrUntrusted,
			opts: &fitconnecttest.Options{PKI: other}, senderOpt: &fitconnect.SenderOptions{KeyPolicy: &fitconnect.KeyPolicy{Roots: pki.Pool()}}},
		{name: "an attachment over the bound is permanent", permanent: true, wantErr: fitconnect.ErrTooLarge,
			senderOpt: &fitconnect.SenderOptions{MaxAttachment: 10, KeyPolicy: &fitconnect.KeyPolicy{InsecureSkipChainCheck: true}}},
		{name: "an attachment changed in the blob store is permanent", permanent: true, wantErr: fitconnect.ErrHashMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newServer(t, c.opts)
			f := newFixture(t, []byte("%PDF-1.7 Einkommensnachweis"))
			id, secret := srv.Credentials()
			cfg := fitconnect.Config{SubmissionAPI: srv.URL, TokenURL: srv.TokenURL(), ClientID: id, ClientSecret: secret,
				Routes: map[string]fitconnect.Route{serviceID: route(srv)}}
			if c.setup != nil {
				c.setup(srv, f, &cfg)
			}
			so := c.senderOpt
			if so == nil {
				so = &fitconnect.SenderOptions{KeyPolicy: &fitconnect.KeyPolicy{InsecureSkipChainCheck: true}}
			}
			so.Logger = quiet
			snd, err := fitconnect.NewSender(cfg, so)
			if err != nil {
				t.Fatal(err)
			}
			var files ozg.Files = f.files
			if c.wantErr == fitconnect.ErrHashMismatch {
				files = changedFiles{}
			}
			_, err = snd.Deliver(context.Background(), f.sub, files)
			if err == nil {
				t.Fatal("delivered")
			}
			if errors.Is(err, ozg.ErrPermanent) != c.permanent {
				t.Errorf("permanent = %v, want %v: %v", !c.permanent, c.permanent, err)
			}
			if c.wantErr != nil && !errors.Is(err, c.wantErr) {
				t.Errorf("err = %v, want %v", err, c.wantErr)
			}
			if !c.permanent { // the failure passed: the next attempt delivers
				if _, err := snd.Deliver(context.Background(), f.sub, f.files); err != nil {
					t.Errorf("retry: %v", err)
				}
			}
		})
	}
}

func TestRetryAfterAFailedUploadAnnouncesAgainAndDeliversOnce(t *testing.T) {
	srv := newServer(t, nil)
	snd := newSender(t, srv, nil)
	f := newFixture(t, []byte("%PDF-1.7 a"), []byte("%PDF-1.7 b"))
	srv.Fail(http.MethodPut, "/v1/submissions/", http.StatusBadGateway, 1)
	if _, err := snd.Deliver(context.Background(), f.sub, f.files); err == nil || errors.Is(err, ozg.ErrPermanent) {
		t.Fatalf("first attempt: %v, want a retryable failure", err)
	}
	r, err := snd.Deliver(context.Background(), f.sub, f.files)
	if err != nil {
		t.Fatal(err)
	}
	announced, submitted := srv.Submissions()
	if len(announced) != 2 || submitted != 1 {
		t.Errorf("%d announced, %d submitted; want 2 and 1", len(announced), submitted)
	}
	_, id, _ := fitconnect.ParseReceiptID(r.ID)
	got, err := srv.Received(id)
	if err != nil {
		t.Fatal(err)
	}
	// The same attachment ids on every attempt, so the authority can tell repeats.
	for _, a := range f.sub.Attachments {
		if _, ok := got.Attachments[fitconnect.AttachmentID(f.sub, a)]; !ok {
			t.Errorf("attachment %s arrived under another id", a.ID)
		}
	}
}

func TestARelaySwappingTheDataGetsTheSubmissionRejected(t *testing.T) {
	srv := newServer(t, nil)
	key := encKey(t)
	// The relay cannot read the submission but can encrypt for the destination: it replaces
	// the data with other data. The metadata's hash gives it away.
	target, _ := url.Parse(srv.URL)
	relay := &httputil.ReverseProxy{}
	relay.Rewrite = func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		r := pr.Out
		if r.Method != http.MethodPut || strings.Contains(r.URL.Path, "/attachments/") {
			return
		}
		var body map[string]string
		if json.NewDecoder(r.Body).Decode(&body) != nil {
			return
		}
		forged, err := fitconnect.Encrypt([]byte(`{"antragsteller":{"name":"Mallory"}}`), key)
		if err != nil {
			return
		}
		body["encryptedData"] = string(forged)
		b, _ := json.Marshal(body)
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	}
	proxy := httptest.NewServer(relay)
	defer proxy.Close()
	id, secret := srv.Credentials()
	snd, err := fitconnect.NewSender(fitconnect.Config{SubmissionAPI: proxy.URL, TokenURL: srv.TokenURL(), ClientID: id,
		ClientSecret: secret, Routes: map[string]fitconnect.Route{serviceID: route(srv)}}, &fitconnect.SenderOptions{Logger: quiet, KeyPolicy: &fitconnect.KeyPolicy{InsecureSkipChainCheck: true}})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, []byte("%PDF-1.7 a"))
	r, err := snd.Deliver(context.Background(), f.sub, f.files)
	if err != nil {
		t.Fatal(err)
	}
	caseID, subID, _ := fitconnect.ParseReceiptID(r.ID)
	if _, err := srv.Received(subID); !errors.Is(err, fitconnect.ErrHashMismatch) {
		t.Errorf("the subscriber took the swapped data: %v", err)
	}
	events, err := snd.Events(context.Background(), caseID, srv.DestinationID())
	if err != nil || len(events) != 3 || !events[2].Rejected() || events[2].Accepted() {
		t.Fatalf("events %+v, %v", events, err)
	}
	if !strings.Contains(string(events[2].Payload), "hash mismatch") {
		t.Errorf("rejection gives no reason: %s", events[2].Payload)
	}
	other, err := snd.Events(context.Background(), caseID, "11111111-2222-4333-8444-555555555555")
	if err != nil || len(other) != 3 || !other[1].Verified() || other[2].Verified() || other[2].Rejected() || !errors.Is(other[2].Err, fitconnect.ErrEvent) {
		t.Errorf("events checked against another destination: %+v, %v; want the rejection unverified, the rest verified", other, err)
	}
}

func TestNewSenderRefusesBadConfig(t *testing.T) {
	good := fitconnect.Config{SubmissionAPI: "https://submission-api.example", TokenURL: "https://auth.example/token",
		ClientID: "id", ClientSecret: "secret", Routes: map[string]fitconnect.Route{"s": testRoute}}
	cases := map[string]func(*fitconnect.Config){
		"a relative API URL":            func(c *fitconnect.Config) { c.SubmissionAPI = "/api" },
		"no token URL":                  func(c *fitconnect.Config) { c.TokenURL = "" },
		"no client secret":              func(c *fitconnect.Config) { c.ClientSecret = "" },
		"no routes":                     func(c *fitconnect.Config) { c.Routes = nil },
		"a destination that is no UUID": func(c *fitconnect.Config) { c.Routes = map[string]fitconnect.Route{"s": {DestinationID: "x"}} },
	}
	for name, change := range cases {
		c := good
		change(&c)
		if _, err := fitconnect.NewSender(c, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := fitconnect.NewSender(good, nil); err != nil {
		t.Errorf("good config refused: %v", err)
	}
}

func TestOpenSubmissionRejectsMismatches(t *testing.T) {
	k := keys(t)
	key := encKey(t)
	f := newFixture(t, []byte("%PDF-1.7 a"))
	m, err := fitconnect.BuildMetadata(f.sub, testRoute)
	if err != nil {
		t.Fatal(err)
	}
	meta, _ := json.Marshal(m)
	enc := func(b []byte) []byte {
		c, err := fitconnect.Encrypt(b, key)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	aid := m.ContentStructure.Attachments[0].AttachmentID
	encMeta, encData, encAtt := enc(meta), enc(f.sub.Data), enc(f.blobs[f.sub.Attachments[0].ID])
	if _, err := fitconnect.OpenSubmission(k.Encryption, encMeta, encData, map[string][]byte{aid: encAtt}, nil); err != nil {
		t.Fatalf("the good submission: %v", err)
	}
	cases := []struct {
		name       string
		meta, data []byte
		atts       map[string][]byte
		wantErr    error
	}{
		{"other data than hashed", encMeta, enc([]byte(`{"other":true}`)), map[string][]byte{aid: encAtt}, fitconnect.ErrHashMismatch},
		{"another attachment than hashed", encMeta, encData, map[string][]byte{aid: enc([]byte("swapped"))}, fitconnect.ErrHashMismatch},
		{"a missing attachment", encMeta, encData, nil, fitconnect.ErrMetadata},
		{"an attachment not in the metadata", encMeta, encData, map[string][]byte{aid: encAtt, "extra": encAtt}, fitconnect.ErrMetadata},
		{"no data although announced", encMeta, nil, map[string][]byte{aid: encAtt}, fitconnect.ErrMetadata},
		{"metadata that is not JSON", enc([]byte("{")), encData, map[string][]byte{aid: encAtt}, fitconnect.ErrMetadata},
		{"tampered metadata", append(encMeta[:len(encMeta)-3:len(encMeta)-3], 'A', 'A', 'A'), encData, map[string][]byte{aid: encAtt}, fitconnect.ErrDecrypt},
	}
	for _, c := range cases {
		t.Run(c.name+" is rejected", func(t *testing.T) {
			_, err := fitconnect.OpenSubmission(k.Encryption, c.meta, c.data, c.atts, nil)
			if !errors.Is(err, c.wantErr) {
				t.Errorf("err = %v, want %v", err, c.wantErr)
			}
		})
	}
}

func FuzzParseMetadata(f *testing.F) {
	f.Add([]byte(`{"contentStructure":{"attachments":[]}}`))
	f.Add([]byte(`{"contentStructure":{"data":{"hash":{"type":"sha512","content":"00"}},"attachments":[{"attachmentId":"a"}]}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		m, err := fitconnect.ParseMetadata(doc, nil)
		if err != nil {
			return
		}
		for _, a := range m.ContentStructure.Attachments {
			if len(a.Hash.Content) != 128 || a.AttachmentID == "" {
				t.Fatalf("accepted attachment %+v", a)
			}
		}
	})
}
