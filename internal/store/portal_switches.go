package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"portico/internal/access"
	"portico/internal/domain"
)

// portalSwitches is the condition for a switch sw, joined with its project p,
// that the Scope may see: the project is at a site the user sees (a project with
// no site needs all the client's sites), and the user's per-switch narrowing, if
// any, allows the switch. The switch's client is its project's (a foreign key
// says so), so sw.client_id stands for both.
func portalSwitches(scope access.Scope) cond {
	return scopeSwitches(scope, "sw.company_id", "sw.client_id", "p.site_id", "sw.id")
}

// portalProjects is the condition for the projects p the Scope sees.
func portalProjects(scope access.Scope) cond {
	return scopeSites(scope, "p.company_id", "p.client_id", "p.site_id")
}

// PortalProject is a project as the portal shows it: with its client's name and
// the counts of the switches the user may see.
type PortalProject struct {
	domain.Project
	ClientName string
	Switches   int
	SwitchesOn int
	// SwitchesOffline counts the visible switches whose device is offline
	// (they are neither on nor off as far as anyone can tell).
	SwitchesOffline int
}

const portalProjectColumns = `p.id, p.company_id, p.client_id, COALESCE(p.site_id, 0), COALESCE(st.name, ''), p.name, p.status, p.created_at, c.name`

// PortalProjects lists the projects the Scope sees — of the user's clients, at
// the sites the user sees (a project with no site needs all of them) — active
// first, then by client and name, with counts of the visible switches.
func (view *PortalView) PortalProjects(ctx context.Context) ([]*PortalProject, error) {
	s, scope := view.s, view.scope
	projects := portalProjects(scope)
	if projects.matchesNothing() {
		return nil, nil
	}
	where, args := projects.where()
	switches, swArgs := portalSwitches(scope).where()
	// The switch counts' placeholders come first in the text, so their arguments do too.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+portalProjectColumns+`,
		(SELECT COUNT(*) FROM switches sw WHERE sw.company_id = p.company_id AND sw.project_id = p.id AND `+switches+`),
		(SELECT COUNT(*) FROM switches sw WHERE sw.company_id = p.company_id AND sw.project_id = p.id AND sw.is_on = 1 AND sw.online = 1 AND `+switches+`),
		(SELECT COUNT(*) FROM switches sw WHERE sw.company_id = p.company_id AND sw.project_id = p.id AND sw.online = 0 AND `+switches+`)
		FROM projects p JOIN clients c ON c.company_id = p.company_id AND c.id = p.client_id
		LEFT JOIN sites st ON st.company_id = p.company_id AND st.id = p.site_id
		WHERE `+where+`
		ORDER BY CASE p.status WHEN 'active' THEN 0 ELSE 1 END, c.name, p.name, p.id`),
		slices.Concat(swArgs, swArgs, swArgs, args)...)
	if err != nil {
		return nil, fmt.Errorf("store: portal projects: %w", err)
	}
	defer rows.Close()
	var out []*PortalProject
	for rows.Next() {
		pp, err := scanPortalProject(rows, true)
		if err != nil {
			return nil, err
		}
		out = append(out, pp)
	}
	return out, rows.Err()
}

func scanPortalProject(row interface{ Scan(...any) error }, counts bool) (*PortalProject, error) {
	var pp PortalProject
	var created int64
	dest := []any{&pp.ID, &pp.CompanyID, &pp.ClientID, &pp.SiteID, &pp.SiteName, &pp.Name, &pp.Status, &created, &pp.ClientName}
	if counts {
		dest = append(dest, &pp.Switches, &pp.SwitchesOn, &pp.SwitchesOffline)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	pp.CreatedAt = fromMicros(created)
	return &pp, nil
}

// PortalProjectByID returns project id if the Scope sees it, and ENOTFOUND
// otherwise — missing and forbidden look the same from outside.
func (view *PortalView) PortalProjectByID(ctx context.Context, id int64) (*PortalProject, error) {
	s, scope := view.s, view.scope
	where, args := and(portalProjects(scope), eq("p.id", id)).where()
	pp, err := scanPortalProject(s.db.QueryRowContext(ctx, s.q(`SELECT `+portalProjectColumns+`
		FROM projects p JOIN clients c ON c.company_id = p.company_id AND c.id = p.client_id
		LEFT JOIN sites st ON st.company_id = p.company_id AND st.id = p.site_id
		WHERE `+where), args...), false)
	return pp, notFound(err, "Project not found.")
}

// PortalSwitches lists the switches of project projectID that the Scope sees, by
// name; empty for a project outside the Scope. No credentials are selected.
func (view *PortalView) PortalSwitches(ctx context.Context, projectID int64) ([]*domain.Switch, error) {
	s, scope := view.s, view.scope
	c := and(portalSwitches(scope), eq("sw.project_id", projectID))
	if c.matchesNothing() {
		return nil, nil
	}
	where, args := c.where()
	return s.collectSwitches(ctx, s.db, false, `SELECT `+switchColumns+` FROM switches sw
		JOIN projects p ON p.company_id = sw.company_id AND p.id = sw.project_id
		WHERE `+where+` ORDER BY sw.name, sw.id`, args...)
}

// PortalProjectSwitch returns switch id of project projectID if the Scope sees
// it — the project at a site the user sees, the switch allowed by the user's
// narrowing, if any — and ENOTFOUND otherwise: a switch of another project
// looks exactly like a missing one. No credentials are selected.
func (view *PortalView) PortalProjectSwitch(ctx context.Context, projectID, id int64) (*domain.Switch, error) {
	return view.portalSwitch(ctx, and(eq("sw.project_id", projectID), eq("sw.id", id)))
}

// portalSwitch returns the one switch that c picks among those the Scope sees,
// and ENOTFOUND when there is none. No credentials are selected.
func (view *PortalView) portalSwitch(ctx context.Context, c cond) (*domain.Switch, error) {
	s := view.s
	c = and(portalSwitches(view.scope), c)
	if c.matchesNothing() {
		return nil, domain.Errorf(domain.ENOTFOUND, "Switch not found.")
	}
	where, args := c.where()
	list, err := s.collectSwitches(ctx, s.db, false, `SELECT `+switchColumns+` FROM switches sw
		JOIN projects p ON p.company_id = sw.company_id AND p.id = sw.project_id
		WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Switch not found.")
	}
	return list[0], nil
}

