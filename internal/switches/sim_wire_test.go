package switches_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/switches"
	"portico/internal/testenv"
)

// The wire tests put a recording TCP relay between an emulated device and a
// real broker (embedded and Mosquitto) and check the packets, in order and
// field by field, against what the firmware sends; a subscriber on # checks
// what the broker makes of them (the last will).

// wirePacket is one MQTT packet seen on the relay, decoded independently of the
// emulation's own encoder.
type wirePacket struct {
	conn int  // the relay's connection number, from 1
	out  bool // from the device to the broker
	text string
}

// wire is a recording relay in front of a broker.
type wire struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	pkts  []wirePacket
	conns int
	errs  []error
	ch    chan struct{}
}

func startWire(t *testing.T, target string) *wire {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &wire{ln: ln, target: target, ch: make(chan struct{}, 1)}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, err := range w.errs {
			t.Errorf("wire: %v", err)
		}
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			dc, err := ln.Accept()
			if err != nil {
				return
			}
			bc, err := net.Dial("tcp", target)
			if err != nil {
				dc.Close()
				continue
			}
			w.mu.Lock()
			w.conns++
			n := w.conns
			w.mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); w.pipe(n, true, dc, bc) }()
			go func() { defer wg.Done(); w.pipe(n, false, bc, dc) }()
			t.Cleanup(func() { dc.Close(); bc.Close() })
		}
	}()
	return w
}

func (w *wire) url() string { return "mqtt://" + w.ln.Addr().String() }

// pipe copies one direction packet by packet, recording each.
func (w *wire) pipe(n int, out bool, from, to net.Conn) {
	defer to.Close()
	for {
		raw, err := readWirePacket(from)
		if err != nil {
			return
		}
		text, err := describe(raw, out)
		w.mu.Lock()
		if err != nil {
			w.errs = append(w.errs, fmt.Errorf("connection %d: %w (% x)", n, err, raw))
		}
		w.pkts = append(w.pkts, wirePacket{conn: n, out: out, text: text})
		w.mu.Unlock()
		select {
		case w.ch <- struct{}{}:
		default:
		}
		if _, err := to.Write(raw); err != nil {
			return
		}
	}
}

// readWirePacket reads one whole packet, fixed header included.
func readWirePacket(r io.Reader) ([]byte, error) {
	h := make([]byte, 1, 5)
	if _, err := io.ReadFull(r, h); err != nil {
		return nil, err
	}
	n, mult := 0, 1
	for {
		var b [1]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, err
		}
		h = append(h, b[0])
		n += int(b[0]&0x7f) * mult
		mult *= 128
		if b[0]&0x80 == 0 {
			break
		}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return append(h, body...), nil
}

