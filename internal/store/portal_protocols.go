package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"portico/internal/access"
	"portico/internal/domain"
)

// Everything in this file serves the portal: each method takes the user's Scope
// and filters by it in SQL, so a row the Scope does not cover is simply not found.

// portalProtocols is the condition for the completed protocols p the scope may see.
func portalProtocols(scope access.Scope) cond {
	return and(scopeSites(scope, "p.company_id", "p.client_id", "p.site_id"), expr("p.status = 'completed'"))
}

// PortalProtocols lists one page of the completed protocols at the sites the user may
// see, newest first, narrowed by f (its Status is ignored). Drafts never appear.
//
// Without dates the total is summed from the kept per-site counts
// (site_protocols): a row per site the user may see, however many protocols
// there are, where counting the protocols reads an index entry for each.
func (view *PortalView) PortalProtocols(ctx context.Context, f ProtocolFilter) ([]*domain.Protocol, domain.PageInfo, error) {
	s, scope := view.s, view.scope
	f.Status = ""
	c := and(portalProtocols(scope), f.cond())
	if !f.From.IsZero() || !f.To.IsZero() || f.Keyset || c.matchesNothing() {
		return s.listProtocols(ctx, false, c, f.ListOptions)
	}
	query, args := keptProtocolCount(scope, f)
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(query), args...).Scan(&total); err != nil {
		return nil, domain.PageInfo{}, fmt.Errorf("store: count protocols: %w", err)
	}
	return s.listProtocolsCounted(ctx, false, c, f.ListOptions, &total)
}

// keptProtocolCount is the query of the number of completed protocols the
// scope sees at f's client and site, summed from site_protocols, and its
// arguments.
func keptProtocolCount(scope access.Scope, f ProtocolFilter) (string, []any) {
	where, args := and(scopeSites(scope, "sp.company_id", "sp.client_id", "sp.site_id"),
		when(f.ClientID != 0, eq("sp.client_id", f.ClientID)),
		when(f.SiteID != 0, eq("sp.site_id", f.SiteID))).where()
	return `SELECT COALESCE(SUM(sp.completed), 0) FROM site_protocols sp WHERE ` + where, args
}

// PortalProtocol returns completed protocol id with its materials if the user may see
// it, and ENOTFOUND otherwise — missing and forbidden look the same from outside.
// The technician's name is left empty.
func (view *PortalView) PortalProtocol(ctx context.Context, id int64) (*domain.Protocol, error) {
	s, scope := view.s, view.scope
	c := and(portalProtocols(scope), eq("p.id", id))
	if c.matchesNothing() {
		return nil, domain.Errorf(domain.ENOTFOUND, "Protocol not found.")
	}
	where, args := c.where()
	p, err := scanProtocol(s.db.QueryRowContext(ctx, s.q(protocolSelect(false)+` WHERE `+where), args...))
	if err != nil {
		return nil, notFound(err, "Protocol not found.")
	}
	return p, s.loadProtocolMaterials(ctx, s.db, p)
}

// PortalSummaries returns, for each client in the Scope by name, the number of completed
// protocols at the sites the user may see and the date of the latest. They are summed
// from the kept per-site counts (site_protocols), a row per site the user may see,
// rather than counted from the protocols, which grows with every protocol.
func (view *PortalView) PortalSummaries(ctx context.Context) ([]domain.ClientSummary, error) {
	s, scope := view.s, view.scope
	clients := scopeClientsByID(scope)
	if clients.matchesNothing() {
		return nil, nil
	}
	where, args := clients.where()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT c.id, c.name, c.company_number FROM clients c
		WHERE `+where+` ORDER BY c.name, c.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: portal summaries: %w", err)
	}
	var out []domain.ClientSummary
	for rows.Next() {
		var cs domain.ClientSummary
		if err := rows.Scan(&cs.ClientID, &cs.Name, &cs.CompanyNumber); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, cs)
	}
	rows.Close()
	query, args, ok := summaryCountsQuery(scope)
	if err := rows.Err(); err != nil || len(out) == 0 || !ok {
		return out, err
	}
	byID := make(map[int64]int, len(out))
	for i, cs := range out {
		byID[cs.ClientID] = i
	}
	rows, err = s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: portal summaries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, last int64
		var n int
		if err := rows.Scan(&id, &n, &last); err != nil {
			return nil, err
		}
		if i, ok := byID[id]; ok {
			out[i].ProtocolCount, out[i].LastProtocolAt = n, fromMicros(last)
		}
	}
	return out, rows.Err()
}

