package switches

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// Account is a device's broker account: the SHA-256 (hex) of its password and the
// topic its ACL is built from.
type Account struct {
	Family       string
	Topic        string
	PasswordHash string
}

// PasswordMatches reports, in constant time, whether password is the one whose
// SHA-256 (hex) is hash: the only form in which a device's password is kept.
func PasswordMatches(hash string, password []byte) bool {
	sum := sha256.Sum256(password)
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(hash)) == 1
}

// Accounts finds device accounts by MQTT username; an unknown one is an error.
type Accounts interface {
	Account(ctx context.Context, username string) (*Account, error)
}

// AccountsFunc adapts a function to Accounts.
type AccountsFunc func(ctx context.Context, username string) (*Account, error)

// Account implements Accounts.
func (f AccountsFunc) Account(ctx context.Context, username string) (*Account, error) {
	return f(ctx, username)
}

// EmbeddedConfig configures the embedded broker.
type EmbeddedConfig struct {
	Addr      string      // TCP listener, e.g. ":1883"; "" for none
	TLSAddr   string      // TLS listener, e.g. ":8883"; "" for none
	TLSConfig *tls.Config // needed with TLSAddr
	Accounts  Accounts
	Log       *slog.Logger

	// Limits that hold before anyone has signed in: the largest packet a client
	// may send (DefaultMaxPacketSize when 0), connections at once from one IP
	// address (DefaultMaxConnsPerIP when 0; a negative value turns it off), and how
	// soon a new connection must have sent its CONNECT (DefaultConnectTimeout when 0).
	MaxPacketSize  int
	MaxConnsPerIP  int
	ConnectTimeout time.Duration
}

// Defaults of the embedded broker's limits. Device messages are small: Tasmota's
// own buffer is 1,200 bytes (MQTT_MAX_PACKET_SIZE), and a Shelly Gen2's full
// status is a few kilobytes. A site behind one NAT address may hold many devices.
const (
	DefaultMaxPacketSize  = 64 << 10
	DefaultMaxConnsPerIP  = 200
	DefaultConnectTimeout = 10 * time.Second
	// maxKeepalive bounds the keepalive a device may ask for (0 asks for none), so
	// that a connection that dies silently is noticed within 1.5 × this.
	maxKeepalive = 300
)

// Embedded is the broker inside the server process, and the server's Bus on it
// through the broker's inline client. Every device authenticates against Accounts
// and may publish and subscribe on its own topics only.
type Embedded struct {
	srv   *mqtt.Server
	subs  subscriptions
	addrs []string
	hook  *authHook

	closeOnce sync.Once
}

// Small per-client buffers, so that 10,000+ mostly idle devices stay cheap: a
// device's messages are a few hundred bytes.
const (
	embeddedNetBuffer     = 1024
	embeddedWritesPending = 64
	embeddedInflight      = 64 // unacknowledged QoS 1 messages to one client
	embeddedReceiveMax    = 16 // unacknowledged QoS 1 messages from one client
)

