package store_test

import (
	"slices"
	"testing"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// A client and its first contact are made together, or neither is: a contact
// that is refused leaves no client behind, and its problems are named with the
// contact_ prefix beside the client's own.
func TestCreateClientWithContact(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn := db.Tenant(t, "")
		view := db.Store.Staff(tn.Staff)

		c := &domain.Client{Name: "Zelená záhrada", ContactPerson: "Jana Nováková", Email: "Jana@Zahrada.test"}
		first := &domain.Contact{FirstName: "Jana", LastName: "Nováková", Email: "Jana@Zahrada.test", Phone: "+421 900 000 000"}
		if err := view.CreateClientWithContact(ctx, c, first); err != nil {
			t.Fatal(err)
		}
		cs, err := view.Contacts(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || cs[0].ID != first.ID || cs[0].Name() != "Jana Nováková" || cs[0].Email != "jana@zahrada.test" || cs[0].Phone != "+421 900 000 000" {
			t.Fatalf("the client's contacts are %+v, want Jana Nováková", cs)
		}

		bad := &domain.Client{Name: "", Email: "nobody@x.test"}
		err = view.CreateClientWithContact(ctx, bad, &domain.Contact{FirstName: "Only", Email: "not an email"})
		fields := domain.FieldErrors(err)
		for _, f := range []string{"name", "contact_last_name", "contact_email"} {
			if fields[f] == "" {
				t.Errorf("no error on %s: %v", f, fields)
			}
		}
		orphan := &domain.Client{Name: "Orphan"}
		if err := view.CreateClientWithContact(ctx, orphan, &domain.Contact{FirstName: "No"}); domain.FieldErrors(err)["contact_last_name"] == "" {
			t.Fatalf("a contact without a last name: %v", err)
		}
		list, _, err := view.Clients(ctx, store.ClientFilter{Query: "Orphan"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Fatalf("a refused contact left its client behind: %v", list)
		}

		// Without a contact it is CreateClient.
		alone := &domain.Client{Name: "Alone"}
		if err := view.CreateClientWithContact(ctx, alone, nil); err != nil {
			t.Fatal(err)
		}
		if cs, _ := view.Contacts(ctx, alone.ID); len(cs) != 0 {
			t.Fatalf("a client made without a contact has %v", cs)
		}
	})
}

// The suggested topic is the name made valid for the family, and free on the
// broker: a topic of any tenant, or one overlapping it, is skipped; a name with
// nothing usable or a reserved one gives "switch". The suggestion is accepted
// by CreateSwitch.
func TestSuggestTopic(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn, other := db.Tenant(t, ""), db.Tenant(t, "")
		view := db.Store.Staff(tn.Staff)
		p := db.Project(t, tn, db.Client(t, tn, "ABC"), "Hall", nil)
		db.Switch(t, other, db.Project(t, other, db.Client(t, other, "XYZ"), "Theirs", nil), "Theirs", domain.FamilyTasmota, "garden_pump")
		db.Switch(t, tn, p, "Shelly", domain.FamilyShelly, "garden-pump/x")

		for _, tc := range []struct{ family, name, want string }{
			{domain.FamilyTasmota, "Garden pump", "garden_pump_2"},             // another tenant's
			{domain.FamilyShelly, "Garden pump", "garden-pump-2"},              // within a prefix in use
			{domain.FamilyTasmota, "  Svetlo v kúpeľni! ", "svetlo_v_kupelni"}, // diacritics, punctuation
			{domain.FamilyTasmota, "Stat", "switch"},                           // reserved
			{domain.FamilyShelly, "—", "switch"},                               // nothing usable
			{"", "Office", "office"},                                           // no family: Tasmota
		} {
			got, err := view.SuggestTopic(ctx, tc.family, tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("SuggestTopic(%q, %q) = %q, want %q", tc.family, tc.name, got, tc.want)
			}
		}
		long, err := view.SuggestTopic(ctx, domain.FamilyTasmota, "A very long name of a switch that goes on and on and on and on")
		if err != nil || len(long) > 40 {
			t.Fatalf("a long name: %q %v", long, err)
		}
		// Taken by the first switch it names, the next suggestion moves on.
		first, err := view.SuggestTopic(ctx, domain.FamilyTasmota, "Hall light")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := view.CreateSwitch(ctx, &domain.Switch{ClientID: p.ClientID, ProjectID: p.ID, Name: "Hall light", Family: domain.FamilyTasmota, Topic: first}); err != nil {
			t.Fatalf("the suggestion %q is refused: %v", first, err)
		}
		if next, _ := view.SuggestTopic(ctx, domain.FamilyTasmota, "Hall light"); next != first+"_2" {
			t.Errorf("after %s is taken the suggestion is %q", first, next)
		}
		// Only those who manage switches ask.
		reader := db.StaffUser(t, tn, "reader@"+tn.Company.Slug+".test")
		if _, err := db.Store.Staff(access.NewStaff(reader)).SuggestTopic(ctx, domain.FamilyTasmota, "x"); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("a reader's suggestion: %v, want EFORBIDDEN", err)
		}
	})
}

