package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the web server's Prometheus measurements. Requests are labelled by
// the route pattern that served them ("/portal/{tenant}/projects/{id}"), never by
// the path: a path holds tenant slugs, ids and tokens, and would make a series per
// URL.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	streams  prometheus.Gauge
}

// unmatchedRoute labels requests no route pattern served: the catch-all "not
// found" handler, and requests refused before routing (cross-origin forms).
const unmatchedRoute = "unmatched"

// newMetrics makes the web server's metrics and registers them with reg; with a
// nil reg they are kept but exported nowhere.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portico_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "portico_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern and method (live event streams are not timed).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		streams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "portico_sse_streams_open",
			Help: "Live switch streams (server-sent events) open in this process.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.duration, m.streams)
	}
	return m
}

// measure counts and times each request by the route the mux matched; it sits
// outside the mux, which records the pattern in r.Pattern as it routes.
func (m *metrics) measure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route, method := routeLabel(r.Pattern), methodLabel(r.Method)
		m.requests.WithLabelValues(route, method, strconv.Itoa(sw.status)).Inc()
		// A live stream lasts minutes by design; its length says nothing about
		// how fast the server answers.
		if !strings.HasPrefix(sw.Header().Get("Content-Type"), "text/event-stream") {
			m.duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		}
	})
}

// routeLabel is a route pattern without its method ("GET /app/clients/{id}" →
// "/app/clients/{id}"); the catch-all and no pattern are unmatchedRoute.
func routeLabel(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		pattern = path
	}
	if pattern == "" || pattern == "/" {
		return unmatchedRoute
	}
	return pattern
}

// methodLabel keeps the methods a client may send from growing the label's values.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

// streamOpened counts a live stream as open until the returned func is called.
func (m *metrics) streamOpened() (closed func()) {
	m.streams.Inc()
	return m.streams.Dec
}
