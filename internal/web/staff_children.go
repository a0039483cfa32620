package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
)

// The contacts, sites and projects of a client share one shape: a tab listing
// them, and a form page to add or edit one. childPages serves that shape once;
// a childKind says what differs: how a form reads into a value and back, what
// the store does with it, and what the pages say.

type childListPage struct {
	clientTabPage
	Contacts  []*domain.Contact
	HasPortal map[string]bool // contact emails that already have portal access to the client
	Seats     int             // the client's portal users, of access.MaxPortalUsersPerClient
	MaxSeats  int
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

// childKind describes one kind of a client's children, T being its domain value.
type childKind[T any] struct {
	tab      string // the client tab, and the URLs' segment after the client
	idParam  string // the path value that names one child
	listPage string // the tab's template
	formPage string // the form's template

	// What the pages say, in English (the catalogue is keyed by it).
	addTitle, editTitle string
	added               func(x T) string // the flash after adding x
	saved, deleted      string           // the flashes after editing and deleting

	// addedURL, when set, is the page to show after adding x instead of the
	// tab: a new project opens on its own page, where its switches are added.
	addedURL func(t clientTabPage, x T) string

	// listTab reads the tab. A refusal to delete (ECONFLICT) is shown above the
	// tab when refusalOnTab, and as an error page otherwise.
	listTab      func(r *http.Request, t clientTabPage) (*childListPage, error)
	refusalOnTab bool

	blank     func(c *domain.Client) url.Values                 // the form to add one
	toForm    func(x T) url.Values                              // the form to edit x
	fromForm  func(v url.Values, clientID, id int64) (T, error) // id is 0 when adding; EINVALID for input that cannot be read
	withSites bool                                              // the form offers the client's sites

	get    func(v *store.StaffView, ctx context.Context, clientID, id int64) (T, error)
	create func(v *store.StaffView, ctx context.Context, x T) error
	update func(v *store.StaffView, ctx context.Context, x T) error
	remove func(v *store.StaffView, ctx context.Context, clientID, id int64) error
}

// childPages serves the tab and the forms of one kind of child. Its handlers
// decide nothing about access: the route guards by permission, and the staff
// view keeps every read and write inside the tenant and the client.
type childPages[T any] struct {
	s *Server
	k childKind[T]
}

// list serves GET /app/clients/{id}/<tab>.
func (p *childPages[T]) list(w http.ResponseWriter, r *http.Request) error {
	t, err := p.s.clientTab(r, p.k.tab)
	if err != nil {
		return err
	}
	lp, err := p.k.listTab(r, t)
	if err != nil {
		return err
	}
	p.s.render(w, r, http.StatusOK, p.k.listPage, lp)
	return nil
}

// add serves GET /app/clients/{id}/<tab>/new.
func (p *childPages[T]) add(w http.ResponseWriter, r *http.Request) error {
	t, err := p.s.clientTab(r, p.k.tab)
	if err != nil {
		return err
	}
	return p.form(w, r, http.StatusOK, t, 0, newForm(p.k.blank(t.Client)))
}

// create serves POST /app/clients/{id}/<tab>.
func (p *childPages[T]) create(w http.ResponseWriter, r *http.Request) error {
	t, err := p.s.clientTab(r, p.k.tab)
	if err != nil {
		return err
	}
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	x, err := p.k.fromForm(r.PostForm, t.Client.ID, 0)
	if err == nil {
		err = unlessText(textErr, func() error { return p.k.create(p.s.staffView(r), r.Context(), x) })
	}
	if err != nil {
		return p.refused(w, r, err, t, 0)
	}
	if p.k.addedURL != nil {
		return p.s.redirectFlash(w, r, p.k.addedURL(t, x), p.k.added(x))
	}
	return p.backToTab(w, r, t, p.k.added(x))
}

// edit serves GET /app/clients/{id}/<tab>/{idParam}/edit.
func (p *childPages[T]) edit(w http.ResponseWriter, r *http.Request) error {
	t, id, err := p.child(r)
	if err != nil {
		return err
	}
	x, err := p.k.get(p.s.staffView(r), r.Context(), t.Client.ID, id)
	if err != nil {
		return err
	}
	return p.form(w, r, http.StatusOK, t, id, newForm(p.k.toForm(x)))
}

// update serves POST /app/clients/{id}/<tab>/{idParam}.
func (p *childPages[T]) update(w http.ResponseWriter, r *http.Request) error {
	t, id, err := p.child(r)
	if err != nil {
		return err
	}
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	x, err := p.k.fromForm(r.PostForm, t.Client.ID, id)
	if err == nil {
		err = unlessText(textErr, func() error { return p.k.update(p.s.staffView(r), r.Context(), x) })
	}
	if err != nil {
		return p.refused(w, r, err, t, id)
	}
	return p.backToTab(w, r, t, p.k.saved)
}

// remove serves POST /app/clients/{id}/<tab>/{idParam}/delete.
func (p *childPages[T]) remove(w http.ResponseWriter, r *http.Request) error {
	t, id, err := p.child(r)
	if err != nil {
		return err
	}
	if err := p.k.remove(p.s.staffView(r), r.Context(), t.Client.ID, id); err != nil {
		if !p.k.refusalOnTab || domain.ErrorCode(err) != domain.ECONFLICT {
			return err
		}
		t.Error = domain.ErrorMessage(err)
		lp, lerr := p.k.listTab(r, t)
		if lerr != nil {
			return lerr
		}
		p.s.render(w, r, http.StatusConflict, p.k.listPage, lp)
		return nil
	}
	return p.backToTab(w, r, t, p.k.deleted)
}

// child loads the client frame and parses the id of the child the path names.
func (p *childPages[T]) child(r *http.Request) (clientTabPage, int64, error) {
	t, err := p.s.clientTab(r, p.k.tab)
	if err != nil {
		return t, 0, err
	}
	id, err := pathID(r, p.k.idParam)
	return t, id, err
}

// form renders the add (id 0) or edit form inside the client's frame.
func (p *childPages[T]) form(w http.ResponseWriter, r *http.Request, status int, t clientTabPage, id int64, f *Form) error {
	fp := &childFormPage{clientTabPage: t, Form: f, ID: id}
	fp.Title = p.k.addTitle
	fp.Action = fmt.Sprintf("/app/clients/%d/%s", t.Client.ID, t.Tab)
	if id != 0 {
		fp.Title = p.k.editTitle
		fp.Action += "/" + strconv.FormatInt(id, 10)
	}
	if p.k.withSites {
		sites, err := p.s.staffView(r).Sites(r.Context(), t.Client.ID)
		if err != nil {
			return err
		}
		fp.Sites = sites
	}
	p.s.render(w, r, status, p.k.formPage, fp)
	return nil
}

// refused re-renders the form with what was typed when the store found it
// invalid; any other error is the handler's.
func (p *childPages[T]) refused(w http.ResponseWriter, r *http.Request, err error, t clientTabPage, id int64) error {
	if domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	return p.form(w, r, http.StatusUnprocessableEntity, t, id, newForm(r.PostForm).withError(err))
}

func (p *childPages[T]) backToTab(w http.ResponseWriter, r *http.Request, t clientTabPage, msg string) error {
	return p.s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d/%s", t.Client.ID, p.k.tab), msg)
}

// ---- contacts

func (s *Server) contactPages() *childPages[*domain.Contact] {
	return &childPages[*domain.Contact]{s: s, k: childKind[*domain.Contact]{
		tab: "contacts", idParam: "cid", listPage: "client_contacts", formPage: "contact_form",
		addTitle: "Add contact", editTitle: "Edit contact",
		added: func(c *domain.Contact) string { return "Contact " + c.Name() + " added." },
		saved: "Contact saved.", deleted: "Contact deleted.",
		listTab: s.contactsPage,
		blank:   func(*domain.Client) url.Values { return nil },
		toForm: func(c *domain.Contact) url.Values {
			return url.Values{"first_name": {c.FirstName}, "last_name": {c.LastName}, "email": {c.Email}, "phone": {c.Phone}, "position": {c.Position}}
		},
		fromForm: func(v url.Values, clientID, id int64) (*domain.Contact, error) {
			return &domain.Contact{ID: id, ClientID: clientID, FirstName: v.Get("first_name"), LastName: v.Get("last_name"),
				Email: v.Get("email"), Phone: v.Get("phone"), Position: v.Get("position")}, nil
		},
		get:    (*store.StaffView).Contact,
		create: (*store.StaffView).CreateContact,
		update: (*store.StaffView).UpdateContact,
		remove: (*store.StaffView).DeleteContact,
	}}
}

// contactsPage lists the client's contacts and which of their emails already
// have portal access to the client, so that those rows offer no invitation.
func (s *Server) contactsPage(r *http.Request, t clientTabPage) (*childListPage, error) {
	cs, hasPortal, seats, err := s.contactsAndSeats(r, t.Client.ID)
	if err != nil {
		return nil, err
	}
	p := &childListPage{clientTabPage: t, Contacts: cs, HasPortal: hasPortal, Seats: seats, MaxSeats: access.MaxPortalUsersPerClient}
	return p, s.withInviteHints(r, &p.clientTabPage)
}

// contactsAndSeats returns the client's contacts, the (normalised) emails that
// already have portal access to the client, and how many portal seats are taken:
// what an "Invite to portal" offer needs.
func (s *Server) contactsAndSeats(r *http.Request, clientID int64) ([]*domain.Contact, map[string]bool, int, error) {
	view := s.staffView(r)
	cs, err := view.Contacts(r.Context(), clientID)
	if err != nil {
		return nil, nil, 0, err
	}
	users, err := view.ClientPortalUsers(r.Context(), clientID)
	if err != nil {
		return nil, nil, 0, err
	}
	hasPortal := make(map[string]bool, len(users))
	for _, u := range users {
		hasPortal[u.Email] = true
	}
	return cs, hasPortal, len(users), nil
}

// ---- sites

func (s *Server) sitePages() *childPages[*domain.Site] {
	return &childPages[*domain.Site]{s: s, k: childKind[*domain.Site]{
		tab: "sites", idParam: "sid", listPage: "client_sites", formPage: "site_form",
		addTitle: "Add site", editTitle: "Edit site",
		added: func(x *domain.Site) string { return "Site " + x.Name + " added." },
		saved: "Site saved.", deleted: "Site deleted.",
		// A site still in use cannot be deleted; the tab says why.
		refusalOnTab: true,
		listTab: func(r *http.Request, t clientTabPage) (*childListPage, error) {
			sites, err := s.staffView(r).Sites(r.Context(), t.Client.ID)
			return &childListPage{clientTabPage: t, Sites: sites}, err
		},
		blank: func(c *domain.Client) url.Values { return url.Values{"country": {c.Country}} },
		toForm: func(x *domain.Site) url.Values {
			return url.Values{"name": {x.Name}, "street": {x.Street}, "city": {x.City}, "postal_code": {x.PostalCode}, "country": {x.Country},
				"contact_person": {x.ContactPerson}, "phone": {x.Phone}, "email": {x.Email}, "opening_hours": {x.OpeningHours}, "note": {x.Note}}
		},
		fromForm: func(v url.Values, clientID, id int64) (*domain.Site, error) {
			return &domain.Site{ID: id, ClientID: clientID, Name: v.Get("name"), Street: v.Get("street"), City: v.Get("city"),
				PostalCode: v.Get("postal_code"), Country: v.Get("country"), ContactPerson: v.Get("contact_person"), Phone: v.Get("phone"),
				Email: v.Get("email"), OpeningHours: v.Get("opening_hours"), Note: v.Get("note")}, nil
		},
		get:    (*store.StaffView).Site,
		create: (*store.StaffView).CreateSite,
		update: (*store.StaffView).UpdateSite,
		remove: (*store.StaffView).DeleteSite,
	}}
}

type siteDetailPage struct {
	clientTabPage
	Site     *domain.Site
	Projects []*domain.Project
}

// siteDetail serves GET /app/clients/{id}/sites/{sid}: the site and its projects.
func (s *Server) siteDetail(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "sites")
	if err != nil {
		return err
	}
	id, err := pathID(r, "sid")
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

// ---- projects

func (s *Server) projectPages() *childPages[*domain.Project] {
	return &childPages[*domain.Project]{s: s, k: childKind[*domain.Project]{
		tab: "projects", idParam: "pid", listPage: "client_projects", formPage: "project_form",
		addTitle: "Add project", editTitle: "Edit project",
		added: func(p *domain.Project) string { return "Project " + p.Name + " added." },
		addedURL: func(t clientTabPage, p *domain.Project) string {
			return fmt.Sprintf("/app/clients/%d/projects/%d", t.Client.ID, p.ID)
		},
		saved: "Project saved.", deleted: "Project deleted.",
		listTab: func(r *http.Request, t clientTabPage) (*childListPage, error) {
			ps, err := s.staffView(r).Projects(r.Context(), t.Client.ID)
			return &childListPage{clientTabPage: t, Projects: ps}, err
		},
		blank: func(*domain.Client) url.Values { return url.Values{"status": {domain.ProjectActive}} },
		toForm: func(p *domain.Project) url.Values {
			return url.Values{"name": {p.Name}, "status": {p.Status}, "site_id": {strconv.FormatInt(p.SiteID, 10)}}
		},
		fromForm: func(v url.Values, clientID, id int64) (*domain.Project, error) {
			site, ok := formID(v, "site_id")
			p := &domain.Project{ID: id, ClientID: clientID, Name: v.Get("name"), Status: v.Get("status"), SiteID: site}
			if ok {
				return p, nil
			}
			var val domain.Validator
			val.Add("site_id", "Choose one of this client's sites.")
			check := *p
			check.Normalize()
			return p, mergeInvalid(&val, check.Validate)
		},
		withSites: true,
		get:       (*store.StaffView).Project,
		create:    (*store.StaffView).CreateProject,
		update:    (*store.StaffView).UpdateProject,
		remove:    (*store.StaffView).DeleteProject,
	}}
}
