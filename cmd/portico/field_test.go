package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/switches"
	"portico/internal/testenv"
)

// field is several `portico serve` processes on one PostgreSQL database and one
// Mosquitto broker, as behind a load balancer, with a tenant, a portal user and
// one switch.
type field struct {
	db     *testenv.DB
	mq     *testenv.Mosquitto
	tenant *testenv.Tenant
	sw     *domain.Switch
	pw     string
	email  string
	userID int64 // the portal user's
	procs  []*process
}

func newField(t *testing.T, processes int, extra ...string) *field {
	t.Helper()
	f := &field{db: testenv.NewDB(t, "postgres"), mq: testenv.StartMosquitto(t), email: "facility@hotel.test"}
	ctx := context.Background()
	f.tenant = f.db.Tenant(t, "acme")
	client := f.db.Client(t, f.tenant, "Hotel Tatra")
	project := f.db.Project(t, f.tenant, client, "Irrigation", nil)
	f.sw, f.pw = f.db.Switch(t, f.tenant, project, "Greenhouse pump", domain.FamilyTasmota, "greenhouse_pump")
	f.mq.AddUser(f.sw.Username, f.pw)
	u := f.db.PortalUser(t, f.tenant, app.NewPortalUser{FirstName: "Jana", LastName: "Kováčová",
		Email: f.email, ClientIDs: []int64{client.ID}})
	f.userID = u.ID
	hash := testenv.PasswordHash(t, testenv.Password)
	if err := f.db.Store.SetPortalPassword(ctx, f.tenant.Company.ID, u.ID, hash); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--database", f.db.URL, "--mqtt-url", f.mq.URL(), "--log-level", "warn"}, extra...)
	for i := range processes {
		name := string(rune('A' + i))
		f.procs = append(f.procs, startProcess(t, name, append([]string{"--data", filepath.Join(t.TempDir(), name)}, args...)...))
	}
	return f
}

// device connects the switch's device and waits until the database has it online.
func (f *field) device(t *testing.T) *switches.SimDevice {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := switches.StartSim(ctx, switches.SimConfig{Device: switches.Device{Family: f.sw.Family, Topic: f.sw.Topic, Channel: f.sw.Channel},
		BrokerURL: f.mq.DeviceURL(), Username: f.sw.Username, Password: f.pw})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	testenv.WaitSwitch(t, f.db, f.sw.ID, "online with a known state", func(s *domain.Switch) bool { return s.Online && s.Known })
	return d
}

// togglePath is the portal toggle of the switch.
func (f *field) togglePath() string {
	return fmt.Sprintf("/portal/acme/projects/%d/switches/%d", f.sw.ProjectID, f.sw.ID)
}

