package xbezahldienste

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/ozgkit/ozgkit/payment"
)

// MaxResponseSize is the largest answer, in bytes, the client reads from the platform.
const MaxResponseSize = 256 << 10

// maxFreeText bounds the platform's free texts kept in a transaction.
const maxFreeText = 256

// ParseTransaction reads a platform's answer to create or status and checks it: both parts
// present, a transaction id of 1 to 44 characters usable in a URL path, a known status, a
// currency and an amount, a readable timestamp. Free texts are cut to 256 bytes. Input larger
// than [MaxResponseSize] is refused.
func ParseTransaction(b []byte) (*PaymentTransaction, error) {
	if len(b) > MaxResponseSize {
		return nil, fmt.Errorf("xbezahldienste: answer of %d bytes, at most %d read", len(b), MaxResponseSize)
	}
	var tx PaymentTransaction
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&tx); err != nil {
		return nil, fmt.Errorf("xbezahldienste: answer is not a payment transaction: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("xbezahldienste: answer has data after the payment transaction")
	}
	pi, pr := tx.PaymentInformation, tx.PaymentRequest
	switch {
	case pi == nil:
		return nil, errors.New("xbezahldienste: answer lacks paymentInformation")
	case pr == nil:
		return nil, errors.New("xbezahldienste: answer lacks paymentRequest")
	}
	if err := checkTransactionID(pi.TransactionID); err != nil {
		return nil, err
	}
	if _, ok := pi.Status.State(); !ok {
		return nil, fmt.Errorf("xbezahldienste: unknown status %q", truncate(string(pi.Status), 20))
	}
	if pr.Currency == "" || len(pr.Currency) > 3 {
		return nil, fmt.Errorf("xbezahldienste: currency %q", truncate(pr.Currency, 8))
	}
	if pi.TransactionTimestamp != "" {
		if _, err := parseTimestamp(pi.TransactionTimestamp); err != nil {
			return nil, err
		}
	}
	for _, s := range []*string{&pi.TransactionURL, &pi.TransactionRedirectURL, &pi.TransactionReference,
		&pi.PaymentMethod, &pi.PaymentMethodDetail, &pi.StatusDetail, &pr.Purpose, &pr.Description, &pr.RedirectURL, &pr.RequestID} {
		if len(*s) > maxFreeText*8 {
			*s = truncate(*s, maxFreeText*8)
		}
	}
	return &tx, nil
}

func checkTransactionID(id string) error {
	if id == "" || len(id) > MaxTransactionIDLength {
		return fmt.Errorf("xbezahldienste: transactionId %q: must be 1 to %d characters", truncate(id, 50), MaxTransactionIDLength)
	}
	for _, r := range id {
		if !idChar(r) && r != '.' && r != '~' {
			return fmt.Errorf("xbezahldienste: transactionId %q: character %q is not allowed", truncate(id, 50), r)
		}
	}
	return nil
}

// parseTimestamp reads ISO 8601 with a zone, or without one as UTC (as Java's LocalDateTime
// writes it).
func parseTimestamp(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("xbezahldienste: transactionTimestamp %q is not ISO 8601", truncate(s, 40))
}

// Transaction converts a checked answer (from [ParseTransaction]) to package payment's view.
func (tx *PaymentTransaction) Transaction() payment.Transaction {
	pi, pr := tx.PaymentInformation, tx.PaymentRequest
	st, _ := pi.Status.State()
	out := payment.Transaction{
		ID: pi.TransactionID, RequestID: pr.RequestID, URL: pi.TransactionURL,
		Reference: cut(pi.TransactionReference), Status: st, Detail: cut(pi.StatusDetail),
		Amount: int64(pr.GrosAmount), Currency: pr.Currency,
	}
	if st == payment.StatePending {
		out.RedirectURL = pi.TransactionRedirectURL
	}
	if st == payment.StatePaid {
		out.Method = payment.Method(pi.PaymentMethod)
		out.MethodDetail = cut(pi.PaymentMethodDetail)
		if !out.Method.Valid() {
			// A method this client does not know (e.g. INVOICE): keep what it was called.
			if out.MethodDetail == "" {
				out.MethodDetail = cut(pi.PaymentMethod)
			}
			out.Method = payment.MethodOther
		}
		if t, err := parseTimestamp(pi.TransactionTimestamp); err == nil {
			out.PaidAt = t.UTC()
		}
	}
	return out
}

func cut(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1 // a NUL or escape in provider text is refused by databases and terminals
		}
		return r
	}, s)
	return truncate(s, maxFreeText)
}
