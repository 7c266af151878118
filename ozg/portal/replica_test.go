package portal_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/ozgtest"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

// The bounds of the two-replica test: every loop in it ends by count and by time.
const (
	stormClients     = 8
	stormSubmissions = 200
	stormTime        = 60 * time.Second
	stormKills       = 4
	// stormRetries bounds the attempts of one request while a replica is down.
	stormRetries = 40
	// settleTime bounds the wait for the outbox to deliver everything after the storm.
	settleTime = 90 * time.Second
	// replicaLease is the replicas' outbox lease (portal.Config.OutboxLease): work the killed
	// replica held when it died is taken by the other after this.
	replicaLease = "6s"
	// stormService is testdata/replica's service without fee or evidence.
	stormService = "bewohnerparkausweis-verlaengern"
)

// TestReplicas is the two-replica test: two portal processes (testdata/replica) on one fresh
// PostgreSQL database behind a round-robin proxy on loopback, so consecutive requests land on
// different replicas. A citizen walks the whole journey (login, upload, pay, submit,
// Postfach) across both; then eight clients submit 200 applications while one replica is
// SIGKILLed and restarted several times. Afterwards every acknowledged submission is stored
// and delivered exactly once (the back office is a delivery.Receiver in this process), no
// idempotency key got two answers, and every application is delivered with exactly one
// Eingangsbestätigung in its Postfach.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program and runs two replicas of it; skipped in -short mode")
	}
	dsn := os.Getenv("OZGKIT_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("OZGKIT_TEST_POSTGRES is not set: the two-replica test needs PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	h := startReplicas(t, dsn)
	t.Run("a citizen's journey crosses both replicas", func(t *testing.T) { h.journey(t) })
	t.Run("a submission storm survives a replica killed again and again", func(t *testing.T) { h.storm(t) })
}

// cluster is the two replicas, the proxy in front of them and the outside services.
type cluster struct {
	t        *testing.T
	base     string // the proxy's URL, the portal's public URL
	proxy    *roundRobin
	replicas [2]*replica // [0] is never killed; [1] is
	idp      *identitytest.Provider
	back     *backOffice
	login    *ozgtest.BrowserLogin
}

