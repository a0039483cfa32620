package store_test

import (
	"fmt"
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

// BenchmarkPortalRequestLookups measures what every signed-in portal page reads
// before its own data, for a user of one company and a user of 100: the tenant,
// session, user and grants as separate queries (CompanyBySlug, then
// PortalSession) and in one (PortalTenantSession), and the header's company
// selector with a site count per company (PortalClients) and with names only
// (PortalClientNames). Run it with
//
//	go test ./internal/store -run '^$' -bench BenchmarkPortalRequestLookups -count 6
func BenchmarkPortalRequestLookups(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := testenv.NewDB(b, engine)
			ctx := b.Context()
			tn := db.Tenant(b, "")
			var ids []int64
			for i := range 100 {
				c := db.Client(b, tn, fmt.Sprintf("Client %03d", i))
				db.Site(b, tn, c, "North", "Košice")
				db.Site(b, tn, c, "South", "Žilina")
				ids = append(ids, c.ID)
			}
			for _, u := range []struct {
				name    string
				clients []int64
			}{{"one", ids[:1]}, {"big", ids}} {
				pu := db.PortalUser(b, tn, app.NewPortalUser{FirstName: "P", LastName: u.name, Email: u.name + "@x.test", ClientIDs: u.clients})
				token := "session-" + u.name
				if err := db.Store.CreatePortalSession(ctx, tn.Company.ID, pu.ID, token, time.Hour); err != nil {
					b.Fatal(err)
				}
				_, _, grants, err := db.Store.PortalTenantSession(ctx, tn.Company.Slug, token, time.Hour)
				if err != nil {
					b.Fatal(err)
				}
				view := db.Store.Portal(access.NewScope(tn.Company.ID, pu.ID, grants))
				b.Run(u.name+"/session/separate", func(b *testing.B) {
					for b.Loop() {
						c, err := db.Store.CompanyBySlug(ctx, tn.Company.Slug)
						if err != nil {
							b.Fatal(err)
						}
						if _, _, err := db.Store.PortalSession(ctx, c.ID, token, time.Hour); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(u.name+"/session/together", func(b *testing.B) {
					for b.Loop() {
						if _, _, _, err := db.Store.PortalTenantSession(ctx, tn.Company.Slug, token, time.Hour); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(u.name+"/header/site-counts", func(b *testing.B) {
					for b.Loop() {
						if cs, err := view.PortalClients(ctx); err != nil || len(cs) != len(u.clients) {
							b.Fatal(len(cs), err)
						}
					}
				})
				b.Run(u.name+"/header/names", func(b *testing.B) {
					for b.Loop() {
						if cs, err := view.PortalClientNames(ctx); err != nil || len(cs) != len(u.clients) {
							b.Fatal(len(cs), err)
						}
					}
				})
			}
		})
	}
}
