package switches

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// shellySim emulates a Shelly Plus 1 (Gen2, firmware 1.x) with MQTT set up as
// Portico asks (prefix = the switch's topic, rpc_ntf and status_ntf on). The
// Gen2 firmware is closed; what it does comes from:
//
//   - its documentation, shelly-api-docs.shelly.cloud/gen2: ComponentsAndServices/Mqtt
//     (rpc_ntf, status_ntf, enable_control, QoS 1, <topic_prefix>/online),
//     General/RPCProtocol and RPCChannels (frames, replies to <src>/rpc),
//     General/Notifications (NotifyStatus, NotifyFullStatus on <prefix>/events/rpc),
//     ComponentsAndServices/Switch (Switch.Set → {"was_on":…}, the status object);
//   - the Mongoose OS MQTT library the firmware is built on,
//     mongoose-os-libs/mqtt src/mgos_mqtt_conn.c (mgos_mqtt_ev: on CONNACK the
//     subscriptions, one SUBSCRIBE each, then the connect handlers; PUBACK before
//     a topic handler runs; mgos_mqtt_conn_get_packet_id: one packet id counter
//     for the device's life; keep_alive 60 and will_retain in mos.yml), and
//     Mongoose's mqtt_handler (PINGREQ once nothing was sent for the keepalive);
//   - packets logged from real Plus devices by an MQTT broker (ioBroker.shelly
//     issue #813): CONNECT with keepalive 60 and the will "false" retained at
//     QoS 0; SUBSCRIBEs at QoS 1 to <prefix>/rpc, <prefix>/command/sys,
//     <prefix>/command, shellies/command, <prefix>/command/switch:<id>; then
//     <prefix>/online "true" at QoS 1, the status of every component on
//     <prefix>/status/<component>, NotifyFullStatus, NotifyStatus of mqtt
//     connected; and the Switch.Set error -105 "Argument 'id', value 1 not found!"
//     reported from a Shelly Pro 1 (jisotalo/shelly-porssisahko issue #53).
//
// So a Shelly, unlike a Tasmota, reports its full state on every connection.
// Not emulated: the QoS 1 queue that Mongoose replays after a reconnect (a
// press while away is reported by the next full status instead), NotifyEvent
// of the input's button events, periodic sys and temperature notifications,
// methods other than Switch.Set, Switch.Toggle, Switch.GetStatus,
// Shelly.GetStatus and Shelly.GetDeviceInfo (answered "No handler", as the
// firmware answers a method it does not have).
type shellySim struct {
	d         *SimDevice
	prefix    string
	devID     string
	clientID  string
	mac       [6]byte
	switches  int
	keepAlive time.Duration
	rpcNtf    bool
	statusNtf bool
	bootedAt  time.Time

	packetID uint16   // mgos_mqtt_conn's packet_id
	sources  []string // each switch's "source": what last changed it
}

var shellyDeviceID = regexp.MustCompile(`^shellyplus1-([0-9a-f]{12})$`)

func newShelly(d *SimDevice) *shellySim {
	cfg := d.cfg
	s := &shellySim{d: d, prefix: cfg.Topic, switches: cfg.Relays, rpcNtf: !cfg.NoRPCNotifications,
		statusNtf: !cfg.NoStatusNotifications, bootedAt: time.Now()}
	// A prefix left at its default is the device id, shellyplus1-<mac>.
	if m := shellyDeviceID.FindStringSubmatch(cfg.Topic); m != nil {
		b, _ := hex.DecodeString(m[1])
		copy(s.mac[:], b)
	} else {
		s.mac = simMAC([3]byte{0xA8, 0x03, 0x2A}, cfg.Family, cfg.Topic) // an Espressif prefix Shelly uses
	}
	s.devID = "shellyplus1-" + hex.EncodeToString(s.mac[:])
	s.clientID = cfg.ClientID
	if s.clientID == "" {
		s.clientID = s.devID // mgos: client_id defaults to device.id
	}
	s.keepAlive = cfg.KeepAlive
	if s.keepAlive <= 0 {
		s.keepAlive = 60 * time.Second // mqtt.keep_alive
	}
	s.keepAlive = wholeSeconds(s.keepAlive)
	for range s.switches {
		s.sources = append(s.sources, "init")
	}
	return s
}

