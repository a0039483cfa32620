package demo

import (
	"strings"
	"testing"
	"time"
)

// TestPercentileIndex specifies the nearest-rank percentiles of the load table.
func TestPercentileIndex(t *testing.T) {
	for _, tc := range []struct {
		n    int
		p    float64
		want int
	}{
		{1, 50, 0}, {1, 99, 0},
		{2, 50, 0}, {2, 99, 1},
		{100, 50, 49}, {100, 99, 98},
		{101, 99, 99},
		{1000, 99, 989},
	} {
		if got := percentileIndex(tc.n, tc.p); got != tc.want {
			t.Errorf("percentileIndex(%d, %v) = %d, want %d", tc.n, tc.p, got, tc.want)
		}
	}
}

// TestBarePage checks the yardstick: exactly 2 KB of HTML with its marker.
func TestBarePage(t *testing.T) {
	if len(barePage) != 2048 || !strings.Contains(string(barePage), "<h1>Bare page</h1>") || !strings.HasSuffix(string(barePage), "</html>\n") {
		t.Fatalf("bare page is %d bytes, want 2048 of HTML with its heading", len(barePage))
	}
}

// TestWriteLoadTable checks the table's columns and that errors are spelled out.
func TestWriteLoadTable(t *testing.T) {
	var b strings.Builder
	WriteLoadTable(&b, []LoadResult{
		{Engine: "sqlite", Size: "100k", User: "—", Page: "bare net/http 2 KB", RPS: 1000, P50: 1500 * time.Microsecond, P99: 9 * time.Millisecond, PctOfBare: 100},
		{Engine: "sqlite", Size: "100k", User: "big@bench.test", Page: "protocols", Errors: 3, FirstError: "status 500"},
	})
	want := "| engine | size | user | page | req/s | p50 | p99 | % of bare | errors |\n" +
		"|---|---|---|---|---:|---:|---:|---:|---:|\n" +
		"| sqlite | 100k | — | bare net/http 2 KB | 1000 | 1.5 ms | 9.0 ms | 100.0 % | 0 |\n" +
		"| sqlite | 100k | big@bench.test | protocols | 0 | 0.0 ms | 0.0 ms | 0.0 % | 3 |\n" +
		"\nsqlite 100k big@bench.test protocols: 3 errors, first: status 500\n"
	if b.String() != want {
		t.Fatalf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}