// toggle posts a toggle as the portal's script does and returns the status, or
// an error when the process did not answer (it was killed).
func toggle(c *testenv.Client, path string, on bool) (int, error) {
	state := "off"
	if on {
		state = "on"
	}
	req, _ := http.NewRequest(http.MethodPost, c.BaseURL().String()+path, strings.NewReader(url.Values{"state": {state}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept", "application/json")
	for _, ck := range c.CookiesAt(path) {
		req.AddCookie(ck)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// activity is the switch's activity as staff see it, newest first.
func (f *field) activity(t *testing.T) []*domain.SwitchEvent {
	t.Helper()
	acts, err := f.db.Store.Staff(f.tenant.Staff).SwitchActivity(context.Background(), f.sw.ClientID, f.sw.ProjectID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return acts
}

// A command whose sending process is killed before the device answers does not
// stay pending: another process fails it once it expires, pages stop showing it
// as in flight, and a later button press is External, not the dead command's.
func TestCommandOutlivesItsProcess(t *testing.T) {
	f := newField(t, 3)
	dev := f.device(t)
	dev.SetDeaf(true)
	a := f.procs[0]
	c := a.signIn(t, "acme", f.email)
	var wg sync.WaitGroup
	wg.Go(func() { toggle(c, f.togglePath(), true) }) // never answered: A dies
	defer wg.Wait()
	testenv.WaitSwitch(t, f.db, f.sw.ID, "pending on", func(s *domain.Switch) bool { return s.Pending == "on" })
	killed := time.Now()
	a.kill()
	cmd := f.activity(t)[0]
	if cmd.Status != domain.EventPending || cmd.ActorKind != domain.ActorPortal {
		t.Fatalf("newest activity %+v, want the pending portal command", *cmd)
	}
	a.restart()

	// The command's expiry is its timeout and the state query's (5 + 2 s) and a
	// second's grace; another process fails it at its next sweep.
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, reason, err := f.db.Store.Devices(testenv.SwitchesPrincipal()).CommandStatus(context.Background(), cmd.ID)
		if err != nil {
			t.Fatal(err)
		}
		if status == domain.EventFailed {
			t.Logf("failed %v after the kill: %s", time.Since(killed).Round(100*time.Millisecond), reason)
			break
		}
		if status != domain.EventPending {
			t.Fatalf("the dead command ended %s, want failed", status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the command of a killed process is still pending %v after the kill", time.Since(killed))
		}
		time.Sleep(100 * time.Millisecond)
	}
	page := f.procs[1].signIn(t, "acme", f.email).Get(fmt.Sprintf("/portal/acme/projects/%d", f.sw.ProjectID))
	if page.Status != http.StatusOK || strings.Contains(page.Body, "Turning on") {
		t.Fatalf("project page after the expiry: %d, still turning on: %v", page.Status, strings.Contains(page.Body, "Turning on"))
	}

	dev.SetDeaf(false)
	before := len(f.activity(t))
	dev.Press(context.Background())
	testenv.WaitSwitch(t, f.db, f.sw.ID, "on after the press", func(s *domain.Switch) bool { return s.On })
	deadline = time.Now().Add(20 * time.Second)
	for len(f.activity(t)) == before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	acts := f.activity(t)
	if acts[0].ActorKind != domain.ActorExternal || !acts[0].On {
		t.Fatalf("the press after the expiry was recorded as %+v, want External on", *acts[0])
	}
	if status, _, _ := f.db.Store.Devices(testenv.SwitchesPrincipal()).CommandStatus(context.Background(), cmd.ID); status != domain.EventFailed {
		t.Fatalf("the dead command became %s after the press", status)
	}
}

// Parallel toggles spread over three processes, alternating on and off, while
// the device reports: every confirmation follows its command, and once all is
// quiet the newest activity line, the database and the device agree.
func TestParallelTogglesAcrossProcesses(t *testing.T) {
	f := newField(t, 3, "--switch-command-limit", "-1")
	dev := f.device(t)
	const toggles, workers = 200, 4
	clients := make([]*testenv.Client, len(f.procs))
	for i, p := range f.procs {
		clients[i] = p.signIn(t, "acme", f.email)
	}
	jobs := make(chan int)
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				status, err := toggle(clients[i%len(clients)], f.togglePath(), i%2 == 0)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			}
		})
	}
	for i := range toggles {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	t.Logf("answers by status: %v", statuses)
	for status, n := range statuses {
		if status != http.StatusOK && status != http.StatusGatewayTimeout {
			t.Errorf("%d toggles answered %d", n, status)
		}
	}

	var acts []*domain.SwitchEvent
	deadline := time.Now().Add(20 * time.Second)
	for {
		acts = f.activity(t)
		sw, err := f.db.Store.Devices(testenv.SwitchesPrincipal()).SwitchByID(context.Background(), f.sw.ID)
		if err != nil {
			t.Fatal(err)
		}
		newest := acts[0]
		if sw.Pending == "" && sw.On == dev.On() && newest.Status == domain.EventConfirmed && newest.On == dev.On() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled after 20 s: device on=%v, database on=%v pending=%q, newest line %+v", dev.On(), sw.On, sw.Pending, *newest)
		}
		time.Sleep(100 * time.Millisecond)
	}
	confirmed := 0
	for _, e := range acts {
		if e.ActorKind != domain.ActorPortal || e.Status != domain.EventConfirmed {
			continue
		}
		confirmed++
		if e.DoneAt.Before(e.Requested) {
			t.Errorf("command %d was confirmed %v before it was sent", e.ID, e.Requested.Sub(e.DoneAt))
		}
	}
	t.Logf("%d of %d commands confirmed; final state on=%v", confirmed, toggles, dev.On())
	if confirmed == 0 {
		t.Fatal("no command was confirmed")
	}
}

// With the embedded broker a process and its broker die together: a command in
// flight when the process is killed is failed once it expires after the
// restart, the device comes back to the new broker, and a press is External.
func TestCommandOutlivesItsProcessEmbedded(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	ctx := context.Background()
	tn := db.Tenant(t, "acme")
	client := db.Client(t, tn, "Hotel Tatra")
	project := db.Project(t, tn, client, "Irrigation", nil)
	sw, pw := db.Switch(t, tn, project, "Greenhouse pump", domain.FamilyTasmota, "greenhouse_pump")
	mqttAddr := freeAddr(t)
	dir := t.TempDir()
	db.Store.Close() // the process owns the SQLite file from here
	p := startProcess(t, "A", "--data", dir, "--database", db.URL, "--mqtt-addr", mqttAddr, "--log-level", "warn")
	st, err := store.Open(ctx, store.Config{URL: db.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	view := &testenv.DB{Engine: "sqlite", URL: db.URL, Store: st, Clock: db.Clock}

	dev, err := switches.StartSim(ctx, switches.SimConfig{Device: switches.Device{Family: sw.Family, Topic: sw.Topic, Channel: sw.Channel},
		BrokerURL: "mqtt://" + mqttAddr, Username: sw.Username, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dev.Close)
	testenv.WaitSwitch(t, view, sw.ID, "online with a known state", func(s *domain.Switch) bool { return s.Online && s.Known })
	dev.SetDeaf(true)
	staff := browser(t, p.URL())
	staff.SignIn("acme", tn.Admin.Email)
	var wg sync.WaitGroup
	wg.Go(func() {
		toggle(staff, fmt.Sprintf("/app/clients/%d/projects/%d/switches/%d/toggle", client.ID, project.ID, sw.ID), true)
	})
	defer wg.Wait()
	testenv.WaitSwitch(t, view, sw.ID, "pending on", func(s *domain.Switch) bool { return s.Pending == "on" })
	p.kill()
	acts, err := st.Staff(tn.Staff).SwitchActivity(ctx, client.ID, project.ID, 10)
	if err != nil || len(acts) == 0 || acts[0].Status != domain.EventPending {
		t.Fatalf("newest activity %v %v, want the pending command", acts, err)
	}
	cmd := acts[0]
	p.restart()
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, _, err := st.Devices(testenv.SwitchesPrincipal()).CommandStatus(ctx, cmd.ID)
		if err != nil {
			t.Fatal(err)
		}
		if status == domain.EventFailed {
			break
		}
		if status != domain.EventPending || time.Now().After(deadline) {
			t.Fatalf("the killed process's command is %s, want failed", status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	dev.SetDeaf(false)
	testenv.WaitSwitch(t, view, sw.ID, "back online on the new broker", func(s *domain.Switch) bool { return s.Online })
	dev.Press(ctx)
	testenv.WaitSwitch(t, view, sw.ID, "on after the press", func(s *domain.Switch) bool { return s.On })
	deadline = time.Now().Add(20 * time.Second)
	for {
		acts, err = st.Staff(tn.Staff).SwitchActivity(ctx, client.ID, project.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if acts[0].ActorKind == domain.ActorExternal && acts[0].On {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the press after the restart was recorded as %+v, want External on", *acts[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
}
