package store_test

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// migrationCount is the number of embedded migrations, counted from the source tree.
func migrationCount(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	return len(files)
}

var freshSeq atomic.Int64

// freshURL returns the URL of a new, empty database of db's engine.
func freshURL(t *testing.T, db *testenv.DB) string {
	t.Helper()
	if db.Engine == "sqlite" {
		return "sqlite:" + filepath.Join(t.TempDir(), fmt.Sprintf("fresh%d.db", freshSeq.Add(1)))
	}
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("%s_fresh%d", strings.TrimPrefix(u.Path, "/"), freshSeq.Add(1))
	if _, err := openRaw(t, db).ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func openStore(t *testing.T, url string) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), store.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		all := migrationCount(t)

		t.Run("again applies nothing", func(t *testing.T) {
			for range 2 {
				n, err := db.Store.Migrate(t.Context())
				if err != nil || n != 0 {
					t.Fatalf("Migrate on a migrated database = %d, %v; want 0", n, err)
				}
			}
		})

		t.Run("a fresh database gets every migration once", func(t *testing.T) {
			st := openStore(t, freshURL(t, db))
			// Before migrating there are no tables.
			if _, err := st.CompanyBySlug(t.Context(), "x"); domain.ErrorCode(err) != domain.EINTERNAL {
				t.Fatalf("CompanyBySlug before Migrate: %v, want a database error", err)
			}
			n, err := st.Migrate(t.Context())
			if err != nil || n != all {
				t.Fatalf("Migrate = %d, %v; want %d", n, err, all)
			}
			if n, err := st.Migrate(t.Context()); err != nil || n != 0 {
				t.Fatalf("second Migrate = %d, %v; want 0", n, err)
			}
			c := &domain.Company{Slug: "fresh", Name: "Fresh"}
			if err := st.CreateCompany(t.Context(), c, &domain.StaffUser{Email: "a@fresh.test"}); err != nil {
				t.Fatalf("the migrated schema does not work: %v", err)
			}
		})

		// Several processes starting at once all migrate; the schema is built once.
		t.Run("concurrent migrations", func(t *testing.T) {
			for round := range 3 {
				u := freshURL(t, db)
				stores := []*store.Store{openStore(t, u), openStore(t, u), openStore(t, u)}
				applied := make([]int, len(stores))
				errs := make([]error, len(stores))
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i, st := range stores {
					wg.Go(func() {
						<-start
						applied[i], errs[i] = st.Migrate(t.Context())
					})
				}
				close(start)
				wg.Wait()
				total := 0
				for i := range stores {
					if errs[i] != nil {
						t.Fatalf("round %d: Migrate %d: %v", round, i, errs[i])
					}
					total += applied[i]
				}
				if total != all {
					t.Fatalf("round %d: migrations applied %v, %d in all; want %d in all", round, applied, total, all)
				}
				for i, st := range stores {
					c := &domain.Company{Slug: fmt.Sprintf("c%d", i), Name: "C"}
					if err := st.CreateCompany(t.Context(), c, &domain.StaffUser{Email: "a@c.test"}); err != nil {
						t.Fatalf("round %d: store %d after migrating: %v", round, i, err)
					}
				}
			}
		})
	})
}
