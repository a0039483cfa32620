package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"portico/internal/store"
	"portico/internal/testenv"
)

func TestStoreBasics(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		if got := db.Store.Dialect(); got != db.Engine {
			t.Errorf("Dialect = %q, want %q", got, db.Engine)
		}
		if err := db.Store.Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}

		// Now reads the configured clock, in UTC.
		before := db.Store.Now()
		if before.Location() != time.UTC {
			t.Errorf("Now is in %v, want UTC", before.Location())
		}
		db.Clock.Advance(48 * time.Hour)
		if d := db.Store.Now().Sub(before); d < 48*time.Hour || d > 49*time.Hour {
			t.Errorf("after advancing the clock 48h, Now moved %v", d)
		}

		// A second store on the same database sees the same data; once closed it
		// answers no more.
		tn := db.Tenant(t, "")
		other, err := store.Open(t.Context(), store.Config{URL: db.URL})
		if err != nil {
			t.Fatal(err)
		}
		if c, err := other.Company(t.Context(), tn.Company.ID); err != nil || c.Slug != tn.Company.Slug {
			t.Fatalf("second store: Company = %+v, %v", c, err)
		}
		if err := other.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := other.Ping(t.Context()); err == nil {
			t.Fatal("Ping after Close succeeded")
		}
	})
}

func TestOpenFails(t *testing.T) {
	t.Parallel()
	blocker := filepath.Join(t.TempDir(), "not-a-directory")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		url  string
	}{
		{"empty SQLite path", "sqlite:"},
		{"SQLite directory cannot be created", "sqlite:" + filepath.Join(blocker, "data", "portico.db")},
		{"PostgreSQL that does not answer", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			st, err := store.Open(ctx, store.Config{URL: tc.url})
			if err == nil {
				st.Close()
				t.Fatalf("Open(%q) succeeded", tc.url)
			}
		})
	}
}
