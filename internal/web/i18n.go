package web

// User-visible strings pass through translate, keyed by their English text, so that
// a second language can be added as one more catalogue without touching handlers or
// templates. A missing entry falls back to English.
var catalogues = map[string]map[string]string{
	"sk": {
		"Clients":         "Klienti",
		"Users":           "Používatelia",
		"Audit log":       "Záznam aktivít",
		"Sign in":         "Prihlásiť sa",
		"Sign out":        "Odhlásiť sa",
		"Email":           "E-mail",
		"Password":        "Heslo",
		"Contacts":        "Kontakty",
		"Sites":           "Prevádzky",
		"Projects":        "Projekty",
		"Overview":        "Prehľad",
		"Save":            "Uložiť",
		"Cancel":          "Zrušiť",
		"Delete":          "Vymazať",
		"Edit":            "Upraviť",
		"Search":          "Hľadať",
		"Page not found":  "Stránka sa nenašla",
		"Add client":      "Pridať klienta",
		"Add contact":     "Pridať kontakt",
		"Add site":        "Pridať prevádzku",
		"Add project":     "Pridať projekt",
		"Company":         "Spoločnosť",
		"Name":            "Názov",
		"Company ID":      "IČO",
		"Tax ID":          "DIČ",
		"VAT ID":          "IČ DPH",
		"Contact person":  "Kontaktná osoba",
		"Phone":           "Telefón",
		"Protocol email":  "E-mail pre protokoly",
		"Main email":      "Hlavný e-mail",
		"Opening hours":   "Otváracie hodiny",
		"Note":            "Poznámka",
		"Active":          "Aktívny",
		"Finished":        "Ukončený",
		"Archived":        "Archivovaný",
		"Previous":        "Predchádzajúca",
		"Next":            "Ďalšia",
		"Billing address": "Fakturačná adresa",

		"Nothing was saved. Please correct the highlighted fields.":                                     "Nič sa neuložilo. Opravte, prosím, označené polia.",
		"Remove the control characters or invalid bytes: only text, tabs and line breaks can be saved.": "Odstráňte riadiace znaky alebo neplatné bajty: uložiť sa dá iba text, tabulátory a zalomenia riadkov.",
	},
}

// translate returns msg in the locale, or msg itself when there is no translation.
func translate(locale, msg string) string {
	if t, ok := catalogues[locale][msg]; ok {
		return t
	}
	return msg
}
