package store_test

import (
	"fmt"
	"testing"

	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// A document asking for a negative total is refused on its lines when it is
// created or changed, and nothing is stored; a draft that holds one anyway
// (written before totals were checked) cannot be sent, so no client is ever
// asked to pay less than nothing.
func TestNegativeTotalIsNeverStoredOrSent(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newBillingWorld(t, db, "acme")
		ctx := t.Context()
		staff := db.Store.Staff(w.Staff)
		refund := []domain.Line{{Description: "Vratka", Quantity: -5000, Unit: "ks", UnitPrice: 10000, VATRate: 2300}}
		discount := append(lines(1), domain.Line{Description: "Zľava", Quantity: 1000, UnitPrice: -5325, VATRate: 2300}) // exactly the first line

		inv := &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: w.ABC.ID, Title: "Vratka", IssueDate: w.today, Lines: refund}, DueDate: w.today.AddDays(14)}
		wantFields(t, staff.CreateInvoice(ctx, inv), "lines")
		est := &domain.Estimate{BillingDoc: domain.BillingDoc{ClientID: w.ABC.ID, Title: "Vratka", IssueDate: w.today, Lines: refund}, ValidUntil: w.today.AddDays(14)}
		wantFields(t, staff.CreateEstimate(ctx, est), "lines")
		invs, _, err := staff.Invoices(ctx, store.BillingFilter{ClientID: w.ABC.ID})
		if err != nil || len(invs) != 0 {
			t.Fatalf("after refused creation: %d invoices, %v", len(invs), err)
		}

		ok := newInvoice(t, db, w.Staff, w.ABC, nil, w.today, 14)
		ok.Lines = refund
		wantFields(t, staff.UpdateInvoice(ctx, ok), "lines")
		stored, err := staff.Invoice(ctx, w.ABC.ID, ok.ID)
		if err != nil || len(stored.Lines) != 3 || stored.Totals.Gross <= 0 {
			t.Fatalf("after refused update: %+v, %v", stored, err)
		}

		zero := &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: w.ABC.ID, Title: "Zľava", IssueDate: w.today, Lines: discount}, DueDate: w.today.AddDays(14)}
		wantCode(t, staff.CreateInvoice(ctx, zero), "")
		if _, err := staff.SendInvoice(ctx, w.ABC.ID, zero.ID); err != nil {
			t.Fatalf("a discount down to zero: %v", err)
		}

		raw := openRaw(t, db)
		if _, err := raw.ExecContext(ctx, fmt.Sprintf(`UPDATE invoice_lines SET quantity = -quantity WHERE invoice_id = %d`, ok.ID)); err != nil {
			t.Fatal(err)
		}
		_, err = staff.SendInvoice(ctx, w.ABC.ID, ok.ID)
		wantFields(t, err, "lines")
		if stored, err := staff.Invoice(ctx, w.ABC.ID, ok.ID); err != nil || stored.Status != domain.InvoiceDraft || stored.Number != "" {
			t.Fatalf("after refused send: %+v, %v", stored, err)
		}
	})
}
