package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

var (
	swHashOnce sync.Once
	swHash     string
)

// swPortalUser creates an activated portal user of the clients (restricted to the
// sites when any) whose password is testenv.Password.
func swPortalUser(t *testing.T, db *testenv.DB, tn *testenv.Tenant, first, email string, clients []int64, sites ...int64) *domain.PortalUser {
	t.Helper()
	swHashOnce.Do(func() { swHash = testenv.PasswordHash(t, testenv.Password) })
	u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: first, LastName: "Portalová",
		Email: email, ClientIDs: clients, SiteIDs: sites})
	if err := db.Store.SetPortalPassword(context.Background(), tn.Company.ID, u.ID, swHash); err != nil {
		t.Fatal(err)
	}
	return u
}

// swPortalClient signs a fresh client in to the tenant's portal.
func swPortalClient(t *testing.T, srv *testenv.Server, slug, email string) *testenv.Client {
	t.Helper()
	c := srv.NewClient(t)
	r := c.Post("/portal/"+slug+"/login", url.Values{"email": {email}, "password": {testenv.Password}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("portal sign-in of %s: status %d", email, r.Status)
	}
	return c
}

// toggleJSON posts a toggle as switches.js does.
func swToggleJSON(t *testing.T, c *testenv.Client, path, state string) *testenv.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.BaseURL().String()+path, strings.NewReader(url.Values{"state": {state}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept", "application/json")
	return c.Do(req)
}

// swLive reads a live stream until it has sent both panels, and returns what it
// read; status is the stream's HTTP status.
func swLive(t *testing.T, c *testenv.Client, path string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := c.Stream(ctx, path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp.StatusCode, ""
	}
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	seenActivity := false
	for sc.Scan() {
		line := sc.Text()
		b.WriteString(line + "\n")
		if line == "event: activity" {
			seenActivity = true
		}
		if seenActivity && line == "" {
			break
		}
	}
	return resp.StatusCode, b.String()
}

// swRig is a tenant with a client, a project at its site with a Tasmota and a
// Shelly switch and their devices, on the embedded broker.
type swRig struct {
	ss        *testenv.SwitchServer
	db        *testenv.DB
	tn        *testenv.Tenant
	client    *domain.Client
	site      *domain.Site
	project   *domain.Project
	tas, sh   *domain.Switch
	passwords []string
}

func newSwRig(t *testing.T, db *testenv.DB) *swRig {
	t.Helper()
	r := &swRig{db: db, ss: testenv.StartSwitchServer(t, db, testenv.BrokerEmbedded, testenv.SwitchOptions{CommandTimeout: 3 * time.Second, QueryTimeout: time.Second})}
	r.tn = db.Tenant(t, "")
	r.client = db.Client(t, r.tn, "Dencorp")
	r.site = db.Site(t, r.tn, r.client, "Dencorp office", "Bratislava")
	r.project = db.Project(t, r.tn, r.client, "Office lighting", r.site)
	var p1, p2 string
	r.tas, p1 = db.Switch(t, r.tn, r.project, "Office light", domain.FamilyTasmota, "office_light")
	r.sh, p2 = db.Switch(t, r.tn, r.project, "Irrigation pump", domain.FamilyShelly, "shellyplus1-a8032ab1")
	r.passwords = []string{p1, p2}
	return r
}

// Every portal page, API answer and live stream a portal user gets is free of
// staff names and MQTT credentials, and words the activity for them: "You", the
// tenant's team label, other users by name, External.
func TestSwitchesPortalIsAnonymised(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newSwRig(t, db)
		ctx := context.Background()
		tas := r.ss.Device(t, r.tas, r.passwords[0])
		r.ss.Device(t, r.sh, r.passwords[1])
		slug := r.tn.Company.Slug
		tech := db.StaffUser(t, r.tn, "tomas@"+slug+".test", access.SwitchesManage)
		denisa := swPortalUser(t, db, r.tn, "Denisa", "denisa@dencorp.test", []int64{r.client.ID})
		swPortalUser(t, db, r.tn, "Marek", "marek@dencorp.test", []int64{r.client.ID})

		// Staff toggle from the staff app; another portal user and the button too.
		staff := r.ss.NewClient(t)
		staff.SignIn(slug, tech.Email)
		base := fmt.Sprintf("/app/clients/%d/projects/%d", r.client.ID, r.project.ID)
		if res := swToggleJSON(t, staff, fmt.Sprintf("%s/switches/%d/toggle", base, r.tas.ID), "on"); res.Status != http.StatusOK {
			t.Fatalf("staff toggle: %d %s", res.Status, res.Body)
		}
		marek := swPortalClient(t, r.ss.Server, slug, "marek@dencorp.test")
		pbase := fmt.Sprintf("/portal/%s/projects/%d", slug, r.project.ID)
		if res := swToggleJSON(t, marek, fmt.Sprintf("%s/switches/%d", pbase, r.sh.ID), "on"); res.Status != http.StatusOK {
			t.Fatalf("portal toggle: %d %s", res.Status, res.Body)
		}
		tas.Press(ctx)
		r.ss.WaitSwitch(t, r.tas.ID, "off after the press", func(s *domain.Switch) bool { return !s.On })

		c := swPortalClient(t, r.ss.Server, slug, denisa.Email)
		var bodies []string
		add := func(what string, status int, body string, want int) {
			t.Helper()
			if status != want {
				t.Errorf("%s: status %d, want %d", what, status, want)
			}
			bodies = append(bodies, what+"\n"+body)
		}
		res := swToggleJSON(t, c, fmt.Sprintf("%s/switches/%d", pbase, r.tas.ID), "on")
		add("toggle JSON", res.Status, res.Body, http.StatusOK)
		if !strings.Contains(res.Body, `"ok":true`) {
			t.Errorf("toggle JSON = %s, want ok", res.Body)
		}
		res = c.Post(fmt.Sprintf("%s/switches/%d", pbase, r.tas.ID), url.Values{"state": {"off"}})
		add("toggle form", res.Status, res.Body, http.StatusSeeOther)
		for _, path := range []string{"/portal/" + slug + "/", "/portal/" + slug + "/projects", pbase} {
			res := c.Get(path)
			add(path, res.Status, res.Body, http.StatusOK)
		}
		status, live := swLive(t, c, pbase+"/live")
		add("live stream", status, live, http.StatusOK)

		page := c.Get(pbase).Body
		for _, want := range []string{"You", r.tn.Company.TeamLabel(), "Marek Portalová", domain.ExternalLabel, "Office light", "Irrigation pump", "Turn on", "Recent activity"} {
			if !strings.Contains(page, want) && !strings.Contains(page, strings.ReplaceAll(want, "(", "(")) {
				t.Errorf("the portal project page does not show %q", want)
			}
		}
		for _, want := range []string{"You", r.tn.Company.TeamLabel(), "event: switches", "event: activity"} {
			if !strings.Contains(live, want) {
				t.Errorf("the live stream does not carry %q", want)
			}
		}
		// A Slovak reader gets the default label in Slovak; a label of the
		// company's own is its own words in every language.
		req, err := http.NewRequest(http.MethodGet, c.BaseURL().String()+pbase, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Language", "sk")
		if sk := c.Do(req).Body; !strings.Contains(sk, "Tím "+r.tn.Company.Name) || strings.Contains(sk, r.tn.Company.TeamLabel()) {
			t.Errorf("the Slovak portal project page does not name the team as %q", "Tím "+r.tn.Company.Name)
		}
		secrets := []string{r.tn.Admin.Name, tech.Name, r.tas.Username, r.sh.Username, r.passwords[0], r.passwords[1], "sw-"}
		for _, b := range bodies {
			for _, s := range secrets {
				if strings.Contains(b, s) {
					t.Errorf("a portal response holds %q:\n%.300s", s, b)
				}
			}
		}
		// The staff page shows the real names.
		sp := staff.Get(base).Body
		for _, want := range []string{tech.Name, "Denisa Portalová", "Marek Portalová", domain.ExternalLabel} {
			if !strings.Contains(sp, want) {
				t.Errorf("the staff project page does not show %q", want)
			}
		}
	})
}

// A portal user sees a project — and its switches — when it belongs to one of
// their clients and, if they are restricted to sites, is at one of them; a
// project with no site needs all the client's sites. Anything else is 404,
// page, stream and toggle alike.
func TestSwitchesPortalVisibility(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ss := testenv.StartSwitchServer(t, db, testenv.BrokerEmbedded, testenv.SwitchOptions{})
		tn := db.Tenant(t, "")
		a := db.Client(t, tn, "ABC s.r.o.")
		ba := db.Site(t, tn, a, "Bratislava", "Bratislava")
		ke := db.Site(t, tn, a, "Košice", "Košice")
		b := db.Client(t, tn, "Other client")
		projects := map[string]*domain.Project{
			"BA":    db.Project(t, tn, a, "Pest control Bratislava", ba),
			"KE":    db.Project(t, tn, a, "Rodent monitoring Košice", ke),
			"none":  db.Project(t, tn, a, "Disinfection, all sites", nil),
			"other": db.Project(t, tn, b, "Other client project", nil),
		}
		switchOf := map[string]*domain.Switch{}
		for k, p := range projects {
			switchOf[k], _ = db.Switch(t, tn, p, "Switch "+k, domain.FamilyTasmota, "plug_"+k)
		}
		users := map[string]*domain.PortalUser{
			"all":    swPortalUser(t, db, tn, "All", "all@abc.test", []int64{a.ID}),
			"kosice": swPortalUser(t, db, tn, "Kosice", "kosice@abc.test", []int64{a.ID}, ke.ID),
			"other":  swPortalUser(t, db, tn, "Other", "other@other.test", []int64{b.ID}),
		}
		sees := map[string][]string{
			"all":    {"BA", "KE", "none"},
			"kosice": {"KE"},
			"other":  {"other"},
		}
		slug := tn.Company.Slug
		for name, u := range users {
			c := swPortalClient(t, ss.Server, slug, u.Email)
			list := c.Get("/portal/" + slug + "/projects").Body
			for key, p := range projects {
				visible := false
				for _, k := range sees[name] {
					visible = visible || k == key
				}
				if strings.Contains(list, p.Name) != visible {
					t.Errorf("%s: projects list shows %q = %v, want %v", name, p.Name, !visible, visible)
				}
				path := fmt.Sprintf("/portal/%s/projects/%d", slug, p.ID)
				want := http.StatusNotFound
				if visible {
					want = http.StatusOK
				}
				if got := c.Get(path).Status; got != want {
					t.Errorf("%s: GET %s = %d, want %d", name, path, got, want)
				}
				if got, _ := swLive(t, c, path+"/live"); got != want {
					t.Errorf("%s: live %s = %d, want %d", name, path, got, want)
				}
				// Toggling: not found outside the scope; an offline switch is refused (409) inside it.
				wantToggle := http.StatusNotFound
				if visible {
					wantToggle = http.StatusConflict
				}
				if got := swToggleJSON(t, c, fmt.Sprintf("%s/switches/%d", path, switchOf[key].ID), "on").Status; got != wantToggle {
					t.Errorf("%s: toggle on %s = %d, want %d", name, key, got, wantToggle)
				}
				// A visible project's URL with another project's switch is not found either.
				if visible && key != "BA" {
					if got := swToggleJSON(t, c, fmt.Sprintf("%s/switches/%d", path, switchOf["BA"].ID), "on").Status; got != http.StatusNotFound {
						t.Errorf("%s: toggle of BA's switch through %s = %d, want 404", name, key, got)
					}
				}
			}
			// No route lets a portal user manage switches.
			for _, p := range []string{"/switches", fmt.Sprintf("/switches/%d/delete", switchOf["KE"].ID), fmt.Sprintf("/switches/%d/credentials", switchOf["KE"].ID)} {
				path := fmt.Sprintf("/portal/%s/projects/%d%s", slug, projects["KE"].ID, p)
				if got := c.Post(path, url.Values{"name": {"x"}}).Status; got != http.StatusNotFound && got != http.StatusMethodNotAllowed {
					t.Errorf("%s: POST %s = %d, want 404/405", name, path, got)
				}
			}
		}
	})
}

