package forms

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// Bounds of the numbers a Form accepts. The validator computes with exact fractions
// (math/big), which cannot hold a number such as 1e99999999 and refuse to, and a number of a
// few thousand digits costs it a great deal of work; forms therefore refuses, before any
// validation, a number whose magnitude is above 10^300, a number other than zero whose magnitude
// is below 10^-300, and a number written with more than 400 characters. float64 holds every
// number within the bounds.
const (
	maxNumberExponent = 300
	maxNumberText     = 400
)

// numberLimitDE and numberLimitEN name the bounds in messages for fields without their own.
const (
	numberLowDE, numberHighDE = "−10³⁰⁰", "10³⁰⁰"
	numberLowEN, numberHighEN = "-10^300", "10^300"
)

// numberInRange reports whether s is a JSON number within the bounds above.
func numberInRange(s string) bool {
	if len(s) == 0 || len(s) > maxNumberText {
		return false
	}
	i := 0
	if s[0] == '-' {
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intDigits := s[intStart:i]
	if len(intDigits) == 0 {
		return false
	}
	frac := ""
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[start:i]
		if frac == "" {
			return false
		}
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		neg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			neg = s[i] == '-'
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			if exp < 1e7 {
				exp = exp*10 + int(s[i]-'0')
			}
			i++
		}
		if i == start {
			return false
		}
		if neg {
			exp = -exp
		}
	}
	if i != len(s) {
		return false
	}
	// The decimal exponent of the leading significant digit.
	lead := 0
	for lead < len(intDigits) && intDigits[lead] == '0' {
		lead++
	}
	var mag int
	if lead < len(intDigits) {
		mag = len(intDigits) - lead - 1
	} else {
		z := 0
		for z < len(frac) && frac[z] == '0' {
			z++
		}
		if z == len(frac) {
			return true // zero, however it is written
		}
		mag = -(z + 1)
	}
	mag += exp
	return mag <= maxNumberExponent && mag >= -maxNumberExponent
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// checkNumber reports whether a decoded number (json.Number or a Go number) is one the
// validator can take; other values pass.
func checkNumber(v any) bool {
	switch n := v.(type) {
	case json.Number:
		return numberInRange(string(n))
	case float64:
		return !math.IsNaN(n) && !math.IsInf(n, 0) && (n == 0 || math.Abs(n) >= 1e-300 && math.Abs(n) <= 1e300)
	case float32:
		f := float64(n)
		return !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return true
}

// duplicateMember returns the JSON pointer of the first member of an object in doc whose name
// the object has already had, comparing names after unescaping. doc must be valid JSON. It runs
// on every document, so it keeps names as offsets into doc and allocates nothing for a document
// of ordinary shape.
func duplicateMember(doc []byte) (string, bool) {
	// A name is doc[start:end], or, for a name with escapes, unescaped[-start-1].
	type span struct{ start, end int }
	type frame struct {
		object   bool
		keyStart int  // index into keys where this object's names start; -1 once in seen
		seen     int  // index into maps, for an object with many names; -1 if none
		cur      span // the current member name
		index    int  // the current array index
	}
	const linearLimit = 32
	var (
		stackBuf  [32]frame
		keysBuf   [128]span
		stack     = stackBuf[:0]
		keys      = keysBuf[:0]
		maps      []map[string]struct{}
		unescaped []string
		expectKey bool
	)
	name := func(sp span) string {
		if sp.start < 0 {
			return unescaped[-sp.start-1]
		}
		return string(doc[sp.start:sp.end])
	}
	equal := func(a, b span) bool {
		if a.start >= 0 && b.start >= 0 {
			return bytes.Equal(doc[a.start:a.end], doc[b.start:b.end])
		}
		return name(a) == name(b)
	}
	for i := 0; i < len(doc); i++ {
		switch doc[i] {
		case '{':
			stack = append(stack, frame{object: true, keyStart: len(keys), seen: -1})
			expectKey = true
		case '[':
			stack = append(stack, frame{keyStart: len(keys), seen: -1})
			expectKey = false
		case '}', ']':
			if n := len(stack); n > 0 {
				keys = keys[:stack[n-1].keyStart]
				stack = stack[:n-1]
			}
			expectKey = false
		case ',':
			if n := len(stack); n > 0 {
				if stack[n-1].object {
					expectKey = true
				} else {
					stack[n-1].index++
				}
			}
		case '"':
			j := i + 1
			escaped := false
			for j < len(doc) && doc[j] != '"' {
				if doc[j] == '\\' {
					escaped = true
					j++
				}
				j++
			}
			if n := len(stack); n > 0 && expectKey && stack[n-1].object {
				top := &stack[n-1]
				sp := span{i + 1, j}
				if escaped {
					var s string
					if json.Unmarshal(doc[i:j+1], &s) == nil {
						unescaped = append(unescaped, s)
						sp = span{-len(unescaped), 0}
					}
				}
				top.cur = sp
				dup := false
				if top.seen >= 0 {
					m := maps[top.seen]
					k := name(sp)
					_, dup = m[k]
					m[k] = struct{}{}
				} else {
					for _, k := range keys[top.keyStart:] {
						if equal(k, sp) {
							dup = true
							break
						}
					}
					keys = append(keys, sp)
					if len(keys)-top.keyStart > linearLimit {
						m := make(map[string]struct{}, 2*linearLimit)
						for _, k := range keys[top.keyStart:] {
							m[name(k)] = struct{}{}
						}
						maps = append(maps, m)
						top.seen = len(maps) - 1
						keys = keys[:top.keyStart]
					}
				}
				if dup {
					var b []byte
					for _, fr := range stack {
						b = append(b, '/')
						if fr.object {
							b = append(b, escapePointer(name(fr.cur))...)
						} else {
							b = strconv.AppendInt(b, int64(fr.index), 10)
						}
					}
					return string(b), true
				}
				expectKey = false
			}
			i = j
		}
	}
	return "", false
}
