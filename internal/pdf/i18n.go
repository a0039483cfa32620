package pdf

import (
	"fmt"
	"strings"

	"portico/internal/domain"
)

// The PDFs speak the reader's language: English, or Slovak for locale "sk".
// Every label goes through Doc.t (or tr) with its English text; skText holds its
// Slovak. TestPDFStringsHaveSlovak fails when a label lacks one.

// skText is the Slovak of the PDFs' labels and sentences, by their English.
var skText = map[string]string{
	// The frame.
	"Page %d of {nb}": "Strana %d z {nb}",
	"No. ":            "č. ",
	// Protocols.
	"Service protocol":         "Servisný protokol",
	"Service protocol (DRAFT)": "Servisný protokol (KONCEPT)",
	"Service report for ":      "Servisná správa pre ",
	"Client":                   "Klient",
	"Company ID":               "IČO",
	"VAT ID ":                  "IČ DPH ",
	"Billing address":          "Fakturačná adresa",
	"Contact":                  "Kontakt",
	"Site":                     "Prevádzka",
	"Address":                  "Adresa",
	"Site contact":             "Kontakt prevádzky",
	"Performed":                "Vykonané",
	"Service":                  "Služba",
	"Performed by":             "Vykonal",
	"Materials used":           "Použité materiály",
	"Material":                 "Materiál",
	"Active substance":         "Účinná látka",
	"Quantity":                 "Množstvo",
	"Where applied":            "Miesto aplikácie",
	"No materials were used.":  "Neboli použité žiadne materiály.",
	"Findings":                 "Zistenia",
	"No findings recorded.":    "Bez zistení.",
	"Recommendations":          "Odporúčania",
	"No recommendations.":      "Bez odporúčaní.",
	"Technician — ":            "Technik – ",
	"Client — ":                "Klient – ",
	"%s team":                  "Tím %s",
	// Invoices and estimates.
	"Invoice":                          "Faktúra",
	"Invoice (DRAFT)":                  "Faktúra (KONCEPT)",
	"Invoice (VOID)":                   "Faktúra (STORNOVANÁ)",
	"Invoice no.":                      "Číslo faktúry",
	"Issue date":                       "Dátum vystavenia",
	"Due date":                         "Dátum splatnosti",
	"Project":                          "Projekt",
	"Currency":                         "Mena",
	"Status":                           "Stav",
	"Paid. Thank you.":                 "Uhradené. Ďakujeme.",
	"Please pay %s by %s, quoting %s.": "Prosíme o úhradu %s do %s s uvedením čísla %s.",
	"Estimate":                         "Cenová ponuka",
	"Estimate (DRAFT)":                 "Cenová ponuka (KONCEPT)",
	"Estimate no.":                     "Číslo ponuky",
	"Valid until":                      "Platná do",
	"%s for the client":                "%s za klienta",
	"%s by %s on %s.":                  "%s – %s, %s.",
	"Comment: ":                        "Komentár: ",
	"This estimate is valid until %s. Accept or decline it in the client portal.": "Táto cenová ponuka platí do %s. Prijať alebo odmietnuť ju môžete v klientskom portáli.",
	"for %s":            "pre %s",
	"Supplier":          "Dodávateľ",
	"Customer":          "Odberateľ",
	"Company ID ":       "IČO ",
	"Tax ID ":           "DIČ ",
	"Items":             "Položky",
	"Description":       "Popis",
	"Qty":               "Množ.",
	"Unit":              "Jedn.",
	"Unit price":        "Jedn. cena",
	"VAT":               "DPH",
	"Amount":            "Suma",
	"No lines yet.":     "Zatiaľ bez položiek.",
	"Total without VAT": "Spolu bez DPH",
	"VAT %s of %s":      "DPH %s zo základu %s",
	"Total":             "Spolu",
	"Note":              "Poznámka",
	// Document states, as a word: both an invoice (faktúra) and an estimate
	// (cenová ponuka) are feminine in Slovak.
	"Draft":    "Koncept",
	"Sent":     "Odoslaná",
	"Paid":     "Uhradená",
	"Overdue":  "Po splatnosti",
	"Void":     "Stornovaná",
	"Accepted": "Prijatá",
	"Declined": "Odmietnutá",
	"Expired":  "Platnosť vypršala",
}

// tr returns the label s in the locale's language.
func tr(locale, s string) string {
	if locale == "sk" {
		if v, ok := skText[s]; ok {
			return v
		}
	}
	return s
}

// t returns the label s in the document's language.
func (d *Doc) t(s string) string { return tr(d.h.Locale, s) }

// teamLabel is who signs the work for the tenant: its team label, or "Acme team"
// in the document's language when it has none.
func teamLabel(co *domain.Company, locale string) string {
	if co.Team != "" {
		return co.Team
	}
	return fmt.Sprintf(tr(locale, "%s team"), co.Name)
}

// keepTogether makes a phone number (or a labelled ID) one word: its spaces
// become no-break spaces, so that a line never breaks inside it.
func keepTogether(phone string) string {
	return strings.Join(strings.Fields(phone), "\u00a0")
}
