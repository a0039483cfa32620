package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// formDefaults reads what a form posts when nobody changes it: each input's
// value and each select's selected (else first) option.
func formDefaults(t *testing.T, body string) url.Values {
	t.Helper()
	v := url.Values{}
	attr := func(tag, name string) (string, bool) {
		m := regexp.MustCompile(`\s` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return html.UnescapeString(m[1]), true
	}
	for _, tag := range regexp.MustCompile(`<input[^>]*>`).FindAllString(body, -1) {
		if name, ok := attr(tag, "name"); ok {
			val, _ := attr(tag, "value")
			v.Set(name, val)
		}
	}
	for _, sel := range regexp.MustCompile(`(?s)<select[^>]*>.*?</select>`).FindAllString(body, -1) {
		name, _ := attr(sel, "name")
		opts := regexp.MustCompile(`<option[^>]*>`).FindAllString(sel, -1)
		if len(opts) == 0 {
			continue
		}
		chosen := opts[0]
		for _, o := range opts {
			if strings.Contains(o, " selected") {
				chosen = o
			}
		}
		val, _ := attr(chosen, "value")
		v.Set(name, val)
	}
	return v
}

// switchNamed returns the project's switch with the name.
func switchNamed(t *testing.T, db *testenv.DB, tn *testenv.Tenant, p *domain.Project, name string) *domain.Switch {
	t.Helper()
	sws, err := db.Store.Staff(tn.Staff).ProjectSwitches(context.Background(), p.ClientID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sws {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no switch %q on project %s", name, p.Name)
	return nil
}

// passwordOf reads the device password from the page shown once after adding a switch.
func passwordOf(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`<code[^>]*class="[^"]*secret[^"]*"[^>]*>([^<]+)</code>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no password on the page:\n%.2000s", body)
	}
	return html.UnescapeString(m[1])
}

// A switch added with the Add switch form as it comes — only the name, the
// family and the topic filled in, no JavaScript — drives a one-relay device of
// either family: a Shelly Plus 1 has only switch:0, a one-relay Tasmota only POWER.
func TestSwitchFormDefaultsDriveOneRelayDevices(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newSwRig(t, db)
		slug := r.tn.Company.Slug
		m := r.ss.NewClient(t)
		m.SignIn(slug, r.tn.Admin.Email)
		base := fmt.Sprintf("/app/clients/%d/projects/%d", r.client.ID, r.project.ID)

		form := m.Get(base + "/switches/new")
		wantStatus(t, form, http.StatusOK)
		wantBody(t, form, "switch:0 is the first", "Leave empty for a one-relay device", "home/plus1")
		defaults := formDefaults(t, form.Body)
		if defaults.Get("channel") != "" {
			t.Errorf("the channel field defaults to %q, want empty (the device's first relay)", defaults.Get("channel"))
		}

		for _, tc := range []struct {
			family, name, topic string
			deviceChannel       int // the device's only relay
		}{
			{domain.FamilyShelly, "Gate", "shellyplus1-c4d8d5", 0},
			{domain.FamilyTasmota, "Fountain", "sonoff_basic_fountain", 1},
		} {
			t.Run(tc.family, func(t *testing.T) {
				v := formDefaults(t, form.Body)
				v.Set("name", tc.name)
				v.Set("family", tc.family)
				v.Set("topic", tc.topic)
				res := m.Post(base+"/switches", v)
				wantStatus(t, res, http.StatusOK)
				sw := switchNamed(t, db, r.tn, r.project, tc.name)
				// The device has one relay, whatever the switch was stored with.
				dev := *sw
				dev.Channel = tc.deviceChannel
				d := r.ss.Device(t, &dev, passwordOf(t, res.Body))
				toggle := fmt.Sprintf("%s/switches/%d/toggle", base, sw.ID)
				if res := swToggleJSON(t, m, toggle, "on"); res.Status != http.StatusOK || !strings.Contains(res.Body, `"ok":true`) {
					t.Fatalf("turning %s on: %d %s", tc.name, res.Status, res.Body)
				}
				if !d.On() {
					t.Error("the device is not on")
				}
				// The edit form keeps meaning the first relay: its channel is empty.
				edit := m.Get(fmt.Sprintf("%s/switches/%d/edit", base, sw.ID))
				if got := formDefaults(t, edit.Body).Get("channel"); got != "" {
					t.Errorf("the edit form shows channel %q for the first relay, want empty", got)
				}
			})
		}

		// A channel that is not a number is a field error, beside the other fields'
		// problems, and keeps what was typed; nothing is added.
		bad := m.Post(base+"/switches", url.Values{"name": {"Pump"}, "family": {"shelly"}, "topic": {""}, "channel": {"abc"}})
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		wantBody(t, bad, "Enter a whole number, or leave the channel empty", `value="abc"`, "Device topic is required.")
		sws, err := db.Store.Staff(r.tn.Staff).ProjectSwitches(context.Background(), r.client.ID, r.project.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sws {
			if s.Name == "Pump" {
				t.Error("a switch with channel abc was added")
			}
		}
		// A relay the family does not number is refused with what the channel means.
		for _, tc := range []struct{ family, channel, want string }{
			{"tasmota", "9", "A Tasmota relay is numbered 1 to 8."},
			{"shelly", "8", "A Shelly switch id is 0 to 7."},
		} {
			res := m.Post(base+"/switches", url.Values{"name": {"Pump"}, "family": {tc.family}, "topic": {"pump_" + tc.family}, "channel": {tc.channel}})
			wantStatus(t, res, http.StatusUnprocessableEntity)
			wantBody(t, res, tc.want)
		}
	})
}

// A Shelly prefix may have levels, as the firmware allows (home/plus1), and such
// a device works on either broker. No prefix may equal, contain or lie within
// another switch's, of any tenant, since a device may publish anywhere under its
// prefix; Tasmota topics stay one level.
func TestSwitchShellyMultiLevelPrefix(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		testenv.EachBroker(t, func(t *testing.T, kind string) {
			ss := testenv.StartSwitchServer(t, db, kind, testenv.SwitchOptions{})
			tn := db.Tenant(t, "")
			client := db.Client(t, tn, "Dencorp")
			project := db.Project(t, tn, client, "Garden", nil)
			m := ss.NewClient(t)
			m.SignIn(tn.Company.Slug, tn.Admin.Email)
			base := fmt.Sprintf("/app/clients/%d/projects/%d", client.ID, project.ID)
			n := 0
			add := func(c *testenv.Client, base, family, topic string) *testenv.Response {
				n++
				return c.Post(base+"/switches", url.Values{"name": {fmt.Sprintf("Switch %d", n)}, "family": {family}, "topic": {topic}})
			}
			// Topics are the broker's, shared by every tenant and by both brokers' runs.
			home := "home-" + kind

			res := add(m, base, "shelly", home+"/plus1")
			wantStatus(t, res, http.StatusOK)
			wantBody(t, res, home+"/plus1/rpc", home+"/plus1/online")
			sw := switchNamed(t, db, tn, project, "Switch 1")
			if sw.Topic != home+"/plus1" || sw.Channel != 0 {
				t.Fatalf("stored %q channel %d, want %s/plus1 channel 0", sw.Topic, sw.Channel, home)
			}

			// The same tenant or another: nothing that nests with home/plus1.
			other := db.Tenant(t, "")
			oc := db.Client(t, other, "Other")
			op := db.Project(t, other, oc, "Other garden", nil)
			om := ss.NewClient(t)
			om.SignIn(other.Company.Slug, other.Admin.Email)
			obase := fmt.Sprintf("/app/clients/%d/projects/%d", oc.ID, op.ID)
			for _, tc := range []struct {
				name   string
				c      *testenv.Client
				base   string
				family string
				topic  string
				want   string // "" = added
			}{
				{"its parent", m, base, "shelly", home, "already in use"},
				{"within it", m, base, "shelly", home + "/plus1/relay", "already in use"},
				{"the same, other case", m, base, "shelly", strings.ToUpper(home) + "/Plus1", "already in use"},
				{"another tenant, within it", om, obase, "shelly", home + "/plus1/x", "already in use"},
				{"another tenant, its parent", om, obase, "shelly", home, "already in use"},
				{"a Tasmota topic named like its parent", om, obase, "tasmota", home, "already in use"},
				{"a sibling", om, obase, "shelly", home + "/plus10", ""},
				{"a Tasmota topic with levels", m, base, "tasmota", "lamp-" + kind + "/x", "Use 1–64 letters"},
				{"a reserved first level", m, base, "shelly", "tele/plus1", "reserved"},
				{"a leading slash", m, base, "shelly", "/garden/plus1", "Separate the levels"},
				{"an empty level", m, base, "shelly", "garden//plus1", "Separate the levels"},
				{"a wildcard", m, base, "shelly", "garden/+", "cannot contain"},
				{"too long", m, base, "shelly", kind + strings.Repeat("/g", 150), "at most 300"},
				{"three hundred characters", m, base, "shelly", kind[:2] + strings.Repeat("/g", 149), ""},
			} {
				t.Run(tc.name, func(t *testing.T) {
					res := add(tc.c, tc.base, tc.family, tc.topic)
					if tc.want == "" {
						wantStatus(t, res, http.StatusOK)
						return
					}
					wantStatus(t, res, http.StatusUnprocessableEntity)
					wantBody(t, res, tc.want)
				})
			}

			// The device with the two-level prefix is heard and obeys.
			d := ss.Device(t, sw, passwordOf(t, res.Body))
			if res := swToggleJSON(t, m, fmt.Sprintf("%s/switches/%d/toggle", base, sw.ID), "on"); res.Status != http.StatusOK {
				t.Fatalf("turning %s on: %d %s", sw.Topic, res.Status, res.Body)
			}
			if !d.On() {
				t.Error("the device is not on")
			}
			d.Press(context.Background())
			ss.WaitSwitch(t, sw.ID, "off after its button", func(s *domain.Switch) bool { return s.Known && !s.On })
			d.GoOffline()
			ss.WaitSwitch(t, sw.ID, "offline after its last will", func(s *domain.Switch) bool { return !s.Online })
		})
	})
}

// The staff project page's Turn on/off posts to the toggle route, which every
// staff member may use, with or without switches.manage.
func TestSwitchStaffToggleFormPostsToToggle(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newSwRig(t, db)
		d := r.ss.Device(t, r.tas, r.passwords[0])
		slug := r.tn.Company.Slug
		for _, tc := range []struct {
			who   *domain.StaffUser
			state string
			on    bool
		}{
			{db.StaffUser(t, r.tn, "reader@"+slug+".test"), "on", true},
			{db.StaffUser(t, r.tn, "tech@"+slug+".test", access.SwitchesManage), "off", false},
		} {
			c := r.ss.NewClient(t)
			c.SignIn(slug, tc.who.Email)
			base := fmt.Sprintf("/app/clients/%d/projects/%d", r.client.ID, r.project.ID)
			page := c.Get(base)
			wantStatus(t, page, http.StatusOK)
			action := regexp.MustCompile(fmt.Sprintf(`<li[^>]*id="switch-%d"(?s:.*?)<form class="switch-toggle" method="post" action="([^"]+)"`, r.tas.ID)).FindStringSubmatch(page.Body)
			if action == nil {
				t.Fatal("no toggle form on the staff project page")
			}
			if want := fmt.Sprintf("%s/switches/%d/toggle", base, r.tas.ID); action[1] != want {
				t.Errorf("the toggle form posts to %s, want %s", action[1], want)
			}
			res := c.Post(html.UnescapeString(action[1]), url.Values{"state": {tc.state}})
			if res.Status != http.StatusSeeOther || res.Location != base {
				t.Fatalf("%s's toggle without JavaScript: %d → %q", tc.who.Email, res.Status, res.Location)
			}
			if d.On() != tc.on {
				t.Errorf("after %s's toggle the device is on=%v, want %v", tc.who.Email, d.On(), tc.on)
			}
		}

		// The portal's form still posts to the portal's route.
		swPortalUser(t, db, r.tn, "Denisa", "denisa@dencorp.test", []int64{r.client.ID})
		pc := swPortalClient(t, r.ss.Server, slug, "denisa@dencorp.test")
		pbase := fmt.Sprintf("/portal/%s/projects/%d", slug, r.project.ID)
		if !strings.Contains(pc.Get(pbase).Body, fmt.Sprintf(`action="%s/switches/%d"`, pbase, r.tas.ID)) {
			t.Error("the portal's toggle form does not post to the portal's route")
		}
		if res := pc.Post(fmt.Sprintf("%s/switches/%d", pbase, r.tas.ID), url.Values{"state": {"on"}}); res.Status != http.StatusSeeOther || !d.On() {
			t.Errorf("the portal toggle without JavaScript: %d, device on=%v", res.Status, d.On())
		}
	})
}