// StartEmbedded starts the broker on the configured listeners.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	if cfg.Accounts == nil {
		return nil, errors.New("switches: the embedded broker needs Accounts")
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxPacketSize <= 0 {
		cfg.MaxPacketSize = DefaultMaxPacketSize
	}
	if cfg.MaxConnsPerIP == 0 {
		cfg.MaxConnsPerIP = DefaultMaxConnsPerIP
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	caps := mqtt.NewDefaultServerCapabilities()
	caps.MaximumMessageExpiryInterval = 0 // retained availability never expires
	caps.MaximumClientWritesPending = embeddedWritesPending
	caps.MaximumSessionExpiryInterval = 3600
	caps.MaximumInflight = embeddedInflight
	caps.ReceiveMaximum = embeddedReceiveMax
	// Without a maximum, mochi allocates whatever length a packet header
	// announces, before authentication.
	caps.MaximumPacketSize = uint32(cfg.MaxPacketSize)
	srv := mqtt.New(&mqtt.Options{
		InlineClient:             true,
		Capabilities:             caps,
		ClientNetWriteBufferSize: embeddedNetBuffer,
		ClientNetReadBufferSize:  embeddedNetBuffer,
		SysTopicResendInterval:   60,
		Logger:                   slog.New(warnOnly{log.Handler()}).With("component", "mqtt"),
	})
	e := &Embedded{srv: srv, hook: &authHook{accounts: cfg.Accounts, srv: srv, log: log,
		byID: map[string]*deviceSession{}, byConn: map[net.Conn]*deviceSession{}, conns: map[string]int{}, devices: map[string]int{}}}
	if err := srv.AddHook(e.hook, nil); err != nil {
		return nil, err
	}
	limits := &connLimits{perIP: cfg.MaxConnsPerIP, connectTimeout: cfg.ConnectTimeout, open: map[string]int{}, log: log}
	add := func(id, addr string, tc *tls.Config) error {
		if addr == "" {
			return nil
		}
		// Listen here rather than in the broker, so that a busy port fails at start
		// and ":0" tells its port.
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("switches: broker listener %s: %w", addr, err)
		}
		if tc != nil {
			ln = tls.NewListener(ln, tc)
		}
		e.addrs = append(e.addrs, ln.Addr().String())
		return srv.AddListener(&netListener{id: id, ln: ln, limits: limits, ended: e.hook.connEnded})
	}
	if err := add("tcp", cfg.Addr, nil); err != nil {
		srv.Close()
		return nil, err
	}
	if cfg.TLSAddr != "" && cfg.TLSConfig == nil {
		srv.Close()
		return nil, errors.New("switches: a TLS listener needs a certificate")
	}
	if err := add("tls", cfg.TLSAddr, cfg.TLSConfig); err != nil {
		srv.Close()
		return nil, err
	}
	// One inline subscription to everything, made before any device can connect,
	// feeds the bus's own dispatch: subscribing inline later would scan the
	// broker's retained-message index while devices write to it.
	if err := srv.Subscribe("#", 1, func(_ *mqtt.Client, _ packets.Subscription, pk packets.Packet) {
		e.subs.dispatch(Message{Topic: pk.TopicName, Payload: bytes.Clone(pk.Payload)})
	}); err != nil {
		srv.Close()
		return nil, err
	}
	if err := srv.Serve(); err != nil {
		srv.Close()
		return nil, err
	}
	return e, nil
}

// Addrs lists the addresses the broker listens on: TCP first, then TLS.
func (e *Embedded) Addrs() []string { return e.addrs }

// Clients returns the number of connected clients.
func (e *Embedded) Clients() int { return e.srv.Clients.Len() - 1 } // less the inline client

// Publish implements Bus.
func (e *Embedded) Publish(_ context.Context, topic string, payload []byte, retain bool) error {
	return e.srv.Publish(topic, payload, retain, 1)
}

// Subscribe implements Bus. The retained messages on the filters are handed
// over, marked Retained, before it returns.
func (e *Embedded) Subscribe(_ context.Context, filters []string, h Handler) error {
	for _, f := range filters {
		if !mqtt.IsValidFilter(f, false) {
			return fmt.Errorf("switches: invalid topic filter %q", f)
		}
	}
	e.subs.add(filters, h)
	for topic, pk := range e.srv.Topics.Retained.GetAll() {
		for _, f := range filters {
			if MatchTopic(f, topic) {
				h(Message{Topic: topic, Payload: bytes.Clone(pk.Payload), Retained: true})
				break
			}
		}
	}
	return nil
}

// OnUp implements Bus: the embedded bus is up from its start, so fn runs now.
func (e *Embedded) OnUp(fn func()) { go fn() }

// DeviceConnected implements PresenceSource. A connection counts from its
// authentication, a new one waiting to take over from an earlier one included,
// until the broker is done with it.
func (e *Embedded) DeviceConnected(family, topic string) bool {
	e.hook.mu.Lock()
	defer e.hook.mu.Unlock()
	return e.hook.devices[deviceKey(family, topic)] > 0
}

// ConnectedDevices implements DeviceCounter: it returns how many devices hold an authenticated connection
// to the broker now, a connection waiting to take over from an earlier one of
// the same device counted once.
func (e *Embedded) ConnectedDevices() int {
	e.hook.mu.Lock()
	defer e.hook.mu.Unlock()
	return len(e.hook.devices)
}

// OnPresence implements PresenceSource.
func (e *Embedded) OnPresence(fn func(Presence)) { e.hook.presence.Store(&fn) }

