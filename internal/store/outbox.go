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

	"portico/internal/domain"
)

// Outbox statuses.
const (
	MailStatusQueued    = "queued"    // waiting for its first attempt
	MailStatusRetrying  = "retrying"  // an attempt failed; another is due at NextAttemptAt
	MailStatusSent      = "sent"      // delivered to the SMTP server (or the dev mailbox)
	MailStatusFailed    = "failed"    // given up: too many attempts, or undeliverable
	MailStatusCancelled = "cancelled" // withdrawn before delivery, e.g. the account was disconnected
)

// maxMailError bounds the stored error text; SMTP servers can be chatty.
const maxMailError = 1000

// OutboxMessage is one row of the outbox: what to send to whom, and what it is about.
type OutboxMessage struct {
	ID           int64
	CompanyID    int64
	Kind         string // a mail kind, e.g. "portal_invitation"
	To           string
	PortalUserID int64 // the portal user the message is about; 0 when none
	ClientID     int64 // the client the message is about; 0 when none
	Attempts     int   // attempts made before this one
	// MessageID is the left part of the message's Message-ID (the sender adds
	// "@" and its domain): made when the message is queued and the same on every
	// attempt. EnqueueMail makes one when it is empty.
	MessageID string
}

// MailState is the delivery state of one outbox row, as staff see it.
type MailState struct {
	Status        string // one of the MailStatus… constants
	LastError     string // the error of the latest failed attempt; "" once sent
	Attempts      int
	SentAt        time.Time // zero until sent
	NextAttemptAt time.Time
}

// DevMail is one email delivered to the demo mailbox.
type DevMail struct {
	ID          int64
	CompanyID   int64
	To          string
	Subject     string
	Text        string
	HTML        string
	DeliveredAt time.Time
}

// EnqueueMail writes an outbox row in its own transaction and returns its id. The
// message is due at once. It returns EINVALID without a kind or recipient.
func (s *Store) EnqueueMail(ctx context.Context, m OutboxMessage) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.enqueueMail(ctx, tx, m)
		return err
	})
	return id, err
}

// enqueueMail writes an outbox row in the caller's transaction and returns its id, so
// that the message exists exactly when the change that causes it does.
func (s *Store) enqueueMail(ctx context.Context, tx *sql.Tx, m OutboxMessage) (int64, error) {
	if strings.TrimSpace(m.Kind) == "" || strings.TrimSpace(m.To) == "" {
		return 0, domain.Errorf(domain.EINVALID, "A message needs a kind and a recipient.")
	}
	if m.MessageID == "" {
		m.MessageID = newMessageID()
	}
	now := micros(s.Now())
	id, err := s.insert(ctx, tx, `INSERT INTO outbox (company_id, kind, to_addr, portal_user_id, client_id, status, next_attempt_at, created_at, message_id)
		VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
		m.CompanyID, m.Kind, strings.TrimSpace(m.To), nullID(m.PortalUserID), nullID(m.ClientID), now, now, m.MessageID)
	if err != nil {
		return 0, fmt.Errorf("store: enqueue mail: %w", err)
	}
	return id, nil
}

// newMessageID returns a fresh, random left part of a Message-ID.
func newMessageID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ClaimMail leases up to limit due messages (queued or retrying, due now, not leased)
// to owner until now+lease and returns them. Of several processes claiming at once,
// each row goes to exactly one: a row is taken by a conditional UPDATE that only
// matches while the row is still unleased, so a loser's UPDATE simply matches
// nothing. A lease that runs out (its holder died) makes the row claimable again.
func (view *MailView) ClaimMail(ctx context.Context, owner string, lease time.Duration, limit int) ([]OutboxMessage, error) {
	s := view.s
	if owner == "" || lease <= 0 || limit <= 0 {
		return nil, fmt.Errorf("store: claim mail: need an owner, a lease and a limit")
	}
	now := micros(s.Now())
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id FROM outbox
		WHERE status IN ('queued', 'retrying') AND next_attempt_at <= ? AND lease_until < ?
		ORDER BY next_attempt_at, id LIMIT ?`), now, now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: due mail: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: due mail: %w", err)
	}

	until := micros(s.Now().Add(lease))
	var out []OutboxMessage
	for _, id := range ids {
		// Each claim is its own statement, not one transaction over the batch: no
		// locks are held across rows, so concurrent claimers cannot deadlock, and
		// RETURNING reads the row exactly as claimed.
		var m OutboxMessage
		var user, client sql.NullInt64
		err := s.wdb.QueryRowContext(ctx, s.q(`UPDATE outbox SET lease_owner = ?, lease_until = ?
			WHERE id = ? AND status IN ('queued', 'retrying') AND next_attempt_at <= ? AND lease_until < ?
			RETURNING id, company_id, kind, to_addr, portal_user_id, client_id, attempts, message_id`),
			owner, until, id, now, now).Scan(&m.ID, &m.CompanyID, &m.Kind, &m.To, &user, &client, &m.Attempts, &m.MessageID)
		if errors.Is(err, sql.ErrNoRows) {
			continue // another process was faster
		}
		if err != nil {
			return out, fmt.Errorf("store: claim mail %d: %w", id, err)
		}
		m.PortalUserID, m.ClientID = user.Int64, client.Int64
		out = append(out, m)
	}
	return out, nil
}

