package web_test

import (
	"net/http"
	"testing"

	"portico/internal/domain"
	"portico/internal/testenv"
)

// An id in a path has one spelling: the one the app writes in its links.
// Leading zeros, a sign, spaces or a number beyond int64 name no page, for
// staff and in the portal alike, while the canonical address still answers.
func TestNonCanonicalIDsAreNotFound(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newBillingRig(t, db)
		inv := &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: r.abc.ID, Title: "Kontrola", IssueDate: r.today,
			Lines: []domain.Line{{Description: "Kontrola", Quantity: 1000, Unit: "h", UnitPrice: 5000, VATRate: 2300}}},
			DueDate: r.today.AddDays(14)}
		staff := r.srv.Store.Staff(r.tn.Staff)
		if err := staff.CreateInvoice(t.Context(), inv); err != nil {
			t.Fatal(err)
		}
		if _, err := staff.SendInvoice(t.Context(), r.abc.ID, inv.ID); err != nil {
			t.Fatal(err)
		}
		sc := r.srv.NewClient(t)
		sc.SignIn("acme", "admin@acme.test")
		pc := r.srv.PortalClient(t, r.tn, r.owner)

		client, invoice := itoa(r.abc.ID), itoa(inv.ID)
		for _, tc := range []struct {
			name string
			c    *testenv.Client
			path func(id string) string
			id   string
		}{
			{"staff client", sc, func(id string) string { return "/app/clients/" + id }, client},
			{"staff client edit", sc, func(id string) string { return "/app/clients/" + id + "/edit" }, client},
			{"staff invoice", sc, func(id string) string { return "/app/clients/" + client + "/billing/invoices/" + id }, invoice},
			{"portal invoice", pc, func(id string) string { return "/portal/acme/invoices/" + id }, invoice},
			{"portal invoice PDF", pc, func(id string) string { return "/portal/acme/invoices/" + id + ".pdf" }, invoice},
			{"portal project", pc, func(id string) string { return "/portal/acme/projects/" + id }, itoa(r.project.ID)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantStatus(t, tc.c.Get(tc.path(tc.id)), http.StatusOK)
				for _, bad := range []string{"0" + tc.id, "000" + tc.id, "+" + tc.id, "%20" + tc.id, tc.id + "%20",
					"%2B" + tc.id, "9223372036854775808", "-" + tc.id, "0"} {
					if resp := tc.c.Get(tc.path(bad)); resp.Status != http.StatusNotFound {
						t.Errorf("GET %s: status %d, want 404", tc.path(bad), resp.Status)
					}
				}
			})
		}
	})
}
