package domain

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Device families a switch can be.
const (
	FamilyTasmota = "tasmota"
	FamilyShelly  = "shelly" // Shelly Gen2 and Gen3 (JSON-RPC over MQTT)
)

// Families lists the device families in the order forms offer them.
var Families = []string{FamilyTasmota, FamilyShelly}

// FamilyLabel is the user-facing name of a device family.
func FamilyLabel(f string) string {
	switch f {
	case FamilyTasmota:
		return "Tasmota"
	case FamilyShelly:
		return "Shelly Gen2/Gen3"
	}
	return f
}

// Switch is a remote-controlled relay on a project. What the device last said
// about itself (state, availability) is kept with it, so that every server process
// and a restart agree.
type Switch struct {
	ID        int64
	CompanyID int64
	ClientID  int64
	ProjectID int64
	Name      string
	Family    string // FamilyTasmota or FamilyShelly
	Topic     string // Tasmota device topic (one level), or Shelly MQTT prefix (levels separated by '/')
	Channel   int    // Tasmota relay (1 = POWER), Shelly switch id (0 = switch:0); see Normalize

	// Username is the device's MQTT user name. Only staff with switches.manage
	// see it; portal queries never select it.
	Username string

	Known      bool // a state has been reported at least once
	On         bool
	Online     bool
	LastSeen   time.Time // last message from the device
	LastChange time.Time // last change of On
	// OfflineSince is when the device was last seen going offline; zero while it
	// is online or when nobody saw it go.
	OfflineSince time.Time
	CreatedAt    time.Time

	// Pending is the wanted state of a command in flight ("on", "off"), or "".
	Pending string
}

// FamilyLabel is the user-facing name of the switch's device family.
func (s *Switch) FamilyLabel() string { return FamilyLabel(s.Family) }

// StateLabel is how the switch's row reads: "Offline", "ON", "OFF" or "Unknown".
func (s *Switch) StateLabel() string {
	switch {
	case !s.Online:
		return "Offline"
	case !s.Known:
		return "Unknown"
	case s.On:
		return "ON"
	}
	return "OFF"
}

// Color is the row's colour: green = ON, grey = OFF, orange = Offline.
func (s *Switch) Color() string {
	switch {
	case !s.Online:
		return "orange"
	case s.Known && s.On:
		return "green"
	}
	return "grey"
}

// tasmotaTopicRE is a Tasmota Topic: one level, as the firmware's %topic% is
// used inside cmnd/<topic>/… and stat/<topic>/….
var tasmotaTopicRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// MaxShellyPrefix is the longest MQTT prefix a Shelly Gen2/Gen3 accepts.
const MaxShellyPrefix = 300

// reservedTopics cannot be device topics, nor the first level of a Shelly
// prefix: they are the first levels of the Tasmota topics and of the server's
// own notifications.
var reservedTopics = []string{"cmnd", "stat", "tele", "portico", "tasmotas"}

// FirstChannel is the channel of a device's first relay in the family: Tasmota
// numbers relays from 1 (POWER, POWER1), Shelly from 0 (switch:0).
func FirstChannel(family string) int {
	if family == FamilyTasmota {
		return 1
	}
	return 0
}

// Normalize trims the switch's fields. A channel of 0 means the device's first
// relay, which it stores as the family numbers it (Tasmota 1, Shelly 0), so that
// a switch added without a channel works on a one-relay device of either family.
func (s *Switch) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	s.Topic = strings.TrimSpace(s.Topic)
	s.Family = strings.TrimSpace(s.Family)
	if s.Channel == 0 {
		s.Channel = FirstChannel(s.Family)
	}
}

// Validate checks a switch's fields.
func (s *Switch) Validate() error {
	var v Validator
	v.Required("name", s.Name, "Name")
	v.MaxLen("name", s.Name, 100)
	v.OneOf("family", s.Family, Families...)
	v.Required("topic", s.Topic, "Device topic")
	if s.Topic != "" {
		switch s.Family {
		case FamilyTasmota:
			if !tasmotaTopicRE.MatchString(s.Topic) {
				v.Add("topic", "Use 1–64 letters, digits, '-' and '_', starting with a letter or digit.")
			}
		case FamilyShelly:
			if msg := shellyPrefixProblem(s.Topic); msg != "" {
				v.Add("topic", msg)
			}
		}
		first, _, _ := strings.Cut(s.Topic, "/")
		for _, r := range reservedTopics {
			if strings.EqualFold(first, r) {
				v.Add("topic", "The name "+first+" is reserved on the broker. Choose another topic.")
			}
		}
	}
	switch s.Family {
	case FamilyTasmota:
		if s.Channel < 1 || s.Channel > 8 {
			v.Add("channel", "A Tasmota relay is numbered 1 to 8.")
		}
	case FamilyShelly:
		if s.Channel < 0 || s.Channel > 7 {
			v.Add("channel", "A Shelly switch id is 0 to 7.")
		}
	}
	return v.Err()
}

// shellyPrefixProblem says what is wrong with a Shelly MQTT prefix, or "". The
// firmware takes up to 300 characters, not starting with '$', without '#', '+',
// '%' or '?'; Portico also wants every level named, so that the broker's ACL can
// tell one device's topics from another's.
func shellyPrefixProblem(p string) string {
	switch {
	case utf8.RuneCountInString(p) > MaxShellyPrefix:
		return "Use at most 300 characters."
	case strings.HasPrefix(p, "$"):
		return "A prefix cannot start with '$'."
	case strings.ContainsAny(p, "#+%?"):
		return "A prefix cannot contain '#', '+', '%' or '?'."
	case !utf8.ValidString(p) || strings.IndexFunc(p, unicode.IsControl) >= 0:
		return "Use printable characters only."
	case strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//"):
		return "Separate the levels with single '/' characters, with none at the start or the end."
	}
	return ""
}

// Actor kinds of switch events.
const (
	ActorStaff    = "staff"
	ActorPortal   = "portal"
	ActorExternal = "external"
)

// Statuses of switch events. A command starts pending and ends confirmed, failed
// or superseded; a change nobody here commanded is recorded confirmed.
const (
	EventPending    = "pending"
	EventConfirmed  = "confirmed"
	EventFailed     = "failed"
	EventSuperseded = "superseded"
)

// ExternalLabel is how a change nobody here commanded is shown.
const ExternalLabel = "External (physical button or schedule)"

// SwitchEvent is one line of a switch's activity: a command someone sent, or a
// change of state nobody here commanded (ActorExternal).
type SwitchEvent struct {
	ID         int64
	SwitchID   int64
	SwitchName string
	On         bool   // the wanted (command) or reported (external) state
	Status     string // EventPending…
	ActorKind  string // ActorStaff, ActorPortal or ActorExternal
	// Who is the actor as the reader may see it: a staff member's name for staff;
	// "You", the tenant's team label or another portal user's name for the portal.
	Who    string
	Source string // the device's own word for an external change (Shelly "button"…), staff only
	Error  string // why a command failed
	// At is when it happened: when the relay switched for a confirmed command,
	// when it was asked for otherwise.
	At time.Time
	// Requested is when a command was recorded (for a change nobody commanded,
	// when it was reported).
	Requested time.Time
	DoneAt    time.Time // when a command ended
}

// StateWord is "on" or "off".
func (e *SwitchEvent) StateWord() string {
	if e.On {
		return "on"
	}
	return "off"
}
