package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"
)

func TestLogRequestIDsIsAWellBehavedHandler(t *testing.T) {
	var buf bytes.Buffer
	slogtest.Run(t, func(*testing.T) slog.Handler {
		buf.Reset()
		return LogRequestIDs(slog.NewJSONHandler(&buf, nil))
	}, func(*testing.T) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", buf.Bytes(), err)
		}
		return m
	})
}

func TestLogRequestIDsAddsTheIDOfTheRequestsContext(t *testing.T) {
	withID := context.WithValue(context.Background(), requestIDKey{}, "req-12345678")
	tests := []struct {
		name string
		log  func(l *slog.Logger)
		want string // the line's "request" attributes, joined by "|"
	}{
		{"a line logged with the request's context carries its id",
			func(l *slog.Logger) { l.InfoContext(withID, "saved") }, "req-12345678"},
		{"a line logged with LogAttrs and the context carries it too",
			func(l *slog.Logger) { l.LogAttrs(withID, slog.LevelWarn, "refused", slog.String("err", "x")) }, "req-12345678"},
		{"a line logged without a context has none",
			func(l *slog.Logger) { l.Info("started") }, ""},
		{"a line logged with a context without a request has none",
			func(l *slog.Logger) { l.InfoContext(context.Background(), "loop") }, ""},
		{"a line that names its request keeps its own, once",
			func(l *slog.Logger) { l.InfoContext(withID, "panic", "request", "req-12345678") }, "req-12345678"},
		{"a logger with a request of its own keeps it, once",
			func(l *slog.Logger) { l.With("request", "other-1234").InfoContext(withID, "x") }, "other-1234"},
		{"a line with more attributes than fit inline still gets the id",
			func(l *slog.Logger) { l.InfoContext(withID, "many", "a", 1, "b", 2, "c", 3, "d", 4, "e", 5, "f", 6) }, "req-12345678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(slog.New(LogRequestIDs(slog.NewTextHandler(&buf, nil))))
			var got []string
			for _, f := range strings.Fields(buf.String()) {
				if v, ok := strings.CutPrefix(f, "request="); ok {
					got = append(got, v)
				}
			}
			if strings.Join(got, "|") != tt.want {
				t.Fatalf("line %q has request %q, want %q", buf.String(), got, tt.want)
			}
		})
	}
}

func TestLogRequestIDsWrapsOnce(t *testing.T) {
	h := LogRequestIDs(slog.NewTextHandler(&bytes.Buffer{}, nil))
	if LogRequestIDs(h) != h {
		t.Fatal("wrapping a wrapped handler again adds a second layer")
	}
}

func BenchmarkLogRequestIDs(b *testing.B) {
	ctx := context.WithValue(context.Background(), requestIDKey{}, "req-12345678")
	l := slog.New(LogRequestIDs(slog.NewJSONHandler(discard{}, nil)))
	b.ReportAllocs()
	for b.Loop() {
		l.InfoContext(ctx, "saved", "application", "a1", "version", 3)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
