package switches

import (
	"encoding/json"
	"strconv"
	"strings"

	"portico/internal/domain"
)

// Tasmota is the protocol of Tasmota firmware with its default full topic
// %prefix%/%topic%/: commands on cmnd/<topic>/POWER<n> ("ON"/"OFF"; never TOGGLE),
// state on stat/<topic>/RESULT, stat/<topic>/POWER<n> and tele/<topic>/STATE,
// availability from the retained tele/<topic>/LWT "Online"/"Offline".
//
// A command Tasmota cannot carry out is answered on stat/<topic>/RESULT (or
// stat/<topic>/<COMMAND> with SetOption4) with {"Command":"Unknown"} for a
// command it does not know, and {"Command":"Error"} for POWER<n> beyond its
// relays; neither carries an id.
type Tasmota struct{}

// Name implements Family.
func (Tasmota) Name() string { return domain.FamilyTasmota }

// Filters implements Family.
func (Tasmota) Filters() []string {
	return []string{"stat/+/+", "tele/+/STATE", "tele/+/LWT"}
}

// powerName is the command for the relay: POWER for relay 1 of a one-relay
// device, POWER<n> otherwise.
func powerName(channel int) string {
	if channel <= 1 {
		return "POWER"
	}
	return "POWER" + strconv.Itoa(channel)
}

// Command implements Family.
func (Tasmota) Command(d Device, on bool, _ int64) (string, []byte) {
	v := "OFF"
	if on {
		v = "ON"
	}
	return "cmnd/" + d.Topic + "/" + powerName(d.Channel), []byte(v)
}

// Query implements Family: an empty POWER command makes Tasmota report the relay.
func (Tasmota) Query(d Device, _ int64) (string, []byte) {
	return "cmnd/" + d.Topic + "/" + powerName(d.Channel), nil
}

// relayOf returns the relay number a POWER key names: POWER and POWER1 are 1.
func relayOf(key string) (int, bool) {
	rest, ok := strings.CutPrefix(strings.ToUpper(key), "POWER")
	if !ok {
		return 0, false
	}
	if rest == "" {
		return 1, true
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 || n > 32 {
		return 0, false
	}
	return n, true
}

// Parse implements Family. A topic that is not text is refused (see deviceEvent).
func (f Tasmota) Parse(topic string, payload []byte) (Event, bool) {
	return deviceEvent(topic, payload, f.parse)
}

func (Tasmota) parse(topic string, payload []byte) (Event, bool) {
	parts := strings.Split(topic, "/")
	if len(parts) != 3 || parts[1] == "" {
		return Event{}, false
	}
	ev := Event{Family: domain.FamilyTasmota, Topic: parts[1]}
	switch {
	case parts[0] == "tele" && parts[2] == "LWT":
		switch strings.TrimSpace(string(payload)) {
		case "Online":
			ev.Kind = EvOnline
		case "Offline":
			ev.Kind = EvOffline
		default:
			return Event{}, false
		}
		return ev, true
	case parts[0] == "stat" && commandRefused(payload, &ev):
		return ev, true
	case parts[0] == "stat" && (parts[2] == "RESULT") || parts[0] == "tele" && parts[2] == "STATE":
		var m map[string]any
		if json.Unmarshal(payload, &m) != nil {
			return Event{}, false
		}
		for k, v := range m {
			n, ok := relayOf(k)
			if !ok {
				continue
			}
			s, _ := v.(string)
			if on, ok := parseBool(s); ok {
				if ev.Power == nil {
					ev.Power = map[int]bool{}
				}
				ev.Power[n] = on
			}
		}
	case parts[0] == "stat":
		n, ok := relayOf(parts[2])
		if !ok {
			return Event{}, false
		}
		on, ok := parseBool(string(payload))
		if !ok {
			return Event{}, false
		}
		ev.Power = map[int]bool{n: on}
	}
	if len(ev.Power) == 0 {
		return Event{}, false
	}
	ev.Kind = EvState
	return ev, true
}

// commandRefused reads Tasmota's answer to a command it could not carry out into
// an EvError with the device's reason.
func commandRefused(payload []byte, ev *Event) bool {
	var m struct {
		Command *string `json:"Command"`
	}
	if !strings.HasPrefix(strings.TrimSpace(string(payload)), "{") || json.Unmarshal(payload, &m) != nil || m.Command == nil {
		return false
	}
	switch *m.Command {
	case "Unknown":
		ev.Message = "Unknown command"
	case "Error":
		ev.Message = "No such relay"
	default:
		return false
	}
	ev.Kind = EvError
	return true
}

// MayPublish implements Family: a device reports on stat/<topic>/… and tele/<topic>/….
func (Tasmota) MayPublish(dev, topic string) bool {
	return under(topic, "stat/"+dev) || under(topic, "tele/"+dev)
}

// MaySubscribe implements Family: a device listens on cmnd/<topic>/….
func (Tasmota) MaySubscribe(dev, filter string) bool {
	return under(filter, "cmnd/"+dev)
}
