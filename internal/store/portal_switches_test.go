package store_test

import (
	"slices"
	"testing"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// TestPortalProjectSwitch checks that a portal user reaches a switch of a
// project exactly when the project's switch list shows it: on that project, at
// a site the user sees, and allowed by the user's narrowing.
func TestPortalProjectSwitch(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn, other := db.Tenant(t, ""), db.Tenant(t, "")
		abc := db.Client(t, tn, "ABC")
		ba, ke := db.Site(t, tn, abc, "Bratislava", "Bratislava"), db.Site(t, tn, abc, "Košice", "Košice")
		atBa, atKe := db.Project(t, tn, abc, "Hall", ba), db.Project(t, tn, abc, "Store", ke)
		nowhere := db.Project(t, tn, abc, "Everywhere", nil)
		lamp, _ := db.Switch(t, tn, atBa, "Lamp", domain.FamilyShelly, "t/lamp")
		fan, _ := db.Switch(t, tn, atBa, "Fan", domain.FamilyShelly, "t/fan")
		pump, _ := db.Switch(t, tn, atKe, "Pump", domain.FamilyShelly, "t/pump")
		gate, _ := db.Switch(t, tn, nowhere, "Gate", domain.FamilyShelly, "t/gate")
		theirs, _ := db.Switch(t, other, db.Project(t, other, db.Client(t, other, "XYZ"), "Theirs", nil), "Theirs", domain.FamilyShelly, "t/theirs")

		scopeOf := func(email string, siteIDs []int64, switchIDs ...int64) access.Scope {
			t.Helper()
			u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "P", LastName: "U", Email: email,
				ClientIDs: []int64{abc.ID}, SiteIDs: siteIDs})
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
		owner := scopeOf("owner@abc.test", nil)
		kosice := scopeOf("kosice@abc.test", []int64{ke.ID})
		narrowed := scopeOf("lamp@abc.test", nil, lamp.ID)

		for _, tc := range []struct {
			name    string
			scope   access.Scope
			project *domain.Project
			sw      *domain.Switch
			visible bool
		}{
			{"owner: a switch of the project", owner, atBa, lamp, true},
			{"owner: a project with no site", owner, nowhere, gate, true},
			{"owner: a visible switch through another project", owner, atKe, lamp, false},
			{"restricted: a switch at the user's site", kosice, atKe, pump, true},
			{"restricted: a switch at another site", kosice, atBa, lamp, false},
			{"restricted: a project with no site needs all sites", kosice, nowhere, gate, false},
			{"narrowed: the chosen switch", narrowed, atBa, lamp, true},
			{"narrowed: another switch of the same project", narrowed, atBa, fan, false},
			{"another tenant's switch", owner, atBa, theirs, false},
			{"the zero Scope", access.Scope{}, atBa, lamp, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				view := db.Store.Portal(tc.scope)
				sw, err := view.PortalProjectSwitch(ctx, tc.project.ID, tc.sw.ID)
				if !tc.visible {
					wantCode(t, err, domain.ENOTFOUND)
					return
				}
				wantCode(t, err, "")
				if sw.ID != tc.sw.ID || sw.Name != tc.sw.Name {
					t.Fatalf("PortalProjectSwitch = %+v, want %s", sw, tc.sw.Name)
				}
				// The single switch agrees with the project's list.
				list, err := view.PortalSwitches(ctx, tc.project.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.ContainsFunc(list, func(x *domain.Switch) bool { return x.ID == sw.ID }) {
					t.Fatalf("%s is not in the project's switch list %v", sw.Name, list)
				}
			})
		}
	})
}
