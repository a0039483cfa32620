package main

import (
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// TestBenchFillAndLoad fills a small bench tenant on each engine, checks what each
// bench user may see, then serves it and drives every page with the load driver,
// which must finish with a table and no errors.
func TestBenchFillAndLoad(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		dir := t.TempDir()
		const clients, protocols = 8, 800
		fill := []string{"bench", "fill", "--data", dir, "--database", db.URL,
			"--clients", "8", "--protocols", "800", "--big-clients", "4"}
		out := mustRun(t, noEnv, fill...)
		for _, want := range []string{"one@bench.test", "typical@bench.test", "restricted@bench.test", "big@bench.test", "bench-password"} {
			if !strings.Contains(out, want) {
				t.Errorf("bench fill output lacks %q:\n%s", want, out)
			}
		}
		if again := mustRun(t, noEnv, fill...); !strings.Contains(again, "already filled") {
			t.Errorf("a second fill says %q, want that it is already filled", again)
		}

		company, err := db.Store.CompanyBySlug(ctx, "bench")
		if err != nil {
			t.Fatalf("CompanyBySlug(bench): %v", err)
		}
		for _, tc := range []struct {
			email     string
			clients   int
			oneSite   bool
			protocols int // completed protocols the user sees
		}{
			{"one@bench.test", 1, false, protocols / clients},
			{"typical@bench.test", 3, false, 3 * protocols / clients},
			// Two of every three visits are at the first site.
			{"restricted@bench.test", 1, true, 67},
			{"big@bench.test", 4, false, 4 * protocols / clients},
		} {
			t.Run(tc.email, func(t *testing.T) {
				u, _, err := db.Store.PortalCredentials(ctx, company.ID, tc.email)
				if err != nil {
					t.Fatalf("PortalCredentials: %v", err)
				}
				grants, err := db.Store.PortalGrants(ctx, company.ID, u.ID)
				if err != nil {
					t.Fatalf("PortalGrants: %v", err)
				}
				if len(grants) != tc.clients {
					t.Fatalf("%d clients, want %d", len(grants), tc.clients)
				}
				for _, g := range grants {
					if g.AllSites == tc.oneSite || tc.oneSite && len(g.SiteIDs) != 1 {
						t.Errorf("grant %+v, want one site: %v", g, tc.oneSite)
					}
				}
				view := db.Store.Portal(access.NewScope(company.ID, u.ID, grants))
				_, info, err := view.PortalProtocols(ctx, store.ProtocolFilter{ListOptions: domain.ListOptions{PerPage: 1}})
				if err != nil {
					t.Fatalf("Protocols: %v", err)
				}
				if info.Total != tc.protocols {
					t.Errorf("sees %d protocols, want %d", info.Total, tc.protocols)
				}
			})
		}

		addr := freeAddr(t)
		srv := start(t, noEnv, "serve", "--data", dir, "--database", db.URL, "--addr", addr)
		srv.waitUntil(t, "the server", func() bool { return accepting(addr) })
		table := mustRun(t, noEnv, "bench", "load", "--url", "http://"+addr, "--connections", "4",
			"--duration", "300ms", "--warmup", "50ms", "--engine", db.Engine, "--size", "tiny")
		lines := strings.Split(strings.TrimSpace(table), "\n")
		if want := 2 + 1 + 4*6; len(lines) != want {
			t.Fatalf("table has %d lines, want %d (header, bare page, 4 users × 6 pages):\n%s", len(lines), want, table)
		}
		for _, l := range lines[2:] {
			cells := strings.Split(strings.Trim(l, "| "), " | ")
			if len(cells) != 9 || cells[0] != db.Engine || cells[1] != "tiny" || cells[8] != "0" || cells[4] == "0" {
				t.Errorf("row %q: want engine, size, some requests and 0 errors", l)
			}
		}
	})
}
