package switches

import (
	"encoding/json"
	"strconv"
	"strings"

	"portico/internal/domain"
)

// Shelly is the protocol of Shelly Gen2 and Gen3 devices: JSON-RPC requests on
// <prefix>/rpc with our own src, whose replies come to <src>/rpc matched by id;
// state from NotifyStatus on <prefix>/events/rpc and from <prefix>/status/switch:<n>;
// availability from the retained <prefix>/online "true"/"false".
//
// Our src is <prefix>/portico, so that a device replies inside its own topics and
// its ACL can stay narrow.
//
// A prefix may have several levels ("home/plus1"), so the device's prefix is what
// comes before one of the known suffixes, and the server listens to every topic.
// The store keeps any prefix from lying inside another, so the split is never
// ambiguous between two devices.
type Shelly struct{}

// Name implements Family.
func (Shelly) Name() string { return domain.FamilyShelly }

// Filters implements Family: everything, as a prefix may be of any depth; Parse
// picks out the device topics by their suffixes.
func (Shelly) Filters() []string {
	return []string{"#"}
}

// ShellySrc is the src the server puts in its requests to the device with prefix.
func ShellySrc(prefix string) string { return prefix + "/portico" }

type rpcRequest struct {
	ID     int64          `json:"id"`
	Src    string         `json:"src"`
	Method string         `json:"method"`
	Params map[string]any `json:"params,omitempty"`
}

// Command implements Family: Switch.Set with an absolute on.
func (Shelly) Command(d Device, on bool, id int64) (string, []byte) {
	b, _ := json.Marshal(rpcRequest{ID: id, Src: ShellySrc(d.Topic), Method: "Switch.Set", Params: map[string]any{"id": d.Channel, "on": on}})
	return d.Topic + "/rpc", b
}

// Query implements Family: Switch.GetStatus.
func (Shelly) Query(d Device, id int64) (string, []byte) {
	b, _ := json.Marshal(rpcRequest{ID: id, Src: ShellySrc(d.Topic), Method: "Switch.GetStatus", Params: map[string]any{"id": d.Channel}})
	return d.Topic + "/rpc", b
}

type switchStatus struct {
	ID     *int   `json:"id"`
	Output *bool  `json:"output"`
	Source string `json:"source"`
}

type rpcFrame struct {
	ID     *int64                     `json:"id"`
	Method string                     `json:"method"`
	Params map[string]json.RawMessage `json:"params"`
	Result *struct {
		WasOn  *bool  `json:"was_on"`
		ID     *int   `json:"id"`
		Output *bool  `json:"output"`
		Source string `json:"source"`
	} `json:"result"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// shellySplit splits a topic a device publishes into its prefix and the known
// suffix after it (online, events/rpc, portico/rpc or status/switch:<n>); ok is
// false for any other topic.
func shellySplit(topic string) (prefix, rest string, ok bool) {
	parts := strings.Split(topic, "/")
	n := len(parts)
	var levels int
	switch {
	case n >= 2 && parts[n-1] == "online":
		levels = 1
	case n >= 3 && parts[n-2] == "events" && parts[n-1] == "rpc",
		n >= 3 && parts[n-2] == "portico" && parts[n-1] == "rpc",
		n >= 3 && parts[n-2] == "status" && strings.HasPrefix(parts[n-1], "switch:"):
		levels = 2
	default:
		return "", "", false
	}
	for _, p := range parts[:n-levels] {
		if p == "" {
			return "", "", false
		}
	}
	return strings.Join(parts[:n-levels], "/"), strings.Join(parts[n-levels:], "/"), true
}

// Parse implements Family. A topic that is not text is refused and a word the
// device sent that is not text dropped (see deviceEvent).
func (f Shelly) Parse(topic string, payload []byte) (Event, bool) {
	return deviceEvent(topic, payload, f.parse)
}

func (Shelly) parse(topic string, payload []byte) (Event, bool) {
	prefix, rest, ok := shellySplit(topic)
	if !ok {
		return Event{}, false
	}
	ev := Event{Family: domain.FamilyShelly, Topic: prefix}
	switch {
	case rest == "online":
		on, ok := parseBool(string(payload))
		if !ok {
			return Event{}, false
		}
		ev.Kind = EvOffline
		if on {
			ev.Kind = EvOnline
		}
		return ev, true
	case strings.HasPrefix(rest, "status/switch:"):
		var st switchStatus
		if json.Unmarshal(payload, &st) != nil || st.Output == nil {
			return Event{}, false
		}
		n, err := strconv.Atoi(strings.TrimPrefix(rest, "status/switch:"))
		if err != nil {
			return Event{}, false
		}
		ev.Kind, ev.Power, ev.Source = EvState, map[int]bool{n: *st.Output}, st.Source
		return ev, true
	case rest == "events/rpc":
		var f rpcFrame
		if json.Unmarshal(payload, &f) != nil || (f.Method != "NotifyStatus" && f.Method != "NotifyFullStatus") {
			return Event{}, false
		}
		for k, raw := range f.Params {
			nstr, ok := strings.CutPrefix(k, "switch:")
			if !ok {
				continue
			}
			n, err := strconv.Atoi(nstr)
			if err != nil {
				continue
			}
			var st switchStatus
			if json.Unmarshal(raw, &st) != nil || st.Output == nil {
				continue
			}
			if ev.Power == nil {
				ev.Power = map[int]bool{}
			}
			ev.Power[n] = *st.Output
			ev.Source = st.Source
		}
		if len(ev.Power) == 0 {
			return Event{}, false
		}
		ev.Kind = EvState
		return ev, true
	case rest == "portico/rpc":
		var f rpcFrame
		if json.Unmarshal(payload, &f) != nil || f.ID == nil {
			return Event{}, false
		}
		ev.ID = *f.ID
		switch {
		case f.Error != nil:
			ev.Kind, ev.Message = EvError, strings.TrimSpace(f.Error.Message)
		case f.Result != nil && f.Result.WasOn != nil:
			ev.Kind = EvAck
		case f.Result != nil && f.Result.Output != nil:
			n := 0
			if f.Result.ID != nil {
				n = *f.Result.ID
			}
			ev.Kind, ev.Power, ev.Source = EvState, map[int]bool{n: *f.Result.Output}, f.Result.Source
		default:
			return Event{}, false
		}
		return ev, true
	}
	return Event{}, false
}

// MayPublish implements Family: a device publishes under its prefix, but not on
// the topics it takes requests from.
func (Shelly) MayPublish(dev, topic string) bool {
	return under(topic, dev) && topic != dev+"/rpc" && !under(topic, dev+"/command")
}

// MaySubscribe implements Family: a device listens for requests on <prefix>/rpc
// and <prefix>/command.
func (Shelly) MaySubscribe(dev, filter string) bool {
	return filter == dev+"/rpc" || under(filter, dev+"/command")
}
