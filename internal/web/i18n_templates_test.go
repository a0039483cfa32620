package web

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	ttemplate "text/template"
	"text/template/parse"
	"unicode"
)

// Every text a template translates must have a Slovak entry, or a Slovak user
// meets English in the middle of a page. The texts are found in the parsed
// templates, not by a regular expression: {{t "…"}}, "…" | t, and literals handed
// through dict to a partial that translates that key ({{template "field" dict
// "label" "Name"}} with {{t .label}} in "field"). A Slovak entry whose format
// verbs differ from its msgid's would print %!d(MISSING) or drop a value.
func TestEveryTemplateStringHasSlovak(t *testing.T) {
	uses, dynamic, err := templateMsgids()
	if err != nil {
		t.Fatal(err)
	}
	if len(uses) < 100 {
		t.Fatalf("found only %d msgids in the templates: the search is broken", len(uses))
	}
	sk := catalogues["sk"]
	var missing []string
	for msg, where := range uses {
		if _, ok := sk[msg]; !ok {
			missing = append(missing, fmt.Sprintf("%s: %q", where[0], msg))
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("%d template texts have no Slovak entry in catalogues[\"sk\"] (add them in an i18n_sk_*.go file):\n%s",
			len(missing), strings.Join(missing, "\n"))
	}

	for msg, tr := range sk {
		if strings.Contains(msg, "|") || strings.Contains(tr, "|") {
			continue // plural forms: TestTemplatePluralsHaveSlovak and TestGoStringsHaveSlovak check each form
		}
		if en, s := formatVerbs(msg), formatVerbs(tr); !slices.Equal(en, s) {
			t.Errorf("Slovak for %q has format verbs %v, the English has %v: %q", msg, s, en, tr)
		}
	}

	// Texts computed at run time ({{t .Title}}, {{t .Label}}) are keyed by strings
	// set in Go. Each translated field is followed into the Go sources (see
	// goValuesOf), and each text a helper computes is asked of the helper for
	// every value it takes: all of them need a Slovak entry, and a text composed
	// in Go from parts ("Protocol %d") must be translated where it is made, for
	// {{t}} looks up whole texts only.
	t.Run("dynamic", func(t *testing.T) {
		problems, n := dynamicTextProblems(t, dynamic)
		if n < 60 {
			t.Fatalf("found only %d Go texts behind the %d computed translations: the search is broken", n, len(dynamic))
		}
		if len(problems) > 0 {
			t.Errorf("%d texts set in Go reach {{t}} without a Slovak entry:\n%s", len(problems), strings.Join(problems, "\n"))
		}
	})

	// Visible English outside {{t}}: plain text between tags and the placeholder,
	// title, aria-label and alt attributes, and literals a partial prints without
	// translating. Each would reach a Slovak reader in English.
	t.Run("unwrapped", func(t *testing.T) {
		found, err := untranslatedTemplateText()
		if err != nil {
			t.Fatal(err)
		}
		if len(found) > 0 {
			t.Errorf("%d visible texts not passed through t (wrap them: {{t \"…\"}}, {{printf (t \"… %%s\") .X}} or {{tf \"… %%s\" (strong .X)}}):\n%s",
				len(found), strings.Join(found, "\n"))
		}
	})
}

// translatingFuncs are the functions of templateFuncs that take the English text
// as their argument and translate it: t, and tf, which fills the translated
// format with the values after it.
var translatingFuncs = map[string]bool{"t": true, "tf": true}

// englishFuncs are the functions of templateFuncs that return English text for
// a key; the unwrapped report lists where their result is printed without t.
var englishFuncs = map[string]bool{"permLabel": true, "permHint": true, "tabTitle": true}

// parsedTemplates parses every template file into one text/template set (the
// same files and functions the server uses), so that each tree can be walked.
func parsedTemplates() (*ttemplate.Template, error) {
	return ttemplate.New("_i18n").Funcs(ttemplate.FuncMap(templateFuncs("en"))).ParseFS(templateFS, "templates/*.html")
}

// templateMsgids returns every literal the templates translate, each with the
// places it is used, and the places where a computed value is translated.
func templateMsgids() (map[string][]string, []string, error) {
	set, err := parsedTemplates()
	if err != nil {
		return nil, nil, err
	}
	w := newTemplateWalker(set)
	uses := map[string][]string{}
	var dynamic []string
	for _, tmpl := range set.Templates() {
		if tmpl.Tree == nil {
			continue
		}
		tree := tmpl.Tree
		w.walk(tree, tree.Root, true, func(ev walkEvent) {
			switch ev.kind {
			case evMsgid:
				uses[ev.text] = append(uses[ev.text], ev.where)
			case evDynamic:
				dynamic = append(dynamic, ev.where+": "+ev.text)
			}
		})
	}
	return uses, dynamic, nil
}

type walkEventKind int

const (
	evMsgid          walkEventKind = iota // a literal that is translated
	evDynamic                             // a computed value that is translated
	evUntransArg                          // a literal handed to a partial that prints it untranslated
	evComputedArg                         // a computed text (printf …) handed to a partial key that is translated or shown
	evPrintedLiteral                      // a literal an action prints: {{or .Name "System"}}
	evPlural                              // {{plural n "one" "other"}}: text is "one|other"
)

type walkEvent struct {
	kind  walkEventKind
	text  string
	where string
}

// templateWalker knows, for each template name, which keys of its dict argument
// it translates and which it prints as they are.
type templateWalker struct {
	set        *ttemplate.Template
	translated map[string]map[string]bool
	printed    map[string]map[string]bool
}

func newTemplateWalker(set *ttemplate.Template) *templateWalker {
	w := &templateWalker{set: set, translated: map[string]map[string]bool{}, printed: map[string]map[string]bool{}}
	for _, tmpl := range set.Templates() {
		if tmpl.Tree != nil {
			w.keysOf(tmpl.Name(), map[string]bool{})
		}
	}
	return w
}

// keysOf fills translated[name] and printed[name]: the keys of the template's own
// data that it passes to t ({{t .label}}, {{t $.label}}), and those it prints
// bare ({{.title}}), following {{template "other" .}} into the other template.
func (w *templateWalker) keysOf(name string, seen map[string]bool) (map[string]bool, map[string]bool) {
	if tr, ok := w.translated[name]; ok {
		return tr, w.printed[name]
	}
	tr, pr := map[string]bool{}, map[string]bool{}
	tmpl := w.set.Lookup(name)
	if tmpl == nil || tmpl.Tree == nil || seen[name] {
		return tr, pr
	}
	seen[name] = true
	var visit func(n parse.Node, own bool)
	visitPipe := func(p *parse.PipeNode, own bool) {
		if p == nil {
			return
		}
		for i, c := range p.Cmds {
			if id, ok := c.Args[0].(*parse.IdentifierNode); ok && translatingFuncs[id.Ident] && len(c.Args) == 2 {
				if k := ownKey(c.Args[1], own); k != "" {
					tr[k] = true
				}
			}
			// A bare {{.title}} as the whole action prints the key.
			if len(p.Cmds) == 1 && len(c.Args) == 1 && i == 0 && len(p.Decl) == 0 {
				if k := ownKey(c.Args[0], own); k != "" {
					pr[k] = true
				}
			}
			for _, a := range c.Args {
				if sub, ok := a.(*parse.PipeNode); ok {
					visit(sub, own)
				}
			}
		}
	}
	visit = func(n parse.Node, own bool) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				visit(c, own)
			}
		case *parse.ActionNode:
			visitPipe(n.Pipe, own)
		case *parse.PipeNode:
			visitPipe(n, own)
		case *parse.IfNode:
			visitPipe(n.Pipe, own)
			visit(n.List, own)
			visit(n.ElseList, own)
		case *parse.RangeNode:
			visitPipe(n.Pipe, own)
			visit(n.List, false)
			visit(n.ElseList, own)
		case *parse.WithNode:
			visitPipe(n.Pipe, own)
			visit(n.List, false)
			visit(n.ElseList, own)
		case *parse.TemplateNode:
			if own && n.Pipe != nil && len(n.Pipe.Cmds) == 1 && len(n.Pipe.Cmds[0].Args) == 1 {
				if _, ok := n.Pipe.Cmds[0].Args[0].(*parse.DotNode); ok {
					t2, p2 := w.keysOf(n.Name, seen)
					for k := range t2 {
						tr[k] = true
					}
					for k := range p2 {
						pr[k] = true
					}
				}
			}
		}
	}
	visit(tmpl.Tree.Root, true)
	w.translated[name], w.printed[name] = tr, pr
	return tr, pr
}

