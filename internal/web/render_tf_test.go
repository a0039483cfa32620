package web

import (
	"html/template"
	"strings"
	"testing"
)

// tf puts the values into the translated sentence where the translation wants
// them, escapes the sentence and plain values, and keeps strong's markup.
func TestTemplateTfTranslatesAndEscapes(t *testing.T) {
	tmpl := template.Must(template.New("x").Funcs(templateFuncs("sk")).Parse(
		`{{tf "If an account exists for %s, we have sent it a link to set a new password. The link is valid for 1 hour. Check your spam folder too." (strong .)}}|{{tf "Edit %v" .}}`))
	var b strings.Builder
	if err := tmpl.Execute(&b, "<o'neil@x.test>"); err != nil {
		t.Fatal(err)
	}
	want := "Ak pre <strong>&lt;o&#39;neil@x.test&gt;</strong> existuje účet, poslali sme naň odkaz na nastavenie nového hesla. Odkaz platí 1 hodinu. Pozrite sa aj do priečinka s nevyžiadanou poštou.|Upraviť &lt;o&#39;neil@x.test&gt;"
	if b.String() != want {
		t.Errorf("tf rendered\n%s\nwant\n%s", b.String(), want)
	}
}
