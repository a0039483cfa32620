package web_test

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"portico/internal/testenv"
)

// TestAPIVisibilityRandomWorlds extends the portal's proof of access to the
// API: in the same generated worlds, each portal user's token reads through
// /api/v1 exactly what the oracle says the user sees in the portal — companies,
// sites, protocols and their PDFs, documents and their files, projects,
// switches, invoices and estimates — every list paged to its end and every
// object of every tenant asked for by id (200 or 404). Every answer is checked
// against the OpenAPI document. A toggle of a switch outside the Scope is not
// found; of one inside it, refused as offline (no device is connected).
//
// The staff side too: each tenant's administrator's token adds a contact to
// every client of its tenant through the API, then reads clients, contacts
// (list and by id), sites and projects — all of its own tenant, and every
// other tenant's client and contact not found, by GET and by PATCH.
//
// The number of worlds is rapid's -rapid.checks; unless it is given, 8 per
// database keeps the test quick.
func TestAPIVisibilityRandomWorlds(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue {
		f.Value.Set("8")
		t.Cleanup(func() { f.Value.Set(f.DefValue) })
	}
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		srv.OfflineSwitches()
		var worlds, requests atomic.Int64
		start := time.Now()
		rapid.Check(t, func(rt *rapid.T) {
			w := srv.BuildWorld(t, testenv.GenWorld(rt))
			worlds.Add(1)
			for ti, wt := range w.Tenants {
				for ui, u := range wt.Users {
					scope := mustScope(t, db, wt.Company.ID, u.ID)
					_, token, err := srv.App.CreatePortalAPIToken(context.Background(), scope, "world", time.Time{})
					if err != nil {
						rt.Fatal(err)
					}
					api := newAPIClient(t, srv.URL, token)
					api.fatalf = rt.Fatalf
					checkAPIUser(rt, w, ti, ui, api, &requests)
				}
			}
			checkAPIStaff(t, rt, srv, w, &requests)
		})
		t.Logf("%s: %d worlds, %d API requests checked against the oracle and the OpenAPI document in %v", db.Engine, worlds.Load(), requests.Load(), time.Since(start).Round(time.Millisecond))
	})
}

