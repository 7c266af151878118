package xbezahldienste

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/ozgkit/ozgkit/payment"
)

// Limits of XBezahldienste fields: the published API v1.0.0 (docs.fitko.de/xbezahldienste,
// "initiate-payment-transaction" and "get-status-by-ids") where it states them, otherwise
// what platforms enforce.
const (
	// MaxOriginatorIDLength bounds originatorId and endPointId, each 1 to 36 of [A-Za-z0-9_-].
	MaxOriginatorIDLength  = 36
	MaxRequestIDLength     = 36
	MaxPurposeLength       = 27
	MaxDescriptionLength   = 250
	MaxItemIDLength        = 36
	MaxReferenceLength     = 36
	MaxTransactionIDLength = 44
	MaxRedirectURLLength   = 2048
	MaxQuantity            = 999999
	MaxItems               = 99
	MaxBookingEntries      = 50
	MaxBookingKeyLength    = 64
	MaxBookingValueLength  = 256
	MaxNameLength          = 100
)

// TimestampLayout is how requestTimestamp is written: ISO 8601, UTC, milliseconds.
const TimestampLayout = "2006-01-02T15:04:05.000Z"

// MaxFunctionalTextLength bounds the functionalText of the platform's error documents.
const MaxFunctionalTextLength = 2000

var transliterations = map[rune]string{
	'ä': "ae", 'ö': "oe", 'ü': "ue", 'Ä': "Ae", 'Ö': "Oe", 'Ü': "Ue", 'ß': "ss", 'ẞ': "SS",
	'æ': "ae", 'Æ': "AE", 'ø': "o", 'Ø': "O", 'œ': "oe", 'Œ': "OE", 'ł': "l", 'Ł': "L",
	'đ': "d", 'Đ': "D", 'þ': "th", 'Þ': "Th", 'ð': "d", 'Ð': "D", 'ı': "i",
	'–': "-", '—': "-", '‐': "-", '‑': "-", '\u00a0': " ",
}