// PortalSwitchActivity lists the newest events of the switches of project
// projectID that the Scope sees, by when they happened, newest first, worded for the portal user: their
// own commands as "You", staff commands as teamLabel (staff names are never
// selected), other portal users' by name, and changes nobody here commanded as
// domain.ExternalLabel.
func (view *PortalView) PortalSwitchActivity(ctx context.Context, projectID int64, teamLabel string, limit int) ([]*domain.SwitchEvent, error) {
	list, _, err := view.PortalSwitchActivityPage(ctx, projectID, teamLabel, domain.ListOptions{Keyset: true, PerPage: limit})
	return list, err
}

// activityOrder is the order of switch activity: newest first.
var activityOrder = keyOrder{cols: []string{"e.happened_at", "e.id"}, kinds: []keyKind{keyInt, keyInt}, desc: true}

// PortalSwitchActivityPage is a keyset page (opts.Keyset) of PortalSwitchActivity.
func (view *PortalView) PortalSwitchActivityPage(ctx context.Context, projectID int64, teamLabel string, opts domain.ListOptions) ([]*domain.SwitchEvent, domain.PageInfo, error) {
	s, scope := view.s, view.scope
	opts = opts.Normalized()
	opts.Keyset = true
	info := domain.PageInfo{Page: 1, PerPage: opts.PerPage}
	after, err := activityOrder.after(opts)
	if err != nil {
		return nil, info, err
	}
	c := and(eq("e.company_id", scope.CompanyID()), eq("e.project_id", projectID), portalSwitches(scope), after)
	if c.matchesNothing() {
		return nil, info, nil
	}
	where, args := c.where()
	limit, _ := activityOrder.limit(opts)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT e.id, e.switch_id, sw.name, e.is_on, e.status, e.actor_kind, COALESCE(e.portal_user_id, 0),
			CASE WHEN e.actor_kind = 'portal' THEN e.actor_name ELSE '' END, e.created_at, e.done_at, e.happened_at
		FROM switch_events e
		JOIN switches sw ON sw.company_id = e.company_id AND sw.id = e.switch_id
		JOIN projects p ON p.company_id = sw.company_id AND p.id = sw.project_id
		WHERE `+where+` ORDER BY `+activityOrder.orderBy()+` LIMIT ?`),
		append(args, limit)...)
	if err != nil {
		return nil, info, fmt.Errorf("store: portal switch activity: %w", err)
	}
	defer rows.Close()
	var out []*domain.SwitchEvent
	for rows.Next() {
		var e domain.SwitchEvent
		var on int
		var portalID, created, happened int64
		var done sql.NullInt64
		var name string
		if err := rows.Scan(&e.ID, &e.SwitchID, &e.SwitchName, &on, &e.Status, &e.ActorKind, &portalID, &name, &created, &done, &happened); err != nil {
			return nil, info, err
		}
		e.On, e.Requested, e.At, e.DoneAt = on == 1, fromMicros(created), fromMicros(happened), nullMicros(done)
		switch e.ActorKind {
		case domain.ActorPortal:
			e.Who = name
			if portalID == scope.PortalUserID() {
				e.Who = "You"
			}
		case domain.ActorStaff:
			e.Who = teamLabel
		default:
			e.Who = domain.ExternalLabel
		}
		if e.Status == domain.EventFailed {
			e.Error = "The switch did not confirm the command."
		}
		out = append(out, &e)
	}
	out = trim(opts, out, &info, func(e *domain.SwitchEvent) []any { return []any{micros(e.At), e.ID} })
	return out, info, rows.Err()
}

// PortalSwitchVisible reports whether the Scope sees switch id, for checks that
// need no row.
func (view *PortalView) PortalSwitchVisible(ctx context.Context, id int64) (bool, error) {
	s, scope := view.s, view.scope
	c := and(eq("sw.id", id), portalSwitches(scope))
	if c.matchesNothing() {
		return false, nil
	}
	where, args := c.where()
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM switches sw JOIN projects p ON p.company_id = sw.company_id AND p.id = sw.project_id
		WHERE `+where), args...).Scan(&n)
	return n > 0, err
}
