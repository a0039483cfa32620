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

// portalMaterials returns the materials used in the completed protocols the principal may
// see that were performed in the last SDSMonths months — at any site, or at site
// siteID when it is not 0. They are read from the summary of materials used per
// site (site_materials: a row per site and material with its latest use), a few
// rows per site the principal may see however many protocols there are. It is a
// query of its own, its ids bound into the documents query: as a subquery,
// SQLite would run it once per document.
func (s *Store) portalMaterials(ctx context.Context, scope access.Scope, siteID int64) ([]int64, error) {
	query, args, ok := s.portalMaterialsQuery(scope, siteID)
	if !ok {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: portal materials: %w", err)
	}
	return collectIDs(rows)
}

// portalMaterialsQuery is portalMaterials' query and its arguments; false when
// the scope can see no protocol. A site's row says a completed protocol there
// used the material on last_used_at and none later, so the scope's sites with
// a recent enough row are exactly those with a recent completed protocol that
// used it.
func (s *Store) portalMaterialsQuery(scope access.Scope, siteID int64) (string, []any, bool) {
	c := and(scopeSites(scope, "sm.company_id", "sm.client_id", "sm.site_id"),
		expr("sm.last_used_at >= ?", micros(s.Now().AddDate(0, -SDSMonths, 0))),
		when(siteID != 0, eq("sm.site_id", siteID)))
	if c.matchesNothing() {
		return "", nil, false
	}
	where, args := c.where()
	return `SELECT DISTINCT sm.material_id FROM site_materials sm WHERE ` + where, args, true
}

// portalDocuments is the condition for the documents d the scope may see: only
// those marked visible in the portal, and of them
//   - a material's documents (safety data sheets) when the material was used in a
//     completed protocol the scope may see, performed in the last SDSMonths months;
//   - a client's documents when the client is the scope's and the document is for
//     all of its sites or for a site the scope may see.
//
// The condition is written as d.id IN the union of the two kinds, each found by
// its own index (documents_material, documents_client): as one condition with
// an OR between the kinds, SQLite read every portal document of the tenant,
// 1,219 at 1M protocols, for each count and page. The second kind leaves out
// what the first has, so that no document is counted twice.
func (s *Store) portalDocuments(ctx context.Context, scope access.Scope) (cond, error) {
	mats, err := s.portalMaterials(ctx, scope, 0)
	if err != nil {
		return none(), err
	}
	if !scope.Valid() {
		return none(), nil
	}
	visible := and(eq("d.company_id", scope.CompanyID()), expr("d.portal_visible = TRUE"))
	sheets := and(visible, in("d.material_id", mats))
	clients := and(visible, scopeClients(scope, "d.company_id", "d.client_id"), or(
		expr("d.all_sites = TRUE"),
		// By the document's key: the tenant's column as +ds.company_id, which no
		// index serves, or SQLite walks every document site of the tenant.
		exists("document_sites ds", and(expr("+ds.company_id = d.company_id AND ds.document_id = d.id"),
			scopeSites(scope, "+ds.company_id", "ds.client_id", "ds.site_id"))),
	), or(expr("d.material_id IS NULL"), notIn("d.material_id", mats)))
	var parts []string
	var args []any
	for _, c := range []cond{sheets, clients} {
		if c.matchesNothing() {
			continue
		}
		where, a := c.where()
		parts = append(parts, `SELECT d.id FROM documents d WHERE `+where)
		args = append(args, a...)
	}
	if len(parts) == 0 {
		return none(), nil
	}
	return expr(`d.id IN (`+strings.Join(parts, ` UNION ALL `)+`)`, args...), nil
}

// PortalDocumentFilter narrows the portal's document lists.
type PortalDocumentFilter struct {
	Query  string // matches the title or the material's name, ignoring case and accents
	Kind   string
	SiteID int64 // the documents of one site (the site detail page); 0 for all
	domain.ListOptions
}

// portalDocumentFilter returns the documents condition for the principal narrowed by f.
func (s *Store) portalDocumentFilter(ctx context.Context, scope access.Scope, f PortalDocumentFilter) (cond, error) {
	visible, err := s.portalDocuments(ctx, scope)
	if err != nil || visible.matchesNothing() {
		return visible, err
	}
	atSite := always()
	if f.SiteID != 0 {
		// A site's documents: the client's documents for all sites or for this one,
		// and the safety data sheets of materials used at this site.
		mats, err := s.portalMaterials(ctx, scope, f.SiteID)
		if err != nil {
			return none(), err
		}
		atSite = or(
			and(expr("d.client_id = (SELECT x.client_id FROM sites x WHERE x.company_id = d.company_id AND x.id = ?)", f.SiteID),
				or(expr("d.all_sites = TRUE"),
					exists("document_sites ds2", and(expr("ds2.company_id = d.company_id AND ds2.document_id = d.id"), eq("ds2.site_id", f.SiteID))))),
			in("d.material_id", mats),
		)
	}
	return and(visible,
		when(f.Kind != "", eq("d.kind", f.Kind)),
		contains("d.search_text", f.Query),
		atSite,
	), nil
}