// ExtendMail renews owner's lease on those of ids it still holds, to now+lease: a
// live worker calls it while it works through a batch, so that its lease can be
// short and the messages of a worker that died are free again soon. Messages owner
// no longer holds (finished, or taken over after its lease ran out) are left alone.
func (view *MailView) ExtendMail(ctx context.Context, owner string, ids []int64, lease time.Duration) error {
	s := view.s
	if owner == "" || lease <= 0 {
		return fmt.Errorf("store: extend mail: need an owner and a lease")
	}
	c := and(eq("lease_owner", owner), in("id", ids))
	if c.matchesNothing() {
		return nil
	}
	where, args := c.where()
	args = append([]any{micros(s.Now().Add(lease))}, args...)
	if _, err := s.wdb.ExecContext(ctx, s.q(`UPDATE outbox SET lease_until = ? WHERE `+where), args...); err != nil {
		return fmt.Errorf("store: extend mail lease: %w", err)
	}
	return nil
}

// MailSent records a successful delivery attempt of message id by owner: status
// 'sent', sent_at, and an attempt row. It returns ECONFLICT, leaving the status as
// it is, when owner no longer holds the message's lease (it ran out and another
// process claimed the row), and ENOTFOUND when there is no such message.
func (view *MailView) MailSent(ctx context.Context, id int64, owner string) error {
	s := view.s
	now := micros(s.Now())
	return s.finishAttempt(ctx, id, owner, "", func(tx *sql.Tx) (sql.Result, error) {
		// A message cancelled while in flight was delivered all the same: say so.
		return tx.ExecContext(ctx, s.q(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,
			last_error = '', lease_owner = '', lease_until = 0
			WHERE id = ? AND lease_owner = ? AND status IN ('queued', 'retrying', 'cancelled')`), now, id, owner)
	})
}

// MailFailed records a failed delivery attempt of message id by owner: the error,
// one more attempt, and the lease released. Unless final, the message is 'retrying'
// and due again at retryAt; when final it is 'failed' for good. A message cancelled
// meanwhile stays cancelled. It returns ECONFLICT when owner no longer holds the
// lease, and ENOTFOUND when there is no such message.
func (view *MailView) MailFailed(ctx context.Context, id int64, owner, errText string, retryAt time.Time, final bool) error {
	s := view.s
	errText = clipMailError(errText, maxMailError)
	if errText == "" {
		errText = "unknown error"
	}
	status, next := MailStatusRetrying, micros(retryAt)
	if final {
		status, next = MailStatusFailed, micros(s.Now())
	}
	return s.finishAttempt(ctx, id, owner, errText, func(tx *sql.Tx) (sql.Result, error) {
		return tx.ExecContext(ctx, s.q(`UPDATE outbox SET
			status = CASE WHEN status = 'cancelled' THEN 'cancelled' ELSE ? END,
			attempts = attempts + 1, last_error = ?, next_attempt_at = ?, lease_owner = '', lease_until = 0
			WHERE id = ? AND lease_owner = ? AND status IN ('queued', 'retrying', 'cancelled')`),
			status, errText, next, id, owner)
	})
}

// finishAttempt runs update and records the attempt in one transaction. The attempt
// row is written even when a stale owner's update is refused: the attempt did
// happen, and the history should show it.
func (s *Store) finishAttempt(ctx context.Context, id int64, owner, errText string, update func(tx *sql.Tx) (sql.Result, error)) error {
	var stale bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := update(tx)
		if err != nil {
			return fmt.Errorf("store: mail %d: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: mail %d: %w", id, err)
		}
		if n == 0 {
			var one int
			err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM outbox WHERE id = ?`), id).Scan(&one)
			if err != nil {
				return notFound(err, "Message not found.")
			}
			stale = true
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO outbox_attempts (outbox_id, at, error) VALUES (?, ?, ?)`),
			id, micros(s.Now()), errText); err != nil {
			return fmt.Errorf("store: mail %d attempt: %w", id, err)
		}
		return nil
	})
	if err == nil && stale {
		return domain.Errorf(domain.ECONFLICT, "The message is no longer leased by %s.", owner)
	}
	return err
}

// ReleaseMail gives up owner's lease on message id without counting an attempt, so
// that another process can take it at once; a worker that is shutting down calls it
// for the messages it claimed but did not start. Releasing a message owner does not
// hold is a no-op.
func (view *MailView) ReleaseMail(ctx context.Context, id int64, owner string) error {
	s := view.s
	_, err := s.wdb.ExecContext(ctx, s.q(`UPDATE outbox SET lease_owner = '', lease_until = 0
		WHERE id = ? AND lease_owner = ? AND status IN ('queued', 'retrying')`), id, owner)
	if err != nil {
		return fmt.Errorf("store: release mail %d: %w", id, err)
	}
	return nil
}

// OutboxDepth counts the outbox rows of every tenant still to be delivered, by
// status (MailStatusQueued, MailStatusRetrying); a status with no rows is 0. It
// serves the outbox depth metric and says nothing of any one tenant.
func (view *MailView) OutboxDepth(ctx context.Context) (map[string]int, error) {
	s := view.s
	rows, err := s.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox WHERE status IN ('queued', 'retrying') GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: outbox depth: %w", err)
	}
	defer rows.Close()
	out := map[string]int{MailStatusQueued: 0, MailStatusRetrying: 0}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("store: outbox depth: %w", err)
		}
		out[status] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: outbox depth: %w", err)
	}
	return out, nil
}

// MailStates returns the delivery state of the company's outbox rows among ids,
// keyed by id. Ids that are missing or belong to another company are absent from
// the map.
func (view *StaffView) MailStates(ctx context.Context, ids []int64) (map[int64]MailState, error) {
	s, companyID := view.s, view.staff.CompanyID()
	out := make(map[int64]MailState, len(ids))
	const chunk = 500
	for len(ids) > 0 {
		part := ids[:min(chunk, len(ids))]
		ids = ids[len(part):]
		where, args := and(eq("company_id", companyID), in("id", part)).where()
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, status, last_error, attempts, sent_at, next_attempt_at
			FROM outbox WHERE `+where), args...)
		if err != nil {
			return nil, fmt.Errorf("store: mail states: %w", err)
		}
		for rows.Next() {
			var id, next int64
			var sent sql.NullInt64
			var st MailState
			if err := rows.Scan(&id, &st.Status, &st.LastError, &st.Attempts, &sent, &next); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: mail states: %w", err)
			}
			st.SentAt, st.NextAttemptAt = nullMicros(sent), fromMicros(next)
			out[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: mail states: %w", err)
		}
	}
	return out, nil
}

