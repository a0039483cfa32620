package pdf_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"portico/internal/domain"
	"portico/internal/pdf"
	"portico/internal/testenv"
)

// billingSample is an invoice of Demo Services to ABC for work in Košice, with
// Slovak diacritics in every part, in the locale's formats.
func billingSample(locale string) (pdf.BillingData, *domain.Invoice) {
	co := &domain.Company{Name: "Čistá Služba s.r.o.", TimeZone: "Europe/Bratislava", Locale: locale}
	inv := &domain.Invoice{
		BillingDoc: domain.BillingDoc{
			Number: "INV-2026-0042", Status: domain.InvoiceSent, Title: "Deratizácia — marec 2026", Currency: "EUR",
			IssueDate: domain.NewDay(2026, 3, 14), ClientName: "Pekáreň Žitný klas",
			Client: &domain.Client{Name: "Pekáreň Žitný klas", Street: "Štúrova 22", PostalCode: "917 01", City: "Trnava", Country: "Slovensko",
				CompanyNumber: "44777111", VATID: "SK2022334455"},
			ProjectID: 7, ProjectName: "Ochrana pred hlodavcami", SiteName: "Košice — Hlavná",
			Note: "Ľubomír Šťastný prevezme faktúru.",
			Lines: []domain.Line{
				{Description: "Kontrola nástrah, Žilina a Košice", Quantity: 1500, Unit: "h", UnitPrice: 3550, VATRate: 2300},
				{Description: "Ratimor (bromadiolón 0,005 %)", Quantity: 2500, Unit: "kg", UnitPrice: 1890, VATRate: 2300},
				{Description: "Odborná publikácia", Quantity: 1000, Unit: "ks", UnitPrice: 1999, VATRate: 500},
				{Description: "Zľava za vernosť", Quantity: 1000, Unit: "", UnitPrice: -1000, VATRate: 2300},
			},
		},
		DueDate: domain.NewDay(2026, 3, 28),
	}
	inv.Totals = domain.ComputeTotals(inv.Lines)
	return pdf.BillingData{Company: co, Details: "Priemyselná 7, 821 09 Bratislava\nIBAN SK31 1200 0000 1987 4263 7541"}, inv
}

// labels returns a chooser of a label's English or Slovak, by the locale.
func labels(locale string) func(en, sk string) string {
	return func(en, sk string) string {
		if locale == "sk" {
			return sk
		}
		return en
	}
}

// printed is f's rendering of m as pdftotext writes it: no-break spaces become spaces.
func printed(f domain.BillingFormat, m domain.Money, currency string) string {
	return strings.ReplaceAll(f.Money(m, currency), "\u00a0", " ")
}

func TestInvoicePDFText(t *testing.T) {
	for _, locale := range []string{"en", "sk"} {
		t.Run(locale, func(t *testing.T) {
			b, inv := billingSample(locale)
			doc, err := pdf.Invoice(b, inv)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(doc, []byte("%PDF-")) {
				t.Fatalf("not a PDF")
			}
			f := domain.BillingFormat{Locale: locale}
			l := labels(locale)
			text := pdftotext(t, doc)
			want := []string{
				"Čistá Služba s.r.o.", l("Invoice", "Faktúra"), "INV-2026-0042", "Priemyselná 7, 821 09 Bratislava", "IBAN SK31 1200 0000 1987 4263 7541",
				"Pekáreň Žitný klas", "Štúrova 22", "917 01 Trnava", l("VAT ID", "IČ DPH") + " SK2022334455", "Ochrana pred hlodavcami", "Košice — Hlavná",
				"Deratizácia — marec 2026", "Kontrola nástrah, Žilina a Košice", "Ratimor (bromadiolón 0,005 %)", "Zľava za vernosť",
				"Ľubomír Šťastný prevezme faktúru.", f.Day(inv.IssueDate), f.Day(inv.DueDate), l("Page 1 of 1", "Strana 1 z 1"),
				l("Due date", "Dátum splatnosti"), l("Total without VAT", "Spolu bez DPH"), l("Please pay", "Prosíme o úhradu"),
			}
			for _, l := range inv.Lines {
				want = append(want, printed(f, l.Net(), "EUR"), printed(f, l.UnitPrice, "EUR"))
			}
			for _, g := range inv.Totals.Groups {
				want = append(want, l("VAT ", "DPH ")+strings.ReplaceAll(f.Rate(g.Rate), "\u00a0", " ")+l(" of ", " zo základu ")+printed(f, g.Base, "EUR"), printed(f, g.VAT, "EUR"))
			}
			want = append(want, printed(f, inv.Totals.Net, "EUR"), printed(f, inv.Totals.Gross, "EUR"))
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("the PDF's text lacks %q", w)
				}
			}
			// The hand-checked figures: 1.5 h × 35.50 = 53.25; 2.5 kg × 18.90 = 47.25;
			// 19.99; −10.00. Base at 23 %: 90.50, VAT 20.82 (20.815 rounded up);
			// at 5 %: 19.99, VAT 1.00 (0.9995). Total 110.49 + 21.82 = 132.31.
			if inv.Totals.Net != 11049 || inv.Totals.VAT != 2182 || inv.Totals.Gross != 13231 {
				t.Errorf("totals %+v", inv.Totals)
			}
			if !t.Failed() {
				return
			}
			t.Logf("text:\n%s", text)
		})
	}
}

