package fitconnect_test

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/ozgkit/ozgkit/ozg/fitconnect"
	"github.com/ozgkit/ozgkit/ozg/fitconnect/fitconnecttest"
)

const (
	destID = "0c7d1b8e-5d0b-4c2f-9f0a-2b9a1f6d3e44"
	subID  = "3e0b2f4c-8a3d-4d59-b1f5-6a7c8e9d0f12"
	caseID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
)

func setKeys(t testing.TB) fitconnect.SETKeys {
	k := keys(t)
	return fitconnect.SETKeys{
		Service: func(_ context.Context, kid string) (*rsa.PublicKey, error) {
			if kid != "service" {
				return nil, fitconnect.ErrEvent
			}
			return &k.Signing.PublicKey, nil
		},
		Destination: func(_ context.Context, dest, kid string) (*rsa.PublicKey, error) {
			if dest != destID || kid != "destination" {
				return nil, fitconnect.ErrKey
			}
			return &k.Signing.PublicKey, nil
		},
	}
}

// signRaw signs claims with any header, for the bad cases.
func signRaw(t *testing.T, alg jwa.SignatureAlgorithm, typ, kid string, claims map[string]any) string {
	t.Helper()
	b, _ := json.Marshal(claims)
	h := jws.NewHeaders()
	_ = h.Set(jws.KeyIDKey, kid)
	if typ != "" {
		_ = h.Set(jws.TypeKey, typ)
	}
	out, err := jws.Sign(b, jws.WithKey(alg, keys(t).Signing, jws.WithProtectedHeaders(h)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func claims(iss, event string) map[string]any {
	return map[string]any{"iss": iss, "sub": "submission:" + subID, "txn": "case:" + caseID, "iat": 1764324000,
		"jti": "1b2c3d4e-0000-4000-8000-000000000001", "events": map[string]any{fitconnect.EventPrefix + event: map[string]any{}}}
}

func TestVerifySETAcceptsTheEventLog(t *testing.T) {
	k := keys(t)
	submit, err := fitconnecttest.SignSET(k.Signing, "service", "https://submission-api", subID, caseID, fitconnect.EventSubmit, nil)
	if err != nil {
		t.Fatal(err)
	}
	accept, err := fitconnecttest.SignSET(k.Signing, "destination", destID, subID, caseID, fitconnect.EventAccept, map[string]any{"authenticationTags": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := fitconnect.VerifySET(context.Background(), submit, setKeys(t), destID)
	if err != nil || e.Name != fitconnect.EventSubmit || e.SubmissionID != subID || e.CaseID != caseID || e.Accepted() {
		t.Fatalf("submit event %+v, %v", e, err)
	}
	e, err = fitconnect.VerifySET(context.Background(), accept, setKeys(t), destID)
	if err != nil || !e.Accepted() || e.Issuer != destID || !strings.Contains(string(e.Payload), "authenticationTags") {
		t.Fatalf("accept event %+v, %v", e, err)
	}
}

func TestVerifySETRefusesBadTokens(t *testing.T) {
	good := signRaw(t, jwa.PS512, fitconnect.SETType, "service", claims("https://submission-api", fitconnect.EventSubmit))
	p := strings.Split(good, ".")
	tampered := claims("https://submission-api", fitconnect.EventSubmit)
	tampered["sub"] = "submission:" + caseID
	tb, _ := json.Marshal(tampered)
	noSub := claims("https://submission-api", fitconnect.EventSubmit)
	delete(noSub, "sub")
	two := claims("https://submission-api", fitconnect.EventSubmit)
	two["events"] = map[string]any{fitconnect.EventPrefix + "a": 1, fitconnect.EventPrefix + "b": 2}
	cases := []struct {
		name, raw, naming string
	}{
		{"a token signed RS256", signRaw(t, jwa.RS256, fitconnect.SETType, "service", claims("x", fitconnect.EventSubmit)), "alg"},
		{"a token signed PS256", signRaw(t, jwa.PS256, fitconnect.SETType, "service", claims("x", fitconnect.EventSubmit)), "alg"},
		{"a token of typ JWT", signRaw(t, jwa.PS512, "JWT", "service", claims("x", fitconnect.EventSubmit)), "typ"},
		{"a token without typ", signRaw(t, jwa.PS512, "", "service", claims("x", fitconnect.EventSubmit)), "typ"},
		{"a token with a changed payload", p[0] + "." + base64.RawURLEncoding.EncodeToString(tb) + "." + p[2], "signature"},
		{"a token with an unknown kid", signRaw(t, jwa.PS512, fitconnect.SETType, "other", claims("x", fitconnect.EventSubmit)), "key"},
		{"an accept event from another destination", signRaw(t, jwa.PS512, fitconnect.SETType, "destination", claims("11111111-2222-4333-8444-555555555555", fitconnect.EventAccept)), "not by the destination"},
		{"an accept event signed with the service's kid", signRaw(t, jwa.PS512, fitconnect.SETType, "service", claims(destID, fitconnect.EventAccept)), "key"},
		{"a token without subject", signRaw(t, jwa.PS512, fitconnect.SETType, "service", noSub), "sub"},
		{"a token with two events", signRaw(t, jwa.PS512, fitconnect.SETType, "service", two), "2 events"},
		{"a token of a foreign event", signRaw(t, jwa.PS512, fitconnect.SETType, "service", map[string]any{"events": map[string]any{"https://evil.example/accept": 1}}), "not a FIT-Connect event"},
		{"a JWE instead of a JWS", "a.b.c.d.e", "compact JWS"},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			_, err := fitconnect.VerifySET(context.Background(), c.raw, setKeys(t), destID)
			if !errors.Is(err, fitconnect.ErrEvent) || !strings.Contains(err.Error(), c.naming) {
				t.Errorf("err = %v, want ErrEvent naming %q", err, c.naming)
			}
		})
	}
}

var updateCorpus = flag.Bool("update", false, "rewrite testdata/fuzz/FuzzVerifySET with tokens signed by the test key")

// setSeeds are the events of the signed tokens FuzzVerifySET starts from.
var setSeeds = []struct{ kid, iss, event string }{
	{"service", "https://submission-api", fitconnect.EventSubmit},
	{"service", "https://submission-api", fitconnect.EventReject},
	{"destination", destID, fitconnect.EventAccept},
	{"destination", destID, fitconnect.EventForward},
}

// TestSETCorpus checks that the committed fuzz corpus of FuzzVerifySET holds a token signed
// with the test key for each seed event; with -update it signs them anew.
func TestSETCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzVerifySET")
	for _, s := range setSeeds {
		path := filepath.Join(dir, "signed-"+s.kid+"-"+s.event)
		if *updateCorpus {
			b, _ := json.Marshal(claims(s.iss, s.event))
			h := jws.NewHeaders()
			_ = h.Set(jws.KeyIDKey, s.kid)
			_ = h.Set(jws.TypeKey, fitconnect.SETType)
			signed, err := jws.Sign(b, jws.WithKey(jwa.PS512, keys(t).Signing, jws.WithProtectedHeaders(h)))
			if err != nil {
				t.Fatal(err)
			}
			_ = os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(path, []byte("go test fuzz v1\nstring("+strconv.Quote(string(signed))+")\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		raw := corpusString(t, path)
		e, err := fitconnect.VerifySET(context.Background(), raw, setKeys(t), destID)
		if err != nil || e.Name != s.event {
			t.Errorf("%s: %+v, %v; run go test -run TestSETCorpus -update", path, e, err)
		}
	}
}

// corpusString reads the one string of a fuzz corpus file.
func corpusString(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, line, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	v, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(line, "string("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// FuzzVerifySET starts from tokens signed with the test key (testdata/fuzz/FuzzVerifySET:
// the service's and the destination's events, the Zustelldienst's rejection, fixed claims)
// and asserts what a signature means: a token that verifies has the signed header and claims
// of one of them and gives exactly that token's event, so any change to what was signed
// fails verification. (The signature segment may still be spelt differently in base64 and
// decode to the same bytes; that is not a change to what was signed.)
func FuzzVerifySET(f *testing.F) {
	type seed struct {
		signed string // header.claims
		event  fitconnect.Event
	}
	var seeds []seed
	for _, s := range setSeeds {
		raw := corpusString(f, filepath.Join("testdata", "fuzz", "FuzzVerifySET", "signed-"+s.kid+"-"+s.event))
		e, err := fitconnect.VerifySET(context.Background(), raw, setKeys(f), destID)
		if err != nil {
			f.Fatalf("seed %s does not verify (go test -run TestSETCorpus -update): %v", s.event, err)
		}
		seeds = append(seeds, seed{raw[:strings.LastIndexByte(raw, '.')], e})
	}
	f.Add("eyJhbGciOiJQUzUxMiIsInR5cCI6InNlY2V2ZW50K2p3dCIsImtpZCI6IngifQ.e30.AA")
	f.Add("a.b.c")
	keys := setKeys(f)
	f.Fuzz(func(t *testing.T, raw string) {
		e, err := fitconnect.VerifySET(context.Background(), raw, keys, destID)
		if err != nil {
			if !errors.Is(err, fitconnect.ErrEvent) {
				t.Fatalf("error does not wrap ErrEvent: %v", err)
			}
			return
		}
		i := strings.LastIndexByte(raw, '.')
		for _, s := range seeds {
			if i >= 0 && raw[:i] == s.signed {
				if !reflect.DeepEqual(e, s.event) {
					t.Fatalf("the signed token gives %+v, want %+v", e, s.event)
				}
				return
			}
		}
		t.Fatalf("a token that was never signed verified: %q", raw)
	})
}
