package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

const companyColumns = `id, slug, name, time_zone, locale, team_label, require_two_factor, created_at`

func scanCompany(row interface{ Scan(...any) error }) (*domain.Company, error) {
	var c domain.Company
	var created int64
	if err := row.Scan(&c.ID, &c.Slug, &c.Name, &c.TimeZone, &c.Locale, &c.Team, &c.RequireTwoFactor, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMicros(created)
	return &c, nil
}

// CreateCompany creates a tenant together with its first administrator, who holds
// every permission and has no password yet. It returns ECONFLICT if the slug is taken.
func (s *Store) CreateCompany(ctx context.Context, c *domain.Company, admin *domain.StaffUser) error {
	c.Slug = strings.TrimSpace(strings.ToLower(c.Slug))
	c.Name = strings.TrimSpace(c.Name)
	var v domain.Validator
	v.Required("name", c.Name, "Name")
	v.MaxLen("name", c.Name, 200)
	if !domain.ValidSlug(c.Slug) {
		v.Add("slug", "Use 1–40 lower-case letters, digits and hyphens.")
	}
	admin.Email = domain.NormalizeEmail(admin.Email)
	v.Required("admin_email", admin.Email, "Administrator email")
	v.Email("admin_email", admin.Email)
	if err := v.Err(); err != nil {
		return err
	}
	if c.TimeZone == "" {
		c.TimeZone = "Europe/Bratislava"
	}
	if c.Locale == "" {
		c.Locale = "en"
	}
	if admin.Name == "" {
		admin.Name = "Administrator"
	}
	admin.Permissions = slices.Clone(access.Permissions)
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM companies WHERE slug = ?`), c.Slug).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return domain.Errorf(domain.ECONFLICT, "A company with the slug %q already exists.", c.Slug)
		}
		c.CreatedAt = s.Now()
		id, err := s.insert(ctx, tx, `INSERT INTO companies (slug, name, time_zone, locale, created_at) VALUES (?, ?, ?, ?, ?)`,
			c.Slug, c.Name, c.TimeZone, c.Locale, micros(c.CreatedAt))
		if err != nil {
			if isUniqueViolation(err) {
				return domain.Errorf(domain.ECONFLICT, "A company with the slug %q already exists.", c.Slug)
			}
			return fmt.Errorf("store: create company: %w", err)
		}
		c.ID = id
		admin.CompanyID = id
		return s.createStaffUser(ctx, tx, admin, "")
	})
}

// CompanyBySlug returns the tenant with the slug, or ENOTFOUND.
func (s *Store) CompanyBySlug(ctx context.Context, slug string) (*domain.Company, error) {
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+companyColumns+` FROM companies WHERE slug = ?`), strings.ToLower(slug))
	c, err := scanCompany(row)
	return c, notFound(err, "Company not found.")
}

// Company returns the tenant with the id, or ENOTFOUND.
func (s *Store) Company(ctx context.Context, id int64) (*domain.Company, error) {
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+companyColumns+` FROM companies WHERE id = ?`), id)
	c, err := scanCompany(row)
	return c, notFound(err, "Company not found.")
}

// UpdateTeamLabel sets how staff actions are shown to the company's portal users;
// "" restores the default "<company name> team". Needs users.manage.
func (view *StaffView) UpdateTeamLabel(ctx context.Context, label string) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.UsersManage); err != nil {
		return err
	}
	label = strings.TrimSpace(label)
	var v domain.Validator
	v.MaxLen("team_label", label, 80)
	if err := v.Err(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE companies SET team_label = ? WHERE id = ?`), label, staff.CompanyID())
		if err := mustAffect(res, err, "Company not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "company.team_label", "Team label "+strconv.Quote(label))
	})
}