// rowRE finds a line of the lines table: its number first, its amount last.
var (
	rowRE   = regexp.MustCompile(`^\s*(\d+)\s{2,}.*?\s{2,}(\S.*?)\s*$`)
	amountS = `([−-]?(?:€[\d,]+\.\d\d|[\d ]+,\d\d €))`
	lineAmt = regexp.MustCompile(amountS + `\s*$`)
)

// readBack reads the printed lines table and totals out of the PDF's text.
func readBack(t *testing.T, locale, text string) (lines []domain.Money, net, vat, gross domain.Money) {
	t.Helper()
	l := labels(locale)
	money := func(s string) domain.Money {
		m, ok := domain.ParseMoney(s)
		if !ok {
			t.Fatalf("cannot read the printed amount %q", s)
		}
		return m
	}
	inTable := false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, l("# Description", "# Popis")):
			inTable = true
			continue
		case strings.HasPrefix(trimmed, l("Total without VAT", "Spolu bez DPH")):
			inTable = false
			net = money(lineAmt.FindStringSubmatch(line)[1])
		case strings.HasPrefix(trimmed, l("VAT ", "DPH ")):
			vat += money(lineAmt.FindStringSubmatch(line)[1])
		case strings.HasPrefix(trimmed, l("Total ", "Spolu ")):
			gross = money(lineAmt.FindStringSubmatch(line)[1])
		}
		if inTable && rowRE.MatchString(line) {
			m := lineAmt.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("no amount at the end of the row %q", line)
			}
			lines = append(lines, money(m[1]))
		}
	}
	return lines, net, vat, gross
}

// TestInvoicePDFPrintsWhatItSums renders generated invoices and reads them back
// with pdftotext: every printed line amount is the line's rounded net, in order;
// the printed line amounts add up exactly to the printed total without VAT, the
// printed VAT lines to the VAT, and the two to the printed total.
func TestInvoicePDFPrintsWhatItSums(t *testing.T) {
	words := []string{"Deratizácia", "Košice", "Žilina", "čistenie", "skladu", "Ľubomír", "Šťastný", "dezinsekcia", "nástrahy", "práca"}
	gen := rapid.Custom(func(t *rapid.T) *domain.Invoice {
		n := rapid.IntRange(1, 28).Draw(t, "lines")
		var lines []domain.Line
		for i := range n {
			desc := strings.Join(rapid.SliceOfN(rapid.SampledFrom(words), 1, 4).Draw(t, fmt.Sprintf("desc%d", i)), " ")
			lines = append(lines, domain.Line{Description: desc,
				Quantity:  domain.Quantity(rapid.Int64Range(1, 999_999).Draw(t, fmt.Sprintf("qty%d", i))),
				Unit:      rapid.SampledFrom([]string{"h", "ks", "m²", "kg", ""}).Draw(t, fmt.Sprintf("unit%d", i)),
				UnitPrice: domain.Money(rapid.Int64Range(-50_000, 999_999).Draw(t, fmt.Sprintf("price%d", i))),
				VATRate:   domain.Rate(rapid.SampledFrom([]int64{0, 500, 1000, 1950, 2300}).Draw(t, fmt.Sprintf("rate%d", i)))})
		}
		inv := &domain.Invoice{BillingDoc: domain.BillingDoc{Number: "INV-2026-0001", Status: domain.InvoiceSent, Currency: "EUR",
			IssueDate: domain.NewDay(2026, 1, 2), ClientName: "Žitný klas", Lines: lines}, DueDate: domain.NewDay(2026, 1, 16)}
		inv.Totals = domain.ComputeTotals(lines)
		return inv
	})
	for i := range 10 {
		inv := gen.Example(i)
		locale := []string{"en", "sk"}[i%2]
		t.Run(fmt.Sprintf("%s/%d lines", locale, len(inv.Lines)), func(t *testing.T) {
			f := domain.BillingFormat{Locale: locale}
			doc, err := pdf.Invoice(pdf.BillingData{Company: &domain.Company{Name: "Čistá Služba s.r.o.", Locale: locale}}, inv)
			if err != nil {
				t.Fatal(err)
			}
			text := pdftotext(t, doc)
			got, net, vat, gross := readBack(t, locale, text)
			if len(got) != len(inv.Lines) {
				t.Fatalf("read %d line amounts, the invoice has %d lines:\n%s", len(got), len(inv.Lines), text)
			}
			var sum domain.Money
			for j, l := range inv.Lines {
				if got[j] != l.Net() {
					t.Fatalf("line %d prints %d, its rounded net is %d (%s)", j+1, got[j], l.Net(), f.Money(l.Net(), "EUR"))
				}
				sum += got[j]
			}
			if sum != net || net != inv.Totals.Net || vat != inv.Totals.VAT || net+vat != gross || gross != inv.Totals.Gross {
				t.Fatalf("printed lines sum to %d; printed net %d, VAT %d, total %d; computed %+v", sum, net, vat, gross, inv.Totals)
			}
		})
	}
}

