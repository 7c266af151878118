package casework_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/casework/caseworktest"
)

// FuzzQuery feeds the inbox's query parameters, which come from the URL, to the memory
// store: the only errors are ErrInvalid and ErrBadCursor, and no page is larger than asked.
func FuzzQuery(f *testing.F) {
	f.Add("delivered", "wohngeld", "WOHNGELD-2026", "", 20)
	f.Add("", "", "%_\\", "MTIzfGFiYw", 0)
	f.Add("gone", "x", "<script>", "!!", -1)
	s := casework.NewMemoryStore()
	for i, id := range []string{"a", "b", "c"} {
		if _, _, err := s.Receive(context.Background(), caseworktest.NewCase(id, "wohngeld", "WOHNGELD-2026-00000"+id, i),
			casework.Event{At: time.Now(), Actor: casework.Actor{Kind: "system"}, Action: casework.ActionReceived}); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, state, service, ref, cursor string, limit int) {
		q := casework.Query{Services: []string{"wohngeld"}, State: ozg.State(state), Service: service, Reference: ref, Cursor: cursor, Limit: limit}
		cases, _, err := s.List(context.Background(), q)
		if err != nil {
			if !errors.Is(err, casework.ErrInvalid) && !errors.Is(err, casework.ErrBadCursor) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if limit > 0 && len(cases) > limit {
			t.Fatalf("%d cases for limit %d", len(cases), limit)
		}
	})
}
