package store_test

import (
	"database/sql"
	"sync"
	"testing"

	"portico/internal/testenv"
)

// TestPoolKeepsConnections: under steady load that uses every connection the
// pool allows, at once and again and again, no connection is closed for being
// idle or old, so after the first burst no new one is opened.
func TestPoolKeepsConnections(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		pool := db.Store.ReadPool()
		n := pool.Stats().MaxOpenConnections
		if n < 2 {
			t.Fatalf("MaxOpenConnections = %d, want a pool", n)
		}
		burst := func() {
			t.Helper()
			var held, done sync.WaitGroup
			held.Add(n)
			release := make(chan struct{})
			errs := make(chan error, n)
			for range n {
				done.Go(func() {
					conn, err := pool.Conn(t.Context())
					held.Done()
					if err != nil {
						errs <- err
						return
					}
					defer conn.Close()
					<-release
					var one int
					if err := conn.QueryRowContext(t.Context(), "SELECT 1").Scan(&one); err != nil {
						errs <- err
					}
				})
			}
			held.Wait()
			close(release)
			done.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
		}
		burst() // warm-up: opens the pool's connections
		warm := pool.Stats()
		if warm.OpenConnections != n {
			t.Fatalf("after warm-up %d connections open, want %d", warm.OpenConnections, n)
		}
		for range 20 {
			burst()
		}
		got := pool.Stats()
		closed := func(s sql.DBStats) int64 { return s.MaxIdleClosed + s.MaxIdleTimeClosed + s.MaxLifetimeClosed }
		if closed(got) != 0 || got.OpenConnections != n {
			t.Fatalf("after steady load: %d open (want %d), closed idle %d, idle-time %d, lifetime %d (want 0)",
				got.OpenConnections, n, got.MaxIdleClosed, got.MaxIdleTimeClosed, got.MaxLifetimeClosed)
		}
	})
}
