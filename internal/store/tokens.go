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

// Tokens and sessions belong either to a staff user or to a portal user; the
// column says which. It is always one of these two constants, never input.
const (
	staffCol  = "staff_user_id"
	portalCol = "portal_user_id"
)

// createToken stores a one-time link for the user under tokenHash and invalidates
// every older link of theirs with the same purpose.
func (s *Store) createToken(ctx context.Context, tx *sql.Tx, col string, companyID, userID int64, purpose, tokenHash string, ttl time.Duration) error {
	now := s.Now()
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM one_time_tokens WHERE company_id = ? AND `+col+` = ? AND purpose = ?`),
		companyID, userID, purpose); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO one_time_tokens (token_hash, company_id, `+col+`, purpose, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`), tokenHash, companyID, userID, purpose, micros(now), micros(now.Add(ttl)))
	if err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	return nil
}

// tokenOwner returns the company and user of a live one-time link without using
// it, or ENOTFOUND when the link is unknown, used, superseded or expired.
func (s *Store) tokenOwner(ctx context.Context, col, tokenHash, purpose string) (companyID, userID int64, err error) {
	var expires int64
	err = s.db.QueryRowContext(ctx, s.q(`SELECT company_id, `+col+`, expires_at FROM one_time_tokens
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND `+col+` IS NOT NULL`), tokenHash, purpose).Scan(&companyID, &userID, &expires)
	if err != nil {
		return 0, 0, notFound(err, "This link is no longer valid.")
	}
	if s.Now().After(fromMicros(expires)) {
		return 0, 0, domain.Errorf(domain.ENOTFOUND, "This link has expired.")
	}
	return companyID, userID, nil
}

// redeemToken marks a live link used, in the caller's transaction, and returns its
// owner. Only a link still unused and unexpired matches the UPDATE, so of many
// concurrent submissions exactly one wins; the others get ENOTFOUND.
func (s *Store) redeemToken(ctx context.Context, tx *sql.Tx, col, tokenHash, purpose string) (companyID, userID int64, err error) {
	now := micros(s.Now())
	err = tx.QueryRowContext(ctx, s.q(`UPDATE one_time_tokens SET used_at = ?
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at >= ? AND `+col+` IS NOT NULL
		RETURNING company_id, `+col), now, tokenHash, purpose, now).Scan(&companyID, &userID)
	if err != nil {
		return 0, 0, notFound(err, "This link is no longer valid.")
	}
	return companyID, userID, nil
}

// CreateStaffToken stores a one-time link for the staff user under tokenHash and
// invalidates every older link of theirs with the same purpose.
func (s *Store) CreateStaffToken(ctx context.Context, companyID, userID int64, purpose, tokenHash string, ttl time.Duration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return s.createToken(ctx, tx, staffCol, companyID, userID, purpose, tokenHash, ttl)
	})
}

// StaffTokenUser returns the staff user a live one-time link belongs to without
// using it, or ENOTFOUND when the link is unknown, used, superseded or expired.
func (s *Store) StaffTokenUser(ctx context.Context, tokenHash, purpose string) (*domain.StaffUser, error) {
	companyID, userID, err := s.tokenOwner(ctx, staffCol, tokenHash, purpose)
	if err != nil {
		return nil, err
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
		companyID, userID, err := s.redeemToken(ctx, tx, staffCol, tokenHash, purpose)
		if err != nil {
			return err
		}
		if err := s.setStaffPassword(ctx, tx, companyID, userID, passwordHash); err != nil {
			return err
		}
		u, err = scanStaff(tx.QueryRowContext(ctx, s.q(`SELECT `+staffColumns+` FROM staff_users WHERE company_id = ? AND id = ?`), companyID, userID))
		return err
	})
	return u, err
}
