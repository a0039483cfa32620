package domain_test

import (
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"portico/internal/domain"
)

// Amounts, quantities, rates and days are typed by people into forms. These
// fuzz targets hold the parsers to two promises: what is accepted means what
// was typed (no digit lost, none invented, nothing wrapped around), and what
// the server prints for a value — in a form field or on a page — reads back as
// that same value.

var (
	en = domain.BillingFormat{Locale: "en"}
	sk = domain.BillingFormat{Locale: "sk"}
)

// amountSeeds are what people type into amount fields, and what breaks parsers.
var amountSeeds = []string{
	"1234.5", "1 234,50", "1\u00a0234,50 €", "€1,234.56", "1.234,56", "-12", "−€0.99", ",5", "0.125", "1,5",
	"23", "5,5 %", "10%", "12.345", "", "-", "abc", "1e5", "--1", "0x10", "+5", "1'000.00",
	"999999999999999", "9999999999999999", "9223372036854775807", "-9223372036854775808", "92233720368547758.07",
	"000000000000000000000001", "1.2.3", "1,2,3.4", "٣", "１２", "1\u202f000,5",
}

// digitsOf returns the ASCII digits of s in order.
func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// checkDigits checks, without the production parser, that value is the typed
// digits scaled by at most 10^decimals: that no digit was lost or invented and
// nothing overflowed, and that a value came from at least one digit.
func checkDigits(t *testing.T, in string, value int64, decimals int) {
	t.Helper()
	typed := digitsOf(in)
	if typed == "" {
		t.Fatalf("%q has no digit but was read as %d", in, value)
	}
	abs := new(big.Int).Abs(big.NewInt(value))
	if value < 0 && !strings.ContainsAny(in, "-−") {
		t.Fatalf("%q has no minus sign but was read as %d", in, value)
	}
	want := strings.TrimLeft(typed, "0")
	for k := 0; k <= decimals; k++ {
		if abs.String() == want || abs.Sign() == 0 && want == "" {
			return
		}
		want += "0"
	}
	t.Fatalf("%q was read as %d: not the typed digits %s", in, value, typed)
}

// readsBack fails unless every printed form of a value parses to the value.
func readsBack[T ~int64](t *testing.T, v T, parse func(string) (T, bool), printed ...string) {
	t.Helper()
	for _, s := range printed {
		back, ok := parse(s)
		if !ok || back != v {
			t.Fatalf("%d prints as %q, which reads back as %d (ok=%v)", v, s, back, ok)
		}
	}
}

// FuzzParseMoney: an accepted amount is exactly the typed digits in cents, at
// most 15 digits before the decimals (huge amounts are refused, never
// wrapped), and every way the server prints it reads back as the same amount.
func FuzzParseMoney(f *testing.F) {
	for _, s := range amountSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := domain.ParseMoney(s)
		if !ok {
			if m != 0 {
				t.Fatalf("refused %q but returned %d", s, m)
			}
			return
		}
		checkDigits(t, s, int64(m), 2)
		if m > 999_999_999_999_999_99 || m < -999_999_999_999_999_99 {
			t.Fatalf("%q accepted as %d: beyond 15 digits before the cents", s, m)
		}
		readsBack(t, m, domain.ParseMoney, en.MoneyInput(m), sk.MoneyInput(m),
			en.Money(m, "EUR"), sk.Money(m, "EUR"), en.Money(m, "USD"), sk.Money(m, "GBP"))
	})
}

// FuzzParseQuantity: an accepted quantity is exactly the typed digits in
// thousandths, huge ones refused, and the form field's text for it (and the
// Slovak page's) reads back as the same quantity.
func FuzzParseQuantity(f *testing.F) {
	for _, s := range amountSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, ok := domain.ParseQuantity(s)
		if !ok {
			if q != 0 {
				t.Fatalf("refused %q but returned %d", s, q)
			}
			return
		}
		checkDigits(t, s, int64(q), 3)
		if q > 999_999_999_999_999_999 || q < -999_999_999_999_999_999 {
			t.Fatalf("%q accepted as %d: beyond 15 digits before the decimals", s, q)
		}
		// English pages group thousands with a comma, so "1,234" on a page is
		// not meant to be typed back; the form field never groups.
		readsBack(t, q, domain.ParseQuantity, en.QuantityInput(q), sk.QuantityInput(q), sk.Quantity(q))
	})
}

// FuzzParseRate: an accepted VAT rate is exactly the typed digits in basis
// points, and the form field's and the pages' text for it reads back as the
// same rate.
func FuzzParseRate(f *testing.F) {
	for _, s := range amountSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := domain.ParseRate(s)
		if !ok {
			if r != 0 {
				t.Fatalf("refused %q but returned %d", s, r)
			}
			return
		}
		checkDigits(t, s, int64(r), 2)
		readsBack(t, r, domain.ParseRate, en.RateInput(r), sk.RateInput(r), en.Rate(r), sk.Rate(r))
	})
}

