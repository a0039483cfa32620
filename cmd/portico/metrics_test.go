package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/switches"
	"portico/internal/testenv"
)

// sample is one line of a Prometheus text exposition.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
	labelPair  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
)

// scrape reads the metrics at addr.
func scrape(t *testing.T, addr string) []sample {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d, %v\n%s", resp.StatusCode, err, body)
	}
	var out []sample
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("unparsable metrics line %q", line)
		}
		s := sample{name: m[1], labels: map[string]string{}}
		for _, l := range labelPair.FindAllStringSubmatch(m[2], -1) {
			s.labels[l[1]] = l[2]
		}
		if s.value, err = strconv.ParseFloat(m[3], 64); err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out = append(out, s)
	}
	return out
}

// value is the sum of the samples named name whose labels include want, and
// whether there was any.
func value(samples []sample, name string, want map[string]string) (float64, bool) {
	sum, found := 0.0, false
next:
	for _, s := range samples {
		if s.name != name {
			continue
		}
		for k, v := range want {
			if s.labels[k] != v {
				continue next
			}
		}
		sum, found = sum+s.value, true
	}
	return sum, found
}

// Serve with --metrics-addr exports the named series on their own listener:
// requests by route pattern, a toggle and its round trip, the connected device,
// a live stream, the mail worker's attempt and the outbox, the database pools —
// and no label carries a tenant's slug or any id.
func TestServeMetrics(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn := db.Tenant(t, "acme")
		client := db.Client(t, tn, "Dencorp")
		project := db.Project(t, tn, client, "Office", nil)
		sw, pw := db.Switch(t, tn, project, "Office light", domain.FamilyTasmota, "office_light")
		user := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "Jana", LastName: "Kováčová", Email: "jana@dencorp.test", ClientIDs: []int64{client.ID}})
		mailID, err := db.Store.EnqueueMail(ctx, store.OutboxMessage{CompanyID: tn.Company.ID, Kind: store.MailPortalReset,
			To: user.Email, PortalUserID: user.ID})
		if err != nil {
			t.Fatal(err)
		}

		metricsAddr, mqttAddr := freeAddr(t), freeAddr(t)
		s := startServe(t, db.Store, config{Addr: "127.0.0.1:0", MetricsAddr: metricsAddr, DevMailbox: true,
			mqttConfig: mqttConfig{MQTTAddr: mqttAddr}})
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		dev, err := switches.StartSim(dctx, switches.SimConfig{Device: switches.Device{Family: sw.Family, Topic: sw.Topic},
			BrokerURL: "mqtt://" + mqttAddr, Username: sw.Username, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		defer dev.Close()
		testenv.WaitSwitch(t, db, sw.ID, "online with a known state", func(s *domain.Switch) bool { return s.Online && s.Known })

		b := browser(t, "http://"+s.addr)
		wantStatus := func(what string, got, want int) {
			t.Helper()
			if got != want {
				t.Fatalf("%s: status %d, want %d", what, got, want)
			}
		}
		wantStatus("the sign-in page", b.Get("/app/login").Status, http.StatusOK)
		wantStatus("the tenant's portal sign-in", b.Get("/portal/acme/login").Status, http.StatusOK)
		wantStatus("an unknown page", b.Get("/no/such/page/acme").Status, http.StatusNotFound)
		wantStatus("staff sign-in", b.Post("/app/login", url.Values{"company": {"acme"}, "email": {tn.Admin.Email},
			"password": {testenv.Password}, "next": {"/app/"}}).Status, http.StatusSeeOther)
		projectPath := fmt.Sprintf("/app/clients/%d/projects/%d", client.ID, project.ID)
		wantStatus("the project page", b.Get(projectPath).Status, http.StatusOK)
		status, err := toggle(b, fmt.Sprintf("%s/switches/%d/toggle", projectPath, sw.ID), true)
		if err != nil || status != http.StatusOK || !dev.On() {
			t.Fatalf("toggle: status %d, %v; device on=%v", status, err, dev.On())
		}
		// A live stream open while scraping.
		sctx, stopStream := context.WithCancel(ctx)
		stream, err := b.Stream(sctx, projectPath+"/live")
		if err != nil || stream.StatusCode != http.StatusOK {
			t.Fatalf("live stream: %v", err)
		}
		if _, err := stream.Body.Read(make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		// The mail worker delivers to the dev mailbox every couple of seconds.
		var samples []sample
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			samples = scrape(t, metricsAddr)
			if v, _ := value(samples, "portico_mail_delivery_attempts_total", map[string]string{"outcome": "sent"}); v >= 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("mail %d not sent after 20 s", mailID)
			}
		}

		for _, c := range []struct {
			name   string
			labels map[string]string
			min    float64
			max    float64
		}{
			{"portico_http_requests_total", map[string]string{"route": "/app/login", "method": "GET", "code": "200"}, 1, 1},
			{"portico_http_requests_total", map[string]string{"route": "/app/login", "method": "POST", "code": "303"}, 1, 1},
			{"portico_http_requests_total", map[string]string{"route": "/portal/{tenant}/login", "method": "GET", "code": "200"}, 1, 1},
			{"portico_http_requests_total", map[string]string{"route": "unmatched", "method": "GET", "code": "404"}, 1, 1},
			{"portico_http_requests_total", map[string]string{"route": "/app/clients/{id}/projects/{pid}", "code": "200"}, 1, 1},
			{"portico_http_requests_total", map[string]string{"route": "/app/clients/{id}/projects/{pid}/switches/{sid}/toggle", "method": "POST", "code": "200"}, 1, 1},
			{"portico_http_request_duration_seconds_count", map[string]string{"route": "/app/login", "method": "GET"}, 1, 1},
			{"portico_http_request_duration_seconds_sum", map[string]string{"route": "/app/login", "method": "GET"}, 1e-9, 5},
			{"portico_sse_streams_open", nil, 1, 1},
			{"portico_switch_toggles_total", map[string]string{"outcome": "confirmed"}, 1, 1},
			{"portico_switch_toggles_total", map[string]string{"outcome": "timeout"}, 0, 0},
			{"portico_switch_toggle_round_trip_seconds_count", nil, 1, 1},
			{"portico_switch_toggle_round_trip_seconds_sum", nil, 1e-9, 5},
			{"portico_switches_connected_devices", nil, 1, 1},
			{"portico_mail_delivery_attempts_total", map[string]string{"outcome": "sent"}, 1, 100},
			{"portico_mail_delivery_attempts_total", map[string]string{"outcome": "failed"}, 0, 0},
			{"portico_mail_outbox_depth", map[string]string{"status": "retrying"}, 0, 0},
			{"portico_mail_outbox_depth", map[string]string{"status": "queued"}, 0, 100},
			{"go_sql_open_connections", nil, 1, 1000},
			{"go_goroutines", nil, 1, 1e6},
		} {
			v, ok := value(samples, c.name, c.labels)
			if !ok || v < c.min || v > c.max {
				t.Errorf("%s%v = %v (found %v), want %v…%v", c.name, c.labels, v, ok, c.min, c.max)
			}
		}
		pools := map[string]bool{}
		for _, s := range samples {
			if s.name == "go_sql_max_open_connections" {
				pools[s.labels["db_name"]] = true
			}
		}
		if want := map[string]bool{"read": true, "write": true}; db.Engine == "postgres" && (len(pools) != 1 || !pools["main"]) ||
			db.Engine == "sqlite" && (len(pools) != 2 || !pools["read"] || !pools["write"]) {
			t.Errorf("pools %v (%s), want %v or main", pools, db.Engine, want)
		}

		// No label names a tenant or carries an id.
		ids := map[string]bool{}
		for _, id := range []int64{tn.Company.ID, client.ID, project.ID, sw.ID, user.ID, mailID} {
			ids[strconv.FormatInt(id, 10)] = true
		}
		for _, s := range samples {
			for k, v := range s.labels {
				if strings.Contains(v, "acme") || strings.Contains(v, "dencorp") || strings.Contains(v, "office_light") {
					t.Errorf("%s{%s=%q} names the tenant or its data", s.name, k, v)
				}
				if k == "route" && strings.ContainsAny(v, "0123456789") {
					t.Errorf("%s{route=%q} carries a number", s.name, v)
				}
				if k != "code" && k != "le" && k != "quantile" && ids[v] {
					t.Errorf("%s{%s=%q} is one of the ids", s.name, k, v)
				}
			}
		}

		stopStream()
		stream.Body.Close()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if v, _ := value(scrape(t, metricsAddr), "portico_sse_streams_open", nil); v == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the closed stream still counts as open after 10 s")
			}
		}
	})
}

// Without --metrics-addr there is no metrics listener, and the server runs.
func TestServeWithoutMetrics(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	s := startServe(t, db.Store, config{Addr: "127.0.0.1:0"})
	b := browser(t, "http://"+s.addr)
	if r := b.Get("/metrics"); r.Status != http.StatusNotFound {
		t.Errorf("GET /metrics on the web listener: %d, want 404", r.Status)
	}
	if strings.Contains(s.log.String(), "metrics listening") {
		t.Errorf("a metrics listener started:\n%s", s.log.String())
	}
}
