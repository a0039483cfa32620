package switches

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// tasmotaSim emulates Tasmota 14 (ESP8266, default settings, FullTopic
// %prefix%/%topic%/) on the wire. References are to the firmware's sources:
//
//   - tasmota/tasmota_xdrv_driver/xdrv_02_9_mqtt.ino: MqttReconnect,
//     MqttConnected, MqttDataHandler, MqttPublishPowerState, MqttCheck.
//   - lib/default/pubsubclient-2.8.13/src/PubSubClient.cpp: the MQTT client
//     (connect, loop, publish, subscribe, disconnect).
//   - tasmota/tasmota_support/support_command.ino: CommandHandler, CmndPower.
//   - tasmota/tasmota_support/support_tasmota.ino: ExecuteCommandPower,
//     SetAllPower, MqttShowState, GetTopic_P, PerformEverySecond.
//   - tasmota/tasmota_support/support.ino: DecodeCommand, GetStateNumber.
//   - tasmota/tasmota_xdrv_driver/xdrv_12_discovery.ino: Tasmota discovery.
//   - tasmota/my_user_config.h: MQTT_KEEPALIVE 30, MQTT_SOCKET_TIMEOUT 4,
//     MQTT_CLIENT_ID "DVES_%06X", MQTT_GRPTOPIC "tasmotas", TELE_PERIOD 300.
//
// Not emulated: commands other than POWER and STATE (the firmware knows
// hundreds; here they are answered as unknown), the relay's blinking after
// POWER BLINK, TelePeriod's tele/<topic>/SENSOR (a plain relay has no sensor).
type tasmotaSim struct {
	d          *SimDevice
	topic      string
	client     string // TasmotaGlobal.mqtt_client
	mac        [6]byte
	hostname   string
	keepAlive  time.Duration
	telePeriod int // Settings->tele_period in seconds; 0 off
	relays     int // TasmotaGlobal.devices_present

	nextMsgID       uint16 // PubSubClient::nextMsgId
	pingOutstanding bool   // PubSubClient::pingOutstanding

	connectCount int    // Mqtt.connect_count
	uptime       int    // TasmotaGlobal.uptime
	tele         int    // TasmotaGlobal.tele_period, the TelePeriod counter
	discovery    int    // TasmotaGlobal.discovery_counter
	fallback     bool   // TasmotaGlobal.fallback_topic_flag, while a command on the fallback topic runs
	blinking     []bool // TasmotaGlobal.blink_mask
}

// tasmotaVersion is what the emulation says it runs: TasmotaGlobal.version and
// image_name of a release build.
const tasmotaVersion = "14.1.0"

func newTasmota(d *SimDevice) *tasmotaSim {
	cfg := d.cfg
	t := &tasmotaSim{d: d, topic: cfg.Topic, relays: cfg.Relays, blinking: make([]bool, cfg.Relays)}
	// 84:F3:EB is one of Espressif's prefixes, common on Sonoff devices.
	t.mac = simMAC([3]byte{0x84, 0xF3, 0xEB}, cfg.Family, cfg.Topic)
	// MQTT_CLIENT_ID "DVES_%06X": Format() puts the last six hex digits of the MAC.
	t.client = cfg.ClientID
	if t.client == "" {
		t.client = fmt.Sprintf("DVES_%02X%02X%02X", t.mac[3], t.mac[4], t.mac[5])
	}
	// WIFI_HOSTNAME "%s-%04d": the topic and the chip id & 0x1FFF, with dashes for
	// the underscores a host name cannot have.
	chip := int(t.mac[3])<<16 | int(t.mac[4])<<8 | int(t.mac[5])
	t.hostname = strings.ReplaceAll(fmt.Sprintf("%s-%04d", cfg.Topic, chip&0x1fff), "_", "-")
	t.keepAlive = cfg.KeepAlive
	if t.keepAlive <= 0 {
		t.keepAlive = 30 * time.Second // MQTT_KEEPALIVE
	}
	t.keepAlive = wholeSeconds(t.keepAlive)
	switch {
	case cfg.TelePeriod == 0:
		t.telePeriod = 300 // TELE_PERIOD
	case cfg.TelePeriod > 0:
		t.telePeriod = int(wholeSeconds(cfg.TelePeriod) / time.Second)
	}
	return t
}

// wholeSeconds rounds up to a whole number of seconds, at least one: the MQTT
// keepalive and the firmware's timers count in seconds.
func wholeSeconds(d time.Duration) time.Duration {
	s := (d + time.Second - 1) / time.Second
	return max(s, 1) * time.Second
}

