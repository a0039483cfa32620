package testenv

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"portico/internal/domain"
)

// Billing in a generated world: projects of the tenant's clients (at a site or at
// none), and invoices and estimates in every state — drafts and void ones
// included — tied to a project or to none.

// BillingSpec is the billing of one tenant of a world.
type BillingSpec struct {
	Projects  []BillingProjectSpec
	Invoices  []BillingDocSpec
	Estimates []BillingDocSpec
}

// BillingProjectSpec is a project of client Client at its site Site, or at no
// site when Site is -1.
type BillingProjectSpec struct{ Client, Site int }

// BillingDocSpec is an invoice or estimate of client Client, tied to project
// Project of the BillingSpec (-1: none, or a project of the same client), that
// ends in State: draft, sent, overdue, paid or void for an invoice; draft, sent,
// expired, accepted or declined for an estimate.
type BillingDocSpec struct {
	Client, Project int
	State           string
}

var (
	invoiceStates  = []string{domain.InvoiceDraft, domain.InvoiceSent, domain.InvoiceOverdue, domain.InvoicePaid, domain.InvoiceVoid}
	estimateStates = []string{domain.EstimateDraft, domain.EstimateSent, domain.EstimateExpired, domain.EstimateAccepted, domain.EstimateDeclined}
)

// genBilling draws the billing of tenant ti: up to three projects, up to four
// invoices and up to four estimates.
func genBilling(t *rapid.T, ti int, ts TenantSpec) BillingSpec {
	var b BillingSpec
	nc := len(ts.Clients)
	np := rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("t%d.projects", ti))
	for pi := range np {
		p := BillingProjectSpec{Client: rapid.IntRange(0, nc-1).Draw(t, fmt.Sprintf("t%d.pr%d.client", ti, pi)), Site: -1}
		if n := ts.Clients[p.Client].Sites; n > 0 {
			p.Site = rapid.IntRange(-1, n-1).Draw(t, fmt.Sprintf("t%d.pr%d.site", ti, pi))
		}
		b.Projects = append(b.Projects, p)
	}
	doc := func(kind string, i int, states []string) BillingDocSpec {
		d := BillingDocSpec{Client: rapid.IntRange(0, nc-1).Draw(t, fmt.Sprintf("t%d.%s%d.client", ti, kind, i)), Project: -1,
			State: rapid.SampledFrom(states).Draw(t, fmt.Sprintf("t%d.%s%d.state", ti, kind, i))}
		var own []int
		for pi, p := range b.Projects {
			if p.Client == d.Client {
				own = append(own, pi)
			}
		}
		if len(own) > 0 && rapid.Bool().Draw(t, fmt.Sprintf("t%d.%s%d.tied", ti, kind, i)) {
			d.Project = rapid.SampledFrom(own).Draw(t, fmt.Sprintf("t%d.%s%d.project", ti, kind, i))
		}
		return d
	}
	for i := range rapid.IntRange(0, 4).Draw(t, fmt.Sprintf("t%d.invoices", ti)) {
		b.Invoices = append(b.Invoices, doc("inv", i, invoiceStates))
	}
	for i := range rapid.IntRange(0, 4).Draw(t, fmt.Sprintf("t%d.estimates", ti)) {
		b.Estimates = append(b.Estimates, doc("est", i, estimateStates))
	}
	return b
}

// WorldBilling is the built billing of a world's tenant, index for index.
type WorldBilling struct {
	Projects  []*domain.Project
	Invoices  []*domain.Invoice
	Estimates []*domain.Estimate
}

