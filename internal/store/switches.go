package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"portico/internal/access"
	"portico/internal/auth"
	"portico/internal/domain"
)

// switchColumns selects a switch with the wanted state of its newest pending
// command (” when none). The MQTT username is selected separately, by staff
// queries only.
const switchColumns = `sw.id, sw.company_id, sw.client_id, sw.project_id, sw.name, sw.family, sw.topic, sw.channel,
	sw.known, sw.is_on, sw.online, sw.last_seen_at, sw.last_change_at, sw.offline_since, sw.created_at,
	COALESCE((SELECT CASE WHEN e.is_on = 1 THEN 'on' ELSE 'off' END FROM switch_events e
		WHERE e.switch_id = sw.id AND e.status = 'pending' ORDER BY e.id DESC LIMIT 1), '')`

func scanSwitch(row interface{ Scan(...any) error }, extra ...any) (*domain.Switch, error) {
	var sw domain.Switch
	var known, on, online int
	var seen, change, offline sql.NullInt64
	var created int64
	dest := append([]any{&sw.ID, &sw.CompanyID, &sw.ClientID, &sw.ProjectID, &sw.Name, &sw.Family, &sw.Topic, &sw.Channel,
		&known, &on, &online, &seen, &change, &offline, &created, &sw.Pending}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	sw.Known, sw.On, sw.Online = known == 1, on == 1, online == 1
	sw.LastSeen, sw.LastChange, sw.CreatedAt = nullMicros(seen), nullMicros(change), fromMicros(created)
	if !sw.Online {
		sw.OfflineSince = nullMicros(offline)
	}
	return &sw, nil
}

func (s *Store) collectSwitches(ctx context.Context, q querier, withUser bool, query string, args ...any) ([]*domain.Switch, error) {
	rows, err := q.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: switches: %w", err)
	}
	defer rows.Close()
	var out []*domain.Switch
	for rows.Next() {
		var sw *domain.Switch
		var user string
		if withUser {
			sw, err = scanSwitch(rows, &user)
			if sw != nil {
				sw.Username = user
			}
		} else {
			sw, err = scanSwitch(rows)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sw)
	}
	return out, rows.Err()
}

// staffUserColumn is the MQTT username for staff who may see credentials, and ”
// for everyone else.
func staffUserColumn(staff access.Staff) string {
	if staff.Can(access.SwitchesManage) {
		return `, sw.mqtt_username`
	}
	return `, ''`
}

// ProjectSwitches lists the switches of project projectID of client clientID by
// name; empty for a project of another client or tenant. The MQTT username is
// filled only for staff with switches.manage.
func (view *StaffView) ProjectSwitches(ctx context.Context, clientID, projectID int64) ([]*domain.Switch, error) {
	s, staff := view.s, view.staff
	return s.collectSwitches(ctx, s.db, true, `SELECT `+switchColumns+staffUserColumn(staff)+` FROM switches sw
		WHERE sw.company_id = ? AND sw.client_id = ? AND sw.project_id = ? ORDER BY sw.name, sw.id`, staff.CompanyID(), clientID, projectID)
}

// Switch returns switch id of the project, or ENOTFOUND. The MQTT username is
// filled only for staff with switches.manage.
func (view *StaffView) Switch(ctx context.Context, clientID, projectID, id int64) (*domain.Switch, error) {
	s, staff := view.s, view.staff
	list, err := s.collectSwitches(ctx, s.db, true, `SELECT `+switchColumns+staffUserColumn(staff)+` FROM switches sw
		WHERE sw.company_id = ? AND sw.client_id = ? AND sw.project_id = ? AND sw.id = ?`, staff.CompanyID(), clientID, projectID, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Switch not found.")
	}
	return list[0], nil
}

// newSwitchCredentials returns a fresh MQTT username, a random 256-bit password
// and the password's SHA-256, the only form of it that is stored. A fast hash is
// enough for a password of 256 random bits, and keeps 10,000 devices reconnecting
// at once cheap for the broker.
func newSwitchCredentials() (username, password, hash string) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic("store: crypto/rand failed: " + err.Error())
	}
	password, hash = auth.NewToken()
	return "sw-" + hex.EncodeToString(b), password, hash
}

