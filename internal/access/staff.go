// Package access decides who may see and do what: the named permissions of staff
// and, for portal users, the Scope of clients and sites they may see. It is pure:
// no I/O, no clock, nothing of Portico's but package domain.
package access

import (
	"slices"

	"portico/internal/domain"
)

// Staff permissions, granted per staff user by an administrator.
const (
	ClientsManage   = "clients.manage"
	PortalInvite    = "portal.invite"
	SwitchesManage  = "switches.manage"
	DocumentsManage = "documents.manage"
	ProtocolsWrite  = "protocols.write"
	BillingManage   = "billing.manage"
	UsersManage     = "users.manage"
)

// Permissions lists every staff permission in the order the users page shows them.
var Permissions = []string{ClientsManage, PortalInvite, SwitchesManage, DocumentsManage,
	ProtocolsWrite, BillingManage, UsersManage}

// permissionText is what people read for each permission: a short label for
// chips, lists and messages, and a description for the form that grants it.
// Every place that shows a permission shows these, never the key.
var permissionText = map[string]struct{ label, hint string }{
	ClientsManage:   {"Manage clients", "Manage clients, contacts, sites and projects"},
	PortalInvite:    {"Invite portal users", "Invite clients to the portal"},
	SwitchesManage:  {"Manage switches", "Manage switches and see their credentials"},
	DocumentsManage: {"Manage documents", "Upload and edit documents"},
	ProtocolsWrite:  {"Write protocols", "Write, complete and edit service protocols"},
	BillingManage:   {"Manage billing", "Manage invoices and estimates"},
	UsersManage:     {"Manage staff", "Manage staff users (administrator)"},
}

// PermissionLabel is the short user-facing name of a permission ("Manage
// clients" for clients.manage), in English; an unknown key is returned as it is.
func PermissionLabel(p string) string {
	if t, ok := permissionText[p]; ok {
		return t.label
	}
	return p
}

// PermissionHint is the user-facing description of what a permission allows,
// in English; an unknown key is returned as it is.
func PermissionHint(p string) string {
	if t, ok := permissionText[p]; ok {
		return t.hint
	}
	return p
}

// ValidPermission reports whether p names a staff permission.
func ValidPermission(p string) bool { return slices.Contains(Permissions, p) }

// Staff is a signed-in staff user acting inside their tenant. Its fields are
// unexported so that only NewStaff, called by the session code that has just read
// the user from the database, can make one; its zero value may do nothing.
type Staff struct {
	companyID int64
	userID    int64
	name      string
	perms     []string
}

// NewStaff returns the principal of an enabled staff user. Only sign-in and
// session code call it (a test in internal/archtest keeps it so).
func NewStaff(u *domain.StaffUser) Staff {
	if u == nil || u.Disabled {
		return Staff{}
	}
	return Staff{companyID: u.CompanyID, userID: u.ID, name: u.Name, perms: slices.Clone(u.Permissions)}
}

// CompanyID is the tenant the staff member acts in.
func (s Staff) CompanyID() int64 { return s.companyID }

// UserID is the staff member's user id.
func (s Staff) UserID() int64 { return s.userID }

// Name is the staff member's name, for audit entries and attribution.
func (s Staff) Name() string { return s.name }

// Can reports whether s holds permission p. Every staff member may read their tenant's
// data; p == "" asks just that.
func (s Staff) Can(p string) bool {
	if s.companyID == 0 || s.userID == 0 {
		return false
	}
	return p == "" || slices.Contains(s.perms, p)
}

// IsAdmin reports whether s administers the tenant's staff.
func (s Staff) IsAdmin() bool { return s.Can(UsersManage) }

// Require returns an EFORBIDDEN error unless s holds p.
func (s Staff) Require(p string) error {
	if s.Can(p) {
		return nil
	}
	return domain.Errorf(domain.EFORBIDDEN, "You need the “%s” permission for this. Ask an administrator of your company.", PermissionLabel(p))
}
