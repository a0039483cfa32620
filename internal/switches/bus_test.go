package switches_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"

	"portico/internal/switches"
	"portico/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// patience bounds every wait for a message: generous, so that a loaded two-core
// machine does not make the tests flaky; a passing test waits far less.
const patience = 20 * time.Second

// recorder collects the messages a bus hands over.
type recorder struct {
	mu   sync.Mutex
	msgs []switches.Message
	ch   chan struct{}
}

func newRecorder() *recorder { return &recorder{ch: make(chan struct{}, 1)} }

func (r *recorder) handle(m switches.Message) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	select {
	case r.ch <- struct{}{}:
	default:
	}
}

// wait returns the first message on topic with payload for which ok holds.
func (r *recorder) wait(t *testing.T, topic string, ok func(switches.Message) bool) switches.Message {
	t.Helper()
	deadline := time.After(patience)
	for {
		r.mu.Lock()
		for _, m := range r.msgs {
			if m.Topic == topic && (ok == nil || ok(m)) {
				r.mu.Unlock()
				return m
			}
		}
		r.mu.Unlock()
		select {
		case <-r.ch:
		case <-deadline:
			t.Fatalf("no message on %s within %v", topic, patience)
		}
	}
}

// testDevice is a device's account for the contract tests.
type testDevice struct {
	user, password string
	family, topic  string
}

var (
	devA = testDevice{"dev-a", "password-of-device-a-0123456789abcdef", "tasmota", "plug_a"}
	devB = testDevice{"dev-b", "password-of-device-b-0123456789abcdef", "shelly", "shellyplus1-b"}
	// devC's prefix has two levels, as a Shelly prefix may.
	devC = testDevice{"dev-c", "password-of-device-c-0123456789abcdef", "shelly", "home/plus1"}

	testDevices = []testDevice{devA, devB, devC}
)

// staticAccounts serves the test devices to the embedded broker.
func staticAccounts() switches.Accounts {
	return switches.AccountsFunc(func(_ context.Context, user string) (*switches.Account, error) {
		for _, d := range testDevices {
			if d.user == user {
				sum := sha256.Sum256([]byte(d.password))
				return &switches.Account{Family: d.family, Topic: d.topic, PasswordHash: hex.EncodeToString(sum[:])}, nil
			}
		}
		return nil, errors.New("unknown")
	})
}

// broker is one of the brokers under the contract, with the server's bus on it.
type broker struct {
	kind      string
	bus       switches.Bus
	deviceURL string
	restart   func()
	// willAtConnect says the broker refuses a last will outside the device's
	// topics when the device connects; Mosquitto drops such a will when it would
	// send it instead.
	willAtConnect bool
}

