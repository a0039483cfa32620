package store

import (
	"reflect"
	"strings"
	"testing"

	"portico/internal/access"
)

// vals is the argument list of a condition, as where returns it.
func vals(vs ...any) []any { return vs }

func TestCondRendersSQLAndArgumentsInPlaceholderOrder(t *testing.T) {
	for _, tc := range []struct {
		name     string
		c        cond
		wantSQL  string
		wantArgs []any
	}{
		{"eq", eq("p.id", int64(5)), "p.id = ?", vals(int64(5))},
		{"in with one value is eq", in("p.id", []int64{5}), "p.id = ?", vals(int64(5))},
		{"in lists its values", in("p.id", []int64{5, 6, 7}), "p.id IN (?, ?, ?)", vals(int64(5), int64(6), int64(7))},
		{"in over strings", in("topic", []string{"home", "home/plus1"}), "topic IN (?, ?)", vals("home", "home/plus1")},
		{"in with no values", in("p.id", []int64(nil)), "1 = 0", nil},
		{"notIn", notIn("p.id", []int64{5, 6}), "NOT (p.id IN (?, ?))", vals(int64(5), int64(6))},
		{"notIn with no values", notIn("p.id", []int64{}), "1 = 1", nil},
		{"expr keeps its own arguments", expr("p.performed_at >= ?", int64(100)), "p.performed_at >= ?", vals(int64(100))},
		{"and of one is that one", and(eq("a", 1)), "a = ?", vals(1)},
		{"and", and(eq("a", 1), eq("b", 2), eq("c", 3)), "(a = ? AND b = ? AND c = ?)", vals(1, 2, 3)},
		{"or", or(eq("a", 1), eq("b", 2)), "(a = ? OR b = ?)", vals(1, 2)},
		{"or inside and", and(eq("a", 1), or(eq("b", 2), in("c", []int64{3, 4})), eq("d", 5)),
			"(a = ? AND (b = ? OR c IN (?, ?)) AND d = ?)", vals(1, 2, int64(3), int64(4), 5)},
		{"and inside or", or(and(eq("a", 1), eq("b", 2)), eq("c", 3)), "((a = ? AND b = ?) OR c = ?)", vals(1, 2, 3)},
		{"always is neutral in and", and(always(), eq("a", 1), always(), eq("b", 2)), "(a = ? AND b = ?)", vals(1, 2)},
		{"none is neutral in or", or(none(), eq("a", 1), none()), "a = ?", vals(1)},
		{"none absorbs and", and(eq("a", 1), none(), eq("b", 2)), "1 = 0", nil},
		{"none absorbs and, nested", and(eq("a", 1), or(eq("b", 2), and(eq("c", 3), in("d", []int64{})))), "(a = ? AND b = ?)", vals(1, 2)},
		{"always absorbs or", or(eq("a", 1), always(), eq("b", 2)), "1 = 1", nil},
		{"always absorbs or, nested", and(eq("a", 1), or(eq("b", 2), notIn("c", []int64{}))), "a = ?", vals(1)},
		{"and of nothing is always", and(), "1 = 1", nil},
		{"or of nothing is none", or(), "1 = 0", nil},
		{"and of only always is always", and(always(), always()), "1 = 1", nil},
		{"or of only none is none", or(none(), in("a", []int64{})), "1 = 0", nil},
		{"when false is always", and(eq("a", 1), when(false, eq("b", 2))), "a = ?", vals(1)},
		{"when true is the condition", and(eq("a", 1), when(true, eq("b", 2))), "(a = ? AND b = ?)", vals(1, 2)},
		{"exists", exists("document_sites ds", and(expr("ds.document_id = d.id"), eq("ds.site_id", 4))),
			"EXISTS (SELECT 1 FROM document_sites ds WHERE (ds.document_id = d.id AND ds.site_id = ?))", vals(4)},
		{"exists of none is none", exists("document_sites ds", none()), "1 = 0", nil},
		{"contains", contains("d.search_text", "  Ab_c "), `d.search_text LIKE ? ESCAPE '\'`, vals(`%ab\_c%`)},
		{"contains nothing is always", contains("d.search_text", "  "), "1 = 1", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sql, got := tc.c.where()
			if sql != tc.wantSQL {
				t.Errorf("SQL = %q, want %q", sql, tc.wantSQL)
			}
			if !reflect.DeepEqual(got, tc.wantArgs) {
				t.Errorf("args = %#v, want %#v", got, tc.wantArgs)
			}
			if n := strings.Count(sql, "?"); n != len(got) {
				t.Errorf("%d placeholders, %d arguments", n, len(got))
			}
		})
	}
}

func TestCondMatchesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    cond
		want bool
	}{
		{"none", none(), true},
		{"always", always(), false},
		{"eq", eq("a", 1), false},
		{"in with no values", in("a", []int64{}), true},
		{"and with a none", and(eq("a", 1), none()), true},
		{"or with a none", or(eq("a", 1), none()), false},
		{"or of nones", or(none(), none()), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.matchesNothing(); got != tc.want {
				t.Fatalf("matchesNothing = %v, want %v", got, tc.want)
			}
		})
	}
}

