package switches

import "portico/internal/domain"

// Availability returns the retained message a device of the family leaves to
// say whether it is online: Tasmota's tele/<t>/LWT "Online" or "Offline",
// Shelly's <p>/online "true" or "false". The server leaves it in the device's
// place when the broker ends a connection without the device's last will.
func Availability(family, topic string, online bool) (string, []byte) {
	if family == domain.FamilyTasmota {
		if online {
			return "tele/" + topic + "/LWT", []byte("Online")
		}
		return "tele/" + topic + "/LWT", []byte("Offline")
	}
	if online {
		return topic + "/online", []byte("true")
	}
	return topic + "/online", []byte("false")
}
