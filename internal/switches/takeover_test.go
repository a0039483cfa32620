package switches_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"portico/internal/switches"
)

// stallCleanup holds the broker's clean-up after the first connection of a
// device just after the broker has checked that no newer connection took the
// session over (its clean-up unsubscribes the client id, which runs the
// OnUnsubscribed hooks), until a newer connection is established or a while
// has passed: the order a loaded machine may run them in.
type stallCleanup struct {
	mqtt.HookBase
	stalled     chan struct{} // closed when the clean-up is held
	established chan struct{} // closed when a newer connection is established

	mu    sync.Mutex
	first *mqtt.Client
	once  [2]sync.Once
}

func (h *stallCleanup) ID() string { return "stall-cleanup" }

func (h *stallCleanup) Provides(b byte) bool {
	return b == mqtt.OnSessionEstablished || b == mqtt.OnUnsubscribed
}

func (h *stallCleanup) OnSessionEstablished(cl *mqtt.Client, _ packets.Packet) {
	if cl.Net.Inline {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.first == nil {
		h.first = cl
	} else if cl != h.first {
		h.once[1].Do(func() { close(h.established) })
	}
}

func (h *stallCleanup) OnUnsubscribed(cl *mqtt.Client, pk packets.Packet) {
	h.mu.Lock()
	first := h.first
	h.mu.Unlock()
	if cl != first || len(pk.Filters) == 0 {
		return
	}
	h.once[0].Do(func() { close(h.stalled) })
	select {
	case <-h.established:
	case <-time.After(2 * time.Second):
	}
}

// A device that reconnects while the broker still cleans up after its old
// connection hears commands on its new one, and stays connected throughout:
// the old connection's clean-up must not take the new one off the broker's
// client list or its subscriptions (the embedded broker's own takeover checks
// too early for that), nor tell that the device is gone.
func TestEmbeddedQuickReconnectKeepsTheNewConnection(t *testing.T) {
	t.Parallel()
	e, err := switches.StartEmbedded(switches.EmbeddedConfig{Addr: "127.0.0.1:0", Accounts: staticAccounts(), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	stall := &stallCleanup{stalled: make(chan struct{}), established: make(chan struct{})}
	if err := e.AddBrokerHook(stall); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var presence []switches.Presence
	e.OnPresence(func(p switches.Presence) {
		mu.Lock()
		defer mu.Unlock()
		presence = append(presence, p)
	})

	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	dev, err := switches.StartSim(ctx, switches.SimConfig{Device: switches.Device{Family: devA.family, Topic: devA.topic},
		BrokerURL: "mqtt://" + e.Addrs()[0], Username: devA.user, Password: devA.password, TelePeriod: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dev.Close)

	dev.GoOffline()
	select {
	case <-stall.stalled:
	case <-ctx.Done():
		t.Fatal("the broker did not clean up after the old connection")
	}
	if err := dev.GoOnline(ctx); err != nil {
		t.Fatal(err)
	}
	if !e.DeviceConnected(devA.family, devA.topic) {
		t.Error("the device is not connected after its reconnect")
	}

	// Both the broker's client list and its subscriptions must hold the new
	// connection: a command published now reaches the device.
	cmnd := "cmnd/" + devA.topic + "/POWER"
	if err := e.Publish(ctx, cmnd, nil, false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Contains(dev.Received(), cmnd+" ") {
		if time.Now().After(deadline) {
			t.Fatalf("the device did not hear %s on its new connection (broker clients: %d)", cmnd, e.Clients())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := e.Clients(); n != 1 {
		t.Errorf("the broker lists %d device connections, want 1", n)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range presence {
		if p.Kind == switches.PresenceGone {
			t.Errorf("the device was told gone during a quick reconnect: %+v", p)
		}
	}
}