// describe renders a packet with every field of it, and fails on a packet that
// does not decode exactly (a wrong length, a reserved flag set, bytes left).
func describe(raw []byte, out bool) (string, error) {
	kind, flags := raw[0]>>4, raw[0]&0x0f
	i := 1
	for raw[i]&0x80 != 0 {
		i++
	}
	b := raw[i+1:]
	str := func() (string, error) {
		if len(b) < 2 || len(b) < 2+int(binary.BigEndian.Uint16(b)) {
			return "", errors.New("short string")
		}
		n := int(binary.BigEndian.Uint16(b))
		s := string(b[2 : 2+n])
		b = b[2+n:]
		return s, nil
	}
	u16 := func() (uint16, error) {
		if len(b) < 2 {
			return 0, errors.New("short")
		}
		v := binary.BigEndian.Uint16(b)
		b = b[2:]
		return v, nil
	}
	done := func(s string) (string, error) {
		if len(b) != 0 {
			return s, fmt.Errorf("%d bytes left after %s", len(b), s)
		}
		return s, nil
	}
	fixed := func(want byte, s string) (string, error) {
		if flags != want {
			return s, fmt.Errorf("%s with flags %x", s, flags)
		}
		return done(s)
	}
	switch kind {
	case 1: // CONNECT
		name, err := str()
		if err != nil || len(b) < 4 {
			return "CONNECT?", errors.New("short CONNECT")
		}
		level, cf := b[0], b[1]
		b = b[2:]
		ka, _ := u16()
		id, err := str()
		if err != nil {
			return "CONNECT?", err
		}
		s := fmt.Sprintf("CONNECT %s %d flags=%02x ka=%d id=%s", name, level, cf, ka, id)
		if cf&0x04 != 0 {
			wt, err := str()
			if err != nil {
				return s, err
			}
			wp, err := str()
			if err != nil {
				return s, err
			}
			s += fmt.Sprintf(" will=%s:%s", wt, wp)
		}
		if cf&0x80 != 0 {
			u, err := str()
			if err != nil {
				return s, err
			}
			s += " user=" + u
		}
		if cf&0x40 != 0 {
			p, err := str()
			if err != nil {
				return s, err
			}
			s += " pass=" + p
		}
		return fixed(0, s)
	case 2:
		if len(b) != 2 {
			return "CONNACK?", errors.New("bad CONNACK")
		}
		return fmt.Sprintf("CONNACK %d %d", b[0], b[1]), nil
	case 3: // PUBLISH
		topic, err := str()
		if err != nil {
			return "PUBLISH?", err
		}
		qos := flags >> 1 & 3
		s := fmt.Sprintf("PUBLISH q%d", qos)
		if flags&1 != 0 {
			s += " retain"
		}
		if flags&8 != 0 {
			s += " dup"
		}
		if qos > 0 {
			pid, err := u16()
			if err != nil {
				return s, err
			}
			s += fmt.Sprintf(" #%d", pid)
		}
		s += " " + topic + " " + string(b)
		return s, nil
	case 4, 5, 6, 7, 11:
		pid, err := u16()
		if err != nil {
			return "ACK?", err
		}
		name := map[byte]string{4: "PUBACK", 5: "PUBREC", 6: "PUBREL", 7: "PUBCOMP", 11: "UNSUBACK"}[kind]
		want := byte(0)
		if kind == 6 {
			want = 2
		}
		return fixed(want, fmt.Sprintf("%s #%d", name, pid))
	case 8: // SUBSCRIBE
		pid, err := u16()
		if err != nil {
			return "SUBSCRIBE?", err
		}
		s := fmt.Sprintf("SUBSCRIBE #%d", pid)
		for len(b) > 0 {
			f, err := str()
			if err != nil || len(b) < 1 {
				return s, errors.New("short SUBSCRIBE")
			}
			s += fmt.Sprintf(" %s q%d", f, b[0])
			b = b[1:]
		}
		return fixed(2, s)
	case 9: // SUBACK
		pid, err := u16()
		if err != nil {
			return "SUBACK?", err
		}
		s := fmt.Sprintf("SUBACK #%d % x", pid, b)
		b = nil
		return fixed(0, s)
	case 12:
		return fixed(0, "PINGREQ")
	case 13:
		return fixed(0, "PINGRESP")
	case 14:
		return fixed(0, "DISCONNECT")
	}
	return fmt.Sprintf("packet %d", kind), fmt.Errorf("unexpected packet type %d", kind)
}

// sent returns what the device sent on connection n (0: every connection).
func (w *wire) sent(n int) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, p := range w.pkts {
		if p.out && (n == 0 || p.conn == n) {
			out = append(out, p.text)
		}
	}
	return out
}

// waitSent waits until the device has sent at least count packets on
// connection n, and returns them.
func (w *wire) waitSent(t *testing.T, n, count int) []string {
	t.Helper()
	deadline := time.After(patience)
	for {
		if s := w.sent(n); len(s) >= count {
			return s
		}
		select {
		case <-w.ch:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("the device sent %d packets on connection %d, want at least %d:\n%s", len(w.sent(n)), n, count, strings.Join(w.sent(n), "\n"))
		}
	}
}

// waitFor waits until the device sends a packet matching pattern on connection
// n and returns everything it sent there.
func (w *wire) waitFor(t *testing.T, n int, pattern string) []string {
	t.Helper()
	deadline := time.After(patience)
	for {
		s := w.sent(n)
		for _, p := range s {
			if glob(pattern, p) {
				return s
			}
		}
		select {
		case <-w.ch:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("the device never sent %q on connection %d; it sent:\n%s", pattern, n, strings.Join(s, "\n"))
		}
	}
}

