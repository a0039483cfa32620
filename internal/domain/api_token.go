package domain

import (
	"strings"
	"time"
)

// APITokenPrefix starts the text of every personal access token, so that a token
// pasted somewhere it should not be is recognisable (and secret scanners can
// find it).
const APITokenPrefix = "ptc_"

// APIToken is a personal access token for the JSON API as its owner sees it: a
// name, when it was made, used, and when it ends. Its text is shown once, when
// it is created, and only its SHA-256 is stored. It belongs to a staff user or to
// a portal user (exactly one of the ids is set) and acts with that person's
// access as it stands on each request.
type APIToken struct {
	ID           int64
	CompanyID    int64
	StaffUserID  int64 // 0 for a portal user's token
	PortalUserID int64 // 0 for a staff user's token
	Name         string
	CreatedAt    time.Time
	ExpiresAt    time.Time // zero: no expiry
	LastUsedAt   time.Time // zero: never used
	RevokedAt    time.Time // zero: not revoked
}

// Active reports whether the token may be used at now: not revoked, not expired.
func (t *APIToken) Active(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

// ValidateAPIToken checks the name and expiry of a new token: a name of 1 to 80
// characters, and an expiry, if any, in the future.
func ValidateAPIToken(name string, expires, now time.Time) error {
	var v Validator
	name = strings.TrimSpace(name)
	v.Required("name", name, "Name")
	v.MaxLen("name", name, 80)
	v.Text("name", name)
	if !expires.IsZero() && !expires.After(now) {
		v.Add("expires", "Choose a date in the future.")
	}
	return v.Err()
}
