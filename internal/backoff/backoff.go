// Package backoff computes the exponential waits between retries that the outbox, the
// mailbox's notifications and the payment service share.
package backoff

import "time"

// Delay returns the wait after the n-th failure (n ≥ 1): first·2^(n-1), at most max. It never
// overflows, however large n is.
func Delay(first, max time.Duration, n int) time.Duration {
	d := first
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}
