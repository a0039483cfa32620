package domain

import (
	"testing"
	"time"
)

func TestZone(t *testing.T) {
	bratislava := Zone("Europe/Bratislava")
	if bratislava.String() != "Europe/Bratislava" {
		t.Fatalf("Zone(Europe/Bratislava) = %v", bratislava)
	}
	if again := Zone("Europe/Bratislava"); again != bratislava {
		t.Error("a zone is loaded again instead of shared")
	}
	summer := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC).In(bratislava)
	if _, off := summer.Zone(); off != 2*3600 {
		t.Errorf("Bratislava in July is UTC%+d, want +2h", off/3600)
	}
	for _, bad := range []string{"", "Mars/Olympus", "../../etc/passwd"} {
		if got := Zone(bad); got != time.UTC && bad != "" {
			t.Errorf("Zone(%q) = %v, want UTC", bad, got)
		}
		if _, kept := zones.Load(bad); kept && bad != "" {
			t.Errorf("unknown zone %q was kept", bad)
		}
	}
	c := &Company{TimeZone: "Mars/Olympus"}
	if c.Location() != time.UTC {
		t.Errorf("unknown company zone = %v, want UTC", c.Location())
	}
}

func BenchmarkZone(b *testing.B) {
	for b.Loop() {
		Zone("Europe/Bratislava")
	}
}