// connectPacket is mgos_mqtt_ev's MG_EV_CONNECT: the client id, user and
// password, a clean session, keep_alive, and the will <prefix>/online "false",
// retained, at QoS 0.
func (s *shellySim) connectPacket() connectPacket {
	cfg := s.d.cfg
	return connectPacket{
		clientID: s.clientID, username: cfg.Username, password: cfg.Password,
		willTopic: s.prefix + "/online", willPayload: []byte("false"), willRetain: true,
		cleanSession: true, keepAlive: uint16(s.keepAlive / time.Second),
	}
}

// connackTimeout bounds the wait for CONNACK; Mongoose has no bound of its own.
func (s *shellySim) connackTimeout() time.Duration { return 10 * time.Second }

func (s *shellySim) nextPacketID() uint16 {
	s.packetID++
	if s.packetID == 0 {
		s.packetID = 1
	}
	return s.packetID
}

// connected is the same on every connection: the subscriptions, then
// "online", then the full state.
func (s *shellySim) connected(l *simLoop, _ bool) {
	for _, f := range s.subscriptions() {
		l.subscribe(s.nextPacketID(), f, 1)
	}
	s.pub(l, s.prefix+"/online", "true", true)
	if s.statusNtf {
		s.publishStatuses(l)
	}
	if s.rpcNtf {
		s.notify(l, "NotifyFullStatus", s.fullStatus(l))
		s.notify(l, "NotifyStatus", `"mqtt":{"connected":true}`)
	}
}

func (s *shellySim) subscriptions() []string {
	f := []string{s.prefix + "/rpc", s.prefix + "/command/sys", s.prefix + "/command", "shellies/command"}
	for i := range s.switches {
		f = append(f, s.prefix+"/command/switch:"+strconv.Itoa(i))
	}
	return f
}

// pub publishes at QoS 1, the firmware's only QoS, while connected.
func (s *shellySim) pub(l *simLoop, topic, payload string, retain bool) {
	if l.connected() {
		l.publish(topic, []byte(payload), 1, retain, false, s.nextPacketID())
	}
}

// notify sends a notification frame to <prefix>/events/rpc; params are the
// members after "ts".
func (s *shellySim) notify(l *simLoop, method, params string) {
	s.pub(l, s.prefix+"/events/rpc", fmt.Sprintf(`{"src":"%s","dst":"%s/events","method":"%s","params":{"ts":%s,%s}}`,
		s.devID, s.prefix, method, shellyTS(), params), false)
}

func shellyTS() string { return fmt.Sprintf("%.2f", float64(time.Now().UnixMilli())/1000) }

// The components of a Plus 1 in Shelly.GetStatus order, with their status
// objects (spacing as the firmware prints them).
func (s *shellySim) components(l *simLoop) [][2]string {
	c := [][2]string{{"ble", "{}"}, {"cloud", `{"connected":false}`}}
	for i := range s.switches {
		c = append(c, [2]string{"input:" + strconv.Itoa(i), fmt.Sprintf(`{"id":%d,"state":null}`, i)})
	}
	c = append(c, [2]string{"mqtt", `{"connected":true}`})
	for i := range s.switches {
		c = append(c, [2]string{"switch:" + strconv.Itoa(i), s.switchStatus(i)})
	}
	now := time.Now()
	c = append(c,
		[2]string{"sys", fmt.Sprintf(`{"mac":"%s","restart_required":false,"time":"%s","unixtime":%d,"uptime":%d,"ram_size":246680,"ram_free":146384,"fs_size":458752,"fs_free":135168,"cfg_rev":12,"kvs_rev":0,"schedule_rev":0,"webhook_rev":0,"available_updates":{}}`,
			strings.ToUpper(hex.EncodeToString(s.mac[:])), now.Format("15:04"), now.Unix(), int(now.Sub(s.bootedAt).Seconds()))},
		[2]string{"wifi", `{"sta_ip":"` + s.ip(l) + `","status":"got ip","ssid":"portico","rssi":-58}`},
		[2]string{"ws", `{"connected":false}`})
	return c
}

