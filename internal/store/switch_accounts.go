package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"portico/internal/access"
	"portico/internal/domain"
)

// SwitchCredentials are a device's MQTT username and password made before the
// switch is stored: a broker that keeps its own accounts gets the account
// first, so that a refusal leaves the database untouched.
type SwitchCredentials struct {
	Username string
	Password string // shown once; only its hash is stored
	hash     string
}

// NewSwitchCredentials makes a fresh username and a random 256-bit password,
// as CreateSwitch does.
func NewSwitchCredentials() SwitchCredentials {
	u, p, h := newSwitchCredentials()
	return SwitchCredentials{Username: u, Password: p, hash: h}
}

// CreateSwitchWithCredentials is CreateSwitch with credentials made by
// NewSwitchCredentials. Needs switches.manage.
func (view *StaffView) CreateSwitchWithCredentials(ctx context.Context, sw *domain.Switch, cred SwitchCredentials) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.SwitchesManage); err != nil {
		return err
	}
	if cred.hash == "" {
		return errors.New("store: switch credentials not made by NewSwitchCredentials")
	}
	sw.Normalize()
	if err := sw.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM projects WHERE company_id = ? AND client_id = ? AND id = ?`),
			staff.CompanyID(), sw.ClientID, sw.ProjectID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "Project not found.")
		}
		if err := s.topicTaken(ctx, tx, sw.Topic, 0); err != nil {
			return err
		}
		created := s.Now()
		id, err := s.insert(ctx, tx, `INSERT INTO switches (company_id, client_id, project_id, name, family, topic, channel,
			mqtt_username, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			staff.CompanyID(), sw.ClientID, sw.ProjectID, sw.Name, sw.Family, sw.Topic, sw.Channel, cred.Username, cred.hash, micros(created))
		if err != nil {
			return fmt.Errorf("store: create switch: %w", err)
		}
		if err := s.audit(ctx, tx, staff, "switch.create", "Switch "+sw.Name); err != nil {
			return err
		}
		sw.ID, sw.CompanyID, sw.Username, sw.CreatedAt = id, staff.CompanyID(), cred.Username, created
		return nil
	})
}

// ReplaceSwitchCredentials is RegenerateSwitchCredentials with credentials made
// by NewSwitchCredentials: it returns the switch with its new username, or
// ENOTFOUND. Needs switches.manage.
func (view *StaffView) ReplaceSwitchCredentials(ctx context.Context, clientID, projectID, id int64, cred SwitchCredentials) (*domain.Switch, error) {
	s, staff := view.s, view.staff
	if err := staff.Require(access.SwitchesManage); err != nil {
		return nil, err
	}
	if cred.hash == "" {
		return nil, errors.New("store: switch credentials not made by NewSwitchCredentials")
	}
	var out *domain.Switch
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE switches SET mqtt_username = ?, password_hash = ?
			WHERE company_id = ? AND client_id = ? AND project_id = ? AND id = ?`), cred.Username, cred.hash, staff.CompanyID(), clientID, projectID, id)
		if err := mustAffect(res, err, "Switch not found."); err != nil {
			return err
		}
		list, err := s.collectSwitches(ctx, tx, true, `SELECT `+switchColumns+`, sw.mqtt_username FROM switches sw WHERE sw.company_id = ? AND sw.id = ?`, staff.CompanyID(), id)
		if err != nil || len(list) == 0 {
			return errors.Join(err, errors.New("store: switch with new credentials vanished"))
		}
		out = list[0]
		return s.audit(ctx, tx, staff, "switch.credentials", "Switch "+out.Name)
	})
	return out, err
}

// BrokerAccount is a device's account as a broker that keeps its own accounts
// holds it: the username, and the family and topic its ACL comes from.
type BrokerAccount struct {
	SwitchID int64
	Username string
	Family   string
	Topic    string
}

// BrokerAccounts lists the account of every switch of every tenant, for the
// server to bring the broker in line with the database.
func (view *DeviceView) BrokerAccounts(ctx context.Context) ([]BrokerAccount, error) {
	s := view.s
	rows, err := s.db.QueryContext(ctx, `SELECT id, mqtt_username, family, topic FROM switches ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: broker accounts: %w", err)
	}
	defer rows.Close()
	var out []BrokerAccount
	for rows.Next() {
		var a BrokerAccount
		if err := rows.Scan(&a.SwitchID, &a.Username, &a.Family, &a.Topic); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
