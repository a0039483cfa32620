package domain_test

import (
	"math/big"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"portico/internal/domain"
)

// roundHalfAway is the reference rounding, written independently of the
// production code: the exact rational n/d rounded to the nearest integer, halves
// away from zero.
func roundHalfAway(n *big.Int, d int64) *big.Int {
	r := new(big.Rat).SetFrac(n, big.NewInt(d))
	abs := new(big.Rat).Abs(r)
	abs.Add(abs, big.NewRat(1, 2))
	q := new(big.Int).Quo(abs.Num(), abs.Denom()) // floor, as abs ≥ 0
	if r.Sign() < 0 {
		q.Neg(q)
	}
	return q
}

// genLine draws a line anywhere in the allowed range, with a bias towards the
// halves and small values where rounding bites.
func genLine() *rapid.Generator[domain.Line] {
	return rapid.Custom(func(t *rapid.T) domain.Line {
		qty := rapid.OneOf(
			rapid.Int64Range(1, 100_000),
			rapid.Int64Range(-int64(domain.MaxQuantity), int64(domain.MaxQuantity)),
			rapid.SampledFrom([]int64{1, 5, 500, 1500, 2500, 333, 1000, int64(domain.MaxQuantity), -int64(domain.MaxQuantity)}),
		).Filter(func(q int64) bool { return q != 0 }).Draw(t, "qty")
		price := rapid.OneOf(
			rapid.Int64Range(0, 100_000),
			rapid.Int64Range(-int64(domain.MaxUnitPrice), int64(domain.MaxUnitPrice)),
			rapid.SampledFrom([]int64{1, 5, 99, 1, int64(domain.MaxUnitPrice), -int64(domain.MaxUnitPrice)}),
		).Draw(t, "price")
		rate := rapid.OneOf(
			rapid.SampledFrom([]int64{0, 500, 1000, 1900, 2000, 2100, 2300, 2700, 550, 1950}),
			rapid.Int64Range(0, int64(domain.MaxRate)),
		).Draw(t, "rate")
		return domain.Line{Description: "x", Quantity: domain.Quantity(qty), UnitPrice: domain.Money(price), VATRate: domain.Rate(rate)}
	})
}

