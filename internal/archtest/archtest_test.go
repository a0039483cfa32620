package archtest

import (
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"
)

const (
	accessPath = "portico/internal/access"
	storePath  = "portico/internal/store"
	webPath    = "portico/internal/web"
)

// principalTypes are the types whose values say who acts.
var principalTypes = []string{"Staff", "Scope", "System"}

// principalMakers are the functions that make a principal.
var principalMakers = []string{"NewStaff", "NewScope", "NewSystem"}

// viewTypes are the store types bound to a principal, the only part of the store
// web may call.
var viewTypes = []string{"StaffView", "PortalView"}

// mayMakePrincipals reports whether code in the file may call a principal maker:
// the session code of app, the operator's demo seeding, the test harness, and
// tests.
func mayMakePrincipals(pkgPath, file string) bool {
	switch {
	case strings.HasSuffix(file, "_test.go"):
		return true
	case pkgPath == "portico/internal/app" && filepath.Base(file) == "principals.go":
		return true
	case pkgPath == "portico/internal/demo", pkgPath == "portico/internal/testenv":
		return true
	}
	return false
}

// load parses and type-checks the packages matching patterns; what they import
// is read from the compiler's export data, not type-checked from source (the
// checks look at the module's own code only, and the whole dependency tree
// from source took minutes under the race detector).
func load(t *testing.T, tests bool, patterns ...string) []*packages.Package {
	t.Helper()
	cfg := &packages.Config{Mode: packages.LoadSyntax, Tests: tests, Dir: "../.."}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			bad = append(bad, e.Error())
		}
	})
	if len(bad) > 0 {
		t.Fatalf("the packages do not load:\n%s", strings.Join(bad, "\n"))
	}
	return pkgs
}

// isNamed reports whether t (or what it points to) is the named type pkg.name
// for one of names.
func isNamed(t types.Type, pkg string, names ...string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && slices.Contains(names, n.Obj().Name())
}

// principalViolations lists where a package other than access makes a principal:
// a composite literal with fields (an empty one grants nothing), or a call of a
// maker outside the places allowed to.
func principalViolations(pkgs []*packages.Package) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range pkgs {
		if p.PkgPath == accessPath || p.PkgPath == accessPath+"_test" {
			continue
		}
		for _, f := range p.Syntax {
			file := p.Fset.Position(f.Pos()).Filename
			ast.Inspect(f, func(n ast.Node) bool {
				var msg string
				var pos token.Pos
				switch n := n.(type) {
				case *ast.CompositeLit:
					if tv, ok := p.TypesInfo.Types[n]; ok && isNamed(tv.Type, accessPath, principalTypes...) && len(n.Elts) > 0 {
						msg, pos = "builds a principal by hand", n.Pos()
					}
				case *ast.CallExpr:
					fn := calledFunc(p.TypesInfo, n)
					if fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == accessPath && slices.Contains(principalMakers, fn.Name()) &&
						!mayMakePrincipals(p.PkgPath, file) {
						msg, pos = "calls access."+fn.Name()+" outside the session code", n.Pos()
					}
				}
				if msg != "" {
					at := p.Fset.Position(pos).String()
					if !seen[at] {
						seen[at] = true
						out = append(out, at+": "+msg)
					}
				}
				return true
			})
		}
	}
	return out
}

func calledFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		id = fun.Sel
	default:
		return nil
	}
	fn, _ := info.Uses[id].(*types.Func)
	return fn
}

// takesContext reports whether a method or function has a context.Context
// parameter: whether it does I/O.
func takesContext(sig *types.Signature) bool {
	for v := range sig.Params().Variables() {
		if n, ok := v.Type().(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context" {
			return true
		}
	}
	return false
}

// takesPrincipal reports whether a function has a principal parameter.
func takesPrincipal(sig *types.Signature) bool {
	for v := range sig.Params().Variables() {
		if isNamed(v.Type(), accessPath, principalTypes...) {
			return true
		}
	}
	return false
}

// webViolations lists where the web package reaches the store other than through
// a view: any value of type *store.Store (however obtained), any function or
// variable of store, any store method that does I/O on something other than a
// view, and any I/O method — of store or app — that takes neither a principal
// nor a view and is not on the short list of what comes before a principal
// (signing in, the tenant of a URL, health).
func webViolations(p *packages.Package, allowedApp []string) []string {
	var out []string
	add := func(pos token.Pos, msg string) { out = append(out, p.Fset.Position(pos).String()+": "+msg) }
	for _, f := range p.Syntax {
		if strings.HasSuffix(p.Fset.Position(f.Pos()).Filename, "_test.go") {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case ast.Expr:
				if tv, ok := p.TypesInfo.Types[n]; ok && tv.Type != nil && isNamed(tv.Type, storePath, "Store") {
					add(n.Pos(), "holds a *store.Store")
				}
			}
			switch n := n.(type) {
			case *ast.Ident:
				obj := p.TypesInfo.Uses[n]
				if obj == nil || obj.Pkg() == nil || obj.Pkg().Path() != storePath {
					return true
				}
				switch obj := obj.(type) {
				case *types.Func:
					sig := obj.Signature()
					if sig.Recv() == nil {
						add(n.Pos(), "calls store."+obj.Name())
						return true
					}
					if isNamed(sig.Recv().Type(), storePath, viewTypes...) {
						if obj.Name() == "Tx" {
							add(n.Pos(), "runs a store transaction (a use case belongs in app)")
						}
						return true
					}
					if takesContext(sig) {
						add(n.Pos(), "calls "+obj.FullName()+", a store method that is not a view's")
					}
				case *types.Var:
					if !obj.IsField() {
						add(n.Pos(), "uses store."+obj.Name())
					}
				case *types.TypeName:
					if obj.Name() == "Store" {
						add(n.Pos(), "names store.Store")
					}
				}
			case *ast.CallExpr:
				fn := calledFunc(p.TypesInfo, n)
				if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "portico/internal/app" {
					return true
				}
				sig := fn.Signature()
				if !takesContext(sig) || takesPrincipal(sig) || slices.Contains(allowedApp, fn.Name()) {
					return true
				}
				add(n.Pos(), "calls app."+fn.Name()+", which does I/O without a principal")
			}
			return true
		})
	}
	return out
}

