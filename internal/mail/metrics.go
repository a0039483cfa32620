package mail

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Delivery attempt outcomes, the values of the outcome label.
const (
	OutcomeSent   = "sent"   // delivered
	OutcomeRetry  = "retry"  // failed; another attempt is due later
	OutcomeFailed = "failed" // failed for good: too many attempts, or undeliverable
)

// Depther reports how many outbox messages are still to be delivered, by status.
type Depther interface {
	OutboxDepth(ctx context.Context) (map[string]int, error)
}

// depthTimeout bounds the outbox count made at each scrape.
const depthTimeout = 5 * time.Second

// Metrics are the mail side's Prometheus measurements: delivery attempts by
// outcome, and the outbox depth read from the queue at each scrape. A nil
// *Metrics records nothing.
type Metrics struct {
	attempts *prometheus.CounterVec
}

// NewMetrics makes the mail metrics and registers them with reg. The outbox
// depth is read from depth when Prometheus scrapes; nil leaves it out.
func NewMetrics(reg prometheus.Registerer, depth Depther) *Metrics {
	m := &Metrics{attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portico_mail_delivery_attempts_total",
		Help: "Outbox delivery attempts made by this process, by outcome: sent, retry (failed, tried again later) or failed (given up).",
	}, []string{"outcome"})}
	for _, o := range []string{OutcomeSent, OutcomeRetry, OutcomeFailed} {
		m.attempts.WithLabelValues(o) // every outcome shows, at 0 until it happens
	}
	if reg != nil {
		reg.MustRegister(m.attempts)
		if depth != nil {
			reg.MustRegister(depthCollector{depth})
		}
	}
	return m
}

func (m *Metrics) attempt(outcome string) {
	if m != nil {
		m.attempts.WithLabelValues(outcome).Inc()
	}
}

var depthDesc = prometheus.NewDesc("portico_mail_outbox_depth",
	"Outbox messages of every tenant still to be delivered, by status: queued (not yet attempted) or retrying.",
	[]string{"status"}, nil)

// depthCollector counts the outbox at each scrape: the outbox lives in the
// database, shared by every server process, so each reports the same figure.
type depthCollector struct{ q Depther }

func (c depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- depthDesc }

func (c depthCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), depthTimeout)
	defer cancel()
	depth, err := c.q.OutboxDepth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(depthDesc, err)
		return
	}
	for status, n := range depth {
		ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(n), status)
	}
}
