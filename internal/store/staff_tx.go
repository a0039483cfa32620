package store

import (
	"context"
	"database/sql"

	"portico/internal/access"
)

// StaffTx is one write transaction on behalf of a staff member. Its methods are the
// data steps a use case in package app composes; each reads or writes only inside
// the member's tenant, so none takes a company id. Get one from StaffView.Tx; it
// is valid only while the function given to Tx runs.
type StaffTx struct {
	s     *Store
	tx    *sql.Tx
	staff access.Staff
}

// Tx runs fn in one transaction bound to the view's staff member, who must hold
// the permission perm (EFORBIDDEN otherwise, before anything is read). It commits
// when fn returns nil and rolls back everything fn did when it returns an error.
// Naming the permission here means no transaction on a member's behalf is opened
// without one being checked.
func (view *StaffView) Tx(ctx context.Context, perm string, fn func(tx *StaffTx) error) error {
	s, staff := view.s, view.staff
	if err := staff.Require(perm); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		return fn(&StaffTx{s: s, tx: tx, staff: staff})
	})
}

// Audit records in the tenant's audit log that the staff member did action to
// subject; the entry is written or rolled back with the rest of the transaction.
func (t *StaffTx) Audit(ctx context.Context, action, subject string) error {
	return t.s.audit(ctx, t.tx, t.staff, action, subject)
}

// QueuedMail is a message for the outbox of the staff member's tenant.
type QueuedMail struct {
	Kind         string // one of the Mail… kinds
	To           string
	PortalUserID int64 // the portal user the message is about; 0 when none
	ClientID     int64 // the client the message is about; 0 when none
}

// EnqueueMail adds the message to the tenant's outbox and returns its id. The mail
// worker sends it only once the transaction commits, and never if it rolls back.
func (t *StaffTx) EnqueueMail(ctx context.Context, m QueuedMail) (int64, error) {
	return t.s.enqueueMail(ctx, t.tx, OutboxMessage{CompanyID: t.staff.CompanyID(), Kind: m.Kind, To: m.To,
		PortalUserID: m.PortalUserID, ClientID: m.ClientID})
}
