package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
)

// protocolSelect is the SELECT list and FROM clause of protocol queries. The
// portal's variant leaves out the technician's name: portal users never see staff
// names.
func protocolSelect(staffNames bool) string {
	return protocolColumns(staffNames) + `
		FROM protocols p
		JOIN clients c ON c.company_id = p.company_id AND c.id = p.client_id
		JOIN sites st ON st.company_id = p.company_id AND st.id = p.site_id` + technicianJoin(staffNames)
}

// protocolColumns is the SELECT list of protocol queries, over protocols p,
// clients c, sites st and (with staffNames) staff_users u.
func protocolColumns(staffNames bool) string {
	tech := `''`
	if staffNames {
		tech = `COALESCE(u.name, '')`
	}
	return `SELECT p.id, p.company_id, p.number, p.client_id, p.site_id, p.performed_at, COALESCE(p.technician_id, 0),
		p.service_type, p.findings, p.recommendations, p.status, p.completed_at, p.created_at, p.updated_at,
		c.name, st.name, st.city, ` + tech
}

// technicianJoin joins the technician's name for staff lists.
func technicianJoin(staffNames bool) string {
	if !staffNames {
		return ``
	}
	return ` LEFT JOIN staff_users u ON u.company_id = p.company_id AND u.id = p.technician_id`
}

// protocolList returns listProtocols' count query and page query for protocols p
// matching c, and c's arguments; the page query takes LIMIT and OFFSET after them.
func protocolList(staffNames bool, c cond, opts domain.ListOptions) (count, page string, args []any) {
	where, args := c.where()
	return `SELECT COUNT(*) FROM protocols p WHERE ` + where, protocolPage(staffNames, where), args
}

// protocolPage is the query of one page of protocols p matching where (whose
// arguments come first, then LIMIT and OFFSET), newest first. The page's ids are
// chosen from protocols alone, by index, and only those rows are read and joined
// to their client and site: joined first, SQLite would start from every site of
// the tenant and sort all of a many-client user's protocols to keep one page.
// CROSS JOIN keeps SQLite's join order (the page first); PostgreSQL plans it as
// an inner join, and the page cannot be flattened into it for its LIMIT.
func protocolPage(staffNames bool, where string) string {
	return protocolColumns(staffNames) + `
		FROM (SELECT p.id FROM protocols p WHERE ` + where + `
			ORDER BY ` + protocolOrder.orderBy() + ` LIMIT ? OFFSET ?) page
		CROSS JOIN protocols p
		CROSS JOIN clients c
		CROSS JOIN sites st` + technicianJoin(staffNames) + `
		WHERE p.id = page.id
		AND c.company_id = p.company_id AND c.id = p.client_id
		AND st.company_id = p.company_id AND st.id = p.site_id
		ORDER BY ` + protocolOrder.orderBy()
}

func scanProtocol(row interface{ Scan(...any) error }) (*domain.Protocol, error) {
	var p domain.Protocol
	var performed, created, updated int64
	var completed sql.NullInt64
	err := row.Scan(&p.ID, &p.CompanyID, &p.Number, &p.ClientID, &p.SiteID, &performed, &p.TechnicianID,
		&p.ServiceType, &p.Findings, &p.Recommendations, &p.Status, &completed, &created, &updated,
		&p.ClientName, &p.SiteName, &p.SiteCity, &p.TechnicianName)
	if err != nil {
		return nil, err
	}
	p.PerformedAt, p.CreatedAt, p.UpdatedAt = fromMicros(performed), fromMicros(created), fromMicros(updated)
	p.CompletedAt = nullMicros(completed)
	return &p, nil
}

// ProtocolFilter narrows a protocol list.
type ProtocolFilter struct {
	ClientID int64
	SiteID   int64
	Status   string    // "", draft or completed (staff lists only)
	From     time.Time // performed at or after, when set
	To       time.Time // performed before, when set
	domain.ListOptions
}

// cond is the filter's condition on protocols p.
func (f ProtocolFilter) cond() cond {
	return and(
		when(f.ClientID != 0, eq("p.client_id", f.ClientID)),
		when(f.SiteID != 0, eq("p.site_id", f.SiteID)),
		when(f.Status != "", eq("p.status", f.Status)),
		when(!f.From.IsZero(), expr("p.performed_at >= ?", micros(f.From))),
		when(!f.To.IsZero(), expr("p.performed_at < ?", micros(f.To))),
	)
}

