package switches

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Toggle outcomes, the values of the toggles metric's outcome label.
const (
	ToggleConfirmed   = "confirmed"    // the device reported the wanted state
	ToggleSuperseded  = "superseded"   // a newer command replaced it before the device answered
	ToggleFailed      = "failed"       // the device refused it, went offline, or the broker could not be reached
	ToggleTimeout     = "timeout"      // no report, not even after a state query
	ToggleOffline     = "offline"      // refused at once: the switch was offline; nothing was sent
	ToggleRateLimited = "rate_limited" // refused at once: over the switch's command limit; nothing was sent
)

// devicesTimeout bounds counting the connected devices at a scrape.
const devicesTimeout = 5 * time.Second

// Metrics are the switch side's Prometheus measurements: toggles by outcome,
// the round trip from a command's publication to the device's confirmation,
// and the devices connected. A nil *Metrics records nothing.
type Metrics struct {
	toggles   *prometheus.CounterVec
	roundTrip prometheus.Histogram
	devices   atomic.Pointer[func(context.Context) (int, error)]
}

// NewMetrics makes the switch metrics and registers them with reg (nil: kept,
// but exported nowhere). The connected devices are counted by the function
// CountDevices sets, at each scrape.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		toggles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portico_switch_toggles_total",
			Help: "Switch toggles asked of this process, by outcome: confirmed, superseded, failed, timeout, offline or rate_limited.",
		}, []string{"outcome"}),
		roundTrip: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "portico_switch_toggle_round_trip_seconds",
			Help:    "Time from publishing a toggle command to the device's confirming report, for confirmed toggles.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2, 3, 5, 8},
		}),
	}
	for _, o := range []string{ToggleConfirmed, ToggleSuperseded, ToggleFailed, ToggleTimeout, ToggleOffline, ToggleRateLimited} {
		m.toggles.WithLabelValues(o) // every outcome shows, at 0 until it happens
	}
	if reg != nil {
		reg.MustRegister(m.toggles, m.roundTrip, devicesCollector{m})
	}
	return m
}

// CountDevices sets how the connected devices are counted: the embedded
// broker's own connections, or the switches an external broker's devices last
// said were online.
func (m *Metrics) CountDevices(fn func(ctx context.Context) (int, error)) {
	if m != nil {
		m.devices.Store(&fn)
	}
}

// Toggle records a toggle's outcome; roundTrip is how long the device took to
// confirm it, observed for confirmed toggles only.
func (m *Metrics) Toggle(outcome string, roundTrip time.Duration) {
	if m == nil {
		return
	}
	m.toggles.WithLabelValues(outcome).Inc()
	if outcome == ToggleConfirmed {
		m.roundTrip.Observe(roundTrip.Seconds())
	}
}

var devicesDesc = prometheus.NewDesc("portico_switches_connected_devices",
	"Devices connected: to this process's embedded broker, or, with an external broker, switches whose devices last said they were online.",
	nil, nil)

type devicesCollector struct{ m *Metrics }

func (c devicesCollector) Describe(ch chan<- *prometheus.Desc) { ch <- devicesDesc }

func (c devicesCollector) Collect(ch chan<- prometheus.Metric) {
	fn := c.m.devices.Load()
	if fn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), devicesTimeout)
	defer cancel()
	n, err := (*fn)(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(devicesDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(devicesDesc, prometheus.GaugeValue, float64(n))
}