// ownKey returns F for .F (while dot is still the template's data) or $.F.
func ownKey(n parse.Node, own bool) string {
	switch n := n.(type) {
	case *parse.FieldNode:
		if own && len(n.Ident) == 1 {
			return n.Ident[0]
		}
	case *parse.VariableNode:
		if len(n.Ident) == 2 && n.Ident[0] == "$" {
			return n.Ident[1]
		}
	}
	return ""
}

// walk reports, through emit, the translated literals and computed values in n,
// the plural calls, and what is handed to partials through dict.
func (w *templateWalker) walk(tree *parse.Tree, n parse.Node, own bool, emit func(walkEvent)) {
	where := func(n parse.Node) string {
		loc, _ := tree.ErrorContext(n)
		return "templates/" + loc
	}
	var pipe func(p *parse.PipeNode)
	pipe = func(p *parse.PipeNode) {
		if p == nil {
			return
		}
		for i, c := range p.Cmds {
			id, isIdent := c.Args[0].(*parse.IdentifierNode)
			if isIdent && id.Ident == "plural" && len(c.Args) == 4 {
				one, ok1 := c.Args[2].(*parse.StringNode)
				other, ok2 := c.Args[3].(*parse.StringNode)
				if ok1 && ok2 {
					emit(walkEvent{evPlural, one.Text + "|" + other.Text, where(c) + ": " + c.String()})
				}
			}
			if isIdent && translatingFuncs[id.Ident] {
				var arg parse.Node
				switch {
				case len(c.Args) == 2, id.Ident == "tf" && len(c.Args) > 2:
					arg = c.Args[1]
				case len(c.Args) == 1 && i > 0 && len(p.Cmds[i-1].Args) == 1:
					arg = p.Cmds[i-1].Args[0] // "…" | t
				}
				if s, ok := arg.(*parse.StringNode); ok {
					emit(walkEvent{evMsgid, s.Text, where(s)})
				} else if arg != nil {
					emit(walkEvent{evDynamic, arg.String(), where(c)})
				}
			}
			for _, a := range c.Args {
				if sub, ok := a.(*parse.PipeNode); ok {
					pipe(sub)
				}
			}
		}
	}
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			w.walk(tree, c, own, emit)
		}
	case *parse.ActionNode:
		pipe(n.Pipe)
		if len(n.Pipe.Decl) == 0 && len(n.Pipe.Cmds) == 1 {
			args := n.Pipe.Cmds[0].Args
			if id, ok := args[0].(*parse.IdentifierNode); ok && englishFuncs[id.Ident] {
				emit(walkEvent{evPrintedLiteral, fmt.Sprintf("%s returns English: use {{t (%s)}}", n, n.Pipe), where(n)})
			}
			if id, ok := args[0].(*parse.IdentifierNode); ok && (id.Ident == "or" || id.Ident == "print") {
				for _, a := range args[1:] {
					if s, ok := a.(*parse.StringNode); ok && looksLikeText(s.Text) {
						emit(walkEvent{evPrintedLiteral, fmt.Sprintf("%q printed by %s", s.Text, n), where(s)})
					}
				}
			}
		}
	case *parse.IfNode:
		pipe(n.Pipe)
		w.walk(tree, n.List, own, emit)
		w.walk(tree, n.ElseList, own, emit)
	case *parse.RangeNode:
		pipe(n.Pipe)
		w.walk(tree, n.List, false, emit)
		w.walk(tree, n.ElseList, own, emit)
	case *parse.WithNode:
		pipe(n.Pipe)
		w.walk(tree, n.List, false, emit)
		w.walk(tree, n.ElseList, own, emit)
	case *parse.TemplateNode:
		pipe(n.Pipe)
		if n.Pipe == nil || len(n.Pipe.Cmds) != 1 {
			return
		}
		args := n.Pipe.Cmds[0].Args
		if id, ok := args[0].(*parse.IdentifierNode); !ok || id.Ident != "dict" {
			return
		}
		tr, pr := w.keysOf(n.Name, map[string]bool{})
		for i := 1; i+1 < len(args); i += 2 {
			k, ok := args[i].(*parse.StringNode)
			if !ok || (!tr[k.Text] && !pr[k.Text]) {
				continue
			}
			switch v := args[i+1].(type) {
			case *parse.StringNode:
				if !tr[k.Text] && !looksLikeText(v.Text) {
					continue // an id or a URL
				}
				if tr[k.Text] {
					emit(walkEvent{evMsgid, v.Text, where(v)})
				} else {
					emit(walkEvent{evUntransArg, fmt.Sprintf("%q to %q, which prints .%s untranslated", v.Text, n.Name, k.Text), where(v)})
				}
			case *parse.FieldNode, *parse.VariableNode, *parse.ChainNode:
				if tr[k.Text] {
					emit(walkEvent{evDynamic, v.String(), where(v)})
				}
			case *parse.PipeNode:
				if literalText(v) != "" {
					emit(walkEvent{evComputedArg, fmt.Sprintf("%s to %q as .%s: translate the format instead, (printf (t %q) …)", v, n.Name, k.Text, literalText(v)), where(v)})
				}
			}
		}
	}
}

