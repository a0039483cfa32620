package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// The portal's overview shows the switches the user may see — of their
// clients, at their sites — with the project page's Turn on/off rows, whose
// forms post to the switch's project; its live stream carries the same rows.
// A user whose companies have no switches gets no Switches section.
func TestPortalOverviewSwitches(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ss := testenv.StartSwitchServer(t, db, testenv.BrokerEmbedded, testenv.SwitchOptions{})
		tn := db.Tenant(t, "")
		slug := tn.Company.Slug
		a := db.Client(t, tn, "ABC s.r.o.")
		ba, ke := db.Site(t, tn, a, "Bratislava", "Bratislava"), db.Site(t, tn, a, "Košice", "Košice")
		plain := db.Client(t, tn, "No switches s.r.o.")
		db.Switch(t, tn, db.Project(t, tn, a, "Hall", ba), "Hall lamp", domain.FamilyTasmota, "ov_lamp")
		pump, pw := db.Switch(t, tn, db.Project(t, tn, a, "Store", ke), "Store pump", domain.FamilyTasmota, "ov_pump")
		dev := ss.Device(t, pump, pw)
		swPortalUser(t, db, tn, "All", "all@abc.test", []int64{a.ID})
		swPortalUser(t, db, tn, "Kosice", "kosice@abc.test", []int64{a.ID}, ke.ID)
		swPortalUser(t, db, tn, "Plain", "plain@abc.test", []int64{plain.ID})
		home := "/portal/" + slug + "/"

		all := swPortalClient(t, ss.Server, slug, "all@abc.test")
		page := all.Get(home)
		wantStatus(t, page, http.StatusOK)
		wantBody(t, page, `id="switches"`, "Hall lamp", "Store pump", `data-switch-events="/portal/`+slug+`/switches/live"`,
			fmt.Sprintf(`action="/portal/%s/projects/%d/switches/%d"`, slug, pump.ProjectID, pump.ID))
		if st, body := swLive(t, all, home+"switches/live"); st != http.StatusOK || !strings.Contains(body, "Hall lamp") || !strings.Contains(body, "Store pump") {
			t.Errorf("the overview's stream: %d\n%s", st, body)
		}

		kosice := swPortalClient(t, ss.Server, slug, "kosice@abc.test")
		page = kosice.Get(home)
		wantBody(t, page, "Store pump")
		dontWantBody(t, page, "Hall lamp")
		if _, body := swLive(t, kosice, home+"switches/live"); strings.Contains(body, "Hall lamp") || !strings.Contains(body, "Store pump") {
			t.Errorf("the Košice user's stream shows a switch of another site:\n%s", body)
		}
		// The row's form, as the overview gives it, turns the pump on.
		if r := swToggleJSON(t, kosice, fmt.Sprintf("/portal/%s/projects/%d/switches/%d", slug, pump.ProjectID, pump.ID), "on"); r.Status != http.StatusOK {
			t.Fatalf("toggle from the overview: %d %s", r.Status, r.Body)
		}
		if !dev.On() {
			t.Error("the device did not turn on")
		}

		plainC := swPortalClient(t, ss.Server, slug, "plain@abc.test")
		dontWantBody(t, plainC.Get(home), `id="switches"`, "switches.js")
		wantStatus(t, plainC.Get(home+"switches/live"), http.StatusNotFound)
	})
}

// The switch form's topic suggestion is for those who manage switches, and
// names a free topic.
func TestSwitchTopicSuggestion(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		tn := db.Tenant(t, "")
		slug := tn.Company.Slug
		c := db.Client(t, tn, "ABC")
		p := db.Project(t, tn, c, "Hall", nil)
		db.Switch(t, tn, p, "Hall light", domain.FamilyTasmota, "hall_light")
		path := fmt.Sprintf("/app/clients/%d/projects/%d/switches/topic?family=tasmota&name=Hall+light", c.ID, p.ID)

		admin := srv.NewClient(t)
		admin.SignIn(slug, tn.Admin.Email)
		r := admin.Get(path)
		wantStatus(t, r, http.StatusOK)
		var got struct{ Topic string }
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil || got.Topic != "hall_light_2" {
			t.Fatalf("suggestion %q (%v), want hall_light_2", r.Body, err)
		}
		reader := db.StaffUser(t, tn, "reader@"+slug+".test", access.ClientsManage)
		rc := srv.NewClient(t)
		rc.SignIn(slug, reader.Email)
		wantStatus(t, rc.Get(path), http.StatusForbidden)
	})
}

// The new-client form makes the first contact from the contact person, the main
// email and the phone when asked (the form asks by default); unticked, or with
// no contact person, it makes none; a single name is refused on the field.
func TestClientFormFirstContact(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		tn := db.Tenant(t, "")
		c := srv.NewClient(t)
		c.SignIn(tn.Company.Slug, tn.Admin.Email)
		wantBody(t, c.Get("/app/clients/new"), `name="add_contact" value="1" checked`)

		contactsOf := func(name string) []*domain.Contact {
			t.Helper()
			list, _, err := db.Store.Staff(tn.Staff).Clients(t.Context(), store.ClientFilter{Query: name})
			if err != nil || len(list) != 1 {
				t.Fatalf("clients named %s: %v %v", name, list, err)
			}
			cs, err := db.Store.Staff(tn.Staff).Contacts(t.Context(), list[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			return cs
		}
		post := func(v url.Values) *testenv.Response {
			t.Helper()
			return c.Post("/app/clients", v)
		}
		r := post(url.Values{"name": {"With contact"}, "contact_person": {"Ján  van der Berg"}, "email": {"jan@with.test"}, "phone": {"+421 2 123"}, "add_contact": {"1"}})
		wantStatus(t, r, http.StatusSeeOther)
		if cs := contactsOf("With contact"); len(cs) != 1 || cs[0].FirstName != "Ján van der" || cs[0].LastName != "Berg" || cs[0].Email != "jan@with.test" || cs[0].Phone != "+421 2 123" {
			t.Errorf("the first contact is %+v", cs)
		}
		wantBody(t, c.Get(r.Location), "created, with Ján van der Berg as its first contact.")

		wantStatus(t, post(url.Values{"name": {"Unticked"}, "contact_person": {"Eva Malá"}}), http.StatusSeeOther)
		if cs := contactsOf("Unticked"); len(cs) != 0 {
			t.Errorf("unticked, a contact was made: %v", cs)
		}
		wantStatus(t, post(url.Values{"name": {"Nobody"}, "add_contact": {"1"}}), http.StatusSeeOther)
		if cs := contactsOf("Nobody"); len(cs) != 0 {
			t.Errorf("with no contact person, a contact was made: %v", cs)
		}
		r = post(url.Values{"name": {"One name"}, "contact_person": {"Madonna"}, "add_contact": {"1"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, `id="e-contact_person"`, "Enter a first and a last name")
		if list, _, _ := db.Store.Staff(tn.Staff).Clients(t.Context(), store.ClientFilter{Query: "One name"}); len(list) != 0 {
			t.Errorf("a refused form made the client %v", list)
		}
	})
}
