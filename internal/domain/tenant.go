package domain

import (
	"regexp"
	"sync"
	"time"
)

// Company is a tenant: a service company that keeps its clients in Portico.
type Company struct {
	ID       int64
	Slug     string // URL name of the tenant's portal: /portal/{slug}/
	Name     string
	TimeZone string // IANA name, e.g. "Europe/Bratislava"
	Locale   string // "en" or "sk"
	Team     string // the configured team label; "" for the default
	// RequireTwoFactor makes every staff member set up two-factor sign-in before
	// using the staff app.
	RequireTwoFactor bool
	CreatedAt        time.Time
}

// TeamLabel is how staff actions are shown to portal users, who never see staff
// names: the configured label, or "<company name> team".
func (c *Company) TeamLabel() string {
	return c.TeamLabelOr(c.Name + " team")
}

// TeamLabelOr is the configured label, or def for a company that set none: the
// default label in the reader's language.
func (c *Company) TeamLabelOr(def string) string {
	if c.Team != "" {
		return c.Team
	}
	return def
}

// Location returns the company's time zone, UTC when unknown.
func (c *Company) Location() *time.Location {
	return Zone(c.TimeZone)
}

// zones keeps each time zone Zone has loaded: time.LoadLocation reads and parses
// the zone file on every call, and every date on a page is shown in a zone.
var zones sync.Map // name → *time.Location

// Zone returns the named IANA time zone, UTC when the name is unknown. Zones are
// loaded once per process and shared; a *time.Location is safe to share.
func Zone(name string) *time.Location {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC // not kept: only real zones are, so the map stays small
	}
	zones.Store(name, loc)
	return loc
}

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// ValidSlug reports whether s is a tenant slug: 1–40 lower-case letters, digits
// and inner hyphens.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// StaffUser is a person working for a tenant, signing in to the staff app.
type StaffUser struct {
	ID          int64
	CompanyID   int64
	Email       string
	Name        string
	Locale      string   // the staff member's own language, "" for the tenant's
	Permissions []string // see package access for the names
	Disabled    bool
	HasPassword bool // false until the first password is set
	TwoFactor   bool // signs in with a code from an authenticator app too
	LastLoginAt time.Time
	CreatedAt   time.Time
}

// AuditEntry records who did what in a tenant.
type AuditEntry struct {
	ID        int64
	CompanyID int64
	ActorID   int64  // staff user id, 0 for the system or the operator
	ActorName string // name at the time of the action
	Action    string // e.g. "client.create"
	Subject   string // human readable: "Client ABC s.r.o."
	At        time.Time
}
