package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
)

const documentSelect = `SELECT d.id, d.company_id, d.kind, d.title, d.valid_until, COALESCE(d.material_id, 0), COALESCE(d.client_id, 0),
	d.all_sites, d.portal_visible, d.file_key, d.file_name, d.content_type, d.size, d.created_at, d.updated_at,
	COALESCE(m.name, ''), COALESCE(c.name, '')
	FROM documents d
	LEFT JOIN materials m ON m.company_id = d.company_id AND m.id = d.material_id
	LEFT JOIN clients c ON c.company_id = d.company_id AND c.id = d.client_id`

func scanDocument(row interface{ Scan(...any) error }) (*domain.Document, error) {
	var d domain.Document
	var valid sql.NullInt64
	var created, updated int64
	err := row.Scan(&d.ID, &d.CompanyID, &d.Kind, &d.Title, &valid, &d.MaterialID, &d.ClientID, &d.AllSites, &d.PortalVisible,
		&d.FileKey, &d.FileName, &d.ContentType, &d.Size, &created, &updated, &d.MaterialName, &d.ClientName)
	if err != nil {
		return nil, err
	}
	d.ValidUntil = nullMicros(valid)
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &d, nil
}

// collectDocuments runs a document query and fills each document's sites.
func (s *Store) collectDocuments(ctx context.Context, q querier, query string, args ...any) ([]*domain.Document, error) {
	rows, err := q.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: documents: %w", err)
	}
	var out []*domain.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		d.IsExpired = d.Expired(s.Now())
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.loadDocumentSites(ctx, q, out)
}

// loadDocumentSites fills the site ids and names of the documents in one query.
func (s *Store) loadDocumentSites(ctx context.Context, q querier, docs []*domain.Document) error {
	byID := map[int64]*domain.Document{}
	var ids []int64
	for _, d := range docs {
		if d.ClientID != 0 && !d.AllSites {
			byID[d.ID] = d
			ids = append(ids, d.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	where, args := and(eq("ds.company_id", docs[0].CompanyID), in("ds.document_id", ids)).where()
	rows, err := q.QueryContext(ctx, s.q(`SELECT ds.document_id, ds.site_id, st.name FROM document_sites ds
		JOIN sites st ON st.company_id = ds.company_id AND st.id = ds.site_id
		WHERE `+where+` ORDER BY st.name, st.id`), args...)
	if err != nil {
		return fmt.Errorf("store: document sites: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var docID, siteID int64
		var name string
		if err := rows.Scan(&docID, &siteID, &name); err != nil {
			return err
		}
		d := byID[docID]
		d.SiteIDs = append(d.SiteIDs, siteID)
		d.SiteNames = append(d.SiteNames, name)
	}
	return rows.Err()
}

// DocumentFilter narrows the staff's document list.
type DocumentFilter struct {
	ClientID   int64
	MaterialID int64
	Kind       string
	Query      string // matches title, material, client or file name, ignoring case and accents
	domain.ListOptions
}

// Documents lists one page of the company's documents matching f, newest first.
func (view *StaffView) Documents(ctx context.Context, f DocumentFilter) ([]*domain.Document, domain.PageInfo, error) {
	s, staff := view.s, view.staff
	opts := f.ListOptions.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	where, args := and(eq("d.company_id", staff.CompanyID()),
		when(f.ClientID != 0, eq("d.client_id", f.ClientID)),
		when(f.MaterialID != 0, eq("d.material_id", f.MaterialID)),
		when(f.Kind != "", eq("d.kind", f.Kind)),
		contains("d.search_text", f.Query)).where()
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM documents d WHERE `+where), args...).Scan(&info.Total); err != nil {
		return nil, info, fmt.Errorf("store: count documents: %w", err)
	}
	docs, err := s.collectDocuments(ctx, s.db, documentSelect+` WHERE `+where+` ORDER BY d.created_at DESC, d.id DESC LIMIT ? OFFSET ?`,
		append(args, opts.PerPage, opts.Offset())...)
	return docs, info, err
}

// Document returns the company's document id with its sites, or ENOTFOUND.
func (view *StaffView) Document(ctx context.Context, id int64) (*domain.Document, error) {
	s, staff := view.s, view.staff
	docs, err := s.collectDocuments(ctx, s.db, documentSelect+` WHERE d.company_id = ? AND d.id = ?`, staff.CompanyID(), id)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Document not found.")
	}
	return docs[0], nil
}

// CheckDocument validates a document's fields and that its material, client and
// sites are the company's, without writing anything: an upload calls it before it
// stores the file. It returns EINVALID naming each bad field, and needs
// documents.manage.
func (view *StaffView) CheckDocument(ctx context.Context, d *domain.Document) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.DocumentsManage); err != nil {
		return err
	}
	d.Normalize()
	if err := d.Validate(); err != nil {
		return err
	}
	return s.checkDocumentRefs(ctx, s.db, staff, d)
}

func (s *Store) checkDocumentRefs(ctx context.Context, q querier, staff access.Staff, d *domain.Document) error {
	bad := func(field, msg string) error {
		return &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.", Fields: map[string]string{field: msg}}
	}
	var n int
	if d.MaterialID != 0 {
		if err := q.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM materials WHERE company_id = ? AND id = ?`), staff.CompanyID(), d.MaterialID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return bad("material_id", "Choose a material from your catalogue.")
		}
	}
	if d.ClientID != 0 {
		if err := q.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM clients WHERE company_id = ? AND id = ?`), staff.CompanyID(), d.ClientID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return bad("client_id", "Choose one of your clients.")
		}
		for _, site := range d.SiteIDs {
			if err := q.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM sites WHERE company_id = ? AND client_id = ? AND id = ?`),
				staff.CompanyID(), d.ClientID, site).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return bad("site_ids", "Choose sites of this client.")
			}
		}
	}
	return nil
}

