package switches_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/switches"
	"portico/internal/testenv"
)

// dynsecWorld is a tenant with a project, on a server whose Mosquitto keeps
// device accounts in its dynamic-security plugin.
type dynsecWorld struct {
	db      *testenv.DB
	ss      *testenv.SwitchServer
	tn      *testenv.Tenant
	project *domain.Project
}

func newDynsecWorld(t *testing.T, db *testenv.DB) *dynsecWorld {
	t.Helper()
	w := &dynsecWorld{db: db, ss: testenv.StartSwitchServer(t, db, testenv.BrokerMosquittoDynsec,
		testenv.SwitchOptions{CommandTimeout: 3 * time.Second, QueryTimeout: time.Second, Grace: 300 * time.Millisecond}), tn: db.Tenant(t, "")}
	client := db.Client(t, w.tn, "Dencorp")
	site := db.Site(t, w.tn, client, "Dencorp office", "Bratislava")
	w.project = db.Project(t, w.tn, client, "Office lighting", site)
	return w
}

func (w *dynsecWorld) provisioner() switches.Provisioner { return w.ss.Bus.(switches.Provisioner) }

// waitBroker waits until the server speaks to the broker again after a restart.
func (w *dynsecWorld) waitBroker(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := w.provisioner().HasDevice(ctx, "nobody")
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server does not reach the broker again: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (w *dynsecWorld) switchCount(t *testing.T) int {
	t.Helper()
	sws, err := w.db.Store.Staff(w.tn.Staff).ProjectSwitches(context.Background(), w.project.ClientID, w.project.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(sws)
}

// wantLogin checks whether the broker lets a device in with the credentials.
func wantLogin(t *testing.T, ss *testenv.SwitchServer, what, user, password string, ok bool) {
	t.Helper()
	err := testenv.TryConnect(ss.BrokerURL, user, password)
	if ok && err != nil {
		t.Errorf("%s: refused: %v", what, err)
	}
	if !ok && err == nil {
		t.Errorf("%s: let in", what)
	}
}

// A switch's device account on a broker with dynamic security follows the
// switch: made with it, confined to its topics as they change, replaced with
// its credentials and removed with it. Whenever the broker cannot do its part,
// the staff member is told and nothing changes.
func TestDynsecSwitchLifecycle(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newDynsecWorld(t, db)
		ctx := context.Background()
		svc := w.ss.Switches

		tas, tasPW := w.ss.AddSwitch(t, w.tn, w.project, "Office light", domain.FamilyTasmota, "office_light")
		sh, shPW := w.ss.AddSwitch(t, w.tn, w.project, "Irrigation pump", domain.FamilyShelly, "shellyplus1-a8032ab1")

		// Devices with their own credentials come online and obey commands.
		dev := w.ss.Device(t, tas, tasPW)
		w.ss.Device(t, sh, shPW)
		if res, err := svc.ToggleAsStaff(ctx, w.tn.Staff, tas.ID, true); err != nil || res.Status != domain.EventConfirmed {
			t.Fatalf("toggle over the broker with dynamic security: %+v, %v", res, err)
		}
		wantLogin(t, w.ss, "a wrong password", tas.Username, "not-the-password", false)
		wantLogin(t, w.ss, "another device's password", tas.Username, shPW, false)
		wantLogin(t, w.ss, "an anonymous client", "", "", false)

		// A new topic: the device is confined to the new one at once.
		dev.Close()
		renamed := *tas
		renamed.Topic = "office_light_2"
		if err := svc.UpdateSwitch(ctx, w.tn.Staff, &renamed); err != nil {
			t.Fatal(err)
		}
		w.ss.Device(t, &renamed, tasPW)
		rec := newRecorder()
		if err := w.ss.Bus.Subscribe(ctx, []string{"stat/#"}, rec.handle); err != nil {
			t.Fatal(err)
		}
		raw, err := connect(t, w.ss.BrokerURL, testDevice{user: tas.Username, password: tasPW}, "")
		if err != nil {
			t.Fatal(err)
		}
		raw.publish(t, "stat/office_light/POWER", "OFF", false)
		raw.publish(t, "stat/office_light_2/probe", "ON", false)
		rec.wait(t, "stat/office_light_2/probe", nil)
		rec.mu.Lock()
		for _, m := range rec.msgs {
			if m.Topic == "stat/office_light/POWER" {
				t.Error("the device still publishes on its old topic")
			}
		}
		rec.mu.Unlock()
		raw.stop()

		// A topic the database refuses (another switch's) leaves the broker's ACL as it was.
		taken := renamed
		taken.Topic = sh.Topic
		if err := svc.UpdateSwitch(ctx, w.tn.Staff, &taken); domain.FieldErrors(err)["topic"] == "" {
			t.Fatalf("a taken topic: %v, want a topic field error", err)
		}
		if r, err := svc.ReconcileAccounts(ctx); err != nil || r.Updated != 0 {
			t.Fatalf("after a refused change the broker's ACLs differ from the database: %+v, %v", r, err)
		}

		// A topic the database refuses at creation leaves no account behind.
		if _, err := svc.CreateSwitch(ctx, w.tn.Staff, &domain.Switch{ClientID: w.project.ClientID, ProjectID: w.project.ID,
			Name: "Twin", Family: domain.FamilyShelly, Topic: sh.Topic}); domain.FieldErrors(err)["topic"] == "" {
			t.Fatalf("a taken topic at creation: %v, want a topic field error", err)
		}

		// New credentials: the old ones stop working at once, the device is
		// marked offline, and the new ones work.
		sw2, pw2, err := svc.RegenerateCredentials(ctx, w.tn.Staff, renamed.ClientID, renamed.ProjectID, renamed.ID)
		if err != nil {
			t.Fatal(err)
		}
		w.ss.WaitSwitch(t, tas.ID, "offline after its credentials were replaced", func(s *domain.Switch) bool { return !s.Online })
		wantLogin(t, w.ss, "the old credentials", tas.Username, tasPW, false)
		w.ss.Device(t, sw2, pw2)

		// The broker is down: nothing is created, changed, replaced or deleted.
		before := w.switchCount(t)
		w.ss.Mosquitto.Stop()
		_, err = svc.CreateSwitch(ctx, w.tn.Staff, &domain.Switch{ClientID: w.project.ClientID, ProjectID: w.project.ID,
			Name: "Hall light", Family: domain.FamilyTasmota, Topic: "hall_light"})
		if !errors.Is(err, app.ErrBrokerUnreachable) {
			t.Errorf("create with the broker down: %v, want ErrBrokerUnreachable", err)
		}
		moved := *sw2
		moved.Topic = "office_light_3"
		if err := svc.UpdateSwitch(ctx, w.tn.Staff, &moved); !errors.Is(err, app.ErrBrokerUnreachable) {
			t.Errorf("new topic with the broker down: %v, want ErrBrokerUnreachable", err)
		}
		if _, _, err := svc.RegenerateCredentials(ctx, w.tn.Staff, sw2.ClientID, sw2.ProjectID, sw2.ID); !errors.Is(err, app.ErrBrokerUnreachable) {
			t.Errorf("new credentials with the broker down: %v, want ErrBrokerUnreachable", err)
		}
		if err := svc.DeleteSwitch(ctx, w.tn.Staff, sh.ClientID, sh.ProjectID, sh.ID); !errors.Is(err, app.ErrBrokerUnreachable) {
			t.Errorf("delete with the broker down: %v, want ErrBrokerUnreachable", err)
		}
		w.ss.Mosquitto.Start()
		w.waitBroker(t)
		if n := w.switchCount(t); n != before {
			t.Errorf("%d switches after refused changes, want %d", n, before)
		}
		if got, err := db.Store.Devices(testenv.SwitchesPrincipal()).SwitchByID(ctx, sw2.ID); err != nil || got.Topic != "office_light_2" {
			t.Errorf("topic after a refused change: %+v, %v", got, err)
		}
		if r, err := svc.ReconcileAccounts(ctx); err != nil || r.Updated != 0 || len(r.Removed) != 0 || len(r.Missing) != 0 {
			t.Errorf("after refused changes the broker differs from the database: %+v, %v", r, err)
		}
		wantLogin(t, w.ss, "the credentials kept", sw2.Username, pw2, true)

		// Delete: the account goes with the switch.
		if err := svc.DeleteSwitch(ctx, w.tn.Staff, sw2.ClientID, sw2.ProjectID, sw2.ID); err != nil {
			t.Fatal(err)
		}
		wantLogin(t, w.ss, "a deleted switch's credentials", sw2.Username, pw2, false)
		if ok, err := w.provisioner().HasDevice(ctx, sw2.Username); err != nil || ok {
			t.Errorf("the broker still has a deleted switch's account: %v, %v", ok, err)
		}
	})
}

