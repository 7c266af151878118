package payment

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/ozgkit/ozgkit/internal/backoff"
)

// Retry says how often and how patiently the [Service] asks a provider again after an error
// wrapping [ErrUnavailable]. Other errors are not retried. The zero value means the defaults.
type Retry struct {
	// Attempts is the number of tries in all, at least 1; default 4.
	Attempts int
	// Initial is the wait before the second try; it doubles for each further try, with
	// jitter, up to Max. Defaults 200ms and 3s.
	Initial, Max time.Duration
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 4
	}
	if r.Initial <= 0 {
		r.Initial = 200 * time.Millisecond
	}
	if r.Max <= 0 {
		r.Max = 3 * time.Second
	}
	if r.Max < r.Initial {
		r.Max = r.Initial
	}
	return r
}

// do runs op until it succeeds, fails with an error that is not [ErrUnavailable], the
// attempts are used up, or ctx ends. It returns op's last error.
func (r Retry) do(ctx context.Context, op func(context.Context) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = op(ctx)
		if err == nil || !errors.Is(err, ErrUnavailable) || attempt >= r.Attempts {
			return err
		}
		// Jitter between half the wait and the whole.
		wait := backoff.Delay(r.Initial, r.Max, attempt)
		d := wait/2 + rand.N(wait/2+1)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
}
