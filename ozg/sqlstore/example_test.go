package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
	"github.com/ozgkit/ozgkit/payment"
)

// One SQLite file keeps the mailbox and the payments; with a postgres:// DSN the same code
// runs on PostgreSQL.
func ExampleDB_Mailbox() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlstore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(dir, "ozgkit.db"), quiet)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	created := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	notice := mailbox.Message{
		ID: "m1", Owner: "erika", Kind: mailbox.KindNotice, Subject: "Bescheid: Wohngeld",
		Body: "Ihrem Antrag wird stattgegeben.", Sender: mailbox.Sender{Name: "Stadt Musterstadt"},
		MinLevel: mailbox.LevelSubstantial, Created: created,
	}
	if err := db.Mailbox().Create(ctx, notice); err != nil {
		log.Fatal(err)
	}
	page, err := db.Mailbox().List(ctx, "erika", mailbox.Query{Limit: 50})
	if err != nil {
		log.Fatal(err)
	}
	unread, _ := db.Mailbox().CountUnread(ctx, "erika", mailbox.Filter{})
	fmt.Printf("%s %q, %d unread\n", page[0].Kind, page[0].Subject, unread)

	p := &payment.Payment{ID: "p1", Key: "k1", ApplicationID: "a1", Owner: "erika", Amount: 3060,
		Currency: "EUR", State: payment.StateCreated, CreatedAt: created, UpdatedAt: created}
	if err := db.Payments().Create(ctx, p); err != nil {
		log.Fatal(err)
	}
	p.State = payment.StatePending
	fmt.Println(db.Payments().Update(ctx, p), p.Version)
	stale := *p
	stale.Version = 1
	fmt.Println(db.Payments().Update(ctx, &stale))
	// Output:
	// notice "Bescheid: Wohngeld", 1 unread
	// <nil> 2
	// sqlstore: update payment "p1": version 1, stored 2: payment: changed concurrently
}
