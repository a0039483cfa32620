package store

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// RegisterMetrics registers the connection pools' statistics with reg as the
// standard go_sql_* metrics, labelled db_name: "read" and "write" on SQLite
// (the single writer connection is a pool of its own), "main" on PostgreSQL.
func (s *Store) RegisterMetrics(reg prometheus.Registerer) error {
	if s.wdb == s.db.DB {
		return reg.Register(collectors.NewDBStatsCollector(s.db.DB, "main"))
	}
	if err := reg.Register(collectors.NewDBStatsCollector(s.db.DB, "read")); err != nil {
		return err
	}
	return reg.Register(collectors.NewDBStatsCollector(s.wdb, "write"))
}
