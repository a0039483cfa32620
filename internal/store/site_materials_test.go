package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// TestSiteMaterialsFollowProtocols: over random sequences of protocol changes in
// two tenants — drafts created, edited (moved to another site, new date, other
// materials), completed and deleted, completed protocols imported, changes to
// completed protocols refused, and the clock moving on so that uses leave the
// SDSMonths window — the site_materials summary always equals its definition
// computed from the protocols, and the materials the portal shows (the
// Documents page's and each site's) always equal those found directly from the
// completed protocols in reach, for users of all sites, of chosen sites and of
// another tenant.
func TestSiteMaterialsFollowProtocols(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		for seed := range uint64(3) {
			t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) { siteMaterialsWorld(t, db, seed) })
		}
	})
}

// materialsWorld is one tenant of TestSiteMaterialsFollowProtocols.
type materialsWorld struct {
	tn     *testenv.Tenant
	sites  [][]*domain.Site // by client
	mats   []*domain.Material
	drafts []*domain.Protocol
	done   []*domain.Protocol
	scopes []access.Scope
}

func siteMaterialsWorld(t *testing.T, db *testenv.DB, seed uint64) {
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var worlds []*materialsWorld
	for range 2 {
		w := &materialsWorld{tn: db.Tenant(t, "")}
		for i := range 3 {
			c := db.Client(t, w.tn, fmt.Sprintf("Client %d", i))
			w.sites = append(w.sites, []*domain.Site{db.Site(t, w.tn, c, "North", "Košice"), db.Site(t, w.tn, c, "South", "Žilina")})
		}
		for i := range 4 {
			w.mats = append(w.mats, material(t, db, w.tn, fmt.Sprintf("Material %d", i)))
		}
		all := func(c int) access.ClientAccess {
			return access.ClientAccess{ClientID: w.sites[c][0].ClientID, AllSites: true}
		}
		only := func(c, site int) access.ClientAccess {
			return access.ClientAccess{ClientID: w.sites[c][0].ClientID, SiteIDs: []int64{w.sites[c][site].ID}}
		}
		id := w.tn.Company.ID
		w.scopes = []access.Scope{
			access.NewScope(id, 1, []access.ClientAccess{all(0), all(1), all(2)}),
			access.NewScope(id, 2, []access.ClientAccess{only(0, 0), all(1)}),
			access.NewScope(id, 3, []access.ClientAccess{only(2, 1)}),
		}
		worlds = append(worlds, w)
	}
	// A protocol at a random site of client c (any client when c < 0), performed
	// in the last 30 months, with up to three materials.
	random := func(w *materialsWorld, c int) *domain.Protocol {
		if c < 0 {
			c = rng.IntN(len(w.sites))
		}
		site := w.sites[c][rng.IntN(2)]
		p := &domain.Protocol{ClientID: site.ClientID, SiteID: site.ID, ServiceType: "Rodent control",
			PerformedAt: db.Store.Now().Add(-time.Duration(rng.IntN(30*31)) * 24 * time.Hour)}
		for _, i := range rng.Perm(len(w.mats))[:rng.IntN(4)] {
			p.Materials = append(p.Materials, domain.ProtocolMaterial{MaterialID: w.mats[i].ID, Quantity: 1, Unit: "g"})
		}
		return p
	}
	clientOf := func(w *materialsWorld, p *domain.Protocol) int {
		return slices.IndexFunc(w.sites, func(s []*domain.Site) bool { return s[0].ClientID == p.ClientID })
	}
	for step := range 60 {
		w := worlds[rng.IntN(len(worlds))]
		staff := db.Store.Staff(w.tn.Staff)
		var did string
		switch op := rng.IntN(8); {
		case op == 0 || len(w.drafts) == 0:
			p := random(w, -1)
			if err := staff.CreateProtocol(ctx, p); err != nil {
				t.Fatal(err)
			}
			w.drafts, did = append(w.drafts, p), "create"
		case op == 1:
			i := rng.IntN(len(w.drafts))
			old := w.drafts[i]
			p := random(w, clientOf(w, old))
			p.ID = old.ID
			if err := staff.UpdateProtocol(ctx, p); err != nil {
				t.Fatal(err)
			}
			w.drafts[i], did = p, "update"
		case op == 2 || op == 3:
			i := rng.IntN(len(w.drafts))
			if err := staff.CompleteProtocol(ctx, w.drafts[i].ID); err != nil {
				t.Fatal(err)
			}
			w.done = append(w.done, w.drafts[i])
			w.drafts, did = slices.Delete(w.drafts, i, i+1), "complete"
		case op == 4:
			i := rng.IntN(len(w.drafts))
			if err := staff.DeleteProtocol(ctx, w.drafts[i].ID); err != nil {
				t.Fatal(err)
			}
			w.drafts, did = slices.Delete(w.drafts, i, i+1), "delete"
		case op == 5:
			var ps []*domain.Protocol
			for range 1 + rng.IntN(5) {
				ps = append(ps, random(w, -1))
			}
			if err := staff.ImportProtocols(ctx, ps); err != nil {
				t.Fatal(err)
			}
			w.done, did = append(w.done, ps...), "import"
		case op == 6 && len(w.done) > 0:
			// A completed protocol is final: neither edit nor delete touches it.
			p := w.done[rng.IntN(len(w.done))]
			q := random(w, clientOf(w, p))
			q.ID = p.ID
			wantCode(t, staff.UpdateProtocol(ctx, q), domain.ECONFLICT)
			wantCode(t, staff.DeleteProtocol(ctx, p.ID), domain.ECONFLICT)
			did = "refused"
		default:
			db.Clock.Advance(time.Duration(rng.IntN(90)) * 24 * time.Hour)
			did = "clock"
		}
		drift, err := db.Store.SiteMaterialsDrift(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if drift != "" {
			t.Fatalf("step %d (%s): site_materials differs from the protocols:\n%s", step, did, drift)
		}
		if drift, err = db.Store.SiteProtocolsDrift(ctx); err != nil || drift != "" {
			t.Fatalf("step %d (%s): site_protocols differs from the protocols (%v):\n%s", step, did, err, drift)
		}
		for _, w := range worlds {
			for _, scope := range w.scopes {
				sites := []int64{0}
				for _, c := range w.sites {
					sites = append(sites, c[0].ID, c[1].ID)
				}
				for _, site := range sites {
					view := db.Store.Portal(scope)
					got, err := view.PortalMaterialIDs(ctx, site)
					if err != nil {
						t.Fatal(err)
					}
					want, err := view.DirectMaterialIDs(ctx, site)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, want) {
						t.Fatalf("step %d (%s): user %d at site %d sees materials %v, protocols say %v",
							step, did, scope.PortalUserID(), site, got, want)
					}
				}
				view := db.Store.Portal(scope)
				// The protocol list's totals, summed from site_protocols, for
				// every client and site filter, including ones outside the scope.
				filters := []store.ProtocolFilter{{}}
				for _, c := range w.sites {
					filters = append(filters, store.ProtocolFilter{ClientID: c[0].ClientID}, store.ProtocolFilter{SiteID: c[1].ID},
						store.ProtocolFilter{ClientID: c[0].ClientID, SiteID: c[0].ID})
				}
				for _, f := range filters {
					_, info, err := view.PortalProtocols(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					want, err := view.DirectProtocolTotal(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if info.Total != want {
						t.Fatalf("step %d (%s): user %d's protocol list (client %d, site %d) says %d protocols, the protocols say %d",
							step, did, scope.PortalUserID(), f.ClientID, f.SiteID, info.Total, want)
					}
				}
				got, err := view.PortalSummaries(ctx)
				if err != nil {
					t.Fatal(err)
				}
				want, err := view.DirectSummaries(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("step %d (%s): user %d's dashboard counts %v, protocols say %v",
						step, did, scope.PortalUserID(), got, want)
				}
			}
		}
	}
	// The sequences reached the cases that matter: some materials shown, some not.
	var shown, hidden int
	for _, w := range worlds {
		for _, scope := range w.scopes {
			ids, err := db.Store.Portal(scope).PortalMaterialIDs(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			shown += len(ids)
			hidden += len(w.mats) - len(ids)
		}
	}
	if shown == 0 || hidden == 0 {
		t.Fatalf("degenerate run: %d materials shown, %d hidden", shown, hidden)
	}
}

// TestSiteMaterialsMigration: migration 0011 fills site_materials from the
// protocols already there — completed ones only, the latest use per site and
// material — on both engines. The table is dropped and the migration run again
// over protocols written before it.
func TestSiteMaterialsMigration(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn := db.Tenant(t, "")
		c := db.Client(t, tn, "Alfa")
		north, south := db.Site(t, tn, c, "North", "Košice"), db.Site(t, tn, c, "South", "Žilina")
		bait, gel := material(t, db, tn, "Bait"), material(t, db, tn, "Gel")
		now := db.Store.Now()
		protocolAt(t, db, tn, north, now.AddDate(0, -1, 0), true, bait, gel)
		protocolAt(t, db, tn, north, now.AddDate(0, -2, 0), true, bait)
		protocolAt(t, db, tn, north, now, false, gel) // a draft: no use
		protocolAt(t, db, tn, south, now.AddDate(-3, 0, 0), true, gel)

		raw := openRaw(t, db)
		for _, stmt := range []string{"DROP TABLE site_materials", "DELETE FROM schema_migrations WHERE version = 11"} {
			if _, err := raw.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := db.Store.Migrate(ctx); err != nil || n != 1 {
			t.Fatalf("Migrate = %d, %v; want 1", n, err)
		}
		if drift, err := db.Store.SiteMaterialsDrift(ctx); err != nil || drift != "" {
			t.Fatalf("after the migration site_materials differs from the protocols (%v):\n%s", err, drift)
		}
		var rows int
		if err := raw.QueryRowContext(ctx, "SELECT COUNT(*) FROM site_materials").Scan(&rows); err != nil || rows != 3 {
			t.Fatalf("site_materials has %d rows (%v), want 3: bait and gel at North, gel at South", rows, err)
		}
		// The portal shows what the protocols say: at South only a use older
		// than SDSMonths, so nothing.
		view := db.Store.Portal(access.NewScope(tn.Company.ID, 1, []access.ClientAccess{{ClientID: c.ID, AllSites: true}}))
		for site, want := range map[int64][]int64{0: {bait.ID, gel.ID}, north.ID: {bait.ID, gel.ID}, south.ID: nil} {
			got, err := view.PortalMaterialIDs(ctx, site)
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("materials at site %d = %v (%v), want %v", site, got, err, want)
			}
		}
	})
}

// TestSiteProtocolsMigration: migration 0014 fills site_protocols from the
// protocols already there — completed ones only, counted per site with the
// latest date — on both engines. The table is dropped and the migration run
// again over protocols written before it.
func TestSiteProtocolsMigration(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn := db.Tenant(t, "")
		c := db.Client(t, tn, "Alfa")
		north, south := db.Site(t, tn, c, "North", "Košice"), db.Site(t, tn, c, "South", "Žilina")
		bait := material(t, db, tn, "Bait")
		now := db.Store.Now()
		protocolAt(t, db, tn, north, now.AddDate(0, -1, 0), true, bait)
		protocolAt(t, db, tn, north, now.AddDate(0, -2, 0), true)
		protocolAt(t, db, tn, north, now, false, bait) // a draft: not counted
		protocolAt(t, db, tn, south, now.AddDate(-3, 0, 0), true)

		raw := openRaw(t, db)
		for _, stmt := range []string{"DROP TABLE site_protocols", "DELETE FROM schema_migrations WHERE version = 14"} {
			if _, err := raw.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := db.Store.Migrate(ctx); err != nil || n != 1 {
			t.Fatalf("Migrate = %d, %v; want 1", n, err)
		}
		if drift, err := db.Store.SiteProtocolsDrift(ctx); err != nil || drift != "" {
			t.Fatalf("after the migration site_protocols differs from the protocols (%v):\n%s", err, drift)
		}
		var rows, total int
		if err := raw.QueryRowContext(ctx, "SELECT COUNT(*), SUM(completed) FROM site_protocols").Scan(&rows, &total); err != nil || rows != 2 || total != 3 {
			t.Fatalf("site_protocols has %d rows counting %d (%v), want 2 rows counting 3", rows, total, err)
		}
		sums, err := db.Store.Portal(access.NewScope(tn.Company.ID, 1, []access.ClientAccess{{ClientID: c.ID, AllSites: true}})).PortalSummaries(ctx)
		if err != nil || len(sums) != 1 || sums[0].ProtocolCount != 3 || !sums[0].LastProtocolAt.Equal(now.AddDate(0, -1, 0).Truncate(time.Microsecond)) {
			t.Fatalf("summaries = %+v (%v), want 3 protocols, the latest a month ago", sums, err)
		}
	})
}
