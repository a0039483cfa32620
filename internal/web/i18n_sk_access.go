package web

// Slovak for the access overview and for staff viewing the portal as a user.
var skAccess = map[string]string{
	"Accepted":        "Prijatá",
	"Access overview": "Prehľad prístupov",
	"Add a client and invite their people to the portal; their access shows here.": "Pridajte klienta a pozvite jeho ľudí do portálu; ich prístupy sa zobrazia tu.",
	"All clients":                          "Všetci klienti",
	"All sites":                            "Všetky prevádzky",
	"All switches":                         "Všetky spínače",
	"Cancelled":                            "Zrušená",
	"Clear filters":                        "Zrušiť filtre",
	"Client":                               "Klient",
	"Export CSV":                           "Exportovať CSV",
	"Failed":                               "Zlyhala",
	"Filter portal access":                 "Filtrovať prístupy do portálu",
	"Filter":                               "Filtrovať",
	"Full name":                            "Meno a priezvisko",
	"Invitation not accepted":              "Pozvánka neprijatá",
	"Invitation":                           "Pozvánka",
	"Invite someone":                       "Pozvať niekoho",
	"Invited":                              "Pozvaný",
	"Last sign-in":                         "Posledné prihlásenie",
	"Never signed in":                      "Nikdy sa neprihlásil",
	"Never":                                "Nikdy",
	"No clients yet":                       "Zatiaľ žiadni klienti",
	"No portal user matches these filters": "Týmto filtrom nezodpovedá žiadny používateľ portálu",
	"No portal users.":                     "Žiadni používatelia portálu.",
	"Not accepted":                         "Neprijatá",
	"Portal user":                          "Používateľ portálu",
	"Portal users of this client, of the most allowed": "Používatelia portálu tohto klienta z najvyššieho povoleného počtu",
	"Queued":             "Vo fronte",
	"Retrying":           "Opakuje sa",
	"Seats":              "Miesta",
	"Sent":               "Odoslaná",
	"Sent, not accepted": "Odoslaná, neprijatá",
	"Site":               "Prevádzka",
	"Status":             "Stav",
	"Switches":           "Spínače",
	"Two-factor":         "Dvojfaktorové",
	"Who sees what of each client in the portal: seats, sites, switches, two-factor sign-in and invitations.": "Kto čo vidí z každého klienta v portáli: miesta, prevádzky, spínače, dvojfaktorové prihlásenie a pozvánky.",
	"Back to staff app":  "Späť do aplikácie",
	"Viewing as":         "Zobrazenie ako",
	"read-only":          "len na čítanie",
	"View as":            "Zobraziť ako",
	"View the portal as": "Zobraziť portál ako",
	"Read-only: only the user can accept or decline":                                                "Len na čítanie: prijať alebo odmietnuť môže iba používateľ",
	"Read-only: only the user can edit":                                                             "Len na čítanie: upravovať môže iba používateľ",
	"You are viewing the portal as this user, read-only: switches cannot be turned on or off here.": "Portál vidíte ako tento používateľ, len na čítanie: spínače tu nemožno zapnúť ani vypnúť.",
	"no":    "nie",
	"seats": "miest",
	"yes":   "áno",
}

func init() {
	for k, v := range skAccess {
		if _, ok := catalogues["sk"][k]; !ok {
			catalogues["sk"][k] = v
		}
	}
}