func startBroker(t *testing.T, kind string) *broker {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	b := &broker{kind: kind}
	switch kind {
	case testenv.BrokerEmbedded:
		e, err := switches.StartEmbedded(switches.EmbeddedConfig{Addr: "127.0.0.1:0", Accounts: staticAccounts(), Log: log})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		b.bus, b.deviceURL, b.willAtConnect = e, "mqtt://"+e.Addrs()[0], true
	case testenv.BrokerMosquittoDynsec:
		// The server keeps the devices' accounts, as it does for its switches.
		m := testenv.StartMosquitto(t, testenv.WithDynsec())
		ctx, cancel := context.WithTimeout(context.Background(), 2*patience)
		defer cancel()
		x, err := switches.DialExternal(ctx, switches.ExternalConfig{URL: m.URL(), Backoff: 300 * time.Millisecond, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		d, err := switches.NewDynsec(ctx, x, switches.DynsecConfig{Admin: testenv.ServerUser, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Reconcile(ctx, func(context.Context) ([]switches.DeviceLogin, error) { return nil, nil }); err != nil {
			t.Fatalf("reconcile: %v\n%s", err, m.Log())
		}
		for _, dev := range testDevices {
			if err := d.AddDevice(ctx, switches.DeviceLogin{Username: dev.user, Password: dev.password, Family: dev.family, Topic: dev.topic}); err != nil {
				t.Fatalf("account of %s: %v", dev.user, err)
			}
		}
		b.bus, b.deviceURL = d, m.DeviceURL()
		b.restart = func() { m.Stop(); m.Start() }
	case testenv.BrokerMosquitto:
		m := testenv.StartMosquitto(t)
		m.AddUser(devA.user, devA.password)
		m.AddUser(devB.user, devB.password)
		m.AddUser(devC.user, devC.password)
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		x, err := switches.DialExternal(ctx, switches.ExternalConfig{URL: m.URL(), Backoff: 300 * time.Millisecond, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		b.bus, b.deviceURL = x, m.DeviceURL()
		b.restart = func() { m.Stop(); m.Start() }
	}
	return b
}

// client is a plain MQTT client standing in for a device.
type client struct {
	cm   *autopaho.ConnectionManager
	rec  *recorder
	errs chan error
	stop context.CancelFunc // ends the client for good: no reconnecting
}

// connect connects as the device, with a last will on willTopic when not "".
func connect(t *testing.T, url_ string, d testDevice, willTopic string) (*client, error) {
	t.Helper()
	u, _ := url.Parse(url_)
	c := &client{rec: newRecorder(), errs: make(chan error, 10)}
	cfg := autopaho.ClientConfig{
		ServerUrls:       []*url.URL{u},
		KeepAlive:        10,
		ConnectTimeout:   5 * time.Second,
		ReconnectBackoff: func(int) time.Duration { return 200 * time.Millisecond },
		ConnectUsername:  d.user,
		ConnectPassword:  []byte(d.password),
		OnConnectError: func(err error) {
			select {
			case c.errs <- err:
			default:
			}
		},
		ClientConfig: paho.ClientConfig{
			ClientID: "test-" + d.user,
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){func(pr paho.PublishReceived) (bool, error) {
				c.rec.handle(switches.Message{Topic: pr.Packet.Topic, Payload: pr.Packet.Payload, Retained: pr.Packet.Retain})
				return true, nil
			}},
		},
	}
	if willTopic != "" {
		cfg.WillMessage = &paho.WillMessage{Topic: willTopic, Payload: []byte("Offline"), QoS: 1, Retain: true}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cm, err := autopaho.NewConnection(ctx, cfg)
	if err != nil {
		cancel()
		return nil, err
	}
	t.Cleanup(cancel)
	c.cm, c.stop = cm, cancel
	wctx, wcancel := context.WithTimeout(context.Background(), patience)
	defer wcancel()
	select {
	case err := <-c.errs:
		cancel()
		return nil, err
	case <-func() chan struct{} {
		ch := make(chan struct{})
		go func() { cm.AwaitConnection(wctx); close(ch) }()
		return ch
	}():
	}
	if wctx.Err() != nil {
		cancel()
		return nil, wctx.Err()
	}
	return c, nil
}

func (c *client) publish(t *testing.T, topic, payload string, retain bool) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	_, err := c.cm.Publish(ctx, &paho.Publish{Topic: topic, Payload: []byte(payload), QoS: 1, Retain: retain})
	return err
}

func (c *client) subscribe(t *testing.T, filter string) byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	ack, err := c.cm.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: filter, QoS: 1}}})
	if ack != nil && len(ack.Reasons) == 1 {
		return ack.Reasons[0]
	}
	if err != nil {
		t.Fatalf("subscribe %s: %v", filter, err)
	}
	return 0xff
}

