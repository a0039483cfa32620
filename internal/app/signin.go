package app

import (
	"context"
	"fmt"
	"time"

	"portico/internal/access"
	"portico/internal/auth"
	"portico/internal/domain"
	"portico/internal/store"
)

// errBadCredentials is the one answer for an unknown company, an unknown email, a
// wrong password and a disabled account, so that sign-in reveals nothing.
var errBadCredentials = domain.Errorf(domain.EUNAUTHORIZED, "The email or password is not correct.")

// StaffSignIn checks a staff member's credentials for the company with the slug
// and opens a session, or, when the member has two-factor sign-in on, starts its
// code step (see StaffSignInCode). Failed attempts are counted per account and per
// client IP in the database; past the limits it answers ETOOMANY without checking
// the password.
func (a *App) StaffSignIn(ctx context.Context, slug, email, password, ip string) (SignInResult, error) {
	email = domain.NormalizeEmail(email)
	return a.signIn(ctx, "staff:"+slug+":"+email, ip, password, func() (string, *store.Account, func(tokenHash string) error, error) {
		c, err := a.store.CompanyBySlug(ctx, slug)
		if err != nil {
			return "", nil, nil, err
		}
		user, hash, err := a.store.StaffCredentials(ctx, c.ID, email)
		if err != nil || user.Disabled {
			return hash, nil, nil, err
		}
		var second *store.Account
		if user.TwoFactor {
			second = &store.Account{CompanyID: user.CompanyID, UserID: user.ID}
		}
		return hash, second, func(tokenHash string) error {
			if err := a.store.CreateStaffSession(ctx, user.CompanyID, user.ID, tokenHash, auth.SessionAbsolute); err != nil {
				return err
			}
			a.Log.InfoContext(ctx, "staff signed in", "company", user.CompanyID, "user", user.ID)
			return nil
		}, nil
	})
}

// signIn is what every sign-in shares. lookup finds the account: its password hash
// ("" when there is none), the account when it has two-factor sign-in on, and a
// function that opens its session (nil when the account may not sign in);
// ENOTFOUND from lookup is a wrong credential like any other. Exactly one password
// check runs whatever lookup found, so every failure takes the same time, and
// failures count against the account key and the IP. With a second factor the
// password opens no session but the code step, and the failures stay counted
// until a code is right, so that passwords and codes share one limit.
func (a *App) signIn(ctx context.Context, acctKey, ip, password string,
	lookup func() (hash string, second *store.Account, open func(tokenHash string) error, err error)) (SignInResult, error) {
	ipKey := "ip:" + ip
	if err := a.checkRate(ctx, acctKey, ipKey); err != nil {
		return SignInResult{}, err
	}
	hash, second, open, err := lookup()
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return SignInResult{}, err
	}
	if ok := auth.CheckPassword(hash, password); !ok || open == nil || err != nil {
		if err := a.store.RecordLoginFailure(ctx, acctKey, ipKey); err != nil {
			return SignInResult{}, err
		}
		return SignInResult{}, errBadCredentials
	}
	token, tokenHash := auth.NewToken()
	if second != nil {
		if err := a.store.CreateSignInToken(ctx, *second, tokenHash, auth.TwoFactorPendingTTL); err != nil {
			return SignInResult{}, err
		}
		return SignInResult{Pending: token}, nil
	}
	if err := a.store.ClearLoginFailures(ctx, acctKey); err != nil {
		return SignInResult{}, err
	}
	if err := open(tokenHash); err != nil {
		return SignInResult{}, err
	}
	return SignInResult{Session: token}, nil
}

func (a *App) checkRate(ctx context.Context, acctKey, ipKey string) error {
	n, err := a.store.LoginFailures(ctx, acctKey, auth.FailureWindow)
	if err != nil {
		return err
	}
	m, err := a.store.LoginFailures(ctx, ipKey, auth.FailureWindow)
	if err != nil {
		return err
	}
	if n >= auth.MaxFailsAccount || m >= auth.MaxFailsIP {
		return domain.Errorf(domain.ETOOMANY, "Too many failed sign-in attempts. Please wait %d minutes and try again.", int(auth.FailureWindow.Minutes()))
	}
	return nil
}

// StaffSession returns the signed-in staff member behind a session cookie token,
// with their company and their principal, or EUNAUTHORIZED.
func (a *App) StaffSession(ctx context.Context, token string) (*domain.StaffUser, *domain.Company, access.Staff, error) {
	if token == "" {
		return nil, nil, access.Staff{}, domain.Errorf(domain.EUNAUTHORIZED, "Please sign in.")
	}
	u, c, err := a.store.StaffSession(ctx, auth.HashToken(token), auth.SessionIdle)
	if err != nil {
		return nil, nil, access.Staff{}, err
	}
	return u, c, staffPrincipal(u), nil
}

