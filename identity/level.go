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
