package app

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"

	"portico/internal/access"
	"portico/internal/auth"
	"portico/internal/domain"
)

// newAPIToken returns the text of a new personal access token — the prefix and
// 32 random bytes in unpadded lowercase base32 — and the hash that is stored.
func newAPIToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never returns an error (crypto/rand panics instead)
	token = domain.APITokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return token, auth.HashToken(token)
}

// CreateStaffAPIToken makes a personal access token for the staff member and
// returns it with its text, which is shown once and never again. expires may be
// zero (no expiry). The token acts with the member's permissions as they stand
// on each request.
func (a *App) CreateStaffAPIToken(ctx context.Context, staff access.Staff, name string, expires time.Time) (*domain.APIToken, string, error) {
	token, hash := newAPIToken()
	t, err := a.store.Staff(staff).CreateAPIToken(ctx, name, hash, expires)
	if err != nil {
		return nil, "", err
	}
	a.Log.InfoContext(ctx, "api token created", "company", staff.CompanyID(), "staff_user", staff.UserID(), "token", t.ID)
	return t, token, nil
}

// CreatePortalAPIToken makes a personal access token for the portal user of the
// Scope, as CreateStaffAPIToken does for staff.
func (a *App) CreatePortalAPIToken(ctx context.Context, scope access.Scope, name string, expires time.Time) (*domain.APIToken, string, error) {
	token, hash := newAPIToken()
	t, err := a.store.Portal(scope).CreateAPIToken(ctx, name, hash, expires)
	if err != nil {
		return nil, "", err
	}
	a.Log.InfoContext(ctx, "api token created", "company", scope.CompanyID(), "portal_user", scope.PortalUserID(), "token", t.ID)
	return t, token, nil
}

// APICaller is who a request to the JSON API acts as: the token's owner, with
// the principal loaded fresh on this request — Staff for a staff user's token,
// Scope for a portal user's (exactly one of StaffUser and PortalUser is set).
type APICaller struct {
	Token      *domain.APIToken
	Company    *domain.Company
	StaffUser  *domain.StaffUser
	Staff      access.Staff
	PortalUser *domain.PortalUser
	Scope      access.Scope
}

// APIAuthenticate returns the caller behind a bearer token, counting the
// request against the token's limit of perMinute requests a minute (0: no
// limit). The owner and their access are read from the database on every
// request, through the same principal makers as the sessions, so a revoked
// token, a disabled staff user, a removed permission or a narrowed portal
// grant takes effect on the next request. EUNAUTHORIZED for a token that is
// unknown, revoked, expired or whose owner is gone or disabled; ETOOMANY with
// RetryAfter over the limit.
func (a *App) APIAuthenticate(ctx context.Context, token string, perMinute int) (*APICaller, error) {
	if !strings.HasPrefix(token, domain.APITokenPrefix) {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "The token is not valid.")
	}
	t, count, resetAt, err := a.store.UseAPIToken(ctx, auth.HashToken(token))
	if err != nil {
		return nil, err
	}
	if perMinute > 0 && count > perMinute {
		e := domain.Errorf(domain.ETOOMANY, "Too many requests with this token: at most %d a minute.", perMinute)
		e.RetryAfter = max(resetAt.Sub(a.store.Now()), time.Second)
		return nil, e
	}
	c, err := a.store.Company(ctx, t.CompanyID)
	if err != nil {
		return nil, err
	}
	caller := &APICaller{Token: t, Company: c}
	if t.StaffUserID != 0 {
		u, err := a.store.StaffUser(ctx, t.CompanyID, t.StaffUserID)
		if err != nil || u.Disabled {
			return nil, domain.Errorf(domain.EUNAUTHORIZED, "The token's owner can no longer sign in.")
		}
		caller.StaffUser, caller.Staff = u, staffPrincipal(u)
	} else {
		u, err := a.store.APITokenUser(ctx, t.CompanyID, t.PortalUserID)
		if err != nil {
			return nil, domain.Errorf(domain.EUNAUTHORIZED, "The token's owner can no longer sign in.")
		}
		grants, err := a.store.PortalGrants(ctx, t.CompanyID, u.ID)
		if err != nil {
			return nil, err
		}
		caller.PortalUser, caller.Scope = u, portalPrincipal(u, grants)
	}
	return caller, nil
}
