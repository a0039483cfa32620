package store

import (
	"context"
	"database/sql"
	"fmt"

	"portico/internal/access"
	"portico/internal/domain"
)

// audit records that actor did action to subject, in the caller's transaction.
func (s *Store) audit(ctx context.Context, tx *sql.Tx, staff access.Staff, action, subject string) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (company_id, actor_id, actor_name, action, subject, at) VALUES (?, ?, ?, ?, ?, ?)`),
		staff.CompanyID(), nullID(staff.UserID()), staff.Name(), action, subject, micros(s.Now()))
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// AuditLog lists one page of the company's audit log, newest first.
func (view *StaffView) AuditLog(ctx context.Context, opts domain.ListOptions) ([]*domain.AuditEntry, domain.PageInfo, error) {
	s, staff := view.s, view.staff
	opts = opts.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM audit_log WHERE company_id = ?`), staff.CompanyID()).Scan(&info.Total); err != nil {
		return nil, info, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, company_id, COALESCE(actor_id, 0), actor_name, action, subject, at
		FROM audit_log WHERE company_id = ? ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`), staff.CompanyID(), opts.PerPage, opts.Offset())
	if err != nil {
		return nil, info, err
	}
	defer rows.Close()
	var out []*domain.AuditEntry
	for rows.Next() {
		var e domain.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.CompanyID, &e.ActorID, &e.ActorName, &e.Action, &e.Subject, &at); err != nil {
			return nil, info, err
		}
		e.At = fromMicros(at)
		out = append(out, &e)
	}
	return out, info, rows.Err()
}