// CancelMailTo withdraws, in the caller's transaction, every undelivered message
// (queued or retrying) about the company's portal user: nothing is sent to an
// account after it was disconnected. A message already being delivered is not
// stopped; MailSent then records that it went out.
func (s *Store) CancelMailTo(ctx context.Context, tx *sql.Tx, companyID, portalUserID int64) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE outbox SET status = 'cancelled'
		WHERE company_id = ? AND portal_user_id = ? AND status IN ('queued', 'retrying')`), companyID, portalUserID)
	if err != nil {
		return fmt.Errorf("store: cancel mail to portal user %d: %w", portalUserID, err)
	}
	return nil
}

// AddDevMail stores an email delivered in demo mode in the company's dev mailbox.
func (view *MailView) AddDevMail(ctx context.Context, companyID int64, to, subject, text, html string) error {
	s := view.s
	_, err := s.wdb.ExecContext(ctx, s.q(`INSERT INTO dev_mailbox (company_id, to_addr, subject, text_body, html_body, delivered_at)
		VALUES (?, ?, ?, ?, ?, ?)`), companyID, to, subject, text, html, micros(s.Now()))
	if err != nil {
		return fmt.Errorf("store: add dev mail: %w", err)
	}
	return nil
}

// DevMailbox lists one page of the tenant's dev mailbox, newest first.
func (view *StaffView) DevMailbox(ctx context.Context, opts domain.ListOptions) ([]DevMail, domain.PageInfo, error) {
	s, companyID := view.s, view.staff.CompanyID()
	opts = opts.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM dev_mailbox WHERE company_id = ?`), companyID).Scan(&info.Total); err != nil {
		return nil, info, fmt.Errorf("store: count dev mail: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, company_id, to_addr, subject, text_body, html_body, delivered_at
		FROM dev_mailbox WHERE company_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`), companyID, opts.PerPage, opts.Offset())
	if err != nil {
		return nil, info, fmt.Errorf("store: dev mail: %w", err)
	}
	defer rows.Close()
	var out []DevMail
	for rows.Next() {
		var m DevMail
		var at int64
		if err := rows.Scan(&m.ID, &m.CompanyID, &m.To, &m.Subject, &m.Text, &m.HTML, &at); err != nil {
			return nil, info, fmt.Errorf("store: dev mail: %w", err)
		}
		m.DeliveredAt = fromMicros(at)
		out = append(out, m)
	}
	return out, info, rows.Err()
}

// clipMailError shortens s to at most n bytes, ending in "…", without splitting a
// character.
func clipMailError(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if i > n-len("…") {
			break
		}
		cut = i
	}
	return s[:cut] + "…"
}
