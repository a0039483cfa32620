package web

import "portico/internal/i18n"

// Slovak for the JSON API's problem details: the titles of the statuses an API
// error takes (the English ones are Go's reason phrases) and the API's own
// sentences. A program reads the status, the type and the code, which stay the
// same; the title, the detail and the field messages are for the person reading
// them, in the token owner's language.
var skSkapi = map[string]string{
	"Bad Request":              "Chybná požiadavka",
	"Unauthorized":             "Neoverený prístup",
	"Forbidden":                "Prístup zamietnutý",
	"Not Found":                "Nenájdené",
	"Conflict":                 "Konflikt",
	"Too Many Requests":        "Priveľa požiadaviek",
	"Request Entity Too Large": "Príliš veľká požiadavka",
	"Internal Server Error":    "Chyba servera",

	"Something went wrong on our side. Please try again.":   "Niečo sa u nás pokazilo. Skúste to, prosím, znova.",
	"Not found, or not visible to this token.":              "Nenašlo sa alebo to tento token nevidí.",
	"The field %s has a value of the wrong type.":           "Pole %s má hodnotu nesprávneho typu.",
	"The field %s is not known to this endpoint.":           "Pole %s tento koncový bod nepozná.",
	"The request body is not valid JSON for this endpoint.": "Telo požiadavky nie je platný JSON pre tento koncový bod.",
}

func init() { i18n.Add(i18n.SK, skSkapi) }
