package fitconnect_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/fitconnect"
	"github.com/ozgkit/ozgkit/ozg/fitconnect/fitconnecttest"
)

// The tests in this file hold the package to FIT-Connect as FITKO documents it and as other
// clients speak it, against the strict local Submission API of fitconnecttest.

// deliver delivers a fixture with one PDF through srv and returns the case and submission.
func deliver(t *testing.T, srv *fitconnecttest.Server, snd *fitconnect.Sender) (caseID, submissionID string) {
	t.Helper()
	f := newFixture(t, []byte("%PDF-1.7 Nachweis"))
	r, err := snd.Deliver(context.Background(), f.sub, f.files)
	if err != nil {
		t.Fatal(err)
	}
	caseID, submissionID, err = fitconnect.ParseReceiptID(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return caseID, submissionID
}

func TestEachEventIsSignedByWhomFITKOsEventTableSays(t *testing.T) {
	k := keys(t)
	const zustelldienst = "https://submission-api.example"
	sign := func(kid, iss, event string) string {
		raw, err := fitconnecttest.SignSET(k.Signing, kid, iss, subID, caseID, event, nil)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	for _, tc := range []struct {
		name, raw string
		ok        bool
		check     func(fitconnect.Event) bool
	}{
		{"forward-submission by the receiving system", sign("destination", destID, fitconnect.EventForward), true,
			func(e fitconnect.Event) bool { return e.Forwarded() && e.ByDestination() }},
		{"reject-submission by the receiving system", sign("destination", destID, fitconnect.EventReject), true,
			func(e fitconnect.Event) bool { return e.Rejected() && e.ByDestination() }},
		{"reject-submission by the Zustelldienst after 14 days", sign("service", zustelldienst, fitconnect.EventReject), true,
			func(e fitconnect.Event) bool { return e.Rejected() && !e.ByDestination() && e.Issuer == zustelldienst }},
		{"submit-submission by the Zustelldienst", sign("service", zustelldienst, fitconnect.EventSubmit), true,
			func(e fitconnect.Event) bool { return !e.Rejected() && !e.Accepted() }},
		{"forward-submission claimed by the Zustelldienst", sign("service", zustelldienst, fitconnect.EventForward), false, nil},
		{"accept-submission claimed by the Zustelldienst", sign("service", zustelldienst, fitconnect.EventAccept), false, nil},
		{"submit-submission claimed by a destination", sign("destination", destID, fitconnect.EventSubmit), false, nil},
		{"reject-submission of the Zustelldienst signed with a destination's kid", sign("destination", zustelldienst, fitconnect.EventReject), false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := fitconnect.VerifySET(context.Background(), tc.raw, setKeys(t), destID)
			if (err == nil) != tc.ok {
				t.Fatalf("VerifySET = %+v, %v; want ok %v", e, err, tc.ok)
			}
			if tc.ok && !tc.check(e) {
				t.Errorf("event %+v", e)
			}
			if !tc.ok && !errors.Is(err, fitconnect.ErrEvent) {
				t.Errorf("err = %v, want ErrEvent", err)
			}
		})
	}
}

func TestOneBadEntryDoesNotMakeTheEventLogUnreadable(t *testing.T) {
	srv := newServer(t, nil)
	snd := newSender(t, srv, nil)
	caseID, submissionID := deliver(t, srv, snd)
	// A forged accept (signed by a key the destination does not have), a token that is not
	// even a JWS, an accept naming a key the destination never had, and then a genuine
	// forward-submission and the Zustelldienst's own rejection.
	forged, err := fitconnecttest.SignSET(keys(t).Encryption, fitconnecttest.DestinationSignatureKID, srv.DestinationID(), submissionID, caseID, fitconnect.EventAccept, nil)
	if err != nil {
		t.Fatal(err)
	}
	unknownKid, err := fitconnecttest.SignSET(keys(t).Signing, "no-such-key", srv.DestinationID(), submissionID, caseID, fitconnect.EventAccept, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{forged, "not.a.token", unknownKid} {
		if err := srv.AppendEvent(caseID, raw); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.LogEvent(submissionID, fitconnect.EventForward, true, nil); err != nil {
		t.Fatal(err)
	}
	if err := srv.LogEvent(submissionID, fitconnect.EventReject, false, nil); err != nil {
		t.Fatal(err)
	}
	events, err := snd.Events(context.Background(), caseID, srv.DestinationID())
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if len(events) != 8 {
		t.Fatalf("%d events, want 8 (create, submit, accept, three bad, forward, reject)", len(events))
	}
	for i, want := range []bool{true, true, true, false, false, false, true, true} {
		if events[i].Verified() != want {
			t.Errorf("event %d (%s) verified %v, want %v: %v", i, events[i].Name, events[i].Verified(), want, events[i].Err)
		}
	}
	if events[3].Accepted() || events[3].Name != fitconnect.EventAccept || !errors.Is(events[3].Err, fitconnect.ErrEvent) {
		t.Errorf("the forged accept: %+v", events[3])
	}
	if !events[6].Forwarded() || !events[7].Rejected() || events[7].ByDestination() {
		t.Errorf("forward %+v, Zustelldienst's reject %+v", events[6], events[7])
	}
	t.Run("a key that cannot be fetched fails the call instead of marking entries unverified", func(t *testing.T) {
		snd := newSender(t, srv, nil) // no cached keys
		srv.Fail(http.MethodGet, "/.well-known/jwks.json", http.StatusServiceUnavailable, 1)
		if _, err := snd.Events(context.Background(), caseID, srv.DestinationID()); err == nil {
			t.Error("Events succeeded although the JWKS answered 503")
		}
	})
}

func TestTheEventLogIsReadPageByPage(t *testing.T) {
	srv := newServer(t, nil)
	snd := newSender(t, srv, nil)
	caseID, submissionID := deliver(t, srv, snd)
	forward, err := fitconnecttest.SignSET(keys(t).Signing, fitconnecttest.DestinationSignatureKID, srv.DestinationID(), submissionID, caseID, fitconnect.EventForward, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 1200 {
		if err := srv.AppendEvent(caseID, forward); err != nil {
			t.Fatal(err)
		}
	}
	var pages []string
	counted := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/events") {
			pages = append(pages, r.URL.RawQuery)
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	snd = newSender(t, srv, &fitconnect.SenderOptions{HTTPClient: counted})
	events, err := snd.Events(context.Background(), caseID, srv.DestinationID())
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1203 || !events[1202].Forwarded() {
		t.Errorf("%d events, want 1203", len(events))
	}
	want := []string{"limit=500&offset=0", "limit=500&offset=500", "limit=500&offset=1000"}
	if strings.Join(pages, " ") != strings.Join(want, " ") {
		t.Errorf("pages asked for %q, want %q", pages, want)
	}
	t.Run("the local API pages like FITKO's: default 100, at most 500", func(t *testing.T) {
		for query, want := range map[string]int{"": 100, "?limit=500&offset=1200": 3, "?limit=501": 0, "?limit=0": 0, "?offset=-1": 0} {
			n, status := rawEventPage(t, srv, caseID, query)
			if want == 0 && status != http.StatusBadRequest || want > 0 && n != want {
				t.Errorf("%q: %d entries, status %d; want %d", query, n, status, want)
			}
		}
	})
	t.Run("a log longer than MaxEvents is refused", func(t *testing.T) {
		for range fitconnect.MaxEvents {
			_ = srv.AppendEvent(caseID, forward)
		}
		if _, err := snd.Events(context.Background(), caseID, srv.DestinationID()); !errors.Is(err, fitconnect.ErrEvent) {
			t.Errorf("err = %v, want ErrEvent", err)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// rawEventPage reads one page of the local event log with a token of its own.
func rawEventPage(t *testing.T, srv *fitconnecttest.Server, caseID, query string) (int, int) {
	t.Helper()
	id, secret := srv.Credentials()
	resp, err := http.PostForm(srv.TokenURL(), map[string][]string{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/cases/"+caseID+"/events"+query, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		EventLog   []string `json:"eventLog"`
		TotalCount int      `json:"totalCount"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&page)
	return len(page.EventLog), resp.StatusCode
}

func TestWhatIsSentNamesItsContentType(t *testing.T) {
	srv := newServer(t, nil)
	snd := newSender(t, srv, nil)
	_, submissionID := deliver(t, srv, snd)
	cty := srv.ContentTypes(submissionID)
	if cty["metadata"] != "application/json" || cty["data"] != "application/json" || len(cty) != 3 {
		t.Fatalf("cty %v", cty)
	}
	for id, c := range cty {
		if id != "metadata" && id != "data" && c != "application/pdf" {
			t.Errorf("attachment %s has cty %q, want application/pdf", id, c)
		}
	}
}

func TestCompressedPayloadsAreOpenedWithinTheBound(t *testing.T) {
	k := keys(t)
	zip := func(plain []byte) []byte {
		t.Helper()
		h := jwe.NewHeaders()
		_ = h.Set(jwe.ContentTypeKey, "application/json")
		out, err := jwe.Encrypt(plain, jwe.WithKey(jwa.RSA_OAEP_256, &k.Encryption.PublicKey), jwe.WithContentEncryption(jwa.A256GCM),
			jwe.WithCompress(jwa.Deflate), jwe.WithProtectedHeaders(h), jwe.WithCompact())
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	f := newFixture(t, []byte("%PDF-1.7 Nachweis"))
	m, err := fitconnect.BuildMetadata(f.sub, testRoute)
	if err != nil {
		t.Fatal(err)
	}
	meta, _ := json.Marshal(m)
	att := map[string][]byte{m.ContentStructure.Attachments[0].AttachmentID: zip(f.blobs[f.sub.Attachments[0].ID])}
	t.Run("a submission sent compressed by another client opens", func(t *testing.T) {
		got, err := fitconnect.OpenSubmission(k.Encryption, zip(meta), zip(f.sub.Data), att, nil)
		if err != nil || !bytes.Equal(got.Data, f.sub.Data) {
			t.Fatalf("OpenSubmission = %v", err)
		}
	})
	t.Run("a small payload that inflates beyond the bound is refused", func(t *testing.T) {
		bomb := zip(bytes.Repeat([]byte{'0'}, 8<<20))
		if len(bomb) > 64<<10 {
			t.Fatalf("the bomb is %d bytes", len(bomb))
		}
		if _, err := fitconnect.Decrypt(bomb, k.Encryption, 1<<20); !errors.Is(err, fitconnect.ErrTooLarge) {
			t.Errorf("err = %v, want ErrTooLarge", err)
		}
	})
	t.Run("an unknown compression is refused", func(t *testing.T) {
		c := zip([]byte("{}"))
		parts := strings.SplitN(string(c), ".", 2)
		h := strings.Replace(string(mustB64(t, parts[0])), `"DEF"`, `"GZ"`, 1)
		if _, err := fitconnect.Decrypt([]byte(b64(h)+"."+parts[1]), k.Encryption, 0); !errors.Is(err, fitconnect.ErrDecrypt) {
			t.Errorf("err = %v, want ErrDecrypt", err)
		}
	})
}

func TestASubmitAnswered200IsDelivered(t *testing.T) {
	srv := newServer(t, &fitconnecttest.Options{SubmitStatus: http.StatusOK})
	snd := newSender(t, srv, nil)
	_, submissionID := deliver(t, srv, snd)
	if _, err := srv.Received(submissionID); err != nil {
		t.Errorf("received: %v", err)
	}
}

func TestTheAPIVersionIsConfigurable(t *testing.T) {
	cfg := fitconnect.Config{SubmissionAPI: "https://submission-api.example", TokenURL: "https://auth.example/token",
		ClientID: "id", ClientSecret: "secret", Routes: map[string]fitconnect.Route{"s": testRoute}}
	for version, ok := range map[string]bool{"": true, "v1": true, "v2": false, "1": false} {
		cfg.APIVersion = version
		if _, err := fitconnect.NewSender(cfg, nil); (err == nil) != ok {
			t.Errorf("APIVersion %q: err = %v, want ok %v", version, err, ok)
		}
	}
}

func TestPaymentFactsTravelWithoutLoss(t *testing.T) {
	schema := metadataSchema(t)
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		facts, out ozg.PaymentFacts
	}{
		{"what XBezahldienste reports of a card payment",
			ozg.PaymentFacts{Status: "PAYED", Method: "CREDITCARD", MethodDetail: "Visa", TransactionID: "tx-4711",
				TransactionURL: "https://pay.example/paymenttransaction/o/e/tx-4711", Reference: "KZ-0815", Timestamp: at, GrossAmount: 2550},
			ozg.PaymentFacts{Status: "BOOKED", Method: "CREDITCARD", MethodDetail: "Visa", TransactionID: "tx-4711",
				TransactionURL: "https://pay.example/paymenttransaction/o/e/tx-4711", Reference: "KZ-0815", Timestamp: at, GrossAmount: 2550}},
		{"an invoice, with a detail the schema's characters do not allow",
			ozg.PaymentFacts{Status: "BOOKED", Method: "INVOICE", MethodDetail: "Rechnung über Kasse", TransactionID: "tx_1", Reference: "KZ", Timestamp: at, GrossAmount: 1},
			ozg.PaymentFacts{Status: "BOOKED", Method: "INVOICE", MethodDetail: "Rechnung-ueber-Kasse", TransactionID: "tx_1", Reference: "KZ", Timestamp: at, GrossAmount: 1}},
		{"a method the schema does not name keeps its name as detail",
			ozg.PaymentFacts{Status: "BOOKED", Method: "SEPA_LASTSCHRIFT", TransactionID: "tx-2", Reference: "KZ", Timestamp: at, GrossAmount: 99999900},
			ozg.PaymentFacts{Status: "BOOKED", Method: "OTHER", MethodDetail: "SEPA_LASTSCHRIFT", TransactionID: "tx-2", Reference: "KZ", Timestamp: at, GrossAmount: 99999900}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.sub.Payment = &tc.facts
			m, err := fitconnect.BuildMetadata(f.sub, testRoute)
			if err != nil {
				t.Fatal(err)
			}
			doc, _ := json.Marshal(m)
			validate(t, schema, doc)
			back, err := fitconnect.ParseMetadata(doc, schema)
			if err != nil {
				t.Fatal(err)
			}
			got, err := back.Payment()
			if err != nil || got == nil || *got != tc.out {
				t.Errorf("back: %+v, %v\nwant  %+v", got, err, tc.out)
			}
		})
	}
	for _, status := range []string{"", "paid", "SUCCESS"} {
		t.Run("status "+status+" is refused", func(t *testing.T) {
			f := newFixture(t)
			f.sub.Payment.Status = status
			if _, err := fitconnect.BuildMetadata(f.sub, testRoute); !errors.Is(err, fitconnect.ErrMetadata) {
				t.Errorf("err = %v, want ErrMetadata", err)
			}
		})
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
