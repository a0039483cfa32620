package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/switches"
)

// demoSwitch is one of Dencorp's switches and how its simulated device behaves.
type demoSwitch struct {
	project, name, family, topic string
	offline                      bool // its device stays away: the row is orange
	pressed                      bool // someone presses its button every few minutes
}

var demoSwitches = []demoSwitch{
	{project: "Office lighting", name: "Office lights", family: domain.FamilyTasmota, topic: "dencorp_office_lights"},
	{project: "Office lighting", name: "Reception sign", family: domain.FamilyShelly, topic: "shellyplus1-dencorp-sign", pressed: true},
	{project: "Greenhouse irrigation", name: "Irrigation pump", family: domain.FamilyShelly, topic: "shellyplus1-greenhouse-pump"},
	{project: "Greenhouse irrigation", name: "Grow lights", family: domain.FamilyTasmota, topic: "greenhouse_grow_lights", offline: true},
}

// PressEvery is how often the demo's "pressed by hand" switch is pressed.
const PressEvery = 3 * time.Minute

// fillSwitches gives Dencorp's two projects their switches and a few days of
// activity by staff, portal users and buttons.
func fillSwitches(ctx context.Context, st *store.Store, staff access.Staff, tech *domain.StaffUser, clientID int64) error {
	projects, err := st.Staff(staff).Projects(ctx, clientID)
	if err != nil {
		return err
	}
	byName := map[string]int64{}
	for _, p := range projects {
		byName[p.Name] = p.ID
	}
	var portal []*domain.PortalUser
	for _, email := range []string{"portal@dencorp.test", "multi@demo.test"} {
		u, _, err := st.PortalCredentials(ctx, staff.CompanyID(), email)
		if err != nil {
			return err
		}
		portal = append(portal, u)
	}
	now := st.Now()
	for i, ds := range demoSwitches {
		sw := &domain.Switch{ClientID: clientID, ProjectID: byName[ds.project], Name: ds.name, Family: ds.family, Topic: ds.topic}
		if _, err := st.Staff(staff).CreateSwitch(ctx, sw); err != nil {
			return fmt.Errorf("demo: switch %s: %w", ds.name, err)
		}
		// Four days of history: mornings on, evenings off, by turns of people.
		var hist []store.PastSwitchEvent
		for day := 4; day >= 1; day-- {
			base := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -day)
			on := store.PastSwitchEvent{On: true, Status: domain.EventConfirmed, At: base.Add(time.Duration(6+i) * time.Hour).Add(time.Duration(day*7) * time.Minute)}
			off := store.PastSwitchEvent{On: false, Status: domain.EventConfirmed, At: base.Add(time.Duration(17+i%2) * time.Hour).Add(time.Duration(day*11) * time.Minute)}
			switch (day + i) % 4 {
			case 0:
				on.ActorKind, on.StaffUserID, on.ActorName = domain.ActorStaff, tech.ID, tech.Name
				off.ActorKind, off.PortalUserID, off.ActorName = domain.ActorPortal, portal[0].ID, portal[0].Name()
			case 1:
				on.ActorKind, on.PortalUserID, on.ActorName = domain.ActorPortal, portal[0].ID, portal[0].Name()
				off.ActorKind, off.Source = domain.ActorExternal, "button"
			case 2:
				on.ActorKind, on.PortalUserID, on.ActorName = domain.ActorPortal, portal[1].ID, portal[1].Name()
				off.ActorKind, off.StaffUserID, off.ActorName = domain.ActorStaff, staff.UserID(), staff.Name()
			default:
				on.ActorKind, on.Source = domain.ActorExternal, "schedule"
				off.ActorKind, off.PortalUserID, off.ActorName = domain.ActorPortal, portal[0].ID, portal[0].Name()
			}
			hist = append(hist, on, off)
		}
		// One command that got no answer, to show how a failure reads.
		if i == 2 {
			hist = append(hist, store.PastSwitchEvent{On: true, Status: domain.EventFailed, ActorKind: domain.ActorPortal,
				PortalUserID: portal[0].ID, ActorName: portal[0].Name(), At: now.Add(-20 * time.Hour)})
		}
		if err := st.Staff(staff).AddSwitchHistory(ctx, sw.ID, hist); err != nil {
			return err
		}
	}
	return nil
}

// StartDevices runs the demo's simulated devices on the broker at brokerURL
// until ctx ends: it gives each of Dencorp's switches fresh credentials (the
// passwords are stored only as hashes), connects all but the offline one, and
// presses the button of one of them every PressEvery.
func StartDevices(ctx context.Context, st *store.Store, brokerURL string, log *slog.Logger) error {
	c, err := st.CompanyBySlug(ctx, Slug)
	if err != nil {
		return err
	}
	admin, _, err := st.StaffCredentials(ctx, c.ID, AdminEmail)
	if err != nil {
		return err
	}
	staff := access.NewStaff(admin)
	for _, ds := range demoSwitches {
		if ds.offline {
			continue
		}
		sw, err := st.Devices(access.NewSystem(access.JobSwitches)).SwitchByTopic(ctx, ds.family, ds.topic)
		if err != nil {
			return fmt.Errorf("demo: switch %s: %w", ds.name, err)
		}
		sw, pw, err := st.Staff(staff).RegenerateSwitchCredentials(ctx, sw.ClientID, sw.ProjectID, sw.ID)
		if err != nil {
			return err
		}
		dev, err := switches.StartSim(ctx, switches.SimConfig{Device: switches.Device{Family: sw.Family, Topic: sw.Topic, Channel: sw.Channel},
			BrokerURL: brokerURL, Username: sw.Username, Password: pw, On: sw.On, Log: log})
		if err != nil {
			return fmt.Errorf("demo: device %s: %w", ds.name, err)
		}
		go func(ds demoSwitch) {
			defer dev.Close()
			var tick <-chan time.Time
			if ds.pressed {
				t := time.NewTicker(PressEvery)
				defer t.Stop()
				tick = t.C
			}
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick:
					dev.Press(ctx)
				}
			}
		}(ds)
	}
	return nil
}