// portalDocumentOrder is the order of the portal's document lists: grouped by
// material (materials by name first, then each client's documents), then by
// kind and title. A missing name sorts as an empty one, alike on both engines.
var portalDocumentOrder = keyOrder{
	cols:  []string{"CASE WHEN d.material_id IS NULL THEN 1 ELSE 0 END", "COALESCE(m.name, '')", "COALESCE(c.name, '')", "d.kind", "d.title", "d.id"},
	kinds: []keyKind{keyInt, keyText, keyText, keyText, keyText, keyInt},
}

// portalDocumentKey is a document's key in portalDocumentOrder.
func portalDocumentKey(d *domain.Document) []any {
	var general int64
	if d.MaterialID == 0 {
		general = 1
	}
	return []any{general, d.MaterialName, d.ClientName, d.Kind, d.Title, d.ID}
}

// PortalDocuments lists one page of the documents the principal may see, narrowed by f,
// in portalDocumentOrder, and the total (not counted for a keyset page).
func (view *PortalView) PortalDocuments(ctx context.Context, f PortalDocumentFilter) ([]*domain.Document, domain.PageInfo, error) {
	s, scope := view.s, view.scope
	opts := f.ListOptions.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	after, err := portalDocumentOrder.after(opts)
	if err != nil {
		return nil, info, err
	}
	c, err := s.portalDocumentFilter(ctx, scope, f)
	if err != nil || c.matchesNothing() {
		return nil, info, err
	}
	where, args := c.where()
	if !opts.Keyset {
		if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM documents d WHERE `+where), args...).Scan(&info.Total); err != nil {
			return nil, info, fmt.Errorf("store: count portal documents: %w", err)
		}
	}
	where, args = and(c, after).where()
	limit, offset := portalDocumentOrder.limit(opts)
	docs, err := s.collectDocuments(ctx, s.db, documentSelect+` WHERE `+where+`
		ORDER BY `+portalDocumentOrder.orderBy()+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, info, err
	}
	docs = trim(opts, docs, &info, portalDocumentKey)
	// Site names of other sites than the scope's would say more than the user may know.
	for _, d := range docs {
		d.SiteIDs, d.SiteNames = visibleSites(scope, d)
		d.FileKey = ""
	}
	return docs, info, nil
}

// visibleSites keeps the sites of d that the user may see.
func visibleSites(scope access.Scope, d *domain.Document) ([]int64, []string) {
	var ids []int64
	var names []string
	for i, id := range d.SiteIDs {
		if scope.CanSeeSite(d.ClientID, id) {
			ids = append(ids, id)
			names = append(names, d.SiteNames[i])
		}
	}
	return ids, names
}

// PortalDocumentCount is the number of documents on the portal's Documents page for the principal.
func (view *PortalView) PortalDocumentCount(ctx context.Context) (int, error) {
	s, scope := view.s, view.scope
	c, err := s.portalDocuments(ctx, scope)
	if err != nil || c.matchesNothing() {
		return 0, err
	}
	where, args := c.where()
	var n int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM documents d WHERE `+where), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count portal documents: %w", err)
	}
	return n, nil
}

// PortalDocument returns document id, with its file key, if the user may see it, and
// ENOTFOUND otherwise.
func (view *PortalView) PortalDocument(ctx context.Context, id int64) (*domain.Document, error) {
	s, scope := view.s, view.scope
	visible, err := s.portalDocuments(ctx, scope)
	if err != nil {
		return nil, err
	}
	var docs []*domain.Document
	if c := and(visible, eq("d.id", id)); !c.matchesNothing() {
		where, args := c.where()
		if docs, err = s.collectDocuments(ctx, s.db, documentSelect+` WHERE `+where, args...); err != nil {
			return nil, err
		}
	}
	if len(docs) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Document not found.")
	}
	d := docs[0]
	d.SiteIDs, d.SiteNames = visibleSites(scope, d)
	return d, nil
}
