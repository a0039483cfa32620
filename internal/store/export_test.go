package store

import "database/sql"

// ReadPool is the pool the store reads through, for tests of its sizing.
func (s *Store) ReadPool() *sql.DB { return s.db }
