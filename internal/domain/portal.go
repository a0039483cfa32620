package domain

import (
	"strings"
	"time"
)

// PortalUser is a client's person who signs in to a tenant's portal. An account
// belongs to one tenant; the same email in two tenants is two accounts.
type PortalUser struct {
	ID          int64
	CompanyID   int64
	Email       string
	FirstName   string
	LastName    string
	Locale      string // the user's own language, "" for none: see i18n.Resolve
	Activated   bool   // has set a password
	TwoFactor   bool   // signs in with a code from an authenticator app too
	LastLoginAt time.Time
	CreatedAt   time.Time
	Grants      []Grant // filled by list and detail queries
}

// Name is the user's full name, or the email when no name is known.
func (u *PortalUser) Name() string {
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	return u.Email
}

// Status is "active" once the user has set a password, "invited" before.
func (u *PortalUser) Status() string {
	if u.Activated {
		return "active"
	}
	return "invited"
}

// Grant is a portal user's access to one client: all its sites, or the listed ones.
type Grant struct {
	ClientID   int64
	ClientName string
	ContactID  int64 // the ClientContact the account was invited through, 0 if none
	SiteIDs    []int64
	SiteNames  []string
	InviteMail int64 // outbox id of the latest invitation mail, 0 if none
	CreatedAt  time.Time
}

// AllSites reports whether the grant covers every site of the client.
func (g Grant) AllSites() bool { return len(g.SiteIDs) == 0 }