// topicTaken returns EINVALID when another switch, of any tenant, uses the topic
// or a topic that contains it or lies within it at a level boundary ("home" and
// "home/plus1"): the broker's topics are shared by every tenant, and a device may
// publish anywhere under its own prefix, so one prefix inside another would let
// a device speak for its neighbour. Topics are compared exactly, which is what
// the broker does, and also regardless of case where the database can fold it.
func (s *Store) topicTaken(ctx context.Context, tx *sql.Tx, topic string, exceptID int64) error {
	// The topic itself and each of its ancestors, "home/plus1" → "home", "home/plus1".
	var same, sameFolded []string
	for i := 0; i <= len(topic); i++ {
		if i == len(topic) || topic[i] == '/' {
			same = append(same, topic[:i])
			sameFolded = append(sameFolded, strings.ToLower(topic[:i]))
		}
	}
	// A descendant starts with the topic and a '/'; SUBSTR counts characters on
	// both databases.
	below := topic + "/"
	n := len([]rune(below))
	where, args := and(or(
		in("topic", same), in("LOWER(topic)", sameFolded),
		expr("SUBSTR(topic, 1, ?) = ?", n, below), expr("LOWER(SUBSTR(topic, 1, ?)) = ?", n, strings.ToLower(below)),
	), expr("id <> ?", exceptID)).where()
	var taken int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM switches WHERE `+where), args...).Scan(&taken); err != nil {
		return err
	}
	if taken > 0 {
		return fieldError("topic", "This topic is already in use on the broker, or overlaps one in use (as home and home/plus1 do). Give the device a unique topic.")
	}
	return nil
}

// CreateSwitch adds a switch to project sw.ProjectID of client sw.ClientID with
// fresh credentials, and returns the device's password: it is not stored and
// cannot be shown again. Needs switches.manage.
func (view *StaffView) CreateSwitch(ctx context.Context, sw *domain.Switch) (string, error) {
	s, staff := view.s, view.staff
	cred := NewSwitchCredentials()
	if err := s.Staff(staff).CreateSwitchWithCredentials(ctx, sw, cred); err != nil {
		return "", err
	}
	return cred.Password, nil
}

// UpdateSwitch replaces name, family, topic and channel of switch sw.ID of the
// project. Credentials stay. Needs switches.manage.
func (view *StaffView) UpdateSwitch(ctx context.Context, sw *domain.Switch) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.SwitchesManage); err != nil {
		return err
	}
	sw.Normalize()
	if err := sw.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.Staff(staff).Switch(ctx, sw.ClientID, sw.ProjectID, sw.ID); err != nil {
			return err
		}
		if err := s.topicTaken(ctx, tx, sw.Topic, sw.ID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE switches SET name = ?, family = ?, topic = ?, channel = ?
			WHERE company_id = ? AND client_id = ? AND project_id = ? AND id = ?`),
			sw.Name, sw.Family, sw.Topic, sw.Channel, staff.CompanyID(), sw.ClientID, sw.ProjectID, sw.ID)
		if err := mustAffect(res, err, "Switch not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "switch.update", "Switch "+sw.Name)
	})
}

