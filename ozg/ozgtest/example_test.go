package ozgtest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/ozgtest"
)

// A portal's own test calls Run with a Target that knows how to log citizens in; every check
// becomes a subtest.
func ExampleRun() {
	_ = func(t *testing.T) {
		tp := newPortal(t, service(t, true), nil) // the portal under test, served by httptest
		ozgtest.Run(t, tp.target())
	}
}

// Check answers a Report: read its results, print it with WriteText, or ask Err whether
// anything failed.
func ExampleCheck() {
	svc, err := newService(true) // Wohngeld with a fee, as in this package's tests
	if err != nil {
		panic(err)
	}
	tp, err := startPortal(svc, nil) // an ozg.Portal in memory on loopback
	if err != nil {
		panic(err)
	}
	defer tp.srv.Close()
	target := tp.target()
	target.Other = nil // no second citizen: the owner checks are skipped

	rep := ozgtest.Check(context.Background(), target)
	for _, res := range rep.Results {
		fmt.Println(res.Status, res.ID)
	}
	fmt.Println("err:", rep.Err())
	fmt.Println("Reifegrad (hint):", rep.Maturity.Level)
	// Output:
	// pass catalogue
	// pass form
	// pass openapi
	// pass login-required
	// pass level-too-low
	// pass draft-create
	// pass problem-json
	// pass draft-read
	// pass draft-save
	// pass draft-stale
	// pass draft-invalid
	// skip owner-get
	// skip owner-put
	// skip owner-evidence
	// pass draft-complete
	// pass evidence-upload
	// pass payment
	// pass submit-key
	// pass submit
	// pass submit-repeat
	// err: <nil>
	// Reifegrad (hint): 3
}
