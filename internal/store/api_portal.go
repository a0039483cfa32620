package store

import (
	"context"

	"portico/internal/domain"
)

// PortalSwitch returns switch id if the Scope sees it — its project at a site
// the user sees, the switch allowed by the user's narrowing, if any — and
// ENOTFOUND otherwise. No credentials are selected. The API addresses switches
// by id alone; the portal's pages go through their project
// (PortalProjectSwitch).
func (view *PortalView) PortalSwitch(ctx context.Context, id int64) (*domain.Switch, error) {
	s := view.s
	c := and(eq("sw.id", id), portalSwitches(view.scope))
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
