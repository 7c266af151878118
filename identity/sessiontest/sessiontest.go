// Package sessiontest checks that an identity.SessionStore keeps its contract. Every
// implementation's test calls [RunSessionStoreConformance] with a function that returns a
// fresh, empty store:
//
//	func TestMySessionStore(t *testing.T) {
//		sessiontest.RunSessionStoreConformance(t, func(t *testing.T) identity.SessionStore {
//			return openMyStore(t)
//		})
//	}
package sessiontest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
)

// base is the suite's clock: whole microseconds, as every store must keep them.
var base = time.Date(2026, 11, 30, 9, 0, 0, 123456000, time.UTC)

// record returns a live record of subject created at base, valid for an hour.
func record(id, subject string) identity.SessionRecord {
	return identity.SessionRecord{ID: id, Subject: subject, Created: base, Expires: base.Add(time.Hour)}
}

// RunSessionStoreConformance runs the contract of identity.SessionStore (see its doc) as
// subtests against the stores newStore returns; newStore is called once per subtest and
// must return an empty store.
func RunSessionStoreConformance(t *testing.T, newStore func(t *testing.T) identity.SessionStore) {
	ctx := context.Background()
	t.Run("a created session is found until its expiry and not after", func(t *testing.T) {
		s := newStore(t)
		rec := record("s1", "bPK2-ERIKA")
		if err := s.Create(ctx, rec); err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{base, base.Add(59 * time.Minute), rec.Expires.Add(-time.Microsecond)} {
			got, err := s.Lookup(ctx, "s1", at)
			if err != nil {
				t.Fatalf("lookup at %v: %v", at, err)
			}
			if got.ID != rec.ID || got.Subject != rec.Subject || !got.Created.Equal(rec.Created) || !got.Expires.Equal(rec.Expires) {
				t.Fatalf("lookup = %+v, want %+v", got, rec)
			}
		}
		for _, at := range []time.Time{rec.Expires, rec.Expires.Add(time.Hour)} {
			if _, err := s.Lookup(ctx, "s1", at); !errors.Is(err, identity.ErrSessionNotFound) {
				t.Fatalf("lookup at expiry %v: %v, want ErrSessionNotFound", at, err)
			}
		}
	})
	t.Run("an unknown or overlong id is not found", func(t *testing.T) {
		s := newStore(t)
		if err := s.Create(ctx, record("s1", "bPK2-ERIKA")); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"s2", "", "S1", "s1 ", strings.Repeat("s", identity.MaxSessionID+1), "s1\x00", "\xff"} {
			if _, err := s.Lookup(ctx, id, base); !errors.Is(err, identity.ErrSessionNotFound) {
				t.Errorf("lookup %q: %v, want ErrSessionNotFound", id, err)
			}
		}
	})
	t.Run("a second session with the same id is refused and the first stays", func(t *testing.T) {
		s := newStore(t)
		if err := s.Create(ctx, record("s1", "bPK2-ERIKA")); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, record("s1", "bPK2-MALLORY")); !errors.Is(err, identity.ErrSessionExists) {
			t.Fatalf("duplicate create: %v, want ErrSessionExists", err)
		}
		if got, err := s.Lookup(ctx, "s1", base); err != nil || got.Subject != "bPK2-ERIKA" {
			t.Fatalf("after the duplicate: %+v %v", got, err)
		}
	})
	t.Run("invalid records are refused", func(t *testing.T) {
		s := newStore(t)
		bad := map[string]identity.SessionRecord{
			"an empty id":                     record("", "bPK2-ERIKA"),
			"an overlong id":                  record(strings.Repeat("i", identity.MaxSessionID+1), "bPK2-ERIKA"),
			"an empty subject":                record("s1", ""),
			"an overlong subject":             record("s2", strings.Repeat("x", identity.MaxSessionSubject+1)),
			"a subject with a NUL byte":       record("s5", "bPK2\x00ERIKA"),
			"a subject of invalid UTF-8":      record("s6", "bPK2\xffERIKA"),
			"an expiry not after the login":   {ID: "s3", Subject: "bPK2-ERIKA", Created: base, Expires: base},
			"an expiry before the login time": {ID: "s4", Subject: "bPK2-ERIKA", Created: base, Expires: base.Add(-time.Hour)},
		}
		for name, rec := range bad {
			if err := s.Create(ctx, rec); err == nil {
				t.Errorf("a record with %s was accepted", name)
			}
		}
	})
	t.Run("a revoked session is not found and revoking again is no error", func(t *testing.T) {
		s := newStore(t)
		for _, id := range []string{"s1", "s2"} {
			if err := s.Create(ctx, record(id, "bPK2-ERIKA")); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Revoke(ctx, "s1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Lookup(ctx, "s1", base); !errors.Is(err, identity.ErrSessionNotFound) {
			t.Fatalf("revoked session: %v, want ErrSessionNotFound", err)
		}
		if _, err := s.Lookup(ctx, "s2", base); err != nil {
			t.Fatalf("revoking s1 ended s2: %v", err)
		}
		for _, id := range []string{"s1", "never-created", ""} {
			if err := s.Revoke(ctx, id); err != nil {
				t.Errorf("revoke %q: %v", id, err)
			}
		}
	})
	t.Run("revoking a subject ends all of its sessions and no other", func(t *testing.T) {
		s := newStore(t)
		for i := range 3 {
			if err := s.Create(ctx, record(fmt.Sprint("erika-", i), "bPK2-ERIKA")); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Create(ctx, record("lena-0", "bPK2-LENA")); err != nil {
			t.Fatal(err)
		}
		n, err := s.RevokeSubject(ctx, "bPK2-ERIKA")
		if err != nil || n != 3 {
			t.Fatalf("RevokeSubject = %d, %v; want 3", n, err)
		}
		for i := range 3 {
			if _, err := s.Lookup(ctx, fmt.Sprint("erika-", i), base); !errors.Is(err, identity.ErrSessionNotFound) {
				t.Errorf("erika-%d: %v, want ErrSessionNotFound", i, err)
			}
		}
		if _, err := s.Lookup(ctx, "lena-0", base); err != nil {
			t.Fatalf("another subject's session ended: %v", err)
		}
		for _, nobody := range []string{"bPK2-NOBODY", "bPK2\x00", "\xff", ""} {
			if n, err := s.RevokeSubject(ctx, nobody); err != nil || n != 0 {
				t.Fatalf("RevokeSubject of the unknown subject %q = %d, %v", nobody, n, err)
			}
		}
	})
	t.Run("deleting expired records keeps the live ones", func(t *testing.T) {
		s := newStore(t)
		short := identity.SessionRecord{ID: "short", Subject: "bPK2-ERIKA", Created: base, Expires: base.Add(time.Minute)}
		if err := s.Create(ctx, short); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, record("long", "bPK2-ERIKA")); err != nil {
			t.Fatal(err)
		}
		n, err := s.DeleteExpired(ctx, base.Add(time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("DeleteExpired = %d, %v; want 1", n, err)
		}
		if _, err := s.Lookup(ctx, "long", base.Add(2*time.Minute)); err != nil {
			t.Fatalf("a live session was deleted: %v", err)
		}
		if _, err := s.Lookup(ctx, "short", base); !errors.Is(err, identity.ErrSessionNotFound) {
			t.Fatalf("a deleted session was found: %v", err)
		}
	})
	t.Run("a canceled context fails instead of answering", func(t *testing.T) {
		s := newStore(t)
		if err := s.Create(ctx, record("s1", "bPK2-ERIKA")); err != nil {
			t.Fatal(err)
		}
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Lookup(canceled, "s1", base); err == nil {
			t.Error("Lookup with a canceled context found the session")
		} else if errors.Is(err, identity.ErrSessionNotFound) {
			t.Error("Lookup with a canceled context said not found; it must fail as the store's own error")
		}
		if err := s.Create(canceled, record("s2", "bPK2-ERIKA")); err == nil {
			t.Error("Create with a canceled context succeeded")
		}
	})
	t.Run("concurrent logins, lookups and logouts keep every session apart", func(t *testing.T) {
		s := newStore(t)
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 5 {
					id := fmt.Sprintf("g%d-%d", g, i)
					if err := s.Create(ctx, record(id, fmt.Sprint("subject-", g))); err != nil {
						errs <- err
						return
					}
					if got, err := s.Lookup(ctx, id, base); err != nil || got.Subject != fmt.Sprint("subject-", g) {
						errs <- fmt.Errorf("lookup %s: %+v %v", id, got, err)
						return
					}
					if i%2 == 0 {
						if err := s.Revoke(ctx, id); err != nil {
							errs <- err
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for g := range 8 {
			if n, err := s.RevokeSubject(ctx, fmt.Sprint("subject-", g)); err != nil || n != 2 {
				t.Errorf("subject-%d had %d live sessions (%v), want 2", g, n, err)
			}
		}
	})
}
