package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

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

// BillingSettings returns the tenant's billing settings, or ENOTFOUND.
func (s *Store) BillingSettings(ctx context.Context, companyID int64) (BillingSettings, error) {
	var b BillingSettings
	err := s.db.QueryRowContext(ctx, s.q(`SELECT notification_email, billing_details FROM companies WHERE id = ?`), companyID).
		Scan(&b.NotificationEmail, &b.Details)
	return b, notFound(err, "Company not found.")
}

// UpdateBillingSettings replaces the tenant's billing settings. It needs
// billing.manage and returns EINVALID for a bad address or over-long details.
func (s *Store) UpdateBillingSettings(ctx context.Context, sc access.Staff, b BillingSettings) error {
	if err := sc.Require(access.BillingManage); err != nil {
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
			b.NotificationEmail, b.Details, sc.CompanyID)
		if err := mustAffect(res, err, "Company not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc, "billing.settings", "Billing settings")
	})
}

// billingToday is today in the tenant's time zone: the day against which due and
// valid-until days are judged.
func (s *Store) billingToday(ctx context.Context, q querier, companyID int64) (domain.Day, error) {
	var zone string
	if err := q.QueryRowContext(ctx, s.q(`SELECT time_zone FROM companies WHERE id = ?`), companyID).Scan(&zone); err != nil {
		return domain.Day{}, notFound(err, "Company not found.")
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return domain.DayOf(s.Now(), loc), nil
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
		q := `SELECT COUNT(*) FROM ` + t.table + ` WHERE company_id = ? AND client_id = ?`
		args := []any{companyID, clientID}
		if projectID != 0 {
			q += ` AND project_id = ?`
			args = append(args, projectID)
		}
		if err := tx.QueryRowContext(ctx, s.q(q), args...).Scan(&n); err != nil {
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