// The overview's switches are exactly those the Scope sees on all projects: of
// the user's clients, at their sites, within their narrowing; at most the limit,
// saying when there are more.
func TestPortalOverviewSwitches(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn, other := db.Tenant(t, ""), db.Tenant(t, "")
		abc, def := db.Client(t, tn, "ABC"), db.Client(t, tn, "DEF")
		ba, ke := db.Site(t, tn, abc, "Bratislava", "Bratislava"), db.Site(t, tn, abc, "Košice", "Košice")
		atBa, atKe := db.Project(t, tn, abc, "Hall", ba), db.Project(t, tn, abc, "Store", ke)
		nowhere := db.Project(t, tn, abc, "Everywhere", nil)
		lamp, _ := db.Switch(t, tn, atBa, "Lamp", domain.FamilyShelly, "o/lamp")
		fan, _ := db.Switch(t, tn, atBa, "Fan", domain.FamilyShelly, "o/fan")
		pump, _ := db.Switch(t, tn, atKe, "Pump", domain.FamilyShelly, "o/pump")
		gate, _ := db.Switch(t, tn, nowhere, "Gate", domain.FamilyShelly, "o/gate")
		db.Switch(t, tn, db.Project(t, tn, def, "Other client", nil), "Heater", domain.FamilyShelly, "o/heater")
		db.Switch(t, other, db.Project(t, other, db.Client(t, other, "XYZ"), "Theirs", nil), "Theirs", domain.FamilyShelly, "o/theirs")

		scopeOf := func(email string, siteIDs []int64, switchIDs ...int64) access.Scope {
			t.Helper()
			u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "P", LastName: "U", Email: email, ClientIDs: []int64{abc.ID}, SiteIDs: siteIDs})
			if len(switchIDs) > 0 {
				if err := app.New(db.Store, nil, "").SetPortalSwitchGrants(ctx, tn.Staff, u.ID, switchIDs); err != nil {
					t.Fatal(err)
				}
			}
			scope, err := testenv.PortalScope(ctx, db.Store, tn.Company.ID, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return scope
		}
		names := func(list []*domain.Switch) []string {
			var out []string
			for _, sw := range list {
				out = append(out, sw.Name)
			}
			slices.Sort(out)
			return out
		}
		for _, tc := range []struct {
			name  string
			scope access.Scope
			want  []*domain.Switch
		}{
			{"all sites", scopeOf("owner@abc.test", nil), []*domain.Switch{lamp, fan, pump, gate}},
			{"one site", scopeOf("kosice@abc.test", []int64{ke.ID}), []*domain.Switch{pump}},
			{"narrowed to one switch", scopeOf("lamp@abc.test", nil, lamp.ID), []*domain.Switch{lamp}},
			{"the zero Scope", access.Scope{}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, more, err := db.Store.Portal(tc.scope).PortalOverviewSwitches(ctx, 10)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(names(got), names(tc.want)) || more {
					t.Fatalf("overview switches %v (more %v), want %v", names(got), more, names(tc.want))
				}
				for _, sw := range got {
					if sw.Username != "" {
						t.Errorf("%s carries its MQTT username", sw.Name)
					}
				}
			})
		}
		got, more, err := db.Store.Portal(scopeOf("few@abc.test", nil)).PortalOverviewSwitches(ctx, 3)
		if err != nil || len(got) != 3 || !more {
			t.Fatalf("limited to 3: %v more %v %v", names(got), more, err)
		}
	})
}
