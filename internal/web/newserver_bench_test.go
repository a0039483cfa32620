package web

import "testing"

// BenchmarkNewServer measures building the router and parsing every template:
// the largest part of the time between `portico serve` starting and answering
// /healthz.
func BenchmarkNewServer(b *testing.B) {
	for b.Loop() {
		if _, err := NewServer(Config{}); err != nil {
			b.Fatal(err)
		}
	}
}