// buildBilling creates the tenant's billing spec through the store, as its
// administrator: every document with one line, moved to its state (an overdue
// invoice is due yesterday, an expired estimate was valid until yesterday, an
// answered estimate is recorded by staff for the client).
func (s *Server) buildBilling(t testing.TB, wt *WorldTenant, b BillingSpec) *WorldBilling {
	t.Helper()
	ctx := context.Background()
	tn, staff := wt.Tenant, wt.Staff
	out := &WorldBilling{}
	today := domain.DayOf(s.Store.Now(), tn.Company.Location())
	for pi, ps := range b.Projects {
		var site *domain.Site
		if ps.Site >= 0 {
			site = wt.Sites[ps.Client][ps.Site]
		}
		out.Projects = append(out.Projects, s.Project(t, tn, wt.Clients[ps.Client], fmt.Sprintf("Project %d of %s", pi, tn.Company.Slug), site))
	}
	doc := func(ds BillingDocSpec, what string) domain.BillingDoc {
		d := domain.BillingDoc{ClientID: wt.Clients[ds.Client].ID, Title: what, IssueDate: today.AddDays(-20), Currency: "EUR",
			Lines: []domain.Line{{Description: "Work on " + what, Quantity: 1500, Unit: "h", UnitPrice: 4990, VATRate: 2300}}}
		if ds.Project >= 0 {
			d.ProjectID = out.Projects[ds.Project].ID
		}
		return d
	}
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("testenv: %s: %v", what, err)
		}
	}
	for ii, ds := range b.Invoices {
		what := fmt.Sprintf("invoice %d of %s", ii, tn.Company.Slug)
		inv := &domain.Invoice{BillingDoc: doc(ds, what), DueDate: today.AddDays(10)}
		if ds.State == domain.InvoiceOverdue {
			inv.DueDate = today.AddDays(-1)
		}
		must(s.Store.Staff(staff).CreateInvoice(ctx, inv), what)
		if ds.State != domain.InvoiceDraft {
			_, err := s.Store.Staff(staff).SendInvoice(ctx, inv.ClientID, inv.ID)
			must(err, "send "+what)
		}
		switch ds.State {
		case domain.InvoicePaid:
			must(s.Store.Staff(staff).MarkInvoicePaid(ctx, inv.ClientID, inv.ID), "pay "+what)
		case domain.InvoiceVoid:
			must(s.Store.Staff(staff).VoidInvoice(ctx, inv.ClientID, inv.ID), "void "+what)
		}
		out.Invoices = append(out.Invoices, inv)
	}
	for ei, ds := range b.Estimates {
		what := fmt.Sprintf("estimate %d of %s", ei, tn.Company.Slug)
		e := &domain.Estimate{BillingDoc: doc(ds, what), ValidUntil: today.AddDays(10)}
		if ds.State == domain.EstimateExpired {
			e.ValidUntil = today.AddDays(-1)
		}
		must(s.Store.Staff(staff).CreateEstimate(ctx, e), what)
		if ds.State != domain.EstimateDraft {
			_, err := s.Store.Staff(staff).SendEstimate(ctx, e.ClientID, e.ID)
			must(err, "send "+what)
		}
		if ds.State == domain.EstimateAccepted || ds.State == domain.EstimateDeclined {
			must(s.Store.Staff(staff).RecordEstimateDecision(ctx, e.ClientID, e.ID, ds.State, "Recorded by the world."), "decide "+what)
		}
		out.Estimates = append(out.Estimates, e)
	}
	return out
}

// ---- the oracle for billing

// seesBillingDoc reports whether user ui of tenant ti may see a (sent) document
// of client ci tied to project pi (-1: none): a project at a site follows the
// user's site restriction; a document at no site needs all sites of the client.
func (w *World) seesBillingDoc(ti, ui, ci, pi int) bool {
	site := -1
	if pi >= 0 {
		site = w.Spec.Tenants[ti].Billing.Projects[pi].Site
	}
	if site >= 0 {
		return w.SeesSite(ti, ui, ci, site)
	}
	return slices.ContainsFunc(w.Spec.Tenants[ti].Users[ui].Grants, func(g GrantSpec) bool { return g.Client == ci && len(g.Sites) == 0 })
}

// SeesInvoice reports whether user ui of tenant ti may see invoice ii of their
// tenant: neither a draft nor void, and within their clients and sites.
func (w *World) SeesInvoice(ti, ui, ii int) bool {
	d := w.Spec.Tenants[ti].Billing.Invoices[ii]
	return d.State != domain.InvoiceDraft && d.State != domain.InvoiceVoid && w.seesBillingDoc(ti, ui, d.Client, d.Project)
}

// SeesEstimate reports whether user ui of tenant ti may see estimate ei of their
// tenant: not a draft, and within their clients and sites.
func (w *World) SeesEstimate(ti, ui, ei int) bool {
	d := w.Spec.Tenants[ti].Billing.Estimates[ei]
	return d.State != domain.EstimateDraft && w.seesBillingDoc(ti, ui, d.Client, d.Project)
}
