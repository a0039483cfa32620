package app

import (
	"context"
	"fmt"

	"portico/internal/access"
	"portico/internal/auth"
	"portico/internal/domain"
	"portico/internal/store"
)

// PortalSignIn checks a portal user's credentials in the tenant and opens a
// session, or starts the code step of a user with two-factor sign-in on (see
// PortalSignInCode). Limits and answers are those of staff sign-in.
func (a *App) PortalSignIn(ctx context.Context, company *domain.Company, email, password, ip string) (SignInResult, error) {
	email = domain.NormalizeEmail(email)
	return a.signIn(ctx, fmt.Sprintf("portal:%d:%s", company.ID, email), ip, password, func() (string, *store.Account, func(string) error, error) {
		user, hash, err := a.store.PortalCredentials(ctx, company.ID, email)
		if err != nil {
			return "", nil, nil, err
		}
		var second *store.Account
		if user.TwoFactor {
			second = &store.Account{CompanyID: company.ID, UserID: user.ID, Portal: true}
		}
		return hash, second, func(tokenHash string) error {
			if err := a.store.CreatePortalSession(ctx, company.ID, user.ID, tokenHash, auth.SessionAbsolute); err != nil {
				return err
			}
			a.Log.InfoContext(ctx, "portal user signed in", "company", company.ID, "portal_user", user.ID)
			return nil
		}, nil
	})
}

// PortalSession returns the signed-in portal user of the tenant behind a cookie
// token and the access Scope loaded fresh, or EUNAUTHORIZED.
func (a *App) PortalSession(ctx context.Context, company *domain.Company, token string) (*domain.PortalUser, access.Scope, error) {
	if token == "" {
		return nil, access.Scope{}, domain.Errorf(domain.EUNAUTHORIZED, "Please sign in.")
	}
	u, grants, err := a.store.PortalSession(ctx, company.ID, auth.HashToken(token), auth.SessionIdle)
	if err != nil {
		return nil, access.Scope{}, err
	}
	return u, portalPrincipal(u, grants), nil
}

// PortalTenantSession is Tenant and PortalSession in one: the tenant with the
// slug (ENOTFOUND when there is none), and the signed-in portal user behind a
// cookie token with the access Scope loaded fresh (the tenant and EUNAUTHORIZED
// when the token is no live session of its). The tenant, the session and its
// user are read in one round trip.
func (a *App) PortalTenantSession(ctx context.Context, slug, token string) (*domain.Company, *domain.PortalUser, access.Scope, error) {
	if token == "" {
		c, err := a.Tenant(ctx, slug)
		if err != nil {
			return nil, nil, access.Scope{}, err
		}
		return c, nil, access.Scope{}, domain.Errorf(domain.EUNAUTHORIZED, "Please sign in.")
	}
	c, u, grants, err := a.store.PortalTenantSession(ctx, slug, auth.HashToken(token), auth.SessionIdle)
	if err != nil {
		return c, nil, access.Scope{}, err
	}
	return c, u, portalPrincipal(u, grants), nil
}

// PortalScope loads the portal user's Scope afresh, for a long-lived request (a
// live stream) that must notice a disconnect or a restriction as it happens.
func (a *App) PortalScope(ctx context.Context, u *domain.PortalUser) (access.Scope, error) {
	grants, err := a.store.PortalGrants(ctx, u.CompanyID, u.ID)
	if err != nil {
		return access.Scope{}, err
	}
	return portalPrincipal(u, grants), nil
}

// ForgotPortalPassword queues a reset link to the stored address of the tenant's
// portal user with the email, if one exists. The caller shows the same answer
// whatever happens here, so nothing tells whether the account exists.
func (a *App) ForgotPortalPassword(ctx context.Context, company *domain.Company, email, ip string) error {
	key := "forgot:" + ip
	n, err := a.store.LoginFailures(ctx, key, auth.FailureWindow)
	if err != nil {
		return err
	}
	if n >= auth.MaxFailsIP {
		return domain.Errorf(domain.ETOOMANY, "Too many requests. Please wait %d minutes and try again.", int(auth.FailureWindow.Minutes()))
	}
	// Every request counts against the IP, so the form cannot be used to flood inboxes.
	if err := a.store.RecordLoginFailure(ctx, key); err != nil {
		return err
	}
	return a.store.RequestPortalReset(ctx, company.ID, email)
}

// PortalLinkUser returns the portal user of a live activation or reset link of the
// tenant without using it, or ENOTFOUND.
func (a *App) PortalLinkUser(ctx context.Context, company *domain.Company, purpose, token string) (*domain.PortalUser, error) {
	return a.store.PortalTokenUser(ctx, company.ID, auth.HashToken(token), purpose)
}

// SetPortalPasswordWithLink uses an activation or reset link: it sets the password,
// ends the user's other sessions and links, and opens a session whose token it returns
// — or "" when the user has two-factor sign-in on: they sign in with the new
// password and a code.
func (a *App) SetPortalPasswordWithLink(ctx context.Context, company *domain.Company, purpose, token, password string) (string, error) {
	if err := auth.ValidateNewPassword(password); err != nil {
		return "", err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", err
	}
	u, err := a.store.RedeemPortalToken(ctx, company.ID, auth.HashToken(token), purpose, hash)
	if err != nil {
		return "", err
	}
	if u.TwoFactor {
		// A link in a mailbox is one factor: the code is still asked for.
		return "", nil
	}
	session, sessionHash := auth.NewToken()
	if err := a.store.CreatePortalSession(ctx, company.ID, u.ID, sessionHash, auth.SessionAbsolute); err != nil {
		return "", err
	}
	return session, nil
}

// PortalLink returns the URL of a portal page of the tenant, built from the
// configured base URL.
func (a *App) PortalLink(company *domain.Company, path string) string {
	return a.BaseURL + "/portal/" + company.Slug + path
}
