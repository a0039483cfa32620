package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies the embedded migrations that the database has not seen yet, each
// in its own transaction, and returns how many it applied. Several processes may
// call it at once: on PostgreSQL an advisory lock serializes them, on SQLite the
// single IMMEDIATE writer does.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return 0, err
	}
	sort.Strings(names)
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	if s.dialect.name == "postgres" {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7240501)"); err != nil {
			return 0, fmt.Errorf("store: migrate lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7240501)")
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	applied := 0
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return applied, fmt.Errorf("store: migration %s: bad name", name)
		}
		text, err := migrations.ReadFile(name)
		if err != nil {
			return applied, err
		}
		done, err := s.applyMigration(ctx, conn, version, s.dialect.migration(string(text)))
		if err != nil {
			return applied, fmt.Errorf("store: migration %s: %w", base, err)
		}
		if done {
			applied++
		}
	}
	return applied, nil
}

func (s *Store) applyMigration(ctx context.Context, conn *sql.Conn, version int, text string) (bool, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	for _, stmt := range splitStatements(text) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("%w\n%s", err, stmt)
		}
	}
	if _, err := tx.ExecContext(ctx, s.q("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"), version, micros(s.Now())); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// splitStatements splits migration text at semicolons ending a line, dropping
// comment-only lines. Migrations contain no semicolons inside literals.
func splitStatements(text string) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.SplitSeq(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}