// DisconnectUser ends the connections of the device that signed in as username,
// e.g. after its credentials were regenerated: it must reconnect, and the old
// password no longer lets it. It returns how many connections it ended, one
// still waiting to take over from an earlier one included.
func (e *Embedded) DisconnectUser(username string) int {
	var ends []*mqtt.Client
	e.hook.mu.Lock()
	for _, s := range e.hook.byConn {
		if s.user == username {
			ends = append(ends, s.cl)
		}
	}
	e.hook.mu.Unlock()
	for _, cl := range ends {
		cl.Stop(errors.New("credentials regenerated"))
	}
	return len(ends)
}

// Close implements Bus: it stops the broker, disconnecting every device.
// A second Close does nothing.
func (e *Embedded) Close() error {
	var err error
	e.closeOnce.Do(func() { err = e.srv.Close() })
	return err
}

// netListener serves an already open listener to the broker.
type netListener struct {
	id     string
	ln     net.Listener
	limits *connLimits
	ended  func(net.Conn) // told when the broker is done with a connection

	// The broker counts a connection's goroutine in a WaitGroup from inside that
	// goroutine, and waits on it when it closes: a connection still starting then
	// races with the wait. So the listener ends its own connections and waits for
	// their goroutines before the broker waits.
	mu     sync.Mutex
	closed bool
	open   map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// connLimits are the limits on connections before they authenticate: how many
// one IP address may hold open, and how soon each must send its CONNECT.
type connLimits struct {
	perIP          int
	connectTimeout time.Duration
	log            *slog.Logger

	mu   sync.Mutex
	open map[string]int // IP address → open connections
}

// admit counts a new connection, or reports false when its address is at its limit.
func (l *connLimits) admit(c net.Conn) (net.Conn, bool) {
	ip := remoteIP(c)
	l.mu.Lock()
	if l.perIP > 0 && l.open[ip] >= l.perIP {
		l.mu.Unlock()
		l.log.Warn("mqtt: refused a connection over the per-address limit", "remote", ip, "limit", l.perIP)
		return nil, false
	}
	l.open[ip]++
	l.mu.Unlock()
	// The broker replaces this deadline with the keepalive's once CONNECT is read.
	c.SetDeadline(time.Now().Add(l.connectTimeout))
	return &countedConn{Conn: c, release: func() { l.release(ip) }}, true
}

func (l *connLimits) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[ip]--; l.open[ip] <= 0 {
		delete(l.open, ip)
	}
}

func remoteIP(c net.Conn) string {
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

// countedConn gives its slot back when it closes, once.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

func (l *netListener) Init(*slog.Logger) error { return nil }
func (l *netListener) ID() string              { return l.id }
func (l *netListener) Address() string         { return l.ln.Addr().String() }
func (l *netListener) Protocol() string        { return "tcp" }

func (l *netListener) Serve(establish listeners.EstablishFn) {
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			return
		}
		counted, ok := l.limits.admit(conn)
		if !ok {
			conn.Close()
			continue
		}
		conn = counted
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			conn.Close()
			return
		}
		if l.open == nil {
			l.open = map[net.Conn]struct{}{}
		}
		l.open[conn] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go func() {
			defer l.wg.Done()
			defer func() {
				conn.Close()
				l.mu.Lock()
				delete(l.open, conn)
				l.mu.Unlock()
			}()
			// establish returns once the broker is done with the connection,
			// its session cleaned up: only then may the next connection with
			// the same client id go on (see authHook.takeOver).
			establish(l.id, conn)
			l.ended(conn)
		}()
	}
}

func (l *netListener) Close(closeClients listeners.CloseFn) {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.ln.Close()
	closeClients(l.id)
	// Connections that have not finished CONNECT are not the broker's clients yet.
	l.mu.Lock()
	for c := range l.open {
		c.Close()
	}
	l.mu.Unlock()
	l.wg.Wait()
}

