package web_test

import (
	"flag"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"portico/internal/testenv"
)

var (
	reProtocolID = regexp.MustCompile(`data-protocol-id="(\d+)"`)
	reDocumentID = regexp.MustCompile(`data-document-id="(\d+)"`)
	reSiteID     = regexp.MustCompile(`data-site-id="(\d+)"`)
	reClientCard = regexp.MustCompile(`data-client="(\d+)" data-protocols="(\d+)"`)
	reDocCount   = regexp.MustCompile(`data-documents="(\d+)"`)
	reProtoCount = regexp.MustCompile(`data-protocols="(\d+)"`)
)

// ids returns the set of ids the pattern finds in body.
func ids(re *regexp.Regexp, body string) map[int64]bool {
	out := map[int64]bool{}
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		out[id] = true
	}
	return out
}

func sortedKeys(m map[int64]bool) []int64 { return slices.Sorted(maps.Keys(m)) }

// TestPortalVisibilityRandomWorlds is the proof of the portal's access rules:
// rapid generates small worlds (tenants, clients, sites, restricted and
// unrestricted portal users, draft and completed, old and recent protocols,
// materials, visible and hidden documents for chosen sites or all), builds each
// in the database, and checks every portal page, count, PDF and preview of every
// user through the real router against an oracle that computes visibility from the
// generated structs alone. A failing world is shrunk to a minimal one.
//
// The number of worlds is rapid's -rapid.checks; unless it is given, 15 per
// database keeps the test quick.
func TestPortalVisibilityRandomWorlds(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue {
		f.Value.Set("15")
		t.Cleanup(func() { f.Value.Set(f.DefValue) })
	}
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		srv.OfflineSwitches() // toggles reach the access checks; no device is connected
		var worlds, requests atomic.Int64
		start := time.Now()
		rapid.Check(t, func(rt *rapid.T) {
			w := srv.BuildWorld(t, testenv.GenWorld(rt))
			worlds.Add(1)
			for ti, wt := range w.Tenants {
				for ui, u := range wt.Users {
					c := srv.PortalClient(t, wt.Tenant, u)
					checkUser(rt, w, ti, ui, c, &requests)
				}
			}
		})
		t.Logf("%s: %d worlds, %d portal requests checked against the oracle in %v", db.Engine, worlds.Load(), requests.Load(), time.Since(start).Round(time.Millisecond))
	})
}