// DeleteSwitch deletes switch id of the project with its activity. Needs switches.manage.
func (view *StaffView) DeleteSwitch(ctx context.Context, clientID, projectID, id int64) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.SwitchesManage); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, s.q(`SELECT name FROM switches WHERE company_id = ? AND client_id = ? AND project_id = ? AND id = ?`),
			staff.CompanyID(), clientID, projectID, id).Scan(&name)
		if err != nil {
			return notFound(err, "Switch not found.")
		}
		for _, q := range []string{
			`DELETE FROM switch_events WHERE company_id = ? AND switch_id = ?`,
			`DELETE FROM portal_switch_grants WHERE company_id = ? AND switch_id = ?`,
			`DELETE FROM switches WHERE company_id = ? AND id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), staff.CompanyID(), id); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, staff, "switch.delete", "Switch "+name)
	})
}

// RegenerateSwitchCredentials gives the switch a new username and password and
// returns the password; the old ones stop working at the device's next connect.
// Needs switches.manage.
func (view *StaffView) RegenerateSwitchCredentials(ctx context.Context, clientID, projectID, id int64) (*domain.Switch, string, error) {
	s, staff := view.s, view.staff
	cred := NewSwitchCredentials()
	sw, err := s.Staff(staff).ReplaceSwitchCredentials(ctx, clientID, projectID, id, cred)
	if err != nil {
		return nil, "", err
	}
	return sw, cred.Password, nil
}

// SwitchActivity lists the newest events of the project's switches, by when they
// happened, newest first,
// with the real names of the staff and portal users who sent commands.
func (view *StaffView) SwitchActivity(ctx context.Context, clientID, projectID int64, limit int) ([]*domain.SwitchEvent, error) {
	s, staff := view.s, view.staff
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT e.id, e.switch_id, sw.name, e.is_on, e.status, e.actor_kind, e.actor_name, e.source, e.error, e.created_at, e.done_at, e.happened_at
		FROM switch_events e JOIN switches sw ON sw.company_id = e.company_id AND sw.id = e.switch_id
		WHERE e.company_id = ? AND e.project_id = ? AND sw.client_id = ? ORDER BY e.happened_at DESC, e.id DESC LIMIT ?`), staff.CompanyID(), projectID, clientID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: switch activity: %w", err)
	}
	defer rows.Close()
	var out []*domain.SwitchEvent
	for rows.Next() {
		var e domain.SwitchEvent
		var on int
		var created, happened int64
		var done sql.NullInt64
		if err := rows.Scan(&e.ID, &e.SwitchID, &e.SwitchName, &on, &e.Status, &e.ActorKind, &e.Who, &e.Source, &e.Error, &created, &done, &happened); err != nil {
			return nil, err
		}
		e.On, e.Requested, e.At, e.DoneAt = on == 1, fromMicros(created), fromMicros(happened), nullMicros(done)
		if e.ActorKind == domain.ActorExternal {
			e.Who = domain.ExternalLabel
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}

// ---- the device side: the broker's authentication and the server's listener

// DeviceAccount is what the broker needs to let a device in: the hash of its
// password and the topic its ACL is built from.
type DeviceAccount struct {
	SwitchID     int64
	Family       string
	Topic        string
	PasswordHash string
}

// SwitchAccount returns the device account with the MQTT username, or ENOTFOUND.
func (view *DeviceView) SwitchAccount(ctx context.Context, username string) (*DeviceAccount, error) {
	s := view.s
	var a DeviceAccount
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, family, topic, password_hash FROM switches WHERE mqtt_username = ?`), username).
		Scan(&a.SwitchID, &a.Family, &a.Topic, &a.PasswordHash)
	if err != nil {
		return nil, notFound(err, "Unknown device.")
	}
	return &a, nil
}

// SwitchByTopic returns the switch of the family with the device topic, of any
// tenant, or ENOTFOUND. Only the server's MQTT listener calls it.
func (view *DeviceView) SwitchByTopic(ctx context.Context, family, topic string) (*domain.Switch, error) {
	s := view.s
	list, err := s.collectSwitches(ctx, s.db, false, `SELECT `+switchColumns+` FROM switches sw WHERE sw.family = ? AND sw.topic = ?`, family, topic)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Switch not found.")
	}
	return list[0], nil
}

// SwitchByID returns switch id of any tenant, or ENOTFOUND. Only the server's
// MQTT side calls it.
func (view *DeviceView) SwitchByID(ctx context.Context, id int64) (*domain.Switch, error) {
	s := view.s
	list, err := s.collectSwitches(ctx, s.db, false, `SELECT `+switchColumns+` FROM switches sw WHERE sw.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Switch not found.")
	}
	return list[0], nil
}