// protocolOrder is the order of protocol lists, newest first; protocolPage
// spells it out.
var protocolOrder = keyOrder{cols: []string{"p.performed_at", "p.id"}, kinds: []keyKind{keyInt, keyInt}, desc: true}

// protocolKey is a protocol's key in protocolOrder.
func protocolKey(p *domain.Protocol) []any { return []any{micros(p.PerformedAt), p.ID} }

// listProtocols runs a count and one page of protocols p matching c, newest
// first; a keyset page (opts.Keyset) is not counted.
func (s *Store) listProtocols(ctx context.Context, staffNames bool, c cond, opts domain.ListOptions) ([]*domain.Protocol, domain.PageInfo, error) {
	return s.listProtocolsCounted(ctx, staffNames, c, opts, nil)
}

// listProtocolsCounted is listProtocols with the total already known, when
// total is not nil: the page alone is read.
func (s *Store) listProtocolsCounted(ctx context.Context, staffNames bool, c cond, opts domain.ListOptions, total *int) ([]*domain.Protocol, domain.PageInfo, error) {
	opts = opts.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	after, err := protocolOrder.after(opts)
	if err != nil {
		return nil, info, err
	}
	c = and(c, after)
	if c.matchesNothing() {
		return nil, info, nil
	}
	count, page, args := protocolList(staffNames, c, opts)
	if total != nil {
		info.Total = *total
	} else if !opts.Keyset {
		if err := s.db.QueryRowContext(ctx, s.q(count), args...).Scan(&info.Total); err != nil {
			return nil, info, fmt.Errorf("store: count protocols: %w", err)
		}
	}
	limit, offset := protocolOrder.limit(opts)
	rows, err := s.db.QueryContext(ctx, s.q(page), append(args, limit, offset)...)
	if err != nil {
		return nil, info, fmt.Errorf("store: protocols: %w", err)
	}
	defer rows.Close()
	var out []*domain.Protocol
	for rows.Next() {
		p, err := scanProtocol(rows)
		if err != nil {
			return nil, info, err
		}
		out = append(out, p)
	}
	out = trim(opts, out, &info, protocolKey)
	return out, info, rows.Err()
}

// Protocols lists one page of the company's protocols matching f, newest first.
func (view *StaffView) Protocols(ctx context.Context, f ProtocolFilter) ([]*domain.Protocol, domain.PageInfo, error) {
	s, staff := view.s, view.staff
	return s.listProtocols(ctx, true, and(eq("p.company_id", staff.CompanyID()), f.cond()), f.ListOptions)
}

// Protocol returns the company's protocol id with its materials, or ENOTFOUND.
func (view *StaffView) Protocol(ctx context.Context, id int64) (*domain.Protocol, error) {
	s, staff := view.s, view.staff
	p, err := scanProtocol(s.db.QueryRowContext(ctx, s.q(protocolSelect(true)+` WHERE p.company_id = ? AND p.id = ?`), staff.CompanyID(), id))
	if err != nil {
		return nil, notFound(err, "Protocol not found.")
	}
	return p, s.loadProtocolMaterials(ctx, s.db, p)
}

func (s *Store) loadProtocolMaterials(ctx context.Context, q querier, p *domain.Protocol) error {
	rows, err := q.QueryContext(ctx, s.q(`SELECT pm.material_id, m.name, m.active_substance, pm.quantity, pm.unit, pm.location
		FROM protocol_materials pm JOIN materials m ON m.company_id = pm.company_id AND m.id = pm.material_id
		WHERE pm.company_id = ? AND pm.protocol_id = ? ORDER BY pm.position, pm.id`), p.CompanyID, p.ID)
	if err != nil {
		return fmt.Errorf("store: protocol materials: %w", err)
	}
	defer rows.Close()
	p.Materials = nil
	for rows.Next() {
		var m domain.ProtocolMaterial
		if err := rows.Scan(&m.MaterialID, &m.MaterialName, &m.ActiveSubstance, &m.Quantity, &m.Unit, &m.Location); err != nil {
			return err
		}
		p.Materials = append(p.Materials, m)
	}
	return rows.Err()
}

