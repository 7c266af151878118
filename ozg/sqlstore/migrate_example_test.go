package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

// A deployment whose application user has no DDL rights migrates in a step of its own (as
// the schema's owner, e.g. with cmd/ozgmigrate) and opens the database without migrating:
// Open then only checks that the schema is current.
func ExampleMigrate() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlstore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	dsn := "sqlite:" + filepath.Join(dir, "ozgkit.db")

	if _, err := sqlstore.Open(ctx, dsn, &sqlstore.Options{Logger: quiet.Logger, SkipMigrations: true}); err != nil {
		fmt.Println("before the migrate step, Open refuses")
	}
	applied, err := sqlstore.Migrate(ctx, dsn, quiet)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first migration:", applied[0])
	db, err := sqlstore.Open(ctx, dsn, &sqlstore.Options{Logger: quiet.Logger, SkipMigrations: true})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	fmt.Println("after it, Open accepts the schema")
	// Output:
	// before the migrate step, Open refuses
	// first migration: 0001_applications
	// after it, Open accepts the schema
}
