package store_test

import (
	"fmt"
	"sync"
	"testing"

	"portico/internal/testenv"
)

// TestKeptStatements: on SQLite the read pool keeps the statements it prepared,
// at most as many as its bound; many goroutines asking more distinct queries
// than that at once, so that statements are pushed out while others use them,
// all get their right answers. PostgreSQL's driver keeps its own, so the pool
// keeps none there, and answers the same.
func TestKeptStatements(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		const bound = 4
		db.Store.ShrinkStatementCache(bound)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for g := range 16 {
			wg.Go(func() {
				for i := range 200 {
					n := (g + i) % 10 // ten distinct texts for a bound of four
					var got int
					q := fmt.Sprintf("SELECT %d + 1", n)
					if err := db.Store.QueryIntForTest(t.Context(), q, &got); err != nil {
						errs <- err
						return
					}
					if got != n+1 {
						errs <- fmt.Errorf("%s = %d, want %d", q, got, n+1)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		kept := db.Store.KeptStatements()
		switch db.Store.Dialect() {
		case "sqlite":
			if kept != bound {
				t.Errorf("SQLite keeps %d statements, want the bound %d", kept, bound)
			}
		default:
			if kept != 0 {
				t.Errorf("%s keeps %d statements, want none", db.Store.Dialect(), kept)
			}
		}
	})
}
