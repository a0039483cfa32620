package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"portico/internal/access"
	"portico/internal/auth"
	"portico/internal/domain"
	"portico/internal/store"
)

// Two-factor sign-in: a code from an authenticator app (TOTP, RFC 6238) after the
// password, for staff and portal users alike. A sign-in whose password was right
// gets no session but a short-lived single-use token for its code step; wrong
// codes count against the same limits as wrong passwords, and a code whose time
// step is not newer than the last accepted one is refused, so a code works once.

// errSignInExpired is the answer for a code step whose sign-in token is unknown,
// used, superseded or expired: the user starts again with their password.
var errSignInExpired = domain.Errorf(domain.ENOTFOUND, "Your sign-in has expired. Please sign in again.")

// errBadCode is the one answer for a wrong, used or malformed code.
var errBadCode = &domain.Error{Code: domain.EUNAUTHORIZED, Message: "The code is not correct.",
	Fields: map[string]string{"code": "The code is not correct."}}

// SignInResult is what the password step of a sign-in gives: a session, or, for
// an account with two-factor sign-in on, the token of its code step.
type SignInResult struct {
	Session string // the new session's cookie token
	Pending string // the code step's token (valid auth.TwoFactorPendingTTL)
}

// StaffSignInCode finishes a staff sign-in waiting for its second factor with a
// code from the authenticator app or a recovery code, and returns the new
// session's token. pending is the token the password step gave. Wrong codes count
// against the account's and the IP's sign-in limits (ETOOMANY past them,
// EUNAUTHORIZED with a message for the code field otherwise); an expired or used
// token is ENOTFOUND.
func (a *App) StaffSignInCode(ctx context.Context, pending, code, ip string) (string, error) {
	acct, err := a.store.SignInTokenAccount(ctx, auth.HashToken(pending), false)
	if err != nil {
		return "", signInExpired(err)
	}
	c, err := a.store.Company(ctx, acct.CompanyID)
	if err != nil {
		return "", signInExpired(err)
	}
	tf, err := a.store.TwoFactorOf(ctx, acct)
	if err != nil || tf.Disabled {
		return "", signInExpired(err)
	}
	return a.finishSignIn(ctx, acct, tf, "staff:"+c.Slug+":"+tf.Email, pending, code, ip)
}

// PortalSignInCode finishes a portal sign-in of the tenant waiting for its
// second factor, as StaffSignInCode does for staff.
func (a *App) PortalSignInCode(ctx context.Context, company *domain.Company, pending, code, ip string) (string, error) {
	acct, err := a.store.SignInTokenAccount(ctx, auth.HashToken(pending), true)
	if err != nil {
		return "", signInExpired(err)
	}
	if acct.CompanyID != company.ID {
		return "", errSignInExpired
	}
	tf, err := a.store.TwoFactorOf(ctx, acct)
	if err != nil {
		return "", signInExpired(err)
	}
	return a.finishSignIn(ctx, acct, tf, fmt.Sprintf("portal:%d:%s", company.ID, tf.Email), pending, code, ip)
}

// signInExpired keeps unexpected errors and turns the rest into errSignInExpired.
func signInExpired(err error) error {
	if err == nil || domain.ErrorCode(err) != "" {
		return errSignInExpired
	}
	return err
}

func (a *App) finishSignIn(ctx context.Context, acct store.Account, tf *store.TwoFactor, acctKey, pending, code, ip string) (string, error) {
	if err := a.secondFactor(ctx, acct, tf, acctKey, ip, code, true); err != nil {
		return "", err
	}
	session, sessionHash := auth.NewToken()
	if err := a.store.FinishSignIn(ctx, acct, auth.HashToken(pending), sessionHash, auth.SessionAbsolute); err != nil {
		return "", signInExpired(err)
	}
	a.Log.InfoContext(ctx, "signed in with a second factor", "company", acct.CompanyID, "user", acct.UserID, "portal", acct.Portal)
	return session, nil
}

// secondFactor checks a code under the sign-in limits: past them ETOOMANY without
// looking at the code; a wrong code is recorded against the account and the IP
// and answered with errBadCode; a right one clears the account's failures.
func (a *App) secondFactor(ctx context.Context, acct store.Account, tf *store.TwoFactor, acctKey, ip, code string, recovery bool) error {
	ipKey := "ip:" + ip
	if err := a.checkRate(ctx, acctKey, ipKey); err != nil {
		return err
	}
	ok, err := a.checkCode(ctx, acct, tf, code, recovery)
	if err != nil {
		return err
	}
	if !ok {
		if err := a.store.RecordLoginFailure(ctx, acctKey, ipKey); err != nil {
			return err
		}
		return errBadCode
	}
	return a.store.ClearLoginFailures(ctx, acctKey)
}

