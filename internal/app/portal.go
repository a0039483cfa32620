package app

import (
	"context"
	"fmt"

	"portico/internal/access"
	"portico/internal/auth"
	"portico/internal/domain"
	"portico/internal/store"
)

// Invite options of the invitation dialog (seed: "Main email", "Protocol email",
// "Another email").
const (
	InviteMainEmail     = "main"
	InviteProtocolEmail = "protocol"
	InviteAnotherEmail  = "other"
)

// InviteClient invites a person to the portal for the client: the client's main
// email, its protocol email, or another address. Needs portal.invite.
func (a *App) InviteClient(ctx context.Context, staff access.Staff, clientID int64, option, other string) (*store.InviteResult, error) {
	if err := staff.Require(access.PortalInvite); err != nil {
		return nil, err
	}
	c, err := a.store.Staff(staff).Client(ctx, clientID)
	if err != nil {
		return nil, err
	}
	var email string
	switch option {
	case InviteMainEmail:
		if c.Email == "" {
			return nil, invalid("email_choice", "The client has no main email. Choose another email.")
		}
		email = c.Email
	case InviteProtocolEmail:
		if c.ProtocolEmail == "" {
			return nil, invalid("email_choice", "The client has no protocol email. Choose another email.")
		}
		email = c.ProtocolEmail
	case InviteAnotherEmail:
		var v domain.Validator
		v.Required("other_email", other, "Email")
		v.Email("other_email", domain.NormalizeEmail(other))
		if err := v.Err(); err != nil {
			return nil, err
		}
		email = other
	default:
		return nil, invalid("email_choice", "Choose where to send the invitation.")
	}
	return a.store.Staff(staff).InvitePortalUser(ctx, store.Invitation{ClientID: clientID, Email: email})
}

// InviteContact invites a contact of the client to the portal ("Invite to portal"
// on the Contacts tab); the portal account is linked to the contact. Needs portal.invite.
func (a *App) InviteContact(ctx context.Context, staff access.Staff, clientID, contactID int64) (*store.InviteResult, error) {
	if err := staff.Require(access.PortalInvite); err != nil {
		return nil, err
	}
	ct, err := a.store.Staff(staff).Contact(ctx, clientID, contactID)
	if err != nil {
		return nil, err
	}
	if ct.Email == "" {
		return nil, domain.Errorf(domain.EINVALID, "%s has no email address. Add one to the contact first.", ct.Name())
	}
	return a.store.Staff(staff).InvitePortalUser(ctx, store.Invitation{ClientID: clientID, Email: ct.Email, ContactID: contactID})
}

func invalid(field, msg string) error {
	return &domain.Error{Code: domain.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// PortalSignIn checks a portal user's credentials in the tenant with the slug and
// opens a session, returning its token. Limits and answers are those of staff sign-in.
func (a *App) PortalSignIn(ctx context.Context, company *domain.Company, email, password, ip string) (string, error) {
	email = domain.NormalizeEmail(email)
	return a.signIn(ctx, fmt.Sprintf("portal:%d:%s", company.ID, email), ip, password, func() (string, func(string) error, error) {
		user, hash, err := a.store.PortalCredentials(ctx, company.ID, email)
		if err != nil {
			return "", nil, err
		}
		return hash, func(tokenHash string) error {
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
// ends the user's other sessions and links, and opens a session whose token it returns.
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
