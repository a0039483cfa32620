package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"portico/internal/domain"
)

// The contacts, sites and projects of a client share one shape: a tab listing
// them, and a form page to add or edit one.

type childListPage struct {
	clientTabPage
	Contacts  []*domain.Contact
	HasPortal map[string]bool // contact emails that already have portal access to the client
	Sites     []*domain.Site
	Projects  []*domain.Project
}

type childFormPage struct {
	clientTabPage
	Form   *Form
	Action string         // where the form posts
	ID     int64          // 0 when adding
	Sites  []*domain.Site // choices for a project's site
}

// childForm renders a contact, site or project form inside its client's frame.
func (s *Server) childForm(w http.ResponseWriter, r *http.Request, status int, t clientTabPage, name, title string, id int64, f *Form) error {
	p := &childFormPage{clientTabPage: t, Form: f, ID: id}
	p.Title = title
	p.Action = fmt.Sprintf("/app/clients/%d/%s", t.Client.ID, t.Tab)
	if id != 0 {
		p.Action += "/" + strconv.FormatInt(id, 10)
	}
	if name == "project_form" {
		sites, err := s.staffView(r).Sites(r.Context(), t.Client.ID)
		if err != nil {
			return err
		}
		p.Sites = sites
	}
	s.render(w, r, status, name, p)
	return nil
}

// saved handles the outcome of a create or update: a form error re-renders the
// form with what was typed, success goes back to the tab.
func (s *Server) saved(w http.ResponseWriter, r *http.Request, err error, t clientTabPage, name, title string, id int64, msg string) error {
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		return s.childForm(w, r, http.StatusUnprocessableEntity, t, name, title, id, newForm(r.PostForm).withError(err))
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d/%s", t.Client.ID, t.Tab), msg)
}

// childID parses the id of a contact, site or project from the path.
func childID(r *http.Request, name string) (int64, error) { return pathID(r, name) }

// ---- contacts

func (s *Server) contactList(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "contacts")
	if err != nil {
		return err
	}
	p, err := s.contactsPage(r, t)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "client_contacts", p)
	return nil
}

// contactsPage lists the client's contacts and which of their emails already
// have portal access to the client, so that those rows offer no invitation.
func (s *Server) contactsPage(r *http.Request, t clientTabPage) (*childListPage, error) {
	cs, err := s.staffView(r).Contacts(r.Context(), t.Client.ID)
	if err != nil {
		return nil, err
	}
	users, err := s.staffView(r).ClientPortalUsers(r.Context(), t.Client.ID)
	if err != nil {
		return nil, err
	}
	p := &childListPage{clientTabPage: t, Contacts: cs, HasPortal: map[string]bool{}}
	for _, u := range users {
		p.HasPortal[u.Email] = true
	}
	return p, nil
}

func (s *Server) contactNew(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "contacts")
	if err != nil {
		return err
	}
	return s.childForm(w, r, http.StatusOK, t, "contact_form", "Add contact", 0, newForm(nil))
}

func (s *Server) contactCreate(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "contacts")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	c := contactFromForm(r.PostForm)
	c.ClientID = t.Client.ID
	err = s.staffView(r).CreateContact(r.Context(), c)
	return s.saved(w, r, err, t, "contact_form", "Add contact", 0, "Contact "+c.Name()+" added.")
}

func (s *Server) contactEdit(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "contacts")
	if err != nil {
		return err
	}
	id, err := childID(r, "cid")
	if err != nil {
		return err
	}
	c, err := s.staffView(r).Contact(r.Context(), t.Client.ID, id)
	if err != nil {
		return err
	}
	v := url.Values{"first_name": {c.FirstName}, "last_name": {c.LastName}, "email": {c.Email}, "phone": {c.Phone}, "position": {c.Position}}
	return s.childForm(w, r, http.StatusOK, t, "contact_form", "Edit contact", id, newForm(v))
}

func (s *Server) contactUpdate(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "contacts")
	if err != nil {
		return err
	}
	id, err := childID(r, "cid")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	c := contactFromForm(r.PostForm)
	c.ID, c.ClientID = id, t.Client.ID
	err = s.staffView(r).UpdateContact(r.Context(), c)
	return s.saved(w, r, err, t, "contact_form", "Edit contact", id, "Contact saved.")
}

func (s *Server) contactDelete(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "contacts")
	if err != nil {
		return err
	}
	id, err := childID(r, "cid")
	if err != nil {
		return err
	}
	if err := s.staffView(r).DeleteContact(r.Context(), t.Client.ID, id); err != nil {
		return err
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d/contacts", t.Client.ID), "Contact deleted.")
}

func contactFromForm(v url.Values) *domain.Contact {
	return &domain.Contact{FirstName: v.Get("first_name"), LastName: v.Get("last_name"), Email: v.Get("email"),
		Phone: v.Get("phone"), Position: v.Get("position")}
}

// ---- sites

func (s *Server) siteList(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "sites")
	if err != nil {
		return err
	}
	sites, err := s.staffView(r).Sites(r.Context(), t.Client.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "client_sites", &childListPage{clientTabPage: t, Sites: sites})
	return nil
}

type siteDetailPage struct {
	clientTabPage
	Site     *domain.Site
	Projects []*domain.Project
}