func (s *shellySim) fullStatus(l *simLoop) string {
	var parts []string
	for _, c := range s.components(l) {
		parts = append(parts, `"`+c[0]+`":`+c[1])
	}
	return strings.Join(parts, ",")
}

// switchStatus is Switch.GetStatus of a Plus 1: no power metering, a
// temperature sensor.
func (s *shellySim) switchStatus(i int) string {
	return fmt.Sprintf(`{"id":%d, "source":"%s", "output":%t, "temperature":{"tC":45.3, "tF":113.5}}`, i, s.sources[i], s.d.relay(i))
}

func (s *shellySim) ip(l *simLoop) string {
	if l != nil && l.conn != nil {
		if h, _, err := net.SplitHostPort(l.conn.LocalAddr().String()); err == nil {
			return h
		}
	}
	return "192.168.1.51"
}

// publishStatuses sends every component's status to <prefix>/status/<component>.
func (s *shellySim) publishStatuses(l *simLoop) {
	for _, c := range s.components(l) {
		s.pub(l, s.prefix+"/status/"+c[0], c[1], false)
	}
}

// publishReceived acknowledges a QoS 1 message before handling it, as
// mgos_mqtt_ev's call_topic_handler does.
func (s *shellySim) publishReceived(l *simLoop, m publishMsg) {
	if m.qos > 0 {
		l.write(encodeAck(mqttPuback, m.pid))
	}
	if s.d.isDeaf() {
		return
	}
	switch {
	case m.topic == s.prefix+"/rpc":
		s.rpc(l, m.payload)
	case m.topic == s.prefix+"/command":
		if strings.TrimSpace(string(m.payload)) == "status_update" {
			s.publishStatuses(l)
		}
	case strings.HasPrefix(m.topic, s.prefix+"/command/switch:"):
		i, err := strconv.Atoi(strings.TrimPrefix(m.topic, s.prefix+"/command/switch:"))
		if err != nil || i < 0 || i >= s.switches {
			return
		}
		switch strings.TrimSpace(string(m.payload)) {
		case "on":
			s.set(l, i, true, "MQTT")
		case "off":
			s.set(l, i, false, "MQTT")
		case "toggle":
			s.set(l, i, !s.d.relay(i), "MQTT")
		case "status_update":
			s.pub(l, s.prefix+"/status/switch:"+strconv.Itoa(i), s.switchStatus(i), false)
		}
	}
}

