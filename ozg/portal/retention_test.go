package portal_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/portal"
)

func TestThePortalsSweeperDeletesWhatItsServicesRetentionSays(t *testing.T) {
	ctx := context.Background()
	r := startPortal(t, func(c *portal.Config) {
		c.Services[0].Retention = ozg.Retention{Drafts: 2 * ozg.MinRetention, Messages: 30 * ozg.MinRetention}
	})
	now := time.Now().UTC().Truncate(time.Microsecond)
	draft := func(age time.Duration) string {
		a := &ozg.Application{ID: uuid.NewString(), ServiceID: "bewohnerparkausweis", Owner: "erika", Data: json.RawMessage(`{}`),
			State: ozg.StateDraft, CreatedAt: now.Add(-age), UpdatedAt: now.Add(-age)}
		if err := r.DB().Applications().Create(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	// Nothing is due at the real now, so Run's own sweep (the portal serves) leaves them be.
	old, young := draft(ozg.MinRetention), draft(0)
	msg, err := r.Mailbox().Send(ctx, mailbox.Draft{Owner: "erika", Kind: mailbox.KindStatus, Status: mailbox.StatusProcessing,
		Subject: "Ihr Antrag", Body: "Guten Tag", Sender: mailbox.Sender{Name: "Stadt Kiel", Reference: "P-1"},
		Application: "P-1", Service: "bewohnerparkausweis", MinLevel: mailbox.LevelBasic})
	if err != nil {
		t.Fatal(err)
	}

	s, err := r.Sweeper()
	if err != nil {
		t.Fatal(err)
	}
	soon := now.Add(ozg.MinRetention + ozg.MinRetention/2) // the old draft is due then
	later := now.Add(31 * ozg.MinRetention)                // the message is due then, and so is the young draft
	dry, err := s.Sweep(ctx, soon, true)
	if err != nil || dry.Total() != 1 || dry.Count("bewohnerparkausweis", ozg.RetentionKindDrafts) != 1 {
		t.Fatalf("dry run now = %+v, %v; want the old draft", dry, err)
	}
	if got, err := s.Sweep(ctx, soon, false); err != nil || got.Total() != 1 {
		t.Fatalf("sweep now = %+v, %v", got, err)
	}
	if _, err := r.DB().Applications().Get(ctx, old); !errors.Is(err, ozg.ErrNotFound) {
		t.Errorf("old draft: err = %v, want ErrNotFound", err)
	}
	if _, err := r.DB().Applications().Get(ctx, young); err != nil {
		t.Errorf("young draft: %v", err)
	}
	got, err := s.Sweep(ctx, later, false)
	if err != nil || got.Count("bewohnerparkausweis", ozg.RetentionKindMessages) != 1 || got.Count("bewohnerparkausweis", ozg.RetentionKindDrafts) != 1 {
		t.Fatalf("sweep a month later = %+v, %v; want the young draft and the message", got, err)
	}
	if _, err := r.Mailbox().Read(ctx, mailbox.Citizen{Subject: "erika", Level: mailbox.LevelHigh}, msg.ID); !errors.Is(err, mailbox.ErrNotFound) {
		t.Errorf("message: err = %v, want ErrNotFound", err)
	}
}
