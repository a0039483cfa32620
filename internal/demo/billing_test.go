package demo_test

import (
	"slices"
	"testing"

	"portico/internal/demo"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// The demo has invoices paid, sent and overdue and estimates sent and accepted for
// ABC and Dencorp; the Košice-only portal user sees less of ABC than its owner; the
// accepted estimates were answered in the portal.
func TestFillBilling(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		st := db.Store
		d := fill(t, st)
		staff := adminScope(t, st, d.CompanyID)
		clients := clientsByName(t, st, staff)
		for _, name := range []string{"ABC s.r.o.", "Dencorp"} {
			c := clients[name]
			invs, _, err := st.Staff(staff).Invoices(t.Context(), store.BillingFilter{ClientID: c.ID})
			if err != nil {
				t.Fatal(err)
			}
			var states []string
			for _, i := range invs {
				states = append(states, i.State())
			}
			for _, want := range []string{domain.InvoicePaid, domain.InvoiceSent, domain.InvoiceOverdue} {
				if !slices.Contains(states, want) {
					t.Errorf("%s: invoices %v, none %s", name, states, want)
				}
			}
			ests, _, err := st.Staff(staff).Estimates(t.Context(), store.BillingFilter{ClientID: c.ID})
			if err != nil {
				t.Fatal(err)
			}
			states = nil
			for _, e := range ests {
				states = append(states, e.State())
				if e.State() == domain.EstimateAccepted && (e.Decision == nil || e.Decision.PortalUserID == 0) {
					t.Errorf("%s: estimate %s accepted, but not in the portal: %+v", name, e.Number, e.Decision)
				}
			}
			for _, want := range []string{domain.EstimateSent, domain.EstimateAccepted} {
				if !slices.Contains(states, want) {
					t.Errorf("%s: estimates %v, none %s", name, states, want)
				}
			}
		}
		if b, err := st.Staff(staff).BillingSettings(t.Context()); err != nil || b.NotificationEmail != demo.NotificationEmail || b.Details == "" {
			t.Errorf("billing settings %+v, %v", b, err)
		}

		seen := func(email string) int {
			t.Helper()
			u, _, err := st.PortalCredentials(t.Context(), d.CompanyID, email)
			if err != nil {
				t.Fatal(err)
			}
			scope, err := testenv.PortalScope(t.Context(), st, d.CompanyID, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, info, err := st.Portal(scope).PortalInvoices(t.Context(), store.BillingFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return info.Total
		}
		if owner, kosice := seen("owner@abc.test"), seen("kosice@abc.test"); kosice == 0 || kosice >= owner {
			t.Errorf("portal invoices: owner %d, Košice-only %d; want the Košice user to see some, fewer", owner, kosice)
		}
	})
}
