package backoff

import (
	"testing"
	"time"
)

func TestDelayDoublesUpToTheCap(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{
		{0, time.Second}, {1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second},
		{6, 32 * time.Second}, {7, time.Minute}, {1 << 30, time.Minute},
	}
	for _, tt := range tests {
		if got := Delay(time.Second, time.Minute, tt.n); got != tt.want {
			t.Errorf("Delay after %d failures = %v, want %v", tt.n, got, tt.want)
		}
	}
}
