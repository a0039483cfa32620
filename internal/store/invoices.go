package store

import (
	"context"
	"database/sql"
	"fmt"

	"portico/internal/access"
	"portico/internal/domain"
)

const invoiceColumns = docColumns + `, d.due_date, d.paid_at, d.voided_at`

// scanInvoice reads a row of invoiceColumns; today decides whether a sent invoice
// is overdue.
func scanInvoice(row interface{ Scan(...any) error }, today domain.Day) (*domain.Invoice, error) {
	inv := &domain.Invoice{}
	dest, finish := docDest(&inv.BillingDoc)
	var due string
	var paid, voided sql.NullInt64
	if err := row.Scan(append(dest, &due, &paid, &voided)...); err != nil {
		return nil, err
	}
	if err := finish(); err != nil {
		return nil, err
	}
	var err error
	if inv.DueDate, err = parseStoredDay(due, "due date"); err != nil {
		return nil, err
	}
	inv.PaidAt, inv.VoidedAt = nullMicros(paid), nullMicros(voided)
	inv.Overdue = inv.Status == domain.InvoiceSent && inv.DueDate.Before(today)
	return inv, nil
}

// invoiceState is the condition for invoices d in a shown state (draft, sent —
// meaning not yet due —, overdue, paid, void); "" or an unknown state is every invoice.
func invoiceState(state string, today domain.Day) cond {
	switch state {
	case domain.InvoiceSent:
		return and(expr("d.status = 'sent'"), expr("d.due_date >= ?", today.String()))
	case domain.InvoiceOverdue:
		return and(expr("d.status = 'sent'"), expr("d.due_date < ?", today.String()))
	case domain.InvoiceDraft, domain.InvoicePaid, domain.InvoiceVoid:
		return eq("d.status", state)
	}
	return always()
}

// BillingFilter narrows a list of invoices or estimates.
type BillingFilter struct {
	ClientID  int64  // staff lists: the client (required)
	ProjectID int64  // only documents of this project; 0 = any
	State     string // a shown state, e.g. "overdue" or "expired"; "" = all
	domain.ListOptions
}

func (s *Store) collectInvoices(ctx context.Context, today domain.Day, query string, args ...any) ([]*domain.Invoice, error) {
	return invoiceDocs.collect(ctx, s, today, query, args...)
}

// Invoices lists one page of a client's invoices, newest issue date first, drafts
// and void ones included. A client of another tenant has none.
func (view *StaffView) Invoices(ctx context.Context, f BillingFilter) ([]*domain.Invoice, domain.PageInfo, error) {
	s, staff := view.s, view.staff
	return invoiceDocs.list(ctx, s, staff, f)
}

// Invoice returns invoice id of client clientID with its lines, or ENOTFOUND.
func (view *StaffView) Invoice(ctx context.Context, clientID, id int64) (*domain.Invoice, error) {
	s, staff := view.s, view.staff
	return s.invoice(ctx, s.db, staff.CompanyID(), eq("d.client_id", clientID), id)
}

// invoice loads one invoice of the company with its lines and client, under an
// extra condition on d (and its joins).
func (s *Store) invoice(ctx context.Context, q querier, companyID int64, c cond, id int64) (*domain.Invoice, error) {
	return invoiceDocs.load(ctx, s, q, companyID, c, id)
}

// CreateInvoice adds a draft invoice to client inv.ClientID, optionally tied to
// one of its projects, and fills inv.ID. It needs billing.manage and returns
// EINVALID naming each bad field or line.
func (view *StaffView) CreateInvoice(ctx context.Context, inv *domain.Invoice) error {
	s, staff := view.s, view.staff
	return s.createDoc(ctx, staff, invoiceKind, &inv.BillingDoc, inv.Validate, inv.DueDate)
}

// UpdateInvoice replaces the fields and lines of draft invoice inv.ID of client
// inv.ClientID. A sent invoice cannot change any more (ECONFLICT); a missing one
// is ENOTFOUND. It needs billing.manage.
func (view *StaffView) UpdateInvoice(ctx context.Context, inv *domain.Invoice) error {
	s, staff := view.s, view.staff
	return s.updateDoc(ctx, staff, invoiceKind, &inv.BillingDoc, inv.Validate, inv.DueDate)
}

