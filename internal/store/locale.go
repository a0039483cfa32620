package store

import (
	"context"
	"database/sql"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

// validLocale checks a person's or a tenant's language choice: "" (none, where
// allowed), "en" or "sk".
func validLocale(v *domain.Validator, field, locale string, allowNone bool) {
	if locale == "" && allowNone {
		return
	}
	v.OneOf(field, locale, "en", "sk")
}

// UpdatePortalAccount sets the portal user's own name and language ("" follows
// the browser, then the tenant). The user is the one the scope belongs to, so no
// one can change another's account; ENOTFOUND when the user is gone.
func (s *Store) UpdatePortalAccount(ctx context.Context, scope access.Scope, first, last, locale string) (*domain.PortalUser, error) {
	if !scope.Valid() {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "Please sign in.")
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	var v domain.Validator
	v.Required("first_name", first, "First name")
	v.MaxLen("first_name", first, 100)
	v.MaxLen("last_name", last, 100)
	v.Text("first_name", first)
	v.Text("last_name", last)
	validLocale(&v, "locale", locale, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var u *domain.PortalUser
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE portal_users SET first_name = ?, last_name = ?, locale = ? WHERE company_id = ? AND id = ?`),
			first, last, locale, scope.CompanyID(), scope.PortalUserID())
		if err := mustAffect(res, err, "Portal user not found."); err != nil {
			return err
		}
		u, err = scanPortalUser(tx.QueryRowContext(ctx, s.q(`SELECT `+portalUserColumns+` FROM portal_users u WHERE u.company_id = ? AND u.id = ?`),
			scope.CompanyID(), scope.PortalUserID()))
		return err
	})
	return u, err
}

// SetStaffLocale sets the staff member's own language; "" follows the tenant's.
func (view *StaffView) SetStaffLocale(ctx context.Context, locale string) error {
	s, staff := view.s, view.staff
	if staff.UserID() == 0 {
		return domain.Errorf(domain.EUNAUTHORIZED, "Please sign in.")
	}
	var v domain.Validator
	validLocale(&v, "locale", locale, true)
	if err := v.Err(); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE staff_users SET locale = ? WHERE company_id = ? AND id = ?`), locale, staff.CompanyID(), staff.UserID())
	return mustAffect(res, err, "Staff user not found.")
}

// UpdateCompanyLocale sets the tenant's language: the portal's language for users
// whose browsers ask for none Portico speaks, and the staff app's for staff
// without a choice of their own. Needs users.manage.
func (view *StaffView) UpdateCompanyLocale(ctx context.Context, locale string) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.UsersManage); err != nil {
		return err
	}
	var v domain.Validator
	validLocale(&v, "locale", locale, false)
	if err := v.Err(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE companies SET locale = ? WHERE id = ?`), locale, staff.CompanyID())
		if err := mustAffect(res, err, "Company not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "company.locale", "Portal language "+locale)
	})
}