// summaryCountsQuery is the query of PortalSummaries' counts per client and its
// arguments; false when the scope sees no site.
func summaryCountsQuery(scope access.Scope) (string, []any, bool) {
	sites := scopeSites(scope, "sp.company_id", "sp.client_id", "sp.site_id")
	if sites.matchesNothing() {
		return "", nil, false
	}
	where, args := sites.where()
	return `SELECT sp.client_id, SUM(sp.completed), MAX(sp.last_performed_at)
		FROM site_protocols sp WHERE ` + where + ` GROUP BY sp.client_id`, args, true
}

// PortalClient returns the full record of client id if the user is assigned to it, and
// ENOTFOUND otherwise. Its site count is of the sites the user may see.
func (view *PortalView) PortalClient(ctx context.Context, id int64) (*domain.Client, error) {
	s, scope := view.s, view.scope
	client := and(scopeClients(scope, "c.company_id", "c.id"), eq("c.id", id))
	if client.matchesNothing() {
		return nil, domain.Errorf(domain.ENOTFOUND, "Company not found.")
	}
	where, args := client.where()
	sites, siteArgs := scopeSites(scope, "x.company_id", "x.client_id", "x.id").where()
	// The site count's placeholders come first in the text, so its arguments do too.
	row := s.db.QueryRowContext(ctx, s.q(`SELECT c.id, c.company_id, c.name, c.company_number, c.tax_id, c.vat_id, c.contact_person,
		c.email, c.protocol_email, c.phone, c.street, c.city, c.postal_code, c.country, c.archived_at, c.created_at, c.updated_at,
		(SELECT COUNT(*) FROM sites x WHERE x.company_id = c.company_id AND x.client_id = c.id AND `+sites+`), 0, 0
		FROM clients c WHERE `+where), slices.Concat(siteArgs, args)...)
	c, err := scanClient(row)
	return c, notFound(err, "Company not found.")
}

// PortalSites lists by name the sites of client clientID that the user may see; empty
// for a client outside the scope.
func (view *PortalView) PortalSites(ctx context.Context, clientID int64) ([]*domain.Site, error) {
	s, scope := view.s, view.scope
	c := and(scopeSites(scope, "company_id", "client_id", "id"), eq("client_id", clientID))
	if c.matchesNothing() {
		return nil, nil
	}
	where, args := c.where()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+siteColumns+` FROM sites WHERE `+where+` ORDER BY name, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: portal sites: %w", err)
	}
	defer rows.Close()
	var out []*domain.Site
	for rows.Next() {
		x, err := scanSite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// PortalAllSites returns the sites the user may see of every client in the
// Scope, by client, each client's by name: the same as PortalSites of each
// client, in one query rather than one per company.
func (view *PortalView) PortalAllSites(ctx context.Context) (map[int64][]*domain.Site, error) {
	s, scope := view.s, view.scope
	c := scopeSites(scope, "company_id", "client_id", "id")
	if c.matchesNothing() {
		return nil, nil
	}
	where, args := c.where()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+siteColumns+` FROM sites WHERE `+where+` ORDER BY name, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: portal sites: %w", err)
	}
	defer rows.Close()
	out := map[int64][]*domain.Site{}
	for rows.Next() {
		x, err := scanSite(rows)
		if err != nil {
			return nil, err
		}
		out[x.ClientID] = append(out[x.ClientID], x)
	}
	return out, rows.Err()
}

