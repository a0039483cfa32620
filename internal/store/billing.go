package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

// MailEstimateDecision is the outbox kind of the mail telling a tenant that a
// client accepted or declined an estimate.
const MailEstimateDecision = "estimate_decision"

// BillingSettings are a tenant's billing settings.
type BillingSettings struct {
	// NotificationEmail receives clients' decisions on estimates. When empty, they
	// go to every enabled staff member holding billing.manage.
	NotificationEmail string
	// Details are the supplier lines printed on invoices and estimates: address,
	// company and VAT IDs, bank account.
	Details string
}

// BillingSettings returns the staff member's tenant's billing settings.
func (view *StaffView) BillingSettings(ctx context.Context) (BillingSettings, error) {
	return view.s.billingSettings(ctx, view.staff.CompanyID())
}

// BillingSettings returns the billing settings of the portal user's tenant (its
// details are printed on every invoice and estimate).
func (view *PortalView) BillingSettings(ctx context.Context) (BillingSettings, error) {
	return view.s.billingSettings(ctx, view.scope.CompanyID())
}

// billingSettings returns the tenant's billing settings, or ENOTFOUND.
func (s *Store) billingSettings(ctx context.Context, companyID int64) (BillingSettings, error) {
	var b BillingSettings
	err := s.db.QueryRowContext(ctx, s.q(`SELECT notification_email, billing_details FROM companies WHERE id = ?`), companyID).
		Scan(&b.NotificationEmail, &b.Details)
	return b, notFound(err, "Company not found.")
}

// UpdateBillingSettings replaces the tenant's billing settings. It needs
// billing.manage and returns EINVALID for a bad address or over-long details.
func (view *StaffView) UpdateBillingSettings(ctx context.Context, b BillingSettings) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.BillingManage); err != nil {
		return err
	}
	b.NotificationEmail = domain.NormalizeEmail(b.NotificationEmail)
	b.Details = strings.TrimSpace(strings.ReplaceAll(b.Details, "\r\n", "\n"))
	var v domain.Validator
	v.Email("notification_email", b.NotificationEmail)
	v.MaxLen("billing_details", b.Details, 1000)
	if strings.Count(b.Details, "\n") >= 8 {
		v.Add("billing_details", "Use at most 8 lines.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE companies SET notification_email = ?, billing_details = ? WHERE id = ?`),
			b.NotificationEmail, b.Details, staff.CompanyID())
		if err := mustAffect(res, err, "Company not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "billing.settings", "Billing settings")
	})
}

// billingToday is today in the tenant's time zone: the day against which due and
// valid-until days are judged.
func (s *Store) billingToday(ctx context.Context, q querier, companyID int64) (domain.Day, error) {
	var zone string
	if err := q.QueryRowContext(ctx, s.q(`SELECT time_zone FROM companies WHERE id = ?`), companyID).Scan(&zone); err != nil {
		return domain.Day{}, notFound(err, "Company not found.")
	}
	return domain.DayOf(s.Now(), domain.Zone(zone)), nil
}

// nextBillingNumber takes the next number of the kind ("invoice" or "estimate")
// for the tenant and year, in the caller's transaction: "INV-2026-0007". The
// UPDATE holds the sequence row until commit, so concurrent senders queue and get
// consecutive numbers; a rolled-back send gives its number back.
func (s *Store) nextBillingNumber(ctx context.Context, tx *sql.Tx, companyID int64, kind string, year int) (string, error) {
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO billing_sequences (company_id, kind, year, last_value) VALUES (?, ?, ?, 0)
		ON CONFLICT (company_id, kind, year) DO NOTHING`), companyID, kind, year); err != nil {
		return "", fmt.Errorf("store: %s sequence: %w", kind, err)
	}
	var n int64
	if err := tx.QueryRowContext(ctx, s.q(`UPDATE billing_sequences SET last_value = last_value + 1
		WHERE company_id = ? AND kind = ? AND year = ? RETURNING last_value`), companyID, kind, year).Scan(&n); err != nil {
		return "", fmt.Errorf("store: %s number: %w", kind, err)
	}
	prefix := "INV"
	if kind == "estimate" {
		prefix = "EST"
	}
	return fmt.Sprintf("%s-%d-%04d", prefix, year, n), nil
}

// projectOfClient returns EINVALID unless projectID is 0 or a project of the client.
func (s *Store) projectOfClient(ctx context.Context, tx *sql.Tx, companyID, clientID, projectID int64) error {
	if projectID == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM projects WHERE company_id = ? AND client_id = ? AND id = ?`),
		companyID, clientID, projectID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fieldError("project_id", "Choose one of this client's projects.")
	}
	return nil
}

