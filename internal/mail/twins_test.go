package mail_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"portico/internal/mail"
)

var defineRE = regexp.MustCompile(`\{\{-?\s*define\s+"([^"]+)"`)

// defines lists the templates a template file defines ("subject", "content",
// "preheader"…), sorted.
func defines(t *testing.T, file string) []string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range defineRE.FindAllStringSubmatch(string(src), -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return out
}

// Every English mail template has a Slovak twin of the same name that defines
// the same parts (the subject, the text, the HTML, the preheader), and no
// Slovak template is without its English one; every kind's pair renders in
// both languages with a subject, a text and an HTML part.
func TestMailTemplatesHaveSlovakTwins(t *testing.T) {
	en, err := filepath.Glob("templates/*.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	sk, err := filepath.Glob("templates/sk/*.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	if len(en) < 12 {
		t.Fatalf("found only %d English templates: the search is broken", len(en))
	}
	names := func(files []string) []string {
		var out []string
		for _, f := range files {
			out = append(out, filepath.Base(f))
		}
		return out
	}
	enNames, skNames := names(en), names(sk)
	kinds := map[string]bool{}
	for _, n := range enNames {
		if !slices.Contains(skNames, n) {
			t.Errorf("templates/%s has no Slovak twin templates/sk/%s", n, n)
			continue
		}
		if e, s := defines(t, "templates/"+n), defines(t, "templates/sk/"+n); !slices.Equal(e, s) {
			t.Errorf("templates/%s defines %v, its Slovak twin %v", n, e, s)
		}
		if kind := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, ".tmpl"), ".txt"), ".html"); kind != "layout" {
			kinds[kind] = true
		}
	}
	for _, n := range skNames {
		if !slices.Contains(enNames, n) {
			t.Errorf("templates/sk/%s has no English twin", n)
		}
	}
	// Each kind's pair is one a mail renders: RenderIn knows the kind in both
	// languages (it refuses the data, not the kind, when given none).
	for kind := range kinds {
		for _, locale := range mail.Locales {
			if _, err := mail.RenderIn(locale, kind, struct{}{}); err == nil || strings.Contains(err.Error(), "unknown kind") {
				t.Errorf("%s: the kind %s does not render: %v", locale, kind, err)
			}
		}
	}
}