func TestEstimatePDFDecision(t *testing.T) {
	b, inv := billingSample("en")
	at := time.Date(2026, 3, 20, 13, 5, 0, 0, time.UTC)
	e := &domain.Estimate{BillingDoc: inv.BillingDoc, ValidUntil: domain.NewDay(2026, 4, 13)}
	e.Number, e.Status = "EST-2026-0007", domain.EstimateAccepted
	e.Decision = &domain.EstimateDecision{Decision: domain.EstimateAccepted, PortalUserID: 3, ByName: "Jana Kováčová", At: at, Comment: "Začnite v pondelok."}
	doc, err := pdf.Estimate(b, e)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftotext(t, doc)
	for _, w := range []string{"Estimate", "EST-2026-0007", "Valid until", "13 Apr 2026", "Accepted by Jana Kováčová on 20 Mar 2026, 14:05.", "Začnite v pondelok."} {
		if !strings.Contains(text, w) {
			t.Errorf("the estimate's text lacks %q:\n%s", w, text)
		}
	}
	// Recorded by staff: the team label, never the staff member's name.
	e.Decision = &domain.EstimateDecision{Decision: domain.EstimateDeclined, StaffUserID: 9, ByName: "Tomáš Technik", At: at}
	e.Status = domain.EstimateDeclined
	doc, err = pdf.Estimate(b, e)
	if err != nil {
		t.Fatal(err)
	}
	text = pdftotext(t, doc)
	if strings.Contains(text, "Tomáš") || !strings.Contains(text, "Declined by Čistá Služba s.r.o. team for the client") {
		t.Errorf("a staff-recorded decision:\n%s", text)
	}
	// A draft says so; the same input gives the same bytes.
	e.Status, e.Decision, e.Number = domain.EstimateDraft, nil, ""
	a, _ := pdf.Estimate(b, e)
	c, _ := pdf.Estimate(b, e)
	if !bytes.Equal(a, c) || !strings.Contains(pdftotext(t, a), "Estimate (DRAFT)") {
		t.Errorf("a draft estimate is not marked, or renders differently twice")
	}
}

// TestBillingPDFPictures renders an invoice (English), an estimate (Slovak) and a
// long invoice as PNGs in the test's artifact directory, for people to look at.
func TestBillingPDFPictures(t *testing.T) {
	dir := testenv.ArtifactDir(t)
	b, inv := billingSample("en")
	long := *inv
	long.Lines = nil
	for i := range 45 {
		long.Lines = append(long.Lines, inv.Lines[i%3])
	}
	long.Totals = domain.ComputeTotals(long.Lines)
	invDoc, err := pdf.Invoice(b, inv)
	if err != nil {
		t.Fatal(err)
	}
	longDoc, err := pdf.Invoice(b, &long)
	if err != nil {
		t.Fatal(err)
	}
	bsk, inv2 := billingSample("sk")
	e := &domain.Estimate{BillingDoc: inv2.BillingDoc, ValidUntil: domain.NewDay(2026, 4, 13)}
	e.Number, e.Status = "EST-2026-0007", domain.EstimateSent
	estDoc, err := pdf.Estimate(bsk, e)
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string][]byte{"invoice-en": invDoc, "invoice-long": longDoc, "estimate-sk": estDoc} {
		in := filepath.Join(dir, name+".pdf")
		if err := os.WriteFile(in, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("pdftoppm", "-png", "-r", "60", in, filepath.Join(dir, name)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
	}
	if text := pdftotext(t, longDoc); !strings.Contains(text, "Page 2 of") || strings.Count(text, "Unit price") < 2 {
		t.Errorf("a long invoice should run onto a second page with the table head repeated")
	}
	t.Logf("PDFs and PNGs in %s (%s)", dir, strconv.Quote("pdftoppm -png -r 60"))
}
