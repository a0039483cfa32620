package access

import (
	"slices"
	"strings"
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
// portal request. Its zero value matches nothing.
type Scope struct {
	CompanyID    int64
	PortalUserID int64
	Clients      []ClientAccess // sorted by ClientID
}

// Valid reports whether the scope belongs to a user of a tenant.
func (s Scope) Valid() bool { return s.CompanyID != 0 && s.PortalUserID != 0 }

// ClientIDs lists the clients the user is assigned to.
func (s Scope) ClientIDs() []int64 {
	out := make([]int64, 0, len(s.Clients))
	for _, c := range s.Clients {
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
	for _, c := range s.Clients {
		if c.ClientID == clientID {
			return c, true
		}
	}
	return ClientAccess{}, false
}

// ClientsWhere returns an SQL condition, with its arguments, that holds for rows
// whose clientCol is one of the user's clients. It is "1 = 0" for an empty or
// invalid scope. Column names come from code, never from input.
func (s Scope) ClientsWhere(clientCol string) (string, []any) {
	ids := s.ClientIDs()
	if !s.Valid() || len(ids) == 0 {
		return "1 = 0", nil
	}
	return clientCol + " IN (" + placeholders(len(ids)) + ")", int64Args(ids)
}

// SitesWhere returns an SQL condition for rows that belong to a client of the user
// at a site the user may see: for a client with all sites, any row of the client
// (also one with no site); for a restricted client, only rows at the listed sites.
func (s Scope) SitesWhere(clientCol, siteCol string) (string, []any) {
	if !s.Valid() || len(s.Clients) == 0 {
		return "1 = 0", nil
	}
	var all []int64
	var parts []string
	var args []any
	for _, c := range s.Clients {
		if c.AllSites {
			all = append(all, c.ClientID)
			continue
		}
		if len(c.SiteIDs) == 0 {
			continue
		}
		parts = append(parts, "("+clientCol+" = ? AND "+siteCol+" IN ("+placeholders(len(c.SiteIDs))+"))")
		args = append(args, c.ClientID)
		args = append(args, int64Args(c.SiteIDs)...)
	}
	if len(all) > 0 {
		parts = append([]string{clientCol + " IN (" + placeholders(len(all)) + ")"}, parts...)
		args = append(int64Args(all), args...)
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// CanSeeSwitch reports whether the user's narrowing, if any, allows the switch of
// the client. (Whether its project is visible is a matter of sites.)
func (s Scope) CanSeeSwitch(clientID, switchID int64) bool {
	c, ok := s.client(clientID)
	return ok && (len(c.SwitchIDs) == 0 || slices.Contains(c.SwitchIDs, switchID))
}

// SwitchesWhere returns an SQL condition that holds for switches the per-switch
// narrowing allows: any switch of a client without narrowing, only the listed
// switches of a narrowed client. It says nothing about sites: combine it with
// SitesWhere on the switch's project.
func (s Scope) SwitchesWhere(clientCol, switchCol string) (string, []any) {
	if !s.Valid() {
		return "1 = 0", nil
	}
	var narrowed, allowed []int64
	for _, c := range s.Clients {
		if len(c.SwitchIDs) > 0 {
			narrowed = append(narrowed, c.ClientID)
			allowed = append(allowed, c.SwitchIDs...)
		}
	}
	if len(narrowed) == 0 {
		return "1 = 1", nil
	}
	return "(" + clientCol + " NOT IN (" + placeholders(len(narrowed)) + ") OR " + switchCol + " IN (" + placeholders(len(allowed)) + "))",
		append(int64Args(narrowed), int64Args(allowed)...)
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
