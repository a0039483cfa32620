package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"portico/internal/domain"
)

// ReadPool is the pool the store reads through, for tests of its sizing.
func (s *Store) ReadPool() *sql.DB { return s.db.DB }

// ExplainProtocols returns the query plans of the count and the page query of
// view.PortalProtocols(f): EXPLAIN QUERY PLAN's lines on SQLite, EXPLAIN (FORMAT
// JSON) on PostgreSQL.
func (view *PortalView) ExplainProtocols(ctx context.Context, f ProtocolFilter) (count, page string, err error) {
	s := view.s
	f.Status = ""
	opts := f.ListOptions.Normalized()
	after, err := protocolOrder.after(opts)
	if err != nil {
		return "", "", err
	}
	c := and(portalProtocols(view.scope), f.cond(), after)
	if c.matchesNothing() {
		return "", "", fmt.Errorf("scope matches nothing")
	}
	countQ, pageQ, args := protocolList(false, c, opts)
	if count, err = s.explain(ctx, countQ, args...); err != nil {
		return "", "", err
	}
	limit, offset := protocolOrder.limit(opts)
	page, err = s.explain(ctx, pageQ, append(args, limit, offset)...)
	return count, page, err
}

// ExplainClientNames returns the query plan of PortalClientNames, the
// portal header's companies.
func (view *PortalView) ExplainClientNames(ctx context.Context) (string, error) {
	where, args := scopeClientsByID(view.scope).where()
	return view.s.explain(ctx, view.s.q(`SELECT c.id, c.name FROM clients c WHERE `+where+` ORDER BY c.name, c.id`), args...)
}

// ExplainDocuments returns the query plan of PortalDocumentCount, the
// documents the scope sees.
func (view *PortalView) ExplainDocuments(ctx context.Context) (string, error) {
	c, err := view.s.portalDocuments(ctx, view.scope)
	if err != nil {
		return "", err
	}
	where, args := c.where()
	return view.s.explain(ctx, view.s.q(`SELECT COUNT(*) FROM documents d WHERE `+where), args...)
}

// ExplainKeptCount returns the query plan of the total of
// view.PortalProtocols(f) when f has no dates: summed from site_protocols.
func (view *PortalView) ExplainKeptCount(ctx context.Context, f ProtocolFilter) (string, error) {
	query, args := keptProtocolCount(view.scope, f)
	return view.s.explain(ctx, view.s.q(query), args...)
}

// DirectProtocolTotal answers the total of view.PortalProtocols(f) by counting
// the protocols themselves, without the site_protocols summary.
func (view *PortalView) DirectProtocolTotal(ctx context.Context, f ProtocolFilter) (int, error) {
	f.Status = ""
	_, info, err := view.s.listProtocols(ctx, false, and(portalProtocols(view.scope), f.cond()), f.ListOptions)
	return info.Total, err
}

// ExplainMaterials returns the query plan of the materials whose safety data
// sheets the Documents page shows, like ExplainProtocols.
func (view *PortalView) ExplainMaterials(ctx context.Context) (string, error) {
	query, args, ok := view.s.portalMaterialsQuery(view.scope, 0)
	if !ok {
		return "", fmt.Errorf("scope matches nothing")
	}
	return view.s.explain(ctx, query, args...)
}

// PortalMaterialIDs returns the materials whose safety data sheets the
// principal's Documents page shows (siteID 0), or a site's page shows, sorted.
func (view *PortalView) PortalMaterialIDs(ctx context.Context, siteID int64) ([]int64, error) {
	ids, err := view.s.portalMaterials(ctx, view.scope, siteID)
	slices.Sort(ids)
	return ids, err
}