func (s *Store) documentSearchText(ctx context.Context, tx querier, d *domain.Document) string {
	var material, client string
	if d.MaterialID != 0 {
		tx.QueryRowContext(ctx, s.q(`SELECT name FROM materials WHERE company_id = ? AND id = ?`), d.CompanyID, d.MaterialID).Scan(&material)
	}
	if d.ClientID != 0 {
		tx.QueryRowContext(ctx, s.q(`SELECT name FROM clients WHERE company_id = ? AND id = ?`), d.CompanyID, d.ClientID).Scan(&client)
	}
	return fold(strings.Join([]string{d.Title, material, client, d.FileName}, " "))
}

// nullDate stores a zero date as NULL.
func nullDate(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(t), Valid: true}
}

func (s *Store) setDocumentSites(ctx context.Context, tx *sql.Tx, d *domain.Document) error {
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM document_sites WHERE company_id = ? AND document_id = ?`), d.CompanyID, d.ID); err != nil {
		return err
	}
	if d.ClientID == 0 || d.AllSites {
		return nil
	}
	for _, site := range d.SiteIDs {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO document_sites (company_id, document_id, client_id, site_id) VALUES (?, ?, ?, ?)`),
			d.CompanyID, d.ID, d.ClientID, site); err != nil {
			return fmt.Errorf("store: document site: %w", err)
		}
	}
	return nil
}

// CreateDocument records an uploaded document whose file is already in the blob
// store under d.FileKey. It needs documents.manage and returns EINVALID for bad
// fields; the caller then removes the file.
func (view *StaffView) CreateDocument(ctx context.Context, d *domain.Document) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.DocumentsManage); err != nil {
		return err
	}
	d.Normalize()
	if err := d.Validate(); err != nil {
		return err
	}
	if d.FileKey == "" || d.ContentType == "" || d.Size <= 0 {
		return fmt.Errorf("store: create document: no file")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkDocumentRefs(ctx, tx, staff, d); err != nil {
			return err
		}
		now := s.Now()
		d.CompanyID, d.CreatedAt, d.UpdatedAt = staff.CompanyID(), now, now
		var err error
		d.ID, err = s.insert(ctx, tx, `INSERT INTO documents (company_id, kind, title, search_text, valid_until, material_id, client_id,
			all_sites, portal_visible, file_key, file_name, content_type, size, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.CompanyID, d.Kind, d.Title, s.documentSearchText(ctx, tx, d), nullDate(d.ValidUntil), nullID(d.MaterialID), nullID(d.ClientID),
			d.AllSites, d.PortalVisible, d.FileKey, d.FileName, d.ContentType, d.Size, micros(now), micros(now))
		if err != nil {
			return fmt.Errorf("store: create document: %w", err)
		}
		if err := s.setDocumentSites(ctx, tx, d); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "document.create", "Document "+d.Title)
	})
}

// UpdateDocument replaces the title, kind, validity, target and portal visibility
// of document d.ID; the file stays. It needs documents.manage and returns
// ENOTFOUND for a document of another company.
func (view *StaffView) UpdateDocument(ctx context.Context, d *domain.Document) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.DocumentsManage); err != nil {
		return err
	}
	d.Normalize()
	if err := d.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkDocumentRefs(ctx, tx, staff, d); err != nil {
			return err
		}
		var fileName string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT file_name FROM documents WHERE company_id = ? AND id = ?`), staff.CompanyID(), d.ID).Scan(&fileName); err != nil {
			return notFound(err, "Document not found.")
		}
		d.CompanyID, d.FileName, d.UpdatedAt = staff.CompanyID(), fileName, s.Now()
		// Sites go first: a document moving to another client must not keep
		// site rows of the old one (their key includes the client).
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM document_sites WHERE company_id = ? AND document_id = ?`), d.CompanyID, d.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`UPDATE documents SET kind = ?, title = ?, search_text = ?, valid_until = ?, material_id = ?, client_id = ?,
			all_sites = ?, portal_visible = ?, updated_at = ? WHERE company_id = ? AND id = ?`),
			d.Kind, d.Title, s.documentSearchText(ctx, tx, d), nullDate(d.ValidUntil), nullID(d.MaterialID), nullID(d.ClientID),
			d.AllSites, d.PortalVisible, micros(d.UpdatedAt), staff.CompanyID(), d.ID)
		if err != nil {
			return fmt.Errorf("store: update document: %w", err)
		}
		if err := s.setDocumentSites(ctx, tx, d); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "document.update", "Document "+d.Title)
	})
}

// DeleteDocument deletes document id and returns it, so that the caller can
// remove its file. It needs documents.manage; ENOTFOUND for another company's.
func (view *StaffView) DeleteDocument(ctx context.Context, id int64) (*domain.Document, error) {
	s, staff := view.s, view.staff
	if err := staff.Require(access.DocumentsManage); err != nil {
		return nil, err
	}
	var d *domain.Document
	err := s.tx(ctx, func(tx *sql.Tx) error {
		docs, err := s.collectDocuments(ctx, tx, documentSelect+` WHERE d.company_id = ? AND d.id = ?`, staff.CompanyID(), id)
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			return domain.Errorf(domain.ENOTFOUND, "Document not found.")
		}
		d = docs[0]
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM document_sites WHERE company_id = ? AND document_id = ?`), staff.CompanyID(), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM documents WHERE company_id = ? AND id = ?`), staff.CompanyID(), id); err != nil {
			return fmt.Errorf("store: delete document: %w", err)
		}
		return s.audit(ctx, tx, staff, "document.delete", "Document "+d.Title)
	})
	return d, err
}