// The Bus contract, on the embedded broker and on Mosquitto alike.
func TestBusContract(t *testing.T) {
	t.Parallel()
	testenv.EachBroker(t, func(t *testing.T, kind string) {
		b := startBroker(t, kind)
		rec := newRecorder()
		ctx := context.Background()
		if err := b.bus.Subscribe(ctx, []string{"stat/+/+", "tele/+/LWT"}, rec.handle); err != nil {
			t.Fatal(err)
		}
		ups := make(chan struct{}, 10)
		b.bus.OnUp(func() { ups <- struct{}{} })

		dev, err := connect(t, b.deviceURL, devA, "tele/plug_a/LWT")
		if err != nil {
			t.Fatal(err)
		}
		// A device's report reaches the server, not marked retained.
		if err := dev.publish(t, "stat/plug_a/POWER", "ON", false); err != nil {
			t.Fatal(err)
		}
		if m := rec.wait(t, "stat/plug_a/POWER", nil); string(m.Payload) != "ON" || m.Retained {
			t.Errorf("report = %q retained=%v, want ON, not retained", m.Payload, m.Retained)
		}
		// The server's command reaches the device.
		if code := dev.subscribe(t, "cmnd/plug_a/#"); code >= 0x80 {
			t.Fatalf("device may not subscribe to its own commands: reason %d", code)
		}
		if err := b.bus.Publish(ctx, "cmnd/plug_a/POWER", []byte("OFF"), false); err != nil {
			t.Fatal(err)
		}
		if m := dev.rec.wait(t, "cmnd/plug_a/POWER", nil); string(m.Payload) != "OFF" {
			t.Errorf("command = %q, want OFF", m.Payload)
		}
		// A retained message is replayed to a new subscription, marked retained.
		if err := dev.publish(t, "tele/plug_a/LWT", "Online", true); err != nil {
			t.Fatal(err)
		}
		rec.wait(t, "tele/plug_a/LWT", func(m switches.Message) bool { return string(m.Payload) == "Online" })
		late := newRecorder()
		if err := b.bus.Subscribe(ctx, []string{"tele/+/LWT"}, late.handle); err != nil {
			t.Fatal(err)
		}
		if m := late.wait(t, "tele/plug_a/LWT", nil); !m.Retained || string(m.Payload) != "Online" {
			t.Errorf("replayed availability = %q retained=%v, want Online, retained", m.Payload, m.Retained)
		}
		// A device that drops off leaves its last will.
		dev.cm.TerminateConnectionForTest()
		rec.wait(t, "tele/plug_a/LWT", func(m switches.Message) bool { return string(m.Payload) == "Offline" })

		if b.restart == nil {
			return
		}
		// After a restart of the broker, the bus reconnects by itself, restores its
		// subscriptions and says so.
		for len(ups) > 0 {
			<-ups
		}
		b.restart()
		select {
		case <-ups:
		case <-time.After(patience):
			t.Fatal("the bus did not come up again after the broker restarted")
		}
		// The device reconnects by itself too; its next report reaches the server.
		deadline := time.Now().Add(patience)
		for dev.publish(t, "stat/plug_a/POWER", "OFF", false) != nil {
			if time.Now().After(deadline) {
				t.Fatal("the device could not publish after the broker restarted")
			}
			time.Sleep(100 * time.Millisecond)
		}
		rec.wait(t, "stat/plug_a/POWER", func(m switches.Message) bool { return string(m.Payload) == "OFF" })
	})
}

// aclBrokers are the brokers that hold devices to their accounts and topics:
// the embedded broker, which reads the accounts from the database, and
// Mosquitto, whose accounts the server keeps through dynamic security.
var aclBrokers = []string{testenv.BrokerEmbedded, testenv.BrokerMosquittoDynsec}

// Every broker that holds devices to their accounts lets a device in with its
// own password only, and confines it to its own topics, the same way: the
// device ACL contract.
func TestDeviceAuthAndACL(t *testing.T) {
	t.Parallel()
	for _, kind := range aclBrokers {
		t.Run(kind, func(t *testing.T) { testDeviceAuthAndACL(t, kind) })
	}
}