// Every staff member sees the switches and may toggle; adding, editing, deleting
// and credentials need switches.manage, and the password is shown once.
func TestSwitchesStaffPermissions(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newSwRig(t, db)
		r.ss.Device(t, r.tas, r.passwords[0])
		slug := r.tn.Company.Slug
		plain := db.StaffUser(t, r.tn, "reader@"+slug+".test")
		c := r.ss.NewClient(t)
		c.SignIn(slug, plain.Email)
		base := fmt.Sprintf("/app/clients/%d/projects/%d", r.client.ID, r.project.ID)
		page := c.Get(base)
		if page.Status != http.StatusOK || !strings.Contains(page.Body, "Office light") {
			t.Fatalf("project page for a reader: %d", page.Status)
		}
		if strings.Contains(page.Body, r.tas.Username) || strings.Contains(page.Body, "Add switch") {
			t.Error("a staff member without switches.manage sees credentials or the Add switch button")
		}
		if res := swToggleJSON(t, c, fmt.Sprintf("%s/switches/%d/toggle", base, r.tas.ID), "on"); res.Status != http.StatusOK {
			t.Errorf("a reader's toggle: %d %s", res.Status, res.Body)
		}
		for _, p := range []string{"/switches/new", fmt.Sprintf("/switches/%d/edit", r.tas.ID), fmt.Sprintf("/switches/%d/connect", r.tas.ID)} {
			if got := c.Get(base + p).Status; got != http.StatusForbidden {
				t.Errorf("reader GET %s = %d, want 403", p, got)
			}
		}
		for _, p := range []string{"/switches", fmt.Sprintf("/switches/%d", r.tas.ID), fmt.Sprintf("/switches/%d/delete", r.tas.ID), fmt.Sprintf("/switches/%d/credentials", r.tas.ID)} {
			if got := c.Post(base+p, url.Values{"name": {"x"}}).Status; got != http.StatusForbidden {
				t.Errorf("reader POST %s = %d, want 403", p, got)
			}
		}

		// A manager adds a switch: the password is on that page only.
		m := r.ss.NewClient(t)
		m.SignIn(slug, r.tn.Admin.Email)
		bad := m.Post(base+"/switches", url.Values{"name": {"Second light"}, "family": {"tasmota"}, "topic": {"office_light"}, "channel": {"1"}})
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "already in use") {
			t.Errorf("a switch with a taken topic: %d", bad.Status)
		}
		res := m.Post(base+"/switches", url.Values{"name": {"Hall light"}, "family": {"shelly"}, "topic": {"shellyplus1-hall"}, "channel": {"0"}})
		if res.Status != http.StatusOK || !strings.Contains(res.Body, "Copy it now") {
			t.Fatalf("adding a switch: %d", res.Status)
		}
		sws, err := db.Store.Staff(r.tn.Staff).ProjectSwitches(context.Background(), r.client.ID, r.project.ID)
		if err != nil {
			t.Fatal(err)
		}
		var hall *domain.Switch
		for _, s := range sws {
			if s.Name == "Hall light" {
				hall = s
			}
		}
		if hall == nil || !strings.Contains(res.Body, hall.Username) {
			t.Fatal("the new switch or its username is missing")
		}
		conn := m.Get(fmt.Sprintf("%s/switches/%d/connect", base, hall.ID))
		if conn.Status != http.StatusOK || !strings.Contains(conn.Body, hall.Username) || strings.Contains(conn.Body, "Copy it now") {
			t.Errorf("the connection page later: %d, want the username and no password", conn.Status)
		}
		regen := m.Post(fmt.Sprintf("%s/switches/%d/credentials", base, hall.ID), nil)
		if regen.Status != http.StatusOK || strings.Contains(regen.Body, hall.Username) || !strings.Contains(regen.Body, "Copy it now") {
			t.Errorf("regenerating credentials: %d, want a new username and a password", regen.Status)
		}
		if got := m.Post(fmt.Sprintf("%s/switches/%d/delete", base, hall.ID), nil); got.Status != http.StatusSeeOther {
			t.Errorf("deleting a switch: %d", got.Status)
		}
	})
}