// nextProtocolNumber takes the company's next protocol number. The upsert holds
// the counter row's lock until the transaction ends, so numbers never repeat.
func (s *Store) nextProtocolNumber(ctx context.Context, tx *sql.Tx, companyID int64, n int64) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO protocol_numbers (company_id, last_number) VALUES (?, ?)
		ON CONFLICT (company_id) DO UPDATE SET last_number = protocol_numbers.last_number + ? RETURNING last_number`), companyID, n, n).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("store: protocol number: %w", err)
	}
	return last - n + 1, nil
}

// checkProtocolRefs returns EINVALID naming the field whose site, technician or
// material is not the company's.
func (s *Store) checkProtocolRefs(ctx context.Context, tx *sql.Tx, staff access.Staff, p *domain.Protocol) error {
	if err := s.siteOfClient(ctx, tx, staff, p.ClientID, p.SiteID); err != nil {
		return err
	}
	bad := func(field, msg string) error {
		return &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.", Fields: map[string]string{field: msg}}
	}
	var n int
	if p.TechnicianID != 0 {
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM staff_users WHERE company_id = ? AND id = ?`), staff.CompanyID(), p.TechnicianID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return bad("technician_id", "Choose one of your staff.")
		}
	}
	for _, m := range p.Materials {
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM materials WHERE company_id = ? AND id = ?`), staff.CompanyID(), m.MaterialID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return bad("materials", "Choose materials from your catalogue.")
		}
	}
	return nil
}

func (s *Store) insertProtocolMaterials(ctx context.Context, tx *sql.Tx, p *domain.Protocol) error {
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM protocol_materials WHERE company_id = ? AND protocol_id = ?`), p.CompanyID, p.ID); err != nil {
		return err
	}
	for i, m := range p.Materials {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO protocol_materials (company_id, protocol_id, material_id, quantity, unit, location, position)
			VALUES (?, ?, ?, ?, ?, ?, ?)`), p.CompanyID, p.ID, m.MaterialID, m.Quantity, m.Unit, m.Location, i); err != nil {
			return fmt.Errorf("store: protocol material: %w", err)
		}
	}
	return nil
}

// CreateProtocol adds a draft protocol with the company's next number. The site
// must be the client's, the technician one of the company's staff and every
// material from its catalogue (EINVALID otherwise). It needs protocols.write.
func (view *StaffView) CreateProtocol(ctx context.Context, p *domain.Protocol) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ProtocolsWrite); err != nil {
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
		if err := s.checkProtocolRefs(ctx, tx, staff, p); err != nil {
			return err
		}
		num, err := s.nextProtocolNumber(ctx, tx, staff.CompanyID(), 1)
		if err != nil {
			return err
		}
		now := s.Now()
		p.CompanyID, p.Number, p.Status, p.CreatedAt, p.UpdatedAt = staff.CompanyID(), num, domain.ProtocolDraft, now, now
		p.CompletedAt = time.Time{}
		p.ID, err = s.insert(ctx, tx, `INSERT INTO protocols (company_id, number, client_id, site_id, performed_at, technician_id,
			service_type, findings, recommendations, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.CompanyID, p.Number, p.ClientID, p.SiteID, micros(p.PerformedAt), nullID(p.TechnicianID),
			p.ServiceType, p.Findings, p.Recommendations, p.Status, micros(now), micros(now))
		if err != nil {
			return fmt.Errorf("store: create protocol: %w", err)
		}
		if err := s.insertProtocolMaterials(ctx, tx, p); err != nil {
			return err
		}
		// A draft adds no use; the summary is told all the same.
		if err := s.addSiteMaterials(ctx, tx, p.CompanyID, p.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "protocol.create", fmt.Sprintf("Protocol %d", p.Number))
	})
}

// draftState returns ENOTFOUND for a protocol that is not the company's and
// ECONFLICT for a completed one: a completed protocol is final.
func (s *Store) draftState(ctx context.Context, tx *sql.Tx, staff access.Staff, id int64) (int64, error) {
	var number int64
	var status string
	err := tx.QueryRowContext(ctx, s.q(`SELECT number, status FROM protocols WHERE company_id = ? AND id = ?`+s.dialect.forUpdate), staff.CompanyID(), id).Scan(&number, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, domain.Errorf(domain.ENOTFOUND, "Protocol not found.")
	}
	if err != nil {
		return 0, err
	}
	if status != domain.ProtocolDraft {
		return 0, domain.Errorf(domain.ECONFLICT, "Protocol %d is completed and can no longer be changed.", number)
	}
	return number, nil
}

