package mailbox

import (
	"fmt"
	"html"
	"html/template"
	"mime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds of a message. Every text and count from outside is checked against them.
const (
	MaxSubjectLength   = 255      // characters of Message.Subject
	MaxBodySize        = 64 << 10 // bytes of Message.Body
	MaxNameLength      = 255      // characters of Sender.Name, Attachment.Name, Message.Owner
	MaxReferenceLength = 100      // characters of references and ids (Sender.Reference, Application, Service)
	MaxIDLength        = 64       // characters of Message.ID: [A-Za-z0-9_-]
	MaxAttachments     = 20       // attachments of one message
	MaxMediaTypeLength = 255      // characters of Attachment.MediaType
)

// Kind is what a message is for.
type Kind string

// The kinds of message.
const (
	// KindReceipt: Eingangsbestätigung, the receipt of a submitted application.
	KindReceipt Kind = "receipt"
	// KindStatus: a change of the application's processing status; carries a [Status].
	KindStatus Kind = "status"
	// KindQuery: Rückfrage, a question of the authority that the citizen may answer.
	KindQuery Kind = "query"
	// KindNotice: Bescheid, the authority's decision.
	KindNotice Kind = "notice"
	// KindGeneral: any other message of the authority.
	KindGeneral Kind = "general"
	// KindReply: the citizen's answer to a query, written with [Mailbox.Reply].
	KindReply Kind = "reply"
)

// Valid reports whether k is one of the defined kinds.
func (k Kind) Valid() bool {
	switch k {
	case KindReceipt, KindStatus, KindQuery, KindNotice, KindGeneral, KindReply:
		return true
	}
	return false
}

// Status is an application's processing status in the vocabulary of the BundID mailbox.
type Status string

// The BundID status values.
const (
	StatusInitiated      Status = "INITIATED"
	StatusSubmitted      Status = "SUBMITTED"
	StatusReceived       Status = "RECEIVED"
	StatusProcessing     Status = "PROCESSING"
	StatusActionRequired Status = "ACTION_REQUIRED"
	StatusCompleted      Status = "COMPLETED"
)

// Valid reports whether s is one of the BundID status values.
func (s Status) Valid() bool {
	switch s {
	case StatusInitiated, StatusSubmitted, StatusReceived, StatusProcessing, StatusActionRequired, StatusCompleted:
		return true
	}
	return false
}

// Sender is the authority that sent a message.
type Sender struct {
	// Name of the authority, e.g. "Stadt Musterstadt, Wohngeldstelle". Required except on replies.
	Name string `json:"name"`
	// Reference is the authority's file number (Aktenzeichen), if any.
	Reference string `json:"reference,omitempty"`
}

// Attachment describes one file of a message. Its bytes live in a [BlobStore] under BlobKey.
type Attachment struct {
	// Name is the file name shown to the citizen. It is never used as a path.
	Name string `json:"name"`
	// MediaType is the declared media type, e.g. "application/pdf".
	MediaType string `json:"mediaType"`
	// Size in bytes.
	Size int64 `json:"size"`
	// SHA512 is the lowercase hex SHA-512 of the bytes.
	SHA512 string `json:"sha512"`
	// BlobKey is the key of the bytes in the blob store; it is not shown to the citizen.
	BlobKey string `json:"-"`
}

// NotificationState tracks the notification that tells the citizen of a new message (or, for a
// reply, the hand-over to the reply hook). A message is stored before it is notified, so a
// failing notification never loses it; failed notifications are retried.
type NotificationState struct {
	// Attempts counts the attempts made so far.
	Attempts int `json:"attempts"`
	// Next is when the next attempt is due; zero once Done is set.
	Next time.Time `json:"next,omitzero"`
	// Done is when the notification succeeded or was given up; zero while pending.
	Done time.Time `json:"done,omitzero"`
	// GaveUp is set when the attempts were exhausted.
	GaveUp bool `json:"gaveUp,omitempty"`
}

// Pending reports whether the notification still has to be sent.
func (n NotificationState) Pending() bool { return n.Done.IsZero() }

// Message is one message in a citizen's mailbox (Postfach).
type Message struct {
	// ID identifies the message: 1 to 64 characters of [A-Za-z0-9_-].
	ID string `json:"id"`
	// Owner is the citizen's subject (the stable pseudonymous id of the identity provider).
	Owner string `json:"owner"`
	Kind  Kind   `json:"kind"`
	// Status is required for KindStatus messages and optional otherwise.
	Status Status `json:"status,omitempty"`
	// Subject: 1 to 255 characters, one line.
	Subject string `json:"subject"`
	// Body is plain text of at most 64 KiB; line breaks and tabs are its only control
	// characters. It is never interpreted as HTML: use [Message.BodyHTML] to render it.
	Body   string `json:"body"`
	Sender Sender `json:"sender"`
	// Application identifies the application (Antrag) the message is about, if any: the portal's
	// application id (the Aktenzeichen travels in Sender.Reference). Listings filter by it.
	Application string `json:"application,omitempty"`
	// Service is the id of the service (Verwaltungsleistung) the message is about, if any.
	Service string `json:"service,omitempty"`
	// MinLevel is the trust level a login needs to read the message. BundID's rule: a message
	// sent at a higher level is not readable after a lower-level login.
	MinLevel    Level        `json:"minLevel"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Created     time.Time    `json:"created"`
	// ReadAt is when the owner first read the message; zero while unread.
	ReadAt time.Time `json:"readAt,omitzero"`
	// ReplyAllowed marks a query the citizen may answer with [Mailbox.Reply].
	ReplyAllowed bool `json:"replyAllowed,omitempty"`
	// Due is the date by which an answer or action is due, if any.
	Due time.Time `json:"due,omitzero"`
	// InReplyTo is, on a reply, the id of the query it answers.
	InReplyTo string `json:"inReplyTo,omitempty"`
	// ReplyID is, on a query, the id of the citizen's reply once there is one.
	ReplyID string `json:"replyId,omitempty"`
	// Notification is the state of the new-message notification; kept by the store.
	Notification NotificationState `json:"-"`
}

// Unread reports whether the owner has not read the message yet.
func (m *Message) Unread() bool { return m.ReadAt.IsZero() }

// BodyHTML renders the plain-text body as HTML: every character is escaped and line breaks
// become <br>. Script or markup in the body is shown as text, never run.
func (m *Message) BodyHTML() template.HTML {
	s := html.EscapeString(m.Body)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\n", "<br>\n")
	return template.HTML(s) //nolint:gosec // escaped above
}

// Clone returns a deep copy of m, so stores can hand out messages without sharing state.
func (m Message) Clone() Message {
	if m.Attachments != nil {
		m.Attachments = append([]Attachment(nil), m.Attachments...)
	}
	return m
}

// Validate checks every rule of a message: bounds, characters, kinds, the status vocabulary,
// attachments. It returns a *[ValidationError] naming every wrong field, or nil.
func (m *Message) Validate() error {
	v := &ValidationError{}
	checkID(v, "id", m.ID, true)
	checkLine(v, "owner", m.Owner, MaxNameLength, true)
	if !m.Kind.Valid() {
		v.add("kind", "invalid", fmt.Sprintf("Unbekannte Nachrichtenart %q.", m.Kind),
			fmt.Sprintf("unknown kind %q (want receipt, status, query, notice, general or reply)", m.Kind))
	}
	switch {
	case m.Status == "" && m.Kind == KindStatus:
		v.add("status", "required", "Eine Statusnachricht braucht einen Status.", "a status message needs a status")
	case m.Status != "" && !m.Status.Valid():
		v.add("status", "invalid", fmt.Sprintf("Unbekannter Status %q.", m.Status),
			fmt.Sprintf("unknown status %q (want INITIATED, SUBMITTED, RECEIVED, PROCESSING, ACTION_REQUIRED or COMPLETED)", m.Status))
	}
	checkLine(v, "subject", m.Subject, MaxSubjectLength, true)
	checkBody(v, "body", m.Body)
	checkLine(v, "sender/name", m.Sender.Name, MaxNameLength, m.Kind != KindReply)
	checkLine(v, "sender/reference", m.Sender.Reference, MaxReferenceLength, false)
	checkLine(v, "application", m.Application, MaxReferenceLength, false)
	checkLine(v, "service", m.Service, MaxReferenceLength, false)
	if !m.MinLevel.Valid() {
		v.add("minLevel", "invalid", "Unbekanntes Vertrauensniveau.", fmt.Sprintf("unknown trust level %d", int(m.MinLevel)))
	}
	if len(m.Attachments) > MaxAttachments {
		v.add("attachments", "maxItems", fmt.Sprintf("Höchstens %d Anhänge sind erlaubt.", MaxAttachments),
			fmt.Sprintf("%d attachments, at most %d allowed", len(m.Attachments), MaxAttachments))
	} else {
		for i := range m.Attachments {
			checkAttachment(v, fmt.Sprintf("attachments/%d", i), &m.Attachments[i])
		}
	}
	if m.Created.IsZero() {
		v.add("created", "required", "Das Erstellungsdatum fehlt.", "created is missing")
	}
	if m.ReplyAllowed && m.Kind != KindQuery {
		v.add("replyAllowed", "notAllowed", "Nur auf Rückfragen kann geantwortet werden.", "only queries allow a reply")
	}
	if m.Kind == KindReply {
		checkID(v, "inReplyTo", m.InReplyTo, true)
		if len(m.Attachments) > 0 {
			v.add("attachments", "notAllowed", "Antworten haben keine Anhänge.", "replies carry no attachments")
		}
	} else if m.InReplyTo != "" {
		v.add("inReplyTo", "notAllowed", "Nur Antworten beziehen sich auf eine Rückfrage.", "only replies refer to a query")
	}
	if m.ReplyID != "" {
		if m.Kind != KindQuery {
			v.add("replyId", "notAllowed", "Nur Rückfragen haben eine Antwort.", "only queries have a reply")
		} else {
			checkID(v, "replyId", m.ReplyID, true)
		}
	}
	return v.orNil()
}

func checkAttachment(v *ValidationError, field string, a *Attachment) {
	checkLine(v, field+"/name", a.Name, MaxNameLength, true)
	if a.Name == "." || a.Name == ".." || strings.ContainsAny(a.Name, `/\`) {
		v.add(field+"/name", "invalid", "Der Dateiname darf keine Pfadangabe enthalten.", "the file name must not contain a path")
	}
	for _, r := range a.Name {
		if unicode.Is(unicode.Bidi_Control, r) {
			v.add(field+"/name", "controlCharacter", "Der Dateiname enthält Steuerzeichen für die Schreibrichtung.",
				"the file name contains bidirectional control characters")
			break
		}
	}
	checkLine(v, field+"/mediaType", a.MediaType, MaxMediaTypeLength, true)
	if a.MediaType != "" {
		if _, _, err := mime.ParseMediaType(a.MediaType); err != nil || !strings.Contains(a.MediaType, "/") {
			v.add(field+"/mediaType", "invalid", "Der Medientyp ist ungültig.", fmt.Sprintf("invalid media type %q", a.MediaType))
		}
	}
	if a.Size < 0 {
		v.add(field+"/size", "invalid", "Die Größe ist negativ.", "negative size")
	}
	if !isHex(a.SHA512, 128) {
		v.add(field+"/sha512", "invalid", "Die Prüfsumme ist keine SHA-512-Prüfsumme.", "sha512 must be 128 lowercase hex digits")
	}
	if a.BlobKey == "" || len(a.BlobKey) > 256 {
		v.add(field+"/blobKey", "invalid", "Der Speicherschlüssel fehlt oder ist zu lang.", "blob key missing or longer than 256 bytes")
	}
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validID reports whether s is a well-formed message id.
func validID(s string) bool {
	if s == "" || len(s) > MaxIDLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func checkID(v *ValidationError, field, s string, required bool) {
	switch {
	case s == "" && required:
		v.add(field, "required", "Die Kennung fehlt.", field+" is missing")
	case s != "" && !validID(s):
		v.add(field, "invalid", "Die Kennung ist ungültig.",
			fmt.Sprintf("%s must be 1 to %d characters of A-Z, a-z, 0-9, - and _", field, MaxIDLength))
	}
}

// checkLine checks a one-line text: valid UTF-8, no control characters, at most max characters.
func checkLine(v *ValidationError, field, s string, max int, required bool) {
	if s == "" {
		if required {
			v.add(field, "required", "Dieses Feld darf nicht leer sein.", field+" is required")
		}
		return
	}
	if !utf8.ValidString(s) {
		v.add(field, "invalid", "Der Text ist kein gültiges UTF-8.", field+" is not valid UTF-8")
		return
	}
	if n := utf8.RuneCountInString(s); n > max {
		v.add(field, "maxLength", fmt.Sprintf("Höchstens %d Zeichen sind erlaubt, es sind %d.", max, n),
			fmt.Sprintf("%s has %d characters, at most %d allowed", field, n, max))
	}
	if strings.TrimSpace(s) == "" && required {
		v.add(field, "required", "Dieses Feld darf nicht nur aus Leerzeichen bestehen.", field+" is blank")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			v.add(field, "controlCharacter", fmt.Sprintf("Das Feld enthält das Steuerzeichen U+%04X.", r),
				fmt.Sprintf("%s contains the control character U+%04X", field, r))
			return
		}
	}
}

// checkBody checks a plain-text body: valid UTF-8, at most MaxBodySize bytes, no control
// characters other than line feed, carriage return and tab.
func checkBody(v *ValidationError, field, s string) {
	if len(s) > MaxBodySize {
		v.add(field, "maxLength", fmt.Sprintf("Der Text ist %d Bytes lang, erlaubt sind %d.", len(s), MaxBodySize),
			fmt.Sprintf("%s has %d bytes, at most %d allowed", field, len(s), MaxBodySize))
		return
	}
	if !utf8.ValidString(s) {
		v.add(field, "invalid", "Der Text ist kein gültiges UTF-8.", field+" is not valid UTF-8")
		return
	}
	for _, r := range s {
		if r != '\n' && r != '\r' && r != '\t' && unicode.IsControl(r) {
			v.add(field, "controlCharacter", fmt.Sprintf("Der Text enthält das Steuerzeichen U+%04X.", r),
				fmt.Sprintf("%s contains the control character U+%04X", field, r))
			return
		}
	}
}
