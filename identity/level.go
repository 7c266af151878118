package identity

import (
	"errors"
	"fmt"
	"strings"
)

// Level is a trust level (Vertrauensniveau) of an authentication. Levels are ordered: a higher
// value is a stronger assurance, so levels compare with < and >. The zero value is [LevelNone].
type Level int

// The trust levels, weakest first.
const (
	// LevelNone: not authenticated, or authenticated at no stated level.
	LevelNone Level = iota
	// LevelBasic: BundID username and password (STORK-QAA-Level-1 or -2). It does not meet
	// eIDAS low.
	LevelBasic
	// LevelLow: eIDAS low.
	LevelLow
	// LevelSubstantial: eIDAS substantial, BundID with an ELSTER certificate (STORK-QAA-Level-3).
	LevelSubstantial
	// LevelHigh: eIDAS high, BundID with the eID card or an EU eID (STORK-QAA-Level-4).
	LevelHigh
)

// ErrUnknownLevel is returned when a text names no trust level.
var ErrUnknownLevel = errors.New("identity: unknown trust level")

var levelNames = [...]string{
	LevelNone:        "none",
	LevelBasic:       "basic",
	LevelLow:         "low",
	LevelSubstantial: "substantial",
	LevelHigh:        "high",
}

// Valid reports whether l is one of the defined levels.
func (l Level) Valid() bool { return l >= LevelNone && l <= LevelHigh }

// String returns the level's short name: none, basic, low, substantial or high.
func (l Level) String() string {
	if !l.Valid() {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

var levelGerman = [...]string{
	LevelNone:        "keins",
	LevelBasic:       "Basisregistrierung",
	LevelLow:         "niedrig",
	LevelSubstantial: "substanziell",
	LevelHigh:        "hoch",
}

// German returns the level's name as citizens read it on German pages: "keins",
// "Basisregistrierung" (BundID username and password, below eIDAS low), "niedrig",
// "substanziell" and "hoch" (the eIDAS levels). Portal pages, the Gate's messages and the
// local identity provider use these words, so a citizen meets one name per level.
func (l Level) German() string {
	if !l.Valid() {
		return fmt.Sprintf("Vertrauensniveau %d", int(l))
	}
	return levelGerman[l]
}

// Meets reports whether a login at level l satisfies a requirement of level required.
func (l Level) Meets(required Level) bool { return l.Valid() && l >= required }

// ParseLevel parses a level's short name as written by [Level.String], ignoring case.
func ParseLevel(s string) (Level, error) {
	for i, name := range levelNames {
		if strings.EqualFold(s, name) {
			return Level(i), nil
		}
	}
	return LevelNone, fmt.Errorf("%w: %q (want none, basic, low, substantial or high)", ErrUnknownLevel, s)
}

// MarshalText encodes the level as its short name, so levels read well in JSON.
func (l Level) MarshalText() ([]byte, error) {
	if !l.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownLevel, int(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText decodes a level's short name.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// The acr values of the two vocabularies BundID and eIDAS nodes use.
const (
	// STORK QAA levels as sent by BundID in the trust level attribute and as acr by brokers.
	ACRStorkQAA1 = "STORK-QAA-Level-1"
	ACRStorkQAA2 = "STORK-QAA-Level-2"
	ACRStorkQAA3 = "STORK-QAA-Level-3"
	ACRStorkQAA4 = "STORK-QAA-Level-4"
	// eIDAS levels of assurance (Commission Implementing Regulation (EU) 2015/1502).
	ACREIDASLow         = "http://eidas.europa.eu/LoA/low"
	ACREIDASSubstantial = "http://eidas.europa.eu/LoA/substantial"
	ACREIDASHigh        = "http://eidas.europa.eu/LoA/high"
)

// ParseSTORK parses a STORK QAA level. Levels 1 and 2 (BundID username and password) are
// [LevelBasic], which does not meet eIDAS low; 3 is [LevelSubstantial]; 4 is [LevelHigh].
func ParseSTORK(s string) (Level, error) {
	switch s {
	case ACRStorkQAA1, ACRStorkQAA2:
		return LevelBasic, nil
	case ACRStorkQAA3:
		return LevelSubstantial, nil
	case ACRStorkQAA4:
		return LevelHigh, nil
	}
	return LevelNone, fmt.Errorf("%w: %q is no STORK-QAA-Level-1..4", ErrUnknownLevel, s)
}

// STORK formats the level as the STORK QAA value BundID uses for it. Basic is
// STORK-QAA-Level-1. [LevelNone] and [LevelLow] have no STORK value: STORK-QAA-Level-2 is
// BundID's basic level too, not eIDAS low.
func (l Level) STORK() (string, error) {
	switch l {
	case LevelBasic:
		return ACRStorkQAA1, nil
	case LevelSubstantial:
		return ACRStorkQAA3, nil
	case LevelHigh:
		return ACRStorkQAA4, nil
	}
	return "", fmt.Errorf("%w: %v has no STORK QAA value", ErrUnknownLevel, l)
}

// ParseEIDAS parses an eIDAS level of assurance URI (http://eidas.europa.eu/LoA/low,
// substantial or high).
func ParseEIDAS(s string) (Level, error) {
	switch s {
	case ACREIDASLow:
		return LevelLow, nil
	case ACREIDASSubstantial:
		return LevelSubstantial, nil
	case ACREIDASHigh:
		return LevelHigh, nil
	}
	return LevelNone, fmt.Errorf("%w: %q is no eIDAS level of assurance", ErrUnknownLevel, s)
}

// EIDAS formats the level as its eIDAS level of assurance URI. [LevelNone] and [LevelBasic]
// have none: BundID's basic level does not meet eIDAS low.
func (l Level) EIDAS() (string, error) {
	switch l {
	case LevelLow:
		return ACREIDASLow, nil
	case LevelSubstantial:
		return ACREIDASSubstantial, nil
	case LevelHigh:
		return ACREIDASHigh, nil
	}
	return "", fmt.Errorf("%w: %v has no eIDAS level of assurance", ErrUnknownLevel, l)
}
