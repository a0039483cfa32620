package switches_test

import (
	"testing"

	"portico/internal/switches"
)

// What a device says is stored (the source of a change) and shown (the reason
// of a refusal) only when it is text: a word with control characters or bytes
// that are not UTF-8 is dropped, and the state it came with still counts. A
// topic that is not text names no device, so the message is refused.
func TestDeviceTextIsCleanOrDropped(t *testing.T) {
	for _, tc := range []struct {
		name          string
		fam           switches.Family
		topic         string
		payload       string
		ok            bool
		source, reply string
	}{
		{"plain source kept", switches.Shelly{}, "plus1/status/switch:0", `{"id":0,"output":true,"source":"button"}`, true, "button", ""},
		{"escape sequence in source", switches.Shelly{}, "plus1/status/switch:0", `{"id":0,"output":true,"source":"\u001b[31mred"}`, true, "", ""},
		{"NUL in source", switches.Shelly{}, "plus1/status/switch:0", `{"id":0,"output":true,"source":"a\u0000b"}`, true, "", ""},
		{"invalid UTF-8 in source", switches.Shelly{}, "plus1/status/switch:0", "{\"id\":0,\"output\":true,\"source\":\"\xff\xfe\"}", true, "", ""},
		{"newline in notification source", switches.Shelly{}, "plus1/events/rpc",
			`{"method":"NotifyStatus","params":{"switch:0":{"id":0,"output":false,"source":"a\nb"}}}`, true, "", ""},
		{"control character in reply source", switches.Shelly{}, "plus1/portico/rpc", `{"id":7,"result":{"id":0,"output":true,"source":"MQTT\u0007"}}`, true, "", ""},
		{"control character in refusal", switches.Shelly{}, "plus1/portico/rpc", `{"id":44,"error":{"code":-105,"message":"bad\u001b[2J"}}`, true, "", ""},
		{"plain refusal kept", switches.Shelly{}, "plus1/portico/rpc", `{"id":44,"error":{"code":-105,"message":"No such id"}}`, true, "", "No such id"},
		{"Shelly topic with a control character", switches.Shelly{}, "plus\x1b1/status/switch:0", `{"id":0,"output":true}`, false, "", ""},
		{"Shelly topic not UTF-8", switches.Shelly{}, "plus\xff/online", `true`, false, "", ""},
		{"Tasmota topic with NUL", switches.Tasmota{}, "stat/pl\x00ug/POWER", `ON`, false, "", ""},
		{"Tasmota topic not UTF-8", switches.Tasmota{}, "tele/\xfe\xff/LWT", `Online`, false, "", ""},
		{"Tasmota plain", switches.Tasmota{}, "stat/plug/POWER", `ON`, true, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, ok := tc.fam.Parse(tc.topic, []byte(tc.payload))
			if ok != tc.ok || ev.Source != tc.source || ev.Message != tc.reply {
				t.Fatalf("Parse(%q, %q) = %+v, %v; want ok %v, source %q, message %q", tc.topic, tc.payload, ev, ok, tc.ok, tc.source, tc.reply)
			}
		})
	}
}
