package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// The scripts say nothing in a language of their own: every sentence or label
// they show comes from the page (a data- attribute the template fills with
// {{t}}), and an English literal may stand only as the fallback after
// `getAttribute(…) ||`, for a page that lacks the attribute. A literal shown
// directly would reach a Slovak reader in English.
func TestScriptsTakeTheirWordsFromThePage(t *testing.T) {
	// A double-quoted literal that reads as words: a capital letter, then
	// letters, and a space or a full stop.
	words := regexp.MustCompile(`"([A-Z][a-z]+(?:[ ,.'’][A-Za-z’.,']*)+|[A-Z][a-z]{2,})"`)
	fallback := regexp.MustCompile(`getAttribute\("[a-z-]+"\)\s*\|\|\s*$`)
	// A literal compared with (an attribute's value, a state) is read by the
	// script, not shown.
	compared := regexp.MustCompile(`[!=]==?\s*$`)
	// Literals that are not words for a person: HTTP header values and the
	// script's own protocol names.
	notText := map[string]bool{"Accept": true, "POST": true, "GET": true}
	scripts, err := fs.Glob(staticFS, "static/*.js")
	if err != nil || len(scripts) < 2 {
		t.Fatalf("found scripts %v (%v): the search is broken", scripts, err)
	}
	checked := 0
	for _, name := range scripts {
		src, err := fs.ReadFile(staticFS, name)
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range strings.Split(string(src), "\n") {
			code := line
			if i := strings.Index(code, "//"); i >= 0 && !strings.Contains(code[:i], `"`) {
				code = code[:i]
			}
			if strings.HasPrefix(strings.TrimSpace(code), "*") {
				continue // a comment block
			}
			for _, m := range words.FindAllStringSubmatchIndex(code, -1) {
				lit := code[m[2]:m[3]]
				if notText[lit] {
					continue
				}
				checked++
				if compared.MatchString(code[:m[0]]) {
					continue
				}
				if !fallback.MatchString(code[:m[0]]) {
					t.Errorf("%s:%d shows %q in English whatever the page's language: take it from a data- attribute the template translates", name, n+1, lit)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no literal that reads as words was found: the search is broken")
	}
}
