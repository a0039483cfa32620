package domain_test

import (
	"testing"
	"time"

	"portico/internal/domain"
)

// A document may not ask the client for less than nothing: a negative total is
// refused on the lines, whichever line makes it so, while a discount line that
// leaves the total at zero or above is fine.
func TestNegativeTotalIsRefused(t *testing.T) {
	day := domain.NewDay(2026, time.March, 15)
	work := domain.Line{Description: "Práca", Quantity: 2000, Unit: "h", UnitPrice: 5000, VATRate: 2300} // 100.00 net
	for _, tc := range []struct {
		name  string
		lines []domain.Line
		bad   bool
	}{
		{"positive", []domain.Line{work}, false},
		{"negative quantity", []domain.Line{{Description: "Vratka", Quantity: -5000, UnitPrice: 10000, VATRate: 2300}}, true},
		{"negative price", []domain.Line{{Description: "Vratka", Quantity: 1000, UnitPrice: -500, VATRate: 2300}}, true},
		{"discount within the total", []domain.Line{work, {Description: "Zľava", Quantity: 1000, UnitPrice: -2000, VATRate: 2300}}, false},
		{"discount to exactly zero", []domain.Line{work, {Description: "Zľava", Quantity: 1000, UnitPrice: -10000, VATRate: 2300}}, false},
		{"discount over the total", []domain.Line{work, {Description: "Zľava", Quantity: 1000, UnitPrice: -10001, VATRate: 2300}}, true},
		{"net above zero but a lower VAT on it below", []domain.Line{
			{Description: "Tovar", Quantity: 1000, UnitPrice: 10000, VATRate: 0},
			{Description: "Zľava", Quantity: 1000, UnitPrice: -9000, VATRate: 2300}, // net 10.00, VAT −20.70
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := &domain.Invoice{BillingDoc: domain.BillingDoc{Currency: "EUR", IssueDate: day, Lines: tc.lines}, DueDate: day}
			est := &domain.Estimate{BillingDoc: domain.BillingDoc{Currency: "EUR", IssueDate: day, Lines: tc.lines}, ValidUntil: day}
			for kind, err := range map[string]error{"invoice": inv.Validate(), "estimate": est.Validate()} {
				fields := domain.FieldErrors(err)
				if _, got := fields["lines"]; got != tc.bad || len(fields) > 1 || tc.bad && domain.ErrorCode(err) != domain.EINVALID {
					t.Errorf("%s: Validate() = %v (fields %v), want a lines error: %v", kind, err, fields, tc.bad)
				}
			}
		})
	}
}
