package portal

import (
	"context"
	"log/slog"
)

// RequestIDLogKey is the key under which LogRequestIDs adds a request's id to a log record.
const RequestIDLogKey = "request"

// LogRequestIDs wraps h so that every record logged with the context of a request the portal
// serves (Logger.InfoContext(r.Context(), ...), LogAttrs with ctx) carries the request's id
// under "request", the id of the X-Request-Id header and of problem documents' "instance". A
// record or logger that has a "request" attribute already keeps its own. Inside a group
// (Logger.WithGroup) the id is added to the group. The portal logs through it; wrap the
// handler of a logger of your own to have the ids in lines logged beside the portal.
func LogRequestIDs(h slog.Handler) slog.Handler {
	if r, ok := h.(requestIDHandler); ok {
		return r
	}
	return requestIDHandler{next: h}
}

type requestIDHandler struct {
	next slog.Handler
	// bound is set when the logger has a "request" attribute of its own (Logger.With);
	// grouped when it has a group, inside which attributes no longer count.
	bound, grouped bool
}

func (h requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if !h.bound && ctx != nil {
		if id := RequestID(ctx); id != "" && !hasRequestID(r) {
			r = r.Clone() // the caller's record shares its attributes' storage
			r.AddAttrs(slog.String(RequestIDLogKey, id))
		}
	}
	return h.next.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	bound := h.bound
	for _, a := range attrs {
		bound = bound || (!h.grouped && a.Key == RequestIDLogKey)
	}
	return requestIDHandler{next: h.next.WithAttrs(attrs), bound: bound, grouped: h.grouped}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return requestIDHandler{next: h.next.WithGroup(name), bound: h.bound, grouped: true}
}

// hasRequestID reports whether r has a "request" attribute at its top level.
func hasRequestID(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == RequestIDLogKey
		return !found
	})
	return found
}
