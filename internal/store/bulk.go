package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

// importBatch is how many rows one multi-row INSERT carries: well under both
// engines' limits on bound parameters.
const importBatch = 400

// ImportProtocols adds many completed protocols at once, in one transaction with
// multi-row inserts — for bringing over the history of another system (and for
// filling a benchmark). Numbers are taken from the company's sequence in order.
// Sites, technicians and materials are checked by the foreign keys only, so a
// reference into another tenant fails the whole import. Needs protocols.write.
func (view *StaffView) ImportProtocols(ctx context.Context, ps []*domain.Protocol) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ProtocolsWrite); err != nil {
		return err
	}
	for _, p := range ps {
		p.Normalize()
		if err := p.Validate(); err != nil {
			return fmt.Errorf("store: import protocol at %v: %w", p.PerformedAt, err)
		}
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		first, err := s.nextProtocolNumber(ctx, tx, staff.CompanyID(), int64(len(ps)))
		if err != nil {
			return err
		}
		now := micros(s.Now())
		for start := 0; start < len(ps); start += importBatch {
			batch := ps[start:min(start+importBatch, len(ps))]
			var b strings.Builder
			b.WriteString(`INSERT INTO protocols (company_id, number, client_id, site_id, performed_at, technician_id,
				service_type, findings, recommendations, status, completed_at, created_at, updated_at) VALUES `)
			args := make([]any, 0, len(batch)*13)
			byNumber := map[int64]*domain.Protocol{}
			for i, p := range batch {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				p.CompanyID, p.Number, p.Status = staff.CompanyID(), first+int64(start+i), domain.ProtocolCompleted
				p.CompletedAt = p.PerformedAt
				byNumber[p.Number] = p
				args = append(args, p.CompanyID, p.Number, p.ClientID, p.SiteID, micros(p.PerformedAt), nullID(p.TechnicianID),
					p.ServiceType, p.Findings, p.Recommendations, p.Status, micros(p.PerformedAt), now, now)
			}
			b.WriteString(" RETURNING id, number")
			rows, err := tx.QueryContext(ctx, s.q(b.String()), args...)
			if err != nil {
				return fmt.Errorf("store: import protocols: %w", err)
			}
			for rows.Next() {
				var id, number int64
				if err := rows.Scan(&id, &number); err != nil {
					rows.Close()
					return err
				}
				byNumber[number].ID = id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if err := s.importMaterials(ctx, tx, batch); err != nil {
				return err
			}
			if err := s.importSiteMaterials(ctx, tx, batch); err != nil {
				return err
			}
			if err := s.importSiteProtocols(ctx, tx, batch); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, staff, "protocol.import", fmt.Sprintf("%d protocols", len(ps)))
	})
	if err != nil {
		return err
	}
	// A bulk load changes the tables' shape at once; fresh statistics keep the
	// planner on the indexes (autovacuum would get there, but later).
	for _, table := range []string{"protocols", "protocol_materials", "site_materials", "site_protocols"} {
		if _, err := s.wdb.ExecContext(ctx, "ANALYZE "+table); err != nil {
			return fmt.Errorf("store: analyze %s: %w", table, err)
		}
	}
	return nil
}

func (s *Store) importMaterials(ctx context.Context, tx *sql.Tx, batch []*domain.Protocol) error {
	var b strings.Builder
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO protocol_materials (company_id, protocol_id, material_id, quantity, unit, location, position) VALUES `+b.String()), args...)
		b.Reset()
		args, n = args[:0], 0
		if err != nil {
			return fmt.Errorf("store: import protocol materials: %w", err)
		}
		return nil
	}
	for _, p := range batch {
		for i, m := range p.Materials {
			if n > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			args = append(args, p.CompanyID, p.ID, m.MaterialID, m.Quantity, m.Unit, m.Location, i)
			if n++; n == importBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}
