package store

import (
	"context"
	"slices"

	"portico/internal/domain"
)

// PortalOverviewSwitches returns the switches the Scope sees on all projects —
// as PortalSwitches does per project: at sites the user sees, within the user's
// per-switch narrowing — those of active projects first, then by name, at most
// limit of them, and whether there are more. No credentials are selected.
func (view *PortalView) PortalOverviewSwitches(ctx context.Context, limit int) ([]*domain.Switch, bool, error) {
	s, scope := view.s, view.scope
	c := portalSwitches(scope)
	if c.matchesNothing() {
		return nil, false, nil
	}
	where, args := c.where()
	list, err := s.collectSwitches(ctx, s.db, false, `SELECT `+switchColumns+` FROM switches sw
		JOIN projects p ON p.company_id = sw.company_id AND p.id = sw.project_id
		WHERE `+where+` ORDER BY CASE p.status WHEN 'active' THEN 0 ELSE 1 END, sw.name, sw.id LIMIT ?`, slices.Concat(args, []any{limit + 1})...)
	if err != nil {
		return nil, false, err
	}
	if len(list) > limit {
		return list[:limit], true, nil
	}
	return list, false, nil
}
