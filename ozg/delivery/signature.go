package delivery

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the header that carries a webhook's signature.
const SignatureHeader = "Ozg-Signature"

// DefaultTolerance is how old a signature a Receiver accepts.
const DefaultTolerance = 5 * time.Minute

// Errors of signature checks, for errors.Is.
var (
	ErrNoSignature      = errors.New("delivery: missing or malformed signature header")
	ErrBadSignature     = errors.New("delivery: signature does not match")
	ErrExpiredSignature = errors.New("delivery: signature timestamp outside the tolerance")
)

// Sign returns the signature header value for metadata signed at t with secret.
func Sign(secret, metadata []byte, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, metadata))
}

func mac(secret []byte, ts string, metadata []byte) []byte {
	m := hmac.New(sha512.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(metadata)
	return m.Sum(nil)
}

// Verify checks header, a signature header value, over metadata with secret at time now,
// refusing timestamps more than tolerance away from now.
func Verify(secret, metadata []byte, header string, now time.Time, tolerance time.Duration) error {
	if len(header) > 512 {
		return fmt.Errorf("%w: header of %d bytes", ErrNoSignature, len(header))
	}
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed at %s, %s away", ErrExpiredSignature, time.Unix(sec, 0).UTC().Format(time.RFC3339), d.Round(time.Second))
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return ErrNoSignature
	}
	if !hmac.Equal(got, mac(secret, ts, metadata)) {
		return ErrBadSignature
	}
	return nil
}
