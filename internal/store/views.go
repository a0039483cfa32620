package store

import "portico/internal/access"

// StaffView is the store as one signed-in staff member may use it: every method
// reads or writes inside the member's tenant, and every write checks the member's
// permission. Get one with Store.Staff; it cannot be made otherwise.
type StaffView struct {
	s     *Store
	staff access.Staff
}

// Staff returns the view of the store bound to a staff principal.
func (s *Store) Staff(staff access.Staff) *StaffView { return &StaffView{s: s, staff: staff} }

// PortalView is the store as one portal user may use it: every method filters by
// the user's Scope in SQL, and a row outside it is not found. Get one with
// Store.Portal; it cannot be made otherwise.
type PortalView struct {
	s     *Store
	scope access.Scope
}

// Portal returns the view of the store bound to a portal user's Scope.
func (s *Store) Portal(scope access.Scope) *PortalView { return &PortalView{s: s, scope: scope} }

// MailView is what the mail worker may do: claim, record and drop outbox rows of
// every tenant, read a message's recipient and file demo mail.
type MailView struct{ s *Store }

// Mail returns the mail worker's view of the store. It panics unless the
// principal is the mail job: a wrong principal here is a programming error.
func (s *Store) Mail(p access.System) *MailView {
	if !p.Does(access.JobMail) {
		panic("store: the mail view needs the mail worker's principal")
	}
	return &MailView{s: s}
}

// DeviceView is what the switch bus may do: find switches by topic or id across
// tenants, record their availability, reports and command outcomes, and answer the
// broker's questions about device accounts.
type DeviceView struct{ s *Store }

// Devices returns the switch bus's view of the store. It panics unless the
// principal is the switches job: a wrong principal here is a programming error.
func (s *Store) Devices(p access.System) *DeviceView {
	if !p.Does(access.JobSwitches) {
		panic("store: the device view needs the switch bus's principal")
	}
	return &DeviceView{s: s}
}