// checkAPIUser compares everything user ui of tenant ti reads through the API
// with the oracle.
func checkAPIUser(rt *rapid.T, w *testenv.World, ti, ui int, api *apiClient, requests *atomic.Int64) {
	wt := w.Tenants[ti]
	who := fmt.Sprintf("tenant %d user %d %+v", ti, ui, w.Spec.Tenants[ti].Users[ui].Grants)
	set := func(path string) map[int64]bool {
		ids := api.listIDs(path, 2) // small pages, so that the cursor is used
		requests.Add(int64(len(ids)/2 + 1))
		out := map[int64]bool{}
		for _, id := range ids {
			if out[id] {
				rt.Fatalf("%s: %s lists %d twice", who, path, id)
			}
			out[id] = true
		}
		return out
	}
	expect := func(what string, got, want map[int64]bool) {
		if !maps.Equal(got, want) {
			rt.Fatalf("%s: %s %v, oracle %v", who, what, sortedKeys(got), sortedKeys(want))
		}
	}
	status := func(visible bool) int {
		if visible {
			return http.StatusOK
		}
		return http.StatusNotFound
	}
	get := func(path string, visible bool) *apiResp {
		requests.Add(1)
		return api.get(path, status(visible))
	}

	// Companies and sites.
	wantC, wantS := map[int64]bool{}, map[int64]bool{}
	for ci, cl := range wt.Clients {
		if w.HasClient(ti, ui, ci) {
			wantC[cl.ID] = true
		}
		for si, s := range wt.Sites[ci] {
			if w.SeesSite(ti, ui, ci, si) {
				wantS[s.ID] = true
			}
		}
	}
	expect("companies", set("/api/v1/companies"), wantC)
	expect("sites", set("/api/v1/sites"), wantS)
	for oti, ot := range w.Tenants {
		for ci, sites := range ot.Sites {
			for si, s := range sites {
				get("/api/v1/sites/"+itoa(s.ID), oti == ti && w.SeesSite(ti, ui, ci, si))
			}
		}
	}

	// Protocols, per company too, and every protocol and PDF by id.
	wantP := map[int64]bool{}
	for pi, p := range wt.Protocols {
		if w.SeesProtocol(ti, ui, pi) {
			wantP[p.ID] = true
		}
	}
	expect("protocols", set("/api/v1/protocols"), wantP)
	for _, cl := range wt.Clients {
		want := map[int64]bool{}
		for pi, p := range wt.Protocols {
			if p.ClientID == cl.ID && w.SeesProtocol(ti, ui, pi) {
				want[p.ID] = true
			}
		}
		expect("protocols of client "+itoa(cl.ID), set("/api/v1/protocols?client="+itoa(cl.ID)), want)
	}
	for oti, ot := range w.Tenants {
		for pi, p := range ot.Protocols {
			visible := oti == ti && w.SeesProtocol(ti, ui, pi)
			r := get("/api/v1/protocols/"+itoa(p.ID), visible)
			if visible && strings.Contains(string(r.Body), wt.Technician.Name) {
				rt.Fatalf("%s: protocol %d names the technician; portal users never see staff names", who, p.ID)
			}
			r = get(fmt.Sprintf("/api/v1/protocols/%d/pdf", p.ID), visible)
			if visible && !strings.HasPrefix(string(r.Body), "%PDF-") {
				rt.Fatalf("%s: PDF of protocol %d is not a PDF", who, p.ID)
			}
		}
	}

	// Documents and their files.
	wantD := map[int64]bool{}
	for di, d := range wt.Documents {
		if w.SeesDocument(ti, ui, di) {
			wantD[d.ID] = true
		}
	}
	expect("documents", set("/api/v1/documents"), wantD)
	for oti, ot := range w.Tenants {
		for di, d := range ot.Documents {
			visible := oti == ti && w.SeesDocument(ti, ui, di)
			r := get(fmt.Sprintf("/api/v1/documents/%d/download", d.ID), visible)
			if visible && string(r.Body) != string(ot.FileBodies[di]) {
				rt.Fatalf("%s: document %d serves other bytes", who, d.ID)
			}
		}
	}

	// Projects, switches and their toggles.
	wantPr, wantSw := map[int64]bool{}, map[int64]bool{}
	for pi, p := range wt.Billing.Projects {
		if w.SeesProject(ti, ui, pi) {
			wantPr[p.ID] = true
		}
	}
	for si, sw := range wt.Switches {
		if w.SeesSwitch(ti, ui, si) {
			wantSw[sw.ID] = true
		}
	}
	expect("projects", set("/api/v1/projects"), wantPr)
	expect("switches", set("/api/v1/switches"), wantSw)
	for oti, ot := range w.Tenants {
		for pi, p := range ot.Billing.Projects {
			visible := oti == ti && w.SeesProject(ti, ui, pi)
			get("/api/v1/projects/"+itoa(p.ID), visible)
			get(fmt.Sprintf("/api/v1/projects/%d/activity", p.ID), visible)
		}
		for si, sw := range ot.Switches {
			visible := oti == ti && w.SeesSwitch(ti, ui, si)
			get("/api/v1/switches/"+itoa(sw.ID), visible)
			requests.Add(1)
			r := api.call(http.MethodPut, fmt.Sprintf("/api/v1/switches/%d/state", sw.ID), map[string]bool{"on": true})
			want := http.StatusNotFound
			if visible {
				want = http.StatusConflict // offline: refused, nothing sent
			}
			if r.Status != want {
				rt.Fatalf("%s: toggle of switch %d: status %d, want %d\n%s", who, sw.ID, r.Status, want, r.Body)
			}
		}
	}

	// Invoices and estimates.
	wantI, wantE := map[int64]bool{}, map[int64]bool{}
	for ii, inv := range wt.Billing.Invoices {
		if w.SeesInvoice(ti, ui, ii) {
			wantI[inv.ID] = true
		}
	}
	for ei, e := range wt.Billing.Estimates {
		if w.SeesEstimate(ti, ui, ei) {
			wantE[e.ID] = true
		}
	}
	expect("invoices", set("/api/v1/invoices"), wantI)
	expect("estimates", set("/api/v1/estimates"), wantE)
	for oti, ot := range w.Tenants {
		for ii, inv := range ot.Billing.Invoices {
			get("/api/v1/invoices/"+itoa(inv.ID), oti == ti && w.SeesInvoice(ti, ui, ii))
		}
		for ei, e := range ot.Billing.Estimates {
			get("/api/v1/estimates/"+itoa(e.ID), oti == ti && w.SeesEstimate(ti, ui, ei))
		}
	}
}

