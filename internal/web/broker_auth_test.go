package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
	"portico/internal/web"
)

const brokerSecret = "secret-of-the-broker-0123456789"

// startBrokerHooks serves the app through the real router with the broker's
// shared secret set ("" for none).
func startBrokerHooks(t *testing.T, db *testenv.DB, secret string) string {
	t.Helper()
	srv, err := web.NewServer(web.Config{App: app.New(db.Store, nil, "http://x"), BrokerSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

// askBroker posts body to path as EMQX does, with the Authorization header
// (none when ""), and returns the status and the answer's result.
func askBroker(t *testing.T, base, path, auth, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("POST %s: status %d, body not JSON: %v", path, resp.StatusCode, err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("POST %s: Content-Type %q, want application/json", path, ct)
	}
	return resp.StatusCode, out
}

func jsonBody(kv ...string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// EMQX's HTTP authentication and authorization get the embedded broker's
// answers from /mqtt/authn and /mqtt/authz: a device's own password and topics
// only, and "ignore" for anyone who is not a device, so that EMQX's other
// sources decide. Only a caller with the shared secret is answered.
func TestBrokerAuthHooks(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn := db.Tenant(t, "")
		c := db.Client(t, tn, "Dencorp")
		p := db.Project(t, tn, c, "Office lighting", db.Site(t, tn, c, "Office", "Bratislava"))
		tas, tasPW := db.Switch(t, tn, p, "Office light", domain.FamilyTasmota, "office_light")
		sh, shPW := db.Switch(t, tn, p, "Pump", domain.FamilyShelly, "shellyplus1-pump")
		base := startBrokerHooks(t, db, brokerSecret)
		bearer := "Bearer " + brokerSecret
		const js = "application/json"

		for _, tc := range []struct {
			name   string
			path   string
			body   string
			result string
		}{
			{"a device's own password", "/mqtt/authn", jsonBody("username", tas.Username, "password", tasPW, "clientid", "DVES_1"), app.BrokerAllow},
			{"a wrong password", "/mqtt/authn", jsonBody("username", tas.Username, "password", tasPW+"x"), app.BrokerDeny},
			{"another device's password", "/mqtt/authn", jsonBody("username", tas.Username, "password", shPW), app.BrokerDeny},
			{"no password", "/mqtt/authn", jsonBody("username", sh.Username), app.BrokerDeny},
			{"a username that is no device's", "/mqtt/authn", jsonBody("username", "portico-server", "password", "x"), app.BrokerIgnore},
			{"an anonymous client", "/mqtt/authn", jsonBody("password", tasPW), app.BrokerIgnore},

			{"Tasmota reports its state", "/mqtt/authz", jsonBody("username", tas.Username, "action", "publish", "topic", "stat/office_light/POWER"), app.BrokerAllow},
			{"Tasmota's last will", "/mqtt/authz", jsonBody("username", tas.Username, "action", "publish", "topic", "tele/office_light/LWT"), app.BrokerAllow},
			{"Tasmota listens for its commands", "/mqtt/authz", jsonBody("username", tas.Username, "action", "subscribe", "topic", "cmnd/office_light/#"), app.BrokerAllow},
			{"a report on a foreign topic", "/mqtt/authz", jsonBody("username", tas.Username, "action", "publish", "topic", "stat/other_light/POWER"), app.BrokerDeny},
			{"Tasmota publishing its own command", "/mqtt/authz", jsonBody("username", tas.Username, "action", "publish", "topic", "cmnd/office_light/POWER"), app.BrokerDeny},
			{"the server's change notes", "/mqtt/authz", jsonBody("username", tas.Username, "action", "publish", "topic", "portico/changed/1"), app.BrokerDeny},
			{"subscribing to everything", "/mqtt/authz", jsonBody("username", tas.Username, "action", "subscribe", "topic", "#"), app.BrokerDeny},
			{"another device's commands", "/mqtt/authz", jsonBody("username", tas.Username, "action", "subscribe", "topic", "cmnd/+/POWER"), app.BrokerDeny},
			{"Shelly reports", "/mqtt/authz", jsonBody("username", sh.Username, "action", "publish", "topic", "shellyplus1-pump/events/rpc"), app.BrokerAllow},
			{"Shelly takes requests", "/mqtt/authz", jsonBody("username", sh.Username, "action", "subscribe", "topic", "shellyplus1-pump/rpc"), app.BrokerAllow},
			{"Shelly sending itself a request", "/mqtt/authz", jsonBody("username", sh.Username, "action", "publish", "topic", "shellyplus1-pump/rpc"), app.BrokerDeny},
			{"an unknown action", "/mqtt/authz", jsonBody("username", sh.Username, "action", "all", "topic", "shellyplus1-pump/events/rpc"), app.BrokerDeny},
			{"a username that is no device's, on any topic", "/mqtt/authz", jsonBody("username", "portico-server", "action", "publish", "topic", "cmnd/office_light/POWER"), app.BrokerIgnore},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, out := askBroker(t, base, tc.path, bearer, js, tc.body)
				if status != http.StatusOK || out["result"] != tc.result {
					t.Fatalf("status %d, answer %v; want 200 and result %q", status, out, tc.result)
				}
				if tc.path == "/mqtt/authn" && out["is_superuser"] != false {
					t.Errorf("is_superuser = %v, want false", out["is_superuser"])
				}
			})
		}

		t.Run("a form body", func(t *testing.T) {
			form := url.Values{"username": {tas.Username}, "password": {tasPW}}.Encode()
			if status, out := askBroker(t, base, "/mqtt/authn", bearer, "application/x-www-form-urlencoded", form); status != http.StatusOK || out["result"] != app.BrokerAllow {
				t.Fatalf("status %d, answer %v", status, out)
			}
		})
		t.Run("a body that is not a question", func(t *testing.T) {
			if status, _ := askBroker(t, base, "/mqtt/authn", bearer, js, "{not json"); status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", status)
			}
		})

		// Without the secret nobody is answered: a status other than 200, which
		// EMQX reads as "ignore".
		right := jsonBody("username", tas.Username, "password", tasPW)
		for _, auth := range []string{"", "Bearer wrong-secret", "Basic " + brokerSecret, brokerSecret, "Bearer " + brokerSecret + "x"} {
			for _, path := range []string{"/mqtt/authn", "/mqtt/authz"} {
				status, out := askBroker(t, base, path, auth, js, right)
				if status != http.StatusUnauthorized || out["result"] == app.BrokerAllow {
					t.Errorf("POST %s with Authorization %q: status %d, answer %v; want 401", path, auth, status, out)
				}
			}
		}
		// A server without a secret has no such routes.
		off := startBrokerHooks(t, db, "")
		for _, path := range []string{"/mqtt/authn", "/mqtt/authz"} {
			if status, _ := askBroker(t, off, path, bearer, js, right); status != http.StatusNotFound {
				t.Errorf("POST %s on a server without a secret: status %d, want 404", path, status)
			}
		}
	})
}

// Every route the broker calls is guarded by the shared secret.
func TestBrokerRoutesNeedTheSecret(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	base := startBrokerHooks(t, db, brokerSecret)
	srv, err := web.NewServer(web.Config{App: app.New(db.Store, nil, "http://x")})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range srv.Routes() {
		if r.Policy != "broker" {
			continue
		}
		n++
		method, path := routePath(r.Pattern, nil)
		req, _ := http.NewRequest(method, base+path, strings.NewReader(`{"username":"x"}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without the secret: status %d, want 401", r.Pattern, resp.StatusCode)
		}
	}
	if n != 2 {
		t.Fatalf("%d broker routes, want 2 (authn and authz)", n)
	}
}