// billingRefs counts the invoices and estimates of a client (projectID 0) or of
// one of its projects, in the caller's transaction, so that deleting the client or
// project can be refused with a reason instead of failing on a foreign key.
func (s *Store) billingRefs(ctx context.Context, tx *sql.Tx, companyID, clientID, projectID int64) (string, error) {
	var parts []string
	for _, t := range []struct{ table, one, many string }{
		{"invoices", "invoice", "invoices"}, {"estimates", "estimate", "estimates"},
	} {
		var n int
		where, args := and(eq("company_id", companyID), eq("client_id", clientID), when(projectID != 0, eq("project_id", projectID))).where()
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM `+t.table+` WHERE `+where), args...).Scan(&n); err != nil {
			return "", fmt.Errorf("store: billing references: %w", err)
		}
		if n > 0 {
			parts = append(parts, plural(n, t.one, t.many))
		}
	}
	return joinAnd(parts), nil
}

// ---- lines

func (s *Store) writeLines(ctx context.Context, tx *sql.Tx, table, docCol string, companyID, docID int64, lines []domain.Line) error {
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+table+` WHERE company_id = ? AND `+docCol+` = ?`), companyID, docID); err != nil {
		return fmt.Errorf("store: clear lines: %w", err)
	}
	for i, l := range lines {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO `+table+` (company_id, `+docCol+`, position, description, quantity, unit, unit_price, vat_rate)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), companyID, docID, i+1, l.Description, int64(l.Quantity), l.Unit, int64(l.UnitPrice), int64(l.VATRate)); err != nil {
			return fmt.Errorf("store: write line: %w", err)
		}
	}
	return nil
}

func (s *Store) readLines(ctx context.Context, q querier, table, docCol string, companyID, docID int64) ([]domain.Line, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT description, quantity, unit, unit_price, vat_rate FROM `+table+`
		WHERE company_id = ? AND `+docCol+` = ? ORDER BY position`), companyID, docID)
	if err != nil {
		return nil, fmt.Errorf("store: lines: %w", err)
	}
	defer rows.Close()
	var out []domain.Line
	for rows.Next() {
		var l domain.Line
		var qty, price, rate int64
		if err := rows.Scan(&l.Description, &qty, &l.Unit, &price, &rate); err != nil {
			return nil, err
		}
		l.Quantity, l.UnitPrice, l.VATRate = domain.Quantity(qty), domain.Money(price), domain.Rate(rate)
		out = append(out, l)
	}
	return out, rows.Err()
}

// ---- scanning

// docFrom joins a document (alias d) with its client, its project and the
// project's site; table is "invoices" or "estimates".
func docFrom(table string) string {
	return ` FROM ` + table + ` d JOIN clients c ON c.company_id = d.company_id AND c.id = d.client_id
	LEFT JOIN projects p ON p.company_id = d.company_id AND p.id = d.project_id
	LEFT JOIN sites st ON st.company_id = p.company_id AND st.id = p.site_id `
}

// docColumns are the columns every document query selects first, in scanDoc's order.
const docColumns = `d.id, d.company_id, d.client_id, c.name, COALESCE(d.project_id, 0), COALESCE(p.name, ''),
	COALESCE(p.site_id, 0), COALESCE(st.name, ''), COALESCE(d.number, ''), d.title, d.status, d.issue_date, d.currency, d.note,
	d.total_net, d.total_vat, d.total_gross, d.sent_at, d.created_at, d.updated_at`

// docDest returns the scan destinations of docColumns and a function that
// finishes d once scanned.
func docDest(d *domain.BillingDoc) ([]any, func() error) {
	var issue string
	var net, vat, gross, created, updated int64
	var sent sql.NullInt64
	dest := []any{&d.ID, &d.CompanyID, &d.ClientID, &d.ClientName, &d.ProjectID, &d.ProjectName, &d.SiteID, &d.SiteName,
		&d.Number, &d.Title, &d.Status, &issue, &d.Currency, &d.Note, &net, &vat, &gross, &sent, &created, &updated}
	return dest, func() error {
		var ok bool
		if d.IssueDate, ok = domain.ParseDay(issue); !ok {
			return fmt.Errorf("store: document %d: bad issue date %q", d.ID, issue)
		}
		d.Totals = domain.Totals{Net: domain.Money(net), VAT: domain.Money(vat), Gross: domain.Money(gross)}
		d.SentAt, d.CreatedAt, d.UpdatedAt = nullMicros(sent), fromMicros(created), fromMicros(updated)
		return nil
	}
}

