package domain

import (
	"strconv"
	"strings"
)

// BillingFormat prints amounts, quantities, rates and days the way a tenant's
// locale writes them. The web pages, the PDFs and the emails all print through it,
// so a figure reads the same everywhere, and what the PDF prints for a line is
// exactly the rounded value the totals add up. Its zero value prints English.
type BillingFormat struct {
	Locale string // "en" or "sk"
}

const nbsp = "\u00a0"

func (f BillingFormat) sk() bool { return f.Locale == "sk" }

// Money prints m in the currency: "€1,234.50" in English, "1 234,50 €" in Slovak;
// currencies without a known sign print their code.
func (f BillingFormat) Money(m Money, currency string) string {
	num := f.decimal(int64(m), 2, true)
	neg := strings.HasPrefix(num, "-")
	num = strings.TrimPrefix(num, "-")
	sign := ""
	if neg {
		sign = "−" // a real minus, which does not break from its number
	}
	sym, prefix := currencySign(currency, f.sk())
	if prefix {
		return sign + sym + num
	}
	return sign + num + nbsp + sym
}

// currencySign returns how the currency is written and whether the sign goes first.
func currencySign(currency string, sk bool) (string, bool) {
	switch currency {
	case "EUR":
		return "€", !sk
	case "USD":
		return "$", !sk
	case "GBP":
		return "£", !sk
	case "CZK":
		if sk {
			return "Kč", false
		}
	}
	if sk {
		return currency, false
	}
	return currency + nbsp, true
}

// MoneyInput prints m for a form field: no grouping and no sign, "1234.50" or "1234,50".
func (f BillingFormat) MoneyInput(m Money) string { return f.decimal(int64(m), 2, false) }

// Quantity prints a quantity with as many decimals as it has: "1.5", "12", "0.125".
func (f BillingFormat) Quantity(q Quantity) string { return f.trimmed(int64(q), 3, true) }

// QuantityInput prints a quantity for a form field, without grouping.
func (f BillingFormat) QuantityInput(q Quantity) string { return f.trimmed(int64(q), 3, false) }

// Rate prints a VAT rate: "23%" in English, "23 %" in Slovak, "5.5%".
func (f BillingFormat) Rate(r Rate) string {
	n := f.trimmed(int64(r), 2, false)
	if f.sk() {
		return n + nbsp + "%"
	}
	return n + "%"
}

// RateInput prints a VAT rate for a form field, without the percent sign.
func (f BillingFormat) RateInput(r Rate) string { return f.trimmed(int64(r), 2, false) }

// Day prints a day: "15 Mar 2026" in English, "15. 3. 2026" in Slovak, "—" for none.
func (f BillingFormat) Day(d Day) string {
	if d.IsZero() {
		return "—"
	}
	if f.sk() {
		return d.t.Format("2. 1. 2006")
	}
	return d.t.Format("2 Jan 2006")
}

// trimmed prints n/10^decimals without trailing zero decimals.
func (f BillingFormat) trimmed(n int64, decimals int, group bool) string {
	s := f.decimal(n, decimals, group)
	sep := f.point()
	if i := strings.LastIndex(s, sep); i >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, sep)
	}
	return s
}

func (f BillingFormat) point() string {
	if f.sk() {
		return ","
	}
	return "."
}

// decimal prints n/10^decimals with all decimals, grouping thousands if asked.
func (f BillingFormat) decimal(n int64, decimals int, group bool) string {
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	digits := strconv.FormatUint(u, 10)
	if len(digits) <= decimals {
		digits = strings.Repeat("0", decimals-len(digits)+1) + digits
	}
	intPart, frac := digits[:len(digits)-decimals], digits[len(digits)-decimals:]
	if group {
		sepr := ","
		if f.sk() {
			sepr = nbsp
		}
		var b strings.Builder
		for i, r := range intPart {
			if i > 0 && (len(intPart)-i)%3 == 0 {
				b.WriteString(sepr)
			}
			b.WriteRune(r)
		}
		intPart = b.String()
	}
	s := intPart
	if decimals > 0 {
		s += f.point() + frac
	}
	if neg {
		s = "-" + s
	}
	return s
}