// On the Users page a portal user's access to a client can be narrowed to chosen
// switches; empty means all of them. Narrowed-out switches, and their activity,
// are not found anywhere in the portal.
func TestSwitchesPortalNarrowing(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newSwRig(t, db)
		r.ss.Device(t, r.tas, r.passwords[0])
		r.ss.Device(t, r.sh, r.passwords[1])
		other := db.Client(t, r.tn, "Other client")
		otherProject := db.Project(t, r.tn, other, "Elsewhere", nil)
		otherSwitch, _ := db.Switch(t, r.tn, otherProject, "Not theirs", domain.FamilyTasmota, "not_theirs")
		slug := r.tn.Company.Slug
		u := swPortalUser(t, db, r.tn, "Denisa", "denisa@dencorp.test", []int64{r.client.ID})
		if res, err := r.ss.Switches.ToggleAsStaff(context.Background(), r.tn.Staff, r.sh.ID, true); err != nil || res.Status != domain.EventConfirmed {
			t.Fatalf("staff toggle: %+v %v", res, err)
		}
		staff := r.ss.NewClient(t)
		staff.SignIn(slug, r.tn.Admin.Email)
		edit := func(switchIDs ...int64) *testenv.Response {
			v := url.Values{"first_name": {"Denisa"}, "last_name": {"Portalová"}, "client_ids": {itoa(r.client.ID)}}
			for _, id := range switchIDs {
				v.Add("switch_ids", itoa(id))
			}
			return staff.Post(fmt.Sprintf("/app/portal-users/%d", u.ID), v)
		}
		form := staff.Get(fmt.Sprintf("/app/portal-users/%d/edit", u.ID))
		if !strings.Contains(form.Body, `name="switch_ids"`) || !strings.Contains(form.Body, "Dencorp · Office lighting · Office light") {
			t.Fatalf("the edit form has no switch picker: %d", form.Status)
		}
		if res := edit(otherSwitch.ID); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("narrowing to another client's switch: %d, want 422", res.Status)
		}
		if res := edit(r.tas.ID); res.Status != http.StatusSeeOther {
			t.Fatalf("narrowing to the Office light: %d %s", res.Status, res.Body)
		}
		if form := staff.Get(fmt.Sprintf("/app/portal-users/%d/edit", u.ID)); !strings.Contains(form.Body, fmt.Sprintf(`value="%d" selected`, r.tas.ID)) {
			t.Error("the edit form does not show the chosen switch")
		}

		c := swPortalClient(t, r.ss.Server, slug, u.Email)
		pbase := fmt.Sprintf("/portal/%s/projects/%d", slug, r.project.ID)
		page := c.Get(pbase).Body
		if !strings.Contains(page, "Office light") || strings.Contains(page, "Irrigation pump") {
			t.Error("the narrowed user's page shows the wrong switches")
		}
		if _, live := swLive(t, c, pbase+"/live"); strings.Contains(live, "Irrigation pump") {
			t.Error("the live stream carries a narrowed-out switch")
		}
		if got := swToggleJSON(t, c, fmt.Sprintf("%s/switches/%d", pbase, r.sh.ID), "off").Status; got != http.StatusNotFound {
			t.Errorf("toggling a narrowed-out switch: %d, want 404", got)
		}
		if got := swToggleJSON(t, c, fmt.Sprintf("%s/switches/%d", pbase, r.tas.ID), "on").Status; got != http.StatusOK {
			t.Errorf("toggling the chosen switch: %d, want 200", got)
		}
		// Empty again: every switch.
		if res := edit(); res.Status != http.StatusSeeOther {
			t.Fatalf("clearing the narrowing: %d", res.Status)
		}
		if page := c.Get(pbase).Body; !strings.Contains(page, "Irrigation pump") {
			t.Error("after clearing the narrowing the user still misses a switch")
		}
	})
}
