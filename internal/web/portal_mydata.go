package web

import (
	"net/http"
	"net/url"

	"portico/internal/domain"
	"portico/internal/store"
)

type portalMyDataPage struct {
	PortalPage
	Client   *domain.Client
	Sites    []*domain.Site
	Recent   []*domain.Protocol // the last 5
	Total    int                // all protocols of the company the user may see
	Form     *Form
	EditOpen bool
}

// myDataClient returns the company My data is about: ?company= when given (outside
// the Scope it is not found), else the user's first company.
func (s *Server) myDataClient(r *http.Request, p *PortalPage, raw string) (*domain.Client, error) {
	id := queryID(url.Values{"c": {raw}}, "c")
	if raw == "" && len(p.Companies) > 0 {
		id = p.Companies[0].ID
	}
	if id == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Company not found.")
	}
	return s.portalView(r).PortalClient(r.Context(), id)
}

func (s *Server) renderMyData(w http.ResponseWriter, r *http.Request, status int, raw string, f *Form) error {
	pp := s.portalPage(r, "My data")
	c, err := s.myDataClient(r, &pp, raw)
	if err != nil {
		return err
	}
	sites, err := s.portalView(r).PortalSites(r.Context(), c.ID)
	if err != nil {
		return err
	}
	recent, info, err := s.portalView(r).PortalProtocols(r.Context(), store.ProtocolFilter{ClientID: c.ID, ListOptions: domain.ListOptions{PerPage: 5}})
	if err != nil {
		return err
	}
	p := &portalMyDataPage{PortalPage: pp, Client: c, Sites: sites, Recent: recent, Total: info.Total, Form: f, EditOpen: status != http.StatusOK}
	if p.Form == nil {
		p.Form = newForm(url.Values{"email": {c.Email}, "protocol_email": {c.ProtocolEmail}})
	}
	p.Nav, p.CompanyID = "my-data", c.ID
	s.render(w, r, status, "portal_mydata", p)
	return nil
}

// portalMyData serves GET /portal/{tenant}/my-data?company=: the company's data,
// contact details, sites and latest protocols. The header's company selector
// lands here; a company outside the Scope is not found, so the selector can never
// widen access.
func (s *Server) portalMyData(w http.ResponseWriter, r *http.Request) error {
	return s.renderMyData(w, r, http.StatusOK, r.URL.Query().Get("company"), nil)
}

// portalMyDataSave serves POST /portal/{tenant}/my-data?company=: the user changes
// the company's main and protocol email. The change is validated and audited
// under the portal user's name.
func (s *Server) portalMyDataSave(w http.ResponseWriter, r *http.Request) error {
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	raw := r.PostForm.Get("company")
	pp := s.portalPage(r, "My data")
	c, err := s.myDataClient(r, &pp, raw)
	if err != nil {
		return err
	}
	pc := portalOf(r)
	err = unlessText(textErr, func() error {
		return s.portalView(r).UpdatePortalClientEmails(r.Context(), pc.user, c.ID, r.PostForm.Get("email"), r.PostForm.Get("protocol_email"))
	})
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		return s.renderMyData(w, r, http.StatusUnprocessableEntity, itoa(c.ID), newForm(r.PostForm).withError(err))
	}
	return s.redirectFlash(w, r, pp.Base+"/my-data?company="+itoa(c.ID), "Contact emails of "+c.Name+" saved.")
}