// UpdateProtocol replaces the fields and materials of draft protocol p.ID (its
// client stays). A completed protocol is ECONFLICT; one of another company
// ENOTFOUND. It needs protocols.write.
func (view *StaffView) UpdateProtocol(ctx context.Context, p *domain.Protocol) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ProtocolsWrite); err != nil {
		return err
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		number, err := s.draftState(ctx, tx, staff, p.ID)
		if err != nil {
			return err
		}
		if err := s.checkProtocolRefs(ctx, tx, staff, p); err != nil {
			return err
		}
		before, err := s.protocolSite(ctx, tx, staff.CompanyID(), p.ID)
		if err != nil {
			return err
		}
		p.CompanyID, p.Number, p.UpdatedAt = staff.CompanyID(), number, s.Now()
		_, err = tx.ExecContext(ctx, s.q(`UPDATE protocols SET site_id = ?, performed_at = ?, technician_id = ?, service_type = ?,
			findings = ?, recommendations = ?, updated_at = ? WHERE company_id = ? AND id = ? AND client_id = ?`),
			p.SiteID, micros(p.PerformedAt), nullID(p.TechnicianID), p.ServiceType, p.Findings, p.Recommendations,
			micros(p.UpdatedAt), staff.CompanyID(), p.ID, p.ClientID)
		if err != nil {
			return fmt.Errorf("store: update protocol: %w", err)
		}
		if err := s.insertProtocolMaterials(ctx, tx, p); err != nil {
			return err
		}
		// The protocol may have left its site, and its materials changed.
		if err := s.refreshSiteMaterials(ctx, tx, p.CompanyID, before, siteRef{before.clientID, p.SiteID}); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "protocol.update", fmt.Sprintf("Protocol %d", number))
	})
}

// CompleteProtocol makes draft protocol id final: from now on it is visible in the
// portal and cannot be changed. A completed one is ECONFLICT. Needs protocols.write.
func (view *StaffView) CompleteProtocol(ctx context.Context, id int64) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ProtocolsWrite); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		number, err := s.draftState(ctx, tx, staff, id)
		if err != nil {
			return err
		}
		now := micros(s.Now())
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE protocols SET status = ?, completed_at = ?, updated_at = ? WHERE company_id = ? AND id = ?`),
			domain.ProtocolCompleted, now, now, staff.CompanyID(), id); err != nil {
			return fmt.Errorf("store: complete protocol: %w", err)
		}
		if err := s.addSiteMaterials(ctx, tx, staff.CompanyID(), id); err != nil {
			return err
		}
		if err := s.addSiteProtocol(ctx, tx, staff.CompanyID(), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "protocol.complete", fmt.Sprintf("Protocol %d", number))
	})
}

// DeleteProtocol deletes draft protocol id; a completed one is ECONFLICT. Needs
// protocols.write.
func (view *StaffView) DeleteProtocol(ctx context.Context, id int64) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ProtocolsWrite); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		number, err := s.draftState(ctx, tx, staff, id)
		if err != nil {
			return err
		}
		site, err := s.protocolSite(ctx, tx, staff.CompanyID(), id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM protocols WHERE company_id = ? AND id = ?`), staff.CompanyID(), id); err != nil {
			return fmt.Errorf("store: delete protocol: %w", err)
		}
		// Its materials went with it (ON DELETE CASCADE).
		if err := s.refreshSiteMaterials(ctx, tx, staff.CompanyID(), site); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "protocol.delete", fmt.Sprintf("Protocol %d", number))
	})
}

// protocolSite returns the client and site of protocol id of the company.
func (s *Store) protocolSite(ctx context.Context, tx *sql.Tx, companyID, id int64) (siteRef, error) {
	var x siteRef
	err := tx.QueryRowContext(ctx, s.q(`SELECT client_id, site_id FROM protocols WHERE company_id = ? AND id = ?`), companyID, id).Scan(&x.clientID, &x.siteID)
	return x, notFound(err, "Protocol not found.")
}

// ClientHasCompletedProtocol reports whether the client of the staff member's
// company has at least one completed protocol — what its portal users would
// find there first. A client of another company has none.
func (view *StaffView) ClientHasCompletedProtocol(ctx context.Context, clientID int64) (bool, error) {
	s, staff := view.s, view.staff
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM (SELECT 1 FROM protocols p
		WHERE p.company_id = ? AND p.client_id = ? AND p.status = ? LIMIT 1) x`), staff.CompanyID(), clientID, domain.ProtocolCompleted).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: client %d has protocols: %w", clientID, err)
	}
	return n > 0, nil
}
