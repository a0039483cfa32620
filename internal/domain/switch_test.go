package domain_test

import (
	"strings"
	"testing"

	"portico/internal/domain"
)

// A switch added without a channel drives the device's first relay, whatever
// its family numbers it as.
func TestSwitchNormalizeChannel(t *testing.T) {
	for _, tc := range []struct {
		family  string
		channel int
		want    int
	}{
		{domain.FamilyTasmota, 0, 1},
		{domain.FamilyShelly, 0, 0},
		{domain.FamilyTasmota, 3, 3},
		{domain.FamilyShelly, 2, 2},
	} {
		sw := &domain.Switch{Name: "Light", Family: tc.family, Topic: "dev", Channel: tc.channel}
		sw.Normalize()
		if sw.Channel != tc.want {
			t.Errorf("%s channel %d normalizes to %d, want %d", tc.family, tc.channel, sw.Channel, tc.want)
		}
		if err := sw.Validate(); err != nil {
			t.Errorf("%s channel %d: %v", tc.family, tc.channel, err)
		}
	}
}

// Topics: a Tasmota topic is one level; a Shelly prefix is what the firmware
// takes (up to 300 characters, no '$' first, no '#', '+', '%', '?'), with every
// level named; the first level is never one of the broker's reserved words.
func TestSwitchTopic(t *testing.T) {
	for _, tc := range []struct {
		name, family, topic string
		ok                  bool
	}{
		{"tasmota one level", domain.FamilyTasmota, "office_light", true},
		{"tasmota two levels", domain.FamilyTasmota, "home/light", false},
		{"tasmota too long", domain.FamilyTasmota, strings.Repeat("a", 65), false},
		{"tasmota reserved", domain.FamilyTasmota, "Stat", false},
		{"shelly device id", domain.FamilyShelly, "shellyplus1-a8032ab1", true},
		{"shelly two levels", domain.FamilyShelly, "home/plus1", true},
		{"shelly many levels", domain.FamilyShelly, "site/floor 2/room_3/plus1", true},
		{"shelly 300 characters", domain.FamilyShelly, strings.Repeat("ab/", 99) + "abc", true},
		{"shelly 301 characters", domain.FamilyShelly, strings.Repeat("ab/", 99) + "abcd", false},
		{"shelly dollar first", domain.FamilyShelly, "$SYS/plus1", false},
		{"shelly dollar later", domain.FamilyShelly, "home/$plus1", true},
		{"shelly hash", domain.FamilyShelly, "home/#", false},
		{"shelly plus", domain.FamilyShelly, "home/+/plus1", false},
		{"shelly percent", domain.FamilyShelly, "home%20plus1", false},
		{"shelly question mark", domain.FamilyShelly, "home?", false},
		{"shelly leading slash", domain.FamilyShelly, "/home/plus1", false},
		{"shelly trailing slash", domain.FamilyShelly, "home/plus1/", false},
		{"shelly empty level", domain.FamilyShelly, "home//plus1", false},
		{"shelly control character", domain.FamilyShelly, "home/\x00plus1", false},
		{"shelly reserved first level", domain.FamilyShelly, "tele/plus1", false},
		{"shelly reserved word deeper", domain.FamilyShelly, "home/tele", true},
		{"shelly reserved, any case", domain.FamilyShelly, "Portico/x", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sw := &domain.Switch{Name: "Light", Family: tc.family, Topic: tc.topic}
			sw.Normalize()
			err := sw.Validate()
			msg := domain.FieldErrors(err)["topic"]
			if (msg == "") != tc.ok {
				t.Errorf("Validate(%q) topic error = %q, want ok=%v", tc.topic, msg, tc.ok)
			}
		})
	}
}
