package portal

import (
	"context"
	"fmt"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
)

// OnDelivered returns the outbox's work after a delivery (ozg.OutboxOptions.OnDelivered): the
// receipt (Eingangsbestätigung) in the citizen's mailbox, readable at the service's trust
// level. The outbox has already moved the application to delivered in the same transaction
// that recorded the delivery, and retries this until it succeeds; the message's key makes a
// repeated call send nothing twice.
func OnDelivered(catalog *ozg.Catalog, mb *mailbox.Mailbox) func(ctx context.Context, s *ozg.Submission, r ozg.Receipt) error {
	return onDeliveredWith(catalog, mb, nil)
}

// onDeliveredWith is OnDelivered with attachments for the receipt (attach may be nil).
func onDeliveredWith(catalog *ozg.Catalog, mb *mailbox.Mailbox, attach func(*ozg.Service, *ozg.Submission) ([]mailbox.NewAttachment, error)) func(ctx context.Context, s *ozg.Submission, r ozg.Receipt) error {
	return func(ctx context.Context, s *ozg.Submission, r ozg.Receipt) error {
		svc, err := catalog.Service(s.ServiceID)
		if err != nil {
			return err
		}
		d := receiptMessage(svc, s)
		if attach != nil {
			if d.Attachments, err = attach(svc, s); err != nil {
				return fmt.Errorf("portal: receipt for %s: attachments: %w", s.ID, err)
			}
		}
		if _, err := mb.Send(ctx, d); err != nil {
			return fmt.Errorf("portal: receipt for %s: %w", s.ID, err)
		}
		return nil
	}
}

// receiptMessage is the Eingangsbestätigung of a delivered submission.
func receiptMessage(svc *ozg.Service, s *ozg.Submission) mailbox.Draft {
	body := fmt.Sprintf("Guten Tag,\n\nIhr Antrag „%s“ ist am %s bei %s eingegangen.\n\nAktenzeichen: %s\n",
		svc.Name, s.SubmittedAt.In(berlin()).Format("02.01.2006 um 15:04 Uhr"), svc.Authority.Name, s.Reference)
	switch n := len(s.Attachments); n {
	case 0:
	case 1:
		body += "Eingereichte Nachweise: 1 Datei\n"
	default:
		body += fmt.Sprintf("Eingereichte Nachweise: %d Dateien\n", n)
	}
	if s.Payment != nil {
		body += fmt.Sprintf("Bezahlte Gebühr: %s (Kassenzeichen %s)\n", ozg.EuroDE(s.Payment.GrossAmount), s.Payment.Reference)
	}
	if svc.ProcessingDays > 0 {
		body += fmt.Sprintf("\nDie Bearbeitung dauert in der Regel etwa %d Tage. Den Bescheid erhalten Sie in diesem Postfach.\n", svc.ProcessingDays)
	}
	body += "\nMit freundlichen Grüßen\n" + svc.Authority.Name
	return mailbox.Draft{
		Key:         "receipt:" + s.ID,
		Owner:       s.Owner,
		Kind:        mailbox.KindReceipt,
		Status:      mailbox.StatusReceived,
		Subject:     "Eingangsbestätigung: " + svc.Name,
		Body:        body,
		Sender:      mailbox.Sender{Name: svc.Authority.Name, Reference: s.Reference},
		Application: s.ApplicationID,
		Service:     svc.ID,
		MinLevel:    mailbox.Level(svc.Level),
	}
}
