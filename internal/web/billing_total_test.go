package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"portico/internal/store"
	"portico/internal/testenv"
)

// An invoice or estimate whose lines add up to less than nothing comes back
// with the reason beside the lines, as typed, and nothing is saved.
func TestBillingFormRefusesNegativeTotal(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newBillingRig(t, db)
		c := r.srv.NewClient(t)
		c.SignIn("acme", "admin@acme.test")
		base := fmt.Sprintf("/app/clients/%d/billing", r.abc.ID)
		for _, kind := range []string{"invoices", "estimates"} {
			form := url.Values{"title": {"Vratka"}, "currency": {"EUR"}, "issue_date": {r.today.String()},
				"due_date": {r.today.AddDays(14).String()}, "valid_until": {r.today.AddDays(14).String()},
				"line_desc": {"Práca", "Zľava"}, "line_qty": {"1", "-5"}, "line_unit": {"h", ""},
				"line_price": {"100", "123"}, "line_vat": {"23", "23"}}
			resp := c.Post(base+"/"+kind, form)
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "The total is below zero", `value="-5"`)
		}
		staff := r.srv.Store.Staff(r.tn.Staff)
		invs, _, err := staff.Invoices(t.Context(), store.BillingFilter{ClientID: r.abc.ID})
		if err != nil || len(invs) != 0 {
			t.Errorf("%d invoices stored (%v), want none", len(invs), err)
		}
		ests, _, err := staff.Estimates(t.Context(), store.BillingFilter{ClientID: r.abc.ID})
		if err != nil || len(ests) != 0 {
			t.Errorf("%d estimates stored (%v), want none", len(ests), err)
		}
	})
}
