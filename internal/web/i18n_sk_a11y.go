package web

// Slovak for the accessibility aids: the skip link of both layouts.
var skA11y = map[string]string{
	"Skip to content": "Preskočiť na obsah",
}

func init() {
	for k, v := range skA11y {
		if _, ok := catalogues["sk"][k]; !ok {
			catalogues["sk"][k] = v
		}
	}
}
