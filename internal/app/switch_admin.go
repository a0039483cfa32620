package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/switches"
)

// Adding, changing and removing switches, with the device accounts of a broker
// that keeps its own (Mosquitto's dynamic security). The embedded broker reads
// accounts from the database and needs nothing more than the store.
//
// Each change goes to the broker first and to the database second, and the
// broker's part is taken back when the database refuses, so that a failure on
// either side leaves both as they were: the database holds only a password's
// hash, so an account the broker lacks can only be made anew, with new
// credentials.

// brokerWait bounds the broker's work when the database is already changed and
// the request that asked for it may be gone.
const brokerWait = 10 * time.Second

// ErrBrokerUnreachable and ErrBrokerRefused are what staff are told when the
// broker that keeps device accounts does not do its part of a change. They are
// EINVALID so that a form shows them above its fields and keeps what was typed.
var (
	ErrBrokerUnreachable = domain.Errorf(domain.EINVALID, "The MQTT broker could not be reached; nothing was changed. Try again.")
	ErrBrokerRefused     = domain.Errorf(domain.EINVALID, "The MQTT broker refused to change the device's account; nothing was changed. Try again.")
)

// brokerError words a failed broker step for staff, keeping its cause for the log.
func brokerError(err error) error {
	var refused *switches.DynsecError
	if errors.As(err, &refused) {
		return fmt.Errorf("%w (%v)", ErrBrokerRefused, err)
	}
	return fmt.Errorf("%w (%v)", ErrBrokerUnreachable, err)
}

// provisioner returns the broker's keeper of device accounts, or nil when the
// broker reads them from the database. It travels as the service's Bus (see
// switches.Dynsec).
func (s *Switches) provisioner() switches.Provisioner {
	if s == nil {
		return nil
	}
	p, _ := s.bus.(switches.Provisioner)
	return p
}

// CreateSwitch adds a switch to project sw.ProjectID of client sw.ClientID with
// fresh credentials and returns the device's password, shown once. With a broker
// that keeps its own accounts, the device's account is made first; when the
// broker cannot make it, nothing is stored and the error says so. Needs
// switches.manage.
func (s *Switches) CreateSwitch(ctx context.Context, staff access.Staff, sw *domain.Switch) (string, error) {
	p := s.provisioner()
	if p == nil {
		return s.store.Staff(staff).CreateSwitch(ctx, sw)
	}
	if err := staff.Require(access.SwitchesManage); err != nil {
		return "", err
	}
	// A typing mistake is shown before the broker is asked anything.
	sw.Normalize()
	if err := sw.Validate(); err != nil {
		return "", err
	}
	cred := store.NewSwitchCredentials()
	if err := p.AddDevice(ctx, switches.DeviceLogin{Username: cred.Username, Password: cred.Password, Family: sw.Family, Topic: sw.Topic}); err != nil {
		s.log.WarnContext(ctx, "switches: the broker did not make a device's account", "err", err)
		return "", brokerError(err)
	}
	if err := s.store.Staff(staff).CreateSwitchWithCredentials(ctx, sw, cred); err != nil {
		s.removeAccount(ctx, cred.Username)
		return "", err
	}
	return cred.Password, nil
}

// UpdateSwitch replaces name, family, topic and channel of switch sw.ID of the
// project; credentials stay. When the family or topic change, the device's ACL
// on a broker that keeps its own accounts changes first. Needs switches.manage.
func (s *Switches) UpdateSwitch(ctx context.Context, staff access.Staff, sw *domain.Switch) error {
	p := s.provisioner()
	if p == nil {
		return s.store.Staff(staff).UpdateSwitch(ctx, sw)
	}
	if err := staff.Require(access.SwitchesManage); err != nil {
		return err
	}
	sw.Normalize()
	if err := sw.Validate(); err != nil {
		return err
	}
	old, err := s.store.Staff(staff).Switch(ctx, sw.ClientID, sw.ProjectID, sw.ID)
	if err != nil {
		return err
	}
	if old.Family == sw.Family && old.Topic == sw.Topic {
		return s.store.Staff(staff).UpdateSwitch(ctx, sw)
	}
	if err := p.SetDeviceTopic(ctx, old.Username, sw.Family, sw.Topic); err != nil {
		s.log.WarnContext(ctx, "switches: the broker did not change a device's ACL", "switch", sw.ID, "err", err)
		return brokerError(err)
	}
	if err := s.store.Staff(staff).UpdateSwitch(ctx, sw); err != nil {
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), brokerWait)
		defer cancel()
		if perr := p.SetDeviceTopic(bctx, old.Username, old.Family, old.Topic); perr != nil {
			s.log.ErrorContext(ctx, "switches: the broker kept a device's new ACL for a change that was not stored; the next start puts it right",
				"switch", sw.ID, "err", perr)
		}
		return err
	}
	return nil
}

