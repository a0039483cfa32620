package switches_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"portico/internal/domain"
	"portico/internal/switches"
)

// Every message on the broker reaches the families' Parse, whoever sent it: a
// device may publish anything inside its own topics, and a misconfigured or
// hostile one will. These fuzz targets hold Parse to what the server relies on.

// tasmotaSeeds are messages real Tasmota firmware publishes (as the simulator
// does), and near misses.
var tasmotaSeeds = []struct{ topic, payload string }{
	{"stat/plug/RESULT", `{"POWER":"ON"}`},
	{"stat/plug/RESULT", `{"POWER2":"OFF"}`},
	{"stat/plug/RESULT", `{"POWER1":"Blink ON"}`},
	{"stat/plug/RESULT", `{"Command":"Unknown"}`},
	{"stat/plug/RESULT", `{"Command":"Error"}`},
	{"stat/plug/RESULT", `{"Dimmer":40}`},
	{"stat/plug/POWER", `ON`},
	{"stat/plug/POWER1", ` off `},
	{"stat/plug/POWER9", `TOGGLE`},
	{"stat/plug/POWER33", `ON`},
	{"stat/plug/POWER2", `{"Command":"Error"}`},
	{"tele/plug/STATE", `{"Time":"2026-01-01T00:00:00","Uptime":"0T00:01:00","UptimeSec":60,"Heap":25,"SleepMode":"Dynamic","Sleep":50,"LoadAvg":19,"MqttCount":1,"POWER1":"ON","POWER2":"OFF","Wifi":{"AP":1,"SSId":"portico","RSSI":100,"Signal":-46}}`},
	{"tele/plug/STATE", `{"Command":"Unknown"}`},
	{"tele/plug/LWT", `Online`},
	{"tele/plug/LWT", `Offline`},
	{"tele/pl\x1bug/LWT", `Online`},
	{"stat/pl\xffug/POWER", `ON`},
	{"tele/plug/INFO1", `{"Info1":{"Module":"Sonoff Basic","Version":"14.3.0(release-tasmota)","FallbackTopic":"cmnd/DVES_1A2B3C_fb/","GroupTopic":"cmnd/tasmotas/"}}`},
	{"cmnd/plug/POWER", `ON`},
	{"stat//RESULT", `{"POWER":"ON"}`},
	{"stat/plug/RESULT/x", `{"POWER":"ON"}`},
}

// shellySeeds are messages a Shelly Plus 1 publishes (as the simulator does),
// replies to the server's requests, and near misses.
var shellySeeds = []struct{ topic, payload string }{
	{"shellyplus1-a8032ab1/online", `true`},
	{"shellyplus1-a8032ab1/online", `false`},
	{"shellyplus1-a8032ab1/events/rpc", `{"src":"shellyplus1-a8032ab1","dst":"shellyplus1-a8032ab1/events","method":"NotifyStatus","params":{"ts":1767225600.25,"switch:0":{"id":0,"output":true,"source":"button"}}}`},
	{"shellyplus1-a8032ab1/events/rpc", `{"src":"shellyplus1-a8032ab1","dst":"shellyplus1-a8032ab1/events","method":"NotifyFullStatus","params":{"ts":1767225600.25,"ble":{},"cloud":{"connected":false},"input:0":{"id":0,"state":null},"mqtt":{"connected":true},"switch:0":{"id":0, "source":"init", "output":false, "temperature":{"tC":45.3, "tF":113.5}}}}`},
	{"shellyplus1-a8032ab1/events/rpc", `{"method":"NotifyStatus","params":{"switch:0":{"id":0,"apower":12.5}}}`},
	{"shellyplus1-a8032ab1/events/rpc", `{"method":"NotifyEvent","params":{"events":[{"component":"input:0","event":"single_push"}]}}`},
	{"shellyplus1-a8032ab1/status/switch:0", `{"id":0, "source":"WS_in", "output":true, "temperature":{"tC":45.3, "tF":113.5}}`},
	{"shellyplus1-a8032ab1/status/switch:x", `{"id":0,"output":true}`},
	{"shellyplus1-a8032ab1/status/sys", `{"mac":"A8032AB1","restart_required":false}`},
	{"shellyplus1-a8032ab1/portico/rpc", `{"id":42,"src":"shellyplus1-a8032ab1","dst":"shellyplus1-a8032ab1/portico","result":{"was_on":false}}`},
	{"shellyplus1-a8032ab1/portico/rpc", `{"id":7,"src":"shellyplus1-a8032ab1","dst":"shellyplus1-a8032ab1/portico","result":{"id":0, "source":"MQTT", "output":true}}`},
	{"shellyplus1-a8032ab1/portico/rpc", `{"id":44,"src":"shellyplus1-a8032ab1","dst":"shellyplus1-a8032ab1/portico","error":{"code":-105,"message":"Argument 'id', value 1 not found!"}}`},
	{"shellyplus1-a8032ab1/portico/rpc", `{"result":{"was_on":true}}`},
	{"home/floor 2/plus1/status/switch:1", `{"id":1,"output":false}`},
	{"home/plus1/rpc", `{"id":1,"src":"home/plus1/portico","method":"Switch.Set","params":{"id":0,"on":true}}`},
	{"home//online", `true`},
	{"/online", `true`},
	{"plus1/status/switch:0", "{\"id\":0,\"output\":true,\"source\":\"\xff\\u001b\"}"},
	{"plus\x001/online", `true`},
	{"online", `true`},
	{"portico/changed/12", ``},
}