func (s *Server) siteDetail(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "sites")
	if err != nil {
		return err
	}
	id, err := childID(r, "sid")
	if err != nil {
		return err
	}
	site, err := s.staffView(r).Site(r.Context(), t.Client.ID, id)
	if err != nil {
		return err
	}
	projects, err := s.staffView(r).Projects(r.Context(), t.Client.ID)
	if err != nil {
		return err
	}
	var here []*domain.Project
	for _, p := range projects {
		if p.SiteID == site.ID {
			here = append(here, p)
		}
	}
	t.Title = site.Name
	s.render(w, r, http.StatusOK, "site", &siteDetailPage{clientTabPage: t, Site: site, Projects: here})
	return nil
}

func (s *Server) siteNew(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "sites")
	if err != nil {
		return err
	}
	return s.childForm(w, r, http.StatusOK, t, "site_form", "Add site", 0, newForm(url.Values{"country": {t.Client.Country}}))
}

func (s *Server) siteCreate(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "sites")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	x := siteFromForm(r.PostForm)
	x.ClientID = t.Client.ID
	err = s.staffView(r).CreateSite(r.Context(), x)
	return s.saved(w, r, err, t, "site_form", "Add site", 0, "Site "+x.Name+" added.")
}

func (s *Server) siteEdit(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "sites")
	if err != nil {
		return err
	}
	id, err := childID(r, "sid")
	if err != nil {
		return err
	}
	x, err := s.staffView(r).Site(r.Context(), t.Client.ID, id)
	if err != nil {
		return err
	}
	v := url.Values{"name": {x.Name}, "street": {x.Street}, "city": {x.City}, "postal_code": {x.PostalCode}, "country": {x.Country},
		"contact_person": {x.ContactPerson}, "phone": {x.Phone}, "email": {x.Email}, "opening_hours": {x.OpeningHours}, "note": {x.Note}}
	return s.childForm(w, r, http.StatusOK, t, "site_form", "Edit site", id, newForm(v))
}

func (s *Server) siteUpdate(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "sites")
	if err != nil {
		return err
	}
	id, err := childID(r, "sid")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	x := siteFromForm(r.PostForm)
	x.ID, x.ClientID = id, t.Client.ID
	err = s.staffView(r).UpdateSite(r.Context(), x)
	return s.saved(w, r, err, t, "site_form", "Edit site", id, "Site saved.")
}

func (s *Server) siteDelete(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "sites")
	if err != nil {
		return err
	}
	id, err := childID(r, "sid")
	if err != nil {
		return err
	}
	if err := s.staffView(r).DeleteSite(r.Context(), t.Client.ID, id); err != nil {
		if domain.ErrorCode(err) != domain.ECONFLICT {
			return err
		}
		sites, lerr := s.staffView(r).Sites(r.Context(), t.Client.ID)
		if lerr != nil {
			return lerr
		}
		t.Error = domain.ErrorMessage(err)
		s.render(w, r, http.StatusConflict, "client_sites", &childListPage{clientTabPage: t, Sites: sites})
		return nil
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d/sites", t.Client.ID), "Site deleted.")
}

func siteFromForm(v url.Values) *domain.Site {
	return &domain.Site{Name: v.Get("name"), Street: v.Get("street"), City: v.Get("city"), PostalCode: v.Get("postal_code"),
		Country: v.Get("country"), ContactPerson: v.Get("contact_person"), Phone: v.Get("phone"), Email: v.Get("email"),
		OpeningHours: v.Get("opening_hours"), Note: v.Get("note")}
}

// ---- projects

func (s *Server) projectList(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "projects")
	if err != nil {
		return err
	}
	ps, err := s.staffView(r).Projects(r.Context(), t.Client.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "client_projects", &childListPage{clientTabPage: t, Projects: ps})
	return nil
}

func (s *Server) projectNew(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "projects")
	if err != nil {
		return err
	}
	return s.childForm(w, r, http.StatusOK, t, "project_form", "Add project", 0, newForm(url.Values{"status": {domain.ProjectActive}}))
}

func (s *Server) projectCreate(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "projects")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p := projectFromForm(r.PostForm)
	p.ClientID = t.Client.ID
	err = s.staffView(r).CreateProject(r.Context(), p)
	return s.saved(w, r, err, t, "project_form", "Add project", 0, "Project "+p.Name+" added.")
}

func (s *Server) projectEdit(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "projects")
	if err != nil {
		return err
	}
	id, err := childID(r, "pid")
	if err != nil {
		return err
	}
	p, err := s.staffView(r).Project(r.Context(), t.Client.ID, id)
	if err != nil {
		return err
	}
	v := url.Values{"name": {p.Name}, "status": {p.Status}, "site_id": {strconv.FormatInt(p.SiteID, 10)}}
	return s.childForm(w, r, http.StatusOK, t, "project_form", "Edit project", id, newForm(v))
}

func (s *Server) projectUpdate(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "projects")
	if err != nil {
		return err
	}
	id, err := childID(r, "pid")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p := projectFromForm(r.PostForm)
	p.ID, p.ClientID = id, t.Client.ID
	err = s.staffView(r).UpdateProject(r.Context(), p)
	return s.saved(w, r, err, t, "project_form", "Edit project", id, "Project saved.")
}

func (s *Server) projectDelete(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "projects")
	if err != nil {
		return err
	}
	id, err := childID(r, "pid")
	if err != nil {
		return err
	}
	if err := s.staffView(r).DeleteProject(r.Context(), t.Client.ID, id); err != nil {
		return err
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d/projects", t.Client.ID), "Project deleted.")
}

func projectFromForm(v url.Values) *domain.Project {
	site, _ := strconv.ParseInt(v.Get("site_id"), 10, 64)
	return &domain.Project{Name: v.Get("name"), Status: v.Get("status"), SiteID: site}
}