// PortalSiteNames is PortalAllSites with each site's id, client and name
// only: the protocols filter's choices and the note of a site-restricted
// user, on every visit of those pages.
func (view *PortalView) PortalSiteNames(ctx context.Context) (map[int64][]*domain.Site, error) {
	s, scope := view.s, view.scope
	c := scopeSites(scope, "company_id", "client_id", "id")
	if c.matchesNothing() {
		return nil, nil
	}
	where, args := c.where()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, client_id, name FROM sites WHERE `+where+` ORDER BY name, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: portal sites: %w", err)
	}
	defer rows.Close()
	out := map[int64][]*domain.Site{}
	for rows.Next() {
		x := &domain.Site{CompanyID: scope.CompanyID()}
		if err := rows.Scan(&x.ID, &x.ClientID, &x.Name); err != nil {
			return nil, err
		}
		out[x.ClientID] = append(out[x.ClientID], x)
	}
	return out, rows.Err()
}

// PortalSite returns site id if the user may see it, and ENOTFOUND otherwise.
func (view *PortalView) PortalSite(ctx context.Context, id int64) (*domain.Site, error) {
	s, scope := view.s, view.scope
	where, args := and(scopeSites(scope, "company_id", "client_id", "id"), eq("id", id)).where()
	x, err := scanSite(s.db.QueryRowContext(ctx, s.q(`SELECT `+siteColumns+` FROM sites WHERE `+where), args...))
	return x, notFound(err, "Site not found.")
}

// UpdatePortalClientEmails sets the main and protocol email of client clientID, as
// its portal user u may on My data, and audits the change under u's name. A
// client outside the Scope is ENOTFOUND; a bad address EINVALID naming the field.
func (view *PortalView) UpdatePortalClientEmails(ctx context.Context, u *domain.PortalUser, clientID int64, email, protocolEmail string) error {
	s, scope := view.s, view.scope
	email, protocolEmail = domain.NormalizeEmail(email), domain.NormalizeEmail(protocolEmail)
	var v domain.Validator
	v.Email("email", email)
	v.Email("protocol_email", protocolEmail)
	if err := v.Err(); err != nil {
		return err
	}
	if u == nil || u.ID != scope.PortalUserID() {
		return domain.Errorf(domain.ENOTFOUND, "Company not found.")
	}
	where, args := and(scopeClients(scope, "company_id", "id"), eq("id", clientID)).where()
	return s.tx(ctx, func(tx *sql.Tx) error {
		var name, oldEmail, oldProtocol string
		err := tx.QueryRowContext(ctx, s.q(`SELECT name, email, protocol_email FROM clients WHERE `+where), args...).Scan(&name, &oldEmail, &oldProtocol)
		if err != nil {
			return notFound(err, "Company not found.")
		}
		if oldEmail == email && oldProtocol == protocolEmail {
			return nil
		}
		// search_text holds the main email, so it is rebuilt from the stored fields.
		c, err := scanClient(tx.QueryRowContext(ctx, s.q(`SELECT `+clientColumns+` FROM clients c WHERE c.company_id = ? AND c.id = ?`), scope.CompanyID(), clientID))
		if err != nil {
			return err
		}
		c.Email, c.ProtocolEmail = email, protocolEmail
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE clients SET email = ?, protocol_email = ?, search_text = ?, updated_at = ? WHERE company_id = ? AND id = ?`),
			email, protocolEmail, clientSearchText(c), micros(s.Now()), scope.CompanyID(), clientID); err != nil {
			return fmt.Errorf("store: update client emails: %w", err)
		}
		subject := fmt.Sprintf("Client %s: email %q → %q, protocol email %q → %q", name, oldEmail, email, oldProtocol, protocolEmail)
		return s.auditPortal(ctx, tx, scope, u, "client.emails", subject)
	})
}

// auditPortal records that portal user u did action to subject, in the caller's
// transaction. The actor's name carries "(portal)" so the audit log tells them
// from staff.
func (s *Store) auditPortal(ctx context.Context, tx *sql.Tx, scope access.Scope, u *domain.PortalUser, action, subject string) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (company_id, actor_id, actor_name, action, subject, at, portal_user_id) VALUES (?, NULL, ?, ?, ?, ?, ?)`),
		scope.CompanyID(), u.Name()+" (portal)", action, subject, micros(s.Now()), scope.PortalUserID())
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}