// MarkAllSwitchesOffline marks every switch offline: an embedded broker that has
// just started has no device connected, whatever the database remembers.
func (view *DeviceView) MarkAllSwitchesOffline(ctx context.Context) error {
	s := view.s
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE switches SET online = 0, offline_since = ? WHERE online = 1`), micros(s.Now()))
		return err
	})
}

// OnlineSwitches lists the ids of the switches last known online, for a state
// query after the server's connection to the broker comes back.
func (view *DeviceView) OnlineSwitches(ctx context.Context) ([]int64, error) {
	s := view.s
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM switches WHERE online = 1 ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SetSwitchOnline records the device's availability. A device announcing itself
// online is marked for resync: its first state report sets the state without an
// activity entry. Going offline records since when. An announcement older than
// the device's newest applied report (a late copy at a slower process) changes
// nothing. It reports whether the stored availability changed.
func (view *DeviceView) SetSwitchOnline(ctx context.Context, id int64, online bool, at time.Time) (bool, error) {
	s := view.s
	var changed bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		// Every process hears every announcement; one that reaches a process after
		// the device's next report is old news and must not undo what the report
		// said (mark it for resync again, or offline).
		if online {
			res, err = tx.ExecContext(ctx, s.q(`UPDATE switches SET online = 1, last_seen_at = ?, offline_since = NULL,
				resync = CASE WHEN last_report_at > ? THEN resync ELSE 1 END
				WHERE id = ? AND online = 0`), micros(at), micros(at), id)
		} else {
			res, err = tx.ExecContext(ctx, s.q(`UPDATE switches SET online = 0, offline_since = ?
				WHERE id = ? AND online = 1 AND (last_report_at IS NULL OR last_report_at <= ?)`), micros(at), id, micros(at))
		}
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		changed = n > 0
		if !changed && online {
			_, err = tx.ExecContext(ctx, s.q(`UPDATE switches SET last_seen_at = ?, resync = CASE WHEN last_report_at > ? THEN resync ELSE 1 END
				WHERE id = ?`), micros(at), micros(at), id)
		}
		return err
	})
	return changed, err
}

// Report is a state the device reported.
type Report struct {
	SwitchID int64
	On       bool
	Retained bool   // a retained message: seeds state, never attributed
	Source   string // the device's own word for what changed it, if it says
	// At is when the report reached this server process, taken as it arrived from
	// the broker, before any queue or lock: a report can only confirm a command
	// recorded before it.
	At time.Time
}

// ReportOutcome says what a report did.
type ReportOutcome struct {
	Changed   bool  // the stored state changed
	Confirmed int64 // the command the report confirmed, 0 if none
	External  int64 // the external event recorded, 0 if none
	Late      int64 // a superseded command the device ran after all, now confirmed; 0 if none
	Stale     bool  // a newer report had already been applied: nothing was stored
	ProjectID int64
	CompanyID int64
}

// supersededWindow is how long a superseded command still explains a report of
// its state: a device that executes commands in order reports the older one first.
const supersededWindow = 30 * time.Second

// ApplyReport stores a reported state and attributes it, in one transaction under
// the switch row's lock, so that server processes that all hear the same report
// record it once:
//   - a report older than the newest one applied (a late copy at a slower
//     process) changes nothing;
//   - a retained report, or the first one after the device came online, sets the
//     state without an activity entry;
//   - a report of the state the newest pending command wants confirms that
//     command, if the command was recorded before the report arrived and has not
//     expired;
//   - a change that a recently superseded command asked for confirms that
//     command late (Late), dated now;
//   - any other change is External.
func (view *DeviceView) ApplyReport(ctx context.Context, r Report) (ReportOutcome, error) {
	s := view.s
	var out ReportOutcome
	at := micros(r.At)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var known, on, resync int
		var last sql.NullInt64
		err := tx.QueryRowContext(ctx, s.q(`SELECT company_id, project_id, known, is_on, resync, last_report_at FROM switches WHERE id = ?`+s.dialect.forUpdate), r.SwitchID).
			Scan(&out.CompanyID, &out.ProjectID, &known, &on, &resync, &last)
		if err != nil {
			return notFound(err, "Switch not found.")
		}
		if last.Valid && last.Int64 > at {
			out.Stale = true
			return nil
		}
		out.Changed = known == 0 || (on == 1) != r.On
		q := `UPDATE switches SET known = 1, is_on = ?, online = 1, offline_since = NULL, resync = 0, last_seen_at = ?, last_report_at = ?`
		args := []any{b2i(r.On), at, at}
		if out.Changed {
			q += `, last_change_at = ?`
			args = append(args, at)
		}
		if _, err := tx.ExecContext(ctx, s.q(q+` WHERE id = ?`), append(args, r.SwitchID)...); err != nil {
			return err
		}
		if r.Retained {
			return nil
		}
		// The newest pending command this state confirms: recorded before the
		// report arrived, and not yet expired.
		var cmd int64
		err = tx.QueryRowContext(ctx, s.q(`SELECT id FROM switch_events WHERE switch_id = ? AND status = 'pending' AND is_on = ?
			AND created_at <= ? AND (expires_at IS NULL OR expires_at >= ?) ORDER BY id DESC LIMIT 1`),
			r.SwitchID, b2i(r.On), at, at).Scan(&cmd)
		switch {
		case err == nil:
			out.Confirmed = cmd
			_, err = tx.ExecContext(ctx, s.q(`UPDATE switch_events SET status = 'confirmed', done_at = ?, happened_at = ? WHERE id = ?`), at, at, cmd)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if resync == 1 || known == 0 || !out.Changed {
			return nil
		}
		// A change that a recently superseded command asked for: the device ran
		// that command after all (commands sent at nearly the same time can reach
		// it in either order), so it is recorded as that command's, now.
		var late int64
		err = tx.QueryRowContext(ctx, s.q(`SELECT id FROM switch_events WHERE switch_id = ? AND status = 'superseded' AND is_on = ?
			AND created_at > ? AND created_at <= ? ORDER BY id DESC LIMIT 1`),
			r.SwitchID, b2i(r.On), micros(r.At.Add(-supersededWindow)), at).Scan(&late)
		switch {
		case err == nil:
			out.Late = late
			_, err = tx.ExecContext(ctx, s.q(`UPDATE switch_events SET status = 'confirmed', done_at = ?, happened_at = ? WHERE id = ?`), at, at, late)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		out.External, err = s.insert(ctx, tx, `INSERT INTO switch_events (company_id, project_id, switch_id, is_on, status, actor_kind, source, created_at, done_at, happened_at)
			VALUES (?, ?, ?, ?, 'confirmed', 'external', ?, ?, ?, ?)`, out.CompanyID, out.ProjectID, r.SwitchID, b2i(r.On), clip(r.Source, 40), at, at, at)
		return err
	})
	return out, err
}

// AckCommand records the device's acknowledgement of command cmdID (a Shelly
// reply matched by its id), received at at: a pending command is confirmed and
// the switch takes the wanted state; a superseded one is confirmed late (the
// device ran it after all). Confirmed and Late are 0 when the command was
// already confirmed or failed.
func (view *DeviceView) AckCommand(ctx context.Context, switchID, cmdID int64, at time.Time) (ReportOutcome, error) {
	s := view.s
	var out ReportOutcome
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var known, cur int
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT known, is_on, last_report_at FROM switches WHERE id = ?`+s.dialect.forUpdate), switchID).
			Scan(&known, &cur, &last); err != nil {
			return notFound(err, "Command not found.")
		}
		var on int
		var status string
		var created int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT company_id, project_id, is_on, status, created_at FROM switch_events WHERE id = ? AND switch_id = ?`),
			cmdID, switchID).Scan(&out.CompanyID, &out.ProjectID, &on, &status, &created)
		if err != nil {
			return notFound(err, "Command not found.")
		}
		if status != domain.EventPending && status != domain.EventSuperseded {
			return nil
		}
		// The device answers a command it received: the reply cannot precede it,
		// whatever the clocks of two server processes say.
		stamp := max(micros(at), created)
		if last.Valid && last.Int64 > stamp {
			out.Stale = true
		} else {
			out.Changed = known == 0 || cur != on
			q := `UPDATE switches SET known = 1, is_on = ?, online = 1, offline_since = NULL, last_seen_at = ?, last_report_at = ?`
			args := []any{on, stamp, stamp}
			if out.Changed {
				q += `, last_change_at = ?`
				args = append(args, stamp)
			}
			if _, err := tx.ExecContext(ctx, s.q(q+` WHERE id = ?`), append(args, switchID)...); err != nil {
				return err
			}
		}
		// The device ran the command: a superseded one too, after all.
		if status == domain.EventPending {
			out.Confirmed = cmdID
		} else {
			out.Late = cmdID
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE switch_events SET status = 'confirmed', done_at = ?, happened_at = ? WHERE id = ?`), stamp, stamp, cmdID)
		return err
	})
	return out, err
}

