package web_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"

	"pgregory.net/rapid"

	"portico/internal/testenv"
)

var (
	reInvoiceID  = regexp.MustCompile(`data-invoice-id="(\d+)"`)
	reEstimateID = regexp.MustCompile(`data-estimate-id="(\d+)"`)
)

// checkBilling compares the portal's Invoices and Estimates of user ui of tenant
// ti with the world's oracle: the lists, the project pages' sections, every
// document's page in every tenant of the world, answers to every estimate the user
// may not see, and the PDFs and answer pages of their own tenant's documents.
// Drafts and void invoices must never be found; nor may anything outside the
// user's clients and sites.
// It is part of TestPortalVisibilityRandomWorlds (checkUser calls it).
func checkBilling(rt *rapid.T, w *testenv.World, ti, ui int, c *testenv.Client, requests *atomic.Int64) {
	wt := w.Tenants[ti]
	base := "/portal/" + wt.Company.Slug
	who := fmt.Sprintf("tenant %d user %d %+v", ti, ui, w.Spec.Tenants[ti].Users[ui].Grants)
	get := func(path string, status ...int) *testenv.Response {
		requests.Add(1)
		r := c.Get(base + path)
		if !slices.Contains(status, r.Status) {
			rt.Fatalf("%s: GET %s: status %d, want one of %v\n%.1500s", who, path, r.Status, status, r.Body)
		}
		// Staff names never reach the portal: decisions recorded by staff show the team label.
		if r.Status == http.StatusOK && strings.Contains(r.Body, wt.Admin.Name) {
			rt.Fatalf("%s: GET %s shows the staff name %q", who, path, wt.Admin.Name)
		}
		return r
	}
	status := func(visible bool) int {
		if visible {
			return http.StatusOK
		}
		return http.StatusNotFound
	}

	wantInv, wantEst := map[int64]bool{}, map[int64]bool{}
	for ii, inv := range wt.Billing.Invoices {
		if w.SeesInvoice(ti, ui, ii) {
			wantInv[inv.ID] = true
		}
	}
	for ei, e := range wt.Billing.Estimates {
		if w.SeesEstimate(ti, ui, ei) {
			wantEst[e.ID] = true
		}
	}
	if got := ids(reInvoiceID, get("/invoices", http.StatusOK).Body); !maps.Equal(got, wantInv) {
		rt.Fatalf("%s: invoices list %v, oracle %v", who, sortedKeys(got), sortedKeys(wantInv))
	}
	if got := ids(reEstimateID, get("/estimates", http.StatusOK).Body); !maps.Equal(got, wantEst) {
		rt.Fatalf("%s: estimates list %v, oracle %v", who, sortedKeys(got), sortedKeys(wantEst))
	}

	// A project's page lists the invoices and estimates on it that the user may see.
	for pi, p := range wt.Billing.Projects {
		r := get("/projects/"+itoa(p.ID), http.StatusOK, http.StatusNotFound)
		if r.Status != http.StatusOK {
			continue
		}
		wantI, wantE := map[int64]bool{}, map[int64]bool{}
		for ii, inv := range wt.Billing.Invoices {
			if inv.ProjectID == p.ID && w.SeesInvoice(ti, ui, ii) {
				wantI[inv.ID] = true
			}
		}
		for ei, e := range wt.Billing.Estimates {
			if e.ProjectID == p.ID && w.SeesEstimate(ti, ui, ei) {
				wantE[e.ID] = true
			}
		}
		if got := ids(reInvoiceID, r.Body); !maps.Equal(got, wantI) {
			rt.Fatalf("%s: invoices on the page of project %d: %v, oracle %v", who, pi, sortedKeys(got), sortedKeys(wantI))
		}
		if got := ids(reEstimateID, r.Body); !maps.Equal(got, wantE) {
			rt.Fatalf("%s: estimates on the page of project %d: %v, oracle %v", who, pi, sortedKeys(got), sortedKeys(wantE))
		}
	}

	for oti, ot := range w.Tenants {
		for ii, inv := range ot.Billing.Invoices {
			visible := oti == ti && w.SeesInvoice(ti, ui, ii)
			what := fmt.Sprintf("invoice %d of tenant %d (%+v)", ii, oti, w.Spec.Tenants[oti].Billing.Invoices[ii])
			if r := get("/invoices/"+itoa(inv.ID), http.StatusOK, http.StatusNotFound); r.Status != status(visible) {
				rt.Fatalf("%s: %s: status %d, oracle visible=%v", who, what, r.Status, visible)
			}
			if oti != ti {
				continue // the PDF and answer pages load through the same Scope query as the page
			}
			r := get("/invoices/"+itoa(inv.ID)+".pdf", http.StatusOK, http.StatusNotFound)
			if r.Status != status(visible) {
				rt.Fatalf("%s: PDF of %s: status %d, oracle visible=%v", who, what, r.Status, visible)
			}
			if visible && (!strings.HasPrefix(r.Body, "%PDF-") || r.Header.Get("Content-Type") != "application/pdf") {
				rt.Fatalf("%s: PDF of %s is not a PDF: %q", who, what, r.Header.Get("Content-Type"))
			}
		}
		for ei, e := range ot.Billing.Estimates {
			visible := oti == ti && w.SeesEstimate(ti, ui, ei)
			spec := w.Spec.Tenants[oti].Billing.Estimates[ei]
			what := fmt.Sprintf("estimate %d of tenant %d (%+v)", ei, oti, spec)
			if r := get("/estimates/"+itoa(e.ID), http.StatusOK, http.StatusNotFound); r.Status != status(visible) {
				rt.Fatalf("%s: %s: status %d, oracle visible=%v", who, what, r.Status, visible)
			}
			// Answering what one may not see is not found (an answer that went
			// through would redirect).
			if !visible {
				requests.Add(1)
				if r := c.Post(base+"/estimates/"+itoa(e.ID)+"/accept", url.Values{"comment": {"Not mine."}}); r.Status != http.StatusNotFound {
					rt.Fatalf("%s: accepting %s: status %d, want 404", who, what, r.Status)
				}
			}
			if oti != ti {
				continue
			}
			if r := get("/estimates/"+itoa(e.ID)+".pdf", http.StatusOK, http.StatusNotFound); r.Status != status(visible) {
				rt.Fatalf("%s: PDF of %s: status %d, oracle visible=%v", who, what, r.Status, visible)
			}
			// The answer page: not found outside the Scope; inside it, the form for
			// an open estimate and the estimate's page for any other.
			r := get("/estimates/"+itoa(e.ID)+"/accept", http.StatusOK, http.StatusNotFound, http.StatusSeeOther)
			switch {
			case !visible && r.Status != http.StatusNotFound:
				rt.Fatalf("%s: answer page of %s: status %d, want 404", who, what, r.Status)
			case visible && spec.State == "sent" && r.Status != http.StatusOK:
				rt.Fatalf("%s: answer page of open %s: status %d, want 200", who, what, r.Status)
			case visible && spec.State != "sent" && r.Status != http.StatusSeeOther:
				rt.Fatalf("%s: answer page of %s: status %d, want a redirect to the estimate", who, what, r.Status)
			}
		}
	}
}
