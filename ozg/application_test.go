package ozg_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
)

func TestStateTransitions(t *testing.T) {
	all := []ozg.State{ozg.StateDraft, ozg.StateSubmitted, ozg.StateDelivered, ozg.StateAccepted,
		ozg.StateRejected, ozg.StateDecided, ozg.StateWithdrawn}
	allowed := map[[2]ozg.State]bool{
		{ozg.StateDraft, ozg.StateSubmitted}:     true,
		{ozg.StateDraft, ozg.StateWithdrawn}:     true,
		{ozg.StateSubmitted, ozg.StateDelivered}: true,
		{ozg.StateSubmitted, ozg.StateWithdrawn}: true,
		{ozg.StateDelivered, ozg.StateAccepted}:  true,
		{ozg.StateDelivered, ozg.StateRejected}:  true,
		{ozg.StateDelivered, ozg.StateWithdrawn}: true,
		{ozg.StateAccepted, ozg.StateDecided}:    true,
		{ozg.StateAccepted, ozg.StateWithdrawn}:  true,
	}
	at := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	for _, from := range all {
		for _, to := range append(all, "archived") {
			a := &ozg.Application{ID: "a1", State: from}
			err := a.Transition(to, at, "")
			if allowed[[2]ozg.State{from, to}] {
				if err != nil || a.State != to || len(a.History) != 1 || a.History[0].From != from || !a.UpdatedAt.Equal(at) {
					t.Errorf("%s → %s: %v, state %s, history %v", from, to, err, a.State, a.History)
				}
				continue
			}
			var te *ozg.TransitionError
			if !errors.Is(err, ozg.ErrInvalidTransition) || !errors.As(err, &te) || te.From != from || te.To != to {
				t.Errorf("%s → %s was not refused: %v", from, to, err)
			}
			if a.State != from || len(a.History) != 0 {
				t.Errorf("%s → %s: a refused transition changed the application", from, to)
			}
		}
	}
	for _, s := range []ozg.State{ozg.StateRejected, ozg.StateDecided, ozg.StateWithdrawn} {
		if !s.Final() {
			t.Errorf("%s should be final", s)
		}
	}
}

func newLifecycle(t *testing.T) (*ozg.Applications, *ozg.MemoryStore) {
	c := ozg.NewCatalog(nil)
	if err := c.Register(withoutEvidence(wohngeld(t))); err != nil {
		t.Fatal(err)
	}
	store := ozg.NewMemoryStore()
	clock := func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) }
	return ozg.NewApplications(c, store, &ozg.ApplicationsOptions{Clock: clock}), store
}

