package web

// Slovak for the shorter first minutes: the new client's contact, the
// simulated device, the activation's single password field with Show, and
// the welcome page, and the connection page's next step.
var skFirst = map[string]string{
	"Also add the contact person as a contact": "Pridať kontaktnú osobu aj ako kontakt",
	"Next:":                           "Ďalej:",
	"The device is connected.":        "Zariadenie je pripojené.",
	"Hide":                            "Skryť",
	"No device at hand? Simulate one": "Nemáte zariadenie po ruke? Simulujte ho",
	"Run it in a terminal where Portico runs, to play this device:": "Spustite ho v termináli tam, kde beží Portico; zahrá toto zariadenie:",
	"Or scan the code to open it on your phone.":                    "Alebo naskenujte kód a otvorte ju v telefóne.",
	"Show":                                 "Zobraziť",
	"Sign in here next time. Bookmark it:": "Nabudúce sa prihláste tu. Uložte si adresu medzi záložky:",
}

func init() {
	for k, v := range skFirst {
		if _, ok := catalogues["sk"][k]; !ok {
			catalogues["sk"][k] = v
		}
	}
}