// DeleteInvoice deletes a draft invoice. A sent one is kept for the books
// (ECONFLICT: void it instead). It needs billing.manage.
func (view *StaffView) DeleteInvoice(ctx context.Context, clientID, id int64) error {
	s, staff := view.s, view.staff
	return s.deleteDoc(ctx, staff, invoiceKind, clientID, id)
}

// SendInvoice marks a draft invoice as sent: it gets the tenant's next invoice
// number of its issue year and becomes visible in the portal. An invoice without
// lines, or with a total below zero, is EINVALID; one already sent is ECONFLICT. It needs billing.manage and
// returns the invoice's number.
func (view *StaffView) SendInvoice(ctx context.Context, clientID, id int64) (string, error) {
	s, staff := view.s, view.staff
	return invoiceDocs.send(ctx, s, staff, clientID, id)
}

// MarkInvoicePaid records that a sent (or overdue) invoice was paid. Any other
// status is ECONFLICT. It needs billing.manage.
func (view *StaffView) MarkInvoicePaid(ctx context.Context, clientID, id int64) error {
	s, staff := view.s, view.staff
	return s.moveInvoice(ctx, staff, clientID, id, "invoice.paid", []string{domain.InvoiceSent},
		`status = 'paid', paid_at = ?`, "Only a sent invoice can be marked as paid.")
}

// VoidInvoice cancels a sent or paid invoice: it keeps its number but leaves the
// portal. A draft is deleted instead (ECONFLICT). It needs billing.manage.
func (view *StaffView) VoidInvoice(ctx context.Context, clientID, id int64) error {
	s, staff := view.s, view.staff
	return s.moveInvoice(ctx, staff, clientID, id, "invoice.void", []string{domain.InvoiceSent, domain.InvoicePaid},
		`status = 'void', voided_at = ?`, "Only a sent or paid invoice can be voided; delete a draft instead.")
}

// moveInvoice changes the status of an invoice that is in one of from, setting
// set (which takes the time of the change as its one argument).
func (s *Store) moveInvoice(ctx context.Context, staff access.Staff, clientID, id int64, action string, from []string, set, refusal string) error {
	if err := staff.Require(access.BillingManage); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		status, err := s.docStatus(ctx, tx, invoiceKind, staff.CompanyID(), clientID, id)
		if err != nil {
			return err
		}
		allowed := false
		for _, f := range from {
			allowed = allowed || f == status
		}
		if !allowed {
			return billingConflict("%s", refusal)
		}
		now := micros(s.Now())
		res, err := tx.ExecContext(ctx, s.q(`UPDATE invoices SET `+set+`, updated_at = ? WHERE company_id = ? AND id = ? AND status = ?`),
			now, now, staff.CompanyID(), id, status)
		if err := mustAffect(res, err, "Invoice not found."); err != nil {
			return err
		}
		var number string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(number, '') FROM invoices WHERE company_id = ? AND id = ?`), staff.CompanyID(), id).Scan(&number); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, action, "Invoice "+number)
	})
}

// InvoiceBalance is what a client owes in one currency.
type InvoiceBalance struct {
	Currency    string
	Outstanding domain.Money // sent and not paid, overdue included
	Overdue     domain.Money
	OverdueN    int // how many invoices are overdue
}

// InvoiceBalances sums the client's unpaid invoices per currency.
func (view *StaffView) InvoiceBalances(ctx context.Context, clientID int64) ([]InvoiceBalance, error) {
	s, staff := view.s, view.staff
	today, err := s.billingToday(ctx, s.db, staff.CompanyID())
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT currency, CAST(SUM(total_gross) AS BIGINT),
		CAST(SUM(CASE WHEN due_date < ? THEN total_gross ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN due_date < ? THEN 1 ELSE 0 END) AS BIGINT)
		FROM invoices WHERE company_id = ? AND client_id = ? AND status = 'sent' GROUP BY currency ORDER BY currency`),
		today.String(), today.String(), staff.CompanyID(), clientID)
	if err != nil {
		return nil, fmt.Errorf("store: invoice balances: %w", err)
	}
	defer rows.Close()
	var out []InvoiceBalance
	for rows.Next() {
		var b InvoiceBalance
		var outstanding, overdue int64
		if err := rows.Scan(&b.Currency, &outstanding, &overdue, &b.OverdueN); err != nil {
			return nil, err
		}
		b.Outstanding, b.Overdue = domain.Money(outstanding), domain.Money(overdue)
		out = append(out, b)
	}
	return out, rows.Err()
}
