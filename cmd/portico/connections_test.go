package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestSteadyLoadOpensNoConnections runs three `portico serve` processes on one
// PostgreSQL database, as behind a load balancer, and drives each with 32
// concurrent portal page requests: after a warm-up that fills their pools, a
// steady phase of the same load must open no new backend connection — a pool
// that closes idle connections it will need again makes PostgreSQL fork a
// backend for each.
func TestSteadyLoadOpensNoConnections(t *testing.T) {
	f := newField(t, 3)
	ctx := context.Background()
	// One monitoring connection, opened before anything is counted.
	mon, err := pgx.Connect(ctx, f.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer mon.Close(ctx)

	pages := []string{"/portal/acme/", "/portal/acme/protocols", "/portal/acme/documents",
		fmt.Sprintf("/portal/acme/projects/%d", f.sw.ProjectID)}
	clients := make([]*http.Client, len(f.procs))
	for i, p := range f.procs {
		clients[i] = p.signIn(t, "acme", f.email).HTTP()
	}
	load := func(d time.Duration) (requests int64) {
		t.Helper()
		var (
			wg    sync.WaitGroup
			n     atomic.Int64
			first atomic.Value
		)
		stop := time.Now().Add(d)
		for i, p := range f.procs {
			for w := range 32 {
				wg.Go(func() {
					for k := w; time.Now().Before(stop); k++ {
						resp, err := clients[i].Get(p.URL() + pages[k%len(pages)])
						if err != nil {
							first.CompareAndSwap(nil, err.Error())
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							first.CompareAndSwap(nil, fmt.Sprintf("%s: status %d", pages[k%len(pages)], resp.StatusCode))
							return
						}
						n.Add(1)
					}
				})
			}
		}
		wg.Wait()
		if msg := first.Load(); msg != nil {
			t.Fatalf("load: %v", msg)
		}
		return n.Load()
	}
	// sessions is how many backends the database has ever had, with every
	// backend's pending statistics flushed: PostgreSQL flushes them at most once a
	// second, and at once when a backend exits.
	sessions := func() int64 {
		t.Helper()
		time.Sleep(1500 * time.Millisecond)
		if _, err := mon.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := mon.QueryRow(ctx, "SELECT sessions FROM pg_stat_database WHERE datname = current_database()").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	backends := func() int64 {
		t.Helper()
		var n int64
		if err := mon.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	load(3 * time.Second) // warm-up: every pool opens what the load needs
	before, open := sessions(), backends()
	served := load(5 * time.Second)
	after := sessions()
	t.Logf("steady phase: %d pages served by 3 processes, %d backends open, %d opened", served, open, after-before)
	if served == 0 {
		t.Fatal("no page was served in the steady phase")
	}
	if after != before {
		t.Errorf("steady load opened %d new backend connections (before %d, after %d); want 0", after-before, before, after)
	}
	if now := backends(); now != open {
		t.Errorf("backends open: %d after the steady phase, %d before; want the same", now, open)
	}
}