// checkCode reports whether code is a current authenticator code of the account
// not used before, or (when recovery is true) one of its unused recovery codes;
// either is used up by a true answer.
func (a *App) checkCode(ctx context.Context, acct store.Account, tf *store.TwoFactor, code string, recovery bool) (bool, error) {
	if !tf.Enabled() {
		return false, nil
	}
	code = auth.CleanCode(code)
	if auth.IsTOTPCode(code) {
		step := auth.TOTPStep(tf.Secret, code, a.store.Now())
		if step == 0 || step <= tf.LastStep {
			return false, nil
		}
		return a.store.AcceptTwoFactorStep(ctx, acct, step)
	}
	if h, ok := auth.RecoveryCodeHash(code); ok && recovery {
		return a.store.UseRecoveryCode(ctx, acct, h)
	}
	return false, nil
}

// TwoFactorStatus is what an account's security page shows.
type TwoFactorStatus struct {
	Enabled   bool
	EnabledAt time.Time
	CodesLeft int  // unused recovery codes
	Required  bool // the tenant requires it of its staff: it cannot be turned off
	// Setup is an enrolment waiting for its first code; nil when none.
	Setup *TwoFactorSetup
}

// TwoFactorSetup is what an authenticator app needs: the QR code to scan and the
// same secret as text, for typing in.
type TwoFactorSetup struct {
	Secret string // base32, in groups of four
	QR     string // a data: URI of a PNG
}

// account is one account whose second factor a use case changes, with what it
// needs to label, limit and confirm it.
type account struct {
	acct     store.Account
	tf       *store.TwoFactor
	issuer   string // the label in the authenticator app
	rateKey  string // the sign-in limits' account key
	required bool
	password func() (string, error) // the account's password hash
}

func (a *App) staffAccount(ctx context.Context, staff access.Staff) (*account, error) {
	c, err := a.store.Company(ctx, staff.CompanyID())
	if err != nil {
		return nil, err
	}
	acct := store.Account{CompanyID: staff.CompanyID(), UserID: staff.UserID(), Actor: staff}
	tf, err := a.store.TwoFactorOf(ctx, acct)
	if err != nil {
		return nil, err
	}
	return &account{acct: acct, tf: tf, issuer: "Portico (" + c.Name + ")", rateKey: "staff:" + c.Slug + ":" + tf.Email,
		required: c.RequireTwoFactor, password: func() (string, error) {
			_, hash, err := a.store.StaffCredentials(ctx, c.ID, tf.Email)
			return hash, err
		}}, nil
}

func (a *App) portalAccount(ctx context.Context, scope access.Scope) (*account, error) {
	if !scope.Valid() {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "Please sign in.")
	}
	c, err := a.store.Company(ctx, scope.CompanyID())
	if err != nil {
		return nil, err
	}
	acct := store.Account{CompanyID: scope.CompanyID(), UserID: scope.PortalUserID(), Portal: true}
	tf, err := a.store.TwoFactorOf(ctx, acct)
	if err != nil {
		return nil, err
	}
	return &account{acct: acct, tf: tf, issuer: c.Name, rateKey: fmt.Sprintf("portal:%d:%s", c.ID, tf.Email),
		password: func() (string, error) {
			_, hash, err := a.store.PortalCredentials(ctx, c.ID, tf.Email)
			return hash, err
		}}, nil
}

// StaffTwoFactor returns the staff member's own two-factor status.
func (a *App) StaffTwoFactor(ctx context.Context, staff access.Staff) (*TwoFactorStatus, error) {
	acc, err := a.staffAccount(ctx, staff)
	if err != nil {
		return nil, err
	}
	return acc.status()
}

// PortalTwoFactor returns the portal user's own two-factor status.
func (a *App) PortalTwoFactor(ctx context.Context, scope access.Scope) (*TwoFactorStatus, error) {
	acc, err := a.portalAccount(ctx, scope)
	if err != nil {
		return nil, err
	}
	return acc.status()
}