// rpc answers a request frame on <prefix>/rpc with a response frame on
// <src>/rpc. A frame without src cannot be answered and is dropped.
func (s *shellySim) rpc(l *simLoop, payload []byte) {
	var req struct {
		ID     json.RawMessage            `json:"id"`
		Src    string                     `json:"src"`
		Method string                     `json:"method"`
		Params map[string]json.RawMessage `json:"params"`
	}
	if json.Unmarshal(payload, &req) != nil || req.Src == "" {
		return
	}
	id := string(req.ID)
	if id == "" {
		id = "0"
	}
	dst, _ := json.Marshal(req.Src)
	reply := func(result string) {
		s.pub(l, req.Src+"/rpc", fmt.Sprintf(`{"id":%s,"src":"%s","dst":%s,"result":%s}`, id, s.devID, dst, result), false)
	}
	fail := func(code int, msg string) {
		m, _ := json.Marshal(msg)
		s.pub(l, req.Src+"/rpc", fmt.Sprintf(`{"id":%s,"src":"%s","dst":%s,"error":{"code":%d,"message":%s}}`, id, s.devID, dst, code, m), false)
	}
	// switchID reads params.id: -103 when missing, -105 for a switch the
	// device does not have.
	switchID := func() (int, bool) {
		raw, ok := req.Params["id"]
		if !ok {
			fail(-103, "Argument 'id' is missing")
			return 0, false
		}
		var i int
		if json.Unmarshal(raw, &i) != nil || i < 0 || i >= s.switches {
			fail(-105, fmt.Sprintf("Argument 'id', value %s not found!", raw))
			return 0, false
		}
		return i, true
	}
	switch strings.ToLower(req.Method) {
	case "switch.set":
		i, ok := switchID()
		if !ok {
			return
		}
		var on bool
		raw, ok := req.Params["on"]
		if !ok || json.Unmarshal(raw, &on) != nil {
			fail(-103, "Argument 'on' is missing")
			return
		}
		was := s.d.relay(i)
		reply(fmt.Sprintf(`{"was_on":%t}`, was))
		s.set(l, i, on, "MQTT")
	case "switch.toggle":
		i, ok := switchID()
		if !ok {
			return
		}
		was := s.d.relay(i)
		reply(fmt.Sprintf(`{"was_on":%t}`, was))
		s.set(l, i, !was, "MQTT")
	case "switch.getstatus":
		if i, ok := switchID(); ok {
			reply(s.switchStatus(i))
		}
	case "shelly.getstatus":
		reply("{" + s.fullStatus(l) + "}")
	case "shelly.getdeviceinfo":
		reply(fmt.Sprintf(`{"name":null,"id":"%s","mac":"%s","slot":0,"model":"SNSW-001X16EU","gen":2,"fw_id":"20241011-114455/1.4.4-g6d2a586","ver":"1.4.4","app":"Plus1","auth_en":false,"auth_domain":null}`,
			s.devID, strings.ToUpper(hex.EncodeToString(s.mac[:]))))
	default:
		fail(404, "No handler for "+req.Method)
	}
}

// set switches output i. A change is notified: NotifyStatus with what changed
// (rpc_ntf), then the whole status (status_ntf), in the order devices were
// logged sending them. Neither the documentation nor the logs say how they
// stand to the reply of the request that caused them; since the firmware
// coalesces changes into one notification (deltas such as
// {"apower":…,"current":…}), the emulation sends them after the reply.
func (s *shellySim) set(l *simLoop, i int, on bool, source string) {
	if s.d.setRelayAt(i, on) == on {
		return
	}
	s.sources[i] = source
	if s.rpcNtf {
		s.notify(l, "NotifyStatus", fmt.Sprintf(`"switch:%d":{"id":%d,"output":%t,"source":"%s"}`, i, i, on, source))
	}
	if s.statusNtf {
		s.pub(l, s.prefix+"/status/switch:"+strconv.Itoa(i), s.switchStatus(i), false)
	}
}

// acked needs nothing: no QoS 1 queue is kept (see the type's comment).
func (s *shellySim) acked(*simLoop, mqttPacket) {}

// ping is Mongoose's MG_EV_POLL: a PINGREQ once nothing was sent for the
// keepalive. Mongoose does not watch for the PINGRESP.
func (s *shellySim) ping(l *simLoop, now time.Time) {
	if now.Sub(l.lastOut) > s.keepAlive {
		l.write(encodePingreq())
	}
}

// press is a press of the switch's input set up as a button (type button,
// in_mode momentary): the output flips with source "button".
func (s *shellySim) press(l *simLoop) {
	i := s.d.relayIndex()
	if i < 0 {
		return
	}
	s.set(l, i, !s.d.relay(i), "button")
}

func (s *shellySim) everySecond(*simLoop) {}
