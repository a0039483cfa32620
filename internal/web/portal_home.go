package web

import (
	"net/http"

	"portico/internal/domain"
)

type portalHomePage struct {
	PortalPage
	Clients []*domain.Client
}

// portalHome serves GET /portal/{tenant}/: the user's companies.
func (s *Server) portalHome(w http.ResponseWriter, r *http.Request) error {
	clients, err := s.store.PortalClients(r.Context(), scopeOf(r))
	if err != nil {
		return err
	}
	p := &portalHomePage{PortalPage: s.portalPage(r, "Overview"), Clients: clients}
	p.Nav = "home"
	s.render(w, r, http.StatusOK, "portal_home", p)
	return nil
}
