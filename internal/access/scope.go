package access

import (
	"cmp"
	"slices"
)

// MaxPortalUsersPerClient is how many portal users one client may have.
const MaxPortalUsersPerClient = 5

// ClientAccess is what a portal user may see of one client: all its sites, or the
// listed ones.
type ClientAccess struct {
	ClientID int64
	AllSites bool
	SiteIDs  []int64 // when !AllSites; sorted
	// SwitchIDs narrows the client's switches to the listed ones; empty means all
	// switches of the projects the user may see.
	SwitchIDs []int64
}

// Scope is what one portal user may see, loaded fresh from the database on every
// portal request. Its fields are unexported so that only NewScope, called by the
// session code, can make one; its zero value matches nothing.
type Scope struct {
	companyID    int64
	portalUserID int64
	clients      []ClientAccess // sorted by ClientID
}

// NewScope returns the Scope of a portal user of a tenant with the given grants.
// Only sign-in and session code call it (a test in internal/archtest keeps it so).
func NewScope(companyID, portalUserID int64, clients []ClientAccess) Scope {
	cs := make([]ClientAccess, len(clients))
	for i, c := range clients {
		c.SiteIDs = slices.Clone(c.SiteIDs)
		slices.Sort(c.SiteIDs)
		c.SwitchIDs = slices.Clone(c.SwitchIDs)
		slices.Sort(c.SwitchIDs)
		cs[i] = c
	}
	slices.SortFunc(cs, func(a, b ClientAccess) int { return cmp.Compare(a.ClientID, b.ClientID) })
	return Scope{companyID: companyID, portalUserID: portalUserID, clients: cs}
}

// CompanyID is the tenant the portal user belongs to.
func (s Scope) CompanyID() int64 { return s.companyID }

// PortalUserID is the portal user the Scope belongs to.
func (s Scope) PortalUserID() int64 { return s.portalUserID }

// Clients returns a copy of the user's grants, sorted by client; none when the
// Scope is not valid.
func (s Scope) Clients() []ClientAccess {
	if !s.Valid() {
		return nil
	}
	out := make([]ClientAccess, len(s.clients))
	for i, c := range s.clients {
		c.SiteIDs = slices.Clone(c.SiteIDs)
		c.SwitchIDs = slices.Clone(c.SwitchIDs)
		out[i] = c
	}
	return out
}

// Valid reports whether the scope belongs to a user of a tenant.
func (s Scope) Valid() bool { return s.companyID != 0 && s.portalUserID != 0 }

// ClientIDs lists the clients the user is assigned to.
func (s Scope) ClientIDs() []int64 {
	if !s.Valid() {
		return nil
	}
	out := make([]int64, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c.ClientID)
	}
	return out
}

// HasClient reports whether the user is assigned to the client.
func (s Scope) HasClient(clientID int64) bool {
	_, ok := s.client(clientID)
	return ok
}

// CanSeeSite reports whether the user may see the site of the client.
func (s Scope) CanSeeSite(clientID, siteID int64) bool {
	c, ok := s.client(clientID)
	if !ok {
		return false
	}
	return c.AllSites || slices.Contains(c.SiteIDs, siteID)
}

// AllSitesOf reports whether the user may see every site of the client (and so
// what belongs to the client but to no particular site).
func (s Scope) AllSitesOf(clientID int64) bool {
	c, ok := s.client(clientID)
	return ok && c.AllSites
}

func (s Scope) client(clientID int64) (ClientAccess, bool) {
	if !s.Valid() {
		return ClientAccess{}, false
	}
	for _, c := range s.clients {
		if c.ClientID == clientID {
			return c, true
		}
	}
	return ClientAccess{}, false
}

// CanSeeSwitch reports whether the user's narrowing, if any, allows the switch of
// the client. (Whether its project is visible is a matter of sites.)
func (s Scope) CanSeeSwitch(clientID, switchID int64) bool {
	c, ok := s.client(clientID)
	return ok && (len(c.SwitchIDs) == 0 || slices.Contains(c.SwitchIDs, switchID))
}
