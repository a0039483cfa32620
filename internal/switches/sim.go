package switches

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"time"

	"portico/internal/domain"
)

// SimConfig describes a simulated device.
type SimConfig struct {
	Device
	BrokerURL string // mqtt://host:port
	Username  string
	Password  string
	On        bool // the relay's state at power-up
	// KeepAlive is the MQTT keepalive the device asks for; 0: the firmware's
	// default (Tasmota MQTT_KEEPALIVE 30 s, Shelly mqtt.keep_alive 60 s).
	// It is sent in whole seconds, at least 1.
	KeepAlive time.Duration
	// RetryDelay is the wait before a reconnect attempt; 0: 200 ms, short for tests
	// and the demo (the firmware waits about a second, then longer and longer).
	RetryDelay time.Duration
	// Relays is how many relays (Tasmota POWER1…) or switch components (Shelly
	// switch:0…) the device has; 0: one.
	Relays int
	// ClientID is the MQTT client id; "": the firmware's default (Tasmota
	// DVES_ and the last six hex digits of its MAC, Shelly its device id).
	ClientID string
	// TelePeriod is Tasmota's TelePeriod: tele/<topic>/STATE every so often, the
	// first 5 s after the first connection; 0: the firmware's 300 s; negative: off.
	TelePeriod time.Duration
	// NoRPCNotifications and NoStatusNotifications turn off a Shelly's rpc_ntf
	// (NotifyStatus on <prefix>/events/rpc) and status_ntf (<prefix>/status/…).
	// Both are on by default, as Portico's setup instructions ask.
	NoRPCNotifications    bool
	NoStatusNotifications bool
	// Trace, if set, is told of every message the device receives or publishes,
	// in order, from the device's own goroutine: it must not block long.
	Trace func(SimMessage)
	Log   *slog.Logger
}

// SimMessage is one application message on a simulated device's connection.
type SimMessage struct {
	Received bool // from the broker to the device; false: published by the device
	Topic    string
	Payload  []byte
	QoS      byte
	Retain   bool
}

// String reads "← topic payload" for a received message and "→ topic payload"
// for a published one.
func (m SimMessage) String() string {
	dir := "→"
	if m.Received {
		dir = "←"
	}
	s := dir + " " + m.Topic + " " + string(m.Payload)
	if m.Retain {
		s += " (retained)"
	}
	return s
}

// SimDevice is an emulated Tasmota 14 or Shelly Plus 1 (Gen2) on a real MQTT
// 3.1.1 connection: it connects, reconnects, obeys, answers and reports packet
// for packet as the firmware does (see sim_tasmota.go and sim_shelly.go, which
// cite the firmware), including what a polite client would not do: a Tasmota
// announces itself before it subscribes and does not repeat its state when it
// comes back. Tests and the demo drive it: a button press, a relay changed while
// away, a deaf device, a dropped, closed or frozen connection.
type SimDevice struct {
	cfg SimConfig
	log *slog.Logger
	fw  simFirmware

	reqs   chan func(*simLoop)
	quit   chan struct{} // closed by Close
	done   chan struct{} // closed when the device's goroutine has ended
	cancel context.CancelFunc
	once   sync.Once

	mu     sync.Mutex
	relays []bool
	deaf   bool
	// deafForMsg is deaf as it was when the message in hand arrived; the
	// loop's goroutine only.
	deafForMsg bool
	received   []string
	online     bool          // the connect sequence is done and the connection is up
	up         chan struct{} // closed when online; replaced when the connection goes
}

// errSimClosed is returned by calls on a closed device.
var errSimClosed = errors.New("the simulated device is closed")

