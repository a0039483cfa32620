package store_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"portico/internal/store"
	"portico/internal/testenv"
)

func TestBackup(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		acme := db.Tenant(t, "acme")
		c := db.Client(t, acme, "Nové Zámky Deratizácia")
		db.Site(t, acme, c, "Sklad", "Žilina")
		dir := t.TempDir()

		if db.Engine == "postgres" {
			err := db.Store.Backup(ctx, filepath.Join(dir, "copy.db"))
			if err == nil || !strings.Contains(err.Error(), "pg_dump") {
				t.Fatalf("Backup on PostgreSQL = %v, want a refusal pointing to pg_dump", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "copy.db")); !os.IsNotExist(err) {
				t.Fatalf("Backup on PostgreSQL left a file: %v", err)
			}
			return
		}

		path := filepath.Join(dir, "copy.db")
		if err := db.Store.Backup(ctx, path); err != nil {
			t.Fatal(err)
		}
		// Writes after the backup are not in it.
		db.Client(t, acme, "Later")

		copied := openStore(t, "sqlite:"+path)
		if n, err := copied.Migrate(ctx); err != nil || n != 0 {
			t.Fatalf("Migrate on the copy = %d, %v; want 0 (the copy has the schema)", n, err)
		}
		co, err := copied.CompanyBySlug(ctx, "acme")
		if err != nil || co.ID != acme.Company.ID {
			t.Fatalf("company in the copy: %+v, %v", co, err)
		}
		list, info, err := copied.Staff(acme.Staff).Clients(ctx, store.ClientFilter{Query: "zamky"})
		if err != nil || info.Total != 1 || list[0].Name != "Nové Zámky Deratizácia" || list[0].SiteCount != 1 {
			t.Fatalf("clients in the copy: %v, %+v, %v", clientNames(list), info, err)
		}
		if _, info, _ := copied.Staff(acme.Staff).Clients(ctx, store.ClientFilter{}); info.Total != 1 {
			t.Fatalf("the copy has %d clients, want 1", info.Total)
		}
		if _, hash, err := copied.StaffCredentials(ctx, acme.Company.ID, "admin@acme.test"); err != nil || hash == "" {
			t.Fatalf("administrator in the copy: %q, %v", hash, err)
		}

		for _, tc := range []struct {
			name string
			path string
		}{
			{"existing file", path},
			{"quote in the path", filepath.Join(dir, "it's.db")},
			{"missing directory", filepath.Join(dir, "no", "such", "dir", "copy.db")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := db.Store.Backup(ctx, tc.path); err == nil {
					t.Fatalf("Backup(%q) succeeded", tc.path)
				}
			})
		}
		// The refused backup over the existing copy left it intact.
		if _, err := copied.Staff(acme.Staff).Client(ctx, c.ID); err != nil {
			t.Fatalf("the copy was damaged: %v", err)
		}
		if err := copied.Ping(ctx); err != nil {
			t.Fatalf("the copy does not answer: %v", err)
		}
	})
}