// scopeConds are the Scope's conditions, each named, on columns as the portal
// queries use them.
func scopeConds(scope access.Scope) map[string]cond {
	return map[string]cond{
		"scopeClients":  scopeClients(scope, "c.company_id", "c.id"),
		"scopeSites":    scopeSites(scope, "p.company_id", "p.client_id", "p.site_id"),
		"scopeSwitches": scopeSwitches(scope, "sw.company_id", "sw.client_id", "p.site_id", "sw.id"),
	}
}

// companyCols are the tenant columns scopeConds pass.
var companyCols = map[string]string{"scopeClients": "c.company_id", "scopeSites": "p.company_id", "scopeSwitches": "sw.company_id"}

func TestAZeroOrInvalidScopeMatchesNothing(t *testing.T) {
	grants := []access.ClientAccess{{ClientID: 10, AllSites: true}, {ClientID: 20, SiteIDs: []int64{201}, SwitchIDs: []int64{301}}}
	for _, tc := range []struct {
		name  string
		scope access.Scope
	}{
		{"zero Scope", access.Scope{}},
		{"no tenant", access.NewScope(0, 9, grants)},
		{"no portal user", access.NewScope(7, 0, grants)},
		{"no clients", access.NewScope(7, 9, nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, c := range scopeConds(tc.scope) {
				if !c.matchesNothing() {
					sql, args := c.where()
					t.Errorf("%s = %q %v, want none", name, sql, args)
				}
			}
		})
	}
}

func TestARestrictedClientWithNoSitesShowsTheClientOnly(t *testing.T) {
	conds := scopeConds(access.NewScope(7, 9, []access.ClientAccess{{ClientID: 20}}))
	if conds["scopeClients"].matchesNothing() {
		t.Error("scopeClients matches nothing, want client 20")
	}
	for _, name := range []string{"scopeSites", "scopeSwitches"} {
		if c := conds[name]; !c.matchesNothing() {
			sql, args := c.where()
			t.Errorf("%s = %q %v, want none", name, sql, args)
		}
	}
}

func TestEveryScopeConditionStartsWithTheTenant(t *testing.T) {
	const tenant = int64(7)
	for _, tc := range []struct {
		name   string
		grants []access.ClientAccess
	}{
		{"one client, all sites", []access.ClientAccess{{ClientID: 10, AllSites: true}}},
		{"one client, one site", []access.ClientAccess{{ClientID: 20, SiteIDs: []int64{201}}}},
		{"one client, narrowed", []access.ClientAccess{{ClientID: 30, AllSites: true, SwitchIDs: []int64{301}}}},
		{"restricted and narrowed", []access.ClientAccess{{ClientID: 20, SiteIDs: []int64{201, 202}, SwitchIDs: []int64{302}}}},
		{"several clients", []access.ClientAccess{
			{ClientID: 30, AllSites: true, SwitchIDs: []int64{301, 303}},
			{ClientID: 10, AllSites: true},
			{ClientID: 20, SiteIDs: []int64{202, 201}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, c := range scopeConds(access.NewScope(tenant, 9, tc.grants)) {
				sql, args := c.where()
				if len(args) == 0 || args[0] != tenant {
					t.Errorf("%s: args = %v, want the tenant %d first", name, args, tenant)
				}
				if want := companyCols[name] + " = ?"; !strings.HasPrefix(strings.TrimLeft(sql, "("), want) {
					t.Errorf("%s: SQL = %q, want it to start with %q", name, sql, want)
				}
			}
		})
	}
}

func TestScopeOfARestrictedAndANarrowedClient(t *testing.T) {
	// Client 20 is seen at sites 201 and 202 only; client 30 at all its sites, but
	// only its switches 301 and 302.
	scope := access.NewScope(7, 9, []access.ClientAccess{
		{ClientID: 30, AllSites: true, SwitchIDs: []int64{302, 301}},
		{ClientID: 20, SiteIDs: []int64{202, 201}},
	})
	sites := "(p.company_id = ? AND (p.client_id = ? OR (p.client_id = ? AND p.site_id IN (?, ?))))"
	for _, tc := range []struct {
		name     string
		c        cond
		wantSQL  string
		wantArgs []any
	}{
		{"clients", scopeClients(scope, "c.company_id", "c.id"),
			"(c.company_id = ? AND c.id IN (?, ?))", vals(int64(7), int64(20), int64(30))},
		{"sites", scopeSites(scope, "p.company_id", "p.client_id", "p.site_id"),
			sites, vals(int64(7), int64(30), int64(20), int64(201), int64(202))},
		{"switches", scopeSwitches(scope, "p.company_id", "p.client_id", "p.site_id", "sw.id"),
			"(" + sites + " AND (NOT (p.client_id = ?) OR sw.id IN (?, ?)))",
			vals(int64(7), int64(30), int64(20), int64(201), int64(202), int64(30), int64(301), int64(302))},
		{"one protocol of the Scope", and(scopeSites(scope, "p.company_id", "p.client_id", "p.site_id"), eq("p.id", int64(5))),
			"(" + sites + " AND p.id = ?)", vals(int64(7), int64(30), int64(20), int64(201), int64(202), int64(5))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sql, got := tc.c.where()
			if sql != tc.wantSQL {
				t.Errorf("SQL = %q, want %q", sql, tc.wantSQL)
			}
			if !reflect.DeepEqual(got, tc.wantArgs) {
				t.Errorf("args = %#v, want %#v", got, tc.wantArgs)
			}
		})
	}
}