// DeleteSwitch deletes switch id of the project with its activity, and ends
// its device's connections. On a broker that keeps its own accounts, the
// device's account is disabled before the switch is deleted, and removed
// after. Needs switches.manage.
func (s *Switches) DeleteSwitch(ctx context.Context, staff access.Staff, clientID, projectID, id int64) error {
	if err := staff.Require(access.SwitchesManage); err != nil {
		return err
	}
	old, err := s.store.Staff(staff).Switch(ctx, clientID, projectID, id)
	if err != nil {
		return err
	}
	p := s.provisioner()
	if p == nil {
		if err := s.store.Staff(staff).DeleteSwitch(ctx, clientID, projectID, id); err != nil {
			return err
		}
		if k, ok := s.bus.(interface{ DisconnectUser(string) int }); ok {
			k.DisconnectUser(old.Username)
		}
		s.clearAvailability(ctx, old)
		return nil
	}
	if err := p.DisableDevice(ctx, old.Username); err != nil {
		s.log.WarnContext(ctx, "switches: the broker did not disable a device's account", "switch", id, "err", err)
		return brokerError(err)
	}
	if err := s.store.Staff(staff).DeleteSwitch(ctx, clientID, projectID, id); err != nil {
		s.enableAccount(ctx, old.Username)
		return err
	}
	s.removeAccount(ctx, old.Username)
	s.clearAvailability(ctx, old)
	return nil
}

// clearAvailability removes the retained availability of a deleted switch's
// device, so that a later switch with its topic does not inherit it.
func (s *Switches) clearAvailability(ctx context.Context, sw *domain.Switch) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), brokerWait)
	defer cancel()
	topic, _ := switches.Availability(sw.Family, sw.Topic, false)
	if err := s.bus.Publish(ctx, topic, nil, true); err != nil {
		s.log.WarnContext(ctx, "switches: clearing a deleted device's availability", "topic", topic, "err", err)
	}
}

// leaveOffline says, in the device's place, what its last will would have: the
// broker that ended its connection does not send the will.
func (s *Switches) leaveOffline(ctx context.Context, sw *domain.Switch) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), brokerWait)
	defer cancel()
	topic, payload := switches.Availability(sw.Family, sw.Topic, false)
	if err := s.bus.Publish(ctx, topic, payload, true); err != nil {
		s.log.WarnContext(ctx, "switches: marking a disconnected device offline", "topic", topic, "err", err)
	}
	// The bus does not hand this process its own messages (No Local): record
	// here what the other processes hear.
	if err := s.offline(ctx, sw, s.store.Now()); err != nil {
		s.log.ErrorContext(ctx, "switches: storing availability", "switch", sw.ID, "err", err)
	}
}

// regenerateWithBroker is RegenerateCredentials on a broker that keeps its own
// accounts: the new account is made and the old one disabled before the
// database changes, and the old one is removed after.
func (s *Switches) regenerateWithBroker(ctx context.Context, p switches.Provisioner, staff access.Staff, old *domain.Switch) (*domain.Switch, string, error) {
	if err := staff.Require(access.SwitchesManage); err != nil {
		return nil, "", err
	}
	cred := store.NewSwitchCredentials()
	if err := p.AddDevice(ctx, switches.DeviceLogin{Username: cred.Username, Password: cred.Password, Family: old.Family, Topic: old.Topic}); err != nil {
		s.log.WarnContext(ctx, "switches: the broker did not make a device's new account", "switch", old.ID, "err", err)
		return nil, "", brokerError(err)
	}
	// The old password must stop working even if removing its account fails later.
	if err := p.DisableDevice(ctx, old.Username); err != nil {
		s.log.WarnContext(ctx, "switches: the broker did not disable a device's old account", "switch", old.ID, "err", err)
		s.removeAccount(ctx, cred.Username)
		return nil, "", brokerError(err)
	}
	sw, err := s.store.Staff(staff).ReplaceSwitchCredentials(ctx, old.ClientID, old.ProjectID, old.ID, cred)
	if err != nil {
		s.removeAccount(ctx, cred.Username)
		s.enableAccount(ctx, old.Username)
		return nil, "", err
	}
	s.removeAccount(ctx, old.Username)
	s.leaveOffline(ctx, old)
	s.log.InfoContext(ctx, "device disconnected after new credentials", "switch", old.ID)
	return sw, cred.Password, nil
}

