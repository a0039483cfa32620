package app

import (
	"context"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
)

// ViewPortalAs lets a staff member with portal.invite see the portal exactly as
// one of the tenant's portal users does: it returns the user and the user's
// Scope, loaded fresh as the session code loads it, and records in the audit log
// that the member viewed page as the user. The user's own sessions are not
// touched. ENOTFOUND for a user of another tenant.
func (a *App) ViewPortalAs(ctx context.Context, staff access.Staff, userID int64, page string) (*domain.PortalUser, access.Scope, error) {
	var u *domain.PortalUser
	err := a.store.Staff(staff).Tx(ctx, access.PortalInvite, func(tx *store.StaffTx) error {
		var err error
		if u, err = tx.PortalUser(ctx, userID); err != nil {
			return err
		}
		return tx.Audit(ctx, "portal.view_as", u.Email+" "+page)
	})
	if err != nil {
		return nil, access.Scope{}, err
	}
	grants, err := a.store.PortalGrants(ctx, staff.CompanyID(), u.ID)
	if err != nil {
		return nil, access.Scope{}, err
	}
	return u, portalPrincipal(u, grants), nil
}
