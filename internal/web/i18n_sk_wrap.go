package web

// Slovak for the template texts that carry a value (labels of icon buttons,
// sentences around an address or a name) and the last plain texts wrapped in t.
var skWrap = map[string]string{
	"%s has no sites yet.":         "%s zatiaľ nemá žiadne prevádzky.",
	"%v can sign in to the portal": "%v sa môže prihlásiť do portálu",
	"A client can have at most %v portal users. Disconnect one first.": "Klient môže mať najviac %v používateľov portálu. Najprv jedného odpojte.",
	"Disconnect %v":     "Odpojiť %v",
	"Download %v":       "Stiahnuť %v",
	"Edit %v":           "Upraviť %v",
	"Edit access of %v": "Upraviť prístup používateľa %v",
	"For %s. Use at least 10 characters; a few unrelated words make a strong password.":                                                    "Pre %s. Použite aspoň 10 znakov; niekoľko nesúvisiacich slov tvorí silné heslo.",
	"If an account exists for %s, we have sent it a link to set a new password. The link is valid for 1 hour. Check your spam folder too.": "Ak pre %s existuje účet, poslali sme naň odkaz na nastavenie nového hesla. Odkaz platí 1 hodinu. Pozrite sa aj do priečinka s nevyžiadanou poštou.",
	"Invite %v to the portal": "Pozvať %v do portálu",
	"Material, line %v":       "Materiál, riadok %v",
	"New password link for %s — pass it on privately; it works once, for 7 days:": "Odkaz na nové heslo pre %s – odovzdajte ho súkromne; funguje raz, 7 dní:",
	"New password link for %v": "Odkaz na nové heslo pre %v",
	"PDF of protocol %v":       "PDF protokolu %v",
	"Preview %v":               "Náhľad %v",
	"Quantity, line %v":        "Množstvo, riadok %v",
	"Resend invitation to %v":  "Znova poslať pozvánku na %v",
	"Safety data sheets marked %s appear on a client's Documents page when this material was used in one of the client's completed protocols in the last 24 months.": "Karty bezpečnostných údajov označené %s sa zobrazia klientovi na stránke Dokumenty, ak bol tento materiál použitý v niektorom z jeho dokončených protokolov za posledných 24 mesiacov.",
	"Send reset link to %v":                "Poslať odkaz na obnovenie hesla na %v",
	"Unit, line %v":                        "Jednotka, riadok %v",
	"Where applied, line %v":               "Miesto aplikácie, riadok %v",
	"first: every protocol is for a site.": "– každý protokol patrí k prevádzke.",
	"%s gets access to all of its sites. The person receives an email with a link to set a password.":                                 "Pozvaná osoba získa prístup ku klientovi %s a ku všetkým jeho prevádzkam. Dostane e-mail s odkazom na nastavenie hesla.",
	"A completed protocol is final: it can no longer be changed, and %s's portal users with access to %s see it and its PDF at once.": "Dokončený protokol je konečný: už ho nemožno zmeniť a používatelia portálu klienta %s s prístupom k prevádzke %s ho spolu s PDF uvidia okamžite.",
	"A project groups work for %s, optionally at one of its sites.":                                                                   "Projekt združuje prácu pre klienta %s, prípadne na jednej z jeho prevádzok.",
	"A protocol records a service visit at one of %s's sites. Completed protocols appear in the client's portal.":                     "Protokol zaznamenáva servisný zásah na niektorej z prevádzok klienta %s. Dokončené protokoly sa zobrazia v klientskom portáli.",
	"Add the people you deal with at %s.":                                                                 "Pridajte ľudí, s ktorými jednáte u klienta %s.",
	"Delete is possible once the client has no sites or projects, and no portal users.":                   "Vymazať klienta možno, až keď nemá žiadne prevádzky, projekty ani používateľov portálu.",
	"Delete is possible once the client has no sites or projects.":                                        "Vymazať klienta možno, až keď nemá žiadne prevádzky ani projekty.",
	"Delete this draft estimate?":                                                                         "Vymazať tento koncept cenovej ponuky?",
	"Delete this draft invoice?":                                                                          "Vymazať tento koncept faktúry?",
	"Invite someone from %s to see their protocols, documents and sites in the portal.":                   "Pozvite niekoho od klienta %s, aby v portáli videl jeho protokoly, dokumenty a prevádzky.",
	"Invoices for %s start as drafts; sending one gives it its number and shows it in the client portal.": "Faktúry pre klienta %s vznikajú ako koncepty; odoslaním faktúra dostane číslo a zobrazí sa v klientskom portáli.",
	"No clients match “%s”":                                                                               "Hľadaniu „%s“ nezodpovedá žiadny klient",
	"No materials match “%s”":                                                                             "Hľadaniu „%s“ nezodpovedá žiadny materiál",
	// "on %s" dates an answer to an estimate ("Accepted by … on 4 Dec 2026"); the
	// bare "on" would be read as a switch state.
	"on %s":         "dňa %s",
	"Page %v of %v": "Strana %v z %v",
	"Printed on the estimate and shown in the portal, e.g. payment terms.": "Vytlačí sa na cenovej ponuke a zobrazí v portáli, napr. platobné podmienky.",
	"Printed on the invoice and shown in the portal, e.g. payment terms.":  "Vytlačí sa na faktúre a zobrazí v portáli, napr. platobné podmienky.",
	"Projects at this site": "Projekty na tejto prevádzke",
	"Send %s an estimate, and they can accept or decline it in the client portal.": "Pošlite klientovi %s cenovú ponuku; v klientskom portáli ju môže prijať alebo odmietnuť.",
	"Sites are the addresses where you work for %s.":                               "Prevádzky sú adresy, na ktorých pracujete pre klienta %s.",
	"Void invoice %s?":                     "Stornovať faktúru %s?",
	"Who changed what in %s, newest first": "Kto čo zmenil v spoločnosti %s, najnovšie navrchu",
}

func init() {
	for k, v := range skWrap {
		if _, ok := catalogues["sk"][k]; !ok {
			catalogues["sk"][k] = v
		}
	}
}