func testDeviceAuthAndACL(t *testing.T, kind string) {
	b := startBroker(t, kind)
	rec := newRecorder()
	if err := b.bus.Subscribe(context.Background(), append(switches.AllFilters(), "#"), rec.handle); err != nil {
		t.Fatal(err)
	}

	// Nobody gets in without a device's own username and password.
	wrong := devA
	wrong.password = "not-the-password"
	for _, tc := range []struct {
		what string
		dev  testDevice
	}{
		{"a device with a wrong password", wrong},
		{"another device's password", testDevice{user: devA.user, password: devB.password}},
		{"an unknown username", testDevice{user: "nobody", password: "x"}},
		{"an anonymous client", testDevice{}},
		{"a username with no password", testDevice{user: devA.user}},
	} {
		if _, err := connect(t, b.deviceURL, tc.dev, ""); err == nil {
			t.Errorf("%s was let in", tc.what)
		}
	}

	// A last will on another device's topic never reaches anyone: refused at
	// connect, or dropped when the broker would send it.
	if c, err := connect(t, b.deviceURL, devA, "tele/plug_b/LWT"); err == nil {
		if b.willAtConnect {
			t.Error("a device with a last will on another device's topic was let in")
		}
		c.cm.TerminateConnectionForTest()
		c.stop()
	}

	a, err := connect(t, b.deviceURL, devA, "tele/plug_a/LWT")
	if err != nil {
		t.Fatal(err)
	}
	sh, err := connect(t, b.deviceURL, devB, "shellyplus1-b/online")
	if err != nil {
		t.Fatal(err)
	}
	deep, err := connect(t, b.deviceURL, devC, "home/plus1/online")
	if err != nil {
		t.Fatal(err)
	}

	// Publishing outside a device's topics is dropped; its own topics go through.
	// Each device's own report goes last: once it arrives, anything the broker
	// passed on before it has arrived too.
	for _, tc := range []struct {
		c       *client
		foreign []string
		own     string
	}{
		{a, []string{"stat/other_plug/POWER", "shellyplus1-b/events/rpc", "cmnd/plug_a/POWER", "cmnd/plug_a", "portico/changed/1", "stat", "stat/plug_ab/POWER"},
			"stat/plug_a/POWER"},
		{sh, []string{"shellyplus1-b/rpc", "shellyplus1-b/command", "shellyplus1-b/command/x", "shellyplus1-bb/events/rpc", "plug_a/rpc", "tele/plug_a/LWT"},
			"shellyplus1-b/events/rpc"},
		{deep, []string{"home/plus1/rpc", "home/plus1/command/switch:0", "home/plus2/events/rpc", "home/events/rpc", "home", "home/online", "home/plus10/online", "home/plus1x/events/rpc"},
			"home/plus1/events/rpc"},
	} {
		for _, topic := range tc.foreign {
			tc.c.publish(t, topic, "ON", false)
		}
		tc.c.publish(t, tc.own, "ON", false)
		rec.wait(t, tc.own, nil)
	}
	rec.mu.Lock()
	for _, m := range rec.msgs {
		switch m.Topic {
		case "stat/plug_a/POWER", "shellyplus1-b/events/rpc", "home/plus1/events/rpc":
		default:
			t.Errorf("the broker passed on a publish outside the device's topics: %s %q", m.Topic, m.Payload)
		}
	}
	rec.mu.Unlock()

	// Subscribing to other devices' requests, or to everything, is refused; a
	// device's own request topics are granted.
	for _, tc := range []struct {
		c       *client
		refused []string
		granted []string
	}{
		{a, []string{"cmnd/other_plug/#", "#", "cmnd/+/POWER", "cmnd/#", "shellyplus1-b/rpc", "stat/plug_a/#", "cmnd/plug_ab/#"},
			[]string{"cmnd/plug_a/#", "cmnd/plug_a/POWER", "cmnd/plug_a/+"}},
		{sh, []string{"plug_a/rpc", "shellyplus1-b/#", "shellyplus1-b/+", "shellyplus1-b/rpc/#", "+/rpc", "shellyplus1-b/events/rpc"},
			[]string{"shellyplus1-b/rpc", "shellyplus1-b/command/#", "shellyplus1-b/command"}},
		{deep, []string{"home/#", "home/+/rpc", "home/plus2/rpc", "home/plus1/#", "home/rpc", "home/plus10/rpc", "+/plus1/rpc"},
			[]string{"home/plus1/rpc", "home/plus1/command/#"}},
	} {
		for _, f := range tc.refused {
			if code := tc.c.subscribe(t, f); code < 0x80 {
				t.Errorf("subscription to %s granted (reason %d), want refused", f, code)
			}
		}
		for _, f := range tc.granted {
			if code := tc.c.subscribe(t, f); code >= 0x80 {
				t.Errorf("subscription to %s refused (reason %d), want granted", f, code)
			}
		}
	}

	// The server's requests reach the device that subscribed to them.
	ctx := context.Background()
	for _, tc := range []struct {
		c     *client
		topic string
	}{{a, "cmnd/plug_a/POWER"}, {sh, "shellyplus1-b/rpc"}, {deep, "home/plus1/rpc"}} {
		if err := b.bus.Publish(ctx, tc.topic, []byte("request"), false); err != nil {
			t.Fatal(err)
		}
		tc.c.rec.wait(t, tc.topic, nil)
	}
}

