package web

import (
	"io/fs"
	"regexp"
	"testing"
)

// Every locale's pages share one template set, so a name defined in two files
// would silently replace the other: each {{define}} and {{block}} name must be
// unique across the template files, and each page must define its own name.
func TestTemplateNamesAreUnique(t *testing.T) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v (%d files)", err, len(files))
	}
	re := regexp.MustCompile(`{{-?\s*(?:define|block)\s+"([^"]+)"`)
	where := map[string]string{}
	for _, f := range files {
		text, err := fs.ReadFile(templateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(text, -1) {
			name := string(m[1])
			if other, ok := where[name]; ok {
				t.Errorf("template %q is defined in %s and in %s", name, other, f)
			}
			where[name] = f
		}
	}
	set, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for locale, pages := range set {
		for name, tmpl := range pages {
			if tmpl.Lookup(name) == nil {
				t.Errorf("%s: page %s has no template of its name", locale, name)
			}
		}
	}
}