func parseStoredDay(s, what string) (domain.Day, error) {
	d, ok := domain.ParseDay(s)
	if !ok {
		return d, fmt.Errorf("store: bad %s %q", what, s)
	}
	return d, nil
}

// withClient fills the document's Client with the billing address and IDs
// printed on it.
func (s *Store) withClient(ctx context.Context, q querier, d *domain.BillingDoc) error {
	c := &domain.Client{ID: d.ClientID, CompanyID: d.CompanyID}
	err := q.QueryRowContext(ctx, s.q(`SELECT name, company_number, tax_id, vat_id, street, city, postal_code, country
		FROM clients WHERE company_id = ? AND id = ?`), d.CompanyID, d.ClientID).
		Scan(&c.Name, &c.CompanyNumber, &c.TaxID, &c.VATID, &c.Street, &c.City, &c.PostalCode, &c.Country)
	if err != nil {
		return fmt.Errorf("store: document client: %w", err)
	}
	d.Client = c
	return nil
}

// billingConflict is an ECONFLICT error with a message for the user.
func billingConflict(format string, args ...any) error {
	return domain.Errorf(domain.ECONFLICT, format, args...)
}

// ---- documents

// docKind names the tables and words of one kind of billing document, so that
// invoices and estimates share one implementation of what they have in common.
type docKind struct {
	kind          string // "invoice" or "estimate": the numbering sequence and the audit actions' prefix
	label         string // "Invoice", to start a message with
	table         string // "invoices"; its lines are in kind+"_lines", keyed by kind+"_id"
	dayCol        string // the kind's own day: "due_date" or "valid_until"
	editRefusal   string // why a sent document cannot be updated
	deleteRefusal string // why a sent document cannot be deleted
}

var (
	invoiceKind = docKind{kind: "invoice", label: "Invoice", table: "invoices", dayCol: "due_date",
		editRefusal:   "This invoice has been sent and can no longer be edited. Void it and issue a new one instead.",
		deleteRefusal: "Only drafts can be deleted. A sent invoice stays in the books; void it instead."}
	estimateKind = docKind{kind: "estimate", label: "Estimate", table: "estimates", dayCol: "valid_until",
		editRefusal:   "This estimate has been sent and can no longer be edited.",
		deleteRefusal: "Only drafts can be deleted. A sent estimate stays on record."}
)

func (k docKind) linesTable() string { return k.kind + "_lines" }
func (k docKind) docCol() string     { return k.kind + "_id" }
func (k docKind) notFound() string   { return k.label + " not found." }

// docType adds to a docKind how its documents are read into T.
type docType[T any] struct {
	docKind
	columns string                                    // what a query selects, in scan's order
	from    string                                    // the FROM clause, with d as the document
	state   func(state string, today domain.Day) cond // the documents d in a shown state
	scan    func(row interface{ Scan(...any) error }, today domain.Day) (T, error)
	doc     func(T) *domain.BillingDoc
}

var (
	invoiceDocs = docType[*domain.Invoice]{docKind: invoiceKind, columns: invoiceColumns, from: docFrom("invoices"),
		state: invoiceState, scan: scanInvoice, doc: func(inv *domain.Invoice) *domain.BillingDoc { return &inv.BillingDoc }}
	estimateDocs = docType[*domain.Estimate]{docKind: estimateKind, columns: estimateColumns, from: estimateFrom,
		state: estimateState, scan: scanEstimate, doc: func(e *domain.Estimate) *domain.BillingDoc { return &e.BillingDoc }}
)