// However the server's filters overlap — the Shelly family listens to every
// topic, since a prefix may be of any depth — each message reaches each handler
// once, and a device with a multi-level prefix is heard. On an external broker
// the server's own messages do not come back to it.
func TestBusOverlappingFilters(t *testing.T) {
	t.Parallel()
	testenv.EachBroker(t, func(t *testing.T, kind string) {
		b := startBroker(t, kind)
		ctx := context.Background()
		changes, devices := newRecorder(), newRecorder()
		if err := b.bus.Subscribe(ctx, []string{"portico/changed/+"}, changes.handle); err != nil {
			t.Fatal(err)
		}
		if err := b.bus.Subscribe(ctx, switches.AllFilters(), devices.handle); err != nil {
			t.Fatal(err)
		}
		tas, err := connect(t, b.deviceURL, devA, "tele/plug_a/LWT")
		if err != nil {
			t.Fatal(err)
		}
		sh, err := connect(t, b.deviceURL, devC, "home/plus1/online")
		if err != nil {
			t.Fatal(err)
		}
		if err := sh.publish(t, "home/plus1/online", "true", true); err != nil {
			t.Fatal(err)
		}
		if err := tas.publish(t, "stat/plug_a/POWER", "ON", false); err != nil {
			t.Fatal(err)
		}
		if err := b.bus.Publish(ctx, "cmnd/plug_a/POWER", []byte("OFF"), false); err != nil {
			t.Fatal(err)
		}
		if err := b.bus.Publish(ctx, "portico/changed/7", nil, false); err != nil {
			t.Fatal(err)
		}
		// The device's next report comes after the server's messages were handed out.
		if err := tas.publish(t, "stat/plug_a/POWER", "OFF", false); err != nil {
			t.Fatal(err)
		}
		devices.wait(t, "stat/plug_a/POWER", func(m switches.Message) bool { return string(m.Payload) == "OFF" })
		if m := devices.wait(t, "home/plus1/online", nil); string(m.Payload) != "true" {
			t.Errorf("home/plus1/online = %q, want true", m.Payload)
		}
		ev, ok := switches.Shelly{}.Parse("home/plus1/online", []byte("true"))
		if !ok || ev.Topic != "home/plus1" || ev.Kind != switches.EvOnline {
			t.Errorf("Parse(home/plus1/online) = %+v %v, want home/plus1 online", ev, ok)
		}
		// A late subscriber still gets the retained availability.
		late := newRecorder()
		if err := b.bus.Subscribe(ctx, []string{"+/+/online"}, late.handle); err != nil {
			t.Fatal(err)
		}
		if m := late.wait(t, "home/plus1/online", nil); !m.Retained {
			t.Error("the replayed availability is not marked retained")
		}
		// Settle, then count.
		if err := tas.publish(t, "stat/plug_a/POWER", "END", false); err != nil {
			t.Fatal(err)
		}
		devices.wait(t, "stat/plug_a/POWER", func(m switches.Message) bool { return string(m.Payload) == "END" })
		devices.mu.Lock()
		count := map[string]int{}
		for _, m := range devices.msgs {
			if !m.Retained {
				count[m.Topic+" "+string(m.Payload)]++
			}
		}
		devices.mu.Unlock()
		for _, k := range []string{"stat/plug_a/POWER ON", "stat/plug_a/POWER OFF", "home/plus1/online true"} {
			if count[k] != 1 {
				t.Errorf("%s reached the handler %d times, want once", k, count[k])
			}
		}
		if kind == testenv.BrokerMosquitto {
			for k, n := range count {
				if strings.HasPrefix(k, "cmnd/") || strings.HasPrefix(k, "portico/") {
					t.Errorf("the server's own message %s came back to it %d times", k, n)
				}
			}
			changes.mu.Lock()
			if len(changes.msgs) > 0 {
				t.Errorf("the server's own change note came back to it: %v", changes.msgs[0].Topic)
			}
			changes.mu.Unlock()
		}
	})
}
