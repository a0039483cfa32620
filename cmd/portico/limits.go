package main

import (
	"flag"
	"time"

	"portico/internal/app"
	"portico/internal/switches"
)

// limitConfig bounds what devices and people can make the server do: the
// embedded broker's limits before authentication, and the per-switch command rate.
type limitConfig struct {
	MQTTMaxPacket     int
	MQTTMaxConnsPerIP int
	CommandLimit      int
	CommandWindow     time.Duration
}

// limitFlags registers the limits.
func (c *limitConfig) limitFlags(fs *flag.FlagSet) {
	fs.IntVar(&c.MQTTMaxPacket, "mqtt-max-packet", switches.DefaultMaxPacketSize, "embedded MQTT broker: largest packet a client may send, in bytes (PORTICO_MQTT_MAX_PACKET)")
	fs.IntVar(&c.MQTTMaxConnsPerIP, "mqtt-max-conns-per-ip", switches.DefaultMaxConnsPerIP, "embedded MQTT broker: connections one IP address may hold open; -1 for no limit (PORTICO_MQTT_MAX_CONNS_PER_IP)")
	fs.IntVar(&c.CommandLimit, "switch-command-limit", app.DefaultCommandLimit, "commands one switch takes per --switch-command-window, from everyone together; -1 for no limit (PORTICO_SWITCH_COMMAND_LIMIT)")
	fs.DurationVar(&c.CommandWindow, "switch-command-window", app.DefaultCommandWindow, "the window of --switch-command-limit (PORTICO_SWITCH_COMMAND_WINDOW)")
}