// checkDeviceText fails unless an accepted message came on a topic that is
// text and carries only words that are one line of text (or none), so that
// nothing a device makes up is stored or shown as it sent it.
func checkDeviceText(t *testing.T, topic string, ev switches.Event) {
	t.Helper()
	if !domain.CleanText(topic) {
		t.Fatalf("accepted a message on %q, which is not text", topic)
	}
	for _, w := range []string{ev.Source, ev.Message} {
		if !domain.CleanText(w) || strings.ContainsAny(w, "\t\n\uFFFD") {
			t.Fatalf("Parse(%q) passed on the word %q", topic, w)
		}
	}
}

// FuzzTasmotaParse: Parse never panics; an event names the device whose own
// topics the message came on and is one a Tasmota sends (never an ack, never
// an id); a state names relays 1…32, each on or off exactly as the payload
// said it.
func FuzzTasmotaParse(f *testing.F) {
	for _, s := range tasmotaSeeds {
		f.Add(s.topic, []byte(s.payload))
	}
	fam := switches.Tasmota{}
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		ev, ok := fam.Parse(topic, payload)
		if !ok {
			if ev.Kind != "" || ev.Power != nil {
				t.Fatalf("refused message left an event behind: %+v", ev)
			}
			return
		}
		checkDeviceText(t, topic, ev)
		checkDevice(t, fam, topic, ev)
		parts := strings.Split(topic, "/")
		if len(parts) != 3 || ev.Topic != parts[1] {
			t.Fatalf("Parse(%q) names device %q, not the topic's second level", topic, ev.Topic)
		}
		if ev.ID != 0 {
			t.Fatalf("Tasmota carries no command id, Parse(%q) gave %d", topic, ev.ID)
		}
		switch ev.Kind {
		case switches.EvOnline, switches.EvOffline:
			want := map[string]string{switches.EvOnline: "Online", switches.EvOffline: "Offline"}[ev.Kind]
			if parts[0] != "tele" || parts[2] != "LWT" || strings.TrimSpace(string(payload)) != want || ev.Power != nil {
				t.Fatalf("%s from %q %q", ev.Kind, topic, payload)
			}
		case switches.EvError:
			if parts[0] != "stat" || ev.Message == "" || ev.Power != nil {
				t.Fatalf("error from %q %q: %+v", topic, payload, ev)
			}
		case switches.EvState:
			if parts[0] != "stat" && !(parts[0] == "tele" && parts[2] == "STATE") {
				t.Fatalf("state from %q", topic)
			}
			checkTasmotaState(t, parts[2], payload, ev.Power)
		default:
			t.Fatalf("Tasmota event of kind %q from %q %q", ev.Kind, topic, payload)
		}
	})
}

