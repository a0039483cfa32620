package pdf_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"portico/internal/domain"
	"portico/internal/pdf"
)

// readable is a PDF's text as pdftotext gives it, no-break spaces as spaces.
func readable(t *testing.T, doc []byte) string {
	t.Helper()
	return strings.ReplaceAll(pdftotext(t, doc), "\u00a0", " ")
}

// A phone number never breaks across lines: with contact names of every length
// before it, the number sits whole on one line of the value column (54 mm), in
// both languages — and for some names it had to move to the next line to stay whole.
func TestProtocolPDFKeepsPhoneNumbersWhole(t *testing.T) {
	const clientPhone, sitePhone = "+421 905 123 456", "+421 2 5710 2233 ext. 118"
	for _, locale := range []string{"en", "sk"} {
		t.Run(locale, func(t *testing.T) {
			moved := 0
			for n := 0; n <= 40; n += 2 {
				name := "Ing. Ľubomír Šťastný" + strings.Repeat("x", n)
				data := sample()
				data.Locale = locale
				data.Client.ContactPerson, data.Client.Phone = name, clientPhone
				data.Site.ContactPerson, data.Site.Phone = "Mgr. "+name, sitePhone
				doc, err := pdf.Protocol(data)
				if err != nil {
					t.Fatal(err)
				}
				text := readable(t, doc)
				for _, phone := range []string{clientPhone, sitePhone} {
					if !strings.Contains(text, phone) {
						t.Fatalf("name of %d letters: %q is not whole on one line:\n%s", len(name), phone, text)
					}
				}
				for _, l := range strings.Split(text, "\n") {
					if strings.Contains(l, name) && !strings.Contains(l, clientPhone) {
						moved++ // the name's line does not hold the number: it went whole onto the next
						break
					}
				}
			}
			if moved == 0 {
				t.Errorf("no name was long enough to push the number to the next line; the test proves nothing")
			}
		})
	}
}

// A protocol for a Slovak reader is all Slovak: labels, headings, empty states,
// footer, date and decimal comma; no English label is left.
func TestProtocolPDFSlovak(t *testing.T) {
	data := sample()
	data.Locale = "sk"
	doc, err := pdf.Protocol(data)
	if err != nil {
		t.Fatal(err)
	}
	sk := readable(t, doc)
	for _, want := range []string{
		"Servisný protokol", "č. 1042", "Servisná správa pre ABC s.r.o.", "Klient", "IČO", "IČ DPH SK2020123456", "Fakturačná adresa",
		"Kontakt", "Prevádzka", "Adresa", "Kontakt prevádzky", "Vykonané", "14. 3. 2026 o 09:30", "Služba", "Vykonal",
		"Tím Demo Services s.r.o.", "Použité materiály", "Materiál", "Účinná látka", "Množstvo", "Miesto aplikácie", "1,5 l", "250 g",
		"Zistenia", "Odporúčania", "Technik – Demo Services s.r.o.", "Klient – ABC s.r.o.", "Strana 1 z 1",
		"+421 2 1234 5678", "+421 35 640 2020",
	} {
		if !strings.Contains(sk, want) {
			t.Errorf("the Slovak PDF lacks %q:\n%s", want, sk)
		}
	}
	// An empty draft: its empty states and title in Slovak.
	draft := sample()
	draft.Locale = "sk"
	draft.Protocol.Status, draft.Protocol.Materials, draft.Protocol.Findings, draft.Protocol.Recommendations = domain.ProtocolDraft, nil, "", ""
	draftDoc, err := pdf.Protocol(draft)
	if err != nil {
		t.Fatal(err)
	}
	skDraft := readable(t, draftDoc)
	for _, want := range []string{"Servisný protokol (KONCEPT)", "Neboli použité žiadne materiály.", "Bez zistení.", "Bez odporúčaní."} {
		if !strings.Contains(skDraft, want) {
			t.Errorf("the Slovak draft lacks %q:\n%s", want, skDraft)
		}
	}
	// No word of the English PDFs is left, but for the data's own (names,
	// the findings as the technician wrote them).
	en := func(d pdf.ProtocolData) string {
		d.Locale = "en"
		b, err := pdf.Protocol(d)
		if err != nil {
			t.Fatal(err)
		}
		return readable(t, b)
	}
	own := textWords(dataText(sample()))
	skWords := textWords(sk + "\n" + skDraft)
	for w := range textWords(en(sample()) + "\n" + en(draft)) {
		if !own[w] && skWords[w] && len([]rune(w)) > 2 {
			t.Errorf("the Slovak PDF has the English word %q", w)
		}
	}
	// The tenant's language is the default.
	data.Locale, data.Company.Locale = "", "sk"
	if doc, err = pdf.Protocol(data); err != nil || !strings.Contains(readable(t, doc), "Servisný protokol") {
		t.Errorf("a protocol with no locale of its own is not in the tenant's language (%v)", err)
	}
}

