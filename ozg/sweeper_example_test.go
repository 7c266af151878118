package ozg_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// A service keeps drafts for 30 days after their last change: a dry run says what would go,
// the sweep deletes exactly that.
func ExampleSweeper() {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := ozg.NewMemoryStore()
	files, _ := evidence.New(evidence.NewMemoryStore(), evidence.NewMemoryBlobStore(), evidence.NewNoScanner(quiet), nil)
	svc := &ozg.Service{ID: "wohngeld", Retention: ozg.Retention{Drafts: 30 * 24 * time.Hour}}

	now := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	for i, age := range []int{45, 31, 10} { // days since the last change
		at := now.AddDate(0, 0, -age)
		store.Create(ctx, &ozg.Application{ID: fmt.Sprintf("00000000-0000-4000-8000-00000000000%d", i),
			ServiceID: "wohngeld", Owner: "erika", State: ozg.StateDraft, CreatedAt: at, UpdatedAt: at})
	}

	sweeper, err := ozg.NewSweeper([]*ozg.Service{svc}, store, &ozg.SweeperOptions{Evidence: files, Logger: quiet})
	if err != nil {
		fmt.Println(err)
		return
	}
	dry, _ := sweeper.Sweep(ctx, now, true)
	fmt.Println("dry run:", dry.Count("wohngeld", ozg.RetentionKindDrafts), "drafts would go")
	done, _ := sweeper.Sweep(ctx, now, false)
	fmt.Println("sweep:", done.Count("wohngeld", ozg.RetentionKindDrafts), "drafts deleted")
	left, _, _ := store.ListByOwner(ctx, "erika", ozg.Page{})
	fmt.Println("left:", len(left))
	// Output:
	// dry run: 2 drafts would go
	// sweep: 2 drafts deleted
	// left: 1
}