// literalText returns the first literal with a letter in a (printf "…" …) or
// (print "…" …) pipeline: English composed in the template.
func literalText(p *parse.PipeNode) string {
	if len(p.Cmds) != 1 {
		return ""
	}
	args := p.Cmds[0].Args
	if id, ok := args[0].(*parse.IdentifierNode); !ok || (id.Ident != "printf" && id.Ident != "print") {
		return ""
	}
	for _, a := range args[1:] {
		if s, ok := a.(*parse.StringNode); ok && looksLikeText(s.Text) {
			return s.Text
		}
	}
	return ""
}

var (
	verbRE  = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:\[\d+\])?[a-zA-Z%]`)
	hasWord = regexp.MustCompile(`\p{L}{2,}`)
)

// formatVerbs returns the fmt verbs of s in order, without %%.
func formatVerbs(s string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(s, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}

// looksLikeText tells words for people ("Delete %s?", "Disconnect") from ids
// and paths ("delete-site-%d", "/app/clients/%d").
func looksLikeText(s string) bool {
	if strings.HasPrefix(s, "/") || !hasWord.MatchString(verbRE.ReplaceAllString(s, " ")) {
		return false
	}
	return strings.Contains(strings.TrimSpace(s), " ") || unicode.IsUpper([]rune(s)[0])
}

var (
	actionRE      = regexp.MustCompile(`(?s){{.*?}}`)
	skipBlockRE   = regexp.MustCompile(`(?is)<(script|style|pre|code|svg)\b.*?</(script|style|pre|code|svg)>`)
	betweenTagsRE = regexp.MustCompile(`>([^<>]*)<`)
	visibleAttrRE = regexp.MustCompile(`\s((?:data-)?placeholder|data-confirm|title|aria-label|alt)="([^"]*)"`)
	entityRE      = regexp.MustCompile(`&[a-zA-Z]+;|&#\d+;`)
)

