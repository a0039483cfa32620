package switches_test

import (
	"fmt"
	"testing"

	"portico/internal/switches"
)

// Each family reads what its devices publish, and nothing else.
func TestParse(t *testing.T) {
	tas, sh := switches.Tasmota{}, switches.Shelly{}
	for _, tc := range []struct {
		name    string
		fam     switches.Family
		topic   string
		payload string
		want    string // "" = not understood
	}{
		{"tasmota RESULT", tas, "stat/plug/RESULT", `{"POWER":"ON"}`, "state plug map[1:true]  0"},
		{"tasmota RESULT of relay 2", tas, "stat/plug/RESULT", `{"POWER2":"OFF"}`, "state plug map[2:false]  0"},
		{"tasmota POWER", tas, "stat/plug/POWER", `OFF`, "state plug map[1:false]  0"},
		{"tasmota POWER1", tas, "stat/plug/POWER1", `ON`, "state plug map[1:true]  0"},
		{"tasmota STATE", tas, "tele/plug/STATE", `{"Time":"2026-01-01T00:00:00","POWER":"ON","Wifi":{"RSSI":80}}`, "state plug map[1:true]  0"},
		{"tasmota LWT online", tas, "tele/plug/LWT", `Online`, "online plug map[]  0"},
		{"tasmota LWT offline", tas, "tele/plug/LWT", `Offline`, "offline plug map[]  0"},
		{"tasmota other result", tas, "stat/plug/RESULT", `{"Dimmer":40}`, ""},
		{"tasmota other stat", tas, "stat/plug/STATUS", `{}`, ""},
		{"tasmota command topic", tas, "cmnd/plug/POWER", `ON`, ""},
		{"shelly online", sh, "shellyplus1-x/online", `true`, "online shellyplus1-x map[]  0"},
		{"shelly offline", sh, "shellyplus1-x/online", `false`, "offline shellyplus1-x map[]  0"},
		{"shelly NotifyStatus", sh, "shellyplus1-x/events/rpc",
			`{"src":"shellyplus1-x","dst":"shellyplus1-x/events","method":"NotifyStatus","params":{"ts":1.5,"switch:0":{"id":0,"output":true,"source":"button"}}}`,
			"state shellyplus1-x map[0:true] button 0"},
		{"shelly NotifyStatus without output", sh, "shellyplus1-x/events/rpc",
			`{"method":"NotifyStatus","params":{"switch:0":{"id":0,"apower":12.5}}}`, ""},
		{"shelly status", sh, "shellyplus1-x/status/switch:0", `{"id":0,"source":"init","output":false}`, "state shellyplus1-x map[0:false] init 0"},
		{"shelly Set reply", sh, "shellyplus1-x/portico/rpc", `{"id":42,"src":"shellyplus1-x","dst":"shellyplus1-x/portico","result":{"was_on":false}}`, "ack shellyplus1-x map[]  42"},
		{"shelly GetStatus reply", sh, "shellyplus1-x/portico/rpc", `{"id":7,"result":{"id":0,"source":"MQTT","output":true}}`, "state shellyplus1-x map[0:true] MQTT 7"},
		{"shelly error reply", sh, "shellyplus1-x/portico/rpc", `{"id":43,"error":{"code":-103,"message":"bad"}}`, "error shellyplus1-x map[]  43"},
		{"shelly request", sh, "shellyplus1-x/rpc", `{"id":1,"method":"Switch.Set"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, ok := tc.fam.Parse(tc.topic, []byte(tc.payload))
			got := ""
			if ok {
				got = fmt.Sprintf("%s %s %v %s %d", ev.Kind, ev.Topic, ev.Power, ev.Source, ev.ID)
				if ev.Power == nil {
					got = fmt.Sprintf("%s %s map[] %s %d", ev.Kind, ev.Topic, ev.Source, ev.ID)
				}
			}
			if got != tc.want {
				t.Errorf("Parse(%s, %s) = %q, want %q", tc.topic, tc.payload, got, tc.want)
			}
		})
	}
}

// Commands are absolute, never a toggle; Shelly's carry our id and a src inside
// the device's own topics.
func TestCommands(t *testing.T) {
	for _, tc := range []struct {
		fam         switches.Family
		dev         switches.Device
		on          bool
		topic, body string
	}{
		{switches.Tasmota{}, switches.Device{Topic: "plug", Channel: 1}, true, "cmnd/plug/POWER", "ON"},
		{switches.Tasmota{}, switches.Device{Topic: "plug", Channel: 2}, false, "cmnd/plug/POWER2", "OFF"},
		{switches.Shelly{}, switches.Device{Topic: "shellyplus1-x", Channel: 0}, true, "shellyplus1-x/rpc",
			`{"id":42,"src":"shellyplus1-x/portico","method":"Switch.Set","params":{"id":0,"on":true}}`},
	} {
		topic, body := tc.fam.Command(tc.dev, tc.on, 42)
		if topic != tc.topic || string(body) != tc.body {
			t.Errorf("%s Command = %s %s, want %s %s", tc.fam.Name(), topic, body, tc.topic, tc.body)
		}
	}
}

func TestMatchTopic(t *testing.T) {
	for _, tc := range []struct {
		filter, topic string
		want          bool
	}{
		{"stat/+/+", "stat/plug/POWER", true},
		{"stat/+/+", "stat/plug", false},
		{"+/online", "shelly/online", true},
		{"#", "a/b/c", true},
		{"#", "$SYS/broker/uptime", false},
		{"portico/changed/+", "portico/changed/12", true},
		{"tele/+/LWT", "tele/plug/STATE", false},
	} {
		if got := switches.MatchTopic(tc.filter, tc.topic); got != tc.want {
			t.Errorf("MatchTopic(%q, %q) = %v", tc.filter, tc.topic, got)
		}
	}
}
