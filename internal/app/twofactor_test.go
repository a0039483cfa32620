package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/auth"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// totpCode is the authenticator app's code for the secret at the store's clock:
// a real code, computed from the secret the set-up showed.
func totpCode(t *testing.T, db *testenv.DB, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, db.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// nextStep moves the clock to the authenticator's next code.
func nextStep(db *testenv.DB) { db.Clock.Advance(auth.TOTPPeriod * time.Second) }

// enrolStaff sets up the staff member's second factor as the security page does
// and returns the secret the page showed and the recovery codes.
func enrolStaff(t *testing.T, db *testenv.DB, a *app.App, staff access.Staff) (string, []string) {
	t.Helper()
	ctx := t.Context()
	if err := a.StartStaffTwoFactor(ctx, staff); err != nil {
		t.Fatal(err)
	}
	st, err := a.StaffTwoFactor(ctx, staff)
	if err != nil || st.Setup == nil || !strings.HasPrefix(st.Setup.QR, "data:image/png;base64,") {
		t.Fatalf("set-up = %+v, %v; want a secret and a PNG QR code", st, err)
	}
	secret := strings.ReplaceAll(st.Setup.Secret, " ", "")
	codes, err := a.ConfirmStaffTwoFactor(ctx, staff, totpCode(t, db, secret))
	if err != nil {
		t.Fatal(err)
	}
	nextStep(db)
	return secret, codes
}

// enrolPortal sets up a portal user's second factor as the portal's security page does.
func enrolPortal(t *testing.T, db *testenv.DB, a *app.App, scope access.Scope) (string, []string) {
	t.Helper()
	ctx := t.Context()
	if err := a.StartPortalTwoFactor(ctx, scope); err != nil {
		t.Fatal(err)
	}
	st, err := a.PortalTwoFactor(ctx, scope)
	if err != nil || st.Setup == nil {
		t.Fatalf("set-up = %+v, %v", st, err)
	}
	secret := strings.ReplaceAll(st.Setup.Secret, " ", "")
	codes, err := a.ConfirmPortalTwoFactor(ctx, scope, totpCode(t, db, secret))
	if err != nil {
		t.Fatal(err)
	}
	nextStep(db)
	return secret, codes
}

// staffPassword signs in with Password and wants the code step.
func staffPassword(t *testing.T, a *app.App, tn *testenv.Tenant, email string) string {
	t.Helper()
	res, err := a.StaffSignIn(t.Context(), tn.Company.Slug, email, testenv.Password, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if res.Session != "" || res.Pending == "" {
		t.Fatalf("sign-in = %+v, want no session and a pending code step", res)
	}
	return res.Pending
}

// activePortalUser is a portal user of the tenant who has set Password.
func activePortalUser(t *testing.T, db *testenv.DB, tn *testenv.Tenant, email string) (*domain.PortalUser, access.Scope) {
	t.Helper()
	c := db.Client(t, tn, "Client of "+email)
	u := portalUser(t, db, tn, email, "Port", "Al", c)
	hash := testenv.PasswordHash(t, testenv.Password)
	if err := db.Store.SetPortalPassword(t.Context(), tn.Company.ID, u.ID, hash); err != nil {
		t.Fatal(err)
	}
	scope, err := testenv.PortalScope(t.Context(), db.Store, tn.Company.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u, scope
}

func TestTwoFactorSignIn(t *testing.T) {
	runSpecs(t,
		spec{"password alone opens no session; password and a real code do; the code works once", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			secret, _ := enrolStaff(t, db, a, tn.Staff)
			pending := staffPassword(t, a, tn, tn.Admin.Email)
			code := totpCode(t, db, secret)
			session, err := a.StaffSignInCode(t.Context(), pending, code, "192.0.2.1")
			wantCode(t, err, "")
			if u, _, _, err := a.StaffSession(t.Context(), session); err != nil || u.ID != tn.Admin.ID || !u.TwoFactor {
				t.Fatalf("session user = %+v, %v", u, err)
			}
			// The pending token is used up with the session.
			_, err = a.StaffSignInCode(t.Context(), pending, totpCode(t, db, secret), "192.0.2.1")
			wantCode(t, err, domain.ENOTFOUND)
			// The same code, replayed within its window on a new sign-in, is refused.
			_, err = a.StaffSignInCode(t.Context(), staffPassword(t, a, tn, tn.Admin.Email), code, "192.0.2.1")
			wantCode(t, err, domain.EUNAUTHORIZED)
			nextStep(db)
			_, err = a.StaffSignInCode(t.Context(), staffPassword(t, a, tn, tn.Admin.Email), totpCode(t, db, secret), "192.0.2.1")
			wantCode(t, err, "")
		}},
		spec{"a recovery code works once, typed any way", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			_, codes := enrolStaff(t, db, a, tn.Staff)
			if len(codes) != 10 {
				t.Fatalf("%d recovery codes, want 10", len(codes))
			}
			_, err := a.StaffSignInCode(t.Context(), staffPassword(t, a, tn, tn.Admin.Email), codes[0], "192.0.2.1")
			wantCode(t, err, "")
			_, err = a.StaffSignInCode(t.Context(), staffPassword(t, a, tn, tn.Admin.Email), codes[0], "192.0.2.1")
			wantCode(t, err, domain.EUNAUTHORIZED)
			typed := " " + strings.ToUpper(strings.ReplaceAll(codes[1], "-", " ")) + " "
			_, err = a.StaffSignInCode(t.Context(), staffPassword(t, a, tn, tn.Admin.Email), typed, "192.0.2.1")
			wantCode(t, err, "")
			st, err := a.StaffTwoFactor(t.Context(), tn.Staff)
			if err != nil || st.CodesLeft != 8 {
				t.Fatalf("codes left = %+v, %v; want 8", st, err)
			}
		}},
		spec{"wrong codes count against the password limits", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			secret, _ := enrolStaff(t, db, a, tn.Staff)
			pending := staffPassword(t, a, tn, tn.Admin.Email)
			for range auth.MaxFailsAccount {
				_, err := a.StaffSignInCode(t.Context(), pending, "000000", "192.0.2.1")
				wantCode(t, err, domain.EUNAUTHORIZED)
			}
			_, err := a.StaffSignInCode(t.Context(), pending, totpCode(t, db, secret), "192.0.2.1")
			wantCode(t, err, domain.ETOOMANY)
			_, err = a.StaffSignIn(t.Context(), tn.Company.Slug, tn.Admin.Email, testenv.Password, "192.0.2.1")
			wantCode(t, err, domain.ETOOMANY)
			// A right password does not reset the count while the code is missing.
			db.Clock.Advance(auth.FailureWindow + time.Minute)
			for range auth.MaxFailsAccount - 1 {
				_, err := a.StaffSignInCode(t.Context(), staffPassword(t, a, tn, tn.Admin.Email), "000000", "192.0.2.1")
				wantCode(t, err, domain.EUNAUTHORIZED)
			}
			_, err = a.StaffSignInCode(t.Context(), staffPassword(t, a, tn, tn.Admin.Email), "000000", "192.0.2.1")
			wantCode(t, err, domain.EUNAUTHORIZED)
			_, err = a.StaffSignIn(t.Context(), tn.Company.Slug, tn.Admin.Email, testenv.Password, "192.0.2.1")
			wantCode(t, err, domain.ETOOMANY)
		}},
		spec{"the code step expires", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			secret, _ := enrolStaff(t, db, a, tn.Staff)
			pending := staffPassword(t, a, tn, tn.Admin.Email)
			db.Clock.Advance(auth.TwoFactorPendingTTL + time.Second)
			_, err := a.StaffSignInCode(t.Context(), pending, totpCode(t, db, secret), "192.0.2.1")
			wantCode(t, err, domain.ENOTFOUND)
			_, err = a.StaffSignInCode(t.Context(), "made-up", totpCode(t, db, secret), "192.0.2.1")
			wantCode(t, err, domain.ENOTFOUND)
		}},
		spec{"portal: password and code; a code step does not cross tenants", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn, other := db.Tenant(t, ""), db.Tenant(t, "")
			u, scope := activePortalUser(t, db, tn, "po@abc.test")
			secret, _ := enrolPortal(t, db, a, scope)
			res, err := a.PortalSignIn(t.Context(), tn.Company, u.Email, testenv.Password, "192.0.2.9")
			if err != nil || res.Session != "" || res.Pending == "" {
				t.Fatalf("portal sign-in = %+v, %v; want a code step", res, err)
			}
			_, err = a.PortalSignInCode(t.Context(), other.Company, res.Pending, totpCode(t, db, secret), "192.0.2.9")
			wantCode(t, err, domain.ENOTFOUND)
			// A staff code step does not take a portal token either.
			_, err = a.StaffSignInCode(t.Context(), res.Pending, totpCode(t, db, secret), "192.0.2.9")
			wantCode(t, err, domain.ENOTFOUND)
			session, err := a.PortalSignInCode(t.Context(), tn.Company, res.Pending, totpCode(t, db, secret), "192.0.2.9")
			wantCode(t, err, "")
			if pu, _, err := a.PortalSession(t.Context(), tn.Company, session); err != nil || pu.ID != u.ID {
				t.Fatalf("portal session = %+v, %v", pu, err)
			}
		}},
		spec{"a password link does not bypass the second factor", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			staff := member(t, db, tn)
			enrolStaff(t, db, a, staff)
			link, err := a.StaffPasswordLink(t.Context(), tn.Staff, staff.UserID())
			if err != nil {
				t.Fatal(err)
			}
			token := link[strings.LastIndex(link, "/")+1:]
			session, err := a.SetStaffPasswordWithLink(t.Context(), token, "a brand new passphrase")
			if err != nil || session != "" {
				t.Fatalf("session %q, %v; want none for an account with a second factor", session, err)
			}
		}},
	)
}

