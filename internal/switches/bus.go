package switches

import (
	"context"
	"strings"
	"sync"
)

// Message is a message the server received from the broker.
type Message struct {
	Topic    string
	Payload  []byte
	Retained bool // replayed by the broker from its retained store
}

// Handler receives messages. It runs on the bus's delivery goroutine and must
// not block for long; it may publish.
type Handler func(Message)

// Bus is the server's connection to the broker: the embedded broker's inline
// client, or an MQTT 5 client of an external broker.
type Bus interface {
	// Publish sends a message at QoS 1.
	Publish(ctx context.Context, topic string, payload []byte, retain bool) error
	// Subscribe listens on the filters at QoS 1 for as long as the bus lives, across
	// reconnects; retained messages on them are delivered with Retained set. A
	// message reaches each handler once, however its filters overlap. Whether
	// the bus's own messages come back is the bus's affair (the embedded bus hands
	// them over, an external bus does not): a handler relies on neither.
	Subscribe(ctx context.Context, filters []string, h Handler) error
	// OnUp registers fn to run whenever the bus's connection (re)comes up, after
	// subscriptions are restored; the embedded bus is up once, at start.
	OnUp(fn func())
	// Close stops the bus.
	Close() error
}

// MatchTopic reports whether an MQTT topic filter matches a topic name.
func MatchTopic(filter, topic string) bool {
	// A filter starting with a wildcard does not match $SYS and other $ topics.
	if strings.HasPrefix(topic, "$") && (strings.HasPrefix(filter, "+") || strings.HasPrefix(filter, "#")) {
		return false
	}
	fp := strings.Split(filter, "/")
	tp := strings.Split(topic, "/")
	for i, f := range fp {
		if f == "#" {
			return true
		}
		if i >= len(tp) {
			return false
		}
		if f != "+" && f != tp[i] {
			return false
		}
	}
	return len(fp) == len(tp)
}

// subscriptions is the filters and handlers a bus keeps across reconnects.
type subscriptions struct {
	mu   sync.Mutex
	subs []subscription
	up   []func()
}

type subscription struct {
	filters []string
	h       Handler
}

func (s *subscriptions) add(filters []string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = append(s.subs, subscription{filters: filters, h: h})
}

func (s *subscriptions) onUp(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.up = append(s.up, fn)
}

func (s *subscriptions) allFilters() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, sub := range s.subs {
		out = append(out, sub.filters...)
	}
	return out
}

func (s *subscriptions) upFuncs() []func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]func(){}, s.up...)
}

// dispatch hands m to every handler with a matching filter, once each.
func (s *subscriptions) dispatch(m Message) {
	s.mu.Lock()
	var hs []Handler
	for _, sub := range s.subs {
		for _, f := range sub.filters {
			if MatchTopic(f, m.Topic) {
				hs = append(hs, sub.h)
				break
			}
		}
	}
	s.mu.Unlock()
	for _, h := range hs {
		h(m)
	}
}

// Kinds of device presence.
const (
	PresenceSubscribed = "subscribed" // the device subscribed to a topic filter: it now hears commands
	PresenceGone       = "gone"       // the device's last connection ended
)

// Presence is what a broker that hosts the devices knows of their connections
// and a client of the broker does not: that a device has just subscribed (so a
// state query now reaches it), or that its connection ended, with or without a
// last will.
type Presence struct {
	Kind     string // PresenceSubscribed or PresenceGone
	Username string // the MQTT username the device signed in with
	Family   string // the device's account when it signed in: family and topic,
	Topic    string // which stay right when its username has since been replaced
	Filter   string // PresenceSubscribed: the filter the device subscribed to
	Clean    bool   // PresenceGone: the device said goodbye with DISCONNECT
}

// PresenceSource is a Bus that reports device presence: the embedded broker.
type PresenceSource interface {
	// OnPresence registers fn, called on the broker's goroutines; it must not block.
	OnPresence(fn func(Presence))
	// DeviceConnected reports whether a device of the family with the topic holds
	// a connection now. A last will can be published after the same device's new
	// connection has announced itself (a quick reconnect takes over the old
	// session, whose will the broker then sends): it is stale while this holds.
	DeviceConnected(family, topic string) bool
}

// DeviceCounter is a Bus that knows its devices' connections: the embedded
// broker.
type DeviceCounter interface {
	// ConnectedDevices returns how many devices are connected now.
	ConnectedDevices() int
}