// authHook lets a device in with its own username and password, confines it
// to its own topics, and lets one connection per client id at a time into the
// broker's session handling.
//
// The broker (mochi-mqtt v2.7.9) cleans up after a connection on the
// connection's own goroutine: once it is gone, it unsubscribes the client id
// from every topic and deletes the client id from its client list, unless a new
// connection has taken the session over by then. Whether it has is checked
// before, not while, it cleans up, so a device that comes back at once (a
// Tasmota reconnects within a second) can have its new connection taken off
// the list and its subscriptions dropped just after it subscribed: it stays
// connected and deaf, and its state is not heard until it next reports on its
// own. A new connection of a client id therefore waits, once authenticated,
// until the broker is done with the earlier one.
type authHook struct {
	mqtt.HookBase
	accounts Accounts
	srv      *mqtt.Server
	log      *slog.Logger
	clients  sync.Map // *mqtt.Client → *deviceSession
	presence atomic.Pointer[func(Presence)]

	mu      sync.Mutex
	byID    map[string]*deviceSession   // client id → its newest connection
	byConn  map[net.Conn]*deviceSession // the listener's connection → its session
	conns   map[string]int              // username → authenticated connections not yet ended
	devices map[string]int              // family and topic → authenticated connections not yet ended
}

// deviceSession is one authenticated device connection, from its CONNECT until
// the broker is done with it.
type deviceSession struct {
	cl    *mqtt.Client
	acc   *Account
	user  string
	key   string        // deviceKey
	clean bool          // it ended with DISCONNECT
	ended chan struct{} // closed when the broker is done with the connection
}

// takeoverWait bounds how long a new connection waits for the broker to be
// done with the one it replaces, which normally takes a moment; it stays below
// the 4 s a Tasmota waits for CONNACK (MQTT_SOCKET_TIMEOUT).
const takeoverWait = 3 * time.Second

func deviceKey(family, topic string) string { return family + "\x00" + topic }

func (h *authHook) ID() string { return "portico-auth" }

func (h *authHook) Provides(b byte) bool {
	switch b {
	case mqtt.OnConnect, mqtt.OnConnectAuthenticate, mqtt.OnACLCheck, mqtt.OnSubscribed, mqtt.OnDisconnect:
		return true
	}
	return false
}

// OnConnect bounds the keepalive a client asks for: a connection without one
// (0) could die unnoticed for as long as the TCP stack keeps it.
func (h *authHook) OnConnect(cl *mqtt.Client, pk packets.Packet) error {
	if k := cl.State.Keepalive; k == 0 || k > maxKeepalive {
		cl.State.Keepalive = maxKeepalive
		cl.State.ServerKeepalive = true
	}
	return nil
}

// OnConnectAuthenticate checks the device's password against the stored hash,
// its last will against its ACL, and refuses to let one device take over the
// client id of a device connected under another username. An earlier
// connection with the same client id is ended and waited for (see takeOver).
func (h *authHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	user := string(pk.Connect.Username)
	if user == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	acc, err := h.accounts.Account(ctx, user)
	if err != nil || acc == nil {
		h.log.Info("mqtt: refused unknown device", "username", user, "remote", cl.Net.Remote)
		return false
	}
	if !PasswordMatches(acc.PasswordHash, pk.Connect.Password) {
		h.log.Info("mqtt: refused wrong password", "username", user, "remote", cl.Net.Remote)
		return false
	}
	fam := FamilyOf(acc.Family)
	if fam == nil {
		return false
	}
	if pk.Connect.WillFlag && !fam.MayPublish(acc.Topic, pk.Connect.WillTopic) {
		h.log.Info("mqtt: refused a last will outside the device's topics", "username", user, "topic", pk.Connect.WillTopic)
		return false
	}
	if other, ok := h.srv.Clients.Get(cl.ID); ok && other != cl && string(other.Properties.Username) != user {
		h.log.Info("mqtt: refused a client id in use by another device", "username", user, "client_id", cl.ID)
		return false
	}
	s := &deviceSession{cl: cl, acc: acc, user: user, key: deviceKey(acc.Family, acc.Topic), ended: make(chan struct{})}
	if !h.takeOver(s) {
		h.log.Info("mqtt: refused a client id in use by another device", "username", user, "client_id", cl.ID)
		return false
	}
	// Ended while it waited: replaced in turn, or its credentials regenerated.
	// Let in, it would stay in the broker's client list, stopped.
	return !cl.Closed()
}

