// Package switches speaks MQTT to smart relays: the Bus the server publishes and
// listens on (an embedded broker, or a client of an external one), one protocol
// adapter per device family (Tasmota, Shelly Gen2/Gen3), the broker's
// authentication and topic ACL, and simulated devices for the demo and the tests.
// It knows nothing of tenants or the database: package app ties it to the store.
package switches

import (
	"strings"

	"portico/internal/domain"
)

// Device names one device on the broker.
type Device struct {
	Family  string // domain.FamilyTasmota or domain.FamilyShelly
	Topic   string // Tasmota topic or Shelly prefix
	Channel int    // Tasmota relay (1…), Shelly switch id (0…)
}

// Kinds of device events.
const (
	EvState   = "state"   // the device reports its relays
	EvOnline  = "online"  // the device announced itself
	EvOffline = "offline" // the device (or its last will) said it is gone
	EvAck     = "ack"     // the device accepted command ID (Shelly)
	EvError   = "error"   // the device refused command ID (Shelly)
)

// Event is what one device message means.
type Event struct {
	Kind     string
	Family   string
	Topic    string       // the device's topic or prefix
	Power    map[int]bool // EvState: relay → on
	Source   string       // EvState: the device's word for what changed it (Shelly), if any
	ID       int64        // EvAck, EvError: the command's id; 0 when the protocol carries none (Tasmota)
	Message  string       // EvError: the device's own reason, if it gave one
	Retained bool         // a retained message, replayed by the broker
}

// Family is the protocol of one device family.
type Family interface {
	// Name is domain.FamilyTasmota or domain.FamilyShelly.
	Name() string
	// Filters are the topic filters the server listens on for every device of the family.
	Filters() []string
	// Command returns the message that sets the device's relay: an absolute on or
	// off, never a toggle, so that a duplicate delivery changes nothing. id
	// identifies the command where the protocol carries one (Shelly).
	Command(d Device, on bool, id int64) (topic string, payload []byte)
	// Query returns the message that asks the device for its state.
	Query(d Device, id int64) (topic string, payload []byte)
	// Parse reads a message from a device; ok is false for anything else.
	Parse(topic string, payload []byte) (ev Event, ok bool)
	// MayPublish reports whether the device with topic deviceTopic may publish on topic.
	MayPublish(deviceTopic, topic string) bool
	// MaySubscribe reports whether the device may subscribe to filter.
	MaySubscribe(deviceTopic, filter string) bool
}

// Families are the supported device families.
var Families = map[string]Family{
	domain.FamilyTasmota: Tasmota{},
	domain.FamilyShelly:  Shelly{},
}

// FamilyOf returns the family with the name, or nil.
func FamilyOf(name string) Family { return Families[name] }

// AllFilters lists the filters of every family.
func AllFilters() []string {
	var out []string
	for _, name := range domain.Families {
		out = append(out, Families[name].Filters()...)
	}
	return out
}

// under reports whether topic (or filter) lies at or below prefix, with no
// wildcard above it.
func under(topic, prefix string) bool {
	return topic == prefix || strings.HasPrefix(topic, prefix+"/")
}

func parseBool(s string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "1", "true":
		return true, true
	case "off", "0", "false":
		return false, true
	}
	return false, false
}

// deviceEvent parses a message with parse, holding what a device sends to the
// text the rest of the server stores and shows. A topic that is not text
// (invalid UTF-8, control characters) names no device a form could have saved,
// so the message is refused. A word from the payload — the source of a change,
// which is stored, and the reason of a refusal, which is shown — is dropped
// unless it is one line of text; JSON decoding has already turned invalid
// UTF-8 into U+FFFD, which counts as not text here. The state it came with
// still counts.
func deviceEvent(topic string, payload []byte, parse func(string, []byte) (Event, bool)) (Event, bool) {
	if !domain.CleanText(topic) {
		return Event{}, false
	}
	ev, ok := parse(topic, payload)
	ev.Source, ev.Message = deviceWord(ev.Source), deviceWord(ev.Message)
	return ev, ok
}

// deviceWord is s if it is one line of text a device could have meant, or "".
func deviceWord(s string) string {
	if !domain.CleanText(s) || strings.ContainsAny(s, "\t\n\uFFFD") {
		return ""
	}
	return s
}
