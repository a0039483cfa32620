package web

// Slovak for the first minutes with a new client: the first contact made with
// the client, the suggested device topic, the simulated device, the invitation's
// confirmation, the welcome page and the switches on the portal's overview.
var skFirst3 = map[string]string{
	") and those added later, with their protocols, documents, invoices, projects and switches.": ") aj tým, ktoré pribudnú, s ich protokolmi, dokumentmi, faktúrami, projektmi a spínačmi.",
	"A device on your network connects to":                                                       "Zariadenie vo vašej sieti sa pripája na",
	"A device on your network uses this computer's network address":                              "Zariadenie vo vašej sieti použije sieťovú adresu tohto počítača",
	"An email with a one-time link to set a password goes to":                                    "E-mail s jednorazovým odkazom na nastavenie hesla dostane",
	"Cancel":             "Zrušiť",
	"Copied":             "Skopírované",
	"Copy":               "Kopírovať",
	"Go to the overview": "Prejsť na prehľad",
	"Invite":             "Pozvať",
	"Invite to portal":   "Pozvať do portálu",
	"More switches are on the projects' pages": "Ďalšie spínače nájdete na stránkach projektov",
	"Portal seats of this client":              "Miesta v portáli pre tohto klienta",
	"Put the device's password in place of PASSWORD; it is shown only when the credentials are made.": "Namiesto PASSWORD doplňte heslo zariadenia; zobrazí sa len pri vytvorení prístupových údajov.",
	"QR code of the portal's sign-in address":                                                         "QR kód prihlasovacej adresy portálu",
	"Send invitation": "Poslať pozvánku",
	"Suggested from the name and free on the broker; change it to match a device that already has a topic. Left empty, the suggestion is used.": "Navrhnuté z názvu a na brokeri voľné; zmeňte ho, ak zariadenie už tému má. Ak pole necháte prázdne, použije sa návrh.",
	"The client portal of":              "Klientsky portál spoločnosti",
	"Your account is ready":             "Váš účet je pripravený",
	"after this invitation":             "po tejto pozvánke",
	"and port":                          "a port",
	"gets access to":                    "získa prístup ku klientovi",
	"in the portal: all its sites (now": "v portáli: ku všetkým jeho prevádzkam (teraz",
	"is this computer itself: only programs on it, such as portico simulate, reach the broker there.": "je tento počítač: broker na nej zastihnú len programy na ňom, napríklad portico simulate.",
	"so that the broker listens there too.":                                                           "aby broker počúval aj tam.",
	"start Portico with":                                                                              "spustite Portico s voľbou",
	"to the portal?":                                                                                  "do portálu?",
	"used":                                                                                            "obsadené",
}

func init() {
	for k, v := range skFirst3 {
		if _, ok := catalogues["sk"][k]; !ok {
			catalogues["sk"][k] = v
		}
	}
}