// StartSim powers up a simulated device. It returns once the device has
// connected and gone through its firmware's connect sequence (its
// subscriptions acknowledged by the broker), or with an error when ctx ends
// first.
func StartSim(ctx context.Context, cfg SimConfig) (*SimDevice, error) {
	if FamilyOf(cfg.Family) == nil {
		return nil, fmt.Errorf("switches: unknown device family %q", cfg.Family)
	}
	u, err := url.Parse(cfg.BrokerURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "mqtt" && u.Scheme != "tcp" {
		return nil, fmt.Errorf("switches: simulated devices connect to mqtt:// brokers, not %q", u.Scheme)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "1883")
	}
	if cfg.Family == domain.FamilyTasmota && cfg.Channel == 0 {
		cfg.Channel = 1
	}
	if cfg.Relays <= 0 {
		cfg.Relays = 1
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = 200 * time.Millisecond
	}
	d := &SimDevice{
		cfg: cfg, log: cfg.Log,
		reqs: make(chan func(*simLoop)), quit: make(chan struct{}), done: make(chan struct{}),
		relays: make([]bool, cfg.Relays), up: make(chan struct{}),
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if i := d.relayIndex(); i >= 0 {
		d.relays[i] = cfg.On
	}
	if cfg.Family == domain.FamilyTasmota {
		d.fw = newTasmota(d)
	} else {
		d.fw = newShelly(d)
	}
	lctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	l := &simLoop{d: d, ctx: lctx, addr: host}
	go l.run()
	if err := d.WaitOnline(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// relayIndex is the index in relays of the relay cfg.Channel names, or -1 when
// the device has no such relay.
func (d *SimDevice) relayIndex() int {
	i := d.cfg.Channel
	if d.cfg.Family == domain.FamilyTasmota {
		i--
	}
	if i < 0 || i >= len(d.relays) {
		return -1
	}
	return i
}

// relay reports relay i (0-based).
func (d *SimDevice) relay(i int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return i >= 0 && i < len(d.relays) && d.relays[i]
}

// setRelayAt sets relay i and returns what it was.
func (d *SimDevice) setRelayAt(i int, on bool) (was bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if i < 0 || i >= len(d.relays) {
		return false
	}
	was, d.relays[i] = d.relays[i], on
	return was
}

// isDeaf says whether the device was deaf when the message in hand arrived:
// taken with the message under one lock, so that a test that has seen the
// message in Received knows how the device treats it. The loop's goroutine only.
func (d *SimDevice) isDeaf() bool { return d.deafForMsg }

// call runs f on the device's goroutine and waits until it has run.
func (d *SimDevice) call(ctx context.Context, f func(*simLoop)) error {
	ran := make(chan struct{})
	select {
	case d.reqs <- func(l *simLoop) { f(l); close(ran) }:
	case <-d.done:
		return errSimClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ran:
		return nil
	case <-d.done:
		return errSimClosed
	}
}

// Press presses the device's button for its relay: the relay flips and the
// device reports it as its firmware does (nothing, if it is not connected).
func (d *SimDevice) Press(ctx context.Context) {
	if err := d.call(ctx, func(l *simLoop) { d.fw.press(l) }); err != nil {
		d.log.Debug("sim: press", "topic", d.cfg.Topic, "err", err)
	}
}

// On reports the relay's state.
func (d *SimDevice) On() bool { return d.relay(d.relayIndex()) }

// SetRelay changes the relay without a word on the wire, as when it is switched
// while the device is away.
func (d *SimDevice) SetRelay(on bool) { d.setRelayAt(d.relayIndex(), on) }

// SetDeaf makes the device ignore (true) or obey (false) commands and queries.
// It still receives them (see Received) and acknowledges them at the MQTT level.
func (d *SimDevice) SetDeaf(deaf bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.deaf = deaf
}

// GoOffline closes the device's TCP connection without a DISCONNECT, so that
// the broker publishes its last will, and keeps it away until GoOnline.
func (d *SimDevice) GoOffline() {
	d.call(context.Background(), func(l *simLoop) {
		l.drop("went offline")
		l.away = true
	})
}

// Disconnect ends the device's connection with an MQTT DISCONNECT, so that the
// broker discards its last will, and keeps it away until GoOnline. (Tasmota 14
// itself never sends one: MqttDisconnect calls PubSubClient::disconnect with
// disconnect_package false, so a restarting Tasmota looks like GoOffline.)
func (d *SimDevice) Disconnect() {
	d.call(context.Background(), func(l *simLoop) {
		if l.state == simUp && !l.frozen {
			l.write(encodeDisconnect())
		}
		l.drop("disconnected")
		l.away = true
	})
}

// Freeze leaves the device's connection open but silent: it sends nothing, not
// even PINGREQ, and reads nothing, so that only the broker's keepalive can tell
// it is gone. It stays so until GoOnline.
func (d *SimDevice) Freeze() {
	d.call(context.Background(), func(l *simLoop) {
		l.frozen = true
		l.away = true
	})
}

// GoOnline lets the device reconnect, with its firmware's reconnect sequence
// (not the one after power-up), and returns once that sequence is done.
func (d *SimDevice) GoOnline(ctx context.Context) error {
	err := d.call(ctx, func(l *simLoop) {
		if l.frozen {
			l.drop("woke up")
		}
		if l.away {
			l.away = false
			l.retryAt = time.Time{}
		}
	})
	if err != nil {
		return err
	}
	return d.WaitOnline(ctx)
}

// Reconnect drops the device's TCP connection (no DISCONNECT: the broker sends
// the will) and comes straight back with the firmware's reconnect sequence; it
// returns once that sequence is done.
func (d *SimDevice) Reconnect(ctx context.Context) error {
	err := d.call(ctx, func(l *simLoop) {
		l.drop("reconnecting")
		l.frozen, l.away, l.retryAt = false, false, time.Time{}
	})
	if err != nil {
		return err
	}
	return d.WaitOnline(ctx)
}

// WaitOnline returns at once if the device is connected and done with its
// connect sequence, and otherwise waits until it is, or ctx ends.
func (d *SimDevice) WaitOnline(ctx context.Context) error {
	d.mu.Lock()
	up := d.up
	d.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-d.done:
		return fmt.Errorf("simulated device %s: %w", d.cfg.Topic, errSimClosed)
	case <-ctx.Done():
		return fmt.Errorf("simulated device %s did not come online: %w", d.cfg.Topic, ctx.Err())
	}
}

// Received lists every message the device has received, as "topic payload",
// in order; messages that arrived while it was deaf are in it too.
func (d *SimDevice) Received() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.received...)
}

