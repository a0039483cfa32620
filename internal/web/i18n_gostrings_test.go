package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"portico/internal/i18n"
)

// goMessageCalls names the functions and methods whose argument at the index is a
// sentence a person reads (a flash message, an error, a field message, a label
// the validator puts into one), made in Go and translated when the page is
// rendered (i18n.Message).
var goMessageCalls = map[string][]int{
	"redirectFlash": {3},
	"Errorf":        {1}, // domain.Errorf(code, format, …)
	"Add":           {1}, // Validator.Add(field, msg)
	"Required":      {2}, // Validator.Required(field, value, label)
	"invalid":       {1},
	"fieldError":    {1},
	"translate":     {1},
}

// goMessagePackages are the packages whose sentences reach pages.
var goMessagePackages = []string{"../web", "../app", "../store", "../domain", "../auth", "../access"}

// Every sentence set in Go that reaches a page — flash messages, errors, field
// messages, the labels in them — needs a Slovak entry, or a Slovak user meets
// English after saving a form. The sentences are found in the Go sources with
// go/ast: literal arguments of the message helpers, the message fields of
// domain.Error literals, and sentences built by + or fmt.Sprintf, whose varying
// parts become %s (the entry then translates every such sentence).
func TestGoStringsHaveSlovak(t *testing.T) {
	found := map[string]string{} // msgid → first place
	for _, dir := range goMessagePackages {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			for msg, where := range goMessages(t, file) {
				if _, ok := found[msg]; !ok {
					found[msg] = where
				}
			}
		}
	}
	if len(found) < 150 {
		t.Fatalf("found only %d sentences in the Go sources: the search is broken", len(found))
	}
	var missing []string
	for _, msg := range slices.Sorted(mapsKeysOf(found)) {
		tr, ok := catalogues[i18n.SK][msg]
		if !ok {
			missing = append(missing, found[msg]+": "+strconv.Quote(msg))
			continue
		}
		forms := []string{tr}
		if strings.Contains(tr, "|") {
			if forms = strings.Split(tr, "|"); len(forms) != i18n.PluralCount(i18n.SK) {
				t.Errorf("%s: Slovak for %q has %d plural forms, want 3: %q", found[msg], msg, len(forms), tr)
			}
		}
		for _, f := range forms {
			if en, sk := i18n.Verbs(msg), i18n.Verbs(f); !slices.Equal(en, sk) {
				t.Errorf("%s: Slovak for %q has verbs %v, the English %v: %q", found[msg], msg, sk, en, f)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d sentences set in Go have no Slovak entry (add them in an i18n_sk_*.go file):\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

func mapsKeysOf(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// goMessages returns the sentences of one Go file with their positions.
func goMessages(t *testing.T, file string) map[string]string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	add := func(e ast.Expr) {
		if msg, ok := messageOf(e); ok && strings.ContainsFunc(i18nVerbRE.ReplaceAllString(msg, ""), isLetter) {
			out[msg] = fset.Position(e.Pos()).String()
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			name := ""
			switch fn := n.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			for _, i := range goMessageCalls[name] {
				if i < len(n.Args) {
					add(n.Args[i])
				}
			}
		case *ast.CompositeLit:
			if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" || isIdent(n.Type, "Error") {
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					switch key := kv.Key.(*ast.Ident); {
					case key != nil && key.Name == "Message":
						add(kv.Value)
					case key != nil && key.Name == "Fields":
						if m, ok := kv.Value.(*ast.CompositeLit); ok {
							for _, fe := range m.Elts {
								if fkv, ok := fe.(*ast.KeyValueExpr); ok {
									add(fkv.Value)
								}
							}
						}
					}
				}
			}
		}
		return true
	})
	return out
}

// i18nVerbRE finds the verbs of a message id; a message of verbs alone ("%s")
// passes a message made elsewhere on and has nothing to translate.
var i18nVerbRE = regexp.MustCompile(`%[sdvq]`)

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isLetter(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }

// messageOf returns the message id of an expression: a literal as it is, a
// concatenation with %s for each part that is not a literal, fmt.Sprintf's
// format; false for anything computed elsewhere (a variable, a call).
func messageOf(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return messageOf(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, lok := messageOf(e.X)
		r, rok := messageOf(e.Y)
		if !lok && !rok {
			return "", false
		}
		if !lok {
			l = "%s"
		}
		if !rok {
			r = "%s"
		}
		return l + r, true
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" && len(e.Args) > 0 {
			return messageOf(e.Args[0])
		}
	}
	return "", false
}
