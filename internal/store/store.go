// Package store holds all of Portico's SQL. One Store serves SQLite and PostgreSQL
// through database/sql; the few dialect differences live in dialect.go. Every
// exported method that writes is one transaction; helpers take the *sql.Tx.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"portico/internal/domain"
)

// Store is Portico's database. It is safe for concurrent use.
type Store struct {
	db      *readPool // reads
	wdb     *sql.DB   // writes; on SQLite a single connection, so writers queue instead of failing
	dialect dialect
	now     func() time.Time
}

// Config says which database to open.
type Config struct {
	// URL is "postgres://…" for PostgreSQL, or "sqlite:PATH" / a bare file path for SQLite.
	URL string
	// Now is the clock; time.Now when nil. Tests set it.
	Now func() time.Time
}

// Open connects to the database named by cfg.URL. It does not migrate; call Migrate.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	if strings.HasPrefix(cfg.URL, "postgres://") || strings.HasPrefix(cfg.URL, "postgresql://") {
		err = s.openPostgres(cfg.URL)
	} else {
		err = s.openSQLite(strings.TrimPrefix(cfg.URL, "sqlite:"))
	}
	if err != nil {
		return nil, err
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database connections.
func (s *Store) Close() error {
	s.db.stmts.close()
	err := s.db.Close()
	if s.wdb != s.db.DB {
		err = errors.Join(err, s.wdb.Close())
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	var one int
	if err := s.wdb.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping writer: %w", err)
	}
	return nil
}

// Dialect names the database engine: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect.name }

// Now returns the store's clock reading in UTC.
// Readings are cut to microseconds, the precision times are stored with, so that a
// value in memory equals the same value read back.
func (s *Store) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// q rewrites ?-placeholders for the database in use.
func (s *Store) q(query string) string { return s.dialect.rebind(query) }

// tx runs fn in one write transaction, committing when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// insert runs an INSERT … RETURNING id and returns the id.
func (s *Store) insert(ctx context.Context, q querier, query string, args ...any) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, s.q(query+" RETURNING id"), args...).Scan(&id)
	return id, err
}

// notFound turns sql.ErrNoRows into an ENOTFOUND error with msg.
func notFound(err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ENOTFOUND, "%s", msg)
	}
	return err
}

// micros converts a time to the stored form: Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts a stored time back, in UTC.
func fromMicros(n int64) time.Time { return time.UnixMicro(n).UTC() }

// nullMicros converts a nullable stored time; NULL is the zero time.
func nullMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMicros(n.Int64)
}

// nullID stores 0 as NULL.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// likePattern returns a LIKE pattern matching text that contains the folded query.
func likePattern(query string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(fold(query)) + "%"
}

// contains holds where col, a folded search text, contains the query, ignoring
// case and accents; an empty query (after trimming) holds everywhere.
func contains(col column, query string) cond {
	query = strings.TrimSpace(query)
	if query == "" {
		return always()
	}
	return expr(string(col)+` LIKE ? ESCAPE '\'`, likePattern(query))
}