// Config returns the device's configuration, defaults filled in.
func (d *SimDevice) Config() SimConfig { return d.cfg }

// Close powers the device off: its connection is cut without a DISCONNECT
// (the broker sends its last will) and it never comes back. It returns once
// the device's goroutines have ended.
func (d *SimDevice) Close() {
	d.once.Do(func() {
		d.cancel()
		close(d.quit)
	})
	<-d.done
}

// setOnline records whether the connect sequence is done on a live connection.
func (d *SimDevice) setOnline(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if on == d.online {
		return
	}
	d.online = on
	if on {
		close(d.up)
	} else {
		d.up = make(chan struct{})
	}
}

func (d *SimDevice) record(m publishMsg) {
	d.mu.Lock()
	d.received = append(d.received, m.topic+" "+string(m.payload))
	d.deafForMsg = d.deaf
	d.mu.Unlock()
}

func (d *SimDevice) trace(m SimMessage) {
	d.log.Debug("sim: "+m.String(), "device", d.cfg.Topic)
	if d.cfg.Trace != nil {
		d.cfg.Trace(m)
	}
}

// simMAC derives a stable MAC address for the device from its topic, with the
// given vendor prefix, so that every simulated device has its own client id.
func simMAC(oui [3]byte, family, topic string) [6]byte {
	h := sha256.Sum256([]byte(family + "\x00" + topic))
	return [6]byte{oui[0], oui[1], oui[2], h[0], h[1], h[2]}
}

