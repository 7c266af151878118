package casework

import (
	"bytes"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework/document"
)

// SummaryAttachment renders the Antragsübersicht of sub as a PDF attachment for a mailbox
// message, for example the citizen's receipt (Eingangsbestätigung).
func SummaryAttachment(svc *ozg.Service, sub *ozg.Submission) (mailbox.NewAttachment, error) {
	var b bytes.Buffer
	if err := document.WriteSummary(&b, document.Summary{Service: svc, Submission: sub}); err != nil {
		return mailbox.NewAttachment{}, err
	}
	return mailbox.NewAttachment{Name: "Antragsuebersicht-" + fileSafe(sub.Reference) + ".pdf", MediaType: "application/pdf", Content: &b}, nil
}
