package web

import (
	"fmt"
	"net/http"
	"net/url"
	"portico/internal/app"
	"strconv"
	"strings"

	"portico/internal/domain"
	"portico/internal/store"
)

type portalProtocolsPage struct {
	PortalPage
	Protocols []*domain.Protocol
	Info      domain.PageInfo
	Sites     []*domain.Site // the filter's choices: every site the user may see
	Filter    url.Values
	Filtered  bool
	URL       *url.URL

	// DateError says why the date range cannot match (from after to), shown
	// next to the To field instead of a silently empty list.
	DateError string
}

// portalProtocols serves GET /portal/{tenant}/protocols?client=&site=&from=&to=&page=:
// the completed protocols at the user's sites, newest first.
func (s *Server) portalProtocols(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	p := &portalProtocolsPage{PortalPage: s.portalPage(r, "Protocols"), Filter: q, URL: r.URL}
	f := store.ProtocolFilter{ClientID: queryID(q, "client"), SiteID: queryID(q, "site"), ListOptions: domain.ListOptions{Page: page}}
	f.From, f.To = dateFilter(q, p.Tenant.Location())
	status := http.StatusOK
	var ps []*domain.Protocol
	var info domain.PageInfo
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		// to is the day after the To date, so from == to means To < From.
		p.DateError, status = "The end date is before the start date.", http.StatusUnprocessableEntity
	} else {
		var err error
		if ps, info, err = s.portalView(r).PortalProtocols(r.Context(), f); err != nil {
			return err
		}
	}
	sites, err := s.portalView(r).PortalSiteNames(r.Context())
	if err != nil {
		return err
	}
	for _, c := range p.Companies {
		if f.ClientID != 0 && c.ID != f.ClientID {
			continue
		}
		p.Sites = append(p.Sites, sites[c.ID]...)
	}
	p.Protocols, p.Info, p.CompanyID = ps, info, f.ClientID
	p.Filtered = f.ClientID != 0 || f.SiteID != 0 || !f.From.IsZero() || !f.To.IsZero()
	p.Nav = "protocols"
	if err := s.limitView(r, &p.PortalPage); err != nil {
		return err
	}
	s.render(w, r, status, "portal_protocols", p)
	return nil
}

type portalProtocolPage struct {
	PortalPage
	Protocol *domain.Protocol
}

// portalProtocol serves GET /portal/{tenant}/protocols/{id} (the protocol) and
// /portal/{tenant}/protocols/{id}.pdf (its PDF, the same bytes staff get). A
// protocol outside the Scope, or a draft, is not found.
func (s *Server) portalProtocol(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	raw, isPDF := strings.CutSuffix(file, ".pdf")
	id, ok := canonicalID(raw)
	if !ok {
		return domain.Errorf(domain.ENOTFOUND, "Protocol not found.")
	}
	if isPDF {
		p, doc, err := s.app.PortalProtocolPDF(app.WithLocale(r.Context(), requestLocale(r)), scopeOf(r), id)
		if err != nil {
			return err
		}
		return sendPDF(w, r, doc, fmt.Sprintf("protocol-%d.pdf", p.Number))
	}
	p, err := s.portalView(r).PortalProtocol(r.Context(), id)
	if err != nil {
		return err
	}
	pg := &portalProtocolPage{PortalPage: s.portalPage(r, localf(r, "Protocol %d", p.Number)), Protocol: p}
	pg.Nav, pg.CompanyID = "protocols", p.ClientID
	s.render(w, r, http.StatusOK, "portal_protocol", pg)
	return nil
}