// TestTotalsProperty: for any lines within the limits, each line's net amount is
// quantity × price rounded half away from zero to the cent; each VAT group's base
// is the exact sum of its lines' rounded amounts and its VAT that base × rate,
// rounded once; net, VAT and grand totals are exact sums of those. And what is
// printed adds up: reading back every printed line amount and group, in English
// and Slovak, gives sums equal to the printed totals.
func TestTotalsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lines := rapid.SliceOfN(genLine(), 0, domain.MaxLines).Draw(t, "lines")
		tot := domain.ComputeTotals(lines)

		sumNet := new(big.Int)
		bases := map[domain.Rate]*big.Int{}
		for i, l := range lines {
			want := roundHalfAway(new(big.Int).Mul(big.NewInt(int64(l.Quantity)), big.NewInt(int64(l.UnitPrice))), domain.QuantityScale)
			if got := l.Net(); !want.IsInt64() || int64(got) != want.Int64() {
				t.Fatalf("line %d %+v: Net = %d, reference %s", i, l, got, want)
			}
			sumNet.Add(sumNet, want)
			if bases[l.VATRate] == nil {
				bases[l.VATRate] = new(big.Int)
			}
			bases[l.VATRate].Add(bases[l.VATRate], want)
		}
		if int64(tot.Net) != sumNet.Int64() {
			t.Fatalf("Net = %d, sum of line amounts %s", tot.Net, sumNet)
		}
		if len(tot.Groups) != len(bases) {
			t.Fatalf("%d VAT groups, want one per rate: %d", len(tot.Groups), len(bases))
		}
		sumVAT, sumBase := new(big.Int), new(big.Int)
		for i, g := range tot.Groups {
			if i > 0 && tot.Groups[i-1].Rate <= g.Rate {
				t.Fatalf("groups not by rate, highest first: %+v", tot.Groups)
			}
			if int64(g.Base) != bases[g.Rate].Int64() {
				t.Fatalf("group %s: base %d, sum of its lines %s", domain.BillingFormat{}.Rate(g.Rate), g.Base, bases[g.Rate])
			}
			want := roundHalfAway(new(big.Int).Mul(bases[g.Rate], big.NewInt(int64(g.Rate))), domain.RateScale)
			if int64(g.VAT) != want.Int64() {
				t.Fatalf("group %d: VAT %d, reference %s", g.Rate, g.VAT, want)
			}
			sumVAT.Add(sumVAT, want)
			sumBase.Add(sumBase, bases[g.Rate])
		}
		if int64(tot.VAT) != sumVAT.Int64() || sumBase.Cmp(sumNet) != 0 {
			t.Fatalf("VAT = %d, sum of groups %s; bases sum to %s, net %s", tot.VAT, sumVAT, sumBase, sumNet)
		}
		if tot.Gross != tot.Net+tot.VAT {
			t.Fatalf("Gross = %d, want Net + VAT = %d", tot.Gross, tot.Net+tot.VAT)
		}

		// What is printed is what is summed.
		for _, f := range []domain.BillingFormat{{Locale: "en"}, {Locale: "sk"}} {
			read := func(m domain.Money) domain.Money {
				s := f.Money(m, "EUR")
				back, ok := domain.ParseMoney(s)
				if !ok || back != m {
					t.Fatalf("%s: %d prints as %q, which reads back as %d (ok=%v)", f.Locale, m, s, back, ok)
				}
				return back
			}
			var printedNet, printedVAT domain.Money
			for _, l := range lines {
				printedNet += read(l.Net())
			}
			for _, g := range tot.Groups {
				read(g.Base)
				printedVAT += read(g.VAT)
			}
			if printedNet != read(tot.Net) || printedVAT != read(tot.VAT) || printedNet+printedVAT != read(tot.Gross) {
				t.Fatalf("%s: printed lines sum to %d and VAT to %d; printed totals %d, %d, %d", f.Locale, printedNet, printedVAT, tot.Net, tot.VAT, tot.Gross)
			}
		}
	})
}

// Rounding at the halves, by hand.
func TestLineRounding(t *testing.T) {
	for _, tc := range []struct {
		name  string
		qty   domain.Quantity
		price domain.Money
		net   domain.Money
	}{
		{"1.5 × €0.01 = 0.015 → 0.02", 1500, 1, 2},
		{"0.5 × €0.01 = 0.005 → 0.01", 500, 1, 1},
		{"0.499 × €0.01 → 0.00", 499, 1, 0},
		{"a discount rounds away from zero too: −0.5 × €0.01 → −0.01", -500, 1, -1},
		{"3 × €33.33 = 99.99", 3000, 3333, 9999},
		{"0.333 h × €100 = 33.30", 333, 10000, 3330},
		{"1,000,000 × €10,000,000 fits", domain.MaxQuantity, domain.MaxUnitPrice, 1_000_000 * 1_000_000_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := (domain.Line{Quantity: tc.qty, UnitPrice: tc.price}).Net(); got != tc.net {
				t.Fatalf("Net = %d, want %d", got, tc.net)
			}
		})
	}
	// VAT is rounded once per rate, on the sum of the rounded line amounts:
	// three lines of €0.02 at 23 % make a base of €0.06 and VAT of €0.01 (0.0138),
	// where rounding each line's VAT (0.0046 → 0.00) would give €0.00.
	l := domain.Line{Quantity: 1000, UnitPrice: 2, VATRate: 2300}
	tot := domain.ComputeTotals([]domain.Line{l, l, l})
	if tot.Net != 6 || tot.VAT != 1 || tot.Gross != 7 || !slices.Equal(tot.Groups, []domain.VATGroup{{Rate: 2300, Base: 6, VAT: 1}}) {
		t.Fatalf("totals %+v", tot)
	}
}

