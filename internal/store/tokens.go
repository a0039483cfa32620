package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"portico/internal/domain"
)

// Purposes of one-time links.
const (
	PurposeActivation = "activation"
	PurposeReset      = "reset"
)

// CreateStaffToken stores a one-time link for the staff user under tokenHash and
// invalidates every older link of theirs with the same purpose.
func (s *Store) CreateStaffToken(ctx context.Context, companyID, userID int64, purpose, tokenHash string, ttl time.Duration) error {
	now := s.Now()
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM one_time_tokens WHERE company_id = ? AND staff_user_id = ? AND purpose = ?`),
			companyID, userID, purpose); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO one_time_tokens (token_hash, company_id, staff_user_id, purpose, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`), tokenHash, companyID, userID, purpose, micros(now), micros(now.Add(ttl)))
		if err != nil {
			return fmt.Errorf("store: create token: %w", err)
		}
		return nil
	})
}

// StaffTokenUser returns the staff user a live one-time link belongs to without
// using it, or ENOTFOUND when the link is unknown, used, superseded or expired.
func (s *Store) StaffTokenUser(ctx context.Context, tokenHash, purpose string) (*domain.StaffUser, error) {
	var companyID, userID, expires int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT company_id, staff_user_id, expires_at FROM one_time_tokens
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND staff_user_id IS NOT NULL`), tokenHash, purpose).Scan(&companyID, &userID, &expires)
	if err != nil {
		return nil, notFound(err, "This link is no longer valid.")
	}
	if s.Now().After(fromMicros(expires)) {
		return nil, domain.Errorf(domain.ENOTFOUND, "This link has expired.")
	}
	return s.StaffUser(ctx, companyID, userID)
}

// RedeemStaffToken uses a one-time link: in one transaction it marks the link used
// (only if it is still live, so that of many concurrent submissions exactly one wins),
// sets the password hash and ends the user's sessions and other links. It returns the
// user, or ENOTFOUND when the link is not live.
func (s *Store) RedeemStaffToken(ctx context.Context, tokenHash, purpose, passwordHash string) (*domain.StaffUser, error) {
	var u *domain.StaffUser
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var companyID, userID int64
		err := tx.QueryRowContext(ctx, s.q(`UPDATE one_time_tokens SET used_at = ?
			WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at >= ? AND staff_user_id IS NOT NULL
			RETURNING company_id, staff_user_id`), micros(s.Now()), tokenHash, purpose, micros(s.Now())).Scan(&companyID, &userID)
		if err != nil {
			return notFound(err, "This link is no longer valid.")
		}
		if err := s.setStaffPassword(ctx, tx, companyID, userID, passwordHash); err != nil {
			return err
		}
		u, err = scanStaff(tx.QueryRowContext(ctx, s.q(`SELECT `+staffColumns+` FROM staff_users WHERE company_id = ? AND id = ?`), companyID, userID))
		return err
	})
	return u, err
}
