package store

import (
	"context"
	"fmt"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

// SDSMonths is how far back the protocols reach whose materials bring their
// safety data sheets to the portal's Documents page.
const SDSMonths = 24

// portalDocumentWhere is the condition for the documents d the scope may see: only
// those marked visible in the portal, and of them
//   - a material's documents (safety data sheets) when the material was used in a
//     completed protocol the scope may see, performed in the last SDSMonths months;
//   - a client's documents when the client is the scope's and the document is for
//     all of its sites or for a site the scope may see.
func (s *Store) portalDocumentWhere(sc access.Scope) (string, []any) {
	pw, pargs := sc.SitesWhere("p.client_id", "p.site_id")
	cw, cargs := sc.ClientsWhere("d.client_id")
	dw, dargs := sc.SitesWhere("ds.client_id", "ds.site_id")
	where := `d.company_id = ? AND d.portal_visible = TRUE AND (
		(d.material_id IS NOT NULL AND d.material_id IN (SELECT pm.material_id FROM protocol_materials pm
			JOIN protocols p ON p.company_id = pm.company_id AND p.id = pm.protocol_id
			WHERE p.company_id = ? AND p.status = 'completed' AND p.performed_at >= ? AND ` + pw + `))
		OR (d.client_id IS NOT NULL AND ` + cw + ` AND (d.all_sites = TRUE OR EXISTS (SELECT 1 FROM document_sites ds
			WHERE ds.company_id = d.company_id AND ds.document_id = d.id AND ` + dw + `))))`
	args := []any{sc.CompanyID, sc.CompanyID, micros(s.Now().AddDate(0, -SDSMonths, 0))}
	args = append(args, pargs...)
	args = append(args, cargs...)
	args = append(args, dargs...)
	return where, args
}

// PortalDocumentFilter narrows the portal's document lists.
type PortalDocumentFilter struct {
	Query  string // matches the title or the material's name, ignoring case and accents
	Kind   string
	SiteID int64 // the documents of one site (the site detail page); 0 for all
	domain.ListOptions
}

// portalDocumentFilter returns the documents condition for sc narrowed by f.
func (s *Store) portalDocumentFilter(sc access.Scope, f PortalDocumentFilter) (string, []any) {
	where, args := s.portalDocumentWhere(sc)
	if f.Kind != "" {
		where += ` AND d.kind = ?`
		args = append(args, f.Kind)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where += ` AND d.search_text LIKE ? ESCAPE '\'`
		args = append(args, likePattern(q))
	}
	if f.SiteID != 0 {
		// A site's documents: the client's documents for all sites or for this one,
		// and the safety data sheets of materials used at this site.
		where += ` AND (
			(d.client_id IS NOT NULL AND d.client_id = (SELECT x.client_id FROM sites x WHERE x.company_id = d.company_id AND x.id = ?)
				AND (d.all_sites = TRUE OR EXISTS (SELECT 1 FROM document_sites ds2 WHERE ds2.company_id = d.company_id AND ds2.document_id = d.id AND ds2.site_id = ?)))
			OR (d.material_id IS NOT NULL AND d.material_id IN (SELECT pm.material_id FROM protocol_materials pm
				JOIN protocols p ON p.company_id = pm.company_id AND p.id = pm.protocol_id
				WHERE p.company_id = ? AND p.site_id = ? AND p.status = 'completed' AND p.performed_at >= ?)))`
		args = append(args, f.SiteID, f.SiteID, sc.CompanyID, f.SiteID, micros(s.Now().AddDate(0, -SDSMonths, 0)))
	}
	return where, args
}

// PortalDocuments lists one page of the documents sc may see, narrowed by f,
// grouped by material (materials by name first, then each client's documents),
// and the total.
func (s *Store) PortalDocuments(ctx context.Context, sc access.Scope, f PortalDocumentFilter) ([]*domain.Document, domain.PageInfo, error) {
	opts := f.ListOptions.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	where, args := s.portalDocumentFilter(sc, f)
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM documents d WHERE `+where), args...).Scan(&info.Total); err != nil {
		return nil, info, fmt.Errorf("store: count portal documents: %w", err)
	}
	docs, err := s.collectDocuments(ctx, s.db, documentSelect+` WHERE `+where+`
		ORDER BY CASE WHEN d.material_id IS NULL THEN 1 ELSE 0 END, m.name, c.name, d.kind, d.title, d.id LIMIT ? OFFSET ?`,
		append(args, opts.PerPage, opts.Offset())...)
	if err != nil {
		return nil, info, err
	}
	// Site names of other sites than the scope's would say more than the user may know.
	for _, d := range docs {
		d.SiteIDs, d.SiteNames = visibleSites(sc, d)
		d.FileKey = ""
	}
	return docs, info, nil
}

// visibleSites keeps the sites of d that sc may see.
func visibleSites(sc access.Scope, d *domain.Document) ([]int64, []string) {
	var ids []int64
	var names []string
	for i, id := range d.SiteIDs {
		if sc.CanSeeSite(d.ClientID, id) {
			ids = append(ids, id)
			names = append(names, d.SiteNames[i])
		}
	}
	return ids, names
}

// PortalDocumentCount is the number of documents on the portal's Documents page for sc.
func (s *Store) PortalDocumentCount(ctx context.Context, sc access.Scope) (int, error) {
	where, args := s.portalDocumentWhere(sc)
	var n int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM documents d WHERE `+where), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count portal documents: %w", err)
	}
	return n, nil
}

// PortalDocument returns document id, with its file key, if sc may see it, and
// ENOTFOUND otherwise.
func (s *Store) PortalDocument(ctx context.Context, sc access.Scope, id int64) (*domain.Document, error) {
	where, args := s.portalDocumentWhere(sc)
	docs, err := s.collectDocuments(ctx, s.db, documentSelect+` WHERE `+where+` AND d.id = ?`, append(args, id)...)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Document not found.")
	}
	d := docs[0]
	d.SiteIDs, d.SiteNames = visibleSites(sc, d)
	return d, nil
}