// untranslatedWords are visible texts that read the same in every language.
var untranslatedWords = map[string]bool{
	"PDF": true, "CSV": true, "2FA": true, "Portico": true, "MQTT": true, "QR": true, "IBAN": true, "SWIFT": true, "BIC": true,
}

// untranslatedTemplateText lists, as file:line: text, the visible English in
// the templates that does not pass through t: text between tags, the visible
// attributes, and literals handed through dict to a partial that prints them
// untranslated or composed with printf. It reports, it does not judge: the
// caller decides whether a list is a failure.
func untranslatedTemplateText() ([]string, error) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		b, err := fs.ReadFile(templateFS, f)
		if err != nil {
			return nil, err
		}
		// Actions become blanks of the same length, keeping the line breaks, so
		// that the offsets of the HTML left over still give the line.
		blank := func(s string) string {
			return strings.Map(func(r rune) rune {
				if r == '\n' {
					return r
				}
				return ' '
			}, s)
		}
		text := actionRE.ReplaceAllStringFunc(string(b), func(a string) string { return "\x01" + blank(a[1:]) })
		text = skipBlockRE.ReplaceAllStringFunc(text, blank)
		line := func(off int) int { return 1 + strings.Count(text[:off], "\n") }
		report := func(off int, what, s string) {
			s = strings.Join(strings.Fields(strings.ReplaceAll(entityRE.ReplaceAllString(s, " "), "\x01", "…")), " ")
			words := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" …·—–-:;,.()/«»\"'?!*%$&|", r) })
			english := false
			for _, wd := range words {
				if hasWord.MatchString(wd) && !untranslatedWords[wd] {
					english = true
				}
			}
			if english {
				out = append(out, fmt.Sprintf("%s:%d: %s %q", f, line(off), what, s))
			}
		}
		for _, m := range betweenTagsRE.FindAllStringSubmatchIndex(text, -1) {
			// Each run of text between two actions is one piece to wrap.
			off := m[2]
			for _, piece := range strings.Split(text[m[2]:m[3]], "\x01") {
				lead := len(piece) - len(strings.TrimLeft(piece, " \t\n"))
				report(off+lead, "text", piece)
				off += len(piece) + 1
			}
		}
		for _, m := range visibleAttrRE.FindAllStringSubmatchIndex(text, -1) {
			report(m[4], text[m[2]:m[3]], text[m[4]:m[5]])
		}
	}
	set, err := parsedTemplates()
	if err != nil {
		return nil, err
	}
	w := newTemplateWalker(set)
	for _, tmpl := range set.Templates() {
		if tmpl.Tree == nil {
			continue
		}
		w.walk(tmpl.Tree, tmpl.Tree.Root, true, func(ev walkEvent) {
			if ev.kind == evUntransArg || ev.kind == evComputedArg || ev.kind == evPrintedLiteral {
				out = append(out, ev.where+": "+ev.text)
			}
		})
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
