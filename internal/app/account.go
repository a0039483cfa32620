package app

import (
	"context"

	"portico/internal/access"
	"portico/internal/auth"
	"portico/internal/domain"
)

// UpdatePortalAccount saves the portal user's own name and language ("" follows
// the browser, then the tenant). It changes only the scope's own user.
func (a *App) UpdatePortalAccount(ctx context.Context, scope access.Scope, first, last, locale string) (*domain.PortalUser, error) {
	return a.store.UpdatePortalAccount(ctx, scope, first, last, locale)
}

// ChangePortalPassword sets the portal user's new password after checking the
// current one (failures count toward the sign-in limits, as at sign-in). Like a
// password reset it ends every session and link of the user; it returns the token
// of a new session for the browser that changed it.
func (a *App) ChangePortalPassword(ctx context.Context, scope access.Scope, current, password, ip string) (string, error) {
	acc, err := a.portalAccount(ctx, scope)
	if err != nil {
		return "", err
	}
	ipKey := "ip:" + ip
	if err := a.checkRate(ctx, acc.rateKey, ipKey); err != nil {
		return "", err
	}
	hash, err := acc.password()
	if err != nil {
		return "", err
	}
	if !auth.CheckPassword(hash, current) {
		if err := a.store.RecordLoginFailure(ctx, acc.rateKey, ipKey); err != nil {
			return "", err
		}
		return "", fieldError("current_password", "The current password is not correct.")
	}
	if err := auth.ValidateNewPassword(password); err != nil {
		return "", err // its field is "password"
	}
	newHash, err := auth.HashPassword(password)
	if err != nil {
		return "", err
	}
	if err := a.store.SetPortalPassword(ctx, scope.CompanyID(), scope.PortalUserID(), newHash); err != nil {
		return "", err
	}
	session, sessionHash := auth.NewToken()
	if err := a.store.CreatePortalSession(ctx, scope.CompanyID(), scope.PortalUserID(), sessionHash, auth.SessionAbsolute); err != nil {
		return "", err
	}
	return session, nil
}
