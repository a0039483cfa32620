package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

const staffColumns = `id, company_id, email, name, locale, permissions, disabled_at, password_hash <> '', totp_enabled_at IS NOT NULL, last_login_at, created_at`

func scanStaff(row interface{ Scan(...any) error }) (*domain.StaffUser, error) {
	var u domain.StaffUser
	var perms string
	var disabled, lastLogin sql.NullInt64
	var created int64
	if err := row.Scan(&u.ID, &u.CompanyID, &u.Email, &u.Name, &u.Locale, &perms, &disabled, &u.HasPassword, &u.TwoFactor, &lastLogin, &created); err != nil {
		return nil, err
	}
	u.Permissions = strings.Fields(perms)
	u.Disabled = disabled.Valid
	u.LastLoginAt = nullMicros(lastLogin)
	u.CreatedAt = fromMicros(created)
	return &u, nil
}

func validateStaff(u *domain.StaffUser) error {
	u.Email = domain.NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	var v domain.Validator
	v.Required("name", u.Name, "Name")
	v.MaxLen("name", u.Name, 200)
	v.Required("email", u.Email, "Email")
	v.Email("email", u.Email)
	return v.Err()
}

// createStaffUser inserts u with the password hash (may be empty) and fills u.ID.
func (s *Store) createStaffUser(ctx context.Context, tx *sql.Tx, u *domain.StaffUser, passwordHash string) error {
	if err := validateStaff(u); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM staff_users WHERE company_id = ? AND email = ?`), u.CompanyID, u.Email).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.",
			Fields: map[string]string{"email": "A staff user with this email already exists."}}
	}
	u.CreatedAt = s.Now()
	u.HasPassword = passwordHash != ""
	id, err := s.insert(ctx, tx, `INSERT INTO staff_users (company_id, email, name, password_hash, permissions, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		u.CompanyID, u.Email, u.Name, passwordHash, strings.Join(u.Permissions, " "), micros(u.CreatedAt))
	if err != nil {
		if isUniqueViolation(err) {
			return fieldError("email", "A staff user with this email already exists.")
		}
		return fmt.Errorf("store: create staff user: %w", err)
	}
	u.ID = id
	return nil
}

// CreateStaffUser adds a staff user to the actor's company (u.CompanyID is set to
// it) with the given password hash and records it in the audit log under actor.
// It returns EINVALID for bad fields or a duplicate email.
func (view *StaffView) CreateStaffUser(ctx context.Context, u *domain.StaffUser, passwordHash string) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.UsersManage); err != nil {
		return err
	}
	for _, p := range u.Permissions {
		if !access.ValidPermission(p) {
			return domain.Errorf(domain.EINVALID, "Unknown permission %q.", p)
		}
	}
	u.CompanyID = staff.CompanyID()
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.createStaffUser(ctx, tx, u, passwordHash); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "staff.create", "Staff user "+u.Email)
	})
}

// StaffUser returns the staff user id of the tenant, or ENOTFOUND.
func (view *StaffView) StaffUser(ctx context.Context, id int64) (*domain.StaffUser, error) {
	return view.s.StaffUser(ctx, view.staff.CompanyID(), id)
}

// StaffUser returns the staff user id of the company, or ENOTFOUND, for the
// session code.
func (s *Store) StaffUser(ctx context.Context, companyID, id int64) (*domain.StaffUser, error) {
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+staffColumns+` FROM staff_users WHERE company_id = ? AND id = ?`), companyID, id)
	u, err := scanStaff(row)
	return u, notFound(err, "Staff user not found.")
}

// StaffCredentials returns the staff user with the email in the company and their
// password hash, or ENOTFOUND.
func (s *Store) StaffCredentials(ctx context.Context, companyID int64, email string) (*domain.StaffUser, string, error) {
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+staffColumns+`, password_hash FROM staff_users WHERE company_id = ? AND email = ?`),
		companyID, domain.NormalizeEmail(email))
	var hash string
	u, err := scanStaff(scanAppend{row, &hash})
	if err != nil {
		return nil, "", notFound(err, "Staff user not found.")
	}
	return u, hash, nil
}

// StaffUsers lists the tenant's staff users by name.
func (view *StaffView) StaffUsers(ctx context.Context) ([]*domain.StaffUser, error) {
	return view.staffUsers(ctx, always())
}

