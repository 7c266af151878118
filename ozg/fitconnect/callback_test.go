package fitconnect_test

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg/fitconnect"
)

var (
	cbSecret = []byte("callback-secret-from-the-self-service-portal")
	cbNow    = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	cbBody   = []byte(`{"type":"https://schema.fitko.de/fit-connect/callbacks/new-submissions","submissionIds":["` + subID + `"]}`)
)

func TestVerifyCallback(t *testing.T) {
	ts, mac := fitconnect.SignCallback(cbSecret, cbNow.Add(-time.Minute), cbBody)
	oldTS, oldMAC := fitconnect.SignCallback(cbSecret, cbNow.Add(-5*time.Minute-time.Second), cbBody)
	futTS, futMAC := fitconnect.SignCallback(cbSecret, cbNow.Add(2*time.Minute), cbBody)
	_, otherMAC := fitconnect.SignCallback([]byte("another secret"), cbNow, cbBody)
	moved, _ := fitconnect.SignCallback(cbSecret, cbNow.Add(-2*time.Minute), nil)
	flipped := []byte(mac)
	flipped[10] ^= 1
	if flipped[10] > 'f' || (flipped[10] > '9' && flipped[10] < 'a') {
		flipped[10] = '0'
	}
	cases := []struct {
		name     string
		ts, auth string
		body     []byte
		secret   []byte
		wantErr  error
	}{
		{"a fresh callback with the right HMAC is accepted", ts, mac, cbBody, cbSecret, nil},
		{"a callback older than five minutes is refused", oldTS, oldMAC, cbBody, cbSecret, fitconnect.ErrCallbackExpired},
		{"a callback from the future is refused", futTS, futMAC, cbBody, cbSecret, fitconnect.ErrCallbackExpired},
		{"an HMAC under another secret is refused", ts, otherMAC, cbBody, cbSecret, fitconnect.ErrCallback},
		{"a changed HMAC is refused", ts, string(flipped), cbBody, cbSecret, fitconnect.ErrCallback},
		{"a changed body is refused", ts, mac, append([]byte(" "), cbBody...), cbSecret, fitconnect.ErrCallback},
		{"a moved timestamp is refused", moved, mac, cbBody, cbSecret, fitconnect.ErrCallback},
		{"a missing HMAC is refused", ts, "", cbBody, cbSecret, fitconnect.ErrCallback},
		{"an HMAC that is not hex is refused", ts, strings.Repeat("z", 128), cbBody, cbSecret, fitconnect.ErrCallback},
		{"a timestamp in milliseconds is refused", ts + "000", mac, cbBody, cbSecret, fitconnect.ErrCallback},
		{"a negative timestamp is refused", "-1", mac, cbBody, cbSecret, fitconnect.ErrCallback},
		{"no configured secret refuses everything", ts, mac, cbBody, nil, fitconnect.ErrCallback},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := fitconnect.VerifyCallback(c.secret, c.ts, c.auth, c.body, cbNow)
			if c.wantErr == nil && err != nil || c.wantErr != nil && !errors.Is(err, c.wantErr) {
				t.Errorf("err = %v, want %v", err, c.wantErr)
			}
		})
	}
}

func TestCallbackHandler(t *testing.T) {
	var got []byte
	h := fitconnect.CallbackHandler(cbSecret, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusNoContent)
	}), func() time.Time { return cbNow })
	send := func(ts, mac string, body []byte) int {
		req := httptest.NewRequest(http.MethodPost, "/callback", strings.NewReader(string(body)))
		req.Header.Set(fitconnect.HeaderCallbackTimestamp, ts)
		req.Header.Set(fitconnect.HeaderCallbackAuthentication, mac)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	ts, mac := fitconnect.SignCallback(cbSecret, cbNow, cbBody)
	if code := send(ts, mac, cbBody); code != http.StatusNoContent || string(got) != string(cbBody) {
		t.Fatalf("good callback: %d, body %q", code, got)
	}
	got = nil
	if code := send(ts, mac, []byte(`{"forged":true}`)); code != http.StatusUnauthorized || got != nil {
		t.Errorf("forged callback: %d, handler saw %q", code, got)
	}
	oldTS, oldMAC := fitconnect.SignCallback(cbSecret, cbNow.Add(-10*time.Minute), cbBody)
	if code := send(oldTS, oldMAC, cbBody); code != http.StatusUnauthorized || got != nil {
		t.Errorf("replayed callback: %d", code)
	}
	big := []byte(strings.Repeat("x", 70<<10))
	bts, bmac := fitconnect.SignCallback(cbSecret, cbNow, big)
	if code := send(bts, bmac, big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("big callback: %d", code)
	}
}

func FuzzVerifyCallback(f *testing.F) {
	ts, mac := fitconnect.SignCallback(cbSecret, cbNow, cbBody)
	f.Add(ts, mac, cbBody)
	f.Add("-1", "00", []byte{})
	f.Fuzz(func(t *testing.T, ts, mac string, body []byte) {
		err := fitconnect.VerifyCallback(cbSecret, ts, mac, body, cbNow)
		if err == nil { // only the right HMAC over exactly this timestamp and body may pass
			m := hmac.New(sha512.New, cbSecret)
			m.Write([]byte(ts + "."))
			m.Write(body)
			if !strings.EqualFold(mac, hex.EncodeToString(m.Sum(nil))) {
				t.Fatalf("accepted %q for %q.%q", mac, ts, body)
			}
		}
	})
}
