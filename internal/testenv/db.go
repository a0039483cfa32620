package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"portico/internal/store"
)

var (
	mainRan bool
	pgOnce  sync.Once
	pg      *Postgres
	pgErr   error
)

// Main runs a package's tests and stops the PostgreSQL cluster afterwards, if one
// was started. Every package that uses EachDB calls it from TestMain.
func Main(m *testing.M) {
	mainRan = true
	code := m.Run()
	if pg != nil {
		if err := pg.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testenv: stopping PostgreSQL:", err)
		}
	}
	os.Exit(code)
}

// postgres returns the run's cluster, starting it on first use.
func postgres(t testing.TB) *Postgres {
	t.Helper()
	if !mainRan {
		t.Fatal("testenv: call testenv.Main(m) from TestMain, so that the PostgreSQL cluster is stopped")
	}
	pgOnce.Do(func() { pg, pgErr = StartPostgres() })
	if pgErr != nil {
		t.Fatalf("testenv: PostgreSQL is needed for this test and could not start: %v", pgErr)
	}
	return pg
}

// DB is a fresh, migrated database of one engine.
type DB struct {
	Engine string // "sqlite" or "postgres"
	URL    string
	Store  *store.Store
	Clock  *Clock
}

// Clock is a settable clock for the store. Its zero value reads the real time.
type Clock struct {
	mu  sync.Mutex
	set time.Time
	off time.Duration
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.set.IsZero() {
		return c.set
	}
	return time.Now().Add(c.off)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.set.IsZero() {
		c.set = c.set.Add(d)
		return
	}
	c.off += d
}

// EachDB runs fn as two subtests: on a fresh SQLite file and on a fresh PostgreSQL
// database. PostgreSQL is never optional: if it cannot start, the test fails.
func EachDB(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			fn(t, NewDB(t, engine))
		})
	}
}

// NewDB returns a fresh migrated database of the engine, closed when t ends.
func NewDB(t testing.TB, engine string) *DB {
	t.Helper()
	var url string
	switch engine {
	case "sqlite":
		url = "sqlite:" + filepath.Join(t.TempDir(), "portico.db")
	case "postgres":
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var err error
		url, err = postgres(t).CreateDatabase(ctx)
		if err != nil {
			t.Fatalf("testenv: create database: %v", err)
		}
	default:
		t.Fatalf("testenv: unknown engine %q", engine)
	}
	clock := &Clock{}
	st, err := store.Open(context.Background(), store.Config{URL: url, Now: clock.Now})
	if err != nil {
		t.Fatalf("testenv: open %s: %v", engine, err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("testenv: migrate %s: %v", engine, err)
	}
	return &DB{Engine: engine, URL: url, Store: st, Clock: clock}
}
