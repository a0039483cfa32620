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
		{"shelly error reply", sh, "shellyplus1-x/portico/rpc", `{"id":43,"error":{"code":-103,"message":"bad"}}`, "error shellyplus1-x map[]  43 bad"},
		{"shelly error reply: no such switch", sh, "shellyplus1-x/portico/rpc",
			`{"id":44,"src":"shellyplus1-x","dst":"shellyplus1-x/portico","error":{"code":-105,"message":"Argument 'id', value 1 not found!"}}`,
			"error shellyplus1-x map[]  44 Argument 'id', value 1 not found!"},
		{"shelly request", sh, "shellyplus1-x/rpc", `{"id":1,"method":"Switch.Set"}`, ""},
		{"shelly other status", sh, "shellyplus1-x/status/sys", `{"mac":"A8032AB1"}`, ""},
		{"shelly other event topic", sh, "shellyplus1-x/events", `{}`, ""},

		// A Shelly prefix may have several levels: the device is what comes before
		// the known suffix, at any depth.
		{"shelly two-level online", sh, "home/plus1/online", `true`, "online home/plus1 map[]  0"},
		{"shelly two-level NotifyStatus", sh, "home/plus1/events/rpc",
			`{"src":"shellyplus1-x","method":"NotifyStatus","params":{"switch:0":{"id":0,"output":false,"source":"button"}}}`,
			"state home/plus1 map[0:false] button 0"},
		{"shelly deep status", sh, "site/floor 2/room/plus1/status/switch:1", `{"id":1,"source":"WS_in","output":true}`, "state site/floor 2/room/plus1 map[1:true] WS_in 0"},
		{"shelly two-level reply", sh, "home/plus1/portico/rpc", `{"id":9,"result":{"was_on":true}}`, "ack home/plus1 map[]  9"},
		{"shelly prefix ending in a suffix word", sh, "home/status/status/switch:0", `{"id":0,"output":true}`, "state home/status map[0:true]  0"},
		{"shelly request to a two-level prefix", sh, "home/plus1/rpc", `{"id":1,"src":"home/plus1/portico","method":"Switch.Set"}`, ""},
		{"shelly suffix alone", sh, "online", `true`, ""},
		{"shelly empty level", sh, "home//online", `true`, ""},
		{"shelly leading slash", sh, "/plus1/online", `true`, ""},
		{"server change note", sh, "portico/changed/12", ``, ""},
		{"tasmota topic seen as shelly", sh, "tele/plug/LWT", `Online`, ""},

		// Tasmota answers a command it cannot carry out without an id.
		{"tasmota unknown command", tas, "stat/plug/RESULT", `{"Command":"Unknown"}`, "error plug map[]  0 Unknown command"},
		{"tasmota relay it does not have", tas, "stat/plug/RESULT", `{"Command":"Error"}`, "error plug map[]  0 No such relay"},
		{"tasmota refusal with SetOption4", tas, "stat/plug/POWER2", `{"Command":"Error"}`, "error plug map[]  0 No such relay"},
		{"tasmota other command word", tas, "stat/plug/RESULT", `{"Command":"Done"}`, ""},
		{"tasmota refusal on tele", tas, "tele/plug/STATE", `{"Command":"Unknown"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, ok := tc.fam.Parse(tc.topic, []byte(tc.payload))
			got := ""
			if ok {
				got = fmt.Sprintf("%s %s %v %s %d", ev.Kind, ev.Topic, ev.Power, ev.Source, ev.ID)
				if ev.Power == nil {
					got = fmt.Sprintf("%s %s map[] %s %d", ev.Kind, ev.Topic, ev.Source, ev.ID)
				}
				if ev.Message != "" {
					got += " " + ev.Message
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
		{switches.Shelly{}, switches.Device{Topic: "home/plus1", Channel: 0}, false, "home/plus1/rpc",
			`{"id":42,"src":"home/plus1/portico","method":"Switch.Set","params":{"id":0,"on":false}}`},
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

// A Shelly with a multi-level prefix publishes under that prefix only, not under
// its parent or a sibling whose name starts the same, and listens on its own rpc
// topic only.
func TestShellyACLMultiLevel(t *testing.T) {
	sh := switches.Shelly{}
	for _, tc := range []struct {
		dev, topic string
		write      bool
		want       bool
	}{
		{"home/plus1", "home/plus1/online", true, true},
		{"home/plus1", "home/plus1/events/rpc", true, true},
		{"home/plus1", "home/plus1/status/switch:0", true, true},
		{"home/plus1", "home/plus1/portico/rpc", true, true},
		{"home/plus1", "home/plus1/rpc", true, false},
		{"home/plus1", "home/plus1/command", true, false},
		{"home/plus1", "home/online", true, false},
		{"home/plus1", "home/plus10/online", true, false},
		{"home/plus1", "home", true, false},
		{"home", "home/online", true, true},
		{"home", "home/rpc", true, false},
		{"home/plus1", "home/plus1/rpc", false, true},
		{"home/plus1", "home/plus1/command/switch:0", false, true},
		{"home/plus1", "home/rpc", false, false},
		{"home/plus1", "home/#", false, false},
		{"home/plus1", "home/+/rpc", false, false},
		{"home/plus1", "home/plus1/#", false, false},
		{"home", "home/plus1/rpc", false, false},
	} {
		got := sh.MaySubscribe(tc.dev, tc.topic)
		if tc.write {
			got = sh.MayPublish(tc.dev, tc.topic)
		}
		if got != tc.want {
			t.Errorf("device %s, write=%v on %s: allowed=%v, want %v", tc.dev, tc.write, tc.topic, got, tc.want)
		}
	}
}