// SignOut ends the session behind the cookie token.
func (a *App) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return a.store.DeleteSession(ctx, auth.HashToken(token))
}

// CreateTenant creates a service company with its first administrator, who holds
// every permission, and returns the one-time link that sets the administrator's
// password (valid for auth.ActivationTTL).
func (a *App) CreateTenant(ctx context.Context, name, slug, adminEmail, adminName string) (*domain.Company, string, error) {
	c := &domain.Company{Name: name, Slug: slug}
	admin := &domain.StaffUser{Email: adminEmail, Name: adminName, Permissions: access.Permissions}
	if err := a.store.CreateCompany(ctx, c, admin); err != nil {
		return nil, "", err
	}
	link, err := a.staffLink(ctx, admin, store.PurposeActivation, auth.ActivationTTL)
	if err != nil {
		return nil, "", err
	}
	return c, link, nil
}

// StaffPasswordLink issues a new password-setting link for a staff user of the
// actor's company (invalidating older ones) and returns it. It needs users.manage.
func (a *App) StaffPasswordLink(ctx context.Context, staff access.Staff, userID int64) (string, error) {
	if err := staff.Require(access.UsersManage); err != nil {
		return "", err
	}
	u, err := a.store.StaffUser(ctx, staff.CompanyID(), userID)
	if err != nil {
		return "", err
	}
	return a.staffLink(ctx, u, store.PurposeReset, auth.ActivationTTL)
}

func (a *App) staffLink(ctx context.Context, u *domain.StaffUser, purpose string, ttl time.Duration) (string, error) {
	token, hash := auth.NewToken()
	if err := a.store.CreateStaffToken(ctx, u.CompanyID, u.ID, purpose, hash, ttl); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/app/password/%s", a.BaseURL, token), nil
}

// StaffLinkUser returns the staff user a password link belongs to, without using
// it (mail scanners open links), or ENOTFOUND when it is expired, used or superseded.
func (a *App) StaffLinkUser(ctx context.Context, token string) (*domain.StaffUser, error) {
	u, err := a.store.StaffTokenUser(ctx, auth.HashToken(token), store.PurposeActivation)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		u, err = a.store.StaffTokenUser(ctx, auth.HashToken(token), store.PurposeReset)
	}
	return u, err
}

// SetStaffPasswordWithLink uses a password link: it sets the new password, ends the
// user's other sessions and links, and opens a fresh session whose token it returns
// — or "" when the user has two-factor sign-in on: they sign in with the new
// password and a code.
// Of concurrent submissions of one link exactly one succeeds; the others get ENOTFOUND.
func (a *App) SetStaffPasswordWithLink(ctx context.Context, token, password string) (string, error) {
	if err := auth.ValidateNewPassword(password); err != nil {
		return "", err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", err
	}
	u, err := a.store.RedeemStaffToken(ctx, auth.HashToken(token), store.PurposeActivation, hash)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		u, err = a.store.RedeemStaffToken(ctx, auth.HashToken(token), store.PurposeReset, hash)
	}
	if err != nil {
		return "", err
	}
	if u.TwoFactor {
		// A link in a mailbox is one factor: the code is still asked for.
		return "", nil
	}
	session, sessionHash := auth.NewToken()
	if err := a.store.CreateStaffSession(ctx, u.CompanyID, u.ID, sessionHash, auth.SessionAbsolute); err != nil {
		return "", err
	}
	return session, nil
}

// CreateStaffUser adds a staff user with an initial password to the actor's
// company. It needs users.manage.
func (a *App) CreateStaffUser(ctx context.Context, staff access.Staff, u *domain.StaffUser, password string) error {
	if err := staff.Require(access.UsersManage); err != nil {
		return err
	}
	for _, p := range u.Permissions {
		if !access.ValidPermission(p) {
			return domain.Errorf(domain.EINVALID, "Unknown permission %q.", p)
		}
	}
	u.CompanyID = staff.CompanyID()
	if err := auth.ValidateNewPassword(password); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return a.store.Staff(staff).CreateStaffUser(ctx, u, hash)
}

// UpdateStaffUser changes a staff user of the actor's company. It needs
// users.manage; the store refuses to leave the company without an administrator.
func (a *App) UpdateStaffUser(ctx context.Context, staff access.Staff, id int64, upd store.StaffUpdate) (*domain.StaffUser, error) {
	if err := staff.Require(access.UsersManage); err != nil {
		return nil, err
	}
	if upd.Permissions != nil {
		for _, p := range *upd.Permissions {
			if !access.ValidPermission(p) {
				return nil, domain.Errorf(domain.EINVALID, "Unknown permission %q.", p)
			}
		}
	}
	return a.store.Staff(staff).UpdateStaffUser(ctx, id, upd)
}