// DirectMaterialIDs answers PortalMaterialIDs from the protocols themselves,
// without the site_materials summary: the materials of the completed protocols
// the principal may see performed in the last SDSMonths months, sorted.
func (view *PortalView) DirectMaterialIDs(ctx context.Context, siteID int64) ([]int64, error) {
	s := view.s
	c := and(portalProtocols(view.scope), expr("p.performed_at >= ?", micros(s.Now().AddDate(0, -SDSMonths, 0))),
		when(siteID != 0, eq("p.site_id", siteID)))
	if c.matchesNothing() {
		return nil, nil
	}
	where, args := c.where()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT DISTINCT pm.material_id FROM protocols p
		JOIN protocol_materials pm ON pm.company_id = p.company_id AND pm.protocol_id = p.id WHERE `+where+` ORDER BY pm.material_id`), args...)
	if err != nil {
		return nil, err
	}
	return collectIDs(rows)
}

// SiteMaterialsDrift describes every row in which site_materials differs from
// its definition (the latest completed use per client, site and material,
// computed from protocols); empty when they agree.
func (s *Store) SiteMaterialsDrift(ctx context.Context) (string, error) {
	return s.drift(ctx, `SELECT p.company_id, p.client_id, p.site_id, pm.material_id, MAX(p.performed_at)
		FROM protocols p JOIN protocol_materials pm ON pm.company_id = p.company_id AND pm.protocol_id = p.id
		WHERE p.status = 'completed' GROUP BY p.company_id, p.client_id, p.site_id, pm.material_id`,
		`SELECT company_id, client_id, site_id, material_id, last_used_at FROM site_materials`,
		"company", "client", "site", "material", "at")
}

// drift describes the rows in which a kept summary (kept) differs from its
// definition (direct), two queries of the same integer columns named cols;
// empty when they agree.
func (s *Store) drift(ctx context.Context, direct, kept string, cols ...string) (string, error) {
	var b strings.Builder
	for _, q := range []struct{ what, query string }{
		{"missing or stale", direct + ` EXCEPT ` + kept},
		{"extra or stale", kept + ` EXCEPT ` + direct},
	} {
		rows, err := s.db.QueryContext(ctx, q.query)
		if err != nil {
			return "", err
		}
		vals := make([]int64, len(cols))
		dst := make([]any, len(cols))
		for i := range vals {
			dst[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(dst...); err != nil {
				rows.Close()
				return "", err
			}
			b.WriteString(q.what + ":")
			for i, col := range cols {
				fmt.Fprintf(&b, " %s %d", col, vals[i])
			}
			b.WriteString("\n")
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// ExplainSummaries returns the query plan of PortalSummaries' counts.
func (view *PortalView) ExplainSummaries(ctx context.Context) (string, error) {
	query, args, ok := summaryCountsQuery(view.scope)
	if !ok {
		return "", nil
	}
	return view.s.explain(ctx, view.s.q(query), args...)
}

// SiteProtocolsDrift describes every row in which site_protocols differs from
// its definition (the count and latest date of the completed protocols per
// client and site, computed from protocols); empty when they agree.
func (s *Store) SiteProtocolsDrift(ctx context.Context) (string, error) {
	return s.drift(ctx, `SELECT company_id, client_id, site_id, COUNT(*), MAX(performed_at)
		FROM protocols WHERE status = 'completed' GROUP BY company_id, client_id, site_id`,
		`SELECT company_id, client_id, site_id, completed, last_performed_at FROM site_protocols`,
		"company", "client", "site", "completed", "latest")
}

// DirectSummaries answers PortalSummaries from the protocols themselves,
// without the site_protocols summary: one grouped count of the completed
// protocols the principal may see.
func (view *PortalView) DirectSummaries(ctx context.Context) ([]domain.ClientSummary, error) {
	sums, err := view.PortalSummaries(ctx)
	if err != nil || len(sums) == 0 {
		return sums, err
	}
	s := view.s
	where, args := portalProtocols(view.scope).where()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT p.client_id, COUNT(*), MAX(p.performed_at) FROM protocols p WHERE `+where+` GROUP BY p.client_id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counted := map[int64]domain.ClientSummary{}
	for rows.Next() {
		var id, last int64
		var cs domain.ClientSummary
		if err := rows.Scan(&id, &cs.ProtocolCount, &last); err != nil {
			return nil, err
		}
		cs.LastProtocolAt = fromMicros(last)
		counted[id] = cs
	}
	for i := range sums {
		sums[i].ProtocolCount, sums[i].LastProtocolAt = counted[sums[i].ClientID].ProtocolCount, counted[sums[i].ClientID].LastProtocolAt
	}
	return sums, rows.Err()
}

// Analyze refreshes PostgreSQL's planner statistics (SQLite's planner needs none
// here), as autovacuum would in time.
func (s *Store) Analyze(ctx context.Context) error {
	if s.dialect.name != "postgres" {
		return nil
	}
	_, err := s.db.ExecContext(ctx, "ANALYZE")
	return err
}

func (s *Store) explain(ctx context.Context, query string, args ...any) (string, error) {
	if s.dialect.name == "postgres" {
		var plan string
		if err := s.db.QueryRowContext(ctx, s.q("EXPLAIN (FORMAT JSON) "+query), args...).Scan(&plan); err != nil {
			return "", err
		}
		var v any // normalised, so that tests can look for `"Index Name": "x"`
		if err := json.Unmarshal([]byte(plan), &v); err != nil {
			return "", err
		}
		b, err := json.Marshal(v)
		return string(b), err
	}
	rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n"), rows.Err()
}

// KeptStatements is how many prepared statements the read pool keeps; ShrinkStatementCache
// bounds it to n, for tests of the bound.
func (s *Store) KeptStatements() int {
	if s.db.stmts == nil {
		return 0
	}
	s.db.stmts.mu.Lock()
	defer s.db.stmts.mu.Unlock()
	return s.db.stmts.lru.Len()
}

// ShrinkStatementCache bounds the kept statements to n.
func (s *Store) ShrinkStatementCache(n int) {
	if s.db.stmts != nil {
		s.db.stmts.close()
		s.db.stmts.size = n
	}
}

// QueryIntForTest runs query, which returns one integer, through the read pool.
func (s *Store) QueryIntForTest(ctx context.Context, query string, dst *int) error {
	return s.db.QueryRowContext(ctx, query).Scan(dst)
}
