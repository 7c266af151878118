package sqlstore_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/delivery/deliverytest"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

func TestSQLiteDeduplicatorConformance(t *testing.T) {
	deliverytest.RunDeduplicatorConformance(t, func(t *testing.T, now func() time.Time) delivery.Deduplicator {
		return openSQLite(t).Deduplicator(&sqlstore.DeduplicatorOptions{Now: now})
	})
}

func TestPostgresDeduplicatorConformance(t *testing.T) {
	openPostgres(t) // skips without a DSN
	deliverytest.RunDeduplicatorConformance(t, func(t *testing.T, now func() time.Time) delivery.Deduplicator {
		return openPostgres(t).Deduplicator(&sqlstore.DeduplicatorOptions{Now: now})
	})
}

func TestDeduplicatorPurgesCompletedKeysAfterTheRetention(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	d := openSQLite(t).Deduplicator(&sqlstore.DeduplicatorOptions{Now: c.Now, Retention: 24 * time.Hour})
	ctx := context.Background()
	cl, err := d.Claim(ctx, "sub-1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Complete(ctx, "sub-1", cl.Token, "fv-1"); err != nil {
		t.Fatal(err)
	}
	held, err := d.Claim(ctx, "sub-2", time.Minute) // in progress: never purged
	if err != nil {
		t.Fatal(err)
	}
	c.Add(23 * time.Hour)
	if n, err := d.Purge(ctx); err != nil || n != 0 {
		t.Fatalf("Purge within the retention = %d, %v", n, err)
	}
	c.Add(2 * time.Hour)
	if n, err := d.Purge(ctx); err != nil || n != 1 {
		t.Fatalf("Purge after the retention = %d, %v; want 1", n, err)
	}
	if again, err := d.Claim(ctx, "sub-1", time.Minute); err != nil || again.Done {
		t.Fatalf("Claim of a purged key = %+v, %v; want a new claim", again, err)
	}
	if err := d.Complete(ctx, "sub-2", held.Token, "fv-2"); err != nil {
		t.Fatalf("Complete of the held key after the purge: %v", err)
	}
}

// Two receivers of a back office on two replicas share the database: a submission delivered
// to one and delivered again to the other is taken once.
func testReceiversShareTheRecord(t *testing.T, db *sqlstore.DB) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	var calls atomic.Int32
	handle := func(_ context.Context, s *ozg.Submission, _ *delivery.ReceivedFiles) (string, error) {
		return fmt.Sprintf("fv-%s-%d", s.Reference, calls.Add(1)), nil
	}
	replicaA := httptest.NewServer(delivery.NewReceiver(secret, handle, &delivery.ReceiverOptions{Deduplicator: db.Deduplicator(nil)}))
	defer replicaA.Close()
	replicaB := httptest.NewServer(delivery.NewReceiver(secret, handle, &delivery.ReceiverOptions{Deduplicator: db.Deduplicator(nil)}))
	defer replicaB.Close()
	s := &ozg.Submission{ID: "0193c7d0-aaaa-7000-8000-00000000000a", Reference: "WOHNGELD-2026-000010", ServiceID: "wohngeld"}
	var receipts []string
	for _, url := range []string{replicaA.URL, replicaB.URL, replicaA.URL} {
		w, err := delivery.NewWebhook(url, secret, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := w.Deliver(context.Background(), s, nil)
		if err != nil {
			t.Fatal(err)
		}
		receipts = append(receipts, r.ID)
	}
	if calls.Load() != 1 {
		t.Fatalf("the handler ran %d times over two replicas, want 1", calls.Load())
	}
	for _, r := range receipts {
		if r != "fv-WOHNGELD-2026-000010-1" {
			t.Fatalf("receipts %q, want the first one each time", receipts)
		}
	}
}

func TestSQLiteReceiversOnTwoReplicasTakeASubmissionOnce(t *testing.T) {
	testReceiversShareTheRecord(t, openSQLite(t))
}

func TestPostgresReceiversOnTwoReplicasTakeASubmissionOnce(t *testing.T) {
	testReceiversShareTheRecord(t, openPostgres(t))
}
