package switches

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/packets"
	"github.com/eclipse/paho.golang/paho"

	"portico/internal/domain"
)

// SimConfig describes a simulated device.
type SimConfig struct {
	Device
	BrokerURL string // mqtt://host:port
	Username  string
	Password  string
	On        bool // the relay's state at power-up
	Log       *slog.Logger
}

// SimDevice is a simulated Tasmota or Shelly device on a real MQTT connection. It
// obeys commands and queries, publishes its state, announces itself online with a
// retained message and leaves a last will saying it is offline; it can lose its
// connection (GoOffline: the broker sends the will), come back (GoOnline), have
// its button pressed (Press: a change the server did not command), and turn deaf
// (SetDeaf: commands go unanswered).
type SimDevice struct {
	cfg SimConfig
	cm  *autopaho.ConnectionManager
	log *slog.Logger

	mu      sync.Mutex
	on      bool
	offline bool // refuse to (re)connect
	deaf    bool
	conn    net.Conn
	cancel  context.CancelFunc
	up      chan struct{} // closed and replaced on each connection
}

// StartSim connects a simulated device. It returns once the device is online or
// ctx ends.
func StartSim(ctx context.Context, cfg SimConfig) (*SimDevice, error) {
	if FamilyOf(cfg.Family) == nil {
		return nil, fmt.Errorf("switches: unknown device family %q", cfg.Family)
	}
	u, err := url.Parse(cfg.BrokerURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "tcp" {
		u.Scheme = "mqtt"
	}
	if cfg.Family == domain.FamilyTasmota && cfg.Channel == 0 {
		cfg.Channel = 1
	}
	d := &SimDevice{cfg: cfg, on: cfg.On, log: cfg.Log, up: make(chan struct{})}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	willTopic, willPayload := d.availability(false)
	pc := autopaho.ClientConfig{
		ServerUrls:                    []*url.URL{u},
		KeepAlive:                     10,
		CleanStartOnInitialConnection: true,
		ConnectTimeout:                5 * time.Second,
		ReconnectBackoff:              func(int) time.Duration { return 200 * time.Millisecond },
		ConnectUsername:               cfg.Username,
		ConnectPassword:               []byte(cfg.Password),
		WillMessage:                   &paho.WillMessage{Topic: willTopic, Payload: willPayload, QoS: 1, Retain: true},
		AttemptConnection:             d.dial,
		OnConnectionUp: func(cm *autopaho.ConnectionManager, _ *paho.Connack) {
			go d.announce(cm)
		},
		ClientConfig: paho.ClientConfig{
			ClientID: "sim-" + cfg.Family + "-" + cfg.Topic,
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){func(pr paho.PublishReceived) (bool, error) {
				go d.receive(pr.Packet.Topic, pr.Packet.Payload)
				return true, nil
			}},
		},
	}
	cctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	d.cm, err = autopaho.NewConnection(cctx, pc)
	if err != nil {
		cancel()
		return nil, err
	}
	if err := d.WaitOnline(ctx); err != nil {
		cancel()
		return nil, err
	}
	return d, nil
}

// dial opens the device's TCP connection, or refuses while the device is offline.
func (d *SimDevice) dial(ctx context.Context, _ autopaho.ClientConfig, u *url.URL) (net.Conn, error) {
	d.mu.Lock()
	off := d.offline
	d.mu.Unlock()
	if off {
		return nil, errors.New("simulated device is offline")
	}
	var dl net.Dialer
	c, err := dl.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.conn = c
	d.mu.Unlock()
	return packets.NewThreadSafeConn(c), nil
}

// announce subscribes to the device's command topics and says it is online,
// then reports its state, as a device does after it connects.
func (d *SimDevice) announce(cm *autopaho.ConnectionManager) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var filter string
	if d.cfg.Family == domain.FamilyTasmota {
		filter = "cmnd/" + d.cfg.Topic + "/#"
	} else {
		filter = d.cfg.Topic + "/rpc"
	}
	if _, err := cm.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: filter, QoS: 1}}}); err != nil {
		d.log.Warn("sim: subscribe", "topic", d.cfg.Topic, "err", err)
		return
	}
	t, p := d.availability(true)
	if _, err := cm.Publish(ctx, &paho.Publish{Topic: t, Payload: p, QoS: 1, Retain: true}); err != nil {
		d.log.Warn("sim: announce", "topic", d.cfg.Topic, "err", err)
		return
	}
	d.publishState(ctx, "init", false)
	d.mu.Lock()
	close(d.up)
	d.up = make(chan struct{})
	d.mu.Unlock()
}

// WaitOnline waits until the device's next (or current) announcement is done.
func (d *SimDevice) WaitOnline(ctx context.Context) error {
	d.mu.Lock()
	up := d.up
	d.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("simulated device %s did not come online: %w", d.cfg.Topic, ctx.Err())
	}
}

func (d *SimDevice) availability(online bool) (string, []byte) {
	if d.cfg.Family == domain.FamilyTasmota {
		if online {
			return "tele/" + d.cfg.Topic + "/LWT", []byte("Online")
		}
		return "tele/" + d.cfg.Topic + "/LWT", []byte("Offline")
	}
	return d.cfg.Topic + "/online", []byte(strconv.FormatBool(online))
}

