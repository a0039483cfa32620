package store

import (
	"context"
	"fmt"
	"strings"
)

// Backup writes a consistent online copy of a SQLite database to path (VACUUM
// INTO runs in one read transaction, so writers may go on). For PostgreSQL use
// pg_dump; Backup refuses.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect.name != "sqlite" {
		return fmt.Errorf("store: backup: use pg_dump for PostgreSQL")
	}
	if strings.ContainsAny(path, "'\x00") {
		return fmt.Errorf("store: backup: unsupported character in path")
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO '`+path+`'`); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}