// A toggle sent by switches.js that finds no switch — unknown, outside what the
// person may see, or on another project — is answered in JSON, in the portal and
// the staff app alike; without JavaScript it is the not-found page.
func TestSwitchToggleNotFoundIsJSON(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newSwRig(t, db)
		slug := r.tn.Company.Slug
		otherProject := db.Project(t, r.tn, r.client, "Warehouse", nil)
		otherClient := db.Client(t, r.tn, "Other client")
		hiddenProject := db.Project(t, r.tn, otherClient, "Hidden", nil)
		hidden, _ := db.Switch(t, r.tn, hiddenProject, "Hidden light", domain.FamilyTasmota, "hidden_light")
		otherTenant := db.Tenant(t, "")
		foreign := db.Project(t, otherTenant, db.Client(t, otherTenant, "Foreign"), "Foreign", nil)
		foreignSwitch, _ := db.Switch(t, otherTenant, foreign, "Foreign light", domain.FamilyTasmota, "foreign_light")

		swPortalUser(t, db, r.tn, "Denisa", "denisa@dencorp.test", []int64{r.client.ID})
		portal := swPortalClient(t, r.ss.Server, slug, "denisa@dencorp.test")
		staff := r.ss.NewClient(t)
		staff.SignIn(slug, db.StaffUser(t, r.tn, "reader@"+slug+".test").Email)

		pp := func(project, sw int64) string {
			return fmt.Sprintf("/portal/%s/projects/%d/switches/%d", slug, project, sw)
		}
		sp := func(client, project, sw int64) string {
			return fmt.Sprintf("/app/clients/%d/projects/%d/switches/%d/toggle", client, project, sw)
		}
		for _, tc := range []struct {
			name string
			c    *testenv.Client
			path string
		}{
			{"portal: unknown switch", portal, pp(r.project.ID, 999999)},
			{"portal: another client's switch", portal, pp(r.project.ID, hidden.ID)},
			{"portal: the switch through another project", portal, pp(otherProject.ID, r.tas.ID)},
			{"portal: a project it may not see", portal, pp(hiddenProject.ID, hidden.ID)},
			{"portal: unknown project", portal, pp(999999, r.tas.ID)},
			{"staff: unknown switch", staff, sp(r.client.ID, r.project.ID, 999999)},
			{"staff: the switch through another project", staff, sp(r.client.ID, otherProject.ID, r.tas.ID)},
			{"staff: another tenant's switch", staff, sp(r.client.ID, r.project.ID, foreignSwitch.ID)},
			{"staff: unknown client", staff, sp(999999, r.project.ID, r.tas.ID)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := swToggleJSON(t, tc.c, tc.path, "on")
				if res.Status != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
					t.Fatalf("JSON toggle: %d %s\n%.300s", res.Status, res.Header.Get("Content-Type"), res.Body)
				}
				var got map[string]any
				if err := json.Unmarshal([]byte(res.Body), &got); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, res.Body)
				}
				want := map[string]any{"ok": false, "status": "not_found", "message": "Switch not found."}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("JSON toggle = %v, want %v", got, want)
				}
				page := tc.c.Post(tc.path, url.Values{"state": {"on"}})
				if page.Status != http.StatusNotFound || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
					t.Errorf("form toggle: %d %s, want the 404 page", page.Status, page.Header.Get("Content-Type"))
				}
			})
		}
	})
}

