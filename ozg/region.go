package ozg

import (
	"fmt"
	"strings"
)

// regionLevels are the lengths at which an Amtlicher Regionalschlüssel ends a level:
// Land (2), Regierungsbezirk (3), Kreis (5), Gemeindeverband (9), Gemeinde (12).
var regionLevels = [...]int{2, 3, 5, 9, 12}

// RegionScope returns the significant prefix of an Amtlicher Regionalschlüssel (ARS): the
// shortest of its 2/3/5/9/12-digit levels after which only zeros follow. "010020000000" (Kiel)
// gives "01002", "010000000000" (Schleswig-Holstein) gives "01", "091620000000" (München) gives
// "09162". A shorter ARS of 2, 3, 5 or 9 digits is read as padded with zeros. It returns an error
// when ars is not 2, 3, 5, 9 or 12 digits with a Land code of 01–16.
func RegionScope(ars string) (string, error) {
	valid := false
	for _, n := range regionLevels {
		if len(ars) == n {
			valid = true
		}
	}
	if !valid {
		return "", fmt.Errorf("ozg: region %q: an ARS has 2, 3, 5, 9 or 12 digits, not %d", ars, len(ars))
	}
	for _, c := range ars {
		if c < '0' || c > '9' {
			return "", fmt.Errorf("ozg: region %q: an ARS has only digits", ars)
		}
	}
	if land := ars[:2]; land < "01" || land > "16" {
		return "", fmt.Errorf("ozg: region %q: Land code %s is not 01–16", ars, land)
	}
	for _, n := range regionLevels {
		if n >= len(ars) || strings.Trim(ars[n:], "0") == "" {
			return ars[:min(n, len(ars))], nil
		}
	}
	return ars, nil
}