// checkAPIStaff checks what each tenant's administrator's token reads and may
// change through the staff endpoints against the world: its own tenant's
// clients and their contacts, sites and projects, nothing of another tenant.
func checkAPIStaff(t *testing.T, rt *rapid.T, srv *testenv.Server, w *testenv.World, requests *atomic.Int64) {
	apis := make([]*apiClient, len(w.Tenants))
	contacts := make([][]int64, len(w.Tenants)) // per tenant, a new contact per client
	for ti, wt := range w.Tenants {
		_, token, err := srv.App.CreateStaffAPIToken(context.Background(), wt.Staff, "world", time.Time{})
		if err != nil {
			rt.Fatal(err)
		}
		apis[ti] = newAPIClient(t, srv.URL, token)
		apis[ti].fatalf = rt.Fatalf
		for _, cl := range wt.Clients {
			requests.Add(1)
			r := apis[ti].call(http.MethodPost, fmt.Sprintf("/api/v1/staff/clients/%d/contacts", cl.ID),
				map[string]string{"first_name": "Eva", "last_name": "Client " + itoa(cl.ID)})
			var ct struct {
				ID int64 `json:"id"`
			}
			if r.Status != http.StatusCreated || r.json(&ct) != nil {
				rt.Fatalf("tenant %d: add a contact to client %d: %d %s", ti, cl.ID, r.Status, r.Body)
			}
			contacts[ti] = append(contacts[ti], ct.ID)
		}
	}
	ids := func(api *apiClient, path string) map[int64]bool {
		requests.Add(1)
		out := map[int64]bool{}
		for _, id := range api.listIDs(path, 2) {
			if out[id] {
				rt.Fatalf("%s lists %d twice", path, id)
			}
			out[id] = true
		}
		return out
	}
	for ti, wt := range w.Tenants {
		api := apis[ti]
		want := map[int64]bool{}
		for _, cl := range wt.Clients {
			want[cl.ID] = true
		}
		if got := ids(api, "/api/v1/staff/clients"); !maps.Equal(got, want) {
			rt.Fatalf("tenant %d: staff clients %v, want %v", ti, sortedKeys(got), sortedKeys(want))
		}
		for oti, ot := range w.Tenants {
			for ci, cl := range ot.Clients {
				own := oti == ti
				base := "/api/v1/staff/clients/" + itoa(cl.ID)
				contact := fmt.Sprintf("%s/contacts/%d", base, contacts[oti][ci])
				if !own {
					for _, path := range []string{base, base + "/contacts", base + "/sites", base + "/projects", contact} {
						requests.Add(1)
						api.get(path, http.StatusNotFound)
					}
					requests.Add(1)
					if r := api.call(http.MethodPatch, contact, map[string]string{"position": "Owner"}); r.Status != http.StatusNotFound {
						rt.Fatalf("tenant %d: PATCH another tenant's contact %s: %d", ti, contact, r.Status)
					}
					continue
				}
				requests.Add(2)
				api.get(base, http.StatusOK)
				api.get(contact, http.StatusOK)
				if got := ids(api, base+"/contacts"); !got[contacts[oti][ci]] {
					rt.Fatalf("tenant %d: client %d's contacts %v lack the new one", ti, cl.ID, sortedKeys(got))
				}
				wantS := map[int64]bool{}
				for _, s := range ot.Sites[ci] {
					wantS[s.ID] = true
				}
				if got := ids(api, base+"/sites"); !maps.Equal(got, wantS) {
					rt.Fatalf("tenant %d: client %d's sites %v, want %v", ti, cl.ID, sortedKeys(got), sortedKeys(wantS))
				}
				wantP := map[int64]bool{}
				for _, p := range ot.Billing.Projects {
					if p.ClientID == cl.ID {
						wantP[p.ID] = true
					}
				}
				if got := ids(api, base+"/projects"); !maps.Equal(got, wantP) {
					rt.Fatalf("tenant %d: client %d's projects %v, want %v", ti, cl.ID, sortedKeys(got), sortedKeys(wantP))
				}
			}
		}
	}
}
