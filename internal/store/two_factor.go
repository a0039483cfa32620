package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
)

// PurposeTwoFactor marks the short-lived one-time token that carries a sign-in
// from the password step to the code step. It is never a link.
const PurposeTwoFactor = "two_factor"

// Account names whose second factor a method reads or changes: a staff user or a
// portal user of a tenant. Sign-in code builds it from the account it has just
// read, the account pages from the request's principal.
type Account struct {
	CompanyID int64
	UserID    int64
	Portal    bool // a portal user; a staff user otherwise
	// Actor is the staff member changing their own second factor; when set,
	// turning it on or off and new recovery codes are recorded in the audit log
	// in the same transaction. Zero for portal users and for sign-in.
	Actor access.Staff
}

// record writes the audit entry of a change to the account's second factor when
// a staff member makes it on their own account.
func (s *Store) record(ctx context.Context, tx *sql.Tx, a Account, action string) error {
	if a.Portal || !a.Actor.Can("") || a.Actor.UserID() != a.UserID || a.Actor.CompanyID() != a.CompanyID {
		return nil
	}
	var email string
	if err := tx.QueryRowContext(ctx, s.q(`SELECT email FROM staff_users WHERE company_id = ? AND id = ?`), a.CompanyID, a.UserID).Scan(&email); err != nil {
		return fmt.Errorf("store: audit two-factor: %w", err)
	}
	return s.audit(ctx, tx, a.Actor, action, email)
}

// table and col are constants chosen by the kind of account, never input.
func (a Account) table() string {
	if a.Portal {
		return "portal_users"
	}
	return "staff_users"
}

func (a Account) col() string {
	if a.Portal {
		return portalCol
	}
	return staffCol
}

// TwoFactor is an account's second-factor state.
type TwoFactor struct {
	Email     string
	Disabled  bool   // a disabled staff user (portal users have no such state)
	Secret    string // base32 TOTP secret; "" when none
	EnabledAt time.Time
	LastStep  int64 // time step of the last accepted code
	CodesLeft int   // unused recovery codes
}

// Enabled reports whether sign-in asks this account for a code.
func (t *TwoFactor) Enabled() bool { return !t.EnabledAt.IsZero() }

// Pending reports whether an enrolment waits for its first code.
func (t *TwoFactor) Pending() bool { return t.Secret != "" && t.EnabledAt.IsZero() }

// TwoFactorOf returns the account's second-factor state, or ENOTFOUND.
func (s *Store) TwoFactorOf(ctx context.Context, a Account) (*TwoFactor, error) {
	disabled := "FALSE"
	if !a.Portal {
		disabled = "disabled_at IS NOT NULL"
	}
	var t TwoFactor
	var enabled sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT email, `+disabled+`, totp_secret, totp_enabled_at, totp_last_step,
		(SELECT COUNT(*) FROM recovery_codes r WHERE r.company_id = u.company_id AND r.`+a.col()+` = u.id AND r.used_at IS NULL)
		FROM `+a.table()+` u WHERE company_id = ? AND id = ?`), a.CompanyID, a.UserID).
		Scan(&t.Email, &t.Disabled, &t.Secret, &enabled, &t.LastStep, &t.CodesLeft)
	if err != nil {
		return nil, notFound(err, "Account not found.")
	}
	t.EnabledAt = nullMicros(enabled)
	return &t, nil
}

// StartTwoFactor stores a new secret for an enrolment that waits for its first
// code, replacing an earlier unconfirmed one. ECONFLICT when two-factor sign-in
// is on already.
func (s *Store) StartTwoFactor(ctx context.Context, a Account, secret string) error {
	res, err := s.wdb.ExecContext(ctx, s.q(`UPDATE `+a.table()+` SET totp_secret = ?, totp_last_step = 0
		WHERE company_id = ? AND id = ? AND totp_enabled_at IS NULL`), secret, a.CompanyID, a.UserID)
	if err := mustAffect(res, err, ""); err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Errorf(domain.ECONFLICT, "Two-factor sign-in is already on.")
		}
		return err
	}
	return nil
}

// EnableTwoFactor turns two-factor sign-in on with the pending secret, whose code
// of time step step was just typed, and stores the recovery codes' hashes in
// place of any older ones. ECONFLICT when the secret is no longer the pending one
// (another enrolment started, or it was confirmed already).
func (s *Store) EnableTwoFactor(ctx context.Context, a Account, secret string, step int64, codeHashes []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE `+a.table()+` SET totp_enabled_at = ?, totp_last_step = ?
			WHERE company_id = ? AND id = ? AND totp_secret = ? AND totp_enabled_at IS NULL`), micros(s.Now()), step, a.CompanyID, a.UserID, secret)
		if err := mustAffect(res, err, ""); err != nil {
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return domain.Errorf(domain.ECONFLICT, "This set-up is no longer current. Please start again.")
			}
			return err
		}
		if err := s.replaceRecoveryCodes(ctx, tx, a, codeHashes); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "account.two_factor_on")
	})
}

