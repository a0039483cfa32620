package store_test

import (
	"strings"
	"testing"

	"portico/internal/testenv"
)

func TestCompanySites(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn := db.Tenant(t, "")
		other := db.Tenant(t, "")
		abc := db.Client(t, tn, "ABC s.r.o.")
		zeta := db.Client(t, tn, "Zeta")
		gone := db.Client(t, tn, "Archived one")
		db.Site(t, tn, zeta, "Žilina", "Žilina")
		db.Site(t, tn, abc, "Košice", "Košice")
		db.Site(t, tn, abc, "Bratislava", "Bratislava")
		db.Site(t, tn, gone, "Nitra", "Nitra")
		db.Site(t, other, db.Client(t, other, "Other"), "Elsewhere", "Trnava")
		if err := db.Store.Staff(tn.Staff).ArchiveClient(t.Context(), gone.ID, true); err != nil {
			t.Fatal(err)
		}
		sites, err := db.Store.Staff(tn.Staff).CompanySites(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range sites {
			got = append(got, s.Name)
		}
		if want := "Bratislava Košice Žilina"; strings.Join(got, " ") != want {
			t.Fatalf("CompanySites = %q, want %q (by client, then site; no archived client, no other tenant)", strings.Join(got, " "), want)
		}
	})
}
