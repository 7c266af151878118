package payment

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxAmount is the largest amount in cents a payment may have: 999999.00 EUR. XBezahldienste
// v1.0.0 bounds grosAmount, a decimal number of euros, by 999999 (so 999999.50 is refused).
const MaxAmount int64 = 99999900

// FormatEuro writes cents as a decimal euro amount with two decimals, e.g. 2550 → "25.50".
// Negative amounts get a leading minus.
func FormatEuro(cents int64) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign = "-"
		u = uint64(-cents)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// ParseEuro reads a non-negative decimal euro amount as written in JSON ("25", "25.5",
// "25.50") into cents. It refuses signs, exponents, more than two significant decimals,
// amounts above [MaxAmount] (999999.00) and inputs longer than 32 bytes: amounts are never
// read through floating point.
func ParseEuro(s string) (int64, error) {
	if len(s) == 0 || len(s) > 32 {
		return 0, fmt.Errorf("amount %q: empty or too long", truncate(s, 40))
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, fmt.Errorf("amount %q: not a plain decimal number", truncate(s, 40))
	}
	if len(whole) > 1 && whole[0] == '0' {
		return 0, fmt.Errorf("amount %q: leading zero", truncate(s, 40))
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, fmt.Errorf("amount %q: more than two decimals", truncate(s, 40))
	}
	frac += strings.Repeat("0", 2-len(frac))
	if len(whole) > 6 {
		return 0, fmt.Errorf("amount %q: above 999999.99", truncate(s, 40))
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	if c := w*100 + f; c > MaxAmount {
		return 0, fmt.Errorf("amount %q: above %s", truncate(s, 40), FormatEuro(MaxAmount))
	}
	return w*100 + f, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
