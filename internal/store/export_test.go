package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
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
	c := and(portalProtocols(view.scope), f.cond())
	if c.matchesNothing() {
		return "", "", fmt.Errorf("scope matches nothing")
	}
	countQ, pageQ, args := protocolList(false, c, opts)
	if count, err = s.explain(ctx, countQ, args...); err != nil {
		return "", "", err
	}
	page, err = s.explain(ctx, pageQ, append(args, opts.PerPage, opts.Offset())...)
	return count, page, err
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
