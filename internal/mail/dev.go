package mail

import (
	"context"
	"errors"
	"log/slog"
)

// DevStore keeps the emails of demo mode.
type DevStore interface {
	// AddDevMail files e in the company's dev mailbox.
	AddDevMail(ctx context.Context, companyID int64, e *Email) error
}

// DevMailbox is the Sender of demo mode: instead of sending, it files each email
// in the tenant's mailbox page (by Email.CompanyID) and logs that it did.
type DevMailbox struct {
	Store DevStore
	Log   *slog.Logger // slog.Default() when nil
}

// Send files e in the dev mailbox. It logs the recipient and subject, never the
// body: the body holds one-time links.
func (d *DevMailbox) Send(ctx context.Context, e *Email) error {
	if e.CompanyID == 0 {
		return errors.New("mail: dev mailbox: the email names no company")
	}
	if err := d.Store.AddDevMail(ctx, e.CompanyID, e); err != nil {
		return err
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	log.Info("mail delivered to dev mailbox", "company_id", e.CompanyID, "to", e.To, "subject", e.Subject)
	return nil
}
