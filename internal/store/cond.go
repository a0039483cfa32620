package store

import (
	"strings"

	"portico/internal/access"
)

// column names an SQL column; it comes from code, never from input.
type column string

// cond is an SQL condition together with its arguments, in the order its
// placeholders appear. Build one with eq, in, and, or and the scope functions;
// a condition that can match nothing says so with none, never with a sentinel
// string.
type cond struct {
	sql  string
	args []any
	none bool // matches no row
	all  bool // matches every row (the neutral element of and)
}

// none matches no row.
func none() cond { return cond{none: true} }

// always matches every row; and drops it.
func always() cond { return cond{all: true} }

// eq holds where col equals v.
func eq(col column, v any) cond { return cond{sql: string(col) + " = ?", args: []any{v}} }

// in holds where col is one of vals; with no vals it matches nothing.
func in[T int64 | string](col column, vals []T) cond {
	if len(vals) == 0 {
		return none()
	}
	if len(vals) == 1 {
		return eq(col, vals[0])
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return cond{sql: string(col) + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + ")", args: args}
}

// notIn holds where col is none of vals; with no vals it matches every row.
func notIn[T int64 | string](col column, vals []T) cond {
	c := in(col, vals)
	if c.none {
		return always()
	}
	c.sql = "NOT (" + c.sql + ")"
	return c
}

// expr is a condition written out in SQL with its own placeholders and arguments,
// for what eq and in cannot say (LIKE, ranges, subqueries). It is one term of
// and or or: parenthesize an OR inside it, or better, build it with or.
func expr(sql string, args ...any) cond { return cond{sql: sql, args: args} }

// when is c if ok and always otherwise, for the optional parts of a filter.
func when(ok bool, c cond) cond {
	if !ok {
		return always()
	}
	return c
}

// exists holds where the table (with its alias) has a row for which c holds; c
// usually ties that row to the outer query's.
func exists(table string, c cond) cond {
	if c.none {
		return none()
	}
	where, args := c.where()
	return cond{sql: "EXISTS (SELECT 1 FROM " + table + " WHERE " + where + ")", args: args}
}

// and holds where every one of cs holds.
func and(cs ...cond) cond {
	var parts []string
	var args []any
	for _, c := range cs {
		switch {
		case c.none:
			return none()
		case c.all:
			continue
		}
		parts = append(parts, c.sql)
		args = append(args, c.args...)
	}
	switch len(parts) {
	case 0:
		return always()
	case 1:
		return cond{sql: parts[0], args: args}
	}
	return cond{sql: "(" + strings.Join(parts, " AND ") + ")", args: args}
}

// or holds where any one of cs holds.
func or(cs ...cond) cond {
	var parts []string
	var args []any
	for _, c := range cs {
		switch {
		case c.all:
			return always()
		case c.none:
			continue
		}
		parts = append(parts, c.sql)
		args = append(args, c.args...)
	}
	switch len(parts) {
	case 0:
		return none()
	case 1:
		return cond{sql: parts[0], args: args}
	}
	return cond{sql: "(" + strings.Join(parts, " OR ") + ")", args: args}
}

// matchesNothing reports whether the condition can match no row, so a query need
// not run.
func (c cond) matchesNothing() bool { return c.none }

// where renders the condition for a WHERE clause with its arguments.
func (c cond) where() (string, []any) {
	switch {
	case c.none:
		return "1 = 0", nil
	case c.all:
		return "1 = 1", nil
	}
	return c.sql, c.args
}

// scopeClients holds for rows of the Scope's tenant whose client is one of the
// portal user's clients.
func scopeClients(scope access.Scope, companyCol, clientCol column) cond {
	if !scope.Valid() {
		return none()
	}
	return and(eq(companyCol, scope.CompanyID()), in(clientCol, scope.ClientIDs()))
}

// scopeClientsByID is scopeClients for a query that lists the Scope's clients
// themselves (c): the tenant's column is compared as +c.company_id, which no
// index can serve, so that the clients are found by their ids. Without
// statistics SQLite otherwise walks the tenant's name index — every client of
// the tenant, 10,000 at 1M protocols — to find the user's few, on every
// portal page. PostgreSQL reads +x as x.
func scopeClientsByID(scope access.Scope) cond {
	return scopeClients(scope, "+c.company_id", "c.id")
}

// scopeSites holds for rows of the Scope's tenant that belong to a client of the
// portal user at a site the user may see: for a client with all sites any row of
// the client (also one with no site), for a restricted client only rows at the
// listed sites.
func scopeSites(scope access.Scope, companyCol, clientCol, siteCol column) cond {
	if !scope.Valid() {
		return none()
	}
	var all []int64
	var restricted []cond
	for _, c := range scope.Clients() {
		if c.AllSites {
			all = append(all, c.ClientID)
			continue
		}
		restricted = append(restricted, and(eq(clientCol, c.ClientID), in(siteCol, c.SiteIDs)))
	}
	return and(eq(companyCol, scope.CompanyID()), or(append([]cond{in(clientCol, all)}, restricted...)...))
}

// scopeSwitches holds for switches of the Scope's tenant whose project the portal
// user may see (by its client and site) and that the per-switch narrowing, if
// any, allows: any switch of a client without narrowing, only the listed switches
// of a narrowed client.
func scopeSwitches(scope access.Scope, companyCol, clientCol, projectSiteCol, switchCol column) cond {
	var narrowed, allowed []int64
	for _, c := range scope.Clients() {
		if len(c.SwitchIDs) > 0 {
			narrowed = append(narrowed, c.ClientID)
			allowed = append(allowed, c.SwitchIDs...)
		}
	}
	return and(scopeSites(scope, companyCol, clientCol, projectSiteCol),
		or(notIn(clientCol, narrowed), in(switchCol, allowed)))
}