// collect runs a query of t.columns and scans every row.
func (t docType[T]) collect(ctx context.Context, s *Store, today domain.Day, query string, args ...any) ([]T, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", t.table, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		d, err := t.scan(rows, today)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// list returns one page of a client's documents under filter f, newest issue
// date first, with the page's counts.
func (t docType[T]) list(ctx context.Context, s *Store, staff access.Staff, f BillingFilter) ([]T, domain.PageInfo, error) {
	opts := f.ListOptions.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	today, err := s.billingToday(ctx, s.db, staff.CompanyID())
	if err != nil {
		return nil, info, err
	}
	where, args := and(eq("d.company_id", staff.CompanyID()), eq("d.client_id", f.ClientID),
		when(f.ProjectID != 0, eq("d.project_id", f.ProjectID)), t.state(f.State, today)).where()
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM `+t.table+` d WHERE `+where), args...).Scan(&info.Total); err != nil {
		return nil, info, fmt.Errorf("store: count %s: %w", t.table, err)
	}
	out, err := t.collect(ctx, s, today, `SELECT `+t.columns+t.from+`WHERE `+where+
		` ORDER BY d.issue_date DESC, d.id DESC LIMIT ? OFFSET ?`, append(args, opts.PerPage, opts.Offset())...)
	return out, info, err
}

// load reads one document of the company with its lines and client, under an
// extra condition c on d (and its joins), or returns ENOTFOUND.
func (t docType[T]) load(ctx context.Context, s *Store, q querier, companyID int64, c cond, id int64) (T, error) {
	var zero T
	c = and(eq("d.company_id", companyID), eq("d.id", id), c)
	if c.matchesNothing() {
		return zero, domain.Errorf(domain.ENOTFOUND, "%s", t.notFound())
	}
	today, err := s.billingToday(ctx, q, companyID)
	if err != nil {
		return zero, err
	}
	where, args := c.where()
	v, err := t.scan(q.QueryRowContext(ctx, s.q(`SELECT `+t.columns+t.from+`WHERE `+where), args...), today)
	if err != nil {
		return zero, notFound(err, t.notFound())
	}
	d := t.doc(v)
	if d.Lines, err = s.readLines(ctx, q, t.linesTable(), t.docCol(), companyID, d.ID); err != nil {
		return zero, err
	}
	d.Totals = domain.ComputeTotals(d.Lines)
	return v, s.withClient(ctx, q, d)
}

// createDoc adds draft d of kind k, whose own day (due date, valid until) is
// day, after normalizing it and checking it with validate.
func (s *Store) createDoc(ctx context.Context, staff access.Staff, k docKind, d *domain.BillingDoc, validate func() error, day domain.Day) error {
	if err := prepareDraft(staff, d, validate); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.clientExists(ctx, tx, staff, d.ClientID); err != nil {
			return err
		}
		if err := s.projectOfClient(ctx, tx, staff.CompanyID(), d.ClientID, d.ProjectID); err != nil {
			return err
		}
		now := s.Now()
		t := domain.ComputeTotals(d.Lines)
		id, err := s.insert(ctx, tx, `INSERT INTO `+k.table+` (company_id, client_id, project_id, title, status, issue_date, `+k.dayCol+`,
			currency, note, total_net, total_vat, total_gross, created_at, updated_at) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			staff.CompanyID(), d.ClientID, nullID(d.ProjectID), d.Title, d.IssueDate.String(), day.String(),
			d.Currency, d.Note, int64(t.Net), int64(t.VAT), int64(t.Gross), micros(now), micros(now))
		if err != nil {
			return fmt.Errorf("store: create %s: %w", k.kind, err)
		}
		// Both kinds call a draft "draft" (see BillingDoc.IsDraft).
		d.ID, d.CompanyID, d.Status, d.Totals, d.CreatedAt, d.UpdatedAt = id, staff.CompanyID(), domain.InvoiceDraft, t, now, now
		if err := s.writeLines(ctx, tx, k.linesTable(), k.docCol(), staff.CompanyID(), id, d.Lines); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, k.kind+".create", fmt.Sprintf("Draft %s #%d", k.kind, id))
	})
}

