package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// TestPortalProtocolPlans: the portal's protocol list and its count find a
// user's protocols through the (company, client, status, date, id) index on both
// engines — never by scanning protocols, nor from every site of the tenant — for
// a user of one company, of three, of twenty, and one restricted to a site, and
// so does the API's keyset page (the rows after a protocol's key); the
// Documents page's materials come from the index of materials used per site, and
// the dashboard's counts from the kept counts per site.
func TestPortalProtocolPlans(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn := db.Tenant(t, "")
		staff := db.Store.Staff(tn.Staff)
		const clients, perClient = 400, 25
		cs := make([]store.ClientImport, clients)
		for i := range cs {
			cs[i] = store.ClientImport{
				Client: &domain.Client{Name: fmt.Sprintf("Client %03d", i), City: "Bratislava"},
				Sites:  []*domain.Site{{Name: "North", City: "Košice"}, {Name: "South", City: "Žilina"}},
			}
		}
		if err := staff.ImportClients(ctx, cs); err != nil {
			t.Fatal(err)
		}
		var mats []*domain.Material
		// Every client uses each of 20 materials at one site or both, as in the
		// benchmark: site_materials has 40 rows per client.
		for i := range 20 {
			m := &domain.Material{Name: fmt.Sprintf("Material %d", i), Unit: "g"}
			if err := staff.CreateMaterial(ctx, m); err != nil {
				t.Fatal(err)
			}
			mats = append(mats, m)
		}
		now := db.Store.Now()
		var ps []*domain.Protocol
		for i := range clients * perClient {
			c := cs[i%clients]
			ps = append(ps, &domain.Protocol{ClientID: c.Client.ID, SiteID: c.Sites[i%3%2].ID,
				PerformedAt: now.Add(-time.Duration(i) * time.Hour), ServiceType: "Rodent control",
				Materials: []domain.ProtocolMaterial{{MaterialID: mats[i/clients%20].ID, Quantity: 10, Unit: "g"}}})
		}
		if err := staff.ImportProtocols(ctx, ps); err != nil {
			t.Fatal(err)
		}
		if err := db.Store.Analyze(ctx); err != nil {
			t.Fatal(err)
		}
		grants := func(n int) []access.ClientAccess {
			var g []access.ClientAccess
			for _, c := range cs[:n] {
				g = append(g, access.ClientAccess{ClientID: c.Client.ID, AllSites: true})
			}
			return g
		}
		restricted := append(grants(2), access.ClientAccess{ClientID: cs[7].Client.ID, SiteIDs: []int64{cs[7].Sites[0].ID}})
		for _, tc := range []struct {
			name   string
			grants []access.ClientAccess
			page   int
			site   bool // the scope's one site may be read through protocols_site
			many   bool // PostgreSQL may page by walking protocols_date backwards
			keyset bool // the API's page: the rows after a protocol's key
		}{
			{"one company", grants(1), 1, false, false, false},
			{"three companies", grants(3), 1, false, false, false},
			{"three companies, page 3", grants(3), 3, false, false, false},
			{"twenty companies", grants(20), 1, false, true, false},
			{"twenty companies, page 3", grants(20), 3, false, true, false},
			{"restricted to a site", restricted, 1, true, false, false},
			{"one company, keyset", grants(1), 1, false, false, true},
			{"three companies, keyset", grants(3), 1, false, false, true},
			{"twenty companies, keyset", grants(20), 1, false, true, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				view := db.Store.Portal(access.NewScope(tn.Company.ID, 1, tc.grants))
				opts := domain.ListOptions{Page: tc.page}
				if tc.keyset {
					// After the first client's 11th newest protocol.
					p := ps[clients*10]
					opts = domain.ListOptions{Keyset: true, After: []any{p.PerformedAt.UnixMicro(), p.ID}}
				}
				// The count with dates (without, it is summed from site_protocols).
				count, page, err := view.ExplainProtocols(ctx, store.ProtocolFilter{ListOptions: opts})
				if err != nil {
					t.Fatal(err)
				}
				for _, plan := range []struct{ name, text string }{{"count", count}, {"page", page}} {
					// Many companies' newest protocols are also found, and already in
					// order, by walking the tenant's date index backwards until the page
					// is full: PostgreSQL's costs may prefer that for the page.
					ordered := db.Engine == "postgres" && tc.many && plan.name == "page" && usesIndex(db.Engine, plan.text, "protocols_date")
					if !usesIndex(db.Engine, plan.text, "protocols_client_recent") && !ordered {
						t.Errorf("%s does not use protocols_client_recent:\n%s", plan.name, plan.text)
					}
					if scansProtocols(db.Engine, plan.text) {
						t.Errorf("%s scans protocols:\n%s", plan.name, plan.text)
					}
					if !tc.site && usesIndex(db.Engine, plan.text, "protocols_site") {
						t.Errorf("%s reads protocols site by site:\n%s", plan.name, plan.text)
					}
				}
				// The materials of the scope's recent protocols: read from the summary
				// of materials used per site by its index, never from the protocols.
				mats, err := view.ExplainMaterials(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !usesIndex(db.Engine, mats, "site_materials_recent") && !usesIndex(db.Engine, mats, "site_materials_pkey") ||
					strings.Contains(mats, "protocol") || scansSiteMaterials(db.Engine, mats) {
					t.Errorf("materials are not read from site_materials by index:\n%s", mats)
				}
				// The dashboard's counts are summed from the kept per-site counts
				// by their key, never counted from the protocols. (A twentieth of
				// this test's 800 rows is cheaper for PostgreSQL to read whole.)
				sums, err := view.ExplainSummaries(ctx)
				if err != nil {
					t.Fatal(err)
				}
				whole := db.Engine == "postgres" && tc.many
				if !whole && (!usesIndex(db.Engine, sums, "site_protocols_pkey") && !usesIndex(db.Engine, sums, "sqlite_autoindex_site_protocols_1") ||
					scansSiteProtocols(db.Engine, sums)) ||
					strings.Contains(sums, "protocols p") || strings.Contains(sums, `"Relation Name":"protocols"`) {
					t.Errorf("dashboard counts are not read from site_protocols by its key:\n%s", sums)
				}
				// The header's companies are found by their ids, not by walking
				// the tenant's clients in name order (400 here).
				names, err := view.ExplainClientNames(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if usesIndex(db.Engine, names, "clients_company_name") ||
					db.Engine == "sqlite" && !strings.Contains(names, "INTEGER PRIMARY KEY") {
					t.Errorf("the header's companies are not read by their ids:\n%s", names)
				}
				// The documents the scope sees: the safety data sheets by
				// material and the client documents by client, each by its
				// index, a document's sites by its key — never every portal
				// document of the tenant.
				docs, err := view.ExplainDocuments(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if usesIndex(db.Engine, docs, "documents_company") || db.Engine == "sqlite" &&
					(!usesIndex(db.Engine, docs, "documents_material") || !usesIndex(db.Engine, docs, "documents_client") ||
						usesIndex(db.Engine, docs, "document_sites_site") || strings.Contains(docs, "SCAN")) {
					t.Errorf("the portal's documents are not read by material and client:\n%s", docs)
				}
				// So is the protocol list's total when it has no dates.
				kept, err := view.ExplainKeptCount(ctx, store.ProtocolFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if !whole && (!usesIndex(db.Engine, kept, "site_protocols_pkey") && !usesIndex(db.Engine, kept, "sqlite_autoindex_site_protocols_1") ||
					scansSiteProtocols(db.Engine, kept)) ||
					strings.Contains(kept, "protocols p") || strings.Contains(kept, `"Relation Name":"protocols"`) {
					t.Errorf("the protocol list's total is not read from site_protocols by its key:\n%s", kept)
				}
				list, info, err := view.PortalProtocols(ctx, store.ProtocolFilter{ListOptions: opts})
				if err != nil || len(list) == 0 || info.Total == 0 && !tc.keyset {
					t.Fatalf("PortalProtocols: %d rows of %d, %v", len(list), info.Total, err)
				}
				if tc.keyset && !list[0].PerformedAt.Before(ps[clients*10].PerformedAt) {
					t.Fatalf("the keyset page starts at %v, not after the key's %v", list[0].PerformedAt, ps[clients*10].PerformedAt)
				}
			})
		}
	})
}

// usesIndex reports whether the plan (EXPLAIN QUERY PLAN lines on SQLite, JSON
// on PostgreSQL) reads the index.
func usesIndex(engine, plan, index string) bool {
	if engine == "postgres" {
		return strings.Contains(plan, `"Index Name":"`+index+`"`)
	}
	return strings.Contains(plan, "INDEX "+index+" ")
}

// scansProtocols reports whether the plan reads all of protocols (or, on
// SQLite, all of sites, to find protocols from each).
func scansProtocols(engine, plan string) bool {
	if engine == "postgres" {
		return strings.Contains(plan, `"Seq Scan"`)
	}
	for line := range strings.SplitSeq(plan, "\n") {
		if line == "SCAN p" || strings.HasPrefix(line, "SCAN p ") || strings.HasPrefix(line, "SCAN st") ||
			strings.HasPrefix(line, "SEARCH st") && strings.HasSuffix(line, "(company_id=?)") {
			return true
		}
	}
	return false
}

// scansSiteMaterials reports whether the plan reads all of site_materials.
func scansSiteMaterials(engine, plan string) bool {
	if engine == "postgres" {
		return strings.Contains(plan, `"Seq Scan"`)
	}
	for line := range strings.SplitSeq(plan, "\n") {
		if strings.HasPrefix(line, "SCAN sm") {
			return true
		}
	}
	return false
}

// scansSiteProtocols reports whether the plan reads all of site_protocols.
func scansSiteProtocols(engine, plan string) bool {
	if engine == "postgres" {
		return strings.Contains(plan, `"Seq Scan"`)
	}
	for line := range strings.SplitSeq(plan, "\n") {
		if strings.HasPrefix(line, "SCAN sp") {
			return true
		}
	}
	return false
}