// freshDatabase creates a database of its own on the server of dsn and drops it when the test
// ends; it returns the new database's DSN.
func freshDatabase(t *testing.T, dsn string) string {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := "ozgkit_replicas_" + rand.Text()[:12]
	name = strings.ToLower(name)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating the test database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping the test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("OZGKIT_TEST_POSTGRES is not a URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startReplicas(t *testing.T, dsn string) *cluster {
	db := freshDatabase(t, dsn)
	dir := t.TempDir()
	bin := filepath.Join(dir, "replica")
	build := exec.Command("go", "build", "-o", bin, "./testdata/replica")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building testdata/replica: %v\n%s", err, out)
	}

	c := &cluster{t: t}
	proxyLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.base = "http://" + proxyLn.Addr().String()

	idpMux := http.NewServeMux()
	idpSrv := httptest.NewServer(idpMux)
	t.Cleanup(idpSrv.Close)
	personas := identitytest.DefaultPersonas()
	for i := range stormClients {
		id := fmt.Sprintf("buerger%d", i+1)
		personas = append(personas, identitytest.Persona{ID: id, Label: "Bürger " + id, MaxLevel: identity.LevelBasic,
			Claims: map[string]any{identity.ClaimBPK2: "bPK2-" + strings.ToUpper(id), identity.ClaimGivenName: "Bürger", identity.ClaimSurname: id}})
	}
	c.idp, err = identitytest.New(idpSrv.URL, &identitytest.Options{Personas: personas, Clients: []identitytest.Client{{
		ID: "portal", Secret: "replica-secret", RedirectURIs: []string{c.base + "/auth/callback"}, PostLogoutRedirectURIs: []string{c.base + "/"}}}})
	if err != nil {
		t.Fatal(err)
	}
	idpMux.Handle("/", c.idp)
	payMux := http.NewServeMux()
	paySrv := httptest.NewServer(payMux)
	t.Cleanup(paySrv.Close)
	payMux.Handle("/", paymenttest.NewServer(&paymenttest.ServerOptions{BaseURL: paySrv.URL + "/", Logger: quiet()}))

	secret := "webhook-secret-of-at-least-32-bytes!!"
	c.back = newBackOffice([]byte(secret))
	backSrv := httptest.NewServer(c.back)
	t.Cleanup(backSrv.Close)

	sessionKey, cursorKey := make([]byte, 32), make([]byte, 32)
	rand.Read(sessionKey)
	rand.Read(cursorKey)
	env := []string{
		"REPLICA_BASE_URL=" + c.base, "REPLICA_DSN=" + db,
		"REPLICA_SESSION_KEY=" + hex.EncodeToString(sessionKey), "REPLICA_CURSOR_KEY=" + hex.EncodeToString(cursorKey),
		"REPLICA_OIDC_ISSUER=" + idpSrv.URL, "REPLICA_OIDC_SECRET=replica-secret",
		"REPLICA_EPAYBL_URL=" + paySrv.URL + "/", "REPLICA_WEBHOOK_URL=" + backSrv.URL, "REPLICA_WEBHOOK_SECRET=" + secret,
		"REPLICA_OUTBOX_POLL=200ms",
	}
	for i, name := range []string{"a", "b"} {
		r := &replica{name: name, bin: bin, addr: freeAddr(t), logPath: filepath.Join(dir, name+".log"),
			env: append(append(os.Environ(), env...), "REPLICA_DATA_DIR="+filepath.Join(dir, name))}
		r.env = append(r.env, "REPLICA_ADDR="+r.addr, "REPLICA_OUTBOX_LEASE="+replicaLease)
		c.replicas[i] = r
		t.Cleanup(func() {
			r.stop(t)
			if t.Failed() {
				t.Logf("replica %s's log (last 4 KiB):\n%s", r.name, r.logTail(4<<10))
			}
		})
	}
	// Both start at once; the database is migrated by whichever comes first, under the
	// migration lock.
	errs := make(chan error, 2)
	for _, r := range c.replicas {
		go func() { errs <- r.start() }()
	}
	for range c.replicas {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}

	c.proxy = newRoundRobin(c.replicas[0].addr, c.replicas[1].addr)
	srv := &http.Server{Handler: c.proxy, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(proxyLn)
	t.Cleanup(func() { srv.Close() })
	c.login = &ozgtest.BrowserLogin{LoginURL: c.base + "/auth/login?level={level}&return=/api/session", Origin: c.base}
	return c
}

// replica is one portal process; it can be killed and started again on the same address,
// database and data directory.
type replica struct {
	name, bin, addr, logPath string
	env                      []string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	starts int
}

// start runs the program and waits until it answers /readyz (at most 60 seconds).
func (r *replica) start() error {
	logf, err := os.OpenFile(r.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "--- start %d at %s\n", r.starts+1, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(r.bin)
	cmd.Env = r.env
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("replica %s: %w", r.name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(exited) }()
	r.mu.Lock()
	r.cmd, r.exited = cmd, exited
	r.starts++
	r.mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("replica %s exited while starting (%v):\n%s", r.name, cmd.ProcessState, r.logTail(2<<10))
		default:
		}
		if resp, err := client.Get("http://" + r.addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("replica %s was not ready within 60 s:\n%s", r.name, r.logTail(2<<10))
}

// kill ends the process with SIGKILL: no shutdown, work in flight is cut off.
func (r *replica) kill() {
	r.mu.Lock()
	cmd, exited := r.cmd, r.exited
	r.mu.Unlock()
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}

// stop ends the process gracefully (SIGTERM), killing it after 30 seconds.
func (r *replica) stop(t *testing.T) {
	r.mu.Lock()
	cmd, exited := r.cmd, r.exited
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Errorf("replica %s did not stop within 30 s of SIGTERM", r.name)
	}
}

func (r *replica) logTail(n int) string {
	b, _ := os.ReadFile(r.logPath)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// replicaHeader names, in every answer through the proxy, the replica that gave it.
const replicaHeader = "X-Test-Replica"

// roundRobin is the load balancer: a reverse proxy sending each request to the next replica
// in turn, whatever the connection it came on. A replica that is down answers 502.
type roundRobin struct {
	proxy   *httputil.ReverseProxy
	next    atomic.Uint64
	served  [2]atomic.Int64
	refused atomic.Int64 // 502: the replica was down or died during the request
}

func newRoundRobin(addrs ...string) *roundRobin {
	rr := &roundRobin{}
	targets := make([]*url.URL, len(addrs))
	names := map[string]string{}
	for i, a := range addrs {
		targets[i] = &url.URL{Scheme: "http", Host: a}
		names[a] = string(rune('a' + i))
	}
	rr.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			i := (rr.next.Add(1) - 1) % uint64(len(targets))
			pr.SetURL(targets[i])
			pr.Out.Host = pr.In.Host // the portal sees its public host, as behind a real balancer
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 32, IdleConnTimeout: 30 * time.Second,
			DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext, ResponseHeaderTimeout: 30 * time.Second},
		ModifyResponse: func(resp *http.Response) error {
			name := names[resp.Request.URL.Host]
			resp.Header.Set(replicaHeader, name)
			rr.served[name[0]-'a'].Add(1)
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			rr.refused.Add(1)
			w.WriteHeader(http.StatusBadGateway)
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
	return rr
}

func (rr *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) { rr.proxy.ServeHTTP(w, r) }

// backOffice is the authority's side: a delivery.Receiver with a Deduplicator, counting every
// request that reaches it and every call of its handler.
type backOffice struct {
	receiver *delivery.Receiver

	mu        sync.Mutex
	posts     int            // webhook requests
	replayed  int            // answered from the Deduplicator's record (Idempotent-Replayed)
	conflicts int            // 409: a twin was being taken at that moment
	byID      map[string]int // handler calls per submission id
	byKey     map[string]int // handler calls per owner and idempotency key
	subs      map[string]*ozg.Submission
}

func newBackOffice(secret []byte) *backOffice {
	b := &backOffice{byID: map[string]int{}, byKey: map[string]int{}, subs: map[string]*ozg.Submission{}}
	b.receiver = delivery.NewReceiver(secret, func(ctx context.Context, s *ozg.Submission, files *delivery.ReceivedFiles) (string, error) {
		for {
			_, rd, err := files.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return "", err
			}
			if _, err := io.Copy(io.Discard, rd); err != nil {
				return "", err
			}
		}
		// A back office takes a moment to file a submission; a replica killed meanwhile
		// has not recorded the delivery and delivers it again.
		time.Sleep(20 * time.Millisecond)
		b.mu.Lock()
		defer b.mu.Unlock()
		b.byID[s.ID]++
		b.byKey[s.Owner+" "+s.IdempotencyKey]++
		b.subs[s.ID] = s
		return "fv-" + s.Reference, nil
	}, &delivery.ReceiverOptions{Deduplicator: delivery.NewMemoryDeduplicator(nil), Logger: quiet()})
	return b
}

func (b *backOffice) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	b.receiver.ServeHTTP(rec, r)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.posts++
	if rec.Header().Get("Idempotent-Replayed") == "true" {
		b.replayed++
	}
	if rec.status == http.StatusConflict {
		b.conflicts++
	}
}

