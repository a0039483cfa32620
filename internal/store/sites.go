package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

const siteColumns = `id, company_id, client_id, name, street, city, postal_code, country, contact_person, phone, email, opening_hours, note`

func scanSite(row interface{ Scan(...any) error }) (*domain.Site, error) {
	var x domain.Site
	err := row.Scan(&x.ID, &x.CompanyID, &x.ClientID, &x.Name, &x.Street, &x.City, &x.PostalCode, &x.Country,
		&x.ContactPerson, &x.Phone, &x.Email, &x.OpeningHours, &x.Note)
	return &x, err
}

// Sites lists the sites of the client by name; empty for a client of another company.
func (view *StaffView) Sites(ctx context.Context, clientID int64) ([]*domain.Site, error) {
	s, staff := view.s, view.staff
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+siteColumns+` FROM sites WHERE company_id = ? AND client_id = ? ORDER BY name, id`),
		staff.CompanyID(), clientID)
	if err != nil {
		return nil, fmt.Errorf("store: sites: %w", err)
	}
	defer rows.Close()
	var out []*domain.Site
	for rows.Next() {
		x, err := scanSite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// CompanySites lists every site of the staff member's company's active clients,
// by client name and site name, in one query.
func (view *StaffView) CompanySites(ctx context.Context) ([]*domain.Site, error) {
	s, staff := view.s, view.staff
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+prefixed("st.", siteColumns)+` FROM sites st
		JOIN clients c ON c.company_id = st.company_id AND c.id = st.client_id
		WHERE st.company_id = ? AND c.archived_at IS NULL ORDER BY c.name, c.id, st.name, st.id`), staff.CompanyID())
	if err != nil {
		return nil, fmt.Errorf("store: company sites: %w", err)
	}
	defer rows.Close()
	var out []*domain.Site
	for rows.Next() {
		x, err := scanSite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// prefixed qualifies every column of a comma-separated list with a table alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// Site returns site id of client clientID, or ENOTFOUND.
func (view *StaffView) Site(ctx context.Context, clientID, id int64) (*domain.Site, error) {
	s, staff := view.s, view.staff
	x, err := scanSite(s.db.QueryRowContext(ctx, s.q(`SELECT `+siteColumns+` FROM sites WHERE company_id = ? AND client_id = ? AND id = ?`),
		staff.CompanyID(), clientID, id))
	return x, notFound(err, "Site not found.")
}

// CreateSite adds a site to client x.ClientID. It needs clients.manage.
func (view *StaffView) CreateSite(ctx context.Context, x *domain.Site) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	x.Normalize()
	if err := x.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.clientExists(ctx, tx, staff, x.ClientID); err != nil {
			return err
		}
		x.CompanyID = staff.CompanyID()
		id, err := s.insert(ctx, tx, `INSERT INTO sites (company_id, client_id, name, street, city, postal_code, country,
			contact_person, phone, email, opening_hours, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			x.CompanyID, x.ClientID, x.Name, x.Street, x.City, x.PostalCode, x.Country, x.ContactPerson, x.Phone, x.Email,
			x.OpeningHours, x.Note, micros(s.Now()))
		if err != nil {
			return fmt.Errorf("store: create site: %w", err)
		}
		x.ID = id
		return s.audit(ctx, tx, staff, "site.create", "Site "+x.Name)
	})
}

// UpdateSite replaces the fields of site x.ID of client x.ClientID.
func (view *StaffView) UpdateSite(ctx context.Context, x *domain.Site) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	x.Normalize()
	if err := x.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE sites SET name = ?, street = ?, city = ?, postal_code = ?, country = ?,
			contact_person = ?, phone = ?, email = ?, opening_hours = ?, note = ? WHERE company_id = ? AND client_id = ? AND id = ?`),
			x.Name, x.Street, x.City, x.PostalCode, x.Country, x.ContactPerson, x.Phone, x.Email, x.OpeningHours, x.Note,
			staff.CompanyID(), x.ClientID, x.ID)
		if err := mustAffect(res, err, "Site not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "site.update", "Site "+x.Name)
	})
}

// DeleteSite deletes site id of client clientID. It refuses with ECONFLICT while
// projects, protocols or documents are at the site, and returns ENOTFOUND if the site is not the client's.
func (view *StaffView) DeleteSite(ctx context.Context, clientID, id int64) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM projects WHERE company_id = ? AND client_id = ? AND site_id = ?`), staff.CompanyID(), clientID, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return domain.Errorf(domain.ECONFLICT, "This site still has %s. Move or delete them first.", plural(n, "project", "projects"))
		}
		if still, err := s.siteInUse(ctx, tx, staff.CompanyID(), id); err != nil {
			return err
		} else if still != "" {
			return domain.Errorf(domain.ECONFLICT, "This site still has %s, which keep their site.", still)
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM sites WHERE company_id = ? AND client_id = ? AND id = ?`), staff.CompanyID(), clientID, id)
		if err := mustAffect(res, err, "Site not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "site.delete", fmt.Sprintf("Site #%d", id))
	})
}
