package web

// Slovak for the API tokens pages. The API's problem details are translated
// too (i18n_sk_skapi.go), all but their machine-readable parts.
var skAPI = map[string]string{
	"API tokens":     "API tokeny",
	"Your new token": "Váš nový token",
	"Copy the token now and keep it somewhere safe, such as a password manager. It is shown only once.":                                                                      "Skopírujte si token teraz a uložte ho na bezpečné miesto, napríklad do správcu hesiel. Zobrazí sa iba raz.",
	"Send it in the Authorization header: Authorization: Bearer followed by the token. It can do what you can do, and stops working when you revoke it or lose your access.": "Posielajte ho v hlavičke Authorization: Authorization: Bearer a za ním token. Môže to isté čo vy a prestane fungovať, keď ho zrušíte alebo keď stratíte prístup.",
	"New token": "Nový token",
	"A token lets a program — a spreadsheet, a building dashboard, Home Assistant — read your data through the API, with exactly your access.": "Token umožní programu — tabuľke, prehľadu budovy, Home Assistantu — čítať vaše údaje cez API, s presne vaším prístupom.",
	"API description (OpenAPI)": "Popis API (OpenAPI)",
	"Name":                      "Názov",
	"Expires on":                "Platí do",
	"Say what it is for, e.g. Home Assistant.":                          "Uveďte, na čo slúži, napr. Home Assistant.",
	"Optional. Leave empty for a token that works until you revoke it.": "Nepovinné. Nechajte prázdne pre token, ktorý platí, kým ho nezrušíte.",
	"Create token": "Vytvoriť token",
	"Your tokens":  "Vaše tokeny",
	"Created":      "Vytvorený",
	"Expires":      "Platnosť do",
	"Last used":    "Naposledy použitý",
	"Status":       "Stav",
	"Actions":      "Akcie",
	"Revoked":      "Zrušený",
	"Active":       "Aktívny",
	"Expired":      "Vypršal",
	"Revoke":       "Zrušiť",
	"Revoke token": "Zrušiť token",
	"Programs using this token lose access at once. This cannot be undone.": "Programy, ktoré tento token používajú, okamžite stratia prístup. Nedá sa to vrátiť späť.",
	"No tokens yet":                              "Zatiaľ žiadne tokeny",
	"Create one above to use the API.":           "Vytvorte si token vyššie a môžete používať API.",
	"The token was revoked. It no longer works.": "Token bol zrušený. Už nefunguje.",
	"Enter a date, like 2027-01-31.":             "Zadajte dátum, napríklad 2027-01-31.",
	"Choose a date in the future.":               "Zvoľte dátum v budúcnosti.",
	"Name is required.":                          "Názov je povinný.",
}

func init() {
	for k, v := range skAPI {
		if _, ok := catalogues["sk"][k]; !ok {
			catalogues["sk"][k] = v
		}
	}
}
