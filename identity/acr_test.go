package identity

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestSTORKAndEIDASValuesParseToTheirLevels(t *testing.T) {
	tests := []struct {
		name  string
		parse func(string) (Level, error)
		in    string
		want  Level
	}{
		{"STORK level 1 is basic", ParseSTORK, "STORK-QAA-Level-1", LevelBasic},
		{"STORK level 2 is basic too", ParseSTORK, "STORK-QAA-Level-2", LevelBasic},
		{"STORK level 3 is substantial", ParseSTORK, "STORK-QAA-Level-3", LevelSubstantial},
		{"STORK level 4 is high", ParseSTORK, "STORK-QAA-Level-4", LevelHigh},
		{"eIDAS low is low", ParseEIDAS, "http://eidas.europa.eu/LoA/low", LevelLow},
		{"eIDAS substantial is substantial", ParseEIDAS, "http://eidas.europa.eu/LoA/substantial", LevelSubstantial},
		{"eIDAS high is high", ParseEIDAS, "http://eidas.europa.eu/LoA/high", LevelHigh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.parse(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "STORK-QAA-Level-5", "stork-qaa-level-1", "http://eidas.europa.eu/LoA/NotNotified/low"} {
		if _, err := ParseSTORK(bad); !errors.Is(err, ErrUnknownLevel) {
			t.Errorf("ParseSTORK(%q) error = %v", bad, err)
		}
		if _, err := ParseEIDAS(bad); !errors.Is(err, ErrUnknownLevel) {
			t.Errorf("ParseEIDAS(%q) error = %v", bad, err)
		}
	}
}

func TestLevelsFormatOnlyWhereTheVocabularyHasThem(t *testing.T) {
	for l := LevelNone; l <= LevelHigh; l++ {
		s, err := l.STORK()
		if (l == LevelNone || l == LevelLow) != (err != nil) {
			t.Errorf("%v.STORK() = %q, %v", l, s, err)
		}
		if err == nil {
			if back, _ := ParseSTORK(s); back != l {
				t.Errorf("STORK round trip of %v gave %v", l, back)
			}
		}
		e, err := l.EIDAS()
		if (l == LevelNone || l == LevelBasic) != (err != nil) {
			t.Errorf("%v.EIDAS() = %q, %v: basic must have no eIDAS value", l, e, err)
		}
		if err == nil {
			if back, _ := ParseEIDAS(e); back != l {
				t.Errorf("eIDAS round trip of %v gave %v", l, back)
			}
		}
	}
}

func TestACRMappingRequestsTheNextStrongerLevelWhenOneHasNoValue(t *testing.T) {
	m := DefaultACRMapping()
	tests := []struct {
		level Level
		want  string
	}{
		{LevelBasic, ACRStorkQAA1},
		{LevelLow, ACRStorkQAA3}, // BundID basic does not meet eIDAS low
		{LevelSubstantial, ACRStorkQAA3},
		{LevelHigh, ACRStorkQAA4},
	}
	for _, tt := range tests {
		if got, ok := m.ACR(tt.level); !ok || got != tt.want {
			t.Errorf("ACR(%v) = %q, %v; want %q", tt.level, got, ok, tt.want)
		}
	}
	if _, ok := (ACRMapping{}).ACR(LevelBasic); ok {
		t.Error("an empty mapping must request nothing")
	}
	if l, err := m.Level("substantial"); err != nil || l != LevelSubstantial {
		t.Errorf("Level(substantial) = %v, %v", l, err)
	}
	if _, err := m.Level("urn:example:gold"); !errors.Is(err, ErrUnknownLevel) {
		t.Errorf("an unmapped acr must be refused, got %v", err)
	}
}

func TestACRMappingIsDataThatRoundTripsThroughJSON(t *testing.T) {
	custom := ACRMapping{
		Levels:  map[string]Level{"gold": LevelHigh, "silver": LevelSubstantial},
		Request: map[Level]string{LevelHigh: "gold", LevelSubstantial: "silver"},
	}
	b, err := json.Marshal(custom)
	if err != nil {
		t.Fatal(err)
	}
	var back ACRMapping
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	if l, _ := back.Level("gold"); l != LevelHigh {
		t.Errorf("gold = %v after round trip of %s", l, b)
	}
	if v, _ := back.ACR(LevelLow); v != "silver" {
		t.Errorf("ACR(low) = %q after round trip", v)
	}
}
