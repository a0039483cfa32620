package switches

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The simulated devices speak MQTT 3.1.1 on raw packets, as the firmware does:
// both Tasmota (PubSubClient, MQTT_VERSION_3_1_1) and Shelly Gen2 (Mongoose OS
// mg_mqtt) connect with protocol level 4, which the MQTT 5 clients in this
// module cannot. The encoders write exactly the fields the firmware writes.

// MQTT 3.1.1 control packet types.
const (
	mqttConnect     = 1
	mqttConnack     = 2
	mqttPublish     = 3
	mqttPuback      = 4
	mqttPubrec      = 5
	mqttPubrel      = 6
	mqttPubcomp     = 7
	mqttSubscribe   = 8
	mqttSuback      = 9
	mqttUnsubscribe = 10
	mqttUnsuback    = 11
	mqttPingreq     = 12
	mqttPingresp    = 13
	mqttDisconnect  = 14
)

// mqttPacket is one control packet: its type, the flags of its fixed header and
// the rest (variable header and payload).
type mqttPacket struct {
	kind  byte
	flags byte
	body  []byte
}

// maxSimPacket bounds what a simulated device reads: the firmware's buffers are
// smaller still (Tasmota MQTT_MAX_PACKET_SIZE 1200, Mongoose recv_mbuf_limit 3072).
const maxSimPacket = 1 << 16

// readPacket reads one packet.
func readPacket(r *bufio.Reader) (mqttPacket, error) {
	h, err := r.ReadByte()
	if err != nil {
		return mqttPacket{}, err
	}
	n, mult := 0, 1
	for i := 0; ; i++ {
		if i == 4 {
			return mqttPacket{}, errors.New("mqtt: malformed remaining length")
		}
		b, err := r.ReadByte()
		if err != nil {
			return mqttPacket{}, err
		}
		n += int(b&0x7f) * mult
		mult *= 128
		if b&0x80 == 0 {
			break
		}
	}
	if n > maxSimPacket {
		return mqttPacket{}, fmt.Errorf("mqtt: packet of %d bytes is too large", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return mqttPacket{}, err
	}
	return mqttPacket{kind: h >> 4, flags: h & 0x0f, body: body}, nil
}

// frame returns the packet with its fixed header.
func frame(kind, flags byte, body []byte) []byte {
	out := []byte{kind<<4 | flags}
	n := len(body)
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 0x80
		}
		out = append(out, b)
		if n == 0 {
			break
		}
	}
	return append(out, body...)
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// connectPacket holds what a firmware puts in its CONNECT.
type connectPacket struct {
	clientID     string
	username     string // sent only when not empty (both firmwares leave an empty one out)
	password     string // sent only with a username
	willTopic    string
	willPayload  []byte
	willQoS      byte
	willRetain   bool
	cleanSession bool
	keepAlive    uint16 // seconds
}

// encodeConnect writes the CONNECT as PubSubClient::connect and Mongoose's
// mg_send_mqtt_handshake_opt do: protocol name "MQTT", level 4, the flags, the
// keepalive, then client id, will topic and message, username and password.
func encodeConnect(c connectPacket) []byte {
	b := appendString(nil, "MQTT")
	b = append(b, 4)
	var flags byte
	if c.willTopic != "" {
		flags |= 0x04 | c.willQoS<<3
		if c.willRetain {
			flags |= 0x20
		}
	}
	if c.cleanSession {
		flags |= 0x02
	}
	if c.username != "" {
		flags |= 0x80
		if c.password != "" {
			flags |= 0x40
		}
	}
	b = append(b, flags)
	b = binary.BigEndian.AppendUint16(b, c.keepAlive)
	b = appendString(b, c.clientID)
	if c.willTopic != "" {
		b = appendString(b, c.willTopic)
		b = binary.BigEndian.AppendUint16(b, uint16(len(c.willPayload)))
		b = append(b, c.willPayload...)
	}
	if c.username != "" {
		b = appendString(b, c.username)
		if c.password != "" {
			b = appendString(b, c.password)
		}
	}
	return frame(mqttConnect, 0, b)
}

// encodePublish writes a PUBLISH; pid is used only for QoS 1 and 2.
func encodePublish(topic string, payload []byte, qos byte, retain, dup bool, pid uint16) []byte {
	flags := qos << 1
	if retain {
		flags |= 0x01
	}
	if dup {
		flags |= 0x08
	}
	b := appendString(nil, topic)
	if qos > 0 {
		b = binary.BigEndian.AppendUint16(b, pid)
	}
	return frame(mqttPublish, flags, append(b, payload...))
}

// encodeSubscribe writes a SUBSCRIBE of one filter, as both firmwares send them:
// one packet per topic.
func encodeSubscribe(pid uint16, filter string, qos byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, pid)
	b = appendString(b, filter)
	return frame(mqttSubscribe, 0x02, append(b, qos))
}

func encodeAck(kind byte, pid uint16) []byte {
	return frame(kind, 0, binary.BigEndian.AppendUint16(nil, pid))
}

func encodePingreq() []byte    { return frame(mqttPingreq, 0, nil) }
func encodeDisconnect() []byte { return frame(mqttDisconnect, 0, nil) }

// publishMsg is a decoded PUBLISH.
type publishMsg struct {
	topic   string
	payload []byte
	qos     byte
	retain  bool
	dup     bool
	pid     uint16
}

func decodePublish(p mqttPacket) (publishMsg, error) {
	m := publishMsg{qos: p.flags >> 1 & 0x03, retain: p.flags&0x01 != 0, dup: p.flags&0x08 != 0}
	b := p.body
	if len(b) < 2 {
		return m, errors.New("mqtt: short PUBLISH")
	}
	n := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+n {
		return m, errors.New("mqtt: short PUBLISH topic")
	}
	m.topic, b = string(b[2:2+n]), b[2+n:]
	if m.qos > 0 {
		if len(b) < 2 {
			return m, errors.New("mqtt: PUBLISH without packet id")
		}
		m.pid, b = binary.BigEndian.Uint16(b), b[2:]
	}
	m.payload = b
	return m, nil
}

// packetID returns the packet identifier that starts the variable header of
// PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK.
func packetID(p mqttPacket) uint16 {
	if len(p.body) < 2 {
		return 0
	}
	return binary.BigEndian.Uint16(p.body)
}