// connectPacket is MqttReconnect's MqttClient.connect: the client id, the user
// and password (each left out when empty), the will tele/<topic>/LWT "Offline"
// with QoS 1 and retained (SetOption104 off), a clean session
// (flag5.mqtt_persistent off) and the keepalive.
func (t *tasmotaSim) connectPacket() connectPacket {
	cfg := t.d.cfg
	return connectPacket{
		clientID: t.client, username: cfg.Username, password: cfg.Password,
		willTopic: "tele/" + t.topic + "/LWT", willPayload: []byte("Offline"), willQoS: 1, willRetain: true,
		cleanSession: true, keepAlive: uint16(t.keepAlive / time.Second),
	}
}

// connackTimeout is MQTT_SOCKET_TIMEOUT, how long PubSubClient::connect waits.
func (t *tasmotaSim) connackTimeout() time.Duration { return 4 * time.Second }

// connected is MqttConnected. Every connection: the retained LWT "Online", then
// an empty cmnd/<topic>/POWER (SetOption90 off: "Satisfy iobroker (#299)"), and
// only then the subscriptions to the device's, the group's and the fallback
// topic. Only the first connection after power-up (initial_connection_state)
// goes on to INFO1-3 and the power state; a reconnect says nothing of the
// relays: a server that wants the state after it must ask.
func (t *tasmotaSim) connected(l *simLoop, first bool) {
	now := time.Now()
	l.lastIn, l.lastOut = now, now // PubSubClient::connect
	t.nextMsgID = 1
	t.pingOutstanding = false
	t.connectCount++

	t.pub(l, "tele/"+t.topic+"/LWT", "Online", true)
	t.pub(l, "cmnd/"+t.topic+"/POWER", "", false)
	t.sub(l, "cmnd/"+t.topic+"/#")
	// FullTopic holds %topic%, so the group topic and the fallback topic too.
	t.sub(l, "cmnd/tasmotas/#")
	t.sub(l, "cmnd/"+t.client+"_fb/#")
	// XdrvCall(FUNC_MQTT_SUBSCRIBE): xdrv_12_discovery rediscovers after a
	// reconnect, a second later.
	if !first {
		t.discovery = 1
	}
	if !first {
		return
	}
	t.pub(l, "tele/"+t.topic+"/INFO1", fmt.Sprintf(`{"Info1":{"Module":"%s","Version":"%s(release-tasmota)","FallbackTopic":"cmnd/%s_fb/","GroupTopic":"cmnd/tasmotas/"}}`,
		t.module(), tasmotaVersion, t.client), false)
	t.pub(l, "tele/"+t.topic+"/INFO2", fmt.Sprintf(`{"Info2":{"WebServerMode":"Admin","Hostname":"%s","IPAddress":"%s"}}`,
		t.hostname, t.ip(l)), false)
	t.pub(l, "tele/"+t.topic+"/INFO3", `{"Info3":{"RestartReason":"Power On","BootCount":1}}`, false)
	for i := 1; i <= t.relays; i++ { // MqttPublishAllPowerState
		t.publishPowerState(l, i)
	}
	if t.telePeriod > 0 {
		t.tele = t.telePeriod - 5 // "Enable TelePeriod in 5 seconds"
	}
	t.discovery = 10 // FUNC_MQTT_INIT: TasDiscoverInit
}

func (t *tasmotaSim) module() string {
	switch t.relays {
	case 1:
		return "Sonoff Basic"
	case 2:
		return "Sonoff Dual R2"
	case 4:
		return "Sonoff 4CH"
	}
	return "Generic"
}

// ip is the device's address as the broker sees it.
func (t *tasmotaSim) ip(l *simLoop) string {
	if l.conn != nil {
		if h, _, err := net.SplitHostPort(l.conn.LocalAddr().String()); err == nil {
			return h
		}
	}
	return "0.0.0.0"
}

// pub is MqttPublishPayload: QoS 0 always (PubSubClient publishes nothing
// else), and nothing at all while disconnected (MqttPublishLib fails).
func (t *tasmotaSim) pub(l *simLoop, topic, payload string, retain bool) {
	if l.connected() {
		l.publish(topic, []byte(payload), 0, retain, false, 0)
	}
}

// sub is MqttSubscribe: PubSubClient::subscribe with QoS 0 and the next
// message id (PubSubClient::connect sets it to 1, subscribe increments first).
func (t *tasmotaSim) sub(l *simLoop, filter string) {
	t.nextMsgID++
	if t.nextMsgID == 0 {
		t.nextMsgID = 1
	}
	l.subscribe(t.nextMsgID, filter, 0)
}

