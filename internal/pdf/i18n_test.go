package pdf

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every label the package translates — each string literal given to tr, Doc.t
// or a local t — has a Slovak entry in skText, with the same format verbs.
func TestPDFStringsHaveSlovak(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			var fn string
			switch x := call.Fun.(type) {
			case *ast.Ident:
				fn = x.Name
			case *ast.SelectorExpr:
				fn = x.Sel.Name
			}
			if fn != "t" && fn != "tr" {
				return true
			}
			lit, ok := call.Args[len(call.Args)-1].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			found++
			sk, ok := skText[s]
			switch {
			case !ok:
				t.Errorf("%s: %q has no Slovak in skText", fset.Position(lit.Pos()), s)
			case strings.Count(sk, "%") != strings.Count(s, "%"):
				t.Errorf("%q: the Slovak %q has other format verbs", s, sk)
			}
			return true
		})
	}
	if found < 50 {
		t.Errorf("found only %d translated labels; is the search broken?", found)
	}
}