func (acc *account) status() (*TwoFactorStatus, error) {
	st := &TwoFactorStatus{Enabled: acc.tf.Enabled(), EnabledAt: acc.tf.EnabledAt, CodesLeft: acc.tf.CodesLeft, Required: acc.required}
	if acc.tf.Pending() {
		key, err := auth.TOTPKey(acc.issuer, acc.tf.Email, acc.tf.Secret)
		if err != nil {
			return nil, err
		}
		qr, err := auth.QRDataURI(key)
		if err != nil {
			return nil, err
		}
		st.Setup = &TwoFactorSetup{Secret: groups(acc.tf.Secret), QR: qr}
	}
	return st, nil
}

// groups splits a secret into groups of four for reading and typing.
func groups(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// StartStaffTwoFactor begins the staff member's enrolment with a new secret,
// replacing an unconfirmed earlier one. ECONFLICT when it is on already.
func (a *App) StartStaffTwoFactor(ctx context.Context, staff access.Staff) error {
	acc, err := a.staffAccount(ctx, staff)
	if err != nil {
		return err
	}
	return a.startTwoFactor(ctx, acc)
}

// StartPortalTwoFactor begins the portal user's enrolment, as StartStaffTwoFactor.
func (a *App) StartPortalTwoFactor(ctx context.Context, scope access.Scope) error {
	acc, err := a.portalAccount(ctx, scope)
	if err != nil {
		return err
	}
	return a.startTwoFactor(ctx, acc)
}

func (a *App) startTwoFactor(ctx context.Context, acc *account) error {
	if acc.tf.Enabled() {
		return domain.Errorf(domain.ECONFLICT, "Two-factor sign-in is already on.")
	}
	key, err := auth.NewTOTPKey(acc.issuer, acc.tf.Email)
	if err != nil {
		return err
	}
	return a.store.StartTwoFactor(ctx, acc.acct, key.Secret())
}

// ConfirmStaffTwoFactor finishes the staff member's enrolment with the first
// code from the app and returns the recovery codes, shown this once (only their
// hashes are kept). A wrong code is EINVALID on the field "code".
func (a *App) ConfirmStaffTwoFactor(ctx context.Context, staff access.Staff, code string) ([]string, error) {
	acc, err := a.staffAccount(ctx, staff)
	if err != nil {
		return nil, err
	}
	return a.confirmTwoFactor(ctx, acc, code)
}

// ConfirmPortalTwoFactor finishes the portal user's enrolment, as
// ConfirmStaffTwoFactor.
func (a *App) ConfirmPortalTwoFactor(ctx context.Context, scope access.Scope, code string) ([]string, error) {
	acc, err := a.portalAccount(ctx, scope)
	if err != nil {
		return nil, err
	}
	return a.confirmTwoFactor(ctx, acc, code)
}

func (a *App) confirmTwoFactor(ctx context.Context, acc *account, code string) ([]string, error) {
	if !acc.tf.Pending() {
		return nil, domain.Errorf(domain.ECONFLICT, "There is no set-up to confirm. Please start again.")
	}
	step := auth.TOTPStep(acc.tf.Secret, auth.CleanCode(code), a.store.Now())
	if step == 0 {
		return nil, invalid("code", "The code is not correct. Type the newest 6-digit code from the app; check that your phone's clock is right.")
	}
	codes, hashes := auth.NewRecoveryCodes()
	if err := a.store.EnableTwoFactor(ctx, acc.acct, acc.tf.Secret, step, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// RegenerateStaffRecoveryCodes replaces the staff member's recovery codes with
// new ones, which it returns; it needs a current code from the app. Wrong codes
// count against the sign-in limits.
func (a *App) RegenerateStaffRecoveryCodes(ctx context.Context, staff access.Staff, code, ip string) ([]string, error) {
	acc, err := a.staffAccount(ctx, staff)
	if err != nil {
		return nil, err
	}
	return a.regenerateCodes(ctx, acc, code, ip)
}

// RegeneratePortalRecoveryCodes replaces the portal user's recovery codes, as
// RegenerateStaffRecoveryCodes.
func (a *App) RegeneratePortalRecoveryCodes(ctx context.Context, scope access.Scope, code, ip string) ([]string, error) {
	acc, err := a.portalAccount(ctx, scope)
	if err != nil {
		return nil, err
	}
	return a.regenerateCodes(ctx, acc, code, ip)
}

func (a *App) regenerateCodes(ctx context.Context, acc *account, code, ip string) ([]string, error) {
	if !acc.tf.Enabled() {
		return nil, domain.Errorf(domain.ECONFLICT, "Two-factor sign-in is off.")
	}
	if err := a.secondFactor(ctx, acc.acct, acc.tf, acc.rateKey, ip, code, false); err != nil {
		return nil, asFieldError(err, "code")
	}
	codes, hashes := auth.NewRecoveryCodes()
	if err := a.store.ReplaceRecoveryCodes(ctx, acc.acct, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableStaffTwoFactor turns the staff member's two-factor sign-in off, which
// needs their password or a code (from the app or a recovery code). EFORBIDDEN
// while the company requires it of staff. Wrong answers count against the
// sign-in limits.
func (a *App) DisableStaffTwoFactor(ctx context.Context, staff access.Staff, confirm, ip string) error {
	acc, err := a.staffAccount(ctx, staff)
	if err != nil {
		return err
	}
	return a.disableTwoFactor(ctx, acc, confirm, ip)
}

// DisablePortalTwoFactor turns the portal user's two-factor sign-in off, as
// DisableStaffTwoFactor.
func (a *App) DisablePortalTwoFactor(ctx context.Context, scope access.Scope, confirm, ip string) error {
	acc, err := a.portalAccount(ctx, scope)
	if err != nil {
		return err
	}
	return a.disableTwoFactor(ctx, acc, confirm, ip)
}

func (a *App) disableTwoFactor(ctx context.Context, acc *account, confirm, ip string) error {
	if acc.required {
		return domain.Errorf(domain.EFORBIDDEN, "Your company requires two-factor sign-in of all staff; it cannot be turned off.")
	}
	if !acc.tf.Enabled() {
		return domain.Errorf(domain.ECONFLICT, "Two-factor sign-in is off.")
	}
	ipKey := "ip:" + ip
	if err := a.checkRate(ctx, acc.rateKey, ipKey); err != nil {
		return err
	}
	hash, err := acc.password()
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return err
	}
	ok := auth.CheckPassword(hash, confirm)
	if !ok {
		if ok, err = a.checkCode(ctx, acc.acct, acc.tf, confirm, true); err != nil {
			return err
		}
	}
	if !ok {
		if err := a.store.RecordLoginFailure(ctx, acc.rateKey, ipKey); err != nil {
			return err
		}
		return invalid("confirm", "The password or code is not correct.")
	}
	return a.store.DisableTwoFactor(ctx, acc.acct)
}

// asFieldError puts a wrong code's message next to the form's field.
func asFieldError(err error, field string) error {
	if domain.ErrorCode(err) == domain.EUNAUTHORIZED {
		return invalid(field, "The code is not correct.")
	}
	return err
}

// ResetPortalTwoFactor turns off the second factor of a portal user of the
// staff member's tenant who lost it, recorded in the audit log (who and when).
// It needs clients.manage, as editing portal access does; ENOTFOUND for a user
// of another tenant.
func (a *App) ResetPortalTwoFactor(ctx context.Context, staff access.Staff, userID int64) error {
	return a.store.Staff(staff).Tx(ctx, access.ClientsManage, func(tx *store.StaffTx) error {
		u, err := tx.PortalUser(ctx, userID)
		if err != nil {
			return err
		}
		if err := tx.ResetPortalTwoFactor(ctx, u.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, "portal.two_factor_reset", u.Email)
	})
}

// ResetStaffTwoFactor turns off the second factor of a staff user of the
// member's company, recorded in the audit log. It needs users.manage;
// ENOTFOUND for a user of another tenant.
func (a *App) ResetStaffTwoFactor(ctx context.Context, staff access.Staff, userID int64) error {
	if err := staff.Require(access.UsersManage); err != nil {
		return err
	}
	u, err := a.store.Staff(staff).StaffUser(ctx, userID)
	if err != nil {
		return err
	}
	return a.store.Staff(staff).Tx(ctx, access.UsersManage, func(tx *store.StaffTx) error {
		if err := tx.ResetStaffTwoFactor(ctx, u.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, "staff.two_factor_reset", u.Email)
	})
}

// SetStaffTwoFactorRequired sets whether every staff member of the company must
// sign in with a second factor. It needs users.manage, and to turn it on the
// administrator must have it on themselves (EINVALID on "require_two_factor"
// otherwise), so that nobody locks the company out by accident.
func (a *App) SetStaffTwoFactorRequired(ctx context.Context, staff access.Staff, required bool) error {
	if err := staff.Require(access.UsersManage); err != nil {
		return err
	}
	if required {
		acc, err := a.staffAccount(ctx, staff)
		if err != nil {
			return err
		}
		if !acc.tf.Enabled() {
			return fieldError("require_two_factor", "Turn on two-factor sign-in for your own account first (Account security).")
		}
	}
	return a.store.Staff(staff).SetTwoFactorRequired(ctx, required)
}