// publishReceived is PubSubClient::loop's PUBLISH branch: the callback
// (MqttDataHandler) runs first, the PUBACK of a QoS 1 message goes after it. A
// QoS 2 message is taken for QoS 0 with its packet id read as payload, and not
// acknowledged. (Tasmota subscribes with QoS 0, so brokers send QoS 0.)
func (t *tasmotaSim) publishReceived(l *simLoop, m publishMsg) {
	payload := m.payload
	if m.qos == 2 {
		payload = append(binary.BigEndian.AppendUint16(nil, m.pid), payload...)
	}
	t.dataHandler(l, m.topic, payload)
	if m.qos == 1 {
		l.write(encodeAck(mqttPuback, m.pid))
	}
}

// dataHandler is MqttDataHandler.
func (t *tasmotaSim) dataHandler(l *simLoop, topic string, payload []byte) {
	if len(payload) >= 1200 { // MQTT_MAX_PACKET_SIZE
		return
	}
	if t.d.isDeaf() {
		return
	}
	t.commandHandler(l, topic, string(payload))
}

// commandHandler is CommandHandler: the command is the topic's last level,
// upper-cased, with a trailing number as its index (1 if none); the answer goes
// to stat/<topic>/RESULT (SetOption4 off), {"Command":"Error"} unless the
// command says otherwise, {"Command":"Unknown"} for a command it does not know.
func (t *tasmotaSim) commandHandler(l *simLoop, topic, data string) {
	t.fallback = strings.HasPrefix(topic, "cmnd/"+t.client+"_fb/")
	defer func() { t.fallback = false }()
	typ := strings.ToUpper(topic[strings.LastIndexByte(topic, '/')+1:])
	index := 1
	i := len(typ)
	for i > 0 && typ[i-1] >= '0' && typ[i-1] <= '9' {
		i--
	}
	if i < len(typ) {
		index = atoi(typ[i:])
	}
	typ = typ[:i]
	data = strings.TrimLeft(data, " \t\n\v\f\r")
	payload := -99
	if n, ok := strtol(data); ok {
		payload = n
	}
	if s := stateNumber(data); s > -1 {
		payload = s
	}

	resp := `{"Command":"Error"}`
	switch typ {
	case "POWER":
		resp = t.cmndPower(l, index, payload)
	case "STATE":
		resp = t.showState()
	default:
		resp = `{"Command":"Unknown"}`
	}
	if resp != "" {
		t.pub(l, t.topicFor("stat", "RESULT"), resp, false)
	}
}

// cmndPower is CmndPower. It answers on its own and returns "", except for a
// relay the device does not have, where the CommandHandler's default
// {"Command":"Error"} stays.
func (t *tasmotaSim) cmndPower(l *simLoop, index, payload int) string {
	const showState = 16 // POWER_SHOW_STATE
	switch {
	case index > 0 && index <= t.relays:
		if payload < 0 || payload > 4 { // POWER_OFF … POWER_BLINK_STOP
			payload = showState
		}
		t.executeCommandPower(l, index, payload)
		return ""
	case index == 0:
		if payload < 0 || payload > 2 {
			payload = showState
		}
		t.setAllPower(l, payload)
		return ""
	}
	return `{"Command":"Error"}`
}

// executeCommandPower is ExecuteCommandPower for states 0 (off), 1 (on),
// 2 (toggle), 3 (blink), 4 (blink off) and 16 (show the state).
func (t *tasmotaSim) executeCommandPower(l *simLoop, device, state int) {
	if device < 1 || device > t.relays {
		device = 1
	}
	i := device - 1
	switch state {
	case 0, 1, 2:
		if t.blinking[i] {
			t.blinking[i] = false
			t.publishBlinkState(l, device)
		}
		on := state == 1
		if state == 2 {
			on = !t.d.relay(i)
		}
		t.d.setRelayAt(i, on)
	case 3:
		t.blinking[i] = true
		t.publishBlinkState(l, device)
		return
	case 4:
		was := t.blinking[i]
		t.blinking[i] = false
		t.publishBlinkState(l, device)
		if was { // the state before the blinking is restored and published
			t.publishPowerState(l, device)
		}
		return
	}
	t.publishPowerState(l, device)
}

// setAllPower is SetAllPower: every relay, then MqttPublishAllPowerState.
func (t *tasmotaSim) setAllPower(l *simLoop, state int) {
	if state <= 2 {
		for i := 0; i < t.relays; i++ {
			on := state == 1
			if state == 2 {
				on = !t.d.relay(i)
			}
			t.d.setRelayAt(i, on)
		}
	}
	for i := 1; i <= t.relays; i++ {
		t.publishPowerState(l, i)
	}
}