// FailCommand marks command cmdID of switch switchID failed with the reason, if
// it is still pending, and reports whether it was.
func (view *DeviceView) FailCommand(ctx context.Context, switchID, cmdID int64, reason string) (bool, error) {
	s := view.s
	var failed bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE switch_events SET status = 'failed', error = ?, done_at = ? WHERE id = ? AND switch_id = ? AND status = 'pending'`),
			clip(reason, 200), micros(s.Now()), cmdID, switchID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		failed = n > 0
		return nil
	})
	return failed, err
}

// FailNewestCommand marks the newest pending command of switch switchID failed
// with the reason, for a device that refuses without saying which command it
// refuses (Tasmota). It returns the command's id, or 0 when none was pending.
func (view *DeviceView) FailNewestCommand(ctx context.Context, switchID int64, reason string) (int64, error) {
	s := view.s
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM switch_events WHERE switch_id = ? AND status = 'pending' ORDER BY id DESC LIMIT 1`+s.dialect.forUpdate),
			switchID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE switch_events SET status = 'failed', error = ?, done_at = ? WHERE id = ? AND status = 'pending'`),
			clip(reason, 200), micros(s.Now()), id)
		return err
	})
	return id, err
}

// ExpiredCommandReason is why a command past its expiry was failed.
const ExpiredCommandReason = "The switch did not confirm the command in time."

// ExpireCommands marks failed every pending command whose expiry has passed, of
// any tenant, and returns the projects whose switches changed. Every server
// process runs it, so that a command outlives its sending process by seconds at most.
func (view *DeviceView) ExpireCommands(ctx context.Context, now time.Time) ([]int64, error) {
	s := view.s
	var projects []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT DISTINCT project_id FROM switch_events WHERE status = 'pending' AND expires_at < ?`), micros(now))
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			projects = append(projects, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(projects) == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE switch_events SET status = 'failed', error = ?, done_at = expires_at WHERE status = 'pending' AND expires_at < ?`),
			ExpiredCommandReason, micros(now))
		return err
	})
	return projects, err
}

// CommandStatus returns the status of command cmdID and the reason it failed.
func (view *DeviceView) CommandStatus(ctx context.Context, cmdID int64) (status, reason string, err error) {
	s := view.s
	err = s.db.QueryRowContext(ctx, s.q(`SELECT status, error FROM switch_events WHERE id = ?`), cmdID).Scan(&status, &reason)
	return status, reason, notFound(err, "Command not found.")
}

// ---- commands

// Command is a new command for a switch.
type Command struct {
	Switch  *domain.Switch
	Event   *domain.SwitchEvent
	Project int64
}

// CommandPolicy bounds the commands of one switch.
type CommandPolicy struct {
	// TTL is how long a command may stay pending before any server process fails it.
	TTL time.Duration
	// Limit commands per Window, per switch, from all people together (0: no
	// limit): a relay wears with every switching, and a flood of commands helps nobody.
	Limit  int
	Window time.Duration
}

// StaffCommand records that the staff member wants switch id of the tenant on or
// off: it refuses at once when the switch is offline (ECONFLICT) or has had
// policy.Limit commands within policy.Window (ETOOMANY, with RetryAfter), supersedes
// the switch's pending commands and records the new one pending. Any staff member
// of the tenant may toggle; a switch of another tenant is ENOTFOUND.
func (view *StaffView) StaffCommand(ctx context.Context, id int64, on bool, policy CommandPolicy) (*Command, error) {
	s, staff := view.s, view.staff
	if err := staff.Require(""); err != nil {
		return nil, err
	}
	return s.command(ctx, eq("sw.company_id", staff.CompanyID()), id, on, policy, domain.ActorStaff, staff.UserID(), 0, staff.Name())
}

// PortalCommand is StaffCommand for a portal user: the switch must be one the
// Scope sees (ENOTFOUND otherwise, exactly like a missing one).
func (view *PortalView) PortalCommand(ctx context.Context, userName string, id int64, on bool, policy CommandPolicy) (*Command, error) {
	s, scope := view.s, view.scope
	return s.command(ctx, portalSwitches(scope), id, on, policy, domain.ActorPortal, 0, scope.PortalUserID(), userName)
}

// command commands switch id if it is among the switches sw (joined with their
// project p) that visible holds for, and is ENOTFOUND otherwise.
func (s *Store) command(ctx context.Context, visible cond, id int64, on bool, policy CommandPolicy, kind string, staffID, portalID int64, name string) (*Command, error) {
	c := and(eq("sw.id", id), visible)
	if c.matchesNothing() {
		return nil, domain.Errorf(domain.ENOTFOUND, "Switch not found.")
	}
	where, args := c.where()
	var out *Command
	err := s.tx(ctx, func(tx *sql.Tx) error {
		list, err := s.collectSwitches(ctx, tx, false, `SELECT `+switchColumns+` FROM switches sw
			JOIN projects p ON p.company_id = sw.company_id AND p.id = sw.project_id
			WHERE `+where+s.dialect.forUpdate, args...)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return domain.Errorf(domain.ENOTFOUND, "Switch not found.")
		}
		sw := list[0]
		if !sw.Online {
			return domain.Errorf(domain.ECONFLICT, "%s is offline. It can be turned on or off again once it is back online.", sw.Name)
		}
		now := s.Now()
		if err := s.commandAllowed(ctx, tx, sw, now, policy); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE switch_events SET status = 'superseded', done_at = ? WHERE switch_id = ? AND status = 'pending'`),
			micros(now), sw.ID); err != nil {
			return err
		}
		var expires any
		if policy.TTL > 0 {
			expires = micros(now.Add(policy.TTL))
		}
		ev := &domain.SwitchEvent{SwitchID: sw.ID, SwitchName: sw.Name, On: on, Status: domain.EventPending, ActorKind: kind, Who: name, At: now}
		ev.ID, err = s.insert(ctx, tx, `INSERT INTO switch_events (company_id, project_id, switch_id, is_on, status, actor_kind, staff_user_id, portal_user_id, actor_name, created_at, happened_at, expires_at)
			VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)`, sw.CompanyID, sw.ProjectID, sw.ID, b2i(on), kind, nullID(staffID), nullID(portalID), clip(name, 200), micros(now), micros(now), expires)
		if err != nil {
			return fmt.Errorf("store: record command: %w", err)
		}
		out = &Command{Switch: sw, Event: ev, Project: sw.ProjectID}
		return nil
	})
	return out, err
}

