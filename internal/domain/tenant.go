package domain

import (
	"regexp"
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
	if c.Team != "" {
		return c.Team
	}
	return c.Name + " team"
}

// Location returns the company's time zone, UTC when unknown.
func (c *Company) Location() *time.Location {
	if loc, err := time.LoadLocation(c.TimeZone); err == nil {
		return loc
	}
	return time.UTC
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
