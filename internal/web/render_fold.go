package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/template/parse"
)

// Folding constant actions.
//
// A page is mostly fixed wording: {{t "Date"}} in every row of a table,
// {{icon "download"}} beside every button. html/template runs each such action
// as two reflective calls on every request — the function, then the escaper it
// put after it for the action's context — for a value that is the same every
// time in a locale's set. foldConstants evaluates those actions once, after
// html/template has escaped the set, and puts their output in the tree as text:
// the page's bytes are the same, because the value goes through exactly the
// escaper html/template chose for that place (the same function, called the
// same way, see foldEscapers); only actions of which every part is known are
// folded, and any other action is left for html/template to run.

// foldable are the template functions whose result depends only on their
// literal arguments (and the set's locale): translation and icons.
var foldable = map[string]bool{"t": true, "icon": true}

// foldEscapers are the escapers a folded value may pass through, each with a
// one-action template whose only action html/template escapes with it: the value
// is run through that template, so it is escaped by html/template itself.
var foldEscapers = map[string]struct{ before, after string }{
	"_html_template_htmlescaper":   {"", ""},
	"_html_template_attrescaper":   {`<p title="`, `">`},
	"_html_template_rcdataescaper": {`<title>`, `</title>`},
}

// escapeLike escapes v as html/template escapes an action in the context of the
// named escaper's template.
type escapeLike map[string]*template.Template

func newEscapeLike() (escapeLike, error) {
	out := escapeLike{}
	for name, ctx := range foldEscapers {
		t, err := template.New(name).Parse(ctx.before + "{{.}}" + ctx.after)
		if err != nil {
			return nil, err
		}
		// Escape it now, and check that html/template chose the escaper this
		// template stands for, and that one alone.
		if err := t.Execute(io.Discard, ""); err != nil {
			return nil, err
		}
		var got []string
		walkActions(t.Tree.Root, func(a *parse.ActionNode) parse.Node {
			for _, c := range a.Pipe.Cmds[1:] {
				got = append(got, c.String())
			}
			return a
		})
		if len(got) != 1 || got[0] != name {
			return nil, fmt.Errorf("web: fold: %q escapes with %v, not %s", ctx.before+"{{.}}"+ctx.after, got, name)
		}
		out[name] = t
	}
	return out, nil
}

func (e escapeLike) escape(name string, v any) (string, bool) {
	t := e[name]
	if t == nil {
		return "", false
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return "", false
	}
	ctx := foldEscapers[name]
	s, ok := strings.CutPrefix(b.String(), ctx.before)
	if !ok {
		return "", false
	}
	return strings.CutSuffix(s, ctx.after)
}

// foldConstants escapes the set's pages (so that every template a page reaches
// is escaped for its context), then replaces each action whose value is a
// foldable function of literals, followed by one escaper html/template chose,
// with that value as text, and joins adjacent text. It reports how many actions
// it folded.
func foldConstants(set *template.Template, pages []string, funcs template.FuncMap) (int, error) {
	for _, name := range pages {
		// Executing with no data escapes the page and what it calls; the
		// execution itself fails on the missing data, which is expected here.
		err := set.ExecuteTemplate(io.Discard, name, nil)
		var escErr *template.Error
		if errors.As(err, &escErr) {
			return 0, fmt.Errorf("web: template %s: %w", name, err)
		}
	}
	esc, err := newEscapeLike()
	if err != nil {
		return 0, err
	}
	folded := 0
	for _, t := range set.Templates() {
		if t.Tree == nil || t.Tree.Root == nil {
			continue
		}
		walkActions(t.Tree.Root, func(a *parse.ActionNode) parse.Node {
			if s, ok := foldAction(a, funcs, esc); ok {
				folded++
				return &parse.TextNode{NodeType: parse.NodeText, Pos: a.Pos, Text: []byte(s)}
			}
			return a
		})
		joinText(t.Tree.Root)
	}
	return folded, nil
}

// foldAction returns the output of a: {{f "literal"… | escaper}} with f foldable
// and the escaper one of foldEscapers.
func foldAction(a *parse.ActionNode, funcs template.FuncMap, esc escapeLike) (string, bool) {
	p := a.Pipe
	if p == nil || len(p.Decl) != 0 || len(p.Cmds) != 2 {
		return "", false
	}
	v, ok := constantCall(p.Cmds[0], funcs)
	if !ok {
		return "", false
	}
	escCmd := p.Cmds[1]
	if len(escCmd.Args) != 1 {
		return "", false
	}
	id, ok := escCmd.Args[0].(*parse.IdentifierNode)
	if !ok {
		return "", false
	}
	return esc.escape(id.Ident, v)
}

// constantCall evaluates cmd when it is a call of a foldable function with
// string literals only.
func constantCall(cmd *parse.CommandNode, funcs template.FuncMap) (any, bool) {
	if len(cmd.Args) < 2 {
		return nil, false
	}
	id, ok := cmd.Args[0].(*parse.IdentifierNode)
	if !ok || !foldable[id.Ident] {
		return nil, false
	}
	var args []string
	for _, a := range cmd.Args[1:] {
		s, ok := a.(*parse.StringNode)
		if !ok {
			return nil, false
		}
		args = append(args, s.Text)
	}
	switch f := funcs[id.Ident].(type) {
	case func(string) string:
		if len(args) == 1 {
			return f(args[0]), true
		}
	case func(string) template.HTML:
		if len(args) == 1 {
			return f(args[0]), true
		}
	}
	return nil, false
}

// walkActions calls f for every action in the tree under n, replacing the action
// by what f returns.
func walkActions(n parse.Node, f func(*parse.ActionNode) parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for i, c := range n.Nodes {
			if a, ok := c.(*parse.ActionNode); ok {
				n.Nodes[i] = f(a)
				continue
			}
			walkActions(c, f)
		}
	case *parse.IfNode:
		walkActions(n.List, f)
		walkActions(n.ElseList, f)
	case *parse.RangeNode:
		walkActions(n.List, f)
		walkActions(n.ElseList, f)
	case *parse.WithNode:
		walkActions(n.List, f)
		walkActions(n.ElseList, f)
	}
}

// joinText merges adjacent text nodes in every list under n.
func joinText(n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		out := n.Nodes[:0]
		for _, c := range n.Nodes {
			if t, ok := c.(*parse.TextNode); ok && len(out) > 0 {
				if prev, ok := out[len(out)-1].(*parse.TextNode); ok {
					text := make([]byte, 0, len(prev.Text)+len(t.Text))
					prev.Text = append(append(text, prev.Text...), t.Text...)
					continue
				}
			}
			joinText(c)
			out = append(out, c)
		}
		for i := len(out); i < len(n.Nodes); i++ {
			n.Nodes[i] = nil
		}
		n.Nodes = out
	case *parse.IfNode:
		joinText(n.List)
		joinText(n.ElseList)
	case *parse.RangeNode:
		joinText(n.List)
		joinText(n.ElseList)
	case *parse.WithNode:
		joinText(n.List)
		joinText(n.ElseList)
	}
}