// commandAllowed returns ETOOMANY when the switch has had policy.Limit commands
// within policy.Window; the caller holds the switch row's lock, so that
// concurrent commands count each other.
func (s *Store) commandAllowed(ctx context.Context, tx *sql.Tx, sw *domain.Switch, now time.Time, policy CommandPolicy) error {
	if policy.Limit <= 0 || policy.Window <= 0 {
		return nil
	}
	since := micros(now.Add(-policy.Window))
	var n int
	var oldest sql.NullInt64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*), MIN(created_at) FROM switch_events
		WHERE switch_id = ? AND created_at > ? AND actor_kind <> 'external'`), sw.ID, since).Scan(&n, &oldest); err != nil {
		return err
	}
	if n < policy.Limit {
		return nil
	}
	wait := policy.Window
	if oldest.Valid {
		wait = fromMicros(oldest.Int64).Add(policy.Window).Sub(now)
	}
	secs := max(1, int((wait+time.Second-1)/time.Second))
	e := domain.Errorf(domain.ETOOMANY, "%s was switched %d times in the last %s. To spare the relay, wait %s and try again.",
		sw.Name, n, domain.Seconds(policy.Window), domain.Seconds(time.Duration(secs)*time.Second))
	e.RetryAfter = time.Duration(secs) * time.Second
	return e
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// clip cuts s to at most n bytes at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// PastSwitchEvent is a finished event of a switch's history, for the demo.
type PastSwitchEvent struct {
	On           bool
	Status       string // domain.EventConfirmed or domain.EventFailed
	ActorKind    string
	StaffUserID  int64
	PortalUserID int64
	ActorName    string
	Source       string
	At           time.Time
}

// AddSwitchHistory records finished events of switch id, as if they had
// happened at their times, and leaves the switch in the state of the last
// confirmed one. The demo uses it. Needs switches.manage.
func (view *StaffView) AddSwitchHistory(ctx context.Context, id int64, events []PastSwitchEvent) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.SwitchesManage); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var projectID int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT project_id FROM switches WHERE company_id = ? AND id = ?`), staff.CompanyID(), id).Scan(&projectID); err != nil {
			return notFound(err, "Switch not found.")
		}
		for _, e := range events {
			errText := ""
			if e.Status == domain.EventFailed {
				errText = "The switch did not confirm the command in time."
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO switch_events (company_id, project_id, switch_id, is_on, status, actor_kind, staff_user_id, portal_user_id,
				actor_name, source, error, created_at, done_at, happened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				staff.CompanyID(), projectID, id, b2i(e.On), e.Status, e.ActorKind, nullID(e.StaffUserID), nullID(e.PortalUserID), e.ActorName, e.Source, errText,
				micros(e.At), micros(e.At.Add(400*time.Millisecond)), micros(e.At)); err != nil {
				return err
			}
			if e.Status == domain.EventConfirmed {
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE switches SET known = 1, is_on = ?, last_change_at = ?, last_seen_at = ? WHERE id = ?`),
					b2i(e.On), micros(e.At), micros(e.At), id); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
