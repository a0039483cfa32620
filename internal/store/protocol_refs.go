package store

import (
	"context"
	"database/sql"
)

// siteInUse names what still points at a site from protocols and documents
// ("3 protocols and 1 document"), or "" when nothing does: such a site cannot be
// deleted, and a protocol is a record that must keep its site.
func (s *Store) siteInUse(ctx context.Context, tx *sql.Tx, companyID, siteID int64) (string, error) {
	var prots, docs int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT (SELECT COUNT(*) FROM protocols WHERE company_id = ? AND site_id = ?),
		(SELECT COUNT(*) FROM document_sites WHERE company_id = ? AND site_id = ?)`), companyID, siteID, companyID, siteID).Scan(&prots, &docs); err != nil {
		return "", err
	}
	return usage(prots, docs), nil
}

// clientDocuments counts the documents of a client, which keep it from being deleted.
func (s *Store) clientDocuments(ctx context.Context, tx *sql.Tx, companyID, clientID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM documents WHERE company_id = ? AND client_id = ?`), companyID, clientID).Scan(&n)
	return n, err
}

func usage(prots, docs int) string {
	var parts []string
	if prots > 0 {
		parts = append(parts, plural(prots, "protocol", "protocols"))
	}
	if docs > 0 {
		parts = append(parts, plural(docs, "document", "documents"))
	}
	return joinAnd(parts)
}