// staffUsers lists the company's staff users matching c, by name.
func (view *StaffView) staffUsers(ctx context.Context, c cond) ([]*domain.StaffUser, error) {
	s := view.s
	where, args := and(eq("company_id", view.staff.CompanyID()), c).where()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+staffColumns+` FROM staff_users WHERE `+where+` ORDER BY name, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: staff users: %w", err)
	}
	defer rows.Close()
	var out []*domain.StaffUser
	for rows.Next() {
		u, err := scanStaff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// ManagedStaffUsers lists the tenant's staff users by name, with their
// permissions and state, to a member who manages staff (users.manage), and none
// to anyone else: a page shows the list exactly to those who may see it.
func (view *StaffView) ManagedStaffUsers(ctx context.Context) ([]*domain.StaffUser, error) {
	return view.ManagedStaffUsersMatching(ctx, "")
}

// ManagedStaffUsersMatching is ManagedStaffUsers narrowed to the staff users whose
// name or email contains query, ignoring case and accents; a blank query narrows
// nothing.
func (view *StaffView) ManagedStaffUsersMatching(ctx context.Context, query string) ([]*domain.StaffUser, error) {
	if !view.staff.Can(access.UsersManage) {
		return nil, nil
	}
	return view.staffUsers(ctx, contains(foldedSQL(`name || ' ' || email`), query))
}

// StaffNamesWith returns the names of the company's enabled staff users who
// hold permission p, by name: whom to ask for something p allows.
func (view *StaffView) StaffNamesWith(ctx context.Context, p string) ([]string, error) {
	if !access.ValidPermission(p) {
		return nil, domain.Errorf(domain.EINVALID, "Unknown permission %q.", p)
	}
	users, err := view.staffUsers(ctx, expr(`disabled_at IS NULL`))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, u := range users {
		if slices.Contains(u.Permissions, p) {
			names = append(names, u.Name)
		}
	}
	return names, nil
}

// StaffUpdate is a change to a staff user; nil fields stay as they are.
type StaffUpdate struct {
	Name        *string
	Permissions *[]string
	Disabled    *bool
}

// UpdateStaffUser changes the staff user id of the actor's company. It refuses, with
// ECONFLICT, any change that would leave the company without an enabled administrator
// (a user holding users.manage). Disabling a user ends their sessions. It returns
// ENOTFOUND if the user is not in the company.
func (view *StaffView) UpdateStaffUser(ctx context.Context, id int64, upd StaffUpdate) (*domain.StaffUser, error) {
	s, staff := view.s, view.staff
	if err := staff.Require(access.UsersManage); err != nil {
		return nil, err
	}
	if upd.Permissions != nil {
		for _, p := range *upd.Permissions {
			if !access.ValidPermission(p) {
				return nil, domain.Errorf(domain.EINVALID, "Unknown permission %q.", p)
			}
		}
	}
	var out *domain.StaffUser
	err := s.tx(ctx, func(tx *sql.Tx) error {
		u, err := scanStaff(tx.QueryRowContext(ctx, s.q(`SELECT `+staffColumns+` FROM staff_users WHERE company_id = ? AND id = ?`), staff.CompanyID(), id))
		if err != nil {
			return notFound(err, "Staff user not found.")
		}
		if upd.Name != nil {
			u.Name = *upd.Name
		}
		if upd.Permissions != nil {
			u.Permissions = *upd.Permissions
		}
		if upd.Disabled != nil {
			u.Disabled = *upd.Disabled
		}
		if err := validateStaff(u); err != nil {
			return err
		}
		if !u.Disabled && slices.Contains(u.Permissions, "users.manage") {
			// still an administrator: nothing to guard
		} else {
			var admins int
			err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM staff_users
				WHERE company_id = ? AND id <> ? AND disabled_at IS NULL AND (' ' || permissions || ' ') LIKE '% users.manage %'`),
				staff.CompanyID(), id).Scan(&admins)
			if err != nil {
				return err
			}
			if admins == 0 {
				return domain.Errorf(domain.ECONFLICT, "%s is the last administrator. Make someone else an administrator first, so that the company is not locked out.", u.Name)
			}
		}
		var disabledAt sql.NullInt64
		if u.Disabled {
			disabledAt = sql.NullInt64{Int64: micros(s.Now()), Valid: true}
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE company_id = ? AND staff_user_id = ?`), staff.CompanyID(), id); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE staff_users SET name = ?, permissions = ?,
			disabled_at = CASE WHEN ? THEN COALESCE(disabled_at, ?) ELSE NULL END
			WHERE company_id = ? AND id = ?`),
			u.Name, strings.Join(u.Permissions, " "), u.Disabled, disabledAt, staff.CompanyID(), id)
		if err != nil {
			return fmt.Errorf("store: update staff user: %w", err)
		}
		out = u
		return s.audit(ctx, tx, staff, "staff.update", "Staff user "+u.Email)
	})
	return out, err
}

// SetStaffPassword stores a new password hash for the staff user and ends all of
// their sessions and one-time links.
func (s *Store) SetStaffPassword(ctx context.Context, companyID, id int64, hash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return s.setStaffPassword(ctx, tx, companyID, id, hash)
	})
}

func (s *Store) setStaffPassword(ctx context.Context, tx *sql.Tx, companyID, id int64, hash string) error {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE staff_users SET password_hash = ? WHERE company_id = ? AND id = ?`), hash, companyID, id)
	if err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "Staff user not found.")
	}
	for _, q := range []string{
		`DELETE FROM sessions WHERE company_id = ? AND staff_user_id = ?`,
		`DELETE FROM one_time_tokens WHERE company_id = ? AND staff_user_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, s.q(q), companyID, id); err != nil {
			return err
		}
	}
	return nil
}

// scanAppend scans a row's columns followed by extra destinations.
type scanAppend struct {
	row   interface{ Scan(...any) error }
	extra any
}

func (sa scanAppend) Scan(dest ...any) error { return sa.row.Scan(append(dest, sa.extra)...) }
