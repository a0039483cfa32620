package app_test

import (
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// Staff and portal users toggle through the switch service and a real device
// confirms. A portal user whose access is narrowed to some switches finds the
// others not found, online or not; a switch that is offline is refused at once —
// nothing sent, nothing recorded, no waiting for a device that is not there.
func TestToggleReachAndOffline(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		// A command to an absent device would wait this long before failing; a
		// refusal comes long before.
		const commandTimeout = 20 * time.Second
		ss := testenv.StartSwitchServer(t, db, testenv.BrokerEmbedded, testenv.SwitchOptions{CommandTimeout: commandTimeout, QueryTimeout: time.Second})
		ctx := t.Context()
		tn := db.Tenant(t, "acme")
		client := db.Client(t, tn, "Dencorp")
		project := db.Project(t, tn, client, "Office", db.Site(t, tn, client, "Dencorp office", "Bratislava"))
		light, lightPW := db.Switch(t, tn, project, "Office light", domain.FamilyTasmota, "office_light")
		heater, heaterPW := db.Switch(t, tn, project, "Heater", domain.FamilyShelly, "shellyplus1-heater")
		pump, _ := db.Switch(t, tn, project, "Irrigation pump", domain.FamilyShelly, "shellyplus1-pump") // no device: offline
		lightDev := ss.Device(t, light, lightPW)
		heaterDev := ss.Device(t, heater, heaterPW)

		narrowedUser := portalUser(t, db, tn, "light@dencorp.test", "Denisa", "Horváthová", client)
		if err := app.New(db.Store, nil, "").SetPortalSwitchGrants(ctx, tn.Staff, narrowedUser.ID, []int64{light.ID}); err != nil {
			t.Fatal(err)
		}
		wholeUser := portalUser(t, db, tn, "all@dencorp.test", "Peter", "Novák", client)
		scopeOf := func(u *domain.PortalUser) access.Scope {
			scope, err := testenv.PortalScope(ctx, db.Store, tn.Company.ID, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return scope
		}
		narrowed, whole := scopeOf(narrowedUser), scopeOf(wholeUser)
		svc := ss.Switches

		res, err := svc.ToggleAsStaff(ctx, tn.Staff, light.ID, true)
		if err != nil || res.Status != domain.EventConfirmed || !lightDev.On() {
			t.Fatalf("staff turning the light on: %+v, %v; device on=%v", res, err, lightDev.On())
		}
		res, err = svc.ToggleAsPortal(ctx, narrowed, narrowedUser, light.ID, false)
		if err != nil || res.Status != domain.EventConfirmed || lightDev.On() {
			t.Fatalf("the narrowed user turning the light off: %+v, %v; device on=%v", res, err, lightDev.On())
		}

		for _, tc := range []struct {
			name   string
			toggle func() (*domain.Switch, error)
			code   string
		}{
			{"narrowed user, an online switch outside the narrowing", func() (*domain.Switch, error) {
				return heater, toggleErr(svc.ToggleAsPortal(ctx, narrowed, narrowedUser, heater.ID, true))
			}, domain.ENOTFOUND},
			{"narrowed user, an offline switch outside the narrowing", func() (*domain.Switch, error) {
				return pump, toggleErr(svc.ToggleAsPortal(ctx, narrowed, narrowedUser, pump.ID, true))
			}, domain.ENOTFOUND},
			{"narrowed user, with another user's Scope", func() (*domain.Switch, error) {
				return light, toggleErr(svc.ToggleAsPortal(ctx, whole, narrowedUser, light.ID, true))
			}, domain.ENOTFOUND},
			{"portal user, an offline switch", func() (*domain.Switch, error) {
				return pump, toggleErr(svc.ToggleAsPortal(ctx, whole, wholeUser, pump.ID, true))
			}, domain.ECONFLICT},
			{"staff, an offline switch", func() (*domain.Switch, error) {
				return pump, toggleErr(svc.ToggleAsStaff(ctx, tn.Staff, pump.ID, true))
			}, domain.ECONFLICT},
		} {
			t.Run(tc.name, func(t *testing.T) {
				start := time.Now()
				sw, err := tc.toggle()
				wantCode(t, err, tc.code)
				if took := time.Since(start); took >= commandTimeout {
					t.Errorf("the refusal took %v: it waited for a device", took)
				}
				stored, err := db.Store.Staff(tn.Staff).Switch(ctx, client.ID, project.ID, sw.ID)
				if err != nil {
					t.Fatal(err)
				}
				if stored.On || stored.Pending != "" {
					t.Errorf("%s is stored on=%v, pending %q after a refused command", sw.Name, stored.On, stored.Pending)
				}
			})
		}
		if heaterDev.On() {
			t.Error("the heater's device turned on after a refused command")
		}

		acts, err := db.Store.Staff(tn.Staff).SwitchActivity(ctx, client.ID, project.ID, 20)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range acts {
			got = append(got, e.SwitchName+" "+e.StateWord()+" "+e.ActorKind+" "+e.Status)
		}
		want := []string{"Office light off portal confirmed", "Office light on staff confirmed"}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("activity %q, want just %q: the refusals must record nothing", got, want)
		}
	})
}

// toggleErr keeps a toggle's error.
func toggleErr[T any](_ T, err error) error { return err }
