package app

import (
	"portico/internal/access"
	"portico/internal/domain"
)

// This file is the one place outside package access where principals are made:
// from a session or sign-in that has just read the person from the database, or
// for a background job. A test in internal/archtest fails when a principal is made
// anywhere else.

// staffPrincipal is the principal of a staff user read by the session code.
func staffPrincipal(u *domain.StaffUser) access.Staff { return access.NewStaff(u) }

// portalPrincipal is the Scope of a portal user, from the grants read by the
// session code on this request.
func portalPrincipal(u *domain.PortalUser, grants []access.ClientAccess) access.Scope {
	return access.NewScope(u.CompanyID, u.ID, grants)
}

// mailPrincipal is the mail worker's principal.
func mailPrincipal() access.System { return access.NewSystem(access.JobMail) }

// switchesPrincipal is the switch bus's principal.
func switchesPrincipal() access.System { return access.NewSystem(access.JobSwitches) }
