package web

import (
	"net/http"
	"net/url"
	"strconv"

	"portico/internal/domain"
	"portico/internal/store"
)

type portalSitePage struct {
	PortalPage
	Site          *domain.Site
	Client        *domain.Client
	Documents     []*domain.Document
	DocumentCount int
	Protocols     []*domain.Protocol
	Info          domain.PageInfo
	URL           *url.URL
}

// portalSite serves GET /portal/{tenant}/sites/{id}?page=: statistics, details,
// documents and protocols of a site the user may see; any other is not found.
func (s *Server) portalSite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	site, err := s.portalView(r).PortalSite(r.Context(), id)
	if err != nil {
		return err
	}
	c, err := s.portalView(r).PortalClient(r.Context(), site.ClientID)
	if err != nil {
		return err
	}
	docs, dinfo, err := s.portalView(r).PortalDocuments(r.Context(), store.PortalDocumentFilter{SiteID: site.ID, ListOptions: domain.ListOptions{PerPage: 100}})
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	ps, info, err := s.portalView(r).PortalProtocols(r.Context(), store.ProtocolFilter{ClientID: site.ClientID, SiteID: site.ID, ListOptions: domain.ListOptions{Page: page}})
	if err != nil {
		return err
	}
	p := &portalSitePage{PortalPage: s.portalPage(r, site.Name), Site: site, Client: c, Documents: docs, DocumentCount: dinfo.Total, Protocols: ps, Info: info, URL: r.URL}
	p.Nav, p.CompanyID = "my-data", c.ID
	s.render(w, r, http.StatusOK, "portal_site", p)
	return nil
}
