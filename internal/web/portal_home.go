package web

import (
	"net/http"
	"slices"

	"portico/internal/domain"
)

type portalHomePage struct {
	PortalPage
	Summaries []domain.ClientSummary
	Protocols int // completed protocols the user may see, all companies
	Documents int // documents on the Documents page

	// The user's switches, if their companies have any: the same rows as on a
	// project's page, with the Turn on/off buttons; MoreSwitches when only the
	// first overviewSwitches are shown.
	Switches     *switchPanel
	MoreSwitches bool
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
	// The summaries are the user's companies by name, as the header lists them:
	// one query fewer on the page every user opens first.
	p := &portalHomePage{PortalPage: s.portalFrame(r, "Overview"), Summaries: sums, Documents: docs}
	for _, c := range sums {
		p.Protocols += c.ProtocolCount
		p.Companies = append(p.Companies, &domain.Client{ID: c.ClientID, CompanyID: p.Tenant.ID, Name: c.Name})
	}
	if p.Switches, p.MoreSwitches, err = s.overviewPanel(r); err != nil {
		return err
	}
	p.Nav = "home"
	if err := s.limitView(r, &p.PortalPage); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "portal_home", p)
	return nil
}

// overviewSwitches is how many switches the overview shows; the rest are on
// the projects' pages.
const overviewSwitches = 20

// overviewPanel loads the overview's switch panel as the Scope sees it, nil
// when the user sees no switch.
func (s *Server) overviewPanel(r *http.Request) (*switchPanel, bool, error) {
	pc := portalOf(r)
	sws, more, err := s.portalView(r).PortalOverviewSwitches(r.Context(), overviewSwitches)
	if err != nil || len(sws) == 0 {
		return nil, false, err
	}
	base := portalBase(r)
	p := &switchPanel{Company: pc.company, Switches: sws, ToggleBase: base, EventsURL: base + "/switches/live",
		Now: s.app.Now(), ProjectOf: map[int64]int64{}}
	for _, sw := range sws {
		p.ProjectOf[sw.ID] = sw.ProjectID
	}
	if pc.readOnly() {
		p.ReadOnly = translate(requestLocale(r), "You are viewing the portal as this user, read-only: switches cannot be turned on or off here.")
	}
	return p, more, nil
}

// portalSwitchesLive serves GET /portal/{tenant}/switches/live: the stream of
// the overview's switch panel, each update read with the user's Scope loaded
// afresh.
func (s *Server) portalSwitchesLive(w http.ResponseWriter, r *http.Request) error {
	pc := portalOf(r)
	first, _, err := s.overviewPanel(r)
	if err != nil {
		return err
	}
	if first == nil {
		return domain.Errorf(domain.ENOTFOUND, "Page not found.")
	}
	var projects []int64
	for _, pid := range first.ProjectOf {
		if !slices.Contains(projects, pid) {
			projects = append(projects, pid)
		}
	}
	return s.streamPanels(w, r, projects, first, func() (*switchPanel, error) {
		scope, err := s.app.PortalScope(r.Context(), pc.user)
		if err != nil {
			return nil, err
		}
		s.setScope(pc, scope)
		p, _, err := s.overviewPanel(r)
		if err == nil && p == nil {
			err = domain.Errorf(domain.ENOTFOUND, "Page not found.")
		}
		return p, err
	})
}
