package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

// What of billing reaches the portal: sent and paid invoices (overdue is a sent
// one), and sent, accepted and declined estimates (expired is a sent one). Drafts
// and void invoices never do. A document's site is its project's site, so one
// with no project, or whose project has no site, belongs to no site: only users
// with all sites of the client see it (see scopeSites).
var (
	portalInvoiceStatuses  = expr(`d.status IN ('sent', 'paid')`)
	portalEstimateStatuses = expr(`d.status IN ('sent', 'accepted', 'declined')`)
)

// portalDocs is the condition of a portal query on billing documents d (joined
// with their project p): the Scope's tenant, clients and sites, and the statuses
// the portal may show.
func portalDocs(scope access.Scope, statuses cond) cond {
	return and(scopeSites(scope, "d.company_id", "d.client_id", "p.site_id"), statuses)
}

// countPortalDocs counts the rows of table ("invoices" or "estimates", never
// input) that match a portal condition.
func (s *Store) countPortalDocs(ctx context.Context, table string, c cond) (int, error) {
	where, args := c.where()
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM `+table+` d LEFT JOIN projects p ON p.company_id = d.company_id AND p.id = d.project_id
		WHERE `+where), args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count portal %s: %w", table, err)
	}
	return n, nil
}

// billingOrder is the order of the portal's invoice and estimate lists: newest
// issue date first.
var billingOrder = keyOrder{cols: []string{"d.issue_date", "d.id"}, kinds: []keyKind{keyText, keyInt}, desc: true}

// billingKey is an invoice's or estimate's key in billingOrder.
func billingKey(d *domain.BillingDoc) []any { return []any{d.IssueDate.String(), d.ID} }

// portalDocsPage prepares a page of table's rows matching c: it counts them
// into info unless the page is a keyset one, and returns the page's condition
// and arguments, LIMIT and OFFSET.
func (s *Store) portalDocsPage(ctx context.Context, table string, c cond, opts domain.ListOptions, info *domain.PageInfo) (where string, args []any, limit, offset int, err error) {
	after, err := billingOrder.after(opts)
	if err != nil {
		return "", nil, 0, 0, err
	}
	if !opts.Keyset {
		if info.Total, err = s.countPortalDocs(ctx, table, c); err != nil {
			return "", nil, 0, 0, err
		}
	}
	where, args = and(c, after).where()
	limit, offset = billingOrder.limit(opts)
	return where, args, limit, offset, nil
}

// PortalInvoices lists one page of the invoices the principal may see, newest issue date
// first: f.State may narrow them to sent (not yet due), overdue or paid, and
// f.ProjectID to one project. f.ClientID is ignored: the Scope decides the clients.
func (view *PortalView) PortalInvoices(ctx context.Context, f BillingFilter) ([]*domain.Invoice, domain.PageInfo, error) {
	s, scope := view.s, view.scope
	opts := f.ListOptions.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	visible := and(portalDocs(scope, portalInvoiceStatuses), when(f.ProjectID != 0, eq("d.project_id", f.ProjectID)))
	if visible.matchesNothing() {
		return nil, info, nil
	}
	today, err := s.billingToday(ctx, s.db, scope.CompanyID())
	if err != nil {
		return nil, info, err
	}
	c := and(visible, invoiceState(f.State, today))
	where, args, limit, offset, err := s.portalDocsPage(ctx, "invoices", c, opts, &info)
	if err != nil {
		return nil, info, err
	}
	out, err := s.collectInvoices(ctx, today, `SELECT `+invoiceColumns+docFrom("invoices")+`WHERE `+where+
		` ORDER BY `+billingOrder.orderBy()+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	out = trim(opts, out, &info, func(i *domain.Invoice) []any { return billingKey(&i.BillingDoc) })
	return out, info, err
}

// PortalInvoice returns invoice id with its lines if the user may see it, and ENOTFOUND
// otherwise: a draft, a void invoice, another client's or another tenant's look
// exactly like a missing one.
func (view *PortalView) PortalInvoice(ctx context.Context, id int64) (*domain.Invoice, error) {
	s, scope := view.s, view.scope
	return s.invoice(ctx, s.db, scope.CompanyID(), portalDocs(scope, portalInvoiceStatuses), id)
}

// PortalEstimates lists one page of the estimates the principal may see, newest issue date
// first: f.State may narrow them to sent (open), expired, accepted or declined.
func (view *PortalView) PortalEstimates(ctx context.Context, f BillingFilter) ([]*domain.Estimate, domain.PageInfo, error) {
	s, scope := view.s, view.scope
	opts := f.ListOptions.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	visible := and(portalDocs(scope, portalEstimateStatuses), when(f.ProjectID != 0, eq("d.project_id", f.ProjectID)))
	if visible.matchesNothing() {
		return nil, info, nil
	}
	today, err := s.billingToday(ctx, s.db, scope.CompanyID())
	if err != nil {
		return nil, info, err
	}
	c := and(visible, estimateState(f.State, today))
	where, args, limit, offset, err := s.portalDocsPage(ctx, "estimates", c, opts, &info)
	if err != nil {
		return nil, info, err
	}
	out, err := s.collectEstimates(ctx, today, `SELECT `+estimateColumns+estimateFrom+`WHERE `+where+
		` ORDER BY `+billingOrder.orderBy()+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	out = trim(opts, out, &info, func(e *domain.Estimate) []any { return billingKey(&e.BillingDoc) })
	return out, info, err
}

// PortalEstimate returns estimate id with its lines and decision if the user may see
// it, and ENOTFOUND otherwise (drafts, other clients', other tenants').
func (view *PortalView) PortalEstimate(ctx context.Context, id int64) (*domain.Estimate, error) {
	s, scope := view.s, view.scope
	return s.portalEstimate(ctx, s.db, scope, id)
}

func (s *Store) portalEstimate(ctx context.Context, q querier, scope access.Scope, id int64) (*domain.Estimate, error) {
	return s.estimate(ctx, q, scope.CompanyID(), portalDocs(scope, portalEstimateStatuses), id)
}

// PortalProjectBilling returns the invoices and estimates of project projectID
// that the user may see, newest first, at most 50 of each. A project the principal may not see has
// none.
func (view *PortalView) PortalProjectBilling(ctx context.Context, projectID int64) ([]*domain.Invoice, []*domain.Estimate, error) {
	s, scope := view.s, view.scope
	f := BillingFilter{ProjectID: projectID, ListOptions: domain.ListOptions{PerPage: 50}}
	invoices, _, err := s.Portal(scope).PortalInvoices(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	estimates, _, err := s.Portal(scope).PortalEstimates(ctx, f)
	return invoices, estimates, err
}

// DecideEstimate records the portal user's answer — accepted or declined, with an
// optional comment — to estimate id, and in the same transaction queues the
// estimate_decision mail to the tenant's notification address (or, when none is
// set, to each enabled staff member holding billing.manage). The estimate must be
// one the principal may see (ENOTFOUND otherwise), sent, not expired and not yet answered
// (ECONFLICT otherwise). It returns the estimate as decided.
func (view *PortalView) DecideEstimate(ctx context.Context, id int64, decision, comment string) (*domain.Estimate, error) {
	s, scope := view.s, view.scope
	d := domain.EstimateDecision{Decision: decision, Comment: comment, PortalUserID: scope.PortalUserID()}
	if err := validDecision(&d); err != nil {
		return nil, err
	}
	var out *domain.Estimate
	err := s.tx(ctx, func(tx *sql.Tx) error {
		e, err := s.portalEstimate(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		u := &domain.PortalUser{ID: scope.PortalUserID(), CompanyID: scope.CompanyID()}
		if err := tx.QueryRowContext(ctx, s.q(`SELECT first_name, last_name, email FROM portal_users WHERE company_id = ? AND id = ?`),
			scope.CompanyID(), scope.PortalUserID()).Scan(&u.FirstName, &u.LastName, &u.Email); err != nil {
			return notFoundAs(err, domain.EUNAUTHORIZED, "Please sign in.")
		}
		d.ByName, d.ByEmail = u.Name(), u.Email
		decisionID, err := s.decide(ctx, tx, e, &d)
		if err != nil {
			return err
		}
		if err := s.auditPortal(ctx, tx, scope, u, "estimate."+d.Decision, "Estimate "+e.Number); err != nil {
			return err
		}
		to, err := s.decisionRecipients(ctx, tx, scope.CompanyID())
		if err != nil {
			return err
		}
		for _, addr := range to {
			mailID, err := s.enqueueMail(ctx, tx, OutboxMessage{CompanyID: scope.CompanyID(), Kind: MailEstimateDecision, To: addr, ClientID: e.ClientID})
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO estimate_decision_mails (outbox_id, company_id, decision_id) VALUES (?, ?, ?)`),
				mailID, scope.CompanyID(), decisionID); err != nil {
				return fmt.Errorf("store: decision mail: %w", err)
			}
		}
		out = e
		return nil
	})
	return out, err
}

// decisionRecipients returns where decisions on estimates are mailed: the
// tenant's notification address, or every enabled staff member with billing.manage.
func (s *Store) decisionRecipients(ctx context.Context, tx *sql.Tx, companyID int64) ([]string, error) {
	var addr string
	if err := tx.QueryRowContext(ctx, s.q(`SELECT notification_email FROM companies WHERE id = ?`), companyID).Scan(&addr); err != nil {
		return nil, notFound(err, "Company not found.")
	}
	if addr != "" {
		return []string{addr}, nil
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT email, permissions FROM staff_users WHERE company_id = ? AND disabled_at IS NULL ORDER BY id`), companyID)
	if err != nil {
		return nil, fmt.Errorf("store: billing staff: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var email, perms string
		if err := rows.Scan(&email, &perms); err != nil {
			return nil, err
		}
		for _, p := range strings.Fields(perms) {
			if p == access.BillingManage {
				out = append(out, email)
				break
			}
		}
	}
	return out, rows.Err()
}
