package identity

import (
	"fmt"
	"strings"
)

// ACRMapping translates between the acr (authentication context class reference) values an
// identity provider sends and [Level]s. It is data: a deployment whose broker uses its own acr
// values (a Keycloak with custom level names, say) writes its own mapping.
//
// The zero value maps nothing; use [DefaultACRMapping] for BundID and eIDAS values.
type ACRMapping struct {
	// Levels maps an acr value, compared exactly, to the level it stands for.
	Levels map[string]Level `json:"levels"`
	// Request maps a level to the acr value sent in acr_values to ask for at least that level.
	// A level missing here is requested with the value of the next stronger level present.
	Request map[Level]string `json:"request"`
}

// DefaultACRMapping understands STORK-QAA-Level-1..4, the eIDAS LoA URIs and the short names
// of [Level.String]; it requests levels with STORK values, as BundID brokers expect.
func DefaultACRMapping() ACRMapping {
	m := ACRMapping{
		Levels: map[string]Level{
			ACRStorkQAA1: LevelBasic, ACRStorkQAA2: LevelBasic,
			ACRStorkQAA3: LevelSubstantial, ACRStorkQAA4: LevelHigh,
			ACREIDASLow: LevelLow, ACREIDASSubstantial: LevelSubstantial, ACREIDASHigh: LevelHigh,
		},
		Request: map[Level]string{
			LevelBasic:       ACRStorkQAA1,
			LevelSubstantial: ACRStorkQAA3,
			LevelHigh:        ACRStorkQAA4,
		},
	}
	for l := LevelBasic; l <= LevelHigh; l++ {
		m.Levels[l.String()] = l
	}
	return m
}

// Level returns the level an acr value stands for.
func (m ACRMapping) Level(acr string) (Level, error) {
	acr = strings.TrimSpace(acr)
	if l, ok := m.Levels[acr]; ok && l.Valid() {
		return l, nil
	}
	if len(acr) > 64 {
		acr = acr[:64] + "…"
	}
	return LevelNone, fmt.Errorf("%w: acr %q is not mapped", ErrUnknownLevel, acr)
}

// ACR returns the acr value to request a login of at least level l: the value for l, or for
// the next stronger level with a value. ok is false when no level from l upwards has one.
func (m ACRMapping) ACR(l Level) (acr string, ok bool) {
	for ; l <= LevelHigh; l++ {
		if v, ok := m.Request[l]; ok && v != "" {
			return v, true
		}
	}
	return "", false
}
