package web

import "portico/internal/i18n"

// User-visible strings pass through translate, keyed by their English text, so that
// a second language can be added as one more catalogue without touching handlers or
// templates. A missing entry falls back to English.
//
// catalogues are package i18n's own maps: the i18n_sk_*.go files write their
// entries into catalogues["sk"] and mail, pdf and the template functions read
// them through i18n.
var catalogues = map[string]map[string]string{i18n.SK: i18n.Catalogue(i18n.SK)}

func init() { i18n.Add(i18n.SK, skCore) }

// skCore is the first Slovak catalogue: the staff app's frame and two-factor sign-in.
var skCore = map[string]string{
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

	// Two-factor sign-in.
	"Two-factor sign-in": "Dvojfaktorové prihlásenie",
	"Type the 6-digit code from your authenticator app, or one of your recovery codes.": "Zadajte 6-miestny kód z overovacej aplikácie alebo jeden zo záložných kódov.",
	"Code":                "Kód",
	"Verify and sign in":  "Overiť a prihlásiť sa",
	"Start again":         "Začať znova",
	"Account security":    "Zabezpečenie účtu",
	"Your recovery codes": "Vaše záložné kódy",
	"Store these codes somewhere safe, such as a password manager. Each one signs you in once if you lose your phone. They are shown only now.": "Uložte si tieto kódy na bezpečné miesto, napríklad do správcu hesiel. Ak stratíte telefón, každý z nich vás raz prihlási. Zobrazujú sa iba teraz.",
	"I have stored them": "Uložil(a) som si ich",
	"On":                 "Zapnuté",
	"Off":                "Vypnuté",
	"When you sign in, you type a code from your authenticator app after your password.": "Pri prihlásení zadáte po hesle kód z overovacej aplikácie.",
	"Unused recovery codes:": "Nepoužité záložné kódy:",
	"1. Scan this QR code with an authenticator app (for example Google Authenticator, Microsoft Authenticator, 1Password or Aegis).": "1. Naskenujte tento QR kód overovacou aplikáciou (napríklad Google Authenticator, Microsoft Authenticator, 1Password alebo Aegis).",
	"QR code for your authenticator app":                  "QR kód pre overovaciu aplikáciu",
	"Cannot scan it? Type this key into the app instead:": "Nedá sa naskenovať? Zadajte do aplikácie tento kľúč:",
	"2. Type the 6-digit code the app shows to finish.":   "2. Na dokončenie zadajte 6-miestny kód, ktorý aplikácia zobrazuje.",
	"Code from the app":                                   "Kód z aplikácie",
	"Turn on two-factor sign-in":                          "Zapnúť dvojfaktorové prihlásenie",
	"Protect your account with a second step at sign-in: a code from an authenticator app on your phone.": "Chráňte svoj účet druhým krokom pri prihlásení: kódom z overovacej aplikácie v telefóne.",
	"Set up two-factor sign-in":                      "Nastaviť dvojfaktorové prihlásenie",
	"New recovery codes":                             "Nové záložné kódy",
	"Makes 10 new codes; the old ones stop working.": "Vytvorí 10 nových kódov; staré prestanú platiť.",
	"Make new recovery codes":                        "Vytvoriť nové záložné kódy",
	"Turn off two-factor sign-in":                    "Vypnúť dvojfaktorové prihlásenie",
	"Your company requires two-factor sign-in of all staff, so it cannot be turned off.": "Vaša spoločnosť vyžaduje dvojfaktorové prihlásenie od všetkých zamestnancov, preto ho nemožno vypnúť.",
	"Your password or a code": "Vaše heslo alebo kód",
	"Turn off":                "Vypnúť",
	"Your company requires two-factor sign-in. Set it up to continue using Portico.": "Vaša spoločnosť vyžaduje dvojfaktorové prihlásenie. Nastavte si ho, aby ste mohli Portico ďalej používať.",
	"Staff sign-in": "Prihlásenie zamestnancov",
	"Require two-factor sign-in for all staff":                                             "Vyžadovať dvojfaktorové prihlásenie od všetkých zamestnancov",
	"staff without it must set it up before they can use Portico, and cannot turn it off.": "zamestnanci bez neho si ho musia nastaviť, kým budú môcť Portico používať, a nemôžu ho vypnúť.",
	"If the user lost their phone and their recovery codes, reset two-factor sign-in: they then sign in with their password alone and can set it up again. The reset is recorded in the audit log.": "Ak používateľ stratil telefón aj záložné kódy, zrušte mu dvojfaktorové prihlásenie: potom sa prihlási len heslom a môže si ho nastaviť znova. Zrušenie sa zapíše do záznamu aktivít.",
	"Reset two-factor sign-in": "Zrušiť dvojfaktorové prihlásenie",
	"The user signs in with their password alone. They can turn on two-factor sign-in under Account security in the portal.":                                                                 "Používateľ sa prihlasuje len heslom. Dvojfaktorové prihlásenie si môže zapnúť v portáli v časti Zabezpečenie účtu.",
	"If this person lost their phone and their recovery codes, reset two-factor sign-in: they then sign in with their password and set it up again. The reset is recorded in the audit log.": "Ak táto osoba stratila telefón aj záložné kódy, zrušte jej dvojfaktorové prihlásenie: potom sa prihlási heslom a nastaví si ho znova. Zrušenie sa zapíše do záznamu aktivít.",
	"This person signs in with their password alone.":                                               "Táto osoba sa prihlasuje len heslom.",
	"Nothing was saved. Please correct the highlighted fields.":                                     "Nič sa neuložilo. Opravte, prosím, označené polia.",
	"Remove the control characters or invalid bytes: only text, tabs and line breaks can be saved.": "Odstráňte riadiace znaky alebo neplatné bajty: uložiť sa dá iba text, tabulátory a zalomenia riadkov.",
}

// translate returns msg in the locale, or msg itself when there is no translation.
func translate(locale, msg string) string { return i18n.T(locale, msg) }
