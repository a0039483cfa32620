package store_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// Of many simultaneous submissions of one link, exactly one wins.
func TestConcurrentRedeem(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		acme := db.Tenant(t, "acme")
		const goroutines = 50
		for round := range 3 {
			u := db.StaffUser(t, acme, fmt.Sprintf("race%d@acme.test", round))
			token := fmt.Sprint("race-", round)
			if err := db.Store.CreateStaffToken(t.Context(), acme.Company.ID, u.ID, store.PurposeReset, token, time.Hour); err != nil {
				t.Fatal(err)
			}
			var wins, losses atomic.Int64
			winner := make(chan string, goroutines)
			errs := make(chan error, goroutines)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					<-start
					hash := fmt.Sprint("hash-", g)
					got, err := db.Store.RedeemStaffToken(t.Context(), token, store.PurposeReset, hash)
					switch domain.ErrorCode(err) {
					case "":
						wins.Add(1)
						winner <- hash
						if got.ID != u.ID {
							errs <- fmt.Errorf("redeemed for user %d, want %d", got.ID, u.ID)
						}
					case domain.ENOTFOUND:
						losses.Add(1)
					default:
						errs <- err
					}
				})
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("round %d: unexpected error: %v", round, err)
			}
			if wins.Load() != 1 || losses.Load() != goroutines-1 {
				t.Fatalf("round %d: %d wins and %d losses, want 1 and %d", round, wins.Load(), losses.Load(), goroutines-1)
			}
			// The winner's password is the one stored.
			_, hash, err := db.Store.StaffCredentials(t.Context(), acme.Company.ID, u.Email)
			if want := <-winner; err != nil || hash != want {
				t.Fatalf("round %d: stored hash %q, %v; the winner set %q", round, hash, err, want)
			}
		}
	})
}

// Many writers at once on one store: every write succeeds (no "database is
// locked" on SQLite, whose single writer connection makes writers queue) and
// every successful write is in the database exactly once.
func TestConcurrentWrites(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		duration := 3 * time.Second // SQLite's writer is what this is about
		if db.Engine == "postgres" {
			duration = time.Second
		}
		ctx := t.Context()
		acme := db.Tenant(t, "acme")
		staff := member(t, db, acme, "writer@acme.test", access.ClientsManage)
		// A few clients every goroutine updates, so that writers collide on rows.
		var shared []*domain.Client
		for i := range 5 {
			shared = append(shared, db.Client(t, acme, fmt.Sprintf("Shared %d", i)))
		}
		_, auditInfo, err := db.Store.Staff(acme.Staff).AuditLog(ctx, domain.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}

		const goroutines = 50
		type result struct {
			sites   map[int64]int // client id → sites created
			clients int
			updates int
			reads   int
			err     error
		}
		results := make([]result, goroutines)
		deadline := time.Now().Add(duration)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				r := &results[g]
				r.sites = map[int64]int{}
				rng := rand.New(rand.NewPCG(uint64(g), 7))
				var own []int64
				<-start
				for i := 0; time.Now().Before(deadline); i++ {
					var err error
					switch op := rng.IntN(4); {
					case op == 0 || len(own) == 0:
						c := &domain.Client{Name: fmt.Sprintf("G%02d client %d", g, i), City: "Košice", Email: fmt.Sprintf("g%d.%d@acme.test", g, i)}
						if err = db.Store.Staff(staff).CreateClient(ctx, c); err == nil {
							own = append(own, c.ID)
							r.clients++
						}
					case op == 1:
						target := shared[rng.IntN(len(shared))]
						c := &domain.Client{ID: target.ID, Name: target.Name, City: fmt.Sprintf("Žilina %d/%d", g, i), Phone: fmt.Sprint(i)}
						if err = db.Store.Staff(staff).UpdateClient(ctx, c); err == nil {
							r.updates++
						}
					case op == 2:
						id := own[rng.IntN(len(own))]
						if err = db.Store.Staff(staff).CreateSite(ctx, &domain.Site{ClientID: id, Name: fmt.Sprint("Site ", i), City: "Nitra"}); err == nil {
							r.sites[id]++
						}
					default:
						id := own[rng.IntN(len(own))]
						var c *domain.Client
						if c, err = db.Store.Staff(staff).Client(ctx, id); err == nil {
							if c.SiteCount != r.sites[id] {
								err = fmt.Errorf("client %d: read %d sites, wrote %d", id, c.SiteCount, r.sites[id])
							}
							r.reads++
						}
					}
					if err != nil {
						r.err = fmt.Errorf("goroutine %d, step %d: %w", g, i, err)
						return
					}
				}
			})
		}
		close(start)
		wg.Wait()

		var clients, sites, updates, reads int
		wantSites := map[int64]int{}
		for _, r := range results {
			if r.err != nil {
				t.Errorf("%v", r.err)
			}
			clients += r.clients
			updates += r.updates
			reads += r.reads
			for id, n := range r.sites {
				wantSites[id] = n
				sites += n
			}
		}
		if t.Failed() {
			t.FailNow()
		}
		t.Logf("%s: %d clients, %d sites, %d updates, %d reads in %v", db.Engine, clients, sites, updates, reads, duration)
		if clients == 0 || sites == 0 || updates == 0 || reads == 0 {
			t.Fatalf("the mix did not run: %d clients, %d sites, %d updates, %d reads", clients, sites, updates, reads)
		}

		// Every successful write is there, once.
		gotSites := map[int64]int{}
		total := 0
		for page := 1; ; page++ {
			list, info, err := db.Store.Staff(staff).Clients(ctx, store.ClientFilter{ListOptions: domain.ListOptions{Page: page, PerPage: 100}})
			if err != nil {
				t.Fatal(err)
			}
			total = info.Total
			for _, c := range list {
				if c.SiteCount > 0 {
					gotSites[c.ID] = c.SiteCount
				}
			}
			if !info.HasNext() {
				break
			}
		}
		if total != len(shared)+clients {
			t.Errorf("%d clients stored, want %d shared + %d created", total, len(shared), clients)
		}
		if len(gotSites) != len(wantSites) {
			t.Errorf("%d clients have sites, want %d", len(gotSites), len(wantSites))
		}
		for id, n := range wantSites {
			if gotSites[id] != n {
				t.Errorf("client %d has %d sites, want %d", id, gotSites[id], n)
			}
		}
		_, after, err := db.Store.Staff(acme.Staff).AuditLog(ctx, domain.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := after.Total-auditInfo.Total, clients+sites+updates; got != want {
			t.Errorf("%d audit entries written, want one per write: %d", got, want)
		}
	})
}