// calls returns the handler's calls for submission id.
func (b *backOffice) calls(id string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.byID[id]
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// answer is one response through the proxy.
type answer struct {
	status  int
	replica string
	body    []byte
}

func (a answer) String() string {
	b := a.body
	if len(b) > 300 {
		b = b[:300]
	}
	return fmt.Sprintf("%d from replica %q: %s", a.status, a.replica, b)
}

// do sends one request with c and reads at most 1 MiB of the answer.
func do(ctx context.Context, c *http.Client, method, u string, body []byte, header http.Header) (answer, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, replica: resp.Header.Get(replicaHeader), body: b}, nil
}

func parkingPay(ctx context.Context, c *http.Client, redirectURL string) (string, error) {
	return (&paymenttest.Citizen{Client: c}).Choose(ctx, redirectURL, paymenttest.ActionPay, payment.MethodCreditCard)
}

// journey walks a citizen through the whole journey with the proxy alternating replicas:
// ozgtest.Check's conformance run, then the same steps by hand, checking after each step
// that the other replica sees what this one stored.
func (c *cluster) journey(t *testing.T) {
	ctx := t.Context()
	rep := ozgtest.Check(ctx, ozgtest.Target{
		BaseURL: c.base + "/api", ServiceID: "bewohnerparkausweis",
		Login: c.login.As("erika"), Other: c.login.As("max"),
		Data: []byte(`{"kennzeichen": "KI-EM 1964"}`), Pay: parkingPay,
	})
	if err := rep.Err(); err != nil {
		var b strings.Builder
		rep.WriteText(&b)
		t.Fatalf("ozgtest.Check through the round-robin proxy: %v\n%s", err, b.String())
	}
	t.Logf("ozgtest.Check passed through the proxy; replica a answered %d requests, b %d", c.proxy.served[0].Load(), c.proxy.served[1].Load())

	// The login began on one replica and its callback ended on the other: the login state and
	// the session cookie are sealed with the shared keys, the session lives in the database.
	erika, err := c.login.Login(ctx, "erika", identity.LevelBasic)
	if err != nil {
		t.Fatalf("login across replicas: %v", err)
	}
	var trail []string
	step := func(what, method, path string, body []byte, header http.Header, want int) answer {
		t.Helper()
		a, err := do(ctx, erika, method, c.base+path, body, header)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		trail = append(trail, a.replica)
		if a.status != want {
			t.Fatalf("%s: %s, want %d", what, a, want)
		}
		return a
	}
	// otherThan asserts that the answer came from a replica other than the previous step's:
	// what one stored, the other read.
	otherThan := func(what string, prev, a answer) {
		t.Helper()
		if a.replica == "" || a.replica == prev.replica {
			t.Errorf("%s: both steps were answered by replica %q; the proxy should have alternated", what, a.replica)
		}
	}

	created := step("create", "POST", "/api/services/bewohnerparkausweis/applications", []byte(`{"data": {"kennzeichen": "KI-EM 1965"}}`), nil, 201)
	var app struct {
		ID    string    `json:"id"`
		State ozg.State `json:"state"`
	}
	if err := json.Unmarshal(created.body, &app); err != nil || app.ID == "" {
		t.Fatalf("create: %s", created)
	}
	got := step("read the draft", "GET", "/api/applications/"+app.ID, nil, nil, 200)
	otherThan("the draft created on one replica read on the other", created, got)

	var upload bytes.Buffer
	mw := multipart.NewWriter(&upload)
	mw.WriteField("requirement", "zulassung")
	fw, _ := mw.CreateFormFile("file", "zulassung.pdf")
	fw.Write(pdf)
	mw.Close()
	up := step("upload", "POST", "/api/applications/"+app.ID+"/evidence", upload.Bytes(),
		http.Header{"Content-Type": {mw.FormDataContentType()}}, 201)
	list := step("list the evidence", "GET", "/api/applications/"+app.ID+"/evidence", nil, nil, 200)
	otherThan("the file uploaded to one replica listed by the other", up, list)
	if !strings.Contains(string(list.body), "zulassung.pdf") {
		t.Fatalf("the other replica does not list the uploaded file: %s", list)
	}

	started := step("start the payment", "POST", "/api/applications/"+app.ID+"/payment", nil, nil, 200)
	var pay struct {
		PaymentID   string `json:"paymentId"`
		RedirectURL string `json:"redirectUrl"`
	}
	if err := json.Unmarshal(started.body, &pay); err != nil || pay.RedirectURL == "" {
		t.Fatalf("start the payment: %s", started)
	}
	back, err := parkingPay(ctx, erika, pay.RedirectURL)
	if err != nil {
		t.Fatalf("paying at the platform: %v", err)
	}
	if back == "" {
		back = c.base + "/api/applications/" + app.ID + "/payment/return?" + url.Values{payment.ReturnParam: {pay.PaymentID}}.Encode()
	}
	returned := step("return from the pay page", "GET", strings.TrimPrefix(back, c.base), nil, nil, 200)
	if !strings.Contains(string(returned.body), `"paid"`) {
		t.Fatalf("the return from the pay page: %s, want the payment paid", returned)
	}

	key := http.Header{"Idempotency-Key": {"journey-" + rand.Text()}}
	submitted := step("submit", "POST", "/api/applications/"+app.ID+"/submit", nil, key, 202)
	again := step("submit again with the same key", "POST", "/api/applications/"+app.ID+"/submit", nil, key, 202)
	otherThan("the repeated submit", submitted, again)
	var r1, r2 struct {
		SubmissionID string `json:"submissionId"`
		Reference    string `json:"reference"`
	}
	json.Unmarshal(submitted.body, &r1)
	json.Unmarshal(again.body, &r2)
	if r1.SubmissionID == "" || r1 != r2 {
		t.Fatalf("one idempotency key, two answers from two replicas: %s and %s", submitted, again)
	}

	// The outbox of either replica delivers it, once, and puts the receipt in the Postfach.
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := step("read the application", "GET", "/api/applications/"+app.ID, nil, nil, 200)
		json.Unmarshal(a.body, &app)
		if app.State == ozg.StateDelivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the application is still %q 30 s after the submit", app.State)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := c.back.calls(r1.SubmissionID); n != 1 {
		t.Fatalf("the back office took submission %s %d times, want once", r1.SubmissionID, n)
	}
	var inbox mailboxPage
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		a := step("read the Postfach", "GET", "/api/mailbox?application="+app.ID, nil, nil, 200)
		if err := json.Unmarshal(a.body, &inbox); err != nil {
			t.Fatalf("the Postfach: %s", a)
		}
		if len(inbox.Messages) > 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(inbox.Messages) != 1 || inbox.Messages[0].Kind != "receipt" ||
		!strings.HasPrefix(inbox.Messages[0].Subject, "Eingangsbestätigung: Bewohnerparkausweis beantragen") {
		t.Fatalf("the Postfach holds %+v for the application, want one Eingangsbestätigung", inbox.Messages)
	}
	m1 := step("open the receipt", "GET", "/api/mailbox/"+inbox.Messages[0].ID, nil, nil, 200)
	m2 := step("open the receipt again", "GET", "/api/mailbox/"+inbox.Messages[0].ID, nil, nil, 200)
	otherThan("the receipt opened on both replicas", m1, m2)
	if !strings.Contains(string(m1.body), r1.Reference) || !strings.Contains(string(m2.body), r1.Reference) {
		t.Fatalf("the receipt does not name the reference %s: %s", r1.Reference, m1)
	}
	t.Logf("journey by hand: %d requests, answered by replicas %s", len(trail), strings.Join(trail, ""))
}

