package switches

import mqtt "github.com/mochi-mqtt/server/v2"

// AddBrokerHook adds a hook to the embedded broker after it started, so that a
// test can hold the broker at a chosen point of its work.
func (e *Embedded) AddBrokerHook(h mqtt.Hook) error { return e.srv.AddHook(h, nil) }