// simFirmware is what one firmware does on the wire. The device's goroutine
// alone calls it.
type simFirmware interface {
	// connectPacket is the CONNECT the firmware sends.
	connectPacket() connectPacket
	// connackTimeout is how long the firmware waits for CONNACK.
	connackTimeout() time.Duration
	// connected runs the firmware's sequence after a successful CONNACK; first
	// is true for the first connection after power-up.
	connected(l *simLoop, first bool)
	// publishReceived handles a PUBLISH from the broker, acknowledgement included.
	publishReceived(l *simLoop, m publishMsg)
	// acked is told of a PUBACK, PUBREC, PUBCOMP or PINGRESP.
	acked(l *simLoop, p mqttPacket)
	// ping runs about every 50 ms while connected and not frozen.
	ping(l *simLoop, now time.Time)
	// press is a press of the button of the configured relay.
	press(l *simLoop)
	// everySecond runs once a second from power-up, connected or not.
	everySecond(l *simLoop)
}

// States of a simulated device's connection.
const (
	simDown       = iota // no TCP connection
	simConnecting        // CONNECT sent, waiting for CONNACK
	simUp                // CONNACK received
)

// simLoop is the device's goroutine and what only it touches: the connection,
// its reader, the timers.
type simLoop struct {
	d    *SimDevice
	ctx  context.Context // ends with Close, to cut a dial short
	addr string

	conn       net.Conn
	in         chan simInbound
	stopReader chan struct{}
	readers    sync.WaitGroup

	state          int
	frozen         bool      // Freeze: no I/O on the open connection
	away           bool      // GoOffline, Disconnect, Freeze: no reconnecting until GoOnline
	retryAt        time.Time // no connection attempt before
	connackBy      time.Time
	booted         bool // a connection has completed after power-up
	sequenceSent   bool // the firmware's connect sequence is written
	pendingSubacks map[uint16]bool

	lastIn, lastOut time.Time // the last packet read from and written to the connection
}

type simInbound struct {
	p   mqttPacket
	err error
}

// simTick is how often the device looks at its timers, as PubSubClient's loop
// runs every 50 ms in Tasmota (FUNC_EVERY_50_MSECOND in xdrv_02_9_mqtt.ino).
const simTick = 50 * time.Millisecond

func (l *simLoop) run() {
	d := l.d
	defer close(d.done)
	tick := time.NewTicker(simTick)
	defer tick.Stop()
	nextSecond := time.Now().Add(time.Second)
	for {
		if l.state == simDown && !l.away && !time.Now().Before(l.retryAt) {
			l.dial()
		}
		var in <-chan simInbound
		if l.conn != nil && !l.frozen {
			in = l.in
		}
		select {
		case <-d.quit:
			l.drop("closed")
			l.readers.Wait()
			return
		case f := <-d.reqs:
			f(l)
		case ev := <-in:
			l.inbound(ev)
		case now := <-tick.C:
			if l.state == simConnecting && now.After(l.connackBy) {
				l.lost(errors.New("no CONNACK"))
			}
			if l.state == simUp && !l.frozen {
				d.fw.ping(l, now)
			}
			for !now.Before(nextSecond) {
				nextSecond = nextSecond.Add(time.Second)
				d.fw.everySecond(l)
			}
		}
	}
}

// dial opens the TCP connection and sends the firmware's CONNECT.
func (l *simLoop) dial() {
	d := l.d
	ctx, cancel := context.WithTimeout(l.ctx, 5*time.Second)
	defer cancel()
	var dl net.Dialer
	c, err := dl.DialContext(ctx, "tcp", l.addr)
	if err != nil {
		d.log.Debug("sim: dial", "device", d.cfg.Topic, "err", err)
		l.retryAt = time.Now().Add(d.cfg.RetryDelay)
		return
	}
	l.conn = c
	l.in = make(chan simInbound, 16)
	l.stopReader = make(chan struct{})
	l.readers.Add(1)
	go l.read(c, l.in, l.stopReader)
	l.state = simConnecting
	l.connackBy = time.Now().Add(d.fw.connackTimeout())
	l.write(encodeConnect(d.fw.connectPacket()))
}