// receive handles a command or an RPC request.
func (d *SimDevice) receive(topic string, payload []byte) {
	d.mu.Lock()
	deaf := d.deaf
	d.mu.Unlock()
	if deaf {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if d.cfg.Family == domain.FamilyTasmota {
		want := "cmnd/" + d.cfg.Topic + "/" + powerName(d.cfg.Channel)
		if !strings.EqualFold(topic, want) && !(d.cfg.Channel == 1 && strings.EqualFold(topic, "cmnd/"+d.cfg.Topic+"/POWER1")) {
			return
		}
		switch strings.ToUpper(strings.TrimSpace(string(payload))) {
		case "":
		case "ON", "1":
			d.set(true)
		case "OFF", "0":
			d.set(false)
		case "TOGGLE", "2":
			d.mu.Lock()
			d.on = !d.on
			d.mu.Unlock()
		default:
			return
		}
		d.publishState(ctx, "", true)
		return
	}
	var req rpcRequest
	if json.Unmarshal(payload, &req) != nil || req.Src == "" {
		return
	}
	reply := map[string]any{"id": req.ID, "src": d.cfg.Topic, "dst": req.Src}
	switch req.Method {
	case "Switch.Set":
		on, _ := req.Params["on"].(bool)
		was := d.set(on)
		reply["result"] = map[string]any{"was_on": was}
		if was != on {
			d.publishState(ctx, "MQTT", true)
		}
	case "Switch.GetStatus":
		d.mu.Lock()
		on := d.on
		d.mu.Unlock()
		reply["result"] = map[string]any{"id": d.cfg.Channel, "source": "MQTT", "output": on}
	default:
		reply["error"] = map[string]any{"code": 404, "message": "No handler for " + req.Method}
	}
	b, _ := json.Marshal(reply)
	d.publish(ctx, req.Src+"/rpc", b, false)
}

func (d *SimDevice) set(on bool) (was bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	was, d.on = d.on, on
	return was
}

// publishState reports the relay the way the family does: Tasmota on
// stat/<topic>/RESULT and stat/<topic>/POWER (tele/STATE at start), Shelly with
// NotifyStatus and status/switch:<n> (only the status at start).
func (d *SimDevice) publishState(ctx context.Context, source string, change bool) {
	d.mu.Lock()
	on := d.on
	d.mu.Unlock()
	if d.cfg.Family == domain.FamilyTasmota {
		v := "OFF"
		if on {
			v = "ON"
		}
		key := powerName(d.cfg.Channel)
		b, _ := json.Marshal(map[string]string{key: v})
		if !change {
			d.publish(ctx, "tele/"+d.cfg.Topic+"/STATE", b, false)
			return
		}
		d.publish(ctx, "stat/"+d.cfg.Topic+"/RESULT", b, false)
		d.publish(ctx, "stat/"+d.cfg.Topic+"/"+key, []byte(v), false)
		return
	}
	status := map[string]any{"id": d.cfg.Channel, "source": source, "output": on}
	if change {
		b, _ := json.Marshal(map[string]any{"src": d.cfg.Topic, "dst": d.cfg.Topic + "/events", "method": "NotifyStatus",
			"params": map[string]any{"ts": float64(time.Now().UnixMilli()) / 1000, "switch:" + strconv.Itoa(d.cfg.Channel): status}})
		d.publish(ctx, d.cfg.Topic+"/events/rpc", b, false)
	}
	b, _ := json.Marshal(status)
	d.publish(ctx, d.cfg.Topic+"/status/switch:"+strconv.Itoa(d.cfg.Channel), b, false)
}

func (d *SimDevice) publish(ctx context.Context, topic string, payload []byte, retain bool) {
	if _, err := d.cm.Publish(ctx, &paho.Publish{Topic: topic, Payload: payload, QoS: 1, Retain: retain}); err != nil {
		d.log.Debug("sim: publish", "topic", topic, "err", err)
	}
}

// Press presses the device's button: the relay flips and the device reports it,
// a change the server did not command.
func (d *SimDevice) Press(ctx context.Context) {
	d.mu.Lock()
	d.on = !d.on
	d.mu.Unlock()
	d.publishState(ctx, "button", true)
}

// On reports the relay's state.
func (d *SimDevice) On() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.on
}

// SetDeaf makes the device ignore (true) or obey (false) commands and queries.
func (d *SimDevice) SetDeaf(deaf bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.deaf = deaf
}

// GoOffline drops the device's connection without a goodbye, so that the broker
// publishes its last will, and keeps it from reconnecting until GoOnline.
func (d *SimDevice) GoOffline() {
	d.mu.Lock()
	d.offline = true
	c := d.conn
	d.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// GoOnline lets the device reconnect; it returns once it has announced itself.
func (d *SimDevice) GoOnline(ctx context.Context) error {
	d.mu.Lock()
	d.offline = false
	d.mu.Unlock()
	return d.WaitOnline(ctx)
}

// Config returns the device's configuration.
func (d *SimDevice) Config() SimConfig { return d.cfg }

// Close disconnects the device for good, without a goodbye: the broker sends
// its last will.
func (d *SimDevice) Close() {
	d.GoOffline()
	d.cancel()
	<-d.cm.Done()
}