// publishPowerState is MqttPublishPowerState: stat/<topic>/RESULT
// {"POWER":"ON"}, then stat/<topic>/POWER ON (SetOption90 off; PowerRetain off).
func (t *tasmotaSim) publishPowerState(l *simLoop, device int) {
	if device < 1 || device > t.relays {
		device = 1
	}
	key, v := t.powerDevice(device), stateText(t.d.relay(device-1))
	t.pub(l, t.topicFor("stat", "RESULT"), fmt.Sprintf(`{"%s":"%s"}`, key, v), false)
	t.pub(l, t.topicFor("stat", key), v, false)
}

// publishBlinkState is MqttPublishPowerBlinkState.
func (t *tasmotaSim) publishBlinkState(l *simLoop, device int) {
	t.pub(l, t.topicFor("stat", "RESULT"), fmt.Sprintf(`{"%s":"Blink %s"}`, t.powerDevice(device), stateText(t.blinking[device-1])), false)
}

// powerDevice is GetPowerDevice: POWER on a one-relay device, POWER<n> otherwise
// (SetOption26 off).
func (t *tasmotaSim) powerDevice(device int) string {
	if t.relays > 1 {
		return "POWER" + strconv.Itoa(device)
	}
	return "POWER"
}

// topicFor is GetTopic_P: <prefix>/<topic>/<subtopic>, or
// <prefix>/<mqtt client>_fb/<subtopic> while a command on the fallback topic runs.
func (t *tasmotaSim) topicFor(prefix, subtopic string) string {
	if t.fallback {
		return prefix + "/" + t.client + "_fb/" + subtopic
	}
	return prefix + "/" + t.topic + "/" + subtopic
}

// stateText is GetStateText with the default StateText1 and StateText2.
func stateText(on bool) string {
	if on {
		return "ON"
	}
	return "OFF"
}

