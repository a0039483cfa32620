package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"portico/internal/domain"
)

// site_materials summarises protocol_materials for the portal: a row per client,
// site and material used in a completed protocol at the site, with the date
// (performed_at) of the latest such protocol. It always equals
//
//	SELECT p.company_id, p.client_id, p.site_id, pm.material_id, MAX(p.performed_at)
//	FROM protocols p JOIN protocol_materials pm ON …
//	WHERE p.status = 'completed' GROUP BY p.company_id, p.client_id, p.site_id, pm.material_id
//
// because every write to protocols or protocol_materials brings it up to date
// in its own transaction: completing or importing protocols adds their
// materials (addSiteMaterials), and any other change recomputes the rows of
// the sites it touches (refreshSiteMaterials). Migration 0011 filled it from
// the protocols completed before it.

// upsertSiteMaterial is the tail of an INSERT INTO site_materials that keeps the
// later of two dates for one site and material.
const upsertSiteMaterial = ` ON CONFLICT (company_id, client_id, site_id, material_id) DO UPDATE SET
	last_used_at = CASE WHEN excluded.last_used_at > site_materials.last_used_at
		THEN excluded.last_used_at ELSE site_materials.last_used_at END`

// addSiteMaterials records in the summary the materials of protocols ids of the
// company that are completed, in the caller's transaction. Completing a protocol
// only adds uses, so the summary needs no other row.
func (s *Store) addSiteMaterials(ctx context.Context, tx *sql.Tx, companyID int64, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	where, args := and(eq("p.company_id", companyID), in("p.id", ids), expr("p.status = 'completed'")).where()
	// WHERE before ON CONFLICT: SQLite would otherwise read the conflict clause's
	// ON as the join's.
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO site_materials (company_id, client_id, site_id, material_id, last_used_at)
		SELECT p.company_id, p.client_id, p.site_id, pm.material_id, MAX(p.performed_at)
		FROM protocols p JOIN protocol_materials pm ON pm.company_id = p.company_id AND pm.protocol_id = p.id
		WHERE `+where+` GROUP BY p.company_id, p.client_id, p.site_id, pm.material_id`+upsertSiteMaterial), args...)
	if err != nil {
		return fmt.Errorf("store: site materials: %w", err)
	}
	return nil
}

// importSiteMaterials records the materials of a batch of imported (completed)
// protocols: the latest date per site and material is taken here, so the
// summary grows by one multi-row upsert rather than a query over the batch.
func (s *Store) importSiteMaterials(ctx context.Context, tx *sql.Tx, batch []*domain.Protocol) error {
	type key struct{ client, site, material int64 }
	latest := map[key]int64{}
	var order []key
	var companyID int64
	for _, p := range batch {
		if p.Status != domain.ProtocolCompleted {
			continue
		}
		companyID = p.CompanyID
		at := micros(p.PerformedAt)
		for _, m := range p.Materials {
			k := key{p.ClientID, p.SiteID, m.MaterialID}
			if last, ok := latest[k]; !ok {
				order = append(order, k)
				latest[k] = at
			} else if at > last {
				latest[k] = at
			}
		}
	}
	rows := make([][]any, len(order))
	for i, k := range order {
		rows[i] = []any{companyID, k.client, k.site, k.material, latest[k]}
	}
	if err := s.insertRows(ctx, tx, `INSERT INTO site_materials (company_id, client_id, site_id, material_id, last_used_at)`, rows, upsertSiteMaterial); err != nil {
		return fmt.Errorf("store: import site materials: %w", err)
	}
	return nil
}

// insertRows runs head VALUES (…), (…) tail for rows, importBatch rows to a
// statement, in the caller's transaction; every row has the same length.
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, head string, rows [][]any, tail string) error {
	for start := 0; start < len(rows); start += importBatch {
		var b strings.Builder
		var args []any
		for i, row := range rows[start:min(start+importBatch, len(rows))] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?" + strings.Repeat(", ?", len(row)-1) + ")")
			args = append(args, row...)
		}
		if _, err := tx.ExecContext(ctx, s.q(head+` VALUES `+b.String()+tail), args...); err != nil {
			return err
		}
	}
	return nil
}

// siteRef names one site of one client of the company.
type siteRef struct{ clientID, siteID int64 }

// refreshSiteMaterials recomputes the summary rows of the company's sites from
// their completed protocols, in the caller's transaction: for a change that may
// take uses away (a protocol deleted, moved to another site, or its materials
// replaced). It reads the completed protocols at those sites only.
func (s *Store) refreshSiteMaterials(ctx context.Context, tx *sql.Tx, companyID int64, sites ...siteRef) error {
	seen := map[siteRef]bool{}
	for _, x := range sites {
		if x.siteID == 0 || seen[x] {
			continue
		}
		seen[x] = true
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM site_materials WHERE company_id = ? AND client_id = ? AND site_id = ?`),
			companyID, x.clientID, x.siteID); err != nil {
			return fmt.Errorf("store: site materials: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO site_materials (company_id, client_id, site_id, material_id, last_used_at)
			SELECT p.company_id, p.client_id, p.site_id, pm.material_id, MAX(p.performed_at)
			FROM protocols p JOIN protocol_materials pm ON pm.company_id = p.company_id AND pm.protocol_id = p.id
			WHERE p.company_id = ? AND p.site_id = ? AND p.client_id = ? AND p.status = 'completed'
			GROUP BY p.company_id, p.client_id, p.site_id, pm.material_id`), companyID, x.siteID, x.clientID); err != nil {
			return fmt.Errorf("store: site materials: %w", err)
		}
	}
	return nil
}