// An offline row says since when it has been offline (or when the device was
// last heard) and why its button is disabled, on the page and in live updates,
// in the portal and the staff app.
func TestSwitchOfflineRowSaysWhy(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newSwRig(t, db)
		d := r.ss.Device(t, r.tas, r.passwords[0])
		d.GoOffline()
		r.ss.WaitSwitch(t, r.tas.ID, "offline", func(s *domain.Switch) bool { return !s.Online })
		slug := r.tn.Company.Slug
		swPortalUser(t, db, r.tn, "Denisa", "denisa@dencorp.test", []int64{r.client.ID})
		portal := swPortalClient(t, r.ss.Server, slug, "denisa@dencorp.test")
		staff := r.ss.NewClient(t)
		staff.SignIn(slug, db.StaffUser(t, r.tn, "reader@"+slug+".test").Email)
		why := "it can be turned on or off once it is back online"
		button := regexp.MustCompile(fmt.Sprintf(`<button[^>]*aria-describedby="switch-%d-why"[^>]*>`, r.tas.ID))
		for _, tc := range []struct {
			name string
			c    *testenv.Client
			path string
		}{
			{"portal", portal, fmt.Sprintf("/portal/%s/projects/%d", slug, r.project.ID)},
			{"staff", staff, fmt.Sprintf("/app/clients/%d/projects/%d", r.client.ID, r.project.ID)},
		} {
			page := tc.c.Get(tc.path)
			wantStatus(t, page, http.StatusOK)
			row := regexp.MustCompile(fmt.Sprintf(`(?s)<li[^>]*id="switch-%d".*?</li>`, r.tas.ID)).FindString(page.Body)
			text := strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(row, " ")), " ")
			// The device's will was heard: the row says since when it is offline.
			if !strings.Contains(text, "Offline since ") || !strings.Contains(text, why) {
				t.Errorf("%s: the offline row reads %q", tc.name, text)
			}
			b := button.FindString(row)
			if b == "" || !strings.Contains(b, "disabled") {
				t.Errorf("%s: the offline row's button is not disabled with its reason: %q", tc.name, b)
			}
			if _, live := swLive(t, tc.c, tc.path+"/live"); !strings.Contains(live, why) {
				t.Errorf("%s: the live update does not say why the switch cannot be toggled", tc.name)
			}
		}
	})
}
