package mailbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// NotificationSubject is the subject, and first sentence, of the notification e-mail.
const NotificationSubject = "Sie haben eine neue Nachricht in Ihrem Postfach"

// SMTPOptions configure an [SMTPNotifier].
type SMTPOptions struct {
	// Addr is the mail server's host:port (submission, usually port 587). Required.
	Addr string
	// From is the sender, e.g. "Postfach Musterstadt <noreply@musterstadt.de>". Required.
	From string
	// Link is the absolute http(s) URL of the portal's mailbox page, put into the e-mail.
	// Required.
	Link string
	// Recipient returns the e-mail address of a citizen (by subject). An error wrapping
	// ErrNoRecipient means the citizen has none. Required.
	Recipient func(ctx context.Context, owner string) (string, error)
	// Auth authenticates to the server, after STARTTLS; nil: no authentication.
	Auth smtp.Auth
	// TLSConfig is used for STARTTLS; nil: the default with the host of Addr as ServerName.
	TLSConfig *tls.Config
	// AllowPlaintext permits sending when the server offers no STARTTLS. Only for a mail server
	// on the same host or in tests: without it, such a server is refused.
	AllowPlaintext bool
	// LocalName is the name sent with EHLO; default "localhost".
	LocalName string
	// Timeout bounds one notification when ctx has no earlier deadline; default 30s.
	Timeout time.Duration
	// Now returns the current time for the Date header; default time.Now.
	Now func() time.Time
}

// SMTPNotifier is a [Notifier] that e-mails the citizen "Sie haben eine neue Nachricht in Ihrem
// Postfach" with a link to the mailbox. The e-mail carries no personal content: no subject,
// body, sender or reference of the message. It uses net/smtp with STARTTLS.
type SMTPNotifier struct {
	o    SMTPOptions
	host string
	from *mail.Address
}

var _ Notifier = (*SMTPNotifier)(nil)

// NewSMTPNotifier checks o and returns the notifier.
func NewSMTPNotifier(o SMTPOptions) (*SMTPNotifier, error) {
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("mailbox: smtp: address %q is not host:port", o.Addr)
	}
	if strings.ContainsAny(o.From, "\r\n") {
		return nil, errors.New("mailbox: smtp: From contains a line break")
	}
	from, err := mail.ParseAddress(o.From)
	if err != nil {
		return nil, fmt.Errorf("mailbox: smtp: From %q: %w", o.From, err)
	}
	u, err := url.Parse(o.Link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(o.Link, "\r\n\t ") {
		return nil, fmt.Errorf("mailbox: smtp: Link %q is not an absolute http(s) URL", o.Link)
	}
	if o.Recipient == nil {
		return nil, errors.New("mailbox: smtp: Recipient is required")
	}
	if o.LocalName == "" {
		o.LocalName = "localhost"
	}
	if strings.ContainsAny(o.LocalName, "\r\n ") {
		return nil, errors.New("mailbox: smtp: LocalName contains white space")
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &SMTPNotifier{o: o, host: host, from: from}, nil
}

// Notify implements [Notifier].
func (s *SMTPNotifier) Notify(ctx context.Context, n Notification) error {
	raw, err := s.o.Recipient(ctx, n.Owner)
	if err != nil {
		return fmt.Errorf("mailbox: smtp: recipient: %w", err)
	}
	if strings.ContainsAny(raw, "\r\n") {
		return fmt.Errorf("%w: the address contains a line break", ErrNoRecipient)
	}
	to, err := mail.ParseAddress(raw)
	if err != nil {
		return fmt.Errorf("%w: unusable address: %v", ErrNoRecipient, err)
	}
	msg, err := s.compose(to)
	if err != nil {
		return err
	}
	if err := s.send(ctx, to.Address, msg); err != nil {
		return fmt.Errorf("mailbox: smtp: notify about %s: %w", n.MessageID, err)
	}
	return nil
}

// compose writes the e-mail. Only the recipient's address, the fixed text and the link go in.
func (s *SMTPNotifier) compose(to *mail.Address) ([]byte, error) {
	var b bytes.Buffer
	domain := s.from.Address[strings.LastIndexByte(s.from.Address, '@')+1:]
	fmt.Fprintf(&b, "From: %s\r\n", s.from.String())
	fmt.Fprintf(&b, "To: <%s>\r\n", to.Address)
	fmt.Fprintf(&b, "Subject: %s\r\n", NotificationSubject)
	fmt.Fprintf(&b, "Date: %s\r\n", s.o.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", strings.ToLower(rand.Text()), domain)
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n")
	b.WriteString("Auto-Submitted: auto-generated\r\n")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	text := "Guten Tag,\n\n" + NotificationSubject + ".\n\n" +
		"Sie können die Nachricht lesen, nachdem Sie sich angemeldet haben:\n" + s.o.Link + "\n\n" +
		"Aus Datenschutzgründen enthält diese E-Mail keine Inhalte der Nachricht.\n" +
		"Diese E-Mail wurde automatisch erstellt. Bitte antworten Sie nicht darauf.\n\n" +
		"--\nYou have a new message in your mailbox: " + s.o.Link + "\n"
	if _, err := qp.Write([]byte(text)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (s *SMTPNotifier) send(ctx context.Context, to string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.o.Addr)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello(s.o.LocalName); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := s.o.TLSConfig
		if cfg == nil {
			cfg = &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	} else if !s.o.AllowPlaintext {
		return errors.New("server offers no STARTTLS and AllowPlaintext is off")
	}
	if s.o.Auth != nil {
		if err := c.Auth(s.o.Auth); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
