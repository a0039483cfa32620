package store

import (
	"context"
	"database/sql"
	"fmt"

	"portico/internal/access"
	"portico/internal/domain"
)

const projectColumns = `p.id, p.company_id, p.client_id, COALESCE(p.site_id, 0), COALESCE(st.name, ''), p.name, p.status, p.created_at`

const projectFrom = ` FROM projects p LEFT JOIN sites st ON st.company_id = p.company_id AND st.id = p.site_id `

func scanProject(row interface{ Scan(...any) error }) (*domain.Project, error) {
	var p domain.Project
	var created int64
	if err := row.Scan(&p.ID, &p.CompanyID, &p.ClientID, &p.SiteID, &p.SiteName, &p.Name, &p.Status, &created); err != nil {
		return nil, err
	}
	p.CreatedAt = fromMicros(created)
	return &p, nil
}

// Projects lists the projects of the client, active first, then by name.
func (view *StaffView) Projects(ctx context.Context, clientID int64) ([]*domain.Project, error) {
	s, staff := view.s, view.staff
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+projectColumns+projectFrom+`WHERE p.company_id = ? AND p.client_id = ?
		ORDER BY CASE p.status WHEN 'active' THEN 0 ELSE 1 END, p.name, p.id`), staff.CompanyID(), clientID)
	if err != nil {
		return nil, fmt.Errorf("store: projects: %w", err)
	}
	defer rows.Close()
	var out []*domain.Project
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Project returns project id of client clientID, or ENOTFOUND.
func (view *StaffView) Project(ctx context.Context, clientID, id int64) (*domain.Project, error) {
	s, staff := view.s, view.staff
	p, err := scanProject(s.db.QueryRowContext(ctx, s.q(`SELECT `+projectColumns+projectFrom+`WHERE p.company_id = ? AND p.client_id = ? AND p.id = ?`),
		staff.CompanyID(), clientID, id))
	return p, notFound(err, "Project not found.")
}

// CreateProject adds a project to client p.ClientID. Its site, if any, must be one
// of the same client's sites (EINVALID otherwise). It needs clients.manage.
func (view *StaffView) CreateProject(ctx context.Context, p *domain.Project) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.clientExists(ctx, tx, staff, p.ClientID); err != nil {
			return err
		}
		if err := s.siteOfClient(ctx, tx, staff, p.ClientID, p.SiteID); err != nil {
			return err
		}
		p.CompanyID, p.CreatedAt = staff.CompanyID(), s.Now()
		id, err := s.insert(ctx, tx, `INSERT INTO projects (company_id, client_id, site_id, name, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			p.CompanyID, p.ClientID, nullID(p.SiteID), p.Name, p.Status, micros(p.CreatedAt))
		if err != nil {
			return fmt.Errorf("store: create project: %w", err)
		}
		p.ID = id
		return s.audit(ctx, tx, staff, "project.create", "Project "+p.Name)
	})
}

// UpdateProject replaces name, site and status of project p.ID of client p.ClientID.
// It returns ENOTFOUND if the project is not the client's, whatever the site.
func (view *StaffView) UpdateProject(ctx context.Context, p *domain.Project) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		// A missing project is reported as such before its site is judged, so that
		// another tenant's project looks missing, not like a bad choice of site.
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM projects WHERE company_id = ? AND client_id = ? AND id = ?`),
			staff.CompanyID(), p.ClientID, p.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "Project not found.")
		}
		if err := s.siteOfClient(ctx, tx, staff, p.ClientID, p.SiteID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE projects SET name = ?, site_id = ?, status = ? WHERE company_id = ? AND client_id = ? AND id = ?`),
			p.Name, nullID(p.SiteID), p.Status, staff.CompanyID(), p.ClientID, p.ID)
		if err := mustAffect(res, err, "Project not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "project.update", "Project "+p.Name)
	})
}

// DeleteProject deletes project id of client clientID.
func (view *StaffView) DeleteProject(ctx context.Context, clientID, id int64) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if refs, err := s.billingRefs(ctx, tx, staff.CompanyID(), clientID, id); err != nil {
			return err
		} else if refs != "" {
			return domain.Errorf(domain.ECONFLICT, "This project has %s. Mark it finished instead; they keep their project.", refs)
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM projects WHERE company_id = ? AND client_id = ? AND id = ?`), staff.CompanyID(), clientID, id)
		if err := mustAffect(res, err, "Project not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "project.delete", fmt.Sprintf("Project #%d", id))
	})
}

// siteOfClient returns EINVALID unless siteID is 0 or a site of the client.
func (s *Store) siteOfClient(ctx context.Context, tx *sql.Tx, staff access.Staff, clientID, siteID int64) error {
	if siteID == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM sites WHERE company_id = ? AND client_id = ? AND id = ?`),
		staff.CompanyID(), clientID, siteID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.",
			Fields: map[string]string{"site_id": "Choose one of this client's sites."}}
	}
	return nil
}
