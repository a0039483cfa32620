package web_test

import (
	"context"
	"flag"
	"testing"

	"pgregory.net/rapid"

	"portico/internal/store"
	"portico/internal/testenv"
)

// What the invitation mails count (store.PortalView.PortalContents) is what the
// portal shows: in random worlds, every user's counts of protocols, documents,
// sites, projects, switches, invoices and estimates equal the oracle's.
func TestPortalContentsRandomWorlds(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue {
		f.Value.Set("8")
		t.Cleanup(func() { f.Value.Set(f.DefValue) })
	}
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		checked := 0
		rapid.Check(t, func(rt *rapid.T) {
			w := srv.BuildWorld(t, testenv.GenWorld(rt))
			for ti, wt := range w.Tenants {
				spec := w.Spec.Tenants[ti]
				for ui, u := range wt.Users {
					var want store.PortalContents
					count := func(n *int, total int, sees func(i int) bool) {
						for i := range total {
							if sees(i) {
								*n++
							}
						}
					}
					count(&want.Protocols, len(wt.Protocols), func(i int) bool { return w.SeesProtocol(ti, ui, i) })
					count(&want.Documents, len(wt.Documents), func(i int) bool { return w.SeesDocument(ti, ui, i) })
					for ci := range wt.Clients {
						count(&want.Sites, len(wt.Sites[ci]), func(si int) bool { return w.SeesSite(ti, ui, ci, si) })
					}
					count(&want.Projects, len(spec.Billing.Projects), func(i int) bool { return w.SeesProject(ti, ui, i) })
					count(&want.Switches, len(spec.Switches.Switches), func(i int) bool { return w.SeesSwitch(ti, ui, i) })
					count(&want.Invoices, len(spec.Billing.Invoices), func(i int) bool { return w.SeesInvoice(ti, ui, i) })
					count(&want.Estimates, len(spec.Billing.Estimates), func(i int) bool { return w.SeesEstimate(ti, ui, i) })
					scope, err := testenv.PortalScope(context.Background(), db.Store, wt.Company.ID, u.ID)
					if err != nil {
						rt.Fatal(err)
					}
					got, err := db.Store.Portal(scope).PortalContents(context.Background())
					if err != nil {
						rt.Fatal(err)
					}
					if got != want {
						rt.Fatalf("tenant %d user %d %+v: contents %+v, the oracle says %+v", ti, ui, spec.Users[ui].Grants, got, want)
					}
					checked++
				}
			}
		})
		if checked == 0 {
			t.Fatalf("no user was checked")
		}
		t.Logf("%s: %d users' contents checked", db.Engine, checked)
	})
}