// appBeforePrincipal lists the app methods web may call without a principal:
// what runs before anyone is known (sign-in, links, the tenant of a URL, the
// readiness probe) and the broker's questions about devices, which the device's
// own credentials answer.
var appBeforePrincipal = []string{
	"StaffSignIn", "StaffSession", "SignOut", "ForgotStaffPassword", "StaffLinkUser", "SetStaffPasswordWithLink",
	"PortalSignIn", "PortalSession", "PortalTenantSession", "PortalScope", "PortalSignOut", "ForgotPortalPassword", "PortalLinkUser", "SetPortalPasswordWithLink",
	"Tenant", "Ready", "AuthenticateDevice", "AuthorizeDevice",
	// The code step of a two-factor sign-in: the pending sign-in token, not a
	// session, says whose code it is.
	"StaffSignInCode", "PortalSignInCode",
	// The API's bearer token, like a session cookie, says who the request is:
	// APIAuthenticate makes the principal through the session code's makers.
	"APIAuthenticate",
	// WithLocale only attaches the reader's language to a context; it reads
	// and writes nothing.
	"WithLocale",
}

// module loads every package of the module with its tests, once for all tests.
var module struct {
	once sync.Once
	pkgs []*packages.Package
}

func loadModule(t *testing.T) []*packages.Package {
	t.Helper()
	module.once.Do(func() { module.pkgs = load(t, true, "./...") })
	if module.pkgs == nil {
		t.FailNow()
	}
	return module.pkgs
}

// find returns the package path as built for use (not its test variant).
func find(t *testing.T, path string) *packages.Package {
	t.Helper()
	for _, p := range loadModule(t) {
		if p.ID == path {
			return p
		}
	}
	t.Fatalf("package %s not loaded", path)
	return nil
}

func TestPrincipalsAreMadeOnlyBySessionCode(t *testing.T) {
	pkgs := loadModule(t)
	if v := principalViolations(pkgs); len(v) > 0 {
		t.Fatalf("principals made outside the session code:\n%s", strings.Join(v, "\n"))
	}
}

func TestWebReachesTheStoreOnlyThroughViews(t *testing.T) {
	if v := webViolations(find(t, webPath), appBeforePrincipal); len(v) > 0 {
		t.Fatalf("web reaches the store around the views:\n%s", strings.Join(v, "\n"))
	}
}

// Every exported method of a view is bound to the view's principal, and every
// exported method of the Store itself is out of web's reach (the test above); so
// the store methods web can call all carry a principal. This test keeps the views
// from growing a method that takes a raw tenant id instead.
func TestViewMethodsTakeNoTenantID(t *testing.T) {
	scope := find(t, storePath).Types.Scope()
	for _, name := range viewTypes {
		obj := scope.Lookup(name)
		if obj == nil {
			t.Fatalf("store.%s is missing", name)
		}
		ms := types.NewMethodSet(types.NewPointer(obj.Type()))
		for sel := range ms.Methods() {
			fn := sel.Obj().(*types.Func)
			for v := range fn.Signature().Params().Variables() {
				if n := strings.ToLower(v.Name()); n == "companyid" || n == "tenantid" {
					t.Errorf("%s.%s takes %s: the tenant comes from the view's principal", name, fn.Name(), v.Name())
				}
			}
		}
	}
}

// The checks above must catch what they are for: a package that breaks every
// rule is reported on each count.
func TestChecksCatchViolations(t *testing.T) {
	pkgs := load(t, false, "./internal/archtest/testdata/badweb")
	got := append(principalViolations(pkgs), webViolations(pkgs[0], appBeforePrincipal)...)
	for _, want := range []string{
		"calls access.NewStaff outside the session code",
		"calls access.NewScope outside the session code",
		"holds a *store.Store",
		"names store.Store",
		"a store method that is not a view's",
		"calls app.ComposeMail, which does I/O without a principal",
		"calls store.Open",
	} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("no report says %q; reports:\n%s", want, strings.Join(got, "\n"))
		}
	}
}
