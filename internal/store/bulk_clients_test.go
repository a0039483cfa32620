package store_test

import (
	"fmt"
	"testing"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// TestImportClients specifies the bulk import of clients with their sites: every
// row gets its own id across several multi-row statements, the rows belong to the
// importing tenant only, a bad row or a missing permission stores nothing.
func TestImportClients(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn, other := db.Tenant(t, "acme"), db.Tenant(t, "other")
		// More rows than one INSERT carries (400), so that ids must line up across statements.
		var in []store.ClientImport
		for i := range 450 {
			in = append(in, store.ClientImport{Client: &domain.Client{Name: fmt.Sprintf("Client %03d", i), City: "Košice"},
				Sites: []*domain.Site{{Name: fmt.Sprintf("North %03d", i), City: "Košice"}, {Name: fmt.Sprintf("South %03d", i), City: "Žilina"}}})
		}
		if err := db.Store.Staff(tn.Staff).ImportClients(ctx, in); err != nil {
			t.Fatalf("ImportClients: %v", err)
		}
		for _, ci := range in {
			c, err := db.Store.Staff(tn.Staff).Client(ctx, ci.Client.ID)
			if err != nil || c.Name != ci.Client.Name || c.SiteCount != 2 {
				t.Fatalf("Client(%d) = %+v, %v; want %q with 2 sites", ci.Client.ID, c, err, ci.Client.Name)
			}
			sites, err := db.Store.Staff(tn.Staff).Sites(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]string{}
			for _, s := range sites {
				got[s.ID] = s.Name
			}
			for _, s := range ci.Sites {
				if got[s.ID] != s.Name || s.ClientID != c.ID {
					t.Fatalf("site %d of %s: stored %q, want %q (client %d)", s.ID, c.Name, got[s.ID], s.Name, s.ClientID)
				}
			}
			if _, err := db.Store.Staff(other.Staff).Client(ctx, c.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("another tenant reads client %d: %v, want ENOTFOUND", c.ID, err)
			}
		}
		if _, info, err := db.Store.Staff(tn.Staff).Clients(ctx, store.ClientFilter{Query: "košice"}); err != nil || info.Total != 450 {
			t.Fatalf("search finds %d imported clients (%v), want 450", info.Total, err)
		}

		count := func() int {
			_, info, err := db.Store.Staff(tn.Staff).Clients(ctx, store.ClientFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return info.Total
		}
		bad := []store.ClientImport{{Client: &domain.Client{Name: "Fine"}}, {Client: &domain.Client{Name: "Bad site"}, Sites: []*domain.Site{{Name: "", City: "Nitra"}}}}
		if err := db.Store.Staff(tn.Staff).ImportClients(ctx, bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("a site without a name: %v, want EINVALID", err)
		}
		reader := access.NewStaff(db.StaffUser(t, tn, "reader@acme.test"))
		if err := db.Store.Staff(reader).ImportClients(ctx, []store.ClientImport{{Client: &domain.Client{Name: "Sneaky"}}}); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("without clients.manage: %v, want EFORBIDDEN", err)
		}
		if n := count(); n != 450 {
			t.Errorf("%d clients after the refused imports, want 450", n)
		}
	})
}
