package store

import (
	"context"
	"database/sql"
	"fmt"

	"portico/internal/domain"
)

// site_protocols summarises the completed protocols per client and site: their
// number and the latest performed_at. It always equals
//
//	SELECT company_id, client_id, site_id, COUNT(*), MAX(performed_at)
//	FROM protocols WHERE status = 'completed' GROUP BY company_id, client_id, site_id
//
// A completed protocol is final — it is never changed, moved or deleted — so
// the only writes that touch the summary are completing a protocol
// (addSiteProtocol) and importing completed ones (importSiteProtocols), each
// in its own transaction. Migration 0014 filled it from the protocols
// completed before it.

// upsertSiteProtocols is the tail of an INSERT INTO site_protocols that adds to
// an existing row: the counts add up and the later date stays.
const upsertSiteProtocols = ` ON CONFLICT (company_id, client_id, site_id) DO UPDATE SET
	completed = site_protocols.completed + excluded.completed,
	last_performed_at = CASE WHEN excluded.last_performed_at > site_protocols.last_performed_at
		THEN excluded.last_performed_at ELSE site_protocols.last_performed_at END`

// addSiteProtocol counts protocol id of the company, just completed, in the
// summary, in the caller's transaction.
func (s *Store) addSiteProtocol(ctx context.Context, tx *sql.Tx, companyID, id int64) error {
	// WHERE before ON CONFLICT: SQLite would otherwise read the conflict
	// clause's ON as part of the SELECT.
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO site_protocols (company_id, client_id, site_id, completed, last_performed_at)
		SELECT company_id, client_id, site_id, 1, performed_at FROM protocols
		WHERE company_id = ? AND id = ? AND status = 'completed'`+upsertSiteProtocols), companyID, id)
	if err != nil {
		return fmt.Errorf("store: site protocols: %w", err)
	}
	return nil
}

// importSiteProtocols counts a batch of imported protocols, the completed ones,
// in the summary: one multi-row upsert per importBatch sites (insertRows).
func (s *Store) importSiteProtocols(ctx context.Context, tx *sql.Tx, batch []*domain.Protocol) error {
	type key struct{ client, site int64 }
	type sum struct{ n, last int64 }
	sums := map[key]*sum{}
	var order []key
	var companyID int64
	for _, p := range batch {
		if p.Status != domain.ProtocolCompleted {
			continue
		}
		companyID = p.CompanyID
		k, at := key{p.ClientID, p.SiteID}, micros(p.PerformedAt)
		x := sums[k]
		if x == nil {
			x = &sum{}
			sums[k] = x
			order = append(order, k)
		}
		x.n++
		x.last = max(x.last, at)
	}
	rows := make([][]any, len(order))
	for i, k := range order {
		rows[i] = []any{companyID, k.client, k.site, sums[k].n, sums[k].last}
	}
	if err := s.insertRows(ctx, tx, `INSERT INTO site_protocols (company_id, client_id, site_id, completed, last_performed_at)`, rows, upsertSiteProtocols); err != nil {
		return fmt.Errorf("store: import site protocols: %w", err)
	}
	return nil
}