// checkTasmotaState checks every relay of a state against the payload, read
// here without the production code: a JSON object with a POWER<n> key whose
// string value is an on or off word, or a bare word on stat/<topic>/POWER<n>.
func checkTasmotaState(t *testing.T, sub string, payload []byte, power map[int]bool) {
	t.Helper()
	if len(power) == 0 {
		t.Fatalf("state without relays")
	}
	words := map[int][]string{}
	var obj map[string]any
	if json.Unmarshal(payload, &obj) == nil && obj != nil {
		for k, v := range obj {
			if s, isStr := v.(string); isStr {
				if n := relayNumber(k); n > 0 {
					words[n] = append(words[n], s)
				}
			}
		}
	} else if n := relayNumber(sub); n > 0 {
		words[n] = []string{string(payload)}
	}
	for n, on := range power {
		if n < 1 || n > 32 {
			t.Fatalf("relay %d from %q", n, payload)
		}
		found := false
		for _, w := range words[n] {
			if on && isWord(w, "on", "1", "true") || !on && isWord(w, "off", "0", "false") {
				found = true
			}
		}
		if !found {
			t.Fatalf("relay %d reported %v, but the payload says %q", n, on, words[n])
		}
	}
}

// relayNumber is the relay a POWER key names (POWER is relay 1), or 0.
func relayNumber(key string) int {
	key = strings.ToUpper(key)
	if key == "POWER" {
		return 1
	}
	rest, ok := strings.CutPrefix(key, "POWER")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

func isWord(s string, words ...string) bool {
	s = strings.TrimSpace(s)
	for _, w := range words {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// FuzzShellyParse: Parse never panics; an event names the device whose own
// topics the message came on, the prefix being everything before a suffix a
// Shelly publishes on; online and offline come from the online topic only,
// acks and errors only as replies to the server's src, each with its id.
func FuzzShellyParse(f *testing.F) {
	for _, s := range shellySeeds {
		f.Add(s.topic, []byte(s.payload))
	}
	fam := switches.Shelly{}
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		ev, ok := fam.Parse(topic, payload)
		if !ok {
			if ev.Kind != "" || ev.Power != nil {
				t.Fatalf("refused message left an event behind: %+v", ev)
			}
			return
		}
		checkDeviceText(t, topic, ev)
		checkDevice(t, fam, topic, ev)
		rest, found := strings.CutPrefix(topic, ev.Topic+"/")
		if !found {
			t.Fatalf("Parse(%q) names device %q, which is not the topic's prefix", topic, ev.Topic)
		}
		reply := rest == "portico/rpc"
		if reply && !strings.HasPrefix(topic, switches.ShellySrc(ev.Topic)+"/") {
			t.Fatalf("a reply on %q is not addressed to the server's src of %q", topic, ev.Topic)
		}
		switch ev.Kind {
		case switches.EvOnline, switches.EvOffline:
			word := strings.TrimSpace(string(payload))
			if rest != "online" || ev.Power != nil || (ev.Kind == switches.EvOnline) != isWord(word, "true", "on", "1") {
				t.Fatalf("%s from %q %q", ev.Kind, topic, payload)
			}
		case switches.EvAck, switches.EvError:
			if !reply || ev.Power != nil {
				t.Fatalf("%s from %q %q", ev.Kind, topic, payload)
			}
			checkReplyID(t, payload, ev.ID)
		case switches.EvState:
			if len(ev.Power) == 0 {
				t.Fatalf("state without switches from %q %q", topic, payload)
			}
			switch {
			case reply:
				checkReplyID(t, payload, ev.ID)
			case rest == "events/rpc", strings.HasPrefix(rest, "status/switch:"):
				if ev.ID != 0 {
					t.Fatalf("an unsolicited report carries id %d", ev.ID)
				}
			default:
				t.Fatalf("state from %q", topic)
			}
			if strings.HasPrefix(rest, "status/switch:") && len(ev.Power) != 1 {
				t.Fatalf("a switch's status topic reported %d switches", len(ev.Power))
			}
		default:
			t.Fatalf("Shelly event of kind %q from %q %q", ev.Kind, topic, payload)
		}
	})
}

// checkReplyID checks that a reply's event carries the id of the JSON-RPC frame.
func checkReplyID(t *testing.T, payload []byte, id int64) {
	t.Helper()
	var frame struct {
		ID *json.Number `json:"id"`
	}
	if err := json.Unmarshal(payload, &frame); err != nil || frame.ID == nil {
		t.Fatalf("a reply without an id was understood: %q", payload)
	}
	if got, err := frame.ID.Int64(); err != nil || got != id {
		t.Fatalf("reply id %s read as %d", *frame.ID, id)
	}
}

// checkDevice checks what every event must hold: its family, a device that may
// publish on the topic it came on, and no state but on or off of a real relay.
func checkDevice(t *testing.T, fam switches.Family, topic string, ev switches.Event) {
	t.Helper()
	if ev.Family != fam.Name() {
		t.Fatalf("%s Parse(%q) gave family %q", fam.Name(), topic, ev.Family)
	}
	if ev.Topic == "" || !fam.MayPublish(ev.Topic, topic) {
		t.Fatalf("%s Parse(%q) gave an event of device %q, which may not publish there", fam.Name(), topic, ev.Topic)
	}
	if ev.Kind != switches.EvState && ev.Power != nil {
		t.Fatalf("%s event carries a state: %+v", ev.Kind, ev)
	}
	if ev.Retained {
		t.Fatalf("Parse cannot know a message is retained")
	}
}

// FuzzForeignDevice: a device can never speak for another. Whatever a valid
// device of one family publishes inside its own topics, neither family reads
// it as an event of a different device that could exist — only of the device
// itself, or of a topic nested inside its own or around it ("home" and
// "home/events"), which the store refuses to create beside it.
func FuzzForeignDevice(f *testing.F) {
	for _, s := range tasmotaSeeds {
		if parts := strings.Split(s.topic, "/"); len(parts) == 3 && parts[1] != "" {
			f.Add(domain.FamilyTasmota, parts[1], parts[0] == "tele", parts[2], []byte(s.payload))
		}
	}
	for _, s := range shellySeeds {
		if i := strings.Index(s.topic, "/"); i > 0 {
			f.Add(domain.FamilyShelly, s.topic[:i], false, s.topic[i+1:], []byte(s.payload))
		}
	}
	// A Tasmota whose topic is a Shelly suffix, and a Shelly publishing what looks
	// like a Tasmota report.
	f.Add(domain.FamilyTasmota, "events", false, "rpc", []byte(`{"method":"NotifyStatus","params":{"switch:0":{"output":true}}}`))
	f.Add(domain.FamilyTasmota, "plug", true, "online", []byte(`true`))
	f.Add(domain.FamilyShelly, "home", false, "stat/plug/RESULT", []byte(`{"POWER":"ON"}`))
	f.Add(domain.FamilyShelly, "home", false, "plus1/online", []byte(`true`))
	f.Fuzz(func(t *testing.T, family, device string, tele bool, rest string, payload []byte) {
		self := &domain.Switch{Name: "x", Family: family, Topic: device}
		if self.Normalize(); self.Validate() != nil || self.Topic != device {
			return
		}
		topic := device + "/" + rest
		if family == domain.FamilyTasmota {
			topic = "stat/" + topic
			if tele {
				topic = "tele/" + device + "/" + rest
			}
		}
		if !switches.FamilyOf(family).MayPublish(device, topic) {
			return
		}
		for _, name := range domain.Families {
			ev, ok := switches.FamilyOf(name).Parse(topic, payload)
			if !ok || name == family && ev.Topic == device {
				continue
			}
			if strings.HasPrefix(ev.Topic, device+"/") || strings.HasPrefix(device, ev.Topic+"/") {
				continue // the store refuses a topic nested in another, of any family
			}
			other := &domain.Switch{Name: "x", Family: name, Topic: ev.Topic}
			if other.Normalize(); other.Validate() == nil {
				t.Fatalf("%s device %q published %q, read by %s as device %q", family, device, topic, name, ev.Topic)
			}
		}
	})
}
