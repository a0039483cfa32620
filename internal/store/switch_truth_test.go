package store_test

import (
	"context"
	"testing"
	"time"

	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// onlineSwitch makes a switch that is online and known to be off.
func onlineSwitch(t *testing.T, db *testenv.DB, tn *testenv.Tenant, topic string) *domain.Switch {
	t.Helper()
	c := db.Client(t, tn, "Client of "+topic)
	p := db.Project(t, tn, c, "Project of "+topic, nil)
	sw, _ := db.Switch(t, tn, p, "Pump "+topic, domain.FamilyTasmota, topic)
	ctx := context.Background()
	now := db.Store.Now()
	if _, err := db.Store.Devices(testenv.SwitchesPrincipal()).SetSwitchOnline(ctx, sw.ID, true, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Store.Devices(testenv.SwitchesPrincipal()).ApplyReport(ctx, store.Report{SwitchID: sw.ID, On: false, At: now}); err != nil {
		t.Fatal(err)
	}
	return sw
}

var policy = store.CommandPolicy{TTL: 8 * time.Second}

// A report that reached the server before a command was recorded answers an
// older question: it cannot confirm the command, and a confirmation never
// precedes its command.
func TestReportConfirmsOnlyLaterCommands(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := context.Background()
		acme := db.Tenant(t, "acme")
		sw := onlineSwitch(t, db, acme, "pump-order")

		before := db.Store.Now()
		time.Sleep(2 * time.Millisecond)
		cmd, err := db.Store.Staff(acme.Staff).StaffCommand(ctx, sw.ID, true, policy)
		if err != nil {
			t.Fatal(err)
		}
		out, err := db.Store.Devices(testenv.SwitchesPrincipal()).ApplyReport(ctx, store.Report{SwitchID: sw.ID, On: true, At: before})
		if err != nil {
			t.Fatal(err)
		}
		if out.Confirmed != 0 {
			t.Fatalf("a report received before the command confirmed it")
		}
		if status, _, _ := db.Store.Devices(testenv.SwitchesPrincipal()).CommandStatus(ctx, cmd.Event.ID); status != domain.EventPending {
			t.Fatalf("command is %s, want pending", status)
		}
		after := db.Store.Now()
		out, err = db.Store.Devices(testenv.SwitchesPrincipal()).ApplyReport(ctx, store.Report{SwitchID: sw.ID, On: true, At: after})
		if err != nil {
			t.Fatal(err)
		}
		if out.Confirmed != cmd.Event.ID {
			t.Fatalf("a later report confirmed %d, want %d", out.Confirmed, cmd.Event.ID)
		}
		acts, err := db.Store.Staff(acme.Staff).SwitchActivity(ctx, sw.ClientID, sw.ProjectID, 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(acts) == 0 || acts[0].DoneAt.Before(acts[0].Requested) {
			t.Fatalf("confirmation precedes its command: %+v", acts)
		}
	})
}

// With several processes each applying every report, a copy of an older report
// that reaches the database after a newer one changes nothing.
func TestStaleReportChangesNothing(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := context.Background()
		acme := db.Tenant(t, "acme")
		sw := onlineSwitch(t, db, acme, "pump-stale")
		t0 := db.Store.Now()
		if _, err := db.Store.Devices(testenv.SwitchesPrincipal()).ApplyReport(ctx, store.Report{SwitchID: sw.ID, On: true, At: t0.Add(20 * time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		out, err := db.Store.Devices(testenv.SwitchesPrincipal()).ApplyReport(ctx, store.Report{SwitchID: sw.ID, On: false, At: t0.Add(10 * time.Millisecond)})
		if err != nil {
			t.Fatal(err)
		}
		if !out.Stale || out.Changed || out.External != 0 {
			t.Fatalf("late copy of an older report: %+v", out)
		}
		got, _ := db.Store.Devices(testenv.SwitchesPrincipal()).SwitchByID(ctx, sw.ID)
		if !got.On {
			t.Fatal("an older report overwrote a newer state")
		}
	})
}

// A pending command past its expiry is failed by any process, and a report that
// comes later is External, not a confirmation of the dead command.
func TestExpiredCommandIsFailedAndNotConfirmed(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := context.Background()
		acme := db.Tenant(t, "acme")
		sw := onlineSwitch(t, db, acme, "pump-expiry")
		cmd, err := db.Store.Staff(acme.Staff).StaffCommand(ctx, sw.ID, true, store.CommandPolicy{TTL: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Store.Devices(testenv.SwitchesPrincipal()).SwitchByID(ctx, sw.ID); got.Pending != "on" {
			t.Fatalf("pending = %q, want on", got.Pending)
		}
		projects, err := db.Store.Devices(testenv.SwitchesPrincipal()).ExpireCommands(ctx, db.Store.Now())
		if err != nil || len(projects) != 0 {
			t.Fatalf("expired before its time: %v %v", projects, err)
		}
		db.Clock.Advance(2 * time.Second)
		projects, err = db.Store.Devices(testenv.SwitchesPrincipal()).ExpireCommands(ctx, db.Store.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(projects) != 1 || projects[0] != sw.ProjectID {
			t.Fatalf("expired projects %v, want [%d]", projects, sw.ProjectID)
		}
		status, reason, _ := db.Store.Devices(testenv.SwitchesPrincipal()).CommandStatus(ctx, cmd.Event.ID)
		if status != domain.EventFailed || reason != store.ExpiredCommandReason {
			t.Fatalf("command is %s (%q), want failed", status, reason)
		}
		if got, _ := db.Store.Devices(testenv.SwitchesPrincipal()).SwitchByID(ctx, sw.ID); got.Pending != "" {
			t.Fatalf("an expired command still shows as pending %q", got.Pending)
		}
		out, err := db.Store.Devices(testenv.SwitchesPrincipal()).ApplyReport(ctx, store.Report{SwitchID: sw.ID, On: true, At: db.Store.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if out.Confirmed != 0 || out.External == 0 {
			t.Fatalf("a press after the expiry: %+v, want External", out)
		}
	})
}

// Over its command rate limit a switch refuses with ETOOMANY and how long to
// wait, and records nothing.
func TestCommandRateLimit(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := context.Background()
		acme := db.Tenant(t, "acme")
		sw := onlineSwitch(t, db, acme, "pump-limit")
		limited := store.CommandPolicy{TTL: 8 * time.Second, Limit: 3, Window: 10 * time.Second}
		for i := range 3 {
			if _, err := db.Store.Staff(acme.Staff).StaffCommand(ctx, sw.ID, i%2 == 0, limited); err != nil {
				t.Fatalf("command %d: %v", i+1, err)
			}
			db.Clock.Advance(time.Second)
		}
		before, _ := db.Store.Staff(acme.Staff).SwitchActivity(ctx, sw.ClientID, sw.ProjectID, 50)
		_, err := db.Store.Staff(acme.Staff).StaffCommand(ctx, sw.ID, true, limited)
		if domain.ErrorCode(err) != domain.ETOOMANY {
			t.Fatalf("fourth command in 10 s: %v, want too many", err)
		}
		if d := domain.RetryAfter(err); d < 7*time.Second || d > 8*time.Second {
			t.Fatalf("retry after %v, want about 7 s", d)
		}
		after, _ := db.Store.Staff(acme.Staff).SwitchActivity(ctx, sw.ClientID, sw.ProjectID, 50)
		if len(after) != len(before) {
			t.Fatalf("a refused command was recorded: %d events, want %d", len(after), len(before))
		}
		db.Clock.Advance(8 * time.Second)
		if _, err := db.Store.Staff(acme.Staff).StaffCommand(ctx, sw.ID, true, limited); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

// Recent activity is ordered by when things happened, newest first, whatever
// order they were recorded in.
func TestActivityNewestFirst(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := context.Background()
		acme := db.Tenant(t, "acme")
		sw := onlineSwitch(t, db, acme, "pump-history")
		day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
		err := db.Store.Staff(acme.Staff).AddSwitchHistory(ctx, sw.ID, []store.PastSwitchEvent{
			{On: true, Status: domain.EventConfirmed, ActorKind: domain.ActorExternal, At: day(30)},
			{On: false, Status: domain.EventConfirmed, ActorKind: domain.ActorExternal, At: day(3)},
			{On: true, Status: domain.EventConfirmed, ActorKind: domain.ActorExternal, At: day(15)},
		})
		if err != nil {
			t.Fatal(err)
		}
		acts, err := db.Store.Staff(acme.Staff).SwitchActivity(ctx, sw.ClientID, sw.ProjectID, 20)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(acts); i++ {
			if acts[i].At.After(acts[i-1].At) {
				t.Fatalf("activity %d (%v) is newer than %d (%v)", i, acts[i].At, i-1, acts[i-1].At)
			}
		}
	})
}

// A switch that goes offline says since when; coming back clears it.
func TestOfflineSince(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := context.Background()
		acme := db.Tenant(t, "acme")
		sw := onlineSwitch(t, db, acme, "pump-offline")
		// Later than the switch came online (a truncated clock reading could be
		// earlier, and an older transition is ignored).
		at := db.Store.Now().Add(time.Millisecond).Truncate(time.Millisecond)
		if _, err := db.Store.Devices(testenv.SwitchesPrincipal()).SetSwitchOnline(ctx, sw.ID, false, at); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Store.Devices(testenv.SwitchesPrincipal()).SwitchByID(ctx, sw.ID)
		if got.Online || !got.OfflineSince.Equal(at) {
			t.Fatalf("offline since %v, want %v", got.OfflineSince, at)
		}
		if _, err := db.Store.Devices(testenv.SwitchesPrincipal()).SetSwitchOnline(ctx, sw.ID, true, at.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Store.Devices(testenv.SwitchesPrincipal()).SwitchByID(ctx, sw.ID); !got.Online || !got.OfflineSince.IsZero() {
			t.Fatalf("back online: %+v", got)
		}
	})
}

// Two commands sent at nearly the same time can reach the device in either
// order. When the device runs the older, superseded one last, that command is
// confirmed late and becomes the newest line, so the activity ends where the
// relay is.
func TestSupersededCommandRunLastIsNewest(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := context.Background()
		acme := db.Tenant(t, "acme")
		sw := onlineSwitch(t, db, acme, "pump-late")
		older, err := db.Store.Staff(acme.Staff).StaffCommand(ctx, sw.ID, true, policy)
		if err != nil {
			t.Fatal(err)
		}
		db.Clock.Advance(10 * time.Millisecond)
		newer, err := db.Store.Staff(acme.Staff).StaffCommand(ctx, sw.ID, false, policy)
		if err != nil {
			t.Fatal(err)
		}
		// The device runs the newer command first (it is off already: no change,
		// but the report confirms it), then the older one.
		db.Clock.Advance(10 * time.Millisecond)
		if out, err := db.Store.Devices(testenv.SwitchesPrincipal()).ApplyReport(ctx, store.Report{SwitchID: sw.ID, On: false, At: db.Store.Now()}); err != nil || out.Confirmed != newer.Event.ID {
			t.Fatalf("report of off: %+v %v, want %d confirmed", out, err, newer.Event.ID)
		}
		db.Clock.Advance(10 * time.Millisecond)
		out, err := db.Store.Devices(testenv.SwitchesPrincipal()).ApplyReport(ctx, store.Report{SwitchID: sw.ID, On: true, At: db.Store.Now()})
		if err != nil || out.Late != older.Event.ID || out.External != 0 {
			t.Fatalf("report of on: %+v %v, want %d confirmed late", out, err, older.Event.ID)
		}
		acts, err := db.Store.Staff(acme.Staff).SwitchActivity(ctx, sw.ClientID, sw.ProjectID, 20)
		if err != nil {
			t.Fatal(err)
		}
		if acts[0].ID != older.Event.ID || !acts[0].On || acts[0].Status != domain.EventConfirmed {
			t.Fatalf("newest line %+v, want the older command, confirmed on", *acts[0])
		}
		if got, _ := db.Store.Devices(testenv.SwitchesPrincipal()).SwitchByID(ctx, sw.ID); !got.On {
			t.Fatal("the switch is not on")
		}
	})
}

// Every process hears a device's Online; a process that hears it after another
// has applied the device's next report must not mark the switch for resync
// again, or the next real change (a button press) would be hidden as a resync.
func TestLateOnlineDoesNotHideTheNextChange(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := context.Background()
		acme := db.Tenant(t, "acme")
		sw := onlineSwitch(t, db, acme, "pump-announce")
		t0 := db.Store.Now()
		// Process A: Online at t0, the state report at t0+2ms. Process B hears the
		// same Online at t0+1ms but applies it after A's report.
		if _, err := db.Store.Devices(testenv.SwitchesPrincipal()).SetSwitchOnline(ctx, sw.ID, true, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Store.Devices(testenv.SwitchesPrincipal()).ApplyReport(ctx, store.Report{SwitchID: sw.ID, On: false, At: t0.Add(2 * time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Store.Devices(testenv.SwitchesPrincipal()).SetSwitchOnline(ctx, sw.ID, true, t0.Add(time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		if changed, err := db.Store.Devices(testenv.SwitchesPrincipal()).SetSwitchOnline(ctx, sw.ID, false, t0.Add(time.Millisecond)); err != nil || changed {
			t.Fatalf("a late Offline took the switch offline: %v %v", changed, err)
		}
		out, err := db.Store.Devices(testenv.SwitchesPrincipal()).ApplyReport(ctx, store.Report{SwitchID: sw.ID, On: true, At: t0.Add(time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		if out.External == 0 {
			t.Fatalf("a press after a late Online was hidden: %+v", out)
		}
	})
}