// updateDoc replaces the fields and lines of draft d of kind k, whose own day
// is day, after normalizing it and checking it with validate.
func (s *Store) updateDoc(ctx context.Context, staff access.Staff, k docKind, d *domain.BillingDoc, validate func() error, day domain.Day) error {
	if err := prepareDraft(staff, d, validate); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		status, err := s.docStatus(ctx, tx, k, staff.CompanyID(), d.ClientID, d.ID)
		if err != nil {
			return err
		}
		if status != domain.InvoiceDraft {
			return billingConflict("%s", k.editRefusal)
		}
		if err := s.projectOfClient(ctx, tx, staff.CompanyID(), d.ClientID, d.ProjectID); err != nil {
			return err
		}
		t := domain.ComputeTotals(d.Lines)
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE `+k.table+` SET project_id = ?, title = ?, issue_date = ?, `+k.dayCol+` = ?, currency = ?,
			note = ?, total_net = ?, total_vat = ?, total_gross = ?, updated_at = ? WHERE company_id = ? AND id = ? AND status = 'draft'`),
			nullID(d.ProjectID), d.Title, d.IssueDate.String(), day.String(), d.Currency, d.Note,
			int64(t.Net), int64(t.VAT), int64(t.Gross), micros(s.Now()), staff.CompanyID(), d.ID); err != nil {
			return fmt.Errorf("store: update %s: %w", k.kind, err)
		}
		d.Totals = t
		if err := s.writeLines(ctx, tx, k.linesTable(), k.docCol(), staff.CompanyID(), d.ID, d.Lines); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, k.kind+".update", fmt.Sprintf("Draft %s #%d", k.kind, d.ID))
	})
}

// prepareDraft checks that the user may write drafts, then normalizes d and checks it
// with validate (which sees the kind's own fields too).
func prepareDraft(staff access.Staff, d *domain.BillingDoc, validate func() error) error {
	if err := staff.Require(access.BillingManage); err != nil {
		return err
	}
	d.Normalize()
	return validate()
}

// deleteDoc deletes draft id of kind k of the client, with its lines.
func (s *Store) deleteDoc(ctx context.Context, staff access.Staff, k docKind, clientID, id int64) error {
	if err := staff.Require(access.BillingManage); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		status, err := s.docStatus(ctx, tx, k, staff.CompanyID(), clientID, id)
		if err != nil {
			return err
		}
		if status != domain.InvoiceDraft {
			return billingConflict("%s", k.deleteRefusal)
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+k.linesTable()+` WHERE company_id = ? AND `+k.docCol()+` = ?`), staff.CompanyID(), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+k.table+` WHERE company_id = ? AND id = ? AND status = 'draft'`), staff.CompanyID(), id); err != nil {
			return fmt.Errorf("store: delete %s: %w", k.kind, err)
		}
		return s.audit(ctx, tx, staff, k.kind+".delete", fmt.Sprintf("Draft %s #%d", k.kind, id))
	})
}

// send numbers draft id of the client and marks it sent, and returns the number.
func (t docType[T]) send(ctx context.Context, s *Store, staff access.Staff, clientID, id int64) (string, error) {
	if err := staff.Require(access.BillingManage); err != nil {
		return "", err
	}
	var number string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.docStatus(ctx, tx, t.docKind, staff.CompanyID(), clientID, id); err != nil { // locks the row
			return err
		}
		v, err := t.load(ctx, s, tx, staff.CompanyID(), eq("d.client_id", clientID), id)
		if err != nil {
			return err
		}
		d := t.doc(v)
		if d.Status != domain.InvoiceDraft {
			return billingConflict("%s %s has already been sent.", t.label, d.Number)
		}
		if len(d.Lines) == 0 {
			return domain.Errorf(domain.EINVALID, "Add at least one line before sending the %s.", t.kind)
		}
		if domain.NegativeTotal(d.Lines) { // a draft stored before totals were checked
			return &domain.Error{Code: domain.EINVALID, Message: domain.NegativeTotalMessage, Fields: map[string]string{"lines": domain.NegativeTotalMessage}}
		}
		if number, err = s.nextBillingNumber(ctx, tx, staff.CompanyID(), t.kind, d.IssueDate.Year()); err != nil {
			return err
		}
		now := micros(s.Now())
		res, err := tx.ExecContext(ctx, s.q(`UPDATE `+t.table+` SET status = 'sent', number = ?, sent_at = ?, updated_at = ?
			WHERE company_id = ? AND id = ? AND status = 'draft'`), number, now, now, staff.CompanyID(), id)
		if err := mustAffect(res, err, t.notFound()); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, t.kind+".send", t.label+" "+number)
	})
	return number, err
}

// docStatus returns the stored status of document id of kind k of the client,
// or ENOTFOUND. On PostgreSQL the row stays locked until the transaction ends.
func (s *Store) docStatus(ctx context.Context, tx *sql.Tx, k docKind, companyID, clientID, id int64) (string, error) {
	var status string
	err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM `+k.table+` WHERE company_id = ? AND client_id = ? AND id = ?`+s.dialect.forUpdate),
		companyID, clientID, id).Scan(&status)
	return status, notFound(err, k.notFound())
}
