package mailbox_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
)

// smtpServer is a small SMTP server on loopback for tests: enough of RFC 5321 (EHLO, STARTTLS,
// MAIL, RCPT, DATA, RSET, NOOP, QUIT) to receive what net/smtp sends.
type smtpServer struct {
	ln  net.Listener
	tls *tls.Config // offer STARTTLS when set

	mu       sync.Mutex
	mails    []receivedMail
	failMail int // answer this many MAIL commands with 451
	wg       sync.WaitGroup
}

type receivedMail struct {
	From, To string
	Data     string
	TLS      bool
}

func startSMTP(t *testing.T, tlsConfig *tls.Config) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, tls: tlsConfig}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *smtpServer) Addr() string { return s.ln.Addr().String() }

func (s *smtpServer) received() []receivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMail(nil), s.mails...)
}

func (s *smtpServer) serve(c net.Conn) {
	defer func() { c.Close() }()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(io.LimitReader(c, 1<<20))
	w := c
	reply := func(line string) { fmt.Fprintf(w, "%s\r\n", line) }
	reply("220 localhost ESMTP test")
	var cur receivedMail
	isTLS := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO":
			if s.tls != nil && !isTLS {
				reply("250-localhost")
				reply("250 STARTTLS")
			} else {
				reply("250 localhost")
			}
		case "HELO", "NOOP":
			reply("250 ok")
		case "STARTTLS":
			if s.tls == nil || isTLS {
				reply("502 not supported")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, w, isTLS = tc, tc, true
			r = bufio.NewReader(io.LimitReader(tc, 1<<20))
			cur = receivedMail{}
		case "MAIL":
			s.mu.Lock()
			fail := s.failMail > 0
			if fail {
				s.failMail--
			}
			s.mu.Unlock()
			if fail {
				reply("451 try again later")
				continue
			}
			cur = receivedMail{From: strings.TrimPrefix(line, "MAIL FROM:"), TLS: isTLS}
			reply("250 ok")
		case "RCPT":
			cur.To = strings.TrimPrefix(line, "RCPT TO:")
			reply("250 ok")
		case "DATA":
			reply("354 end with .")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.Data = data.String()
			s.mu.Lock()
			s.mails = append(s.mails, cur)
			s.mu.Unlock()
			reply("250 queued")
		case "RSET":
			cur = receivedMail{}
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("500 unknown command")
		}
	}
}

// selfSigned returns a server certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

var addresses = map[string]string{"alice": "alice@example.org"}

func lookup(_ context.Context, owner string) (string, error) {
	if a, ok := addresses[owner]; ok {
		return a, nil
	}
	return "", fmt.Errorf("%w: %s", mailbox.ErrNoRecipient, owner)
}

