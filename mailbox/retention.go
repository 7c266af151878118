package mailbox

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Expirer is a [Store] that can delete a service's old messages, for retention periods
// (Löschfristen). It is a separate interface so that Stores written before it keep compiling;
// [MemoryStore] and ozg/sqlstore's store implement it, and mailboxtest.RunStoreConformance
// checks it whenever the store under test has it.
//
// Contract:
//   - OlderThan returns up to limit messages of service created before before, oldest first
//     (Created ascending, then ID ascending), of every owner. When after is not nil it skips
//     every message up to and including that position in this order, so a walk continues
//     where the last batch ended. Messages carry everything but the Body, as in List. A limit
//     outside 1..MaxStoreLimit returns an error wrapping ErrInvalid.
//   - DeleteMessages deletes the messages with the given ids, whoever owns them, and returns
//     how many it deleted; an id that is not stored is skipped without an error. At most
//     MaxStoreLimit ids per call (more: ErrInvalid, nothing deleted). The bytes of
//     attachments are not the store's: the caller deletes them from the BlobStore first.
//     A reply whose query was deleted stays; its InReplyTo then names nothing.
type Expirer interface {
	OlderThan(ctx context.Context, service string, before time.Time, after *Position, limit int) ([]Message, error)
	DeleteMessages(ctx context.Context, ids []string) (int, error)
}

var _ Expirer = (*MemoryStore)(nil)

// ErrNoExpirer: the mailbox's store cannot delete old messages (it does not implement [Expirer]).
var ErrNoExpirer = errors.New("mailbox: the store cannot delete old messages (no mailbox.Expirer)")

// limitError is the error of a limit outside 1..MaxStoreLimit.
func limitError(what string, n int) error {
	v := &ValidationError{}
	v.add("limit", "invalid", fmt.Sprintf("Die Anzahl muss zwischen 1 und %d liegen.", MaxStoreLimit),
		fmt.Sprintf("%s %d outside 1..%d", what, n, MaxStoreLimit))
	return v
}

// OlderThan implements [Expirer].
func (s *MemoryStore) OlderThan(ctx context.Context, service string, before time.Time, after *Position, limit int) ([]Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit < 1 || limit > MaxStoreLimit {
		return nil, limitError("limit", limit)
	}
	s.mu.RLock()
	var due []*Message
	for _, p := range s.byID {
		if p.Service != service || !p.Created.Before(before) {
			continue
		}
		if after != nil && compareMsg(p, after.Created, after.ID) <= 0 {
			continue
		}
		due = append(due, p)
	}
	slices.SortFunc(due, func(a, b *Message) int { return compareMsg(a, b.Created, b.ID) })
	out := make([]Message, 0, min(limit, len(due)))
	for _, p := range due[:min(limit, len(due))] {
		m := p.Clone()
		m.Body = ""
		out = append(out, m)
	}
	s.mu.RUnlock()
	return out, nil
}

// DeleteMessages implements [Expirer].
func (s *MemoryStore) DeleteMessages(ctx context.Context, ids []string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if len(ids) > MaxStoreLimit {
		return 0, limitError("ids", len(ids))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, id := range ids {
		p, ok := s.byID[id]
		if !ok {
			continue
		}
		delete(s.byID, id)
		delete(s.pending, id)
		ix := s.owners[p.Owner]
		if i, found := slices.BinarySearchFunc(ix.msgs, p, func(a, b *Message) int { return compareMsg(a, b.Created, b.ID) }); found {
			ix.msgs = slices.Delete(ix.msgs, i, i+1)
		}
		if p.ReadAt.IsZero() {
			ix.unread--
		}
		if len(ix.msgs) == 0 {
			delete(s.owners, p.Owner)
		}
		n++
	}
	return n, nil
}

// Expire deletes a service's messages created before before, oldest first, with their
// attachments: at most limit (1 to MaxStoreLimit) of them, continuing after cursor ("" starts
// at the oldest). It returns how many messages it deleted and the cursor of the next batch,
// "" when none is left. With dryRun it deletes nothing and counts what it would delete, so
// a walk over all batches with dryRun counts exactly what the same walk without it deletes.
//
// Attachments are deleted from the blob store before the messages: a crash in between
// leaves a message without its files, which the next call deletes, never files without a
// message that nobody would find again. The cursor is opaque; a cursor not made by Expire is
// refused with an error wrapping ErrInvalid. A store that is no [Expirer] gives ErrNoExpirer.
func (mb *Mailbox) Expire(ctx context.Context, service string, before time.Time, cursor string, limit int, dryRun bool) (int, string, error) {
	ex, ok := mb.store.(Expirer)
	if !ok {
		return 0, "", ErrNoExpirer
	}
	after, err := decodeExpireCursor(cursor)
	if err != nil {
		return 0, "", err
	}
	msgs, err := ex.OlderThan(ctx, service, before, after, limit)
	if err != nil {
		return 0, "", fmt.Errorf("mailbox: expire %s: %w", service, err)
	}
	next := ""
	if len(msgs) == limit {
		last := msgs[len(msgs)-1]
		next = encodeExpireCursor(Position{Created: last.Created, ID: last.ID})
	}
	if dryRun || len(msgs) == 0 {
		return len(msgs), next, nil
	}
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
		for _, a := range m.Attachments {
			if mb.blobs == nil {
				return 0, "", fmt.Errorf("mailbox: expire %s: message %s has attachments and no blob store is configured", service, m.ID)
			}
			if err := mb.blobs.Delete(ctx, a.BlobKey); err != nil {
				return 0, "", fmt.Errorf("mailbox: expire %s: delete attachment of %s: %w", service, m.ID, err)
			}
		}
	}
	n, err := ex.DeleteMessages(ctx, ids)
	if err != nil {
		return 0, "", fmt.Errorf("mailbox: expire %s: %w", service, err)
	}
	return n, next, nil
}

// encodeExpireCursor writes a position as "<unix micros>|<id>" in base64url. It carries
// nothing secret: it only says where the walk of one retention sweep stands.
func encodeExpireCursor(p Position) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(p.Created.UnixMicro(), 10) + "|" + p.ID))
}

func decodeExpireCursor(c string) (*Position, error) {
	if c == "" {
		return nil, nil
	}
	bad := func(why string) error {
		v := &ValidationError{}
		v.add("cursor", "invalid", "Der Fortsetzungszeiger ist ungültig.", "expire cursor "+why)
		return v
	}
	if len(c) > 200 {
		return nil, bad("too long")
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(c)
	if err != nil {
		return nil, bad("not base64url")
	}
	us, id, ok := strings.Cut(string(b), "|")
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil || !validID(id) {
		return nil, bad("malformed")
	}
	return &Position{Created: time.UnixMicro(n).UTC(), ID: id}, nil
}
