// Package mailbox is the citizen's Postfach: receipts (Eingangsbestätigungen), status messages,
// queries (Rückfragen) and notices (Bescheide) sent by the authority, readable only by their
// owner at a sufficient trust level.
//
// mailbox is a leaf package: it imports nothing else of ozgkit.
package mailbox