func newSMTPNotifier(t *testing.T, addr string, change func(o *mailbox.SMTPOptions)) *mailbox.SMTPNotifier {
	t.Helper()
	o := mailbox.SMTPOptions{
		Addr: addr, From: "Postfach Musterstadt <noreply@musterstadt.example>",
		Link: "https://portal.musterstadt.example/postfach", Recipient: lookup,
		AllowPlaintext: true, Timeout: 5 * time.Second,
	}
	if change != nil {
		change(&o)
	}
	n, err := mailbox.NewSMTPNotifier(o)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func decodeBody(t *testing.T, data string) (*mail.Message, string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return m, string(b)
}

func TestSMTPNotifierSendsNoPersonalContent(t *testing.T) {
	srv := startSMTP(t, nil)
	f := newFixture(t, &mailbox.Options{Notifier: newSMTPNotifier(t, srv.Addr(), nil)})
	d := draft("alice")
	d.Subject = "Ablehnung Ihres Wohngeldantrags, Max Mustermann"
	d.Body = "Ihr Einkommen von 1.234 € übersteigt die Grenze."
	d.Sender.Reference = "AZ-4711"
	sent := f.send(t, d)
	if sent.Notification.Pending() || sent.Notification.Attempts != 1 {
		t.Fatalf("notification state = %+v, want done after one attempt", sent.Notification)
	}
	mails := srv.received()
	if len(mails) != 1 {
		t.Fatalf("%d mails received, want 1", len(mails))
	}
	if mails[0].To != "<alice@example.org>" || mails[0].From != "<noreply@musterstadt.example>" {
		t.Fatalf("envelope = %q → %q", mails[0].From, mails[0].To)
	}
	m, body := decodeBody(t, mails[0].Data)
	if m.Header.Get("Subject") != mailbox.NotificationSubject {
		t.Fatalf("Subject = %q", m.Header.Get("Subject"))
	}
	if !strings.Contains(body, "Sie haben eine neue Nachricht in Ihrem Postfach") ||
		!strings.Contains(body, "https://portal.musterstadt.example/postfach") {
		t.Fatalf("body lacks the text or link:\n%s", body)
	}
	// Nothing of the message may leave the portal; the recipient's own address is the only
	// thing about the citizen in the e-mail.
	withoutTo := strings.Replace(mails[0].Data, "To: <alice@example.org>", "", 1)
	for _, personal := range []string{"Mustermann", "Wohngeld", "1.234", "AZ-4711", "A-1", "alice", sent.ID, "Stadt Musterstadt"} {
		if strings.Contains(withoutTo, personal) || strings.Contains(body, personal) {
			t.Errorf("the e-mail contains %q", personal)
		}
	}
}

func TestSMTPNotifierUsesSTARTTLS(t *testing.T) {
	serverTLS, pool := selfSigned(t)
	srv := startSMTP(t, serverTLS)
	n := newSMTPNotifier(t, srv.Addr(), func(o *mailbox.SMTPOptions) {
		o.AllowPlaintext = false
		o.TLSConfig = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	})
	if err := n.Notify(context.Background(), mailbox.Notification{MessageID: "m1", Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	if mails := srv.received(); len(mails) != 1 || !mails[0].TLS {
		t.Fatalf("mails = %+v, want one received over TLS", mails)
	}
}

func TestSMTPNotifierRefusals(t *testing.T) {
	plain := startSMTP(t, nil)
	serverTLS, _ := selfSigned(t)
	untrusted := startSMTP(t, serverTLS)
	for _, tc := range []struct {
		name   string
		addr   string
		change func(o *mailbox.SMTPOptions)
		owner  string
		want   error
	}{
		{"a server without STARTTLS is refused unless plaintext is allowed", plain.Addr(),
			func(o *mailbox.SMTPOptions) { o.AllowPlaintext = false }, "alice", nil},
		{"a server with an untrusted certificate is refused", untrusted.Addr(), nil, "alice", nil},
		{"a citizen without address is not retried", plain.Addr(), nil, "bob", mailbox.ErrNoRecipient},
		{"an address with a line break is refused", plain.Addr(), func(o *mailbox.SMTPOptions) {
			o.Recipient = func(context.Context, string) (string, error) { return "a@example.org\r\nRCPT TO:<x@evil.example>", nil }
		}, "alice", mailbox.ErrNoRecipient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newSMTPNotifier(t, tc.addr, tc.change)
			err := n.Notify(context.Background(), mailbox.Notification{MessageID: "m1", Owner: tc.owner})
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if len(plain.received())+len(untrusted.received()) != 0 {
				t.Fatal("a refused notification was sent")
			}
		})
	}
	for _, tc := range []struct {
		name   string
		change func(o *mailbox.SMTPOptions)
	}{
		{"a From with a line break is refused", func(o *mailbox.SMTPOptions) { o.From = "a@b.example\r\nBcc: x@y.example" }},
		{"a From that is no address is refused", func(o *mailbox.SMTPOptions) { o.From = "nobody" }},
		{"a relative link is refused", func(o *mailbox.SMTPOptions) { o.Link = "/postfach" }},
		{"a javascript link is refused", func(o *mailbox.SMTPOptions) { o.Link = "javascript:alert(1)" }},
		{"an address without port is refused", func(o *mailbox.SMTPOptions) { o.Addr = "localhost" }},
		{"a missing recipient lookup is refused", func(o *mailbox.SMTPOptions) { o.Recipient = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := mailbox.SMTPOptions{Addr: "127.0.0.1:25", From: "noreply@musterstadt.example", Link: "https://p.example/postfach", Recipient: lookup}
			tc.change(&o)
			if _, err := mailbox.NewSMTPNotifier(o); err == nil {
				t.Fatal("NewSMTPNotifier accepted a bad option")
			}
		})
	}
}

func TestAFailedNotificationKeepsTheMessageAndIsRetried(t *testing.T) {
	ctx := context.Background()
	srv := startSMTP(t, nil)
	srv.failMail = 2
	f := newFixture(t, &mailbox.Options{
		Notifier: newSMTPNotifier(t, srv.Addr(), nil),
		Retry:    mailbox.RetryPolicy{Attempts: 5, First: time.Minute, Max: 10 * time.Minute},
	})
	sent := f.send(t, draft("alice"))
	if !sent.Notification.Pending() || sent.Notification.Attempts != 1 {
		t.Fatalf("state after failed attempt = %+v", sent.Notification)
	}
	if _, err := f.mb.Read(ctx, alice, sent.ID); err != nil {
		t.Fatalf("the message is not readable after a failed notification: %v", err)
	}
	if n, _ := f.mb.RetryNotifications(ctx); n != 0 {
		t.Fatalf("retried %d before the backoff passed", n)
	}
	f.clock.Advance(time.Minute)
	if n, err := f.mb.RetryNotifications(ctx); n != 1 || err != nil {
		t.Fatalf("RetryNotifications = %d, %v", n, err)
	}
	if got, _ := f.store.Get(ctx, "alice", sent.ID); !got.Notification.Pending() || got.Notification.Attempts != 2 {
		t.Fatalf("state after second failure = %+v", got.Notification)
	}
	f.clock.Advance(90 * time.Second) // second backoff is 2 minutes
	if n, _ := f.mb.RetryNotifications(ctx); n != 0 {
		t.Fatalf("retried %d before the doubled backoff passed", n)
	}
	f.clock.Advance(time.Minute)
	if n, err := f.mb.RetryNotifications(ctx); n != 1 || err != nil {
		t.Fatalf("RetryNotifications = %d, %v", n, err)
	}
	got, _ := f.store.Get(ctx, "alice", sent.ID)
	if got.Notification.Pending() || got.Notification.GaveUp || got.Notification.Attempts != 3 {
		t.Fatalf("state after success = %+v", got.Notification)
	}
	if len(srv.received()) != 1 {
		t.Fatalf("%d mails, want 1", len(srv.received()))
	}
}

func TestANotificationIsGivenUpAfterItsAttemptsAndTheMessageStays(t *testing.T) {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every attempt fails
	f := newFixture(t, &mailbox.Options{
		Notifier: newSMTPNotifier(t, addr, nil),
		Retry:    mailbox.RetryPolicy{Attempts: 3, First: time.Second, Max: time.Second},
	})
	sent := f.send(t, draft("alice"))
	for range 5 {
		f.clock.Advance(2 * time.Second)
		if _, err := f.mb.RetryNotifications(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.store.Get(ctx, "alice", sent.ID)
	if err != nil {
		t.Fatalf("message lost: %v", err)
	}
	if got.Notification.Pending() || !got.Notification.GaveUp || got.Notification.Attempts != 3 {
		t.Fatalf("state = %+v, want given up after 3 attempts", got.Notification)
	}
}

func TestACitizenWithoutAddressIsNotRetried(t *testing.T) {
	srv := startSMTP(t, nil)
	f := newFixture(t, &mailbox.Options{Notifier: newSMTPNotifier(t, srv.Addr(), nil)})
	sent := f.send(t, draft("bob"))
	if sent.Notification.Pending() || sent.Notification.GaveUp {
		t.Fatalf("state = %+v, want done", sent.Notification)
	}
	if len(srv.received()) != 0 {
		t.Fatal("a mail was sent for a citizen without address")
	}
}

func TestRunRetriesUntilCanceled(t *testing.T) {
	srv := startSMTP(t, nil)
	srv.failMail = 1
	f := newFixture(t, &mailbox.Options{
		Notifier: newSMTPNotifier(t, srv.Addr(), nil),
		Retry:    mailbox.RetryPolicy{First: time.Nanosecond, Max: time.Nanosecond},
	})
	f.send(t, draft("alice"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- f.mb.Run(ctx, time.Millisecond) }()
	for len(srv.received()) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
}