func TestApplicationLifecycle(t *testing.T) {
	ctx := context.Background()
	apps, _ := newLifecycle(t)
	a, err := apps.Create(ctx, "wohngeld", "bpk2-alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.State != ozg.StateDraft || string(a.Data) != "{}" || a.Version != 1 || len(a.ID) != 36 {
		t.Fatalf("new draft = %+v", a)
	}
	if _, err := apps.Get(ctx, "bpk2-mallory", a.ID); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("another owner's Get = %v, want ErrNotFound", err)
	}
	req := ozg.SubmitRequest{IdempotencyKey: "k1", Identity: ozg.IdentityFacts{Subject: "bpk2-alice", Level: identity.LevelHigh}}
	if _, _, err := apps.Submit(ctx, "bpk2-alice", a.ID, req); !errors.Is(err, ozg.ErrInvalidApplication) {
		t.Fatalf("submitting an empty draft = %v, want ErrInvalidApplication", err)
	}
	if _, err := apps.SaveData(ctx, "bpk2-alice", a.ID, 1, json.RawMessage(`[1,2]`)); !errors.Is(err, ozg.ErrInvalidApplication) {
		t.Fatalf("saving a JSON array = %v, want ErrInvalidApplication", err)
	}
	a, err = apps.SaveData(ctx, "bpk2-alice", a.ID, 1, json.RawMessage(`{"name":"Erika Mustermann"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := apps.SaveData(ctx, "bpk2-alice", a.ID, 1, json.RawMessage(`{"name":"stale"}`)); !errors.Is(err, ozg.ErrConflict) {
		t.Fatalf("saving on a stale version = %v, want ErrConflict", err)
	}
	a, sub, err := apps.Submit(ctx, "bpk2-alice", a.ID, req)
	if err != nil {
		t.Fatal(err)
	}
	if a.State != ozg.StateSubmitted || a.Reference != "WOHNGELD-2026-000001" {
		t.Fatalf("submitted = %s %q", a.State, a.Reference)
	}
	if sub.Reference != a.Reference || sub.LeikaKey != "99107004017000" || sub.Delivery != "fachverfahren" || string(sub.Data) != `{"name":"Erika Mustermann"}` {
		t.Fatalf("submission = %+v", sub)
	}
	again, sub2, err := apps.Submit(ctx, "bpk2-alice", a.ID, req)
	if err != nil || sub2.ID != sub.ID || again.Reference != a.Reference {
		t.Fatalf("a repeated submit with the same key = %v, %v; want the first submission", sub2, err)
	}
	if _, err := apps.SaveData(ctx, "bpk2-alice", a.ID, a.Version, json.RawMessage(`{"name":"late"}`)); !errors.Is(err, ozg.ErrInvalidTransition) {
		t.Fatalf("changing a submitted application = %v, want ErrInvalidTransition", err)
	}
	if _, _, err := apps.Submit(ctx, "bpk2-alice", a.ID, ozg.SubmitRequest{IdempotencyKey: "k2"}); !errors.Is(err, ozg.ErrInvalidTransition) {
		t.Fatalf("a second submit with a new key = %v, want ErrInvalidTransition", err)
	}
	other, _ := apps.Create(ctx, "wohngeld", "bpk2-alice", json.RawMessage(`{"name":"Zweitantrag"}`))
	if _, _, err := apps.Submit(ctx, "bpk2-alice", other.ID, req); !errors.Is(err, ozg.ErrDuplicateSubmission) {
		t.Fatalf("reusing a key on another application = %v, want ErrDuplicateSubmission", err)
	}
	for _, to := range []ozg.State{ozg.StateDelivered, ozg.StateAccepted, ozg.StateDecided} {
		if a, err = apps.Advance(ctx, a.ID, to, "back office"); err != nil {
			t.Fatalf("Advance to %s: %v", to, err)
		}
	}
	if _, err := apps.Withdraw(ctx, "bpk2-alice", a.ID, ""); !errors.Is(err, ozg.ErrInvalidTransition) {
		t.Fatalf("withdrawing a decided application = %v, want ErrInvalidTransition", err)
	}
	got, _ := apps.Get(ctx, "bpk2-alice", a.ID)
	if len(got.History) != 4 || got.State != ozg.StateDecided {
		t.Fatalf("history %v state %s", got.History, got.State)
	}
}

func TestApplicationBadInput(t *testing.T) {
	ctx := context.Background()
	apps, _ := newLifecycle(t)
	tests := []struct {
		name           string
		service, owner string
		data           string
		want           error
	}{
		{"an unknown service", "hundesteuer", "alice", "", ozg.ErrNotFound},
		{"an empty owner", "wohngeld", "", "", ozg.ErrInvalidApplication},
		{"an owner of 256 bytes", "wohngeld", strings.Repeat("a", 256), "", ozg.ErrInvalidApplication},
		{"data that is not JSON", "wohngeld", "alice", `{"name":`, ozg.ErrInvalidApplication},
		{"data that is a string", "wohngeld", "alice", `"x"`, ozg.ErrInvalidApplication},
		{"data of more than 1 MiB", "wohngeld", "alice", `{"x":"` + strings.Repeat("a", 1<<20) + `"}`, ozg.ErrInvalidApplication},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := apps.Create(ctx, tt.service, tt.owner, json.RawMessage(tt.data)); !errors.Is(err, tt.want) {
				t.Fatalf("Create = %v, want %v", err, tt.want)
			}
		})
	}
	if list, _, _ := apps.List(ctx, "alice", ozg.Page{}); len(list) != 0 {
		t.Fatalf("refused creates left %d applications", len(list))
	}
}

func TestReferencesNeverRepeat(t *testing.T) {
	ctx := context.Background()
	store := ozg.NewMemoryStore()
	year := 2026
	refs := ozg.NewSequenceReferences(store, &ozg.SequenceReferencesOptions{
		Clock: func() time.Time { return time.Date(year, 12, 31, 23, 0, 0, 0, time.UTC) },
	})
	seen := map[string]bool{}
	for i := range 300 {
		if i == 150 {
			year = 2027
		}
		svc := []string{"wohngeld", "hundesteuer", "wohngeld-kiel"}[i%3]
		r, err := refs.NewReference(ctx, &ozg.Application{ID: fmt.Sprint(i), ServiceID: svc})
		if err != nil {
			t.Fatal(err)
		}
		if seen[r] {
			t.Fatalf("reference %s repeated", r)
		}
		seen[r] = true
	}
	if !seen["WOHNGELD-2027-000001"] || !seen["HUNDESTEUER-2026-000050"] {
		t.Fatalf("unexpected numbering: %v", seen)
	}
	bad := ozg.NewSequenceReferences(store, &ozg.SequenceReferencesOptions{Prefix: func(*ozg.Application) string { return "AZ/../1" }})
	if _, err := bad.NewReference(ctx, &ozg.Application{ID: "x"}); err == nil {
		t.Fatal("a prefix with slashes was accepted")
	}
}

func TestDraftsAreValidatedAndKeepProvenance(t *testing.T) {
	ctx := context.Background()
	apps, _ := newLifecycle(t)
	facts := &forms.FactSource{Source: "identity", Facts: map[string]any{"given_name": "Erika"},
		Pointers: map[string]string{"given_name": "/name"}}
	a, err := apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"members":2}`), facts)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Data) != `{"members":2,"name":"Erika"}` && string(a.Data) != `{"name":"Erika","members":2}` {
		t.Fatalf("data %s", a.Data)
	}
	if a.Provenance["/name"] != "prefill:identity" || a.Provenance["/members"] != "user" {
		t.Fatalf("provenance %v", a.Provenance)
	}
	if _, err := apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"members":0}`)); !errors.Is(err, ozg.ErrInvalidApplication) {
		t.Fatalf("creating an invalid draft = %v, want ErrInvalidApplication", err)
	}
	_, err = apps.SaveData(ctx, "alice", a.ID, a.Version, json.RawMessage(`{"name":"Erika","members":0}`))
	var ve *forms.ValidationError
	if !errors.Is(err, ozg.ErrInvalidApplication) || !errors.As(err, &ve) || len(ve.Field("/members")) == 0 {
		t.Fatalf("saving an invalid draft = %v, want a ValidationError naming /members", err)
	}
	if got, _ := apps.Get(ctx, "alice", a.ID); got.Version != a.Version || string(got.Data) != string(a.Data) {
		t.Fatal("the refused save changed the draft")
	}
	saved, err := apps.SaveData(ctx, "alice", a.ID, a.Version, json.RawMessage(`{"name":"Erika Gabler","members":2}`))
	if err != nil {
		t.Fatal(err)
	}
	if saved.Provenance["/name"] != "user" || saved.Provenance["/members"] != "user" {
		t.Fatalf("a changed value is still marked prefilled: %v", saved.Provenance)
	}
}

// A saved draft keeps no answer to a question that no longer applies: an owner is not asked
// for the rent, so a rent left from before is dropped, not stored and delivered.
func TestSavingADraftDropsAnswersThatNoLongerApply(t *testing.T) {
	form, err := forms.Load("wohnung.json", []byte(`{"type": "object",
	  "properties": {"nutzung": {"enum": ["miete", "eigentum"]}},
	  "if": {"properties": {"nutzung": {"const": "miete"}}, "required": ["nutzung"]},
	  "then": {"properties": {"kaltmiete": {"type": "number", "minimum": 0}}},
	  "else": {"properties": {"belastung": {"type": "number", "minimum": 0}}},
	  "unevaluatedProperties": false}`))
	if err != nil {
		t.Fatal(err)
	}
	svc := withoutEvidence(wohngeld(t))
	svc.Form = form
	c := ozg.NewCatalog(nil)
	if err := c.Register(svc); err != nil {
		t.Fatal(err)
	}
	apps := ozg.NewApplications(c, ozg.NewMemoryStore(), nil)
	ctx := context.Background()
	a, err := apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"nutzung": "miete", "kaltmiete": 620}`))
	if err != nil {
		t.Fatal(err)
	}
	a, err = apps.SaveData(ctx, "alice", a.ID, a.Version, json.RawMessage(`{"nutzung": "eigentum", "kaltmiete": 620, "belastung": 410}`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(a.Data), "kaltmiete") || !strings.Contains(string(a.Data), "belastung") {
		t.Fatalf("saved %s, want the rent dropped and the Belastung kept", a.Data)
	}
}
