package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

const materialColumns = `m.id, m.company_id, m.name, m.manufacturer, m.active_substance, m.unit, m.created_at, m.updated_at,
	(SELECT COUNT(*) FROM documents x WHERE x.company_id = m.company_id AND x.material_id = m.id)`

func scanMaterial(row interface{ Scan(...any) error }) (*domain.Material, error) {
	var m domain.Material
	var created, updated int64
	if err := row.Scan(&m.ID, &m.CompanyID, &m.Name, &m.Manufacturer, &m.ActiveSubstance, &m.Unit, &created, &updated, &m.DocumentCount); err != nil {
		return nil, err
	}
	m.CreatedAt, m.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &m, nil
}

func materialSearchText(m *domain.Material) string {
	return fold(strings.Join([]string{m.Name, m.Manufacturer, m.ActiveSubstance}, " "))
}

// MaterialFilter narrows the materials list.
type MaterialFilter struct {
	Query string // matches name, manufacturer or active substance, ignoring case and accents
	domain.ListOptions
}

// Materials lists one page of the company's materials by name, with the number of
// documents of each.
func (view *StaffView) Materials(ctx context.Context, f MaterialFilter) ([]*domain.Material, domain.PageInfo, error) {
	s, staff := view.s, view.staff
	opts := f.ListOptions.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	where, args := and(eq("m.company_id", staff.CompanyID()),
		contains("m.search_text", f.Query)).where()
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM materials m WHERE `+where), args...).Scan(&info.Total); err != nil {
		return nil, info, fmt.Errorf("store: count materials: %w", err)
	}
	out, err := s.collectMaterials(ctx, `SELECT `+materialColumns+` FROM materials m WHERE `+where+
		` ORDER BY m.name, m.id LIMIT ? OFFSET ?`, append(args, opts.PerPage, opts.Offset())...)
	return out, info, err
}

// AllMaterials lists every material of the company by name, for choosing one in a form.
func (view *StaffView) AllMaterials(ctx context.Context) ([]*domain.Material, error) {
	s, staff := view.s, view.staff
	return s.collectMaterials(ctx, `SELECT `+materialColumns+` FROM materials m WHERE m.company_id = ? ORDER BY m.name, m.id`, staff.CompanyID())
}

func (s *Store) collectMaterials(ctx context.Context, query string, args ...any) ([]*domain.Material, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: materials: %w", err)
	}
	defer rows.Close()
	var out []*domain.Material
	for rows.Next() {
		m, err := scanMaterial(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Material returns the company's material id, or ENOTFOUND.
func (view *StaffView) Material(ctx context.Context, id int64) (*domain.Material, error) {
	s, staff := view.s, view.staff
	m, err := scanMaterial(s.db.QueryRowContext(ctx, s.q(`SELECT `+materialColumns+` FROM materials m WHERE m.company_id = ? AND m.id = ?`), staff.CompanyID(), id))
	return m, notFound(err, "Material not found.")
}

// CreateMaterial adds a material to the catalogue. It needs protocols.write.
func (view *StaffView) CreateMaterial(ctx context.Context, m *domain.Material) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ProtocolsWrite); err != nil {
		return err
	}
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		m.CompanyID, m.CreatedAt, m.UpdatedAt = staff.CompanyID(), now, now
		id, err := s.insert(ctx, tx, `INSERT INTO materials (company_id, name, search_text, manufacturer, active_substance, unit, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.CompanyID, m.Name, materialSearchText(m), m.Manufacturer, m.ActiveSubstance, m.Unit, micros(now), micros(now))
		if err != nil {
			return fmt.Errorf("store: create material: %w", err)
		}
		m.ID = id
		return s.audit(ctx, tx, staff, "material.create", "Material "+m.Name)
	})
}

// UpdateMaterial replaces the fields of material m.ID. It needs protocols.write and
// returns ENOTFOUND for a material of another company.
func (view *StaffView) UpdateMaterial(ctx context.Context, m *domain.Material) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ProtocolsWrite); err != nil {
		return err
	}
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE materials SET name = ?, search_text = ?, manufacturer = ?, active_substance = ?, unit = ?, updated_at = ?
			WHERE company_id = ? AND id = ?`), m.Name, materialSearchText(m), m.Manufacturer, m.ActiveSubstance, m.Unit, micros(s.Now()), staff.CompanyID(), m.ID)
		if err := mustAffect(res, err, "Material not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "material.update", "Material "+m.Name)
	})
}

// DeleteMaterial deletes a material. It refuses with ECONFLICT while protocols
// use it or documents belong to it, and needs protocols.write.
func (view *StaffView) DeleteMaterial(ctx context.Context, id int64) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ProtocolsWrite); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var used, docs int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT
			(SELECT COUNT(DISTINCT protocol_id) FROM protocol_materials WHERE company_id = ? AND material_id = ?),
			(SELECT COUNT(*) FROM documents WHERE company_id = ? AND material_id = ?)`), staff.CompanyID(), id, staff.CompanyID(), id).Scan(&used, &docs); err != nil {
			return err
		}
		var still []string
		if used > 0 {
			still = append(still, "is used in "+plural(used, "protocol", "protocols"))
		}
		if docs > 0 {
			still = append(still, "has "+plural(docs, "document", "documents"))
		}
		if len(still) > 0 {
			return domain.Errorf(domain.ECONFLICT, "This material %s, so it cannot be deleted.", joinAnd(still))
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM materials WHERE company_id = ? AND id = ?`), staff.CompanyID(), id)
		if err := mustAffect(res, err, "Material not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "material.delete", fmt.Sprintf("Material #%d", id))
	})
}
