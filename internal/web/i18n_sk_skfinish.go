package web

import (
	"fmt"
	"net/http"

	"portico/internal/i18n"
)

func init() { i18n.Add(i18n.SK, skFinish) }

// localf writes a text made in Go from parts ("Protocol 12", "Edit ABC s.r.o.")
// in the request's language: the format is translated, the values are not. A
// page title made so reaches {{t .Title}} already translated, for t looks up
// whole texts only.
func localf(r *http.Request, format string, args ...any) string {
	return fmt.Sprintf(translate(requestLocale(r), format), args...)
}

// newTitle, editDraftTitle and listTitle are the kind's page titles, whole
// texts the catalogue translates.
func (k billingKind) newTitle() string {
	if k == kindInvoice {
		return "New invoice"
	}
	return "New estimate"
}

func (k billingKind) editDraftTitle() string {
	if k == kindInvoice {
		return "Edit draft invoice"
	}
	return "Edit draft estimate"
}

func (k billingKind) listTitle() string {
	if k == kindInvoice {
		return "Invoices"
	}
	return "Estimates"
}

// skFinish translates the page titles, headings, labels and hints that Go sets
// and templates translate ({{t .Title}}, {{t .Heading}}, {{t .Label}}).
var skFinish = map[string]string{
	// The label of staff actions for a company without one of its own.
	"%s team": "Tím %s",
	// What switches.js and app.js say when the server's answer cannot tell.
	"Something went wrong. Please try again.":            "Niečo sa pokazilo. Skúste to znova.",
	"The server could not be reached. Please try again.": "Nepodarilo sa spojiť so serverom. Skúste to znova.",
	"Edit %s":             "Upraviť %s",
	"Protocol %d":         "Protokol %d",
	"Edit protocol %d":    "Upraviť protokol %d",
	"Connect %s":          "Pripojiť %s",
	"Edit draft invoice":  "Upraviť koncept faktúry",
	"Edit draft estimate": "Upraviť koncept cenovej ponuky",

	"Safety data sheet (SDS)": "Karta bezpečnostných údajov (KBÚ)",
	"Certificate":             "Certifikát",
	"Site map":                "Mapa prevádzky",
	"Other":                   "Iné",

	"Too many attempts":            "Príliš veľa pokusov",
	"Too large":                    "Príliš veľké",
	"Something went wrong":         "Niečo sa pokazilo",
	"That didn't work":             "To nevyšlo",
	"You don't have permission":    "Na toto nemáte oprávnenie",
	"Activate your account":        "Aktivujte si účet",
	"Activate account":             "Aktivovať účet",
	"Set a new password":           "Nastavte si nové heslo",
	"Remove":                       "Odstrániť",
	"Forgot password":              "Zabudnuté heslo",
	"This link is no longer valid": "Tento odkaz už neplatí",
	"Edit contact":                 "Upraviť kontakt",
	"Edit site":                    "Upraviť prevádzku",
	"Edit switch":                  "Upraviť spínač",

	"Shelly: the device's MQTT prefix, e.g. shellyplus1-a8032ab1 or home/plus1. Unique on the broker, and not inside another device's prefix.": "Shelly: MQTT prefix zariadenia, napr. shellyplus1-a8032ab1 alebo home/plus1. Na brokeri jedinečný a nie vnútri prefixu iného zariadenia.",
	"Shelly: the switch id, 0 to 7 (switch:0 is the first). Leave empty for a one-relay device.":                                               "Shelly: id spínača, 0 až 7 (switch:0 je prvý). Pri zariadení s jedným relé nechajte prázdne.",
	"Tasmota: the relay number, 1 to 8 (POWER1…POWER8). Leave empty for a one-relay device.":                                                   "Tasmota: číslo relé, 1 až 8 (POWER1…POWER8). Pri zariadení s jedným relé nechajte prázdne.",
	"Tasmota: the device's Topic, one level of letters, digits, '-' and '_', e.g. office_light. Unique on the broker.":                         "Tasmota: Topic zariadenia, jedna úroveň z písmen, číslic, „-“ a „_“, napr. office_light. Na brokeri jedinečný.",
}
