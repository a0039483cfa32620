package store_test

import (
	"testing"
	"time"

	"portico/internal/testenv"
)

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		const window = 15 * time.Minute
		const ip, user, other = "ip:203.0.113.9", "staff:1:ana@acme.test", "ip:198.51.100.1"

		count := func(t *testing.T, key string, window time.Duration) int {
			t.Helper()
			n, err := db.Store.LoginFailures(ctx, key, window)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		record := func(t *testing.T, keys ...string) {
			t.Helper()
			if err := db.Store.RecordLoginFailure(ctx, keys...); err != nil {
				t.Fatal(err)
			}
		}

		// The steps share one clock and build on each other.
		for _, step := range []struct {
			name    string
			do      func(t *testing.T)
			advance time.Duration
			want    map[string]int // key → failures in the window
		}{
			{"nothing recorded", func(t *testing.T) {}, 0, map[string]int{ip: 0, user: 0, other: 0}},
			{"one failure counts under each key", func(t *testing.T) { record(t, ip, user) }, 0, map[string]int{ip: 1, user: 1, other: 0}},
			{"two more for the address", func(t *testing.T) { record(t, ip); record(t, ip) }, 0, map[string]int{ip: 3, user: 1, other: 0}},
			{"still inside the window", func(t *testing.T) {}, 10 * time.Minute, map[string]int{ip: 3, user: 1}},
			{"a later failure", func(t *testing.T) { record(t, ip) }, 0, map[string]int{ip: 4, user: 1}},
			{"the first ones leave the window", func(t *testing.T) {}, 6 * time.Minute, map[string]int{ip: 1, user: 0}},
			{"clearing forgets one key only", func(t *testing.T) {
				record(t, user, other)
				if err := db.Store.ClearLoginFailures(ctx, user); err != nil {
					t.Fatal(err)
				}
			}, 0, map[string]int{ip: 1, user: 0, other: 1}},
			{"clearing an unknown key is fine", func(t *testing.T) {
				if err := db.Store.ClearLoginFailures(ctx, "ip:unknown"); err != nil {
					t.Fatal(err)
				}
			}, 0, map[string]int{ip: 1, other: 1}},
			{"everything leaves the window", func(t *testing.T) {}, window + time.Second, map[string]int{ip: 0, user: 0, other: 0}},
		} {
			t.Run(step.name, func(t *testing.T) {
				step.do(t)
				db.Clock.Advance(step.advance)
				for key, want := range step.want {
					if got := count(t, key, window); got != want {
						t.Errorf("LoginFailures(%s) = %d, want %d", key, got, want)
					}
				}
			})
		}

		// Records older than a day are dropped at the next failure, so even a
		// two-day window no longer sees them.
		t.Run("records older than a day are dropped", func(t *testing.T) {
			record(t, "ip:old")
			db.Clock.Advance(25 * time.Hour)
			if got := count(t, "ip:old", 48*time.Hour); got != 1 {
				t.Fatalf("before cleanup: %d failures in 48h, want 1", got)
			}
			record(t, "ip:new")
			if got := count(t, "ip:old", 48*time.Hour); got != 0 {
				t.Fatalf("after cleanup: %d failures in 48h, want 0", got)
			}
			if got := count(t, "ip:new", 48*time.Hour); got != 1 {
				t.Fatalf("the new failure: %d, want 1", got)
			}
		})
	})
}