// AcceptTwoFactorStep records that a code of time step step was used, and
// reports false when the account has two-factor sign-in off or has accepted a
// code of this step or a later one already: a code works once, even when two
// requests race with it.
func (s *Store) AcceptTwoFactorStep(ctx context.Context, a Account, step int64) (bool, error) {
	res, err := s.wdb.ExecContext(ctx, s.q(`UPDATE `+a.table()+` SET totp_last_step = ?
		WHERE company_id = ? AND id = ? AND totp_enabled_at IS NOT NULL AND totp_last_step < ?`), step, a.CompanyID, a.UserID, step)
	if err != nil {
		return false, fmt.Errorf("store: accept code: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UseRecoveryCode marks the account's unused recovery code with the hash used,
// and reports false when there is none: each code works once.
func (s *Store) UseRecoveryCode(ctx context.Context, a Account, codeHash string) (bool, error) {
	res, err := s.wdb.ExecContext(ctx, s.q(`UPDATE recovery_codes SET used_at = ?
		WHERE company_id = ? AND `+a.col()+` = ? AND code_hash = ? AND used_at IS NULL`), micros(s.Now()), a.CompanyID, a.UserID, codeHash)
	if err != nil {
		return false, fmt.Errorf("store: use recovery code: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReplaceRecoveryCodes stores new recovery codes' hashes in place of all the
// account's older ones.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, a Account, codeHashes []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.replaceRecoveryCodes(ctx, tx, a, codeHashes); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "account.recovery_codes")
	})
}

func (s *Store) replaceRecoveryCodes(ctx context.Context, tx *sql.Tx, a Account, codeHashes []string) error {
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM recovery_codes WHERE company_id = ? AND `+a.col()+` = ?`), a.CompanyID, a.UserID); err != nil {
		return fmt.Errorf("store: recovery codes: %w", err)
	}
	now := micros(s.Now())
	for _, h := range codeHashes {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO recovery_codes (company_id, `+a.col()+`, code_hash, created_at) VALUES (?, ?, ?, ?)`),
			a.CompanyID, a.UserID, h, now); err != nil {
			return fmt.Errorf("store: recovery codes: %w", err)
		}
	}
	return nil
}

// DisableTwoFactor turns the account's two-factor sign-in off: the secret, its
// last step and the recovery codes are gone, as are pending code steps of
// sign-ins under way. ENOTFOUND for an unknown account.
func (s *Store) DisableTwoFactor(ctx context.Context, a Account) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.disableTwoFactor(ctx, tx, a); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "account.two_factor_off")
	})
}

