package fitconnect

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ozgkit/ozgkit/internal/problem"
)

// Callback headers: the HMAC and the time it was made at (unix seconds).
const (
	HeaderCallbackAuthentication = "callback-authentication"
	HeaderCallbackTimestamp      = "callback-timestamp"
)

// CallbackMaxAge is how old a callback's timestamp may be; one more than a minute in the
// future is refused as well.
const CallbackMaxAge = 5 * time.Minute

// maxCallbackBody bounds the body a callback handler reads.
const maxCallbackBody = 64 << 10

// SignCallback returns the callback-authentication value for body sent at t: the hex
// HMAC-SHA512 with secret over "<unix seconds>.<body>". It is what the Submission API sends,
// and what tests use to sign callbacks.
func SignCallback(secret []byte, t time.Time, body []byte) (timestamp, authentication string) {
	timestamp = strconv.FormatInt(t.Unix(), 10)
	return timestamp, hex.EncodeToString(callbackMAC(secret, timestamp, body))
}

func callbackMAC(secret []byte, timestamp string, body []byte) []byte {
	m := hmac.New(sha512.New, secret)
	io.WriteString(m, timestamp)
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifyCallback checks a callback: timestamp must be unix seconds no older than
// CallbackMaxAge at now, and authentication the hex HMAC-SHA512 of "<timestamp>.<body>"
// under secret, compared in constant time. It returns an error wrapping ErrCallbackExpired or
// ErrCallback.
func VerifyCallback(secret []byte, timestamp, authentication string, body []byte, now time.Time) error {
	if len(secret) == 0 {
		return fmt.Errorf("%w: no callback secret configured", ErrCallback)
	}
	if timestamp == "" || authentication == "" {
		return fmt.Errorf("%w: %s and %s headers are required", ErrCallback, HeaderCallbackTimestamp, HeaderCallbackAuthentication)
	}
	if len(timestamp) > 12 {
		return fmt.Errorf("%w: timestamp %q is not unix seconds", ErrCallback, truncate(timestamp, 16))
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || sec < 0 {
		return fmt.Errorf("%w: timestamp %q is not unix seconds", ErrCallback, timestamp)
	}
	t := time.Unix(sec, 0)
	if age := now.Sub(t); age > CallbackMaxAge || age < -time.Minute {
		return fmt.Errorf("%w: timestamp %s is %s away from now", ErrCallbackExpired, t.UTC().Format(time.RFC3339), age.Round(time.Second))
	}
	got, err := hex.DecodeString(authentication)
	if err != nil || len(got) != sha512.Size {
		return fmt.Errorf("%w: %s is not a hex HMAC-SHA512", ErrCallback, HeaderCallbackAuthentication)
	}
	if !hmac.Equal(got, callbackMAC(secret, timestamp, body)) {
		return fmt.Errorf("%w: HMAC does not match", ErrCallback)
	}
	return nil
}

// CallbackHandler returns an http.Handler that verifies each callback with secret before it
// hands the request, with its body intact, to next. A request that fails gets 401 as
// problem+json; a body over 64 KiB gets 413. now is nil for time.Now.
func CallbackHandler(secret []byte, next http.Handler, now func() time.Time) http.Handler {
	if now == nil {
		now = time.Now
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			problem.Error(w, http.StatusMethodNotAllowed, "Callbacks are POSTed.")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxCallbackBody+1))
		if err != nil {
			problem.Error(w, http.StatusBadRequest, "The body could not be read.")
			return
		}
		if len(body) > maxCallbackBody {
			problem.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("A callback body may have at most %d bytes.", maxCallbackBody))
			return
		}
		err = VerifyCallback(secret, r.Header.Get(HeaderCallbackTimestamp), r.Header.Get(HeaderCallbackAuthentication), body, now())
		if err != nil {
			problem.Error(w, http.StatusUnauthorized, err.Error())
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}