// showState is MqttShowState, as tele/<topic>/STATE and the STATE command carry it.
func (t *tasmotaSim) showState() string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"Time":"%s","Uptime":"%s","UptimeSec":%d,"Heap":25,"SleepMode":"Dynamic","Sleep":50,"LoadAvg":19,"MqttCount":%d`,
		time.Now().Format("2006-01-02T15:04:05"), uptimeText(t.uptime), t.uptime, t.connectCount)
	for i := 1; i <= t.relays; i++ {
		fmt.Fprintf(&b, `,"%s":"%s"`, t.powerDevice(i), stateText(t.d.relay(i-1)))
	}
	fmt.Fprintf(&b, `,"Wifi":{"AP":1,"SSId":"portico","BSSId":"30:B5:C2:%02X:%02X:%02X","Channel":6,"Mode":"11n","RSSI":100,"Signal":-46,"LinkCount":1,"Downtime":"0T00:00:03"}}`,
		t.mac[3], t.mac[4], t.mac[5])
	return b.String()
}

// uptimeText is GetUptime: days, T, then hh:mm:ss.
func uptimeText(s int) string {
	return fmt.Sprintf("%dT%02d:%02d:%02d", s/86400, s/3600%24, s/60%60, s%60)
}

// acked clears the outstanding ping on PINGRESP.
func (t *tasmotaSim) acked(_ *simLoop, p mqttPacket) {
	if p.kind == mqttPingresp {
		t.pingOutstanding = false
	}
}

// ping is PubSubClient::loop: once nothing was read or written for the
// keepalive, a PINGREQ; if the one before is still unanswered, the TCP
// connection is closed instead (MQTT_CONNECTION_TIMEOUT) and MqttCheck
// reconnects.
func (t *tasmotaSim) ping(l *simLoop, now time.Time) {
	if now.Sub(l.lastIn) <= t.keepAlive && now.Sub(l.lastOut) <= t.keepAlive {
		return
	}
	if t.pingOutstanding {
		l.lost(errors.New("no PINGRESP within the keepalive"))
		return
	}
	if l.write(encodePingreq()) {
		l.lastIn = now
	}
	t.pingOutstanding = true
}

// press is a short press of the relay's button with ButtonTopic 0: the button
// handler toggles its relay through ExecuteCommandPower (SRC_BUTTON), which
// reports as a POWER command does, or says nothing while disconnected.
func (t *tasmotaSim) press(l *simLoop) {
	i := t.d.relayIndex()
	if i < 0 {
		return // no such button
	}
	t.executeCommandPower(l, i+1, 2)
}

// everySecond is PerformEverySecond's TelePeriod and xdrv_12_discovery's
// FUNC_EVERY_SECOND.
func (t *tasmotaSim) everySecond(l *simLoop) {
	t.uptime++
	if t.telePeriod > 0 {
		t.tele++
		if t.tele >= t.telePeriod {
			t.tele = 0
			t.pub(l, "tele/"+t.topic+"/STATE", t.showState(), false) // MqttPublishTeleState; StateRetain off
		}
	}
	if t.discovery > 0 {
		t.discovery--
		if t.discovery == 0 {
			t.discover(l)
		}
	}
}

// discover is TasDiscovery: the retained tasmota/discovery/<MAC>/config and
// …/sensors (TasDiscoverMessage; the arrays' lengths are those of an ESP8266
// build).
func (t *tasmotaSim) discover(l *simLoop) {
	mac := fmt.Sprintf("%02X%02X%02X%02X%02X%02X", t.mac[0], t.mac[1], t.mac[2], t.mac[3], t.mac[4], t.mac[5])
	var b strings.Builder
	fmt.Fprintf(&b, `{"ip":"%s","dn":"Tasmota","fn":[`, t.ip(l))
	for i := 0; i < 8; i++ { // MAX_FRIENDLYNAMES
		if i > 0 {
			b.WriteString(",")
		}
		switch {
		case i == 0:
			b.WriteString(`"Tasmota"`)
		case i < t.relays:
			fmt.Fprintf(&b, `"Tasmota%d"`, i+1)
		default:
			b.WriteString("null")
		}
	}
	fmt.Fprintf(&b, `],"hn":"%s","mac":"%s","md":"%s","ty":0,"if":0,"ofln":"Offline","onln":"Online","state":["OFF","ON","TOGGLE","HOLD"],"sw":"%s","t":"%s","ft":"%%prefix%%/%%topic%%/","tp":["cmnd","stat","tele"],"rl":[`,
		t.hostname, mac, t.module(), tasmotaVersion, t.topic)
	for i := 0; i < 28; i++ { // MAX_RELAYS_SET
		if i > 0 {
			b.WriteString(",")
		}
		if i < t.relays {
			b.WriteString("1")
		} else {
			b.WriteString("0")
		}
	}
	b.WriteString(`],"swc":[`)
	b.WriteString(strings.TrimSuffix(strings.Repeat("-1,", 28), ","))
	b.WriteString(`],"swn":[`)
	b.WriteString(strings.TrimSuffix(strings.Repeat("null,", 28), ","))
	b.WriteString(`],"btn":[0,0,0,0,0,0,0,0],"so":{"4":0,"11":0,"13":0,"17":0,"20":0,"30":0,"68":0,"73":0,"82":0,"114":0,"117":0},"lk":0,"lt_st":0,"bat":0,"dslp":0,"sho":[],"sht":[],"ver":1}`)
	t.pub(l, "tasmota/discovery/"+mac+"/config", b.String(), true)
	t.pub(l, "tasmota/discovery/"+mac+"/sensors", fmt.Sprintf(`{"sn":{"Time":"%s"},"ver":1}`, time.Now().Format("2006-01-02T15:04:05")), true)
}

// stateNumber is GetStateNumber: the words the firmware takes for a state, in
// any case, or -1.
func stateNumber(s string) int {
	switch strings.ToUpper(s) {
	case "OFF", "FALSE", "STOP", "CELSIUS", "DOWN", "CLOSE":
		return 0
	case "ON", "TRUE", "START", "FAHRENHEIT", "USER":
		return 1
	case "TOGGLE", "ADMIN":
		return 2
	case "BLINK":
		return 3
	case "BLINKOFF":
		return 4
	case "UP", "OPEN":
		return 100
	case "ALL":
		return 255
	}
	return -1
}

// strtol is C's strtol(s, &p, 0) as CommandHandler uses it: an optional sign,
// then hexadecimal after 0x, octal after 0, decimal otherwise; ok is false when
// no digit was read.
func strtol(s string) (int, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHex(s[2]):
		base, s = 16, s[2:]
	case len(s) > 0 && s[0] == '0':
		base = 8
	}
	n, digits := 0, 0
	for _, c := range []byte(s) {
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'a' && c <= 'f':
			v = int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			v = int(c-'A') + 10
		default:
			v = 99
		}
		if v >= base {
			break
		}
		if n < 1<<31 {
			n = n*base + v
		}
		digits++
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// atoi is C's atoi on a string of digits.
func atoi(s string) int {
	n := 0
	for _, c := range []byte(s) {
		if n < 1<<31 {
			n = n*10 + int(c-'0')
		}
	}
	return n
}
