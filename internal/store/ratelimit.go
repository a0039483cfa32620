package store

import (
	"context"
	"fmt"
	"time"
)

// LoginFailures counts the failed sign-ins recorded under key since the window began.
// Keys name what is limited, e.g. "ip:203.0.113.9" or "staff:7:ana@acme.test".
func (s *Store) LoginFailures(ctx context.Context, key string, window time.Duration) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM login_failures WHERE key = ? AND at > ?`),
		key, micros(s.Now().Add(-window))).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: login failures: %w", err)
	}
	return n, nil
}

// RecordLoginFailure records one failed sign-in under each key, and drops records
// older than a day.
func (s *Store) RecordLoginFailure(ctx context.Context, keys ...string) error {
	now := s.Now()
	for _, k := range keys {
		if _, err := s.wdb.ExecContext(ctx, s.q(`INSERT INTO login_failures (key, at) VALUES (?, ?)`), k, micros(now)); err != nil {
			return fmt.Errorf("store: record login failure: %w", err)
		}
	}
	_, err := s.wdb.ExecContext(ctx, s.q(`DELETE FROM login_failures WHERE at < ?`), micros(now.Add(-24*time.Hour)))
	return err
}

// ClearLoginFailures forgets the failures recorded under key, after a successful sign-in.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.wdb.ExecContext(ctx, s.q(`DELETE FROM login_failures WHERE key = ?`), key)
	return err
}
