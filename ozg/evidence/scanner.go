package evidence

import (
	"context"
	"io"
	"log/slog"
)

// Scanner checks a file for malware.
//
// Contract: Scan reads r (it may stop early once it has a verdict) and returns the verdict.
// When it cannot decide (daemon unreachable, size limit, ctx canceled) it returns an error,
// ideally wrapping [ErrScanFailed]; the evidence then stays unusable ([ScanFailed]). Scan must
// be safe for concurrent use. Implementations: [Clamd], and [NoScanner] when scanning is
// deliberately off.
type Scanner interface {
	Scan(ctx context.Context, r io.Reader) (Verdict, error)
}

// Verdict is a scanner's answer.
type Verdict struct {
	// Infected is true when malware was found; Signature then names it, e.g.
	// "Eicar-Signature".
	Infected  bool
	Signature string
}

// NoScanner is a [Scanner] that finds every file clean without reading it. It exists for
// development and for portals that scan elsewhere; it must be chosen explicitly and logs a
// warning when made, so a portal without virus scanning shows it at startup.
type NoScanner struct{}

// NewNoScanner returns a no-op scanner and logs (at warning level, to logger or
// slog.Default()) that virus scanning is off.
func NewNoScanner(logger *slog.Logger) NoScanner {
	if logger == nil {
		logger = slog.Default()
	}
	logger.Warn("evidence: virus scanning is OFF (no-op scanner chosen); every upload counts as clean")
	return NoScanner{}
}

// Scan implements [Scanner]: always clean.
func (NoScanner) Scan(ctx context.Context, r io.Reader) (Verdict, error) {
	return Verdict{}, ctx.Err()
}
