package web

// Slovak for the portal on a phone and a desktop: the menu, the protocols'
// cards and filters, the projects' switch counts, the document preview and the
// note on a view limited to some sites.
var skPhone = map[string]string{
	"Menu": "Ponuka",
	"Your view is limited to the sites assigned to you:": "Vidíte len prevádzky, ktoré vám boli pridelené:",
	"none":                                   "žiadne",
	"and %d more":                            "a ďalšie %d",
	"Check the dates of the filter.":         "Skontrolujte dátumy filtra.",
	"No protocols match these filters.":      "Týmto filtrom nezodpovedá žiadny protokol.",
	"No protocols match these filters":       "Týmto filtrom nezodpovedá žiadny protokol",
	"The end date is before the start date.": "Dátum Do je skôr ako dátum Od.",
	"In all:":                                "Spolu:",
	"On:":                                    "Zapnuté:",
	"Offline:":                               "Offline:",
	"No switches":                            "Bez spínačov",
	"Download":                               "Stiahnuť",
	"Open in a new tab":                      "Otvoriť na novej karte",
	"No preview? Your browser may not show PDFs inside a page: use Download or open it in a new tab.": "Nevidíte náhľad? Váš prehliadač možno nezobrazuje PDF vnútri stránky: použite Stiahnuť alebo ho otvorte na novej karte.",
}

func init() {
	for k, v := range skPhone {
		if _, ok := catalogues["sk"][k]; !ok {
			catalogues["sk"][k] = v
		}
	}
}
