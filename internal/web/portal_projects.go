package web

import (
	"fmt"
	"net/http"

	"portico/internal/app"
	"portico/internal/store"
)

type portalProjectsPage struct {
	PortalPage
	Projects []*store.PortalProject
}

// portalProjects serves GET /portal/{tenant}/projects: the projects the user may see.
func (s *Server) portalProjects(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.portalView(r).PortalProjects(r.Context())
	if err != nil {
		return err
	}
	p := &portalProjectsPage{PortalPage: s.portalPage(r, "Projects"), Projects: ps}
	p.Nav = "projects"
	if err := s.limitView(r, &p.PortalPage); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "portal_projects", p)
	return nil
}

// portalProjectPage is a project in the portal. Its sections stack top to bottom:
// the Switches section first, then further sections (invoices, estimates) as
// they are added; the Recent activity card sits beside them.
type portalProjectPage struct {
	PortalPage
	Project *store.PortalProject
	Panel   *switchPanel
	Error   string          // why the last toggle did not work, for pages without JavaScript
	Billing *projectBilling // the project's invoices and estimates (portal_billing.go)
}

// portalPanel loads the project's switch panel as the Scope sees it.
func (s *Server) portalPanel(r *http.Request, pp *store.PortalProject) (*switchPanel, error) {
	pc := portalOf(r)
	sws, err := s.portalView(r).PortalSwitches(r.Context(), pp.ID)
	if err != nil {
		return nil, err
	}
	acts, err := s.portalView(r).PortalSwitchActivity(r.Context(), pp.ID, pc.company.TeamLabelOr(localf(r, "%s team", pc.company.Name)), activityLimit)
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("%s/projects/%d", portalBase(r), pp.ID)
	p := &switchPanel{Company: pc.company, Switches: sws, Activity: acts, ToggleBase: base + "/switches", EventsURL: base + "/live", Now: s.app.Now()}
	if pc.readOnly() {
		p.ReadOnly = translate(requestLocale(r), "You are viewing the portal as this user, read-only: switches cannot be turned on or off here.")
	}
	return p, nil
}

func (s *Server) portalProjectOf(r *http.Request) (*store.PortalProject, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.portalView(r).PortalProjectByID(r.Context(), id) // ENOTFOUND outside the Scope
}

// portalProject serves GET /portal/{tenant}/projects/{id}.
func (s *Server) portalProject(w http.ResponseWriter, r *http.Request) error {
	pp, err := s.portalProjectOf(r)
	if err != nil {
		return err
	}
	return s.renderPortalProject(w, r, http.StatusOK, pp, "")
}

func (s *Server) renderPortalProject(w http.ResponseWriter, r *http.Request, status int, pp *store.PortalProject, msg string) error {
	panel, err := s.portalPanel(r, pp)
	if err != nil {
		return err
	}
	p := &portalProjectPage{PortalPage: s.portalPage(r, pp.Name), Project: pp, Panel: panel, Error: msg}
	if p.Billing, err = s.projectBilling(r, pp.ID); err != nil {
		return err
	}
	p.Nav = "projects"
	s.render(w, r, status, "portal_project", p)
	return nil
}

// portalProjectLive serves GET /portal/{tenant}/projects/{id}/live: the stream of
// the project's switch panel, each update read with the user's Scope loaded afresh.
func (s *Server) portalProjectLive(w http.ResponseWriter, r *http.Request) error {
	pp, err := s.portalProjectOf(r)
	if err != nil {
		return err
	}
	pc := portalOf(r)
	first := true
	return s.streamPanel(w, r, pp.ID, func() (*switchPanel, error) {
		if !first {
			scope, err := s.app.PortalScope(r.Context(), pc.user)
			if err != nil {
				return nil, err
			}
			s.setScope(pc, scope)
			if _, err := s.portalView(r).PortalProjectByID(r.Context(), pp.ID); err != nil {
				return nil, err
			}
		}
		first = false
		return s.portalPanel(r, pp)
	})
}

// portalToggle serves POST /portal/{tenant}/projects/{id}/switches/{sid}: turn a
// switch on or off. It answers when the device has confirmed or the command has
// failed: JSON for switches.js, else a redirect back (or the page with the reason).
func (s *Server) portalToggle(w http.ResponseWriter, r *http.Request) error {
	pp, err := s.portalProjectOf(r)
	if err != nil {
		return s.answerToggle(w, r, nil, err, "", nil)
	}
	res, err := s.toggleAsPortal(r, pp)
	back := fmt.Sprintf("/portal/%s/projects/%d", portalOf(r).company.Slug, pp.ID)
	return s.answerToggle(w, r, res, err, back, func(status int, msg string) error {
		return s.renderPortalProject(w, r, status, pp, msg)
	})
}

// toggleAsPortal turns the switch of the path on or off as the form asks.
func (s *Server) toggleAsPortal(r *http.Request, pp *store.PortalProject) (*app.ToggleResult, error) {
	sid, err := pathID(r, "sid")
	if err != nil {
		return nil, err
	}
	on, err := parseWanted(r)
	if err != nil {
		return nil, err
	}
	// The switch must be on this project as well as in the Scope; this is checked
	// first, so that a switch the user may not see is not found whatever else holds.
	if _, err := s.portalView(r).PortalProjectSwitch(r.Context(), pp.ID, sid); err != nil {
		return nil, err
	}
	svc, err := s.switchService()
	if err != nil {
		return nil, err
	}
	pc := portalOf(r)
	return svc.ToggleAsPortal(r.Context(), pc.scope, pc.user, sid, on)
}
