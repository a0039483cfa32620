package web

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"portico/internal/i18n"
)

// Every count a template shows goes through plural with the English singular and
// plural, and each such pair needs a Slovak entry with the three Slovak forms
// (1 / 2–4 / 0 and 5+), each carrying the count: "1 completed protocols" or "5
// protokoly" must not reach a page.
func TestTemplatePluralsHaveSlovak(t *testing.T) {
	set, err := parsedTemplates()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{} // one|other → where
	w := newTemplateWalker(set)
	for _, tmpl := range set.Templates() {
		if tmpl.Tree == nil {
			continue
		}
		w.walk(tmpl.Tree, tmpl.Tree.Root, true, func(ev walkEvent) {
			if ev.kind != evPlural {
				return
			}
			found[ev.text] = ev.where
			one, other, _ := strings.Cut(ev.text, "|")
			if !strings.Contains(one, "%d") || !strings.Contains(other, "%d") {
				t.Errorf("%s: both forms must show the count as %%d", ev.where)
			}
		})
	}
	if len(found) < 8 {
		t.Fatalf("found only %d plural calls in the templates: the search is broken", len(found))
	}
	for _, key := range slices.Sorted(maps.Keys(found)) {
		checkSlovakPlural(t, key, found[key])
	}
}

// checkSlovakPlural fails unless the Slovak catalogue has key's three forms, each
// with the English forms' verbs.
func checkSlovakPlural(t *testing.T, key, where string) {
	t.Helper()
	tr, ok := catalogues[i18n.SK][key]
	if !ok {
		t.Errorf("%s: no Slovak entry for %q", where, key)
		return
	}
	forms := strings.Split(tr, "|")
	if len(forms) != i18n.PluralCount(i18n.SK) {
		t.Errorf("%s: Slovak for %q has %d forms, want 3 (1 / 2–4 / 5+): %q", where, key, len(forms), tr)
		return
	}
	en := formatVerbs(strings.Split(key, "|")[0])
	for _, f := range forms {
		if !slices.Equal(formatVerbs(f), en) {
			t.Errorf("%s: Slovak form %q has verbs %v, the English %v", where, f, formatVerbs(f), en)
		}
	}
}