// glob matches s against a pattern where * stands for any run of characters.
func glob(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// expect checks got against want, pattern by pattern, in order.
func expect(t *testing.T, what string, got, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = glob(want[i], got[i])
	}
	if !ok {
		t.Errorf("%s:\ngot\n  %s\nwant\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// wireBroker is a broker under test, a subscriber on # of it, and the
// accounts of the devices.
type wireBroker struct {
	kind     string
	url      string // where devices connect, without the relay
	bus      switches.Bus
	all      *recorder
	addUser  func(user, password, family, topic string)
	accounts sync.Map // user → *switches.Account
}

func startWireBroker(t *testing.T, kind string) *wireBroker {
	t.Helper()
	b := &wireBroker{kind: kind, all: newRecorder()}
	log := slog.New(slog.DiscardHandler)
	switch kind {
	case testenv.BrokerEmbedded:
		e, err := switches.StartEmbedded(switches.EmbeddedConfig{Addr: "127.0.0.1:0", Log: log,
			Accounts: switches.AccountsFunc(func(_ context.Context, user string) (*switches.Account, error) {
				if a, ok := b.accounts.Load(user); ok {
					return a.(*switches.Account), nil
				}
				return nil, errors.New("unknown")
			})})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		b.bus, b.url = e, "mqtt://"+e.Addrs()[0]
		b.addUser = func(user, password, family, topic string) {
			sum := sha256.Sum256([]byte(password))
			b.accounts.Store(user, &switches.Account{Family: family, Topic: topic, PasswordHash: hex.EncodeToString(sum[:])})
		}
	case testenv.BrokerMosquitto:
		m := testenv.StartMosquitto(t)
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		x, err := switches.DialExternal(ctx, switches.ExternalConfig{URL: m.URL(), Backoff: 300 * time.Millisecond, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		b.bus, b.url = x, m.DeviceURL()
		b.addUser = func(user, password, _, _ string) { m.AddUser(user, password) }
	}
	if err := b.bus.Subscribe(context.Background(), []string{"#"}, b.all.handle); err != nil {
		t.Fatal(err)
	}
	return b
}

// publish sends a message as the server does, at QoS 1.
func (b *wireBroker) publish(t *testing.T, topic, payload string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := b.bus.Publish(ctx, topic, []byte(payload), false); err != nil {
		t.Fatal(err)
	}
}

// seen reports whether the subscriber on # got topic with payload.
func (b *wireBroker) seen(topic, payload string) bool {
	b.all.mu.Lock()
	defer b.all.mu.Unlock()
	for _, m := range b.all.msgs {
		if m.Topic == topic && string(m.Payload) == payload {
			return true
		}
	}
	return false
}

// eachWireBroker runs fn on the embedded broker and on Mosquitto.
func eachWireBroker(t *testing.T, fn func(t *testing.T, b *wireBroker)) {
	t.Parallel()
	testenv.EachBroker(t, func(t *testing.T, kind string) { fn(t, startWireBroker(t, kind)) })
}

// startDevice starts an emulated device behind a recording relay.
func startDevice(t *testing.T, b *wireBroker, cfg switches.SimConfig) (*switches.SimDevice, *wire) {
	t.Helper()
	cfg.Username, cfg.Password = "user-"+cfg.Topic, "password-of-"+cfg.Topic
	b.addUser(cfg.Username, cfg.Password, cfg.Family, cfg.Topic)
	w := startWire(t, strings.TrimPrefix(b.url, "mqtt://"))
	cfg.BrokerURL = w.url()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	d, err := switches.StartSim(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d, w
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	t.Cleanup(cancel)
	return ctx
}

// tasmotaID is the client id a Tasmota emulation says it has: DVES_ and six hex digits.
func tasmotaID(t *testing.T, w *wire) string {
	t.Helper()
	c := w.sent(1)[0]
	i := strings.Index(c, "id=DVES_")
	if i < 0 {
		t.Fatalf("no DVES_ client id in %q", c)
	}
	id := c[i+3 : i+3+11]
	if _, err := hex.DecodeString(id[5:]); err != nil || strings.ToUpper(id) != id {
		t.Fatalf("client id %q is not DVES_%%06X", id)
	}
	return id
}

// Tasmota's first connection after power-up (MqttReconnect, MqttConnected with
// initial_connection_state): CONNECT with the will, the retained LWT Online and
// an empty POWER command before any SUBSCRIBE, the three subscriptions at QoS 0
// with message ids from 2, then INFO1-3 and the relay's state.
func TestTasmotaWireFirstConnect(t *testing.T) {
	eachWireBroker(t, func(t *testing.T, b *wireBroker) {
		_, w := startDevice(t, b, switches.SimConfig{Device: switches.Device{Family: "tasmota", Topic: "wire_first"}, On: true, TelePeriod: -1})
		id := tasmotaID(t, w)
		got := w.waitFor(t, 1, "PUBLISH q0 stat/wire_first/POWER ON")
		expect(t, "the first connection", got, []string{
			"CONNECT MQTT 4 flags=ee ka=30 id=" + id + " will=tele/wire_first/LWT:Offline user=user-wire_first pass=password-of-wire_first",
			"PUBLISH q0 retain tele/wire_first/LWT Online",
			"PUBLISH q0 cmnd/wire_first/POWER ",
			"SUBSCRIBE #2 cmnd/wire_first/# q0",
			"SUBSCRIBE #3 cmnd/tasmotas/# q0",
			"SUBSCRIBE #4 cmnd/" + id + "_fb/# q0",
			`PUBLISH q0 tele/wire_first/INFO1 {"Info1":{"Module":"Sonoff Basic","Version":"14.1.0(release-tasmota)","FallbackTopic":"cmnd/` + id + `_fb/","GroupTopic":"cmnd/tasmotas/"}}`,
			`PUBLISH q0 tele/wire_first/INFO2 {"Info2":{"WebServerMode":"Admin","Hostname":"wire-first-*","IPAddress":"127.0.0.1"}}`,
			`PUBLISH q0 tele/wire_first/INFO3 {"Info3":{"RestartReason":"Power On","BootCount":1}}`,
			`PUBLISH q0 stat/wire_first/RESULT {"POWER":"ON"}`,
			"PUBLISH q0 stat/wire_first/POWER ON",
		})
	})
}

// A Tasmota that comes back (GoOnline after GoOffline, Reconnect): the broker
// sent its will, then the device publishes LWT Online before it subscribes, and
// says nothing of its relay, which changed while it was away; only the
// rediscovery follows, a second later.
func TestTasmotaWireReconnect(t *testing.T) {
	eachWireBroker(t, func(t *testing.T, b *wireBroker) {
		d, w := startDevice(t, b, switches.SimConfig{Device: switches.Device{Family: "tasmota", Topic: "wire_back"}, TelePeriod: -1})
		id := tasmotaID(t, w)
		d.GoOffline()
		b.all.wait(t, "tele/wire_back/LWT", func(m switches.Message) bool { return string(m.Payload) == "Offline" })
		d.SetRelay(true)
		if err := d.GoOnline(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		reconnect := []string{
			"CONNECT MQTT 4 flags=ee ka=30 id=" + id + " will=tele/wire_back/LWT:Offline user=user-wire_back pass=password-of-wire_back",
			"PUBLISH q0 retain tele/wire_back/LWT Online",
			"PUBLISH q0 cmnd/wire_back/POWER ",
			"SUBSCRIBE #2 cmnd/wire_back/# q0",
			"SUBSCRIBE #3 cmnd/tasmotas/# q0",
			"SUBSCRIBE #4 cmnd/" + id + "_fb/# q0",
			"PUBLISH q0 retain tasmota/discovery/*/config {*}",
			`PUBLISH q0 retain tasmota/discovery/*/sensors {"sn":{"Time":"*"},"ver":1}`,
		}
		expect(t, "the reconnection", w.waitFor(t, 2, "PUBLISH * tasmota/discovery/*/sensors *"), reconnect)
		time.Sleep(1500 * time.Millisecond) // nothing more comes: no state
		expect(t, "the reconnection, later", w.sent(2), reconnect)

		if err := d.Reconnect(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		b.all.wait(t, "tele/wire_back/LWT", func(m switches.Message) bool { return string(m.Payload) == "Online" })
		expect(t, "Reconnect", w.waitFor(t, 3, "PUBLISH * tasmota/discovery/*/sensors *"), reconnect)
	})
}

// Commands and queries (CommandHandler, CmndPower, ExecuteCommandPower,
// MqttPublishPowerState): every POWER answers RESULT then POWER, an empty one
// too; a relay the device does not have gets {"Command":"Error"}, a command it
// does not know {"Command":"Unknown"}; a button press reports like a command.
func TestTasmotaWireCommands(t *testing.T) {
	eachWireBroker(t, func(t *testing.T, b *wireBroker) {
		d, w := startDevice(t, b, switches.SimConfig{Device: switches.Device{Family: "tasmota", Topic: "wire_cmd"}, TelePeriod: -1})
		n := len(w.waitSent(t, 1, 11))
		steps := []struct {
			topic, payload string
			answers        int
		}{
			{"cmnd/wire_cmd/POWER", "ON", 2},
			{"cmnd/wire_cmd/POWER", "", 2},
			{"cmnd/wire_cmd/power1", "off", 2},
			{"cmnd/wire_cmd/POWER", "TOGGLE", 2},
			{"cmnd/wire_cmd/POWER2", "ON", 1},
			{"cmnd/wire_cmd/FOO", "1", 1},
		}
		for _, s := range steps {
			b.publish(t, s.topic, s.payload)
			n += s.answers
			w.waitSent(t, 1, n)
		}
		d.Press(ctxT(t))
		w.waitSent(t, 1, n+2)
		time.Sleep(200 * time.Millisecond) // and nothing more
		got := w.sent(1)[11:]
		expect(t, "answers", got, []string{
			`PUBLISH q0 stat/wire_cmd/RESULT {"POWER":"ON"}`, "PUBLISH q0 stat/wire_cmd/POWER ON",
			`PUBLISH q0 stat/wire_cmd/RESULT {"POWER":"ON"}`, "PUBLISH q0 stat/wire_cmd/POWER ON",
			`PUBLISH q0 stat/wire_cmd/RESULT {"POWER":"OFF"}`, "PUBLISH q0 stat/wire_cmd/POWER OFF",
			`PUBLISH q0 stat/wire_cmd/RESULT {"POWER":"ON"}`, "PUBLISH q0 stat/wire_cmd/POWER ON",
			`PUBLISH q0 stat/wire_cmd/RESULT {"Command":"Error"}`,
			`PUBLISH q0 stat/wire_cmd/RESULT {"Command":"Unknown"}`,
			`PUBLISH q0 stat/wire_cmd/RESULT {"POWER":"OFF"}`, "PUBLISH q0 stat/wire_cmd/POWER OFF",
		})
		if d.On() {
			t.Error("the relay is on after the press")
		}
		want := []string{"cmnd/wire_cmd/POWER ON", "cmnd/wire_cmd/POWER ", "cmnd/wire_cmd/power1 off", "cmnd/wire_cmd/POWER TOGGLE",
			"cmnd/wire_cmd/POWER2 ON", "cmnd/wire_cmd/FOO 1"}
		if r := d.Received(); strings.Join(r, "|") != strings.Join(want, "|") {
			t.Errorf("Received() = %q, want %q", r, want)
		}
	})
}

// A Tasmota with two relays names them POWER1 and POWER2.
func TestTasmotaWireTwoRelays(t *testing.T) {
	eachWireBroker(t, func(t *testing.T, b *wireBroker) {
		_, w := startDevice(t, b, switches.SimConfig{Device: switches.Device{Family: "tasmota", Topic: "wire_two", Channel: 2}, Relays: 2, On: true, TelePeriod: -1})
		got := w.waitSent(t, 1, 13)[9:]
		expect(t, "the first state", got, []string{
			`PUBLISH q0 stat/wire_two/RESULT {"POWER1":"OFF"}`, "PUBLISH q0 stat/wire_two/POWER1 OFF",
			`PUBLISH q0 stat/wire_two/RESULT {"POWER2":"ON"}`, "PUBLISH q0 stat/wire_two/POWER2 ON",
		})
		b.publish(t, "cmnd/wire_two/POWER2", "OFF")
		expect(t, "POWER2 OFF", w.waitSent(t, 1, 15)[13:], []string{`PUBLISH q0 stat/wire_two/RESULT {"POWER2":"OFF"}`, "PUBLISH q0 stat/wire_two/POWER2 OFF"})
	})
}

// Leaving: Disconnect sends DISCONNECT and the broker keeps the will to
// itself; GoOffline closes the TCP connection and the broker publishes it;
// Freeze stops the device's packets, PINGREQ included, and the broker's
// keepalive ends the connection, with the will. While connected, the device
// pings once the keepalive passes without traffic. (The keepalive is 2 s: the
// embedded broker allows a client one and a half keepalives in whole seconds,
// so 1 s for a keepalive of 1 s, less than the firmware's ping needs.)
func TestTasmotaWireLeaving(t *testing.T) {
	eachWireBroker(t, func(t *testing.T, b *wireBroker) {
		d, w := startDevice(t, b, switches.SimConfig{Device: switches.Device{Family: "tasmota", Topic: "wire_bye"}, KeepAlive: 2 * time.Second, TelePeriod: -1})
		w.waitFor(t, 1, "PINGREQ")
		d.Disconnect()
		w.waitFor(t, 1, "DISCONNECT")
		time.Sleep(time.Second)
		if b.seen("tele/wire_bye/LWT", "Offline") {
			t.Error("the broker published the will after a DISCONNECT")
		}
		if err := d.GoOnline(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		d.GoOffline()
		b.all.wait(t, "tele/wire_bye/LWT", func(m switches.Message) bool { return string(m.Payload) == "Offline" })
		if s := w.sent(2); s[len(s)-1] == "DISCONNECT" {
			t.Error("GoOffline sent DISCONNECT")
		}

		if err := d.GoOnline(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		b.all.wait(t, "tele/wire_bye/LWT", func(m switches.Message) bool { return string(m.Payload) == "Online" })
		b.all.mu.Lock()
		b.all.msgs = nil
		b.all.mu.Unlock()
		d.Freeze()
		frozen := len(w.sent(3))
		b.all.wait(t, "tele/wire_bye/LWT", func(m switches.Message) bool { return string(m.Payload) == "Offline" })
		if s := w.sent(3); len(s) != frozen {
			t.Errorf("a frozen device sent %q", s[frozen:])
		}
		if err := d.GoOnline(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		w.waitFor(t, 4, "SUBSCRIBE #4 *")
	})
}

// Tasmota's telemetry: tele/<topic>/STATE 5 s after the first connection, then
// every TelePeriod, with the relay in it.
func TestTasmotaWireTelePeriod(t *testing.T) {
	eachWireBroker(t, func(t *testing.T, b *wireBroker) {
		start := time.Now()
		_, w := startDevice(t, b, switches.SimConfig{Device: switches.Device{Family: "tasmota", Topic: "wire_tele"}, On: true, TelePeriod: 20 * time.Second})
		got := w.waitFor(t, 1, "PUBLISH q0 tele/wire_tele/STATE *")
		if took := time.Since(start); took < 4*time.Second || took > 15*time.Second {
			t.Errorf("the first tele/STATE came after %v, want about 5 s", took)
		}
		state := got[len(got)-1]
		var m map[string]any
		if err := json.Unmarshal([]byte(state[strings.Index(state, "{"):]), &m); err != nil || m["POWER"] != "ON" || m["MqttCount"] != 1.0 {
			t.Errorf("tele/STATE %s (%v)", state, err)
		}
	})
}

// shellyID is the device id a Shelly emulation says it has.
func shellyID(t *testing.T, w *wire) string {
	t.Helper()
	c := w.sent(1)[0]
	i := strings.Index(c, "id=shellyplus1-")
	if i < 0 {
		t.Fatalf("no shellyplus1- client id in %q", c)
	}
	return c[i+3 : i+3+24]
}

// shellyConnect is a Shelly Plus 1's connect sequence, the same on every
// connection, with packet ids from first; next is the id after the last.
func shellyConnect(prefix, id string, first int, on bool) (seq []string, next int) {
	pid := first
	id1 := func() int { pid++; return pid - 1 }
	seq = []string{
		"CONNECT MQTT 4 flags=e6 ka=60 id=" + id + " will=" + prefix + "/online:false user=user-" + prefix + " pass=password-of-" + prefix,
	}
	for _, f := range []string{prefix + "/rpc", prefix + "/command/sys", prefix + "/command", "shellies/command", prefix + "/command/switch:0"} {
		seq = append(seq, fmt.Sprintf("SUBSCRIBE #%d %s q1", id1(), f))
	}
	seq = append(seq, fmt.Sprintf("PUBLISH q1 retain #%d %s/online true", id1(), prefix))
	sw := fmt.Sprintf(`{"id":0, "source":"*", "output":%t, "temperature":{"tC":45.3, "tF":113.5}}`, on)
	for _, c := range []struct{ name, status string }{
		{"ble", "{}"}, {"cloud", `{"connected":false}`}, {"input:0", `{"id":0,"state":null}`}, {"mqtt", `{"connected":true}`},
		{"switch:0", sw}, {"sys", `{"mac":"*",*}`}, {"wifi", `{"sta_ip":"127.0.0.1",*}`}, {"ws", `{"connected":false}`},
	} {
		seq = append(seq, fmt.Sprintf("PUBLISH q1 #%d %s/status/%s %s", id1(), prefix, c.name, c.status))
	}
	seq = append(seq,
		fmt.Sprintf(`PUBLISH q1 #%d %s/events/rpc {"src":"%s","dst":"%s/events","method":"NotifyFullStatus","params":{"ts":*,"ble":{},*"switch:0":%s,*}}`, id1(), prefix, id, prefix, sw),
		fmt.Sprintf(`PUBLISH q1 #%d %s/events/rpc {"src":"%s","dst":"%s/events","method":"NotifyStatus","params":{"ts":*,"mqtt":{"connected":true}}}`, id1(), prefix, id, prefix))
	return seq, pid
}

// A Shelly's connection (mgos_mqtt_ev; the packets logged from real devices):
// SUBSCRIBEs at QoS 1 first, then online, then its whole status, on the first
// connection and on every reconnection alike, packet ids counting on.
func TestShellyWireConnect(t *testing.T) {
	eachWireBroker(t, func(t *testing.T, b *wireBroker) {
		d, w := startDevice(t, b, switches.SimConfig{Device: switches.Device{Family: "shelly", Topic: "shellyplus1-a8032ab12345"}, On: true})
		id := shellyID(t, w)
		if id != "shellyplus1-a8032ab12345" {
			t.Errorf("device id %s; a default prefix is the device id", id)
		}
		want, next := shellyConnect("shellyplus1-a8032ab12345", id, 1, true)
		expect(t, "the first connection", w.waitSent(t, 1, len(want)), want)
		d.GoOffline()
		b.all.wait(t, "shellyplus1-a8032ab12345/online", func(m switches.Message) bool { return string(m.Payload) == "false" })
		d.SetRelay(false)
		if err := d.GoOnline(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		again, _ := shellyConnect("shellyplus1-a8032ab12345", id, next, false)
		expect(t, "the reconnection", w.waitSent(t, 2, len(again)), again)
	})
}

// A custom prefix keeps a device id of its own, and the client id follows it.
func TestShellyWirePrefix(t *testing.T) {
	eachWireBroker(t, func(t *testing.T, b *wireBroker) {
		_, w := startDevice(t, b, switches.SimConfig{Device: switches.Device{Family: "shelly", Topic: "pump"}})
		id := shellyID(t, w)
		if _, err := hex.DecodeString(strings.TrimPrefix(id, "shellyplus1-")); err != nil {
			t.Fatalf("device id %q", id)
		}
		want, _ := shellyConnect("pump", id, 1, false)
		expect(t, "the first connection", w.waitSent(t, 1, len(want)), want)
	})
}

// RPC over MQTT (RPCProtocol, Switch): the PUBACK first, then the response on
// <src>/rpc, then NotifyStatus and the status of what changed; errors for a
// switch the device does not have and a method it does not know.
func TestShellyWireRPC(t *testing.T) {
	eachWireBroker(t, func(t *testing.T, b *wireBroker) {
		d, w := startDevice(t, b, switches.SimConfig{Device: switches.Device{Family: "shelly", Topic: "wire-rpc"}})
		id := shellyID(t, w)
		n := len(w.waitSent(t, 1, 17))
		src := switches.ShellySrc("wire-rpc")
		rpc := func(frame string, count int) []string {
			t.Helper()
			b.publish(t, "wire-rpc/rpc", frame)
			got := w.waitSent(t, 1, n+count)[n:]
			time.Sleep(200 * time.Millisecond)
			if more := w.sent(1)[n:]; len(more) != count {
				t.Errorf("after %s the device sent %q", frame, more)
			}
			n += count
			return got
		}
		expect(t, "Switch.Set on", rpc(`{"id":7,"src":"`+src+`","method":"Switch.Set","params":{"id":0,"on":true}}`, 4), []string{
			"PUBACK #*",
			`PUBLISH q1 #17 ` + src + `/rpc {"id":7,"src":"` + id + `","dst":"` + src + `","result":{"was_on":false}}`,
			`PUBLISH q1 #18 wire-rpc/events/rpc {"src":"` + id + `","dst":"wire-rpc/events","method":"NotifyStatus","params":{"ts":*,"switch:0":{"id":0,"output":true,"source":"MQTT"}}}`,
			`PUBLISH q1 #19 wire-rpc/status/switch:0 {"id":0, "source":"MQTT", "output":true, "temperature":{"tC":45.3, "tF":113.5}}`,
		})
		expect(t, "Switch.Set on again", rpc(`{"id":8,"src":"`+src+`","method":"Switch.Set","params":{"id":0,"on":true}}`, 2), []string{
			"PUBACK #*",
			`PUBLISH q1 #20 ` + src + `/rpc {"id":8,"src":"` + id + `","dst":"` + src + `","result":{"was_on":true}}`,
		})
		expect(t, "Switch.GetStatus", rpc(`{"id":9,"src":"`+src+`","method":"Switch.GetStatus","params":{"id":0}}`, 2), []string{
			"PUBACK #*",
			`PUBLISH q1 #21 ` + src + `/rpc {"id":9,"src":"` + id + `","dst":"` + src + `","result":{"id":0, "source":"MQTT", "output":true, "temperature":{"tC":45.3, "tF":113.5}}}`,
		})
		expect(t, "Switch.Set of switch 1", rpc(`{"id":10,"src":"`+src+`","method":"Switch.Set","params":{"id":1,"on":true}}`, 2), []string{
			"PUBACK #*",
			`PUBLISH q1 #22 ` + src + `/rpc {"id":10,"src":"` + id + `","dst":"` + src + `","error":{"code":-105,"message":"Argument 'id', value 1 not found!"}}`,
		})
		expect(t, "an unknown method", rpc(`{"id":11,"src":"`+src+`","method":"Cover.Open","params":{"id":0}}`, 2), []string{
			"PUBACK #*",
			`PUBLISH q1 #23 ` + src + `/rpc {"id":11,"src":"` + id + `","dst":"` + src + `","error":{"code":404,"message":"No handler for Cover.Open"}}`,
		})
		d.SetDeaf(true)
		expect(t, "a deaf device", rpc(`{"id":12,"src":"`+src+`","method":"Switch.Set","params":{"id":0,"on":false}}`, 1), []string{"PUBACK #*"})
		d.SetDeaf(false)
		d.Press(ctxT(t))
		expect(t, "a button press", w.waitSent(t, 1, n+2)[n:], []string{
			`PUBLISH q1 #24 wire-rpc/events/rpc {"src":"` + id + `","dst":"wire-rpc/events","method":"NotifyStatus","params":{"ts":*,"switch:0":{"id":0,"output":false,"source":"button"}}}`,
			`PUBLISH q1 #25 wire-rpc/status/switch:0 {"id":0, "source":"button", "output":false, "temperature":{"tC":45.3, "tF":113.5}}`,
		})
		if len(d.Received()) != 6 {
			t.Errorf("Received() = %q, want the six requests", d.Received())
		}
	})
}

// A Shelly leaving: DISCONNECT keeps the will "false" unsent, a dropped
// connection gets it published; PINGREQ once nothing was sent for the keepalive.
func TestShellyWireLeaving(t *testing.T) {
	eachWireBroker(t, func(t *testing.T, b *wireBroker) {
		d, w := startDevice(t, b, switches.SimConfig{Device: switches.Device{Family: "shelly", Topic: "wire-bye"}, KeepAlive: 2 * time.Second})
		w.waitFor(t, 1, "PINGREQ")
		d.Disconnect()
		w.waitFor(t, 1, "DISCONNECT")
		time.Sleep(time.Second)
		if b.seen("wire-bye/online", "false") {
			t.Error("the broker published the will after a DISCONNECT")
		}
		if err := d.GoOnline(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		d.GoOffline()
		b.all.wait(t, "wire-bye/online", func(m switches.Message) bool { return string(m.Payload) == "false" })
	})
}

// A Tasmota coming back publishes LWT Online before it subscribes, so a query
// sent the instant Online arrives is lost: the broker has no subscription to
// deliver it to yet. (Only the embedded broker shows this every time: its
// subscribers run while it reads the device's packets, so the query goes out
// before the device's SUBSCRIBE is read; through Mosquitto it is a race.) A
// query sent once the device has subscribed is answered.
func TestTasmotaWireQueryAtOnline(t *testing.T) {
	t.Parallel()
	b := startWireBroker(t, testenv.BrokerEmbedded)
	var armed sync.Mutex
	queried := false
	err := b.bus.Subscribe(context.Background(), []string{"tele/wire_race/LWT"}, func(m switches.Message) {
		armed.Lock()
		defer armed.Unlock()
		if string(m.Payload) == "Online" && !m.Retained && !queried {
			queried = true
			b.bus.Publish(context.Background(), "cmnd/wire_race/POWER", nil, false)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	d, w := startDevice(t, b, switches.SimConfig{Device: switches.Device{Family: "tasmota", Topic: "wire_race"}, TelePeriod: -1})
	armed.Lock()
	if !queried {
		t.Fatal("the query was not sent")
	}
	armed.Unlock()
	d.GoOffline()
	d.SetRelay(true)
	armed.Lock()
	queried = false
	armed.Unlock()
	if err := d.GoOnline(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if r := d.Received(); len(r) != 0 {
		t.Errorf("the device received %q before it subscribed", r)
	}
	for _, p := range w.sent(2) {
		if strings.Contains(p, "stat/wire_race/") {
			t.Errorf("the device reported %q after coming back", p)
		}
	}
	b.publish(t, "cmnd/wire_race/POWER", "")
	w.waitFor(t, 2, "PUBLISH q0 stat/wire_race/POWER ON")
}
