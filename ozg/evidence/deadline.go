package evidence

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// uploadBody reads an upload's request body under a moving read deadline set on the
// connection (http.ResponseController), so that a client that stops sending, or sends too
// slowly, is cut off instead of holding a goroutine, a connection and a temporary file:
//
//   - no byte for idle ends the upload;
//   - after a grace of idle, the body must have arrived at minRate bytes per second on
//     average since the start; the deadline for the next byte is where the bytes read so far
//     stop covering that rate.
//
// It records the first error of the body itself, so the handler can tell a client's failure
// (timeout, truncation, disconnect) from the storage's.
type uploadBody struct {
	body    io.ReadCloser
	rc      *http.ResponseController
	start   time.Time
	idle    time.Duration
	minRate int64
	read    int64
	set     time.Time // the deadline last set, to spare setting the same one again
	err     error     // the first error the body returned (io.EOF not counted)
	timeout bool      // the error is the read deadline
}

func newUploadBody(w http.ResponseWriter, r *http.Request, idle time.Duration, minRate int64) *uploadBody {
	return &uploadBody{body: r.Body, rc: http.NewResponseController(w), start: time.Now(), idle: idle, minRate: minRate}
}

// deadline is when the next byte must have arrived.
func (u *uploadBody) deadline(now time.Time) time.Time {
	d := now.Add(u.idle)
	if u.minRate > 0 {
		// read bytes cover read/minRate seconds of the rate, counted after the grace.
		covered := time.Duration(float64(u.read) / float64(u.minRate) * float64(time.Second))
		if r := u.start.Add(u.idle + covered); r.Before(d) {
			d = r
		}
	}
	return d
}

// armed reports whether the connection takes read deadlines; it sets the first one.
func (u *uploadBody) armed() bool {
	u.set = u.deadline(u.start)
	return u.rc.SetReadDeadline(u.set) == nil
}

func (u *uploadBody) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	now := time.Now()
	d := u.deadline(now)
	if !d.After(now) {
		return 0, u.fail(os.ErrDeadlineExceeded, true)
	}
	// Moving the deadline costs a timer update; a change under 100 ms is not worth one.
	if d.Sub(u.set) >= 100*time.Millisecond || d.Before(u.set) {
		if err := u.rc.SetReadDeadline(d); err == nil {
			u.set = d
		}
	}
	n, err := u.body.Read(p)
	u.read += int64(n)
	if err != nil && err != io.EOF {
		return n, u.fail(err, errors.Is(err, os.ErrDeadlineExceeded))
	}
	return n, err
}

func (u *uploadBody) fail(err error, timeout bool) error {
	u.err, u.timeout = err, timeout
	return err
}

func (u *uploadBody) Close() error { return u.body.Close() }
