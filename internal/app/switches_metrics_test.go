package app_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"portico/internal/domain"
	"portico/internal/switches"
	"portico/internal/testenv"
)

// Each toggle is counted by how it ended, a confirmation's round trip is timed,
// and the embedded broker's connected devices are counted.
func TestToggleMetrics(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		reg := prometheus.NewRegistry()
		m := switches.NewMetrics(reg)
		ss := testenv.StartSwitchServer(t, db, testenv.BrokerEmbedded, testenv.SwitchOptions{CommandTimeout: time.Second,
			QueryTimeout: 300 * time.Millisecond, CommandLimit: 3, Metrics: m})
		ctx := t.Context()
		tn := db.Tenant(t, "acme")
		client := db.Client(t, tn, "Dencorp")
		project := db.Project(t, tn, client, "Office", db.Site(t, tn, client, "Dencorp office", "Bratislava"))
		light, lightPW := db.Switch(t, tn, project, "Office light", domain.FamilyTasmota, "office_light")
		pump, _ := db.Switch(t, tn, project, "Irrigation pump", domain.FamilyShelly, "shellyplus1-pump") // no device: offline
		lightDev := ss.Device(t, light, lightPW)
		svc := ss.Switches

		for _, on := range []bool{true, false} {
			if res, err := svc.ToggleAsStaff(ctx, tn.Staff, light.ID, on); err != nil || res.Status != domain.EventConfirmed {
				t.Fatalf("turning the light on=%v: %+v, %v", on, res, err)
			}
		}
		wantCode(t, toggleErr(svc.ToggleAsStaff(ctx, tn.Staff, pump.ID, true)), domain.ECONFLICT)
		lightDev.SetDeaf(true)
		if res, err := svc.ToggleAsStaff(ctx, tn.Staff, light.ID, true); err != nil || res.Status != domain.EventFailed {
			t.Fatalf("a deaf device: %+v, %v; want failed", res, err)
		}
		wantCode(t, toggleErr(svc.ToggleAsStaff(ctx, tn.Staff, light.ID, true)), domain.ETOOMANY) // the fourth in a minute

		want := map[string]float64{switches.ToggleConfirmed: 2, switches.ToggleTimeout: 1, switches.ToggleOffline: 1,
			switches.ToggleRateLimited: 1, switches.ToggleFailed: 0, switches.ToggleSuperseded: 0}
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, f := range families {
			seen[f.GetName()] = true
			for _, s := range f.GetMetric() {
				switch f.GetName() {
				case "portico_switch_toggles_total":
					outcome := s.GetLabel()[0].GetValue()
					if got := s.GetCounter().GetValue(); got != want[outcome] {
						t.Errorf("toggles{outcome=%q} = %v, want %v", outcome, got, want[outcome])
					}
					delete(want, outcome)
				case "portico_switch_toggle_round_trip_seconds":
					h := s.GetHistogram()
					if h.GetSampleCount() != 2 || h.GetSampleSum() <= 0 || h.GetSampleSum() > 2 {
						t.Errorf("round trip: %d samples summing to %vs, want the 2 confirmations, each well under a second", h.GetSampleCount(), h.GetSampleSum())
					}
				case "portico_switches_connected_devices":
					if got := s.GetGauge().GetValue(); got != 1 {
						t.Errorf("connected devices = %v, want 1 (the light)", got)
					}
				}
			}
		}
		for _, name := range []string{"portico_switch_toggles_total", "portico_switch_toggle_round_trip_seconds", "portico_switches_connected_devices"} {
			if !seen[name] {
				t.Errorf("no %s", name)
			}
		}
		if len(want) > 0 {
			t.Errorf("outcomes without a series: %v", want)
		}

		// The count follows the broker's connections.
		lightDev.Close()
		for deadline := time.Now().Add(10 * time.Second); connectedDevices(t, reg) != 0; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the closed device still counts as connected after 10 s")
			}
		}
	})
}

// connectedDevices is the connected devices gauge as reg reports it now.
func connectedDevices(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "portico_switches_connected_devices" {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatal("no portico_switches_connected_devices")
	return 0
}

// With an external broker, which tells nothing of connections, the switches
// whose devices said they are online are counted.
func TestConnectedDevicesExternalBroker(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		reg := prometheus.NewRegistry()
		ss := testenv.StartSwitchServer(t, db, testenv.BrokerMosquitto, testenv.SwitchOptions{Metrics: switches.NewMetrics(reg)})
		tn := db.Tenant(t, "acme")
		client := db.Client(t, tn, "Dencorp")
		project := db.Project(t, tn, client, "Office", nil)
		light, lightPW := db.Switch(t, tn, project, "Office light", domain.FamilyTasmota, "office_light")
		db.Switch(t, tn, project, "Irrigation pump", domain.FamilyShelly, "shellyplus1-pump") // no device
		dev := ss.Device(t, light, lightPW)
		for _, want := range []float64{1, 0} {
			for deadline := time.Now().Add(10 * time.Second); connectedDevices(t, reg) != want; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("connected devices = %v after 10 s, want %v", connectedDevices(t, reg), want)
				}
			}
			dev.GoOffline() // its last will says it is gone
		}
	})
}