// read hands the connection's packets to the loop until the connection fails or
// the loop lets go of it.
func (l *simLoop) read(c net.Conn, in chan<- simInbound, stop <-chan struct{}) {
	defer l.readers.Done()
	r := bufio.NewReader(c)
	for {
		p, err := readPacket(r)
		select {
		case in <- simInbound{p, err}:
		case <-stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (l *simLoop) inbound(ev simInbound) {
	d := l.d
	if ev.err != nil {
		l.lost(ev.err)
		return
	}
	l.lastIn = time.Now()
	p := ev.p
	if l.state == simConnecting {
		if p.kind != mqttConnack || len(p.body) < 2 || p.body[1] != 0 {
			l.lost(fmt.Errorf("connection refused (packet %d, %x)", p.kind, p.body))
			return
		}
		l.state = simUp
		l.pendingSubacks = map[uint16]bool{}
		l.sequenceSent = false
		first := !l.booted
		l.booted = true
		d.fw.connected(l, first)
		l.sequenceSent = true
		l.checkSequence()
		return
	}
	switch p.kind {
	case mqttPublish:
		m, err := decodePublish(p)
		if err != nil {
			l.lost(err)
			return
		}
		d.record(m)
		d.trace(SimMessage{Received: true, Topic: m.topic, Payload: m.payload, QoS: m.qos, Retain: m.retain})
		d.fw.publishReceived(l, m)
	case mqttSuback:
		delete(l.pendingSubacks, packetID(p))
		l.checkSequence()
	case mqttPuback, mqttPubrec, mqttPubcomp, mqttPingresp:
		d.fw.acked(l, p)
	}
}

// checkSequence marks the device online once its connect sequence is written
// and the broker has acknowledged its subscriptions.
func (l *simLoop) checkSequence() {
	if l.state == simUp && l.sequenceSent && len(l.pendingSubacks) == 0 {
		l.d.setOnline(true)
	}
}

// write sends a packet and reports whether it did. A frozen device sends
// nothing; a failed write loses the connection.
func (l *simLoop) write(b []byte) bool {
	if l.conn == nil || l.frozen {
		return false
	}
	l.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := l.conn.Write(b); err != nil {
		l.lost(err)
		return false
	}
	l.lastOut = time.Now()
	return true
}

// publish sends a PUBLISH and tells the trace.
func (l *simLoop) publish(topic string, payload []byte, qos byte, retain, dup bool, pid uint16) bool {
	if !l.write(encodePublish(topic, payload, qos, retain, dup, pid)) {
		return false
	}
	l.d.trace(SimMessage{Topic: topic, Payload: payload, QoS: qos, Retain: retain})
	return true
}

// subscribe sends a SUBSCRIBE of one filter; the connect sequence is done once
// every such subscription is acknowledged.
func (l *simLoop) subscribe(pid uint16, filter string, qos byte) {
	if l.write(encodeSubscribe(pid, filter, qos)) {
		l.pendingSubacks[pid] = true
	}
}

// connected reports whether the device believes it has a live MQTT connection.
func (l *simLoop) connected() bool { return l.state == simUp }

// lost ends a connection that failed, and lets the device retry after its delay.
func (l *simLoop) lost(err error) {
	if l.conn == nil {
		return
	}
	l.d.log.Debug("sim: connection lost", "device", l.d.cfg.Topic, "err", err)
	l.drop("lost")
	l.retryAt = time.Now().Add(l.d.cfg.RetryDelay)
}

// drop closes the TCP connection, without a DISCONNECT.
func (l *simLoop) drop(why string) {
	l.frozen = false
	if l.conn == nil {
		return
	}
	l.d.log.Debug("sim: connection closed", "device", l.d.cfg.Topic, "why", why)
	close(l.stopReader)
	l.conn.Close()
	l.conn, l.in, l.stopReader = nil, nil, nil
	l.state = simDown
	l.d.setOnline(false)
}
