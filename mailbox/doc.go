// Package mailbox is the citizen's Postfach: receipts (Eingangsbestätigungen), status messages,
// queries (Rückfragen) and notices (Bescheide) sent by the authority, readable only by their
// owner at a sufficient trust level (Vertrauensniveau).
//
// mailbox is a leaf package: it imports nothing else of ozgkit (only internal/problem). The
// trust level is its own [Level], with the values and order of identity.Level, and the
// attachment store is its own [BlobStore], with the method set of ozg/evidence.BlobStore.
//
// # Messages
//
// A [Message] has a [Kind] (receipt, status, query, notice, general, and the citizen's reply),
// a subject of at most 255 characters, a plain-text body of at most 64 KiB, the sender, the
// application and service it is about, the minimum [Level] needed to read it, attachments
// (name, media type, size, SHA-512, blob key), and for status messages a [Status] of the BundID
// vocabulary. [Message.Validate] checks every rule and names every wrong field in a
// *[ValidationError], in German and English.
//
// # Sending and reading
//
// [Mailbox] is what a portal uses. The authority's side calls [Mailbox.Send] with a [Draft];
// attachments are streamed to the [BlobStore] while their size is bounded and their SHA-512
// computed. The citizen's side lists ([Mailbox.List], newest first, with HMAC-signed cursors,
// an unread count and filters by application and kind), reads ([Mailbox.Read], which marks the
// message read), downloads attachments ([Mailbox.OpenAttachment], streamed and checked against
// the recorded hash) and answers queries ([Mailbox.Reply], handed to Options.OnReply). Every
// citizen operation is by owner: another citizen's message is [ErrNotFound], and a message
// above the login's level is a *[LevelError].
//
// # HTTP
//
// [NewHandler] serves the JSON routes GET /mailbox, GET /mailbox/{id},
// GET /mailbox/{id}/attachments/{n} and POST /mailbox/{id}/reply, with errors as RFC 7807
// problem documents. The portal tells it who is asking with a [CitizenFunc].
//
// # Notifications
//
// After a message is stored, the [Notifier] (for example [SMTPNotifier], which e-mails "Sie
// haben eine neue Nachricht in Ihrem Postfach" with a link and no personal content) is called.
// A failed notification never loses the message: its state is kept in the [Store] and
// [Mailbox.RetryNotifications] (or [Mailbox.Run]) retries it with exponential backoff.
//
// # Storage
//
// [Store] is the provider interface, its contract in its doc comment; [MemoryStore] keeps
// messages in memory, indexed per owner; mailbox/mailboxtest holds the conformance suite and
// the benchmark every implementation runs.
//
// # Retention
//
// A store that is also an [Expirer] walks a service's messages oldest first and deletes them;
// [Mailbox.Expire] deletes (or, in a dry run, counts) one batch of those older than a time,
// attachments first, so that a service's retention period for Postfach messages
// (Löschfrist) can be kept. ozg.Sweeper calls it.
package mailbox