func (s *Store) disableTwoFactor(ctx context.Context, tx *sql.Tx, a Account) error {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE `+a.table()+` SET totp_secret = '', totp_enabled_at = NULL, totp_last_step = 0
		WHERE company_id = ? AND id = ?`), a.CompanyID, a.UserID)
	if err := mustAffect(res, err, "Account not found."); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM recovery_codes WHERE company_id = ? AND ` + a.col() + ` = ?`,
		`DELETE FROM one_time_tokens WHERE company_id = ? AND ` + a.col() + ` = ? AND purpose = '` + PurposeTwoFactor + `'`,
	} {
		if _, err := tx.ExecContext(ctx, s.q(q), a.CompanyID, a.UserID); err != nil {
			return err
		}
	}
	return nil
}

// ResetStaffTwoFactor turns off the second factor of a staff user of the
// member's tenant (one who lost their phone), so that they sign in with their
// password and set it up again. ENOTFOUND for a user of another tenant.
func (t *StaffTx) ResetStaffTwoFactor(ctx context.Context, userID int64) error {
	return t.s.disableTwoFactor(ctx, t.tx, Account{CompanyID: t.staff.CompanyID(), UserID: userID})
}

// ResetPortalTwoFactor turns off the second factor of a portal user of the
// member's tenant. ENOTFOUND for a user of another tenant.
func (t *StaffTx) ResetPortalTwoFactor(ctx context.Context, userID int64) error {
	return t.s.disableTwoFactor(ctx, t.tx, Account{CompanyID: t.staff.CompanyID(), UserID: userID, Portal: true})
}

// CreateSignInToken stores the token that carries a sign-in whose password was
// right to its code step, replacing the account's earlier ones.
func (s *Store) CreateSignInToken(ctx context.Context, a Account, tokenHash string, ttl time.Duration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return s.createToken(ctx, tx, a.col(), a.CompanyID, a.UserID, PurposeTwoFactor, tokenHash, ttl)
	})
}

// SignInTokenAccount returns the account of a live sign-in token without using
// it, or ENOTFOUND when it is unknown, used, superseded or expired. portal says
// which kind of account the caller expects.
func (s *Store) SignInTokenAccount(ctx context.Context, tokenHash string, portal bool) (Account, error) {
	a := Account{Portal: portal}
	var err error
	a.CompanyID, a.UserID, err = s.tokenOwner(ctx, a.col(), tokenHash, PurposeTwoFactor)
	return a, err
}

// FinishSignIn uses the sign-in token and opens the account's session under
// sessionHash in one transaction. Of concurrent finishes exactly one succeeds;
// the others get ENOTFOUND.
func (s *Store) FinishSignIn(ctx context.Context, a Account, tokenHash, sessionHash string, absolute time.Duration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		cid, uid, err := s.redeemToken(ctx, tx, a.col(), tokenHash, PurposeTwoFactor)
		if err != nil {
			return err
		}
		if cid != a.CompanyID || uid != a.UserID {
			return domain.Errorf(domain.ENOTFOUND, "This sign-in is no longer valid.")
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO sessions (token_hash, company_id, `+a.col()+`, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`), sessionHash, a.CompanyID, a.UserID, micros(now), micros(now), micros(now.Add(absolute))); err != nil {
			return fmt.Errorf("store: create session: %w", err)
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE `+a.table()+` SET last_login_at = ? WHERE company_id = ? AND id = ?`), micros(now), a.CompanyID, a.UserID)
		return err
	})
}

// SetTwoFactorRequired sets whether every staff member of the tenant must sign
// in with a second factor, recorded in the audit log. Needs users.manage.
func (view *StaffView) SetTwoFactorRequired(ctx context.Context, required bool) error {
	s, staff := view.s, view.staff
	return view.Tx(ctx, access.UsersManage, func(t *StaffTx) error {
		res, err := t.tx.ExecContext(ctx, s.q(`UPDATE companies SET require_two_factor = ? WHERE id = ?`), required, staff.CompanyID())
		if err := mustAffect(res, err, "Company not found."); err != nil {
			return err
		}
		what := "off"
		if required {
			what = "on"
		}
		return t.Audit(ctx, "company.require_two_factor", "Two-factor sign-in for all staff "+what)
	})
}