// checkUser compares everything user ui of tenant ti gets from the portal with the oracle.
func checkUser(rt *rapid.T, w *testenv.World, ti, ui int, c *testenv.Client, requests *atomic.Int64) {
	wt := w.Tenants[ti]
	spec := w.Spec.Tenants[ti]
	base := "/portal/" + wt.Company.Slug
	who := fmt.Sprintf("tenant %d user %d %+v", ti, ui, spec.Users[ui].Grants)
	get := func(path string) *testenv.Response {
		requests.Add(1)
		r := c.Get(base + path)
		if r.Status != http.StatusOK && r.Status != http.StatusNotFound {
			rt.Fatalf("%s: GET %s: status %d\n%.2000s", who, path, r.Status, r.Body)
		}
		if r.Status == http.StatusOK && strings.Contains(r.Header.Get("Content-Type"), "text/html") &&
			strings.Contains(r.Body, wt.Technician.Name) {
			rt.Fatalf("%s: GET %s shows the technician's name %q; portal users never see staff names", who, path, wt.Technician.Name)
		}
		return r
	}
	want := func(ok bool) int {
		if ok {
			return http.StatusOK
		}
		return http.StatusNotFound
	}

	// The oracle's answers for this user.
	wantProtocols := map[int64]bool{}
	perClient := map[int64]int{}
	for pi, p := range wt.Protocols {
		if w.SeesProtocol(ti, ui, pi) {
			wantProtocols[p.ID] = true
			perClient[p.ClientID]++
		}
	}
	wantDocs := map[int64]bool{}
	for di, d := range wt.Documents {
		if w.SeesDocument(ti, ui, di) {
			wantDocs[d.ID] = true
		}
	}

	// Dashboard: one card per assigned company with its protocol count, and the
	// Documents count.
	r := get("/")
	cards := map[int64]int{}
	for _, m := range reClientCard.FindAllStringSubmatch(r.Body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		n, _ := strconv.Atoi(m[2])
		cards[id] = n
	}
	wantCards := map[int64]int{}
	for ci, cl := range wt.Clients {
		if w.HasClient(ti, ui, ci) {
			wantCards[cl.ID] = perClient[cl.ID]
		}
	}
	if !maps.Equal(cards, wantCards) {
		rt.Fatalf("%s: dashboard cards (client → protocols) %v, oracle %v", who, cards, wantCards)
	}
	if m := reDocCount.FindStringSubmatch(r.Body); m == nil || m[1] != strconv.Itoa(len(wantDocs)) {
		rt.Fatalf("%s: dashboard documents count %v, oracle %d", who, m, len(wantDocs))
	}

	// Protocols: the list, the list per company, and every protocol's page and PDF.
	if got := ids(reProtocolID, get("/protocols").Body); !maps.Equal(got, wantProtocols) {
		rt.Fatalf("%s: protocols list %v, oracle %v", who, sortedKeys(got), sortedKeys(wantProtocols))
	}
	for ci, cl := range wt.Clients {
		r := get("/protocols?client=" + itoa(cl.ID))
		want := map[int64]bool{}
		for pi, p := range wt.Protocols {
			if p.ClientID == cl.ID && w.SeesProtocol(ti, ui, pi) {
				want[p.ID] = true
			}
		}
		if got := ids(reProtocolID, r.Body); !maps.Equal(got, want) {
			rt.Fatalf("%s: protocols of client %d: %v, oracle %v", who, ci, sortedKeys(got), sortedKeys(want))
		}
	}
	for oti, ot := range w.Tenants {
		for pi, p := range ot.Protocols {
			visible := oti == ti && w.SeesProtocol(ti, ui, pi)
			if r := get("/protocols/" + itoa(p.ID)); r.Status != want(visible) {
				rt.Fatalf("%s: protocol %d of tenant %d: status %d, oracle visible=%v", who, pi, oti, r.Status, visible)
			}
			r := get("/protocols/" + itoa(p.ID) + ".pdf")
			if r.Status != want(visible) {
				rt.Fatalf("%s: PDF of protocol %d of tenant %d: status %d, oracle visible=%v", who, pi, oti, r.Status, visible)
			}
			if visible && (!strings.HasPrefix(r.Body, "%PDF-") || r.Header.Get("Content-Type") != "application/pdf") {
				rt.Fatalf("%s: PDF of protocol %d is not a PDF: %q", who, pi, r.Header.Get("Content-Type"))
			}
		}
	}

	// Documents: the page, and every document's preview.
	if got := ids(reDocumentID, get("/documents").Body); !maps.Equal(got, wantDocs) {
		rt.Fatalf("%s: documents page %v, oracle %v", who, sortedKeys(got), sortedKeys(wantDocs))
	}
	for oti, ot := range w.Tenants {
		for di, d := range ot.Documents {
			visible := oti == ti && w.SeesDocument(ti, ui, di)
			r := get("/documents/" + itoa(d.ID))
			if r.Status != want(visible) {
				rt.Fatalf("%s: preview of document %d of tenant %d: status %d, oracle visible=%v", who, di, oti, r.Status, visible)
			}
			if visible && r.Body != string(ot.FileBodies[di]) {
				rt.Fatalf("%s: preview of document %d serves other bytes", who, di)
			}
		}
	}

	// Sites: detail pages with their protocols, documents and counts.
	for oti, ot := range w.Tenants {
		for ci, sites := range ot.Sites {
			for si, site := range sites {
				visible := oti == ti && w.SeesSite(ti, ui, ci, si)
				r := get("/sites/" + itoa(site.ID))
				if r.Status != want(visible) {
					rt.Fatalf("%s: site %d.%d of tenant %d: status %d, oracle visible=%v", who, ci, si, oti, r.Status, visible)
				}
				if !visible {
					continue
				}
				wantP, wantD := map[int64]bool{}, map[int64]bool{}
				for pi, p := range wt.Protocols {
					if p.SiteID == site.ID && w.SeesProtocol(ti, ui, pi) {
						wantP[p.ID] = true
					}
				}
				for di, d := range wt.Documents {
					if w.SiteDocument(ti, ui, ci, si, di) {
						wantD[d.ID] = true
					}
				}
				if got := ids(reProtocolID, r.Body); !maps.Equal(got, wantP) {
					rt.Fatalf("%s: protocols of site %d.%d: %v, oracle %v", who, ci, si, sortedKeys(got), sortedKeys(wantP))
				}
				if got := ids(reDocumentID, r.Body); !maps.Equal(got, wantD) {
					rt.Fatalf("%s: documents of site %d.%d: %v, oracle %v", who, ci, si, sortedKeys(got), sortedKeys(wantD))
				}
				if m := reProtoCount.FindStringSubmatch(r.Body); m == nil || m[1] != strconv.Itoa(len(wantP)) {
					rt.Fatalf("%s: site %d.%d protocol count %v, oracle %d", who, ci, si, m, len(wantP))
				}
				if m := reDocCount.FindStringSubmatch(r.Body); m == nil || m[1] != strconv.Itoa(len(wantD)) {
					rt.Fatalf("%s: site %d.%d document count %v, oracle %d", who, ci, si, m, len(wantD))
				}
			}
		}
	}

	// My data of every company: only the assigned ones, with the sites the user may see.
	for oti, ot := range w.Tenants {
		for ci, cl := range ot.Clients {
			assigned := oti == ti && w.HasClient(ti, ui, ci)
			r := get("/my-data?company=" + itoa(cl.ID))
			if r.Status != want(assigned) {
				rt.Fatalf("%s: My data of client %d of tenant %d: status %d, oracle assigned=%v", who, ci, oti, r.Status, assigned)
			}
			if !assigned {
				continue
			}
			wantS := map[int64]bool{}
			for si, s := range ot.Sites[ci] {
				if w.SeesSite(ti, ui, ci, si) {
					wantS[s.ID] = true
				}
			}
			if got := ids(reSiteID, r.Body); !maps.Equal(got, wantS) {
				rt.Fatalf("%s: My data sites of client %d: %v, oracle %v", who, ci, sortedKeys(got), sortedKeys(wantS))
			}
			recent := ids(reProtocolID, r.Body)
			n := 0
			for pi, p := range wt.Protocols {
				if p.ClientID == cl.ID && w.SeesProtocol(ti, ui, pi) {
					n++
				}
			}
			if len(recent) != min(n, 5) {
				rt.Fatalf("%s: My data of client %d lists %d recent protocols, oracle %d (at most 5)", who, ci, len(recent), min(n, 5))
			}
			for id := range recent {
				if !wantProtocols[id] {
					rt.Fatalf("%s: My data lists protocol %d the user may not see", who, id)
				}
			}
		}
	}

	// Invoices and estimates (portal_billing_visibility_test.go).
	checkBilling(rt, w, ti, ui, c, requests)

	// Switches on the projects, with the users' narrowings (world_switches.go).
	n, err := w.CheckPortalSwitches(ti, ui, c)
	requests.Add(int64(n))
	if err != nil {
		rt.Fatal(err)
	}
}