// mailboxPage is a page of GET /api/mailbox.
type mailboxPage struct {
	Messages []struct {
		ID          string `json:"id"`
		Kind        string `json:"kind"`
		Subject     string `json:"subject"`
		Application string `json:"application"`
	} `json:"messages"`
	Next string `json:"next"`
}

// stormAnswer is a 202 to a submit: what the key was answered with.
type stormAnswer struct {
	ApplicationID string `json:"applicationId"`
	SubmissionID  string `json:"submissionId"`
	Reference     string `json:"reference"`
}

// stormLedger is what the storm's clients saw.
type stormLedger struct {
	mu          sync.Mutex
	answers     map[string][]stormAnswer // by idempotency key
	owner       map[string]int           // idempotency key -> client
	gaveUp      map[string]string        // idempotency key -> why the client stopped asking
	failures    []string                 // answers no rule allows
	retries     int                      // requests repeated after a 502 or a broken connection
	replays     int                      // deliberate repeats of an acknowledged submit
	createRetry int                      // drafts created again after a lost answer
}

func (l *stormLedger) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) < 20 {
		l.failures = append(l.failures, fmt.Sprintf(format, args...))
	}
}

// retry sends a request until an answer other than 502 comes, at most stormRetries times: a
// replica that is down, or died while it answered, gives 502 at the proxy (or the
// connection breaks). Each repeat is the same request, the same idempotency key.
func (l *stormLedger) retry(ctx context.Context, c *http.Client, method, u string, body []byte, header http.Header) (answer, error) {
	var last error
	for attempt := range stormRetries {
		if attempt > 0 {
			l.mu.Lock()
			l.retries++
			l.mu.Unlock()
			time.Sleep(time.Duration(min(attempt, 10)) * 20 * time.Millisecond)
		}
		a, err := do(ctx, c, method, u, body, header)
		if err == nil && a.status != http.StatusBadGateway {
			return a, nil
		}
		if ctx.Err() != nil {
			return answer{}, ctx.Err()
		}
		last = err
		if err == nil {
			last = fmt.Errorf("%s", a)
		}
	}
	return answer{}, fmt.Errorf("%d attempts failed, the last: %v", stormRetries, last)
}