// At start the server brings the broker in line with the database: stale ACLs
// are put right, a disabled account of a stored switch is enabled again, the
// accounts of deleted switches go, and a switch without an account is reported.
func TestDynsecReconcile(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newDynsecWorld(t, db)
		ctx := context.Background()
		p := w.provisioner()

		kept, keptPW := w.ss.AddSwitch(t, w.tn, w.project, "Office light", domain.FamilyTasmota, "office_light")
		deep, deepPW := w.ss.AddSwitch(t, w.tn, w.project, "Pump", domain.FamilyShelly, "pump-1")
		// Made straight in the database, as before the broker kept accounts.
		bare, barePW := db.Switch(t, w.tn, w.project, "Sign", domain.FamilyShelly, "sign-1")
		// An account whose switch is gone, and a role left without its account.
		if err := p.AddDevice(ctx, switches.DeviceLogin{Username: "sw-gone", Password: "gone-password", Family: domain.FamilyTasmota, Topic: "gone"}); err != nil {
			t.Fatal(err)
		}
		if err := p.SetDeviceTopic(ctx, kept.Username, domain.FamilyTasmota, "somewhere_else"); err != nil {
			t.Fatal(err)
		}
		if err := p.DisableDevice(ctx, deep.Username); err != nil {
			t.Fatal(err)
		}

		w.ss.RestartBroker() // Mosquitto restarts with its accounts; the server reconnects
		w.waitBroker(t)
		r, err := w.ss.Switches.ReconcileAccounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.Updated != 1 || !slices.Equal(r.Removed, []string{"sw-gone"}) || !slices.Equal(r.Missing, []string{bare.Username}) {
			t.Errorf("reconciled %+v; want 1 ACL updated, sw-gone removed, %s missing", r, bare.Username)
		}
		w.ss.Device(t, kept, keptPW)
		w.ss.Device(t, deep, deepPW)
		wantLogin(t, w.ss, "a deleted switch's account", "sw-gone", "gone-password", false)
		wantLogin(t, w.ss, "a switch without an account", bare.Username, barePW, false)
		if !w.ss.Switches.BrokerAccountMissing(ctx, w.tn.Staff, bare) || w.ss.Switches.BrokerAccountMissing(ctx, w.tn.Staff, kept) {
			t.Error("BrokerAccountMissing does not tell the switch without an account from the one with")
		}

		// New credentials give the switch its account.
		sw, pw, err := w.ss.Switches.RegenerateCredentials(ctx, w.tn.Staff, bare.ClientID, bare.ProjectID, bare.ID)
		if err != nil {
			t.Fatal(err)
		}
		w.ss.Device(t, sw, pw)
		if r, err := w.ss.Switches.ReconcileAccounts(ctx); err != nil || r.Updated != 0 || len(r.Removed) != 0 || len(r.Missing) != 0 {
			t.Errorf("a second reconciliation found work: %+v, %v", r, err)
		}
	})
}
