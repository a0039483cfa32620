package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

// topicBase makes a device topic of the family from a switch's name: its letters
// and digits without diacritics, lower-cased, words joined by '_' for Tasmota
// (as its own topics are written) and by '-' for a Shelly prefix, at most 40
// characters. A name with nothing usable, or one that makes a reserved topic,
// gives "switch".
func topicBase(family, name string) string {
	sep := byte('_')
	if family == domain.FamilyShelly {
		sep = '-'
	}
	var b strings.Builder
	gap := false
	for _, r := range fold(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if gap && b.Len() > 0 {
				b.WriteByte(sep)
			}
			gap = false
			b.WriteRune(r)
		default:
			gap = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	out := strings.TrimRight(b.String(), string(sep))
	check := domain.Switch{Name: "x", Family: family, Topic: out}
	check.Normalize()
	if out == "" || domain.FieldErrors(check.Validate())["topic"] != "" {
		return "switch"
	}
	return out
}

// SuggestTopic returns a device topic (Tasmota) or MQTT prefix (Shelly) for a
// switch of the family named name, valid for the family and free on the broker:
// the name made into a topic, with "_2", "_3" … (or "-2" …) added when it is
// taken. Taken means what CreateSwitch refuses: used, or overlapping one used,
// by any switch of any tenant, since the broker's topics are shared. Needs
// switches.manage.
func (view *StaffView) SuggestTopic(ctx context.Context, family, name string) (string, error) {
	s, staff := view.s, view.staff
	if err := staff.Require(access.SwitchesManage); err != nil {
		return "", err
	}
	if family != domain.FamilyShelly {
		family = domain.FamilyTasmota
	}
	base := topicBase(family, name)
	sep := "_"
	if family == domain.FamilyShelly {
		sep = "-"
	}
	var out string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for i := 1; i <= 1000; i++ {
			try := base
			if i > 1 {
				try += sep + strconv.Itoa(i)
			}
			err := s.topicTaken(ctx, tx, try, 0)
			if err == nil {
				out = try
				return nil
			}
			if domain.ErrorCode(err) != domain.EINVALID {
				return err
			}
		}
		return domain.Errorf(domain.ECONFLICT, "No free topic was found for this name. Type one.")
	})
	return out, err
}
