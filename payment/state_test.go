package payment

import "testing"

func TestStateMoves(t *testing.T) {
	all := []State{StateCreated, StatePending, StatePaid, StateFailed, StateCanceled, StateExpired}
	allowed := map[[2]State]bool{
		{StateCreated, StatePending}: true, {StateCreated, StatePaid}: true, {StateCreated, StateFailed}: true,
		{StateCreated, StateCanceled}: true, {StateCreated, StateExpired}: true,
		{StatePending, StatePaid}: true, {StatePending, StateFailed}: true, {StatePending, StateCanceled}: true,
		{StatePending, StateExpired}: true,
		{StateFailed, StatePaid}:     true, {StateCanceled, StatePaid}: true, {StateExpired, StatePaid}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := from.CanMoveTo(to); got != allowed[[2]State{from, to}] {
				t.Errorf("%s → %s: CanMoveTo = %v", from, to, got)
			}
		}
	}
	for _, to := range all {
		if StatePaid.CanMoveTo(to) {
			t.Errorf("paid may move to %s; nothing leaves paid", to)
		}
	}
	if State("booked").Valid() || State("booked").CanMoveTo(StatePaid) {
		t.Error("an unknown state is valid or may move")
	}
}

func TestEuro(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"25.50", 2550, true}, {"25.5", 2550, true}, {"25", 2500, true}, {"0.01", 1, true},
		{"999999", 99999900, true}, {"999999.00", 99999900, true}, {"999999.50", 0, false}, {"999999.99", 0, false}, {"1.500", 150, true}, {"0", 0, true},
		{"1000000", 0, false}, {"1.005", 0, false}, {"-1", 0, false}, {"+1", 0, false},
		{"1e3", 0, false}, {"", 0, false}, {".5", 0, false}, {"5.", 0, false}, {"01", 0, false},
		{"1,50", 0, false}, {"NaN", 0, false}, {"12345678901234567890123456789012345", 0, false},
	} {
		got, err := ParseEuro(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseEuro(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	for cents, want := range map[int64]string{0: "0.00", 1: "0.01", 2550: "25.50", 99999999: "999999.99", -5: "-0.05"} {
		if got := FormatEuro(cents); got != want {
			t.Errorf("FormatEuro(%d) = %q, want %q", cents, got, want)
		}
	}
}
