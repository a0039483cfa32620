package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"portico/internal/access"
	"portico/internal/domain"
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
	"localf":        {1},
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

// goValueIndex holds the string literals of the Go sources by the name they are
// given to: a struct field (Title: "…", p.Title = "…", and the field's place in
// an unkeyed literal), a variable, a function's parameter (s.page(r, "Clients")
// for page(r, title string)) and a function's results (func KindLabel() string
// { return "…" }). Named constants count as their literal. It is how the values
// of a field a template translates ({{t .Title}}) are found where Go sets them.
type goValueIndex map[string][]goValue

type goValue struct{ msg, where string }

// goValueDirs are the packages whose values reach the templates.
var goValueDirs = []string{"../web", "../domain", "../access", "../app"}

func buildGoValueIndex(t *testing.T) goValueIndex {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	for _, dir := range goValueDirs {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	// First the declarations: constants, parameter names, struct fields.
	consts := map[string]string{}
	params := map[string][]string{}
	fields := map[string][]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				var ps []string
				for _, fl := range d.Type.Params.List {
					for _, n := range fl.Names {
						ps = append(ps, n.Name)
					}
					if len(fl.Names) == 0 {
						ps = append(ps, "")
					}
				}
				params[d.Name.Name] = ps
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					switch sp := sp.(type) {
					case *ast.ValueSpec:
						for i, n := range sp.Names {
							if i < len(sp.Values) {
								if lit, ok := sp.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
									consts[n.Name], _ = strconv.Unquote(lit.Value)
								}
							}
						}
					case *ast.TypeSpec:
						if st, ok := sp.Type.(*ast.StructType); ok {
							var fs []string
							for _, fl := range st.Fields.List {
								for _, n := range fl.Names {
									fs = append(fs, n.Name)
								}
								if len(fl.Names) == 0 {
									fs = append(fs, "")
								}
							}
							fields[sp.Name.Name] = fs
						}
					}
				}
			}
		}
	}
	idx := goValueIndex{}
	add := func(name string, e ast.Expr) {
		msg, ok := messageOf(e)
		if id, isID := e.(*ast.Ident); isID && !ok {
			msg, ok = consts[id.Name]
		}
		if ok && name != "" && strings.ContainsFunc(i18nVerbRE.ReplaceAllString(msg, ""), isLetter) {
			idx[name] = append(idx[name], goValue{msg, fset.Position(e.Pos()).String()})
		}
	}
	nameOf := func(e ast.Expr) string {
		switch e := e.(type) {
		case *ast.Ident:
			return e.Name
		case *ast.SelectorExpr:
			return e.Sel.Name
		}
		return ""
	}
	var unkeyed func(typ ast.Expr, lit *ast.CompositeLit)
	unkeyed = func(typ ast.Expr, lit *ast.CompositeLit) {
		if lit.Type != nil {
			typ = lit.Type
		}
		switch tt := typ.(type) {
		case *ast.ArrayType:
			for _, el := range lit.Elts {
				if c, ok := el.(*ast.CompositeLit); ok {
					unkeyed(tt.Elt, c)
				}
			}
		case *ast.MapType:
			for _, el := range lit.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					if c, ok := kv.Value.(*ast.CompositeLit); ok {
						unkeyed(tt.Value, c)
					}
				}
			}
		default:
			fs := fields[nameOf(typ)]
			for i, el := range lit.Elts {
				if _, keyed := el.(*ast.KeyValueExpr); !keyed && i < len(fs) {
					add(fs[i], el)
				}
			}
		}
	}
	for _, f := range files {
		var fn string        // the enclosing function's name
		var results []string // and the names of its results
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				fn, results = n.Name.Name, nil
				if n.Type.Results != nil {
					for _, fl := range n.Type.Results.List {
						for _, nm := range fl.Names {
							results = append(results, nm.Name)
						}
					}
				}
			case *ast.CompositeLit:
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						add(nameOf(kv.Key), kv.Value)
					}
				}
				if n.Type != nil {
					unkeyed(n.Type, n)
				}
			case *ast.AssignStmt:
				if len(n.Lhs) == len(n.Rhs) {
					for i, l := range n.Lhs {
						add(nameOf(l), n.Rhs[i])
					}
				}
			case *ast.ValueSpec:
				for i, nm := range n.Names {
					if i < len(n.Values) {
						add(nm.Name, n.Values[i])
					}
				}
			case *ast.CallExpr:
				ps := params[nameOf(n.Fun)]
				for i, a := range n.Args {
					if i < len(ps) {
						add(ps[i], a)
					}
				}
			case *ast.ReturnStmt:
				if len(n.Results) == 1 {
					add("()"+fn, n.Results[0])
				}
				if len(results) == len(n.Results) {
					for i, res := range n.Results {
						add(results[i], res)
					}
				}
			}
			return true
		})
	}
	return idx
}

// of returns the values given to a name that is field or ends in field, in any
// case of its first letter (Title finds Title, title, addTitle and editTitle),
// and those a function or method named field returns (Label()).
func (idx goValueIndex) of(field string) []goValue {
	var out []goValue
	low := strings.ToLower(field[:1]) + field[1:]
	for name, vs := range idx {
		if name == field || name == low || name == "()"+field || !strings.HasPrefix(name, "()") && strings.HasSuffix(name, field) {
			out = append(out, vs...)
		}
	}
	return out
}

