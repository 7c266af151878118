package forms

import "strings"

// Format names registered with the JSON Schema validator, besides the standard ones ("date",
// "email", "date-time", "time", "uri", ...). Use them in a schema as "format": "iban". A format
// applies to strings only; other JSON types pass it (as the specification says).
const (
	FormatIBAN     = "iban"      // IBAN, any SEPA/registry country, spaces allowed, mod-97 checked
	FormatSteuerID = "steuer-id" // Steuer-Identifikationsnummer: 11 digits with check digit
	FormatPLZ      = "plz"       // German postal code (Postleitzahl): 5 digits, 01001–99998
	FormatARS      = "ars"       // Amtlicher Regionalschlüssel: 12 digits, Land 01–16
	FormatLeika    = "leika"     // Leistungsschlüssel (LeiKa/FIM): 14 digits starting with 99
	FormatPhone    = "phone"     // telephone number, German or international
)

// formats are the checks this package adds to the validator.
var formats = map[string]func(string) bool{
	FormatIBAN:     ValidIBAN,
	FormatSteuerID: ValidSteuerID,
	FormatPLZ:      ValidPLZ,
	FormatARS:      ValidARS,
	FormatLeika:    ValidLeika,
	FormatPhone:    ValidPhone,
}

func stringFormat(check func(string) bool) func(any) bool {
	return func(v any) bool {
		s, ok := v.(string)
		return !ok || check(s)
	}
}

// ibanLengths is the length of an IBAN per country (SWIFT IBAN registry).
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
	"BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
	"DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
	"GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
	"IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
	"LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
	"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
	"SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
	"TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// ValidIBAN reports whether s is an IBAN: a known country, that country's length, letters and
// digits only, and the ISO 7064 mod-97 check. Spaces (as printed in groups of four) are allowed;
// letters must be upper case.
func ValidIBAN(s string) bool {
	if len(s) > 64 {
		return false
	}
	var buf [40]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			continue
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z':
			if n == len(buf) {
				return false
			}
			buf[n] = c
			n++
		default:
			return false
		}
	}
	iban := buf[:n]
	if n < 15 {
		return false
	}
	want, ok := ibanLengths[string(iban[:2])]
	if !ok || want != n || iban[2] > '9' || iban[3] > '9' {
		return false
	}
	// Move the first four characters to the end, letters become 10..35, remainder mod 97 must be 1.
	rem := 0
	for i := 0; i < n; i++ {
		c := iban[(i+4)%n]
		if c >= 'A' {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return rem == 1
}

// ValidSteuerID reports whether s is a Steuer-Identifikationsnummer (tax identification number,
// § 139b AO): 11 digits, the first not 0; in the first ten digits exactly one digit occurs twice
// or three times (three times not all in a row) and every other digit at most once; the last
// digit is the ISO 7064 MOD 11,10 check digit.
func ValidSteuerID(s string) bool {
	if len(s) != 11 || s[0] == '0' {
		return false
	}
	var count [10]int
	for i := 0; i < 11; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		if i < 10 {
			count[s[i]-'0']++
		}
	}
	multi := -1
	for d, c := range count {
		switch {
		case c > 3:
			return false
		case c > 1:
			if multi >= 0 {
				return false
			}
			multi = d
		}
	}
	if multi < 0 {
		return false
	}
	if count[multi] == 3 {
		m := byte('0' + multi)
		for i := 0; i+2 < 10; i++ {
			if s[i] == m && s[i+1] == m && s[i+2] == m {
				return false
			}
		}
	}
	product := 10
	for i := 0; i < 10; i++ {
		sum := (int(s[i]-'0') + product) % 10
		if sum == 0 {
			sum = 10
		}
		product = (sum * 2) % 11
	}
	check := 11 - product
	if check == 10 {
		check = 0
	}
	return check == int(s[10]-'0')
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ValidPLZ reports whether s is a German postal code: five digits from 01001 to 99998.
func ValidPLZ(s string) bool {
	return len(s) == 5 && allDigits(s) && s >= "01001" && s <= "99998"
}

// ValidARS reports whether s is an Amtlicher Regionalschlüssel (official regional key): 12 digits
// (2 Land, 1 Regierungsbezirk, 2 Kreis, 4 Gemeindeverband, 3 Gemeinde), the Land from 01 to 16.
func ValidARS(s string) bool {
	return len(s) == 12 && allDigits(s) && s[:2] >= "01" && s[:2] <= "16"
}

// ValidLeika reports whether s is a Leistungsschlüssel of the LeiKa/FIM catalogue: 14 digits
// starting with 99.
func ValidLeika(s string) bool {
	return len(s) == 14 && strings.HasPrefix(s, "99") && allDigits(s)
}

// ValidPhone reports whether s is a telephone number as citizens write it: national with a
// leading 0 ("030 1234567", "0171/1234567") or international with + or 00 ("+49 30 1234567",
// "+49 (0)30 1234567"). Spaces, "-", "/", "." and one pair of parentheses are allowed between
// digits; 6 to 15 digits in all (E.164).
func ValidPhone(s string) bool {
	if len(s) > 40 {
		return false
	}
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	if plus {
		s = s[1:]
		// "+49 (0)30 ..." is a common German way to write the optional trunk prefix.
		if i := strings.Index(s, "(0)"); i > 0 {
			s = s[:i] + s[i+3:]
		}
	}
	var digits [16]byte
	n, open := 0, 0
	prevSep := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n == len(digits) {
				return false
			}
			digits[n] = c
			n++
			prevSep = false
		case c == ' ' || c == '-' || c == '/' || c == '.':
			if prevSep && c != ' ' {
				return false
			}
			prevSep = true
		case c == '(':
			if open != 0 {
				return false
			}
			open = 1
		case c == ')':
			if open != 1 {
				return false
			}
			open = 2
		default:
			return false
		}
	}
	if open == 1 || n < 6 || n > 15 {
		return false
	}
	d := string(digits[:n])
	switch {
	case plus:
		return d[0] != '0'
	case strings.HasPrefix(d, "00"):
		return n > 8 && d[2] != '0'
	default:
		return d[0] == '0' && d[1] != '0'
	}
}
