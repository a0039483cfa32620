package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// Requests are counted and timed by the route pattern that served them: the
// tenant slug and the ids in the path never become label values, and neither do
// unknown paths or made-up methods.
func TestMetricsLabelRequestsByRoute(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /portal/{tenant}/projects/{id}", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /app/clients/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnprocessableEntity) })
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		closed := m.streamOpened()
		if got := testutil.ToFloat64(m.streams); got != 1 {
			t.Errorf("streams open during a stream = %v, want 1", got)
		}
		closed()
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	h := m.measure(mux)

	for _, rq := range []struct{ method, path string }{
		{"GET", "/portal/acme-pest/projects/4711"},
		{"GET", "/portal/globex/projects/12"},
		{"POST", "/app/clients/99"},
		{"GET", "/no/such/page/acme-pest"},
		{"BREW", "/portal/acme-pest/projects/4711"},
		{"GET", "/stream"},
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(rq.method, rq.path, nil))
	}

	for _, c := range []struct {
		route, method, code string
		want                float64
	}{
		{"/portal/{tenant}/projects/{id}", "GET", "200", 2},
		{"/app/clients/{id}", "POST", "422", 1},
		{unmatchedRoute, "GET", "404", 1},
		{unmatchedRoute, "other", "404", 1}, // the catch-all takes any method
		{"/stream", "GET", "200", 1},
	} {
		if got := testutil.ToFloat64(m.requests.WithLabelValues(c.route, c.method, c.code)); got != c.want {
			t.Errorf("requests{route=%q, method=%q, code=%q} = %v, want %v", c.route, c.method, c.code, got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.requests); n != 5 {
		t.Errorf("%d request series, want 5", n)
	}
	// Every request but the stream is timed.
	if n := testutil.CollectAndCount(m.duration); n != 4 {
		t.Errorf("%d duration series, want 4 (no stream)", n)
	}
	if got := testutil.ToFloat64(m.streams); got != 0 {
		t.Errorf("streams open after the stream ended = %v, want 0", got)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				for _, leak := range []string{"acme-pest", "globex", "4711", "99", "BREW", "/no/such"} {
					if strings.Contains(l.GetValue(), leak) {
						t.Errorf("%s{%s=%q} carries %q", f.GetName(), l.GetName(), l.GetValue(), leak)
					}
				}
			}
		}
	}
}

// Without a registry the metrics still work; they are exported nowhere.
func TestMetricsWithoutRegistry(t *testing.T) {
	m := newMetrics(nil)
	h := m.measure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if got := testutil.ToFloat64(m.requests.WithLabelValues(unmatchedRoute, "GET", "200")); got != 1 {
		t.Errorf("requests = %v, want 1", got)
	}
}
