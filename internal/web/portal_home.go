package web

import (
	"net/http"

	"portico/internal/domain"
)

type portalHomePage struct {
	PortalPage
	Summaries []domain.ClientSummary
	Protocols int // completed protocols the user may see, all companies
	Documents int // documents on the Documents page
}

// portalHome serves GET /portal/{tenant}/: the dashboard — quick actions and a
// card per assigned company with its protocol count and latest protocol, all
// counted within the user's Scope.
func (s *Server) portalHome(w http.ResponseWriter, r *http.Request) error {
	sums, err := s.portalView(r).PortalSummaries(r.Context())
	if err != nil {
		return err
	}
	docs, err := s.portalView(r).PortalDocumentCount(r.Context())
	if err != nil {
		return err
	}
	p := &portalHomePage{PortalPage: s.portalPage(r, "Overview"), Summaries: sums, Documents: docs}
	for _, c := range sums {
		p.Protocols += c.ProtocolCount
	}
	p.Nav = "home"
	s.render(w, r, http.StatusOK, "portal_home", p)
	return nil
}
