package store_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"portico/internal/testenv"
)

// The pools' statistics are registered under their names: SQLite's readers and
// single writer apart, PostgreSQL's one pool as "main".
func TestRegisterMetrics(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		reg := prometheus.NewRegistry()
		if err := db.Store.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		if err := db.Store.Ping(t.Context()); err != nil { // a connection is open
			t.Fatal(err)
		}
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		pools := map[string]float64{} // db_name → max open connections
		open := 0.0
		for _, f := range families {
			for _, m := range f.GetMetric() {
				switch f.GetName() {
				case "go_sql_max_open_connections":
					pools[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
				case "go_sql_open_connections":
					open += m.GetGauge().GetValue()
				}
			}
		}
		if db.Store.Dialect() == "sqlite" {
			if _, ok := pools["read"]; !ok || pools["write"] != 1 || len(pools) != 2 {
				t.Errorf("pools %v, want read and write (1 connection)", pools)
			}
		} else if _, ok := pools["main"]; !ok || len(pools) != 1 {
			t.Errorf("pools %v, want main", pools)
		}
		if open < 1 {
			t.Errorf("%v connections open, want at least the one just used", open)
		}
	})
}
