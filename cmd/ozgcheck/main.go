// Command ozgcheck checks OZG services built with ozgkit.
//
//	ozgcheck lint SERVICE.json...
//	ozgcheck check -url http://127.0.0.1:8080/api -service wohngeld [flags]
//
// # lint
//
// lint reads service descriptors: JSON documents with the fields of ozg.Service (id, name,
// description, leikaKey, topic, authority, level, evidence, fee, legalBasis, processingDays,
// delivery) where "form" is the path of the form's JSON Schema, relative to the descriptor.
// It compiles the schema (forms.LoadFile), builds the ozg.Service and runs its Validate, and
// prints every problem as FILE: FIELD: MESSAGE. It exits 1 when any descriptor has a problem.
//
// # check
//
// check runs the conformance checks of ozg/ozgtest (ozgtest.Check) against a running portal
// and prints the report; it exits 1 when a check failed. It changes state on the portal: it
// creates a draft and, with -data, submits it. Use a test or staging deployment.
//
// What check needs from the portal:
//   - the ozg.Portal routes below -url (catalogue, applications, evidence, payment, submit,
//     /openapi.json) and GET /session, which answers the login's csrfToken;
//   - a browser login through identity's Gate with the local identity provider of
//     identity/identitytest, as examples/wohngeld runs it: -login is the login URL with
//     {level} for the trust level; its return path must be the portal's /session. check
//     follows the redirects to the provider's chooser page and posts the persona and level
//     there, like a citizen choosing a test person. With the provider's auto login
//     (Provider.SetAutoLogin) every login is the auto persona: the owner checks then cannot
//     find a second citizen and are skipped.
//   - for a complete submission: -data with valid application data; evidence files with
//     -evidence (a small PDF is generated for requirements that accept PDF); for a fee due
//     before submission, -testpay, which pays on a paymenttest pay page (the local
//     XBezahldienste platform of the examples). What is missing is skipped, not failed.
//
// A real BundID login or a real payment provider cannot be driven by check.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage:
  ozgcheck lint SERVICE.json...
  ozgcheck check -url PORTAL_API_URL -service ID [flags]   (ozgcheck check -h for the flags)
`

// run is the command without process globals; it returns the exit code: 0 fine, 1 problems
// or failed checks, 2 wrong usage or an error that kept the command from doing its work.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "lint":
		return lint(args[1:], stdout, stderr)
	case "check":
		return checkCmd(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "ozgcheck: unknown command %q\n%s", args[0], usage)
	return 2
}
