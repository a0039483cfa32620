package store

import (
	"context"
	"fmt"

	"portico/internal/domain"
)

// AccessOverview lists one page of the company's clients, by name, each with its
// seats and every portal user with access to it: the sites and switches they
// see, their sign-in state and the delivery state of their invitation. A filter
// that narrows users (site, pending, never signed in) leaves out clients with no
// matching user and, within a client, the users that do not match; the seats
// still count every user of the client.
func (view *StaffView) AccessOverview(ctx context.Context, f domain.AccessFilter, opts domain.ListOptions) ([]*domain.ClientAccess, domain.PageInfo, error) {
	s, company := view.s, view.staff.CompanyID()
	opts = opts.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}

	clients := []cond{eq("c.company_id", company)}
	if f.ClientID != 0 {
		clients = append(clients, eq("c.id", f.ClientID))
	}
	if f.SiteID != 0 {
		clients = append(clients, expr("c.id IN (SELECT st.client_id FROM sites st WHERE st.company_id = ? AND st.id = ?)", company, f.SiteID))
	}
	users := accessUserCond(company, f)
	if f.NarrowsUsers() {
		sub, args := users.where()
		clients = append(clients, expr(`EXISTS (SELECT 1 FROM portal_grants g JOIN portal_users u ON u.company_id = g.company_id AND u.id = g.portal_user_id
			WHERE g.company_id = c.company_id AND g.client_id = c.id AND `+sub+`)`, args...))
	}
	where, args := and(clients...).where()
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM clients c WHERE `+where), args...).Scan(&info.Total); err != nil {
		return nil, info, fmt.Errorf("store: access overview: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT c.id, c.name FROM clients c WHERE `+where+` ORDER BY c.name, c.id LIMIT ? OFFSET ?`),
		append(args, opts.PerPage, opts.Offset())...)
	if err != nil {
		return nil, info, fmt.Errorf("store: access overview: %w", err)
	}
	var out []*domain.ClientAccess
	byClient := map[int64]*domain.ClientAccess{}
	var ids []int64
	for rows.Next() {
		ca := &domain.ClientAccess{}
		if err := rows.Scan(&ca.ClientID, &ca.ClientName); err != nil {
			rows.Close()
			return nil, info, err
		}
		out = append(out, ca)
		byClient[ca.ClientID] = ca
		ids = append(ids, ca.ClientID)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, info, err
	}

	// Seats: every user of the client, whatever the filter.
	where, args = and(eq("company_id", company), in("client_id", ids)).where()
	rows, err = s.db.QueryContext(ctx, s.q(`SELECT client_id, COUNT(*) FROM portal_grants WHERE `+where+` GROUP BY client_id`), args...)
	if err != nil {
		return nil, info, fmt.Errorf("store: access overview seats: %w", err)
	}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, info, err
		}
		byClient[id].Seats = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, info, err
	}

	// The matching users of each client, with their invitation's state.
	type key struct{ user, client int64 }
	at := map[key]*domain.UserAccess{}
	where, args = and(eq("g.company_id", company), in("g.client_id", ids), users).where()
	rows, err = s.db.QueryContext(ctx, s.q(`SELECT g.client_id, `+portalUserColumns+`, COALESCE(o.status, ''), COALESCE(o.last_error, '')
		FROM portal_grants g JOIN portal_users u ON u.company_id = g.company_id AND u.id = g.portal_user_id
		LEFT JOIN outbox o ON o.company_id = g.company_id AND o.id = g.invite_outbox_id
		WHERE `+where+` ORDER BY g.client_id, u.email, u.id`), args...)
	if err != nil {
		return nil, info, fmt.Errorf("store: access overview users: %w", err)
	}
	for rows.Next() {
		var clientID int64
		var invite, inviteErr string
		u, err := scanPortalUser(scanPrefix{rows, &clientID, []any{&invite, &inviteErr}})
		if err != nil {
			rows.Close()
			return nil, info, err
		}
		ca := byClient[clientID]
		ca.Users = append(ca.Users, domain.UserAccess{User: *u, Invite: invite, InviteError: inviteErr})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, info, err
	}
	for _, ca := range out {
		for i := range ca.Users {
			at[key{ca.Users[i].User.ID, ca.ClientID}] = &ca.Users[i]
		}
	}

	// The sites and switches each of them is narrowed to.
	for _, q := range []struct {
		sql  string
		add  func(*domain.UserAccess, string)
		what string
	}{
		{`SELECT sg.portal_user_id, sg.client_id, st.name FROM portal_site_grants sg
			JOIN sites st ON st.company_id = sg.company_id AND st.id = sg.site_id
			WHERE %s ORDER BY st.name, st.id`, func(u *domain.UserAccess, n string) { u.SiteNames = append(u.SiteNames, n) }, "sites"},
		{`SELECT sg.portal_user_id, sg.client_id, sw.name FROM portal_switch_grants sg
			JOIN switches sw ON sw.company_id = sg.company_id AND sw.id = sg.switch_id
			WHERE %s ORDER BY sw.name, sw.id`, func(u *domain.UserAccess, n string) { u.SwitchNames = append(u.SwitchNames, n) }, "switches"},
	} {
		where, args := and(eq("sg.company_id", company), in("sg.client_id", ids)).where()
		rows, err := s.db.QueryContext(ctx, s.q(fmt.Sprintf(q.sql, where)), args...)
		if err != nil {
			return nil, info, fmt.Errorf("store: access overview %s: %w", q.what, err)
		}
		for rows.Next() {
			var k key
			var name string
			if err := rows.Scan(&k.user, &k.client, &name); err != nil {
				rows.Close()
				return nil, info, err
			}
			if u := at[k]; u != nil {
				q.add(u, name)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, info, err
		}
	}
	return out, info, nil
}

