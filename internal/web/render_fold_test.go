package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
)

// A folded action writes what html/template would have written in its place, in
// every context it folds (text, quoted attributes, RCDATA), for strings and for
// HTML; actions in other contexts (URLs, script, unquoted attributes, CSS) and
// actions of data are left to run.
func TestFoldConstantsWritesWhatTheTemplateWould(t *testing.T) {
	const nasty = `<b>&amp;</b> "q" 'a' +1 <script>x</script>`
	funcs := template.FuncMap{
		"t":    func(s string) string { return s + nasty + `<u>"t"</u>` },
		"icon": func(s string) template.HTML { return template.HTML(`<i class="` + s + `">` + nasty + `</i>`) },
	}
	const src = `{{define "page"}}<title>{{t "T"}} {{icon "i"}}</title>
<p title="{{t "A"}}" data-x="{{icon "i"}}" class=x{{t "U"}}>{{t "P"}}{{icon "i"}}{{.}}</p>
<a href="{{t "H"}}">{{t "L"}}</a><a href="/x?q={{t "Q"}}">x</a>
<textarea>{{t "R"}}</textarea>
<script>var s = {{t "S"}}; var h = "{{t "J"}}";</script><style>p { color: {{t "C"}} }</style>
<button onclick="f({{t "O"}})">{{template "part" .}}</button>{{end}}
{{define "part"}}{{t "X"}}{{if .}}{{icon "y"}}{{else}}{{t "Z"}}{{end}}{{range $i, $v := .}}{{t "R"}}{{end}}{{end}}`
	render := func(fold bool) (string, int) {
		set := template.Must(template.New("_").Funcs(funcs).Parse(src))
		n := 0
		if fold {
			var err error
			if n, err = foldConstants(set, []string{"page"}, funcs); err != nil {
				t.Fatal(err)
			}
		}
		var b bytes.Buffer
		if err := set.ExecuteTemplate(&b, "page", []string{"data <x>", "y"}); err != nil {
			t.Fatal(err)
		}
		return b.String(), n
	}
	want, _ := render(false)
	got, n := render(true)
	if got != want {
		t.Errorf("folded:\n%s\nnot folded:\n%s", got, want)
	}
	// Folded: T, the title's icon, A, data-x's icon, P, its icon, L, R (textarea), X, y, Z, R (range).
	if n != 12 {
		t.Errorf("folded %d actions, want 12", n)
	}
	if strings.Contains(got, `<u>"t"</u>`) || !strings.Contains(got, "&lt;u&gt;&#34;t&#34;&lt;/u&gt;") {
		t.Errorf("an unescaped string is in the page:\n%s", got)
	}
}
