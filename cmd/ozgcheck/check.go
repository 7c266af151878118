package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/ozg/ozgtest"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

// maxSample bounds a sample data or evidence file.
const maxSample = 32 << 20

// evidenceFlags collects -evidence REQUIREMENT=FILE.
type evidenceFlags map[string]string

func (e evidenceFlags) String() string { return fmt.Sprint(map[string]string(e)) }

func (e evidenceFlags) Set(v string) error {
	req, file, ok := strings.Cut(v, "=")
	if !ok || req == "" || file == "" {
		return fmt.Errorf("want REQUIREMENT=FILE, got %q", v)
	}
	e[req] = file
	return nil
}

func checkCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ozgcheck check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "", "URL of the portal's API prefix, e.g. http://127.0.0.1:8080/api (required)")
	service := fs.String("service", "", "id of the service to check, e.g. wohngeld (required)")
	login := fs.String("login", "", "login URL with {level}; default: the -url origin + /auth/login?level={level}&return=<-url path>/session")
	persona := fs.String("persona", "erika", "identitytest persona of citizen A")
	other := fs.String("other", "max", `identitytest persona of citizen B for the owner checks ("" skips them: waive them with -waive)`)
	waive := fs.String("waive", "", "comma-separated security checks whose skip is accepted, e.g. owner-get,owner-put,owner-evidence (otherwise a skipped security check fails the run)")
	data := fs.String("data", "", "file with valid, complete application data (JSON); without it the submission is skipped")
	ev := evidenceFlags{}
	fs.Var(ev, "evidence", "REQUIREMENT=FILE: a sample evidence file (repeatable)")
	testpay := fs.Bool("testpay", false, "pay fees on a paymenttest pay page (the examples' local XBezahldienste)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	timeout := fs.Duration("timeout", 2*time.Minute, "time for all checks")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: ozgcheck check -url PORTAL_API_URL -service ID [flags]\n\n"+
			"Runs the ozgtest conformance checks against a running portal whose login is identity's Gate\n"+
			"with the local identitytest provider. It creates (and with -data submits) an application:\n"+
			"use a test deployment. See `go doc github.com/ozgkit/ozgkit/cmd/ozgcheck`.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ozgcheck check: unexpected arguments %q\n", fs.Args())
		return 2
	}
	u, err := url.Parse(*base)
	if *base == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		fmt.Fprintln(stderr, "ozgcheck check: -url must be the http(s) URL of the portal's API prefix")
		return 2
	}
	if *service == "" {
		fmt.Fprintln(stderr, "ozgcheck check: -service is required")
		return 2
	}
	origin := u.Scheme + "://" + u.Host
	if *login == "" {
		*login = origin + "/auth/login?level={level}&return=" + url.QueryEscape(strings.TrimSuffix(u.Path, "/")+"/session")
	}
	if !strings.Contains(*login, "{level}") {
		fmt.Fprintln(stderr, "ozgcheck check: -login must contain {level}")
		return 2
	}
	if *persona == "" || *persona == *other {
		fmt.Fprintln(stderr, "ozgcheck check: -persona must be set and differ from -other")
		return 2
	}

	target := ozgtest.Target{BaseURL: *base, ServiceID: *service, Evidence: map[string]ozgtest.File{},
		Anonymous: &http.Client{Timeout: 30 * time.Second}}
	if *data != "" {
		b, err := readSample(*data)
		if err != nil {
			fmt.Fprintf(stderr, "ozgcheck check: -data: %v\n", err)
			return 2
		}
		if !json.Valid(b) {
			fmt.Fprintf(stderr, "ozgcheck check: -data %s is not JSON\n", *data)
			return 2
		}
		target.Data = b
	}
	for req, file := range ev {
		b, err := readSample(file)
		if err != nil {
			fmt.Fprintf(stderr, "ozgcheck check: -evidence %s: %v\n", req, err)
			return 2
		}
		target.Evidence[req] = ozgtest.File{Name: filepath.Base(file), Content: b}
	}
	if *waive != "" {
		target.Waive = strings.Split(*waive, ",")
	}
	tl := &ozgtest.BrowserLogin{LoginURL: *login, Origin: origin, Timeout: 30 * time.Second}
	target.Login = tl.As(*persona)
	if *other != "" {
		target.Other = tl.As(*other)
	}
	if *testpay {
		target.Pay = func(ctx context.Context, c *http.Client, redirectURL string) (string, error) {
			return (&paymenttest.Citizen{Client: c}).Choose(ctx, redirectURL, paymenttest.ActionPay, payment.MethodCreditCard)
		}
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	rep := ozgtest.Check(ctx, target)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "ozgcheck check: %v\n", err)
			return 2
		}
	} else if err := rep.WriteText(stdout); err != nil {
		fmt.Fprintf(stderr, "ozgcheck check: %v\n", err)
		return 2
	}
	if rep.Err() != nil {
		return 1
	}
	return 0
}

func readSample(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSample+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSample {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxSample)
	}
	return b, nil
}
