package identity

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestLevelsAreOrderedWeakestFirst(t *testing.T) {
	order := []Level{LevelNone, LevelBasic, LevelLow, LevelSubstantial, LevelHigh}
	for i := 1; i < len(order); i++ {
		if !(order[i-1] < order[i]) {
			t.Errorf("%v should be weaker than %v", order[i-1], order[i])
		}
	}
	if LevelBasic.Meets(LevelLow) {
		t.Error("BundID basic must not meet eIDAS low")
	}
	if !LevelHigh.Meets(LevelSubstantial) || !LevelSubstantial.Meets(LevelSubstantial) {
		t.Error("a level must meet itself and every weaker level")
	}
	if Level(42).Meets(LevelNone) {
		t.Error("an undefined level must meet nothing")
	}
}

func TestLevelTextRoundTrip(t *testing.T) {
	for l := LevelNone; l <= LevelHigh; l++ {
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatalf("marshal %v: %v", l, err)
		}
		var got Level
		if err := json.Unmarshal(b, &got); err != nil || got != l {
			t.Errorf("round trip of %v gave %v, %v", l, got, err)
		}
	}
	if _, err := ParseLevel("medium"); !errors.Is(err, ErrUnknownLevel) {
		t.Errorf("ParseLevel(medium) = %v, want ErrUnknownLevel", err)
	}
	if _, err := json.Marshal(Level(-1)); err == nil {
		t.Error("marshalling an undefined level must fail")
	}
}