var letters = regexp.MustCompile(`\p{L}+`)

func textWords(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range letters.FindAllString(strings.ToLower(s), -1) {
		out[w] = true
	}
	return out
}

// dataText is every text of a protocol's data that the PDF prints as it is.
func dataText(d pdf.ProtocolData) string {
	c, s, p := d.Client, d.Site, d.Protocol
	parts := []string{d.Company.Name, c.Name, c.CompanyNumber, c.VATID, c.Street, c.City, c.PostalCode, c.Country, c.ContactPerson,
		s.Name, s.Address(), s.ContactPerson, p.ServiceType, p.Findings, p.Recommendations}
	for _, m := range p.Materials {
		parts = append(parts, m.MaterialName, m.ActiveSubstance, m.Unit, m.Location)
	}
	return strings.Join(parts, " ")
}

// Invoices and estimates for a Slovak reader: the decision, the team label, the
// closing sentence and the states in Slovak.
func TestBillingPDFSlovak(t *testing.T) {
	b, inv := billingSample("sk")
	at := time.Date(2026, 3, 20, 13, 5, 0, 0, time.UTC)
	e := &domain.Estimate{BillingDoc: inv.BillingDoc, ValidUntil: domain.NewDay(2026, 4, 13)}
	e.Number, e.Status = "EST-2026-0007", domain.EstimateAccepted
	e.Decision = &domain.EstimateDecision{Decision: domain.EstimateAccepted, StaffUserID: 9, ByName: "Tomáš Technik", At: at}
	doc, err := pdf.Estimate(b, e)
	if err != nil {
		t.Fatal(err)
	}
	text := readable(t, doc)
	for _, w := range []string{"Cenová ponuka", "Číslo ponuky", "Platná do", "13. 4. 2026", "Stav", "Prijatá",
		"Prijatá – Tím Čistá Služba s.r.o. za klienta, 20. 3. 2026 o 14:05.", "Dodávateľ", "Odberateľ", "Spolu bez DPH", "Strana 1 z 1"} {
		if !strings.Contains(text, w) {
			t.Errorf("the Slovak estimate lacks %q:\n%s", w, text)
		}
	}
	e.Status, e.Decision = domain.EstimateSent, nil
	if doc, err = pdf.Estimate(b, e); err != nil {
		t.Fatal(err)
	}
	if text := readable(t, doc); !strings.Contains(text, "Táto cenová ponuka platí do 13. 4. 2026.") {
		t.Errorf("the sent estimate's closing sentence:\n%s", text)
	}
	for state, want := range map[string]string{domain.InvoicePaid: "Uhradené. Ďakujeme.", domain.InvoiceVoid: "Faktúra (STORNOVANÁ)", domain.InvoiceDraft: "Faktúra (KONCEPT)"} {
		x := *inv
		x.Status = state
		doc, err := pdf.Invoice(b, &x)
		if err != nil {
			t.Fatal(err)
		}
		if text := readable(t, doc); !strings.Contains(text, want) {
			t.Errorf("a %s invoice lacks %q:\n%s", state, want, text)
		}
	}
}
