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
}

func init() {
	for k, v := range skWrap {
		if _, ok := catalogues["sk"][k]; !ok {
			catalogues["sk"][k] = v
		}
	}
}
