package domain

// ClientAccess is who sees what of one client in the portal: its seats and each
// portal user with access to it, as the access overview shows them.
type ClientAccess struct {
	ClientID   int64
	ClientName string
	Seats      int // portal users with access to the client, of MaxPortalUsersPerClient
	Users      []UserAccess
}

// UserAccess is one portal user's access to one client.
type UserAccess struct {
	User        PortalUser // without Grants
	SiteNames   []string   // the sites the user sees; empty: all of the client's
	SwitchNames []string   // the switches the user sees; empty: all of the client's
	// Invite is the delivery state of the latest invitation to the client (an
	// outbox status: queued, retrying, sent, failed, cancelled), "" when none was sent.
	Invite      string
	InviteError string // the last delivery error of that invitation
}

// Pending reports whether the user has not yet set a password.
func (u UserAccess) Pending() bool { return !u.User.Activated }

// AccessFilter narrows the access overview. Zero values do not narrow.
type AccessFilter struct {
	ClientID      int64
	SiteID        int64 // users who see this site (all sites, or it listed)
	Pending       bool  // users who have not set a password yet
	NeverSignedIn bool  // users who have never signed in
}

// NarrowsUsers reports whether the filter selects users, not only clients: then
// a client without a matching user is left out.
func (f AccessFilter) NarrowsUsers() bool { return f.SiteID != 0 || f.Pending || f.NeverSignedIn }
