package domain

import (
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Money is an amount in minor units of its currency: cents for EUR. Amounts are
// never floats, so every sum is exact; the only rounding in billing happens in
// Line.Net and VATGroup, half away from zero, and exactly what is rounded is what
// invoices print.
type Money int64

// Quantity is a number of units in thousandths: 1500 is 1.5 hours.
type Quantity int64

// Rate is a VAT rate in basis points, hundredths of a percent: 2300 is 23 %.
type Rate int64

// Scales of the fixed-point types.
const (
	QuantityScale = 1000  // Quantity(1000) is one unit
	RateScale     = 10000 // Rate(10000) is 100 %
	MoneyScale    = 100   // Money(100) is one major unit (1 EUR)
)

// Limits of one line, chosen so that no product of them can overflow an int64.
const (
	MaxQuantity  = Quantity(1_000_000 * QuantityScale) // one million units
	MaxUnitPrice = Money(10_000_000 * MoneyScale)      // ten million per unit
	MaxRate      = Rate(RateScale)                     // 100 %
	MaxLines     = 200
)

// Line is one line of an invoice or estimate.
type Line struct {
	Description string
	Quantity    Quantity
	Unit        string // "h", "pcs", "m²"; may be empty
	UnitPrice   Money  // without VAT
	VATRate     Rate
}

// Net is the line's amount without VAT: quantity × unit price, rounded to the
// minor unit half away from zero. It is rounded here, once per line, and printed
// as rounded; the document's sums add up the printed values.
func (l Line) Net() Money {
	return Money(mulDivRound(int64(l.Quantity), int64(l.UnitPrice), QuantityScale))
}

// VATGroup is the recapitulation of one VAT rate on a document: the sum of the
// net amounts of its lines (the tax base) and the VAT on that base, rounded once
// half away from zero, as tax authorities in the EU expect.
type VATGroup struct {
	Rate Rate
	Base Money
	VAT  Money
}

// Totals are the sums of a document: net, VAT and the grand total, and the VAT
// recapitulation by rate (highest rate first).
type Totals struct {
	Net    Money
	VAT    Money
	Gross  Money
	Groups []VATGroup
}

// ComputeTotals sums lines exactly: Net is the sum of the lines' rounded net
// amounts, VAT the sum of the groups' VAT, Gross their sum.
func ComputeTotals(lines []Line) Totals {
	var t Totals
	byRate := map[Rate]Money{}
	for _, l := range lines {
		n := l.Net()
		t.Net += n
		byRate[l.VATRate] += n
	}
	for rate, base := range byRate {
		g := VATGroup{Rate: rate, Base: base, VAT: Money(mulDivRound(int64(base), int64(rate), RateScale))}
		t.VAT += g.VAT
		t.Groups = append(t.Groups, g)
	}
	slices.SortFunc(t.Groups, func(a, b VATGroup) int { return int(b.Rate - a.Rate) })
	t.Gross = t.Net + t.VAT
	return t
}

// mulDivRound returns a·b/d rounded half away from zero, for d > 0, computed
// without overflow.
func mulDivRound(a, b, d int64) int64 {
	n := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	div := big.NewInt(d)
	q, r := new(big.Int).QuoRem(n, div, new(big.Int))
	if r.Abs(r).Lsh(r, 1).Cmp(div) >= 0 {
		if n.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

// ParseMoney reads an amount typed by a person: "1234.5", "1 234,50", "-12" —
// a decimal comma or point, spaces as thousands separators, at most two decimals,
// an optional currency sign. ok is false for anything else.
func ParseMoney(s string) (m Money, ok bool) {
	if !utf8.ValidString(s) {
		return 0, false // removing a sign from broken text could join its bytes into a minus
	}
	s = strings.NewReplacer("€", "", "$", "", "£", "").Replace(s)
	n, ok := parseDecimal(s, 2)
	return Money(n), ok
}

// ParseQuantity reads a quantity with at most three decimals: "1,5", "0.25", "12".
func ParseQuantity(s string) (Quantity, bool) {
	n, ok := parseDecimal(s, 3)
	return Quantity(n), ok
}

// ParseRate reads a VAT rate in percent with at most two decimals: "23", "5,5", "10 %".
func ParseRate(s string) (Rate, bool) {
	if !utf8.ValidString(s) {
		return 0, false // as in ParseMoney
	}
	n, ok := parseDecimal(strings.ReplaceAll(s, "%", ""), 2)
	return Rate(n), ok
}

// parseDecimal reads a decimal number with at most decimals digits after the
// separator and returns it scaled by 10^decimals. A lone comma or point is the
// decimal separator; with both, the last one is, and the other groups thousands.
func parseDecimal(s string, decimals int) (int64, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\t', '\'':
			return -1
		}
		return r
	}, s)
	neg := false
	if rest, found := strings.CutPrefix(s, "-"); found {
		neg, s = true, rest
	} else if rest, found := strings.CutPrefix(s, "−"); found { // the typographic minus
		neg, s = true, rest
	}
	if s == "" {
		return 0, false
	}
	sep := strings.LastIndexAny(s, ".,")
	intPart, frac := s, ""
	if sep >= 0 {
		intPart, frac = s[:sep], s[sep+1:]
		grouping := ","
		if s[sep] == ',' {
			grouping = "."
		}
		intPart = strings.ReplaceAll(intPart, grouping, "")
	}
	if intPart == "" && frac == "" {
		return 0, false // a lone separator is no number, not zero
	}
	if intPart == "" {
		intPart = "0"
	}
	if len(frac) > decimals || !allDigits(intPart) || !allDigits(frac) || len(intPart) > 15 {
		return 0, false
	}
	frac += strings.Repeat("0", decimals-len(frac))
	n, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
