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
	return view.portalSwitch(ctx, eq("sw.id", id))
}
