package store_test

import (
	"slices"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// TestPortalTenantSession checks the tenant, session, user and grants read
// together before every signed-in portal page: an unknown tenant is not found,
// a known one without the session (or with another tenant's) is unauthorized
// and still names the tenant, and a restriction or a disconnect made by staff
// shows in the very next call.
func TestPortalTenantSession(t *testing.T) {
	t.Parallel()
	runSpecs(t, spec{"tenant, session and grants in one, nothing kept between calls", func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn, other := db.Tenant(t, ""), db.Tenant(t, "")
		a, b := db.Client(t, tn, "A"), db.Client(t, tn, "B")
		north := db.Site(t, tn, a, "North", "Košice")
		db.Site(t, tn, a, "South", "Žilina")
		u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "P", LastName: "U", Email: "p@x.test", ClientIDs: []int64{a.ID, b.ID}})
		if err := db.Store.CreatePortalSession(ctx, tn.Company.ID, u.ID, "live", time.Hour); err != nil {
			t.Fatal(err)
		}

		_, _, _, err := db.Store.PortalTenantSession(ctx, "no-such-tenant", "live", time.Hour)
		wantCode(t, err, domain.ENOTFOUND)
		for _, c := range []struct{ slug, token string }{{tn.Company.Slug, "unknown"}, {other.Company.Slug, "live"}} {
			co, got, _, err := db.Store.PortalTenantSession(ctx, c.slug, c.token, time.Hour)
			wantCode(t, err, domain.EUNAUTHORIZED)
			if co == nil || co.Slug != c.slug || got != nil {
				t.Fatalf("%s/%s: tenant %+v, user %+v", c.slug, c.token, co, got)
			}
		}

		check := func(want []access.ClientAccess) {
			t.Helper()
			co, got, grants, err := db.Store.PortalTenantSession(ctx, tn.Company.Slug, "live", time.Hour)
			if err != nil || co.ID != tn.Company.ID || co.Name != tn.Company.Name || co.TimeZone != tn.Company.TimeZone || got.ID != u.ID || got.Email != "p@x.test" {
				t.Fatalf("session = %+v, %+v, %v", co, got, err)
			}
			if !slices.EqualFunc(grants, want, func(x, y access.ClientAccess) bool {
				return x.ClientID == y.ClientID && x.AllSites == y.AllSites && slices.Equal(x.SiteIDs, y.SiteIDs) && slices.Equal(x.SwitchIDs, y.SwitchIDs)
			}) {
				t.Fatalf("grants = %+v, want %+v", grants, want)
			}
			if fresh, err := db.Store.PortalGrants(ctx, tn.Company.ID, u.ID); err != nil || len(fresh) != len(grants) {
				t.Fatalf("PortalGrants = %+v, %v", fresh, err)
			}
		}
		check([]access.ClientAccess{{ClientID: a.ID, AllSites: true}, {ClientID: b.ID, AllSites: true}})

		ap := app.New(db.Store, nil, "")
		if _, err := ap.UpdatePortalAccess(ctx, tn.Staff, u.ID, app.PortalAccessUpdate{FirstName: "P", LastName: "U", ClientIDs: []int64{a.ID, b.ID}, SiteIDs: []int64{north.ID}}); err != nil {
			t.Fatal(err)
		}
		check([]access.ClientAccess{{ClientID: a.ID, SiteIDs: []int64{north.ID}}, {ClientID: b.ID, AllSites: true}})

		if _, err := ap.DisconnectPortalUser(ctx, tn.Staff, b.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		check([]access.ClientAccess{{ClientID: a.ID, SiteIDs: []int64{north.ID}}})

		if _, err := ap.DisconnectPortalUser(ctx, tn.Staff, a.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		_, _, _, err = db.Store.PortalTenantSession(ctx, tn.Company.Slug, "live", time.Hour)
		wantCode(t, err, domain.EUNAUTHORIZED)
	}})
}