// Transliterate writes s in the characters a purpose may have where it can: German umlauts
// and ß become ae, oe, ue and ss; other letters lose their accents (é → e); dashes become
// hyphens. Characters without a transliteration are kept, so that validation names them.
func Transliterate(s string) string {
	var b strings.Builder
	for _, r := range s {
		if t, ok := transliterations[r]; ok {
			b.WriteString(t)
			continue
		}
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		// Decompose and drop combining marks: é → e + ◌́ → e.
		kept := false
		for _, d := range norm.NFD.String(string(r)) {
			if unicode.Is(unicode.Mn, d) {
				continue
			}
			b.WriteRune(d)
			kept = true
		}
		if !kept {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// purposeChar is the purpose's pattern ^[\w\d\s-]+$ (\w as in Java: ASCII letters, digits
// and '_'), with space as the only white space this package sends.
func purposeChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '-' || r == '_'
}

// descriptionChar is the description's pattern ^[\w\d\s-,\.\u00C0-\u017F]+$: ASCII
// letters, digits and '_', space, '-', ',', '.', and the letters À to ſ (U+00C0 to U+017F:
// umlauts, ß, accented Latin letters). Space is the only white space this package sends.
func descriptionChar(r rune) bool {
	return purposeChar(r) || r == ',' || r == '.' || r >= 0xC0 && r <= 0x17F
}

var descriptionTransliterations = map[rune]string{
	'€': "EUR", '§': "Par.", ':': " -", '/': "-", '–': "-", '—': "-", '‐': "-", '‑': "-", '\u00a0': " ", '\t': " ",
}

// TransliterateDescription writes s in the characters a description may have where there is
// a plain equivalent: € becomes EUR, § becomes Par., dashes become hyphens, a no-break space a
// space, letters beyond U+017F lose their accents (ș → s). Umlauts and ß stay. Other
// characters (parentheses, colon, slash, quotes, ...) are kept, so that [CheckDescription]
// names them: changing them would change the text's meaning.
func TransliterateDescription(s string) string {
	var b strings.Builder
	for _, r := range s {
		if t, ok := descriptionTransliterations[r]; ok {
			b.WriteString(t)
			continue
		}
		if descriptionChar(r) || r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		kept := false
		for _, d := range norm.NFD.String(string(r)) {
			if unicode.Is(unicode.Mn, d) {
				continue
			}
			b.WriteRune(d)
			kept = true
		}
		if !kept {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CheckDescription checks a description (of the request or of an item) against the
// published pattern and length, after [TransliterateDescription]: at most 250 characters of
// A-Z, a-z, 0-9, '_', space, '-', ',', '.' and À to ſ. The error names the first character
// that is not allowed and its position.
func CheckDescription(name, v string) error {
	if err := checkText(name, v, MaxDescriptionLength); err != nil {
		return err
	}
	pos := 0
	for _, r := range v {
		pos++
		if !descriptionChar(r) {
			return field(name, "character %q at position %d is not allowed; only letters (A-Z, a-z, umlauts, ß, accented letters À to ſ), digits, space, '_', '-', ',' and '.'", r, pos)
		}
	}
	return nil
}

// CheckEndpoint checks an originatorId or endPointId: 1 to 36 of [A-Za-z0-9_-].
func CheckEndpoint(name, v string) error {
	return checkID(name, v, MaxOriginatorIDLength, true)
}

func idChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

func field(name, format string, args ...any) error {
	return &payment.FieldError{Field: name, Reason: fmt.Sprintf(format, args...)}
}

// ErrCalculation marks validation errors where amounts do not add up (the platform's
// CALCULATION_ERROR); such an error is also a *payment.FieldError.
var ErrCalculation = errors.New("xbezahldienste: amounts do not add up")

type calculation struct{ *payment.FieldError }

func (c calculation) Unwrap() []error { return []error{c.FieldError, ErrCalculation} }

func calcField(name, format string, args ...any) error {
	return calculation{&payment.FieldError{Field: name, Reason: fmt.Sprintf(format, args...)}}
}

// checkPurpose checks an already transliterated purpose.
func checkPurpose(p string) error {
	if p == "" {
		return field("purpose", "required")
	}
	for i, r := range p {
		if !purposeChar(r) {
			return field("purpose", "character %q at position %d is not allowed; only A-Z, a-z, 0-9, space, '_' and '-'", r, utf8.RuneCountInString(p[:i])+1)
		}
	}
	if n := len(p); n > MaxPurposeLength {
		return field("purpose", "%d characters after transliteration, at most %d allowed", n, MaxPurposeLength)
	}
	return nil
}

func checkID(name, v string, max int, required bool) error {
	if v == "" {
		if required {
			return field(name, "required")
		}
		return nil
	}
	if len(v) > max {
		return field(name, "%d characters, at most %d allowed", len(v), max)
	}
	for _, r := range v {
		if !idChar(r) {
			return field(name, "character %q is not allowed; only A-Z, a-z, 0-9, '-' and '_'", r)
		}
	}
	return nil
}

func checkText(name, v string, max int) error {
	if !utf8.ValidString(v) {
		return field(name, "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return field(name, "%d characters, at most %d allowed", n, max)
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return field(name, "control character %U is not allowed", r)
		}
	}
	return nil
}

func checkAmount(name string, d Decimal) error {
	if d < 0 || int64(d) > payment.MaxAmount {
		return field(name, "%s is not between 0.00 and %s (XBezahldienste allows at most 999999 euros)", payment.FormatEuro(int64(d)), payment.FormatEuro(payment.MaxAmount))
	}
	return nil
}

// Validate checks every rule of the request: lengths, characters, amounts, and that the
// items add up to grosAmount. The purpose must be transliterated already (the [Client]
// does that). Each broken rule is a *payment.FieldError (which wraps payment.ErrInvalid);
// the result joins them, first broken rule first.
func (r *PaymentRequest) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(checkID("requestId", r.RequestID, MaxRequestIDLength, true))
	if _, err := time.Parse(TimestampLayout, r.RequestTimestamp); err != nil {
		add(field("requestTimestamp", "%q is not ISO 8601 UTC with milliseconds (%s)", truncate(r.RequestTimestamp, 40), TimestampLayout))
	}
	if r.Currency != "EUR" {
		add(field("currency", "%q is not supported, only EUR", truncate(r.Currency, 8)))
	}
	add(checkAmount("grosAmount", r.GrosAmount))
	add(checkPurpose(r.Purpose))
	add(CheckDescription("description", r.Description))
	if len(r.RedirectURL) > MaxRedirectURLLength {
		add(field("redirectUrl", "longer than %d bytes", MaxRedirectURLLength))
	} else if u, err := url.Parse(r.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		add(field("redirectUrl", "must be an absolute http(s) URL"))
	}
	if len(r.Items) < 1 || len(r.Items) > MaxItems {
		add(field("items", "%d items, 1 to %d required", len(r.Items), MaxItems))
	} else {
		var sum int64
		for i := range r.Items {
			it := &r.Items[i]
			errs = append(errs, it.validate(fmt.Sprintf("items[%d]", i))...)
			sum += int64(it.TotalNetAmount) + int64(it.TotalTaxAmount)
		}
		if sum != int64(r.GrosAmount) {
			add(calcField("grosAmount", "%s is not the sum of the items' net and tax amounts, %s", payment.FormatEuro(int64(r.GrosAmount)), payment.FormatEuro(sum)))
		}
	}
	if r.Requestor != nil {
		errs = append(errs, r.Requestor.validate()...)
	}
	return errors.Join(errs...)
}

func (it *PaymentItem) validate(at string) []error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(checkID(at+".id", it.ID, MaxItemIDLength, true))
	add(checkID(at+".reference", it.Reference, MaxReferenceLength, false))
	add(CheckDescription(at+".description", it.Description))
	if it.TaxRate < 0 || it.TaxRate > 10000 {
		add(field(at+".taxRate", "%s is not a percentage between 0 and 100", payment.FormatEuro(int64(it.TaxRate))))
	}
	if it.Quantity < 1 || it.Quantity > MaxQuantity {
		add(field(at+".quantity", "%d is not between 1 and %d", it.Quantity, MaxQuantity))
	}
	for _, a := range []struct {
		name string
		v    Decimal
	}{{"totalNetAmount", it.TotalNetAmount}, {"totalTaxAmount", it.TotalTaxAmount}, {"singleNetAmount", it.SingleNetAmount}, {"singleTaxAmount", it.SingleTaxAmount}} {
		add(checkAmount(at+"."+a.name, a.v))
	}
	if it.Quantity >= 1 && it.Quantity <= MaxQuantity {
		if int64(it.SingleNetAmount)*it.Quantity != int64(it.TotalNetAmount) {
			add(calcField(at+".totalNetAmount", "is not quantity × singleNetAmount"))
		}
		if int64(it.SingleTaxAmount)*it.Quantity != int64(it.TotalTaxAmount) {
			add(calcField(at+".totalTaxAmount", "is not quantity × singleTaxAmount"))
		}
	}
	if len(it.BookingData) > MaxBookingEntries {
		add(field(at+".bookingData", "%d entries, at most %d allowed", len(it.BookingData), MaxBookingEntries))
	}
	for k, v := range it.BookingData {
		if k == "" || len(k) > MaxBookingKeyLength || !utf8.ValidString(k) {
			add(field(at+".bookingData", "key %q must be 1 to %d bytes", truncate(k, 20), MaxBookingKeyLength))
		}
		add(checkText(at+".bookingData."+truncate(k, 20), v, MaxBookingValueLength))
	}
	return errs
}

func (q *Requestor) validate() []error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(checkText("requestor.name", q.Name, MaxNameLength))
	add(checkText("requestor.firstName", q.FirstName, MaxNameLength))
	add(checkText("requestor.organizationName", q.OrganizationName, MaxDescriptionLength))
	switch q.Gender {
	case "", "M", "F", "D":
	default:
		add(field("requestor.gender", "%q is not M, F or D", truncate(q.Gender, 8)))
	}
	if a := q.Address; a != nil {
		add(checkText("requestor.address.street", a.Street, MaxNameLength))
		add(checkText("requestor.address.houseNumber", a.HouseNumber, 16))
		add(checkText("requestor.address.postalCode", a.PostalCode, 16))
		add(checkText("requestor.address.city", a.City, MaxNameLength))
		if len(a.AddressLine) > 5 {
			add(field("requestor.address.addressLine", "%d lines, at most 5 allowed", len(a.AddressLine)))
		}
		for i, l := range a.AddressLine {
			add(checkText(fmt.Sprintf("requestor.address.addressLine[%d]", i), l, MaxNameLength))
		}
		if a.Country != "" && (len(a.Country) != 2 || a.Country[0] < 'A' || a.Country[0] > 'Z' || a.Country[1] < 'A' || a.Country[1] > 'Z') {
			add(field("requestor.address.country", "%q is not an ISO 3166-1 alpha-2 code", truncate(a.Country, 8)))
		}
	}
	return errs
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
