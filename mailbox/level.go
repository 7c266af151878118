package mailbox

import (
	"errors"
	"fmt"
	"strings"
)

// Level is the trust level (Vertrauensniveau) a citizen's login must reach to read a message.
//
// mailbox is a leaf package and does not import identity; Level uses the same values and order
// as identity.Level (none=0, basic=1, low=2, substantial=3, high=4), so a portal converts with a
// plain conversion: mailbox.Level(principal.Level). Levels compare with < and >.
type Level int

// The trust levels, weakest first; the values equal those of identity.Level.
const (
	LevelNone        Level = 0 // not authenticated, or no stated level
	LevelBasic       Level = 1 // BundID username and password; does not meet eIDAS low
	LevelLow         Level = 2 // eIDAS low
	LevelSubstantial Level = 3 // eIDAS substantial (BundID with ELSTER certificate)
	LevelHigh        Level = 4 // eIDAS high (BundID with the eID card)
)

// ErrUnknownLevel is returned when a text or number names no trust level.
var ErrUnknownLevel = errors.New("mailbox: unknown trust level")

var levelNames = [...]string{"none", "basic", "low", "substantial", "high"}

// Valid reports whether l is one of the defined levels.
func (l Level) Valid() bool { return l >= LevelNone && l <= LevelHigh }

// Meets reports whether a login at level l may read a message that requires level required.
func (l Level) Meets(required Level) bool { return l.Valid() && l >= required }

// String returns the level's short name: none, basic, low, substantial or high.
func (l Level) String() string {
	if !l.Valid() {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// ParseLevel parses a level's short name as written by [Level.String], ignoring case.
func ParseLevel(s string) (Level, error) {
	for i, name := range levelNames {
		if strings.EqualFold(s, name) {
			return Level(i), nil
		}
	}
	return LevelNone, fmt.Errorf("%w: %q (want none, basic, low, substantial or high)", ErrUnknownLevel, s)
}

// MarshalText encodes the level as its short name.
func (l Level) MarshalText() ([]byte, error) {
	if !l.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownLevel, int(l))
	}
	return []byte(levelNames[l]), nil
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