// storm submits stormSubmissions applications from stormClients clients while the second
// replica is SIGKILLed stormKills times, then checks that every acknowledged submission was
// stored, delivered and confirmed exactly once.
func (c *cluster) storm(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), stormTime+settleTime+30*time.Second)
	defer cancel()
	clients := make([]*http.Client, stormClients)
	for i := range clients {
		var err error
		if clients[i], err = c.login.Login(ctx, fmt.Sprintf("buerger%d", i+1), identity.LevelBasic); err != nil {
			t.Fatalf("login of storm client %d: %v", i+1, err)
		}
	}
	l := &stormLedger{answers: map[string][]stormAnswer{}, owner: map[string]int{}, gaveUp: map[string]string{}}
	var next atomic.Int64
	stop := time.Now().Add(stormTime)
	submitOne := func(client int, n int64) {
		cl := clients[client]
		key := fmt.Sprintf("storm-%03d", n)
		l.mu.Lock()
		l.owner[key] = client
		l.mu.Unlock()
		body := fmt.Appendf(nil, `{"data": {"kennzeichen": "KI-S %d"}}`, n)
		var id string
		for try := 0; id == "" && try < 3; try++ {
			if try > 0 {
				l.mu.Lock()
				l.createRetry++
				l.mu.Unlock()
			}
			a, err := l.retry(ctx, cl, "POST", c.base+"/api/services/"+stormService+"/applications", body, nil)
			if err != nil {
				l.mu.Lock()
				l.gaveUp[key] = "create: " + err.Error()
				l.mu.Unlock()
				return
			}
			var app struct{ ID string }
			if a.status != http.StatusCreated || json.Unmarshal(a.body, &app) != nil || app.ID == "" {
				if a.status >= 500 { // the replica died after the request reached the portal
					continue
				}
				l.fail("%s: create answered %s", key, a)
				return
			}
			id = app.ID
		}
		if id == "" {
			l.mu.Lock()
			l.gaveUp[key] = "create: three drafts answered 5xx"
			l.mu.Unlock()
			return
		}
		submit := func() (stormAnswer, bool) {
			hdr := http.Header{"Idempotency-Key": {key}}
			for range 5 {
				a, err := l.retry(ctx, cl, "POST", c.base+"/api/applications/"+id+"/submit", nil, hdr)
				if err != nil {
					l.mu.Lock()
					l.gaveUp[key] = "submit: " + err.Error()
					l.mu.Unlock()
					return stormAnswer{}, false
				}
				if a.status >= 500 { // cut off inside the portal: ask again with the same key
					l.mu.Lock()
					l.retries++
					l.mu.Unlock()
					time.Sleep(50 * time.Millisecond)
					continue
				}
				var s stormAnswer
				if a.status != http.StatusAccepted || json.Unmarshal(a.body, &s) != nil || s.SubmissionID == "" {
					l.fail("%s: submit answered %s", key, a)
					return stormAnswer{}, false
				}
				if s.ApplicationID != id {
					l.fail("%s: submit of application %s answered application %s", key, id, s.ApplicationID)
				}
				l.mu.Lock()
				l.answers[key] = append(l.answers[key], s)
				l.mu.Unlock()
				return s, true
			}
			l.mu.Lock()
			l.gaveUp[key] = "submit: five answers 5xx"
			l.mu.Unlock()
			return stormAnswer{}, false
		}
		if _, ok := submit(); ok && n%4 == 0 {
			// A client that lost the answer asks again: the same key, the same answer.
			l.mu.Lock()
			l.replays++
			l.mu.Unlock()
			submit()
		}
	}

	// killAt is the submission after which the k-th kill comes (k from 1); the clients take
	// no submission beyond gate until that kill has happened, so every kill falls inside the
	// storm however fast it runs, with the clients' requests in flight.
	killAt := func(k int) int64 { return int64(k * stormSubmissions / (stormKills + 1)) }
	var gate atomic.Int64
	gate.Store(killAt(1) + 2*stormClients)
	var wg sync.WaitGroup
	for i := range stormClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) && ctx.Err() == nil {
				n := next.Add(1)
				if n > stormSubmissions {
					return
				}
				for n > gate.Load() && time.Now().Before(stop) && ctx.Err() == nil {
					time.Sleep(2 * time.Millisecond)
				}
				submitOne(i, n)
			}
		}()
	}
	// The killer: at evenly spaced points of the storm the second replica dies with SIGKILL
	// and is started again on the same database while the storm goes on.
	kills := 0
	var killErr error
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		defer gate.Store(stormSubmissions)
		victim := c.replicas[1]
		for k := 1; k <= stormKills; k++ {
			for next.Load() < killAt(k) && time.Now().Before(stop) && ctx.Err() == nil {
				time.Sleep(2 * time.Millisecond)
			}
			if !time.Now().Before(stop) || ctx.Err() != nil {
				return
			}
			victim.kill()
			kills++
			if k < stormKills {
				gate.Store(killAt(k+1) + 2*stormClients)
			} else {
				gate.Store(stormSubmissions)
			}
			time.Sleep(100 * time.Millisecond)
			if killErr = victim.start(); killErr != nil {
				return
			}
		}
	}()
	wg.Wait()
	<-killerDone
	if killErr != nil {
		t.Fatalf("restarting the killed replica: %v", killErr)
	}
	if kills != stormKills {
		t.Errorf("replica b was killed %d times, want %d: the storm ran out of time (%s) first", kills, stormKills, stormTime)
	}
	stormEnded := time.Now()

	// Every acknowledged submission, by its submission id; no key two answers.
	acked := map[string]stormAnswer{} // submission id -> answer
	keyOf := map[string]string{}      // submission id -> key
	l.mu.Lock()
	for key, as := range l.answers {
		for _, a := range as[1:] {
			if a != as[0] {
				t.Errorf("idempotency key %s got two answers: %+v and %+v", key, as[0], a)
			}
		}
		acked[as[0].SubmissionID] = as[0]
		keyOf[as[0].SubmissionID] = key
	}
	for _, f := range l.failures {
		t.Errorf("storm: %s", f)
	}
	for key, why := range l.gaveUp {
		t.Errorf("storm: the client gave up %s: %s", key, why)
	}
	l.mu.Unlock()
	if len(acked) == 0 {
		t.Fatal("the storm acknowledged no submission")
	}

	// The outbox delivers everything, the killed replica's claims included once its lease
	// has run out.
	deadline := time.Now().Add(settleTime)
	for {
		missing := 0
		for id := range acked {
			if c.back.calls(id) == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged submissions were not delivered within %s of the storm's end", missing, len(acked), settleTime)
		}
		time.Sleep(100 * time.Millisecond)
	}
	delivered := time.Since(stormEnded)

	// Exactly once at the back office: per submission id and per idempotency key.
	c.back.mu.Lock()
	for id, n := range c.back.byID {
		if n != 1 {
			t.Errorf("the back office's handler took submission %s %d times", id, n)
		}
		if _, ok := acked[id]; !ok && c.back.subs[id].ServiceID == stormService {
			t.Errorf("the back office took submission %s (%s), which no client was told of", id, c.back.subs[id].IdempotencyKey)
		}
	}
	for key, n := range c.back.byKey {
		if n != 1 {
			t.Errorf("the back office's handler took idempotency key %q %d times", key, n)
		}
	}
	for id, a := range acked {
		if s := c.back.subs[id]; s != nil && (s.IdempotencyKey != keyOf[id] || s.ApplicationID != a.ApplicationID || s.Reference != a.Reference) {
			t.Errorf("submission %s was acknowledged as %s/%s/%s and delivered as %s/%s/%s", id,
				keyOf[id], a.ApplicationID, a.Reference, s.IdempotencyKey, s.ApplicationID, s.Reference)
		}
	}
	posts, replayed, conflicts, calls := c.back.posts, c.back.replayed, c.back.conflicts, 0
	for id, n := range c.back.byID {
		if c.back.subs[id].ServiceID == stormService {
			calls += n
		}
	}
	c.back.mu.Unlock()

	// Every application is delivered and has exactly one Eingangsbestätigung, as each citizen
	// sees it through the proxy (pages of 25, so the cursors cross replicas).
	appsByClient := make([]map[string]bool, stormClients)
	for id, a := range acked {
		l.mu.Lock()
		cl := l.owner[keyOf[id]]
		l.mu.Unlock()
		if appsByClient[cl] == nil {
			appsByClient[cl] = map[string]bool{}
		}
		appsByClient[cl][a.ApplicationID] = true
	}
	drafts, receipts := 0, 0
	for cl, client := range clients {
		states := map[string]ozg.State{}
		counts := map[string]int{}
		for settle := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			clear(states)
			clear(counts)
			if err := listAll(ctx, client, c.base+"/api/applications?limit=25", func(b []byte) (string, error) {
				var p struct {
					Items []struct {
						ID    string    `json:"id"`
						State ozg.State `json:"state"`
					} `json:"items"`
					Next string `json:"next"`
				}
				err := json.Unmarshal(b, &p)
				for _, it := range p.Items {
					states[it.ID] = it.State
				}
				return p.Next, err
			}); err != nil {
				t.Fatalf("client %d's applications: %v", cl+1, err)
			}
			if err := listAll(ctx, client, c.base+"/api/mailbox?limit=25", func(b []byte) (string, error) {
				var p mailboxPage
				err := json.Unmarshal(b, &p)
				for _, m := range p.Messages {
					if m.Kind == "receipt" {
						counts[m.Application]++
					}
				}
				return p.Next, err
			}); err != nil {
				t.Fatalf("client %d's Postfach: %v", cl+1, err)
			}
			if len(counts) >= len(appsByClient[cl]) || time.Now().After(settle) {
				break
			}
		}
		for id, st := range states {
			switch {
			case st == ozg.StateDraft && !appsByClient[cl][id]:
				drafts++ // a draft whose creation answer was lost; the client made another
			case st != ozg.StateDelivered:
				t.Errorf("client %d's application %s is %q after the outbox delivered everything", cl+1, id, st)
			case !appsByClient[cl][id]:
				t.Errorf("client %d's application %s is delivered but was never acknowledged", cl+1, id)
			}
		}
		for id := range appsByClient[cl] {
			if _, ok := states[id]; !ok {
				t.Errorf("client %d's acknowledged application %s is not in its list", cl+1, id)
			}
			if counts[id] != 1 {
				t.Errorf("client %d's application %s has %d Eingangsbestätigungen in the Postfach, want 1", cl+1, id, counts[id])
			}
		}
		for id, n := range counts {
			receipts += n
			if !appsByClient[cl][id] {
				t.Errorf("client %d's Postfach holds %d receipts for application %s, which was never acknowledged", cl+1, n, id)
			}
		}
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	t.Logf("storm: %d submissions acknowledged (%d clients, %s), %d deliberate repeats of an acknowledged submit answered alike, "+
		"%d kills of replica b (started %d times), %d requests repeated after a 502 or broken connection (the proxy answered 502 %d times), "+
		"%d drafts created again after a 5xx, %d drafts left behind by a create whose answer was lost",
		len(acked), stormClients, stormEnded.Sub(stop.Add(-stormTime)).Round(time.Millisecond), l.replays,
		kills, c.replicas[1].starts, l.retries, c.proxy.refused.Load(), l.createRetry, drafts)
	t.Logf("back office: %d webhook requests (journey included), %d handler calls for the storm's %d submissions, %d repeated deliveries answered by the Deduplicator, "+
		"%d answered 409 while a twin was being taken; all delivered %s after the storm; %d Eingangsbestätigungen",
		posts, calls, len(acked), replayed, conflicts, delivered.Round(time.Millisecond), receipts)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// listAll follows a list's "next" cursor from u, at most 100 pages; page decodes one page
// and returns its cursor.
func listAll(ctx context.Context, c *http.Client, u string, page func([]byte) (string, error)) error {
	for range 100 {
		a, err := do(ctx, c, "GET", u, nil, nil)
		if err != nil {
			return err
		}
		if a.status != http.StatusOK {
			return errors.New(a.String())
		}
		next, err := page(a.body)
		if err != nil {
			return fmt.Errorf("%v: %s", err, a)
		}
		if next == "" {
			return nil
		}
		pu, err := url.Parse(u)
		if err != nil {
			return err
		}
		q := pu.Query()
		q.Set("cursor", next)
		pu.RawQuery = q.Encode()
		u = pu.String()
	}
	return errors.New("more than 100 pages")
}