var lineFieldRE = regexp.MustCompile(`^line_(desc|qty|unit|price|vat)\.([01])$`)

// FuzzParseLines: two typed lines (the second possibly blank) become lines or
// field errors, never a panic. Every error names a field of a typed line; a
// line without errors holds exactly what its fields parse to, within the
// limits, so that its amount and the document's totals are exact.
func FuzzParseLines(f *testing.F) {
	f.Add("Inspection", "1,5", "h", "49.90", "23", "", "1", "", "", "23")
	f.Add("Bait station", "12", "pcs", "€4.50", "20 %", "Travel", "-1", "km", "0,45", "0")
	f.Add("Discount", "1", "", "-100", "23", "Max", "1000000", "h", "10000000", "100")
	f.Add("Too much", "1000000.001", "h", "10000000.01", "100.01", "Nothing", "0", "", "1", "-1")
	f.Add(" ", "x", " ", " ", "y", "Overflow", "999999999999999", "h", "999999999999999", "23")
	f.Fuzz(func(t *testing.T, d0, q0, u0, p0, v0, d1, q1, u1, p1, v1 string) {
		in := []domain.LineInput{
			{Description: d0, Quantity: q0, Unit: u0, UnitPrice: p0, VATRate: v0},
			{Description: d1, Quantity: q1, Unit: u1, UnitPrice: p1, VATRate: v1},
		}
		lines, err := domain.ParseLines(in)
		var typed []int
		for i, li := range in {
			if !li.Blank() {
				typed = append(typed, i)
			}
		}
		if len(lines) != len(typed) {
			t.Fatalf("%d lines from %d typed ones", len(lines), len(typed))
		}
		fields := domain.FieldErrors(err)
		if err != nil && (domain.ErrorCode(err) != domain.EINVALID || len(fields) == 0) {
			t.Fatalf("ParseLines error %v is not a form error", err)
		}
		bad := map[int]bool{}
		for field, msg := range fields {
			m := lineFieldRE.FindStringSubmatch(field)
			if m == nil || msg == "" {
				t.Fatalf("error %q: %q names no line field", field, msg)
			}
			i, _ := strconv.Atoi(m[2])
			if in[i].Blank() {
				t.Fatalf("error %q on a blank line", field)
			}
			bad[i] = true
		}
		for k, i := range typed {
			if bad[i] {
				continue
			}
			l, li := lines[k], in[i]
			q, _ := domain.ParseQuantity(li.Quantity)
			p, _ := domain.ParseMoney(li.UnitPrice)
			r, _ := domain.ParseRate(li.VATRate)
			if l.Quantity != q || l.UnitPrice != p || l.VATRate != r ||
				l.Description != strings.TrimSpace(li.Description) || l.Unit != strings.TrimSpace(li.Unit) {
				t.Fatalf("line %d %+v from %+v", i, l, li)
			}
			if q == 0 || q > domain.MaxQuantity || q < -domain.MaxQuantity || p > domain.MaxUnitPrice || p < -domain.MaxUnitPrice ||
				r < 0 || r > domain.MaxRate || l.Description == "" {
				t.Fatalf("line %d %+v accepted beyond the limits", i, l)
			}
			exact := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(int64(q)), big.NewInt(int64(p))), big.NewInt(domain.QuantityScale))
			if diff := new(big.Rat).Sub(exact, new(big.Rat).SetInt64(int64(l.Net()))); diff.Abs(diff).Cmp(big.NewRat(1, 2)) > 0 {
				t.Fatalf("line %d: Net %d is not %s rounded", i, l.Net(), exact.FloatString(3))
			}
		}
		if err == nil {
			tot := domain.ComputeTotals(lines)
			if tot.Gross != tot.Net+tot.VAT {
				t.Fatalf("totals %+v", tot)
			}
		}
	})
}

// FuzzParseDay: an accepted day is a real date that prints back as exactly
// what was typed; the zero Day ("no date") is never the result of a typed one.
func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"2026-03-15", "2024-02-29", "2025-02-29", "2026-13-01", "2026-3-15", "15.3.2026",
		"0000-01-01", "9999-12-31", "2026-03-15T10:00", " 2026-03-15", "+2026-03-15", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := domain.ParseDay(s)
		if !ok {
			if !d.IsZero() {
				t.Fatalf("refused %q but returned %v", s, d)
			}
			return
		}
		if d.IsZero() {
			t.Fatalf("%q was accepted as no date at all", s)
		}
		if d.String() != s {
			t.Fatalf("%q was read as %s", s, d)
		}
		if back, ok := domain.ParseDay(d.String()); !ok || back != d {
			t.Fatalf("%s does not read back (%v, %v)", d, back, ok)
		}
		if d.AddDays(1).Before(d) || !d.AddDays(-1).Before(d) {
			t.Fatalf("%s is not between its neighbours", d)
		}
	})
}