// takeOver counts the device's new connection, so that the device is
// connected throughout a quick reconnect, and lets it go on only once the
// broker is done with the earlier connection of its client id, which it ends
// if need be (as the broker would). It reports false if that connection is
// another device's.
func (h *authHook) takeOver(s *deviceSession) bool {
	h.mu.Lock()
	prev := h.byID[s.cl.ID]
	if prev != nil && prev.user != s.user {
		h.mu.Unlock()
		return false
	}
	h.byID[s.cl.ID] = s
	h.byConn[s.cl.Net.Conn] = s
	h.conns[s.user]++
	h.devices[s.key]++
	h.mu.Unlock()
	h.clients.Store(s.cl, s)
	if prev == nil {
		return true
	}
	_ = h.srv.DisconnectClient(prev.cl, packets.ErrSessionTakenOver)
	t := time.NewTimer(takeoverWait)
	defer t.Stop()
	select {
	case <-prev.ended:
	case <-t.C:
		h.log.Warn("mqtt: the connection a device replaces did not end in time", "username", s.user, "client_id", s.cl.ID, "wait", takeoverWait)
	}
	return true
}

// OnACLCheck confines a device to its own topics.
func (h *authHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	v, ok := h.clients.Load(cl)
	if !ok {
		return false
	}
	acc := v.(*deviceSession).acc
	fam := FamilyOf(acc.Family)
	if write {
		ok = fam.MayPublish(acc.Topic, topic)
	} else {
		ok = fam.MaySubscribe(acc.Topic, topic)
	}
	if !ok {
		// Debug, not Info: every Tasmota asks for more than it needs on each connect
		// (its own empty cmnd/<t>/POWER, its group and fallback topics).
		h.log.Debug("mqtt: denied", "username", string(cl.Properties.Username), "topic", topic, "write", write)
	}
	return ok
}

// OnSubscribed tells that a device now hears what it subscribed to.
func (h *authHook) OnSubscribed(cl *mqtt.Client, pk packets.Packet, codes []byte) {
	if cl.Net.Inline {
		return
	}
	v, ok := h.clients.Load(cl)
	if !ok {
		return
	}
	acc := v.(*deviceSession).acc
	for i, f := range pk.Filters {
		if i < len(codes) && codes[i] < 0x80 {
			h.tell(Presence{Kind: PresenceSubscribed, Username: string(cl.Properties.Username), Family: acc.Family, Topic: acc.Topic, Filter: f.Filter})
		}
	}
}

// OnDisconnect notes whether the device said goodbye; connEnded, which runs
// next on the same goroutine, tells.
func (h *authHook) OnDisconnect(cl *mqtt.Client, err error, _ bool) {
	if v, ok := h.clients.Load(cl); ok {
		v.(*deviceSession).clean = err == nil || errors.Is(err, packets.CodeDisconnect)
	}
}

// connEnded forgets a connection the broker is done with and, when it was the
// device's last, tells that the device is gone — with or without a last will,
// and whether it said goodbye or its connection died (noticed at 1.5 ×
// keepalive). A connection that ended before it reached the broker's session
// handling (its CONNACK could not be written) counts too.
func (h *authHook) connEnded(c net.Conn) {
	h.mu.Lock()
	s, ok := h.byConn[c]
	if !ok {
		h.mu.Unlock()
		return
	}
	delete(h.byConn, c)
	if h.byID[s.cl.ID] == s {
		delete(h.byID, s.cl.ID)
	}
	h.conns[s.user]--
	last := h.conns[s.user] <= 0
	if last {
		delete(h.conns, s.user)
	}
	if h.devices[s.key]--; h.devices[s.key] <= 0 {
		delete(h.devices, s.key)
	}
	h.mu.Unlock()
	h.clients.Delete(s.cl)
	if last {
		h.tell(Presence{Kind: PresenceGone, Username: s.user, Family: s.acc.Family, Topic: s.acc.Topic, Clean: s.clean})
	}
	close(s.ended)
}

func (h *authHook) tell(p Presence) {
	if fn := h.presence.Load(); fn != nil {
		(*fn)(p)
	}
}

// warnOnly passes on the broker's warnings and errors only: its informational
// lines (starting, stopping, hooks) are noise in the server's log.
type warnOnly struct{ slog.Handler }

func (w warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnOnly) WithAttrs(as []slog.Attr) slog.Handler { return warnOnly{w.Handler.WithAttrs(as)} }
func (w warnOnly) WithGroup(g string) slog.Handler       { return warnOnly{w.Handler.WithGroup(g)} }
