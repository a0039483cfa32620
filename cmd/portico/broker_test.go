package main

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"portico/internal/domain"
	"portico/internal/testenv"
)

// The external-broker options are flags and PORTICO_* variables like the rest.
func TestBrokerOptions(t *testing.T) {
	c, err := parseConfig(nil, map[string]string{"PORTICO_MQTT_DYNSEC": "true", "PORTICO_MQTT_AUTH_SECRET": "s3cret",
		"PORTICO_MQTT_URL": "mqtt://admin:pw@broker:1883"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.MQTTDynsec || c.MQTTAuthSecret != "s3cret" || c.MQTTURL != "mqtt://admin:pw@broker:1883" {
		t.Fatalf("config from the environment: %+v", c.mqttConfig)
	}
	c, err = parseConfig([]string{"--mqtt-dynsec=false", "--mqtt-auth-secret", "other"}, map[string]string{"PORTICO_MQTT_DYNSEC": "true"})
	if err != nil {
		t.Fatal(err)
	}
	if c.MQTTDynsec || c.MQTTAuthSecret != "other" {
		t.Fatalf("flags did not win over the environment: %+v", c.mqttConfig)
	}
	db := testenv.NewDB(t, "sqlite")
	err = serve(t.Context(), &config{Addr: "127.0.0.1:0", Data: t.TempDir(), mqttConfig: mqttConfig{MQTTDynsec: true}}, db.Store, slog.New(slog.DiscardHandler), nil)
	if err == nil || !strings.Contains(err.Error(), "--mqtt-dynsec needs --mqtt-url") {
		t.Fatalf("--mqtt-dynsec without a broker: %v", err)
	}
}

// serve with --mqtt-dynsec brings the broker's accounts in line as it starts,
// naming the switches it has no account for, and with --mqtt-auth-secret it
// answers EMQX's questions.
func TestServeWithDynsecBroker(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	tn := db.Tenant(t, "acme")
	c := db.Client(t, tn, "Dencorp")
	p := db.Project(t, tn, c, "Office lighting", db.Site(t, tn, c, "Office", "Bratislava"))
	sw, pw := db.Switch(t, tn, p, "Office light", domain.FamilyTasmota, "office_light")
	m := testenv.StartMosquitto(t, testenv.WithDynsec())

	s := startServe(t, db.Store, config{Addr: "127.0.0.1:0", mqttConfig: mqttConfig{MQTTURL: m.URL(), MQTTDynsec: true, MQTTAuthSecret: "s3cret"}})
	if log := s.log.String(); !strings.Contains(log, "regenerate its credentials") || !strings.Contains(log, sw.Username) {
		t.Errorf("the start did not name the switch without an account:\n%s", log)
	}
	if err := testenv.TryConnect(m.DeviceURL(), sw.Username, pw); err == nil {
		t.Error("a switch without an account on the broker was let in")
	}

	req, _ := http.NewRequest(http.MethodPost, "http://"+s.addr+"/mqtt/authn",
		strings.NewReader(`{"username":"`+sw.Username+`","password":"`+pw+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer s3cret")
	r := browser(t, "http://"+s.addr).Do(req)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `"result":"allow"`) {
		t.Fatalf("POST /mqtt/authn: %d %s", r.Status, r.Body)
	}
}

// --mqtt-dynsec on a broker without the plugin stops the start with a hint.
func TestServeWithDynsecOnPlainBroker(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	m := testenv.StartMosquitto(t)
	c := &config{Addr: "127.0.0.1:0", Data: t.TempDir(), mqttConfig: mqttConfig{MQTTURL: m.URL(), MQTTDynsec: true}}
	err := serve(t.Context(), c, db.Store, slog.New(slog.DiscardHandler), nil)
	if err == nil || !strings.Contains(err.Error(), "dynamic-security plugin") {
		t.Fatalf("serve: %v, want an error that names the dynamic-security plugin", err)
	}
}
