package web

import (
	"net/http"
	"net/url"
	"strconv"

	"portico/internal/domain"
	"portico/internal/store"
)

type portalDocumentsPage struct {
	PortalPage
	Documents []*domain.Document
	Info      domain.PageInfo
	Kinds     []kindOption
	Filter    url.Values
	Filtered  bool
	URL       *url.URL
}

// portalDocuments serves GET /portal/{tenant}/documents?q=&kind=&page=: one table of
// every document the user may see, grouped by material.
func (s *Server) portalDocuments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := store.PortalDocumentFilter{Query: q.Get("q"), Kind: knownKind(q.Get("kind")), ListOptions: domain.ListOptions{Page: page, PerPage: 50}}
	docs, info, err := s.portalView(r).PortalDocuments(r.Context(), f)
	if err != nil {
		return err
	}
	p := &portalDocumentsPage{PortalPage: s.portalPage(r, "Documents"), Documents: docs, Info: info, Kinds: kindOptions(false),
		Filter: q, Filtered: f.Query != "" || f.Kind != "", URL: r.URL}
	p.Nav = "documents"
	if err := s.limitView(r, &p.PortalPage); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "portal_documents", p)
	return nil
}

// portalDocumentPage is a document's preview inside the portal.
type portalDocumentPage struct {
	PortalPage
	Document *domain.Document
	FileURL  string // the file itself: FileURL+"?embed=1" is framed, "?download=1" downloads
}

// portalDocumentView serves GET /portal/{tenant}/documents/{id}/view: the eye
// icon's preview — title, a way back, Download, and the PDF or picture shown in
// the page. The same access check as the file: outside the Scope, not found.
func (s *Server) portalDocumentView(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.portalView(r).PortalDocument(r.Context(), id)
	if err != nil {
		return err
	}
	p := &portalDocumentPage{PortalPage: s.portalPage(r, d.Title), Document: d,
		FileURL: portalBase(r) + "/documents/" + strconv.FormatInt(d.ID, 10)}
	p.Nav = "documents"
	s.render(w, r, http.StatusOK, "portal_document", p)
	return nil
}

// portalDocument serves GET /portal/{tenant}/documents/{id}: the file inline, with
// ?download=1 as a download, with ?embed=1 for the preview page's frame. A
// document the user may not see is not found.
func (s *Server) portalDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, rc, err := s.app.PortalDocumentFile(r.Context(), scopeOf(r), id)
	if err != nil {
		return err
	}
	return s.sendDocument(w, r, d, rc)
}
