package ozg

import (
	"strconv"
	"strings"
)

// EuroDE formats cents as German readers expect an amount: "1.850,50 €", "30,00 €".
func EuroDE(cents int64) string {
	return groupedCents(cents, '.', ',') + "\u00a0€"
}

// EuroEN formats cents for English readers: "€1,850.50".
func EuroEN(cents int64) string {
	s := groupedCents(cents, ',', '.')
	if strings.HasPrefix(s, "-") {
		return "-€" + s[1:]
	}
	return "€" + s
}

// NumberDE formats an integer with German thousands separators: 12345 → "12.345".
func NumberDE(n int64) string { return grouped(n, '.') }

func groupedCents(cents int64, sep, dec byte) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	s := grouped(cents/100, sep) + string(dec) + strconv.FormatInt(100+cents%100, 10)[1:]
	if neg {
		return "-" + s
	}
	return s
}

func grouped(n int64, sep byte) string {
	neg := n < 0
	if neg {
		n = -n
	}
	digits := strconv.FormatInt(n, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(sep)
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}