func TestParseAmounts(t *testing.T) {
	for _, tc := range []struct {
		in    string
		money domain.Money
		ok    bool
	}{
		{"1234.5", 123450, true},
		{"1 234,50", 123450, true},
		{"1\u00a0234,50 €", 123450, true},
		{"€1,234.56", 123456, true},
		{"1.234,56", 123456, true},
		{"-12", -1200, true},
		{"−€0.99", -99, true},
		{",5", 50, true},
		{"12.345", 0, false}, // three decimals are not cents
		{"", 0, false},
		{"abc", 0, false},
		{"1e5", 0, false},
		{"--1", 0, false},
	} {
		got, ok := domain.ParseMoney(tc.in)
		if ok != tc.ok || (ok && got != tc.money) {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.money, tc.ok)
		}
	}
	if q, ok := domain.ParseQuantity("1,5"); !ok || q != 1500 {
		t.Errorf("ParseQuantity(1,5) = %d, %v", q, ok)
	}
	if q, ok := domain.ParseQuantity("0.125"); !ok || q != 125 {
		t.Errorf("ParseQuantity(0.125) = %d, %v", q, ok)
	}
	if _, ok := domain.ParseQuantity("0.1255"); ok {
		t.Errorf("ParseQuantity accepts four decimals")
	}
	if r, ok := domain.ParseRate("5,5 %"); !ok || r != 550 {
		t.Errorf("ParseRate(5,5 %%) = %d, %v", r, ok)
	}
}

func TestBillingFormat(t *testing.T) {
	en, sk := domain.BillingFormat{Locale: "en"}, domain.BillingFormat{Locale: "sk"}
	for _, tc := range []struct{ got, want string }{
		{en.Money(123456, "EUR"), "€1,234.56"},
		{sk.Money(123456, "EUR"), "1\u00a0234,56\u00a0€"},
		{en.Money(-5, "EUR"), "−€0.05"},
		{en.Money(100000, "CZK"), "CZK\u00a01,000.00"},
		{sk.Money(100000, "CZK"), "1\u00a0000,00\u00a0Kč"},
		{en.Quantity(1500), "1.5"},
		{sk.Quantity(1500), "1,5"},
		{en.Quantity(1_250_000), "1,250"},
		{en.Quantity(125), "0.125"},
		{en.Rate(2300), "23%"},
		{sk.Rate(550), "5,5\u00a0%"},
		{en.MoneyInput(123456), "1234.56"},
		{sk.MoneyInput(-5), "-0,05"},
		{en.Day(domain.NewDay(2026, 3, 5)), "5 Mar 2026"},
		{sk.Day(domain.NewDay(2026, 3, 5)), "5. 3. 2026"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// Lines as typed: blank rows are skipped, and errors name the row they are on.
func TestParseLines(t *testing.T) {
	lines, err := domain.ParseLines([]domain.LineInput{
		{Description: "Deratizácia", Quantity: "2", Unit: "h", UnitPrice: "35,50", VATRate: "23"},
		{Quantity: "1", VATRate: "23"}, // an offered empty row
		{Description: "Travel", Quantity: "0", UnitPrice: "x", VATRate: "120"},
	})
	if len(lines) != 2 || lines[0].UnitPrice != 3550 || lines[0].Quantity != 2000 {
		t.Fatalf("lines = %+v", lines)
	}
	fields := domain.FieldErrors(err)
	for _, f := range []string{"line_qty.2", "line_price.2", "line_vat.2"} {
		if fields[f] == "" {
			t.Errorf("no error for %s: %v", f, fields)
		}
	}
	if len(fields) != 3 {
		t.Errorf("errors %v, want exactly the three of row 2", fields)
	}
}
