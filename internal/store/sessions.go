package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"portico/internal/domain"
)

// Session is a signed-in browser. Only the hash of its cookie token is stored.
type Session struct {
	ID          int64
	CompanyID   int64
	StaffUserID int64
	CreatedAt   time.Time
	LastSeenAt  time.Time
	ExpiresAt   time.Time // absolute expiry
}

// CreateStaffSession stores a new session for the staff user under tokenHash, and
// records the sign-in time.
func (s *Store) CreateStaffSession(ctx context.Context, companyID, userID int64, tokenHash string, absolute time.Duration) error {
	now := s.Now()
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO sessions (token_hash, company_id, staff_user_id, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`), tokenHash, companyID, userID, micros(now), micros(now), micros(now.Add(absolute)))
		if err != nil {
			return fmt.Errorf("store: create session: %w", err)
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE staff_users SET last_login_at = ? WHERE company_id = ? AND id = ?`), micros(now), companyID, userID)
		return err
	})
}

// StaffSession returns the live session stored under tokenHash with its enabled
// staff user and company. A session idle for longer than idle, past its absolute
// expiry, or whose user is disabled is deleted and reported as EUNAUTHORIZED. The
// last-seen time is refreshed at most once a minute.
func (s *Store) StaffSession(ctx context.Context, tokenHash string, idle time.Duration) (*domain.StaffUser, *domain.Company, error) {
	var sess Session
	var lastSeen, expires int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, company_id, staff_user_id, last_seen_at, expires_at
		FROM sessions WHERE token_hash = ? AND staff_user_id IS NOT NULL`), tokenHash).
		Scan(&sess.ID, &sess.CompanyID, &sess.StaffUserID, &lastSeen, &expires)
	if err != nil {
		return nil, nil, notFoundAs(err, domain.EUNAUTHORIZED, "Please sign in.")
	}
	now := s.Now()
	if now.After(fromMicros(expires)) || now.Sub(fromMicros(lastSeen)) > idle {
		s.DeleteSession(ctx, tokenHash)
		return nil, nil, domain.Errorf(domain.EUNAUTHORIZED, "Your session has expired. Please sign in again.")
	}
	u, err := s.StaffUser(ctx, sess.CompanyID, sess.StaffUserID)
	if err != nil || u.Disabled {
		s.DeleteSession(ctx, tokenHash)
		return nil, nil, domain.Errorf(domain.EUNAUTHORIZED, "Please sign in.")
	}
	c, err := s.Company(ctx, sess.CompanyID)
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(fromMicros(lastSeen)) > time.Minute {
		if _, err := s.wdb.ExecContext(ctx, s.q(`UPDATE sessions SET last_seen_at = ? WHERE id = ?`), micros(now), sess.ID); err != nil {
			return nil, nil, fmt.Errorf("store: touch session: %w", err)
		}
	}
	return u, c, nil
}

// DeleteSession removes the session stored under tokenHash, if any.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.wdb.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash)
	return err
}

// CountStaffSessions returns how many sessions the staff user has open.
func (view *StaffView) CountStaffSessions(ctx context.Context, userID int64) (int, error) {
	s, staff := view.s, view.staff
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM sessions WHERE company_id = ? AND staff_user_id = ?`), staff.CompanyID(), userID).Scan(&n)
	return n, err
}

// notFoundAs turns sql.ErrNoRows into an error with the given code.
func notFoundAs(err error, code, msg string) error {
	if err == sql.ErrNoRows {
		return domain.Errorf(code, "%s", msg)
	}
	return err
}
