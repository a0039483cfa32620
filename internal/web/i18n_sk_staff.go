package web

// Slovak for the staff app's Users page (search, names, site chips, permission
// labels) and for inviting a client (whom to ask, the first-protocol hint).
var skStaff = map[string]string{
	// Users page.
	"Your clients' people in the portal, and the staff of": "Ľudia vašich klientov v portáli a zamestnanci spoločnosti",
	"Search users…":                 "Hľadať používateľov…",
	"Search users by name or email": "Hľadať používateľov podľa mena alebo e-mailu",
	"No users match":                "Hľadanému výrazu nezodpovedá žiadny používateľ:",
	"No portal users match":         "Hľadanému výrazu nezodpovedá žiadny používateľ portálu:",
	"No staff users match":          "Hľadanému výrazu nezodpovedá žiadny zamestnanec:",
	"Search by a part of the name or of the email address.": "Hľadajte podľa časti mena alebo e-mailovej adresy.",
	"No name given": "Meno nie je zadané",
	"all sites":     "všetky prevádzky",

	// Staff permissions as access.PermissionLabel and access.PermissionHint name them.
	"Manage clients":      "Spravovať klientov",
	"Invite portal users": "Pozývať používateľov portálu",
	"Manage switches":     "Spravovať spínače",
	"Manage documents":    "Spravovať dokumenty",
	"Manage billing":      "Spravovať fakturáciu",
	"Manage staff":        "Spravovať zamestnancov",
	"Write, complete and edit service protocols": "Písať, dokončovať a upravovať servisné protokoly",

	// Inviting a client.
	"To invite someone, you need the “Invite portal users” permission. Ask an administrator to give it to you, or to send the invitation.": "Na pozvanie potrebujete oprávnenie „Pozývať používateľov portálu“. Požiadajte administrátora, aby vám ho udelil alebo aby pozvánku poslal sám.",
	"Who can invite:": "Pozývať môžu:",
	"has no completed protocol yet, so the portal would open empty.":                                              "zatiaľ nemá žiadny dokončený protokol, portál by sa otvoril prázdny.",
	"Tip: send the invitation after the first protocol — a portal with data is more useful than an empty portal.": "Tip: pozvánku pošlite až po prvom protokole — portál s údajmi je užitočnejší ako prázdny.",
}

func init() {
	for k, v := range skStaff {
		if _, ok := catalogues["sk"][k]; !ok {
			catalogues["sk"][k] = v
		}
	}
}