// accessUserCond is the filter's condition on a grant g of a portal user u.
func accessUserCond(company int64, f domain.AccessFilter) cond {
	c := []cond{always()}
	if f.Pending {
		c = append(c, expr("u.activated_at IS NULL"))
	}
	if f.NeverSignedIn {
		c = append(c, expr("u.last_login_at IS NULL"))
	}
	if f.SiteID != 0 {
		// The site's client's grant, covering every site or listing this one.
		c = append(c, expr(`g.client_id IN (SELECT st.client_id FROM sites st WHERE st.company_id = ? AND st.id = ?)`, company, f.SiteID),
			expr(`(NOT EXISTS (SELECT 1 FROM portal_site_grants sg WHERE sg.portal_user_id = g.portal_user_id AND sg.client_id = g.client_id)
				OR EXISTS (SELECT 1 FROM portal_site_grants sg WHERE sg.portal_user_id = g.portal_user_id AND sg.client_id = g.client_id AND sg.site_id = ?))`, f.SiteID))
	}
	return and(c...)
}

// scanPrefix scans one leading column into first and trailing ones into rest
// around the columns its caller's scanner expects.
type scanPrefix struct {
	row   interface{ Scan(...any) error }
	first any
	rest  []any
}

func (sp scanPrefix) Scan(dest ...any) error {
	return sp.row.Scan(append(append([]any{sp.first}, dest...), sp.rest...)...)
}

// PortalClients lists the company's clients that have at least one portal user,
// by name, with their seats: the choices of the access overview's client filter.
func (view *StaffView) PortalClients(ctx context.Context) ([]*domain.ClientAccess, error) {
	s, company := view.s, view.staff.CompanyID()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT c.id, c.name, COUNT(*) FROM clients c
		JOIN portal_grants g ON g.company_id = c.company_id AND g.client_id = c.id
		WHERE c.company_id = ? GROUP BY c.id, c.name ORDER BY c.name, c.id`), company)
	if err != nil {
		return nil, fmt.Errorf("store: portal clients: %w", err)
	}
	defer rows.Close()
	var out []*domain.ClientAccess
	for rows.Next() {
		ca := &domain.ClientAccess{}
		if err := rows.Scan(&ca.ClientID, &ca.ClientName, &ca.Seats); err != nil {
			return nil, err
		}
		out = append(out, ca)
	}
	return out, rows.Err()
}