func TestTwoFactorAccount(t *testing.T) {
	runSpecs(t,
		spec{"a wrong first code is refused next to the field, and nothing is turned on", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			wantCode(t, a.StartStaffTwoFactor(t.Context(), tn.Staff), "")
			_, err := a.ConfirmStaffTwoFactor(t.Context(), tn.Staff, "123456x")
			wantFields(t, err, "code")
			res, err := a.StaffSignIn(t.Context(), tn.Company.Slug, tn.Admin.Email, testenv.Password, "192.0.2.1")
			if err != nil || res.Session == "" {
				t.Fatalf("sign-in = %+v, %v; want a session while set-up is unconfirmed", res, err)
			}
		}},
		spec{"new recovery codes need a current code and replace the old ones", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			secret, old := enrolStaff(t, db, a, tn.Staff)
			_, err := a.RegenerateStaffRecoveryCodes(t.Context(), tn.Staff, "000000", "192.0.2.1")
			wantFields(t, err, "code")
			_, err = a.RegenerateStaffRecoveryCodes(t.Context(), tn.Staff, old[0], "192.0.2.1")
			wantFields(t, err, "code")
			codes, err := a.RegenerateStaffRecoveryCodes(t.Context(), tn.Staff, totpCode(t, db, secret), "192.0.2.1")
			if err != nil || len(codes) != 10 {
				t.Fatalf("codes %v, %v", codes, err)
			}
			wantAudit(t, db, tn, "account.two_factor_on: "+tn.Admin.Email, "account.recovery_codes: "+tn.Admin.Email)
			_, err = a.StaffSignInCode(t.Context(), staffPassword(t, a, tn, tn.Admin.Email), old[1], "192.0.2.1")
			wantCode(t, err, domain.EUNAUTHORIZED)
			_, err = a.StaffSignInCode(t.Context(), staffPassword(t, a, tn, tn.Admin.Email), codes[0], "192.0.2.1")
			wantCode(t, err, "")
		}},
		spec{"turning it off needs the password or a code, and is refused while the company requires it", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			plain := member(t, db, tn)
			wantFields(t, a.SetStaffTwoFactorRequired(t.Context(), tn.Staff, true), "require_two_factor")
			enrolStaff(t, db, a, tn.Staff)
			wantCode(t, a.SetStaffTwoFactorRequired(t.Context(), plain, true), domain.EFORBIDDEN)
			wantCode(t, a.SetStaffTwoFactorRequired(t.Context(), tn.Staff, true), "")
			wantAudit(t, db, tn, "company.require_two_factor: Two-factor sign-in for all staff on")
			wantCode(t, a.DisableStaffTwoFactor(t.Context(), tn.Staff, testenv.Password, "192.0.2.1"), domain.EFORBIDDEN)
			wantCode(t, a.SetStaffTwoFactorRequired(t.Context(), tn.Staff, false), "")
			wantFields(t, a.DisableStaffTwoFactor(t.Context(), tn.Staff, "not my password", "192.0.2.1"), "confirm")
			wantCode(t, a.DisableStaffTwoFactor(t.Context(), tn.Staff, testenv.Password, "192.0.2.1"), "")
			wantAudit(t, db, tn,
				"account.two_factor_on: "+tn.Admin.Email,
				"company.require_two_factor: Two-factor sign-in for all staff on",
				"company.require_two_factor: Two-factor sign-in for all staff off",
				"account.two_factor_off: "+tn.Admin.Email)
			res, err := a.StaffSignIn(t.Context(), tn.Company.Slug, tn.Admin.Email, testenv.Password, "192.0.2.1")
			if err != nil || res.Session == "" {
				t.Fatalf("sign-in = %+v, %v; want a session with the second factor off", res, err)
			}
		}},
		spec{"a portal user turns it off with a code", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			_, scope := activePortalUser(t, db, tn, "off@abc.test")
			secret, _ := enrolPortal(t, db, a, scope)
			wantFields(t, a.DisablePortalTwoFactor(t.Context(), scope, "111111", "192.0.2.1"), "confirm")
			wantCode(t, a.DisablePortalTwoFactor(t.Context(), scope, totpCode(t, db, secret), "192.0.2.1"), "")
			st, err := a.PortalTwoFactor(t.Context(), scope)
			if err != nil || st.Enabled || st.CodesLeft != 0 {
				t.Fatalf("status = %+v, %v; want off with no recovery codes", st, err)
			}
		}},
		spec{"staff reset a portal user's second factor, audited; not without clients.manage, not across tenants", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn, other := db.Tenant(t, ""), db.Tenant(t, "")
			u, scope := activePortalUser(t, db, tn, "lost@abc.test")
			enrolPortal(t, db, a, scope)
			wantCode(t, a.ResetPortalTwoFactor(t.Context(), member(t, db, tn, access.PortalInvite), u.ID), domain.EFORBIDDEN)
			wantCode(t, a.ResetPortalTwoFactor(t.Context(), other.Staff, u.ID), domain.ENOTFOUND)
			res, err := a.PortalSignIn(t.Context(), tn.Company, u.Email, testenv.Password, "192.0.2.1")
			if err != nil || res.Pending == "" {
				t.Fatalf("sign-in = %+v, %v; want the code step still", res, err)
			}
			manager := member(t, db, tn, access.ClientsManage)
			wantCode(t, a.ResetPortalTwoFactor(t.Context(), manager, u.ID), "")
			wantAudit(t, db, tn, "portal.two_factor_reset: lost@abc.test")
			entries, _, err := db.Store.Staff(tn.Staff).AuditLog(t.Context(), domain.ListOptions{PerPage: 1})
			if err != nil || entries[0].ActorID != manager.UserID() || entries[0].ActorName != manager.Name() || entries[0].At.IsZero() {
				t.Fatalf("audit entry %+v, %v; want who and when", entries[0], err)
			}
			res, err = a.PortalSignIn(t.Context(), tn.Company, u.Email, testenv.Password, "192.0.2.1")
			if err != nil || res.Session == "" {
				t.Fatalf("sign-in after reset = %+v, %v; want a session", res, err)
			}
		}},
		spec{"administrators reset a staff member's second factor, audited", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			staff := member(t, db, tn)
			enrolStaff(t, db, a, staff)
			wantCode(t, a.ResetStaffTwoFactor(t.Context(), member(t, db, tn, access.ClientsManage), staff.UserID()), domain.EFORBIDDEN)
			wantCode(t, a.ResetStaffTwoFactor(t.Context(), tn.Staff, staff.UserID()), "")
			u, err := db.Store.Staff(tn.Staff).StaffUser(context.Background(), staff.UserID())
			if err != nil || u.TwoFactor {
				t.Fatalf("user %+v, %v; want two-factor off", u, err)
			}
			wantAudit(t, db, tn, "staff.two_factor_reset: "+u.Email)
		}},
	)
}