var (
	dynFieldRE = regexp.MustCompile(`^[.$][\w.$]*?(\w+)$`)
	dynWithRE  = regexp.MustCompile(`{{with \.(\w+)}}.*{{t \.}}`)
)

// computedTexts are the texts that templates translate and Go computes rather
// than writes down, each asked of its helper for every value the helper takes.
func computedTexts() map[string][]string {
	out := map[string][]string{}
	for _, p := range access.Permissions {
		out["permLabel"] = append(out["permLabel"], access.PermissionLabel(p))
		out["permHint"] = append(out["permHint"], access.PermissionHint(p))
	}
	for _, k := range []billingKind{kindInvoice, kindEstimate} {
		out["print .Kind"] = append(out["print .Kind"], string(k))
		out["Label"] = append(out["Label"], k.Label()) // {{t .Kind.Label}}
	}
	for _, k := range domain.DocumentKinds {
		out["KindLabel"] = append(out["KindLabel"], domain.DocumentKindLabel(k))
	}
	for _, k := range []billingKind{kindInvoice, kindEstimate} {
		out["Title"] = append(out["Title"], k.newTitle(), k.editDraftTitle(), k.listTitle())
	}
	out["NavName"] = append(out["NavName"], PortalPage{}.NavName())
	for nav := range portalNavNames {
		out["NavName"] = append(out["NavName"], PortalPage{Page: Page{Nav: nav}}.NavName())
	}
	return out
}

// dynamicTextProblems follows each computed translation of the templates
// ("where: .Title") to the Go values of its field and to computedTexts, and
// returns the values without a Slovak entry and those composed from parts,
// which {{t}} cannot find; with the number of values looked at. A computed
// translation that leads nowhere is a problem too: its texts are not checked.
func dynamicTextProblems(t *testing.T, dynamic []string) ([]string, int) {
	t.Helper()
	idx := buildGoValueIndex(t)
	computed := computedTexts()
	tabTitle := templateFuncs("en")["tabTitle"].(func(string) string)
	sk := catalogues[i18n.SK]
	var problems []string
	n := 0
	seen := map[string]bool{}
	check := func(from, msg, where string) {
		n++
		if seen[msg+where] {
			return
		}
		seen[msg+where] = true
		switch {
		case len(i18n.Verbs(msg)) > 0:
			problems = append(problems, fmt.Sprintf("%s: %q, shown by {{t %s}}, is composed in Go: translate it where it is made", where, msg, from))
		case !i18n.Has(i18n.SK, msg):
			problems = append(problems, fmt.Sprintf("%s: %q, shown by {{t %s}}, has no Slovak entry", where, msg, from))
		case sk[msg] == "":
			problems = append(problems, fmt.Sprintf("%s: %q has an empty Slovak entry", where, msg))
		}
	}
	for _, d := range dynamic {
		where, expr, _ := strings.Cut(d, ": ")
		if expr == "." {
			// {{with .X}}…{{t .}}: the value of X.
			if m := dynWithRE.FindStringSubmatch(templateLine(t, where)); m != nil {
				expr = "." + m[1]
			}
		}
		var field string
		switch {
		case computed[expr] != nil:
			for _, msg := range computed[expr] {
				check(expr, msg, where)
			}
			continue
		case expr == "permLabel ." || expr == "permHint .":
			for _, msg := range computed[strings.Fields(expr)[0]] {
				check(expr, msg, where)
			}
			continue
		case expr == "tabTitle .Tab":
			vs := idx.of("Tab")
			if len(vs) == 0 {
				problems = append(problems, where+": no Go value found for .Tab")
			}
			for _, v := range vs {
				check(expr, tabTitle(v.msg), v.where)
			}
			continue
		default:
			m := dynFieldRE.FindStringSubmatch(expr)
			if m == nil {
				problems = append(problems, fmt.Sprintf("%s: {{t %s}}: this test does not know where its texts come from", where, expr))
				continue
			}
			field = m[1]
		}
		if !unicode.IsUpper([]rune(field)[0]) {
			continue // a partial's own key: each caller's value is checked where it is handed in
		}
		vs := idx.of(field)
		for _, msg := range computed[field] {
			vs = append(vs, goValue{msg, "computed"})
		}
		if len(vs) == 0 && dictKey(t, field) {
			continue // a partial's own key, as above
		}
		if len(vs) == 0 {
			problems = append(problems, fmt.Sprintf("%s: {{t %s}}: no Go value of .%s found", where, expr, field))
		}
		for _, v := range vs {
			check(expr, v.msg, v.where)
		}
	}
	slices.Sort(problems)
	return problems, n
}

// templateLine returns the line of a template a "templates/file.html:line:col" names.
func templateLine(t *testing.T, where string) string {
	t.Helper()
	parts := strings.Split(where, ":")
	if len(parts) < 2 {
		return ""
	}
	b, err := fs.ReadFile(templateFS, "templates/"+strings.TrimPrefix(parts[0], "templates/"))
	if err != nil {
		t.Fatal(err)
	}
	line, _ := strconv.Atoi(parts[1])
	lines := strings.Split(string(b), "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	return lines[line-1]
}

// dictKey reports whether a template hands a partial a value under key
// ({{template "x" dict "Empty" "…"}}).
func dictKey(t *testing.T, key string) bool {
	t.Helper()
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\bdict\b[^}]*"` + regexp.QuoteMeta(key) + `"`)
	for _, f := range files {
		b, err := fs.ReadFile(templateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		if re.Match(b) {
			return true
		}
	}
	return false
}