// removeAccount removes a device's account whose switch is gone or has new
// credentials. A failure is logged: the account stays disabled or unused, and
// the next start removes it.
func (s *Switches) removeAccount(ctx context.Context, username string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), brokerWait)
	defer cancel()
	if err := s.provisioner().RemoveDevice(ctx, username); err != nil {
		s.log.WarnContext(ctx, "switches: the broker did not remove a device's account; the next start does", "username", username, "err", err)
	}
}

// enableAccount lets a device in again after a change that was not stored.
func (s *Switches) enableAccount(ctx context.Context, username string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), brokerWait)
	defer cancel()
	if err := s.provisioner().EnableDevice(ctx, username); err != nil {
		s.log.ErrorContext(ctx, "switches: the broker did not enable a device's account again; the next start does", "username", username, "err", err)
	}
}

// ReconcileAccounts brings a broker that keeps its own device accounts in line
// with the database, as the server starts: every switch's ACL up to date, the
// accounts of deleted switches removed, and the switches the broker has no
// account for logged (their credentials must be regenerated: only a password's
// hash is stored). It does nothing for the embedded broker.
func (s *Switches) ReconcileAccounts(ctx context.Context) (switches.Reconciled, error) {
	p := s.provisioner()
	if p == nil {
		return switches.Reconciled{}, nil
	}
	ids := map[string]int64{}
	listDevices := func(ctx context.Context) ([]switches.DeviceLogin, error) {
		accounts, err := s.store.Devices(switchesPrincipal()).BrokerAccounts(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]switches.DeviceLogin, len(accounts))
		for i, a := range accounts {
			out[i] = switches.DeviceLogin{Username: a.Username, Family: a.Family, Topic: a.Topic}
			ids[a.Username] = a.SwitchID
		}
		return out, nil
	}
	r, err := p.Reconcile(ctx, listDevices)
	if err != nil {
		return r, fmt.Errorf("app: bringing the broker's device accounts in line: %w", err)
	}
	for _, u := range r.Missing {
		s.log.WarnContext(ctx, "switches: the broker has no account for this device yet: regenerate its credentials", "switch", ids[u], "username", u)
	}
	if r.Updated > 0 || len(r.Removed) > 0 {
		s.log.InfoContext(ctx, "switches: the broker's device accounts brought in line", "acls_updated", r.Updated, "accounts_removed", len(r.Removed))
	}
	return r, nil
}

// BrokerAccountMissing reports whether the broker that keeps device accounts has
// no working account for the switch, which then cannot connect until its
// credentials are regenerated. It is false for the embedded broker, and when
// the broker does not answer (the page then says nothing rather than guess).
// Only staff of the switch's tenant with switches.manage, who see its
// credentials, may ask.
func (s *Switches) BrokerAccountMissing(ctx context.Context, staff access.Staff, sw *domain.Switch) bool {
	p := s.provisioner()
	if p == nil || sw.Username == "" || !staff.Can(access.SwitchesManage) || sw.CompanyID != staff.CompanyID() {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ok, err := p.HasDevice(ctx, sw.Username)
	if err != nil {
		s.log.WarnContext(ctx, "switches: asking the broker for a device's account", "switch", sw.ID, "err", err)
		return false
	}
	return !ok
}

// CreateSwitch adds a switch and returns its device password, shown once. With a
// switch service its broker account is made too; without one (a server running
// without a broker) only the store is written.
func (a *App) CreateSwitch(ctx context.Context, staff access.Staff, sw *domain.Switch) (string, error) {
	if a.Switches != nil {
		return a.Switches.CreateSwitch(ctx, staff, sw)
	}
	return a.store.Staff(staff).CreateSwitch(ctx, sw)
}

// UpdateSwitch changes a switch (and its broker account, with a switch service).
func (a *App) UpdateSwitch(ctx context.Context, staff access.Staff, sw *domain.Switch) error {
	if a.Switches != nil {
		return a.Switches.UpdateSwitch(ctx, staff, sw)
	}
	return a.store.Staff(staff).UpdateSwitch(ctx, sw)
}

// DeleteSwitch removes a switch (and its broker account, with a switch service).
func (a *App) DeleteSwitch(ctx context.Context, staff access.Staff, clientID, projectID, id int64) error {
	if a.Switches != nil {
		return a.Switches.DeleteSwitch(ctx, staff, clientID, projectID, id)
	}
	return a.store.Staff(staff).DeleteSwitch(ctx, clientID, projectID, id)
}
