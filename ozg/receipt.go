package ozg

import (
	"context"
	"errors"
	"fmt"

	"github.com/ozgkit/ozgkit/mailbox"
)

// OnDelivered returns the outbox hook (OutboxOptions.OnDelivered) that completes a delivery:
// the application moves to delivered, and when mb is not nil the citizen receives the receipt
// (Eingangsbestätigung) in their mailbox, readable at the service's trust level.
func OnDelivered(catalog *Catalog, apps *Applications, mb *mailbox.Mailbox) func(ctx context.Context, s *Submission, r Receipt) error {
	return func(ctx context.Context, s *Submission, r Receipt) error {
		_, err := apps.Advance(ctx, s.ApplicationID, StateDelivered, "delivered: "+r.ID)
		if err != nil && !errors.Is(err, ErrInvalidTransition) { // already moved on: a repeated delivery
			return fmt.Errorf("ozg: after delivery of %s: %w", s.ID, err)
		}
		if mb == nil {
			return nil
		}
		svc, err := catalog.Service(s.ServiceID)
		if err != nil {
			return err
		}
		_, err = mb.Send(ctx, receiptMessage(svc, s))
		if err != nil {
			return fmt.Errorf("ozg: receipt for %s: %w", s.ID, err)
		}
		return nil
	}
}

// receiptMessage is the Eingangsbestätigung of a delivered submission.
func receiptMessage(svc *Service, s *Submission) mailbox.Draft {
	body := fmt.Sprintf("Guten Tag,\n\nIhr Antrag „%s“ ist am %s bei %s eingegangen.\n\nAktenzeichen: %s\n",
		svc.Name, s.SubmittedAt.In(berlin()).Format("02.01.2006 um 15:04 Uhr"), svc.Authority.Name, s.Reference)
	if len(s.Attachments) > 0 {
		body += fmt.Sprintf("Eingereichte Nachweise: %d\n", len(s.Attachments))
	}
	if s.Payment != nil {
		body += fmt.Sprintf("Bezahlte Gebühr: %s Euro (Kassenzeichen %s)\n", euroDE(s.Payment.GrossAmount), s.Payment.Reference)
	}
	if svc.ProcessingDays > 0 {
		body += fmt.Sprintf("\nDie Bearbeitung dauert in der Regel etwa %d Tage. Den Bescheid erhalten Sie in diesem Postfach.\n", svc.ProcessingDays)
	}
	body += "\nMit freundlichen Grüßen\n" + svc.Authority.Name
	return mailbox.Draft{
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
