package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"portico/internal/domain"
	"portico/internal/store"
)

type clientListPage struct {
	Page
	Clients  []*domain.Client
	Info     domain.PageInfo
	Query    string
	Archived bool
	URL      *url.URL
}

// clientList serves GET /app/clients?q=&archived=1&page=.
func (s *Server) clientList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := store.ClientFilter{Query: q.Get("q"), Archived: q.Get("archived") == "1", ListOptions: domain.ListOptions{Page: page}}
	clients, info, err := s.staffView(r).Clients(r.Context(), f)
	if err != nil {
		return err
	}
	p := &clientListPage{Page: s.page(r, "Clients"), Clients: clients, Info: info, Query: f.Query, Archived: f.Archived, URL: r.URL}
	p.Nav = "clients"
	s.render(w, r, http.StatusOK, "clients", p)
	return nil
}

// clientTabPage is the frame of every tab of a client's page.
type clientTabPage struct {
	Page
	Client *domain.Client
	Tab    string
	Error  string // a refusal to show above the tab, e.g. why the client cannot be deleted

	// On the overview tab: the Portal access card and its invitation dialog.
	Access     portalAccess
	InviteForm *Form

	// Where the client can be invited (overview, invitation page, contacts):
	// whom to ask when the member may not invite, and whether the client has
	// no completed protocol yet, so that its portal would open empty.
	Inviters    []string
	NoProtocols bool
}

// withAccess fills the overview's Portal access card.
func (s *Server) withAccess(r *http.Request, p *clientTabPage) error {
	a, err := s.portalAccessOf(r, p.Client.ID)
	if err != nil {
		return err
	}
	p.Access = a
	choice := "main"
	if p.Client.Email == "" {
		choice = "other"
	}
	p.InviteForm = newForm(url.Values{"email_choice": {choice}})
	return s.withInviteHints(r, p)
}

func (s *Server) clientTab(r *http.Request, tab string) (clientTabPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return clientTabPage{}, err
	}
	c, err := s.staffView(r).Client(r.Context(), id)
	if err != nil {
		return clientTabPage{}, err
	}
	p := clientTabPage{Page: s.page(r, c.Name), Client: c, Tab: tab}
	p.Nav = "clients"
	return p, nil
}

// clientOverview serves GET /app/clients/{id}.
func (s *Server) clientOverview(w http.ResponseWriter, r *http.Request) error {
	p, err := s.clientTab(r, "overview")
	if err != nil {
		return err
	}
	if err := s.withAccess(r, &p); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "client", &p)
	return nil
}

type clientFormPage struct {
	Page
	Client *domain.Client // nil when creating
	Form   *Form
}

// clientNew serves GET /app/clients/new.
func (s *Server) clientNew(w http.ResponseWriter, r *http.Request) error {
	p := &clientFormPage{Page: s.page(r, "New client"), Form: newForm(url.Values{"country": {"Slovakia"}, "add_contact": {"1"}})}
	p.Nav = "clients"
	s.render(w, r, http.StatusOK, "client_form", p)
	return nil
}

// clientCreate serves POST /app/clients.
func (s *Server) clientCreate(w http.ResponseWriter, r *http.Request) error {
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	c := clientFromForm(r.PostForm)
	first, err := firstContact(r.PostForm)
	if err == nil {
		err = unlessText(textErr, func() error { return s.staffView(r).CreateClientWithContact(r.Context(), c, first) })
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		p := &clientFormPage{Page: s.page(r, "New client"), Form: newForm(r.PostForm).withError(contactErrorsOnClient(err))}
		p.Nav = "clients"
		s.render(w, r, http.StatusUnprocessableEntity, "client_form", p)
		return nil
	}
	msg := "Client " + c.Name + " created."
	if first != nil {
		// The client's page it opens on offers the next steps: Add project,
		// and Invite on its Portal access card.
		msg = "Client " + c.Name + " created, with " + first.Name() + " as its first contact."
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d", c.ID), msg)
}

// firstContact is the contact the new-client form makes from its contact person,
// main email and phone when "Also add … as a contact" is ticked, or nil. A name
// that cannot be told apart into a first and a last name is an EINVALID error on
// the contact person.
func firstContact(v url.Values) (*domain.Contact, error) {
	person := strings.Join(strings.Fields(v.Get("contact_person")), " ")
	if v.Get("add_contact") != "1" || person == "" {
		return nil, nil
	}
	i := strings.LastIndexByte(person, ' ')
	if i < 0 {
		c := clientFromForm(v)
		c.Normalize()
		fields := map[string]string{}
		maps.Copy(fields, domain.FieldErrors(c.Validate()))
		fields["contact_person"] = "Enter a first and a last name, e.g. Jana Nováková, to add the person as a contact — or untick “Also add the contact person as a contact”."
		return nil, &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.", Fields: fields}
	}
	return &domain.Contact{FirstName: person[:i], LastName: person[i+1:], Email: v.Get("email"), Phone: v.Get("phone")}, nil
}

// contactErrorsOnClient shows the first contact's problems on the client form's
// fields they come from.
func contactErrorsOnClient(err error) error {
	var e *domain.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	from := map[string]string{"contact_first_name": "contact_person", "contact_last_name": "contact_person",
		"contact_email": "email", "contact_phone": "phone"}
	out := *e
	out.Fields = map[string]string{}
	for k, v := range e.Fields {
		if to, ok := from[k]; ok {
			if _, taken := e.Fields[to]; !taken {
				out.Fields[to] = v
			}
			continue
		}
		out.Fields[k] = v
	}
	return &out
}

// clientEdit serves GET /app/clients/{id}/edit.
func (s *Server) clientEdit(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "")
	if err != nil {
		return err
	}
	p := &clientFormPage{Page: s.page(r, localf(r, "Edit %s", t.Client.Name)), Client: t.Client, Form: newForm(clientValues(t.Client))}
	p.Nav = "clients"
	s.render(w, r, http.StatusOK, "client_form", p)
	return nil
}

// clientUpdate serves POST /app/clients/{id}.
func (s *Server) clientUpdate(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "")
	if err != nil {
		return err
	}
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	c := clientFromForm(r.PostForm)
	c.ID = t.Client.ID
	if err := unlessText(textErr, func() error { return s.staffView(r).UpdateClient(r.Context(), c) }); err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		p := &clientFormPage{Page: s.page(r, localf(r, "Edit %s", t.Client.Name)), Client: t.Client, Form: newForm(r.PostForm).withError(err)}
		p.Nav = "clients"
		s.render(w, r, http.StatusUnprocessableEntity, "client_form", p)
		return nil
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d", c.ID), "Changes saved.")
}

// clientArchive serves POST /app/clients/{id}/archive.
func (s *Server) clientArchive(w http.ResponseWriter, r *http.Request) error {
	return s.setArchived(w, r, true)
}

// clientRestore serves POST /app/clients/{id}/restore.
func (s *Server) clientRestore(w http.ResponseWriter, r *http.Request) error {
	return s.setArchived(w, r, false)
}

func (s *Server) setArchived(w http.ResponseWriter, r *http.Request, archived bool) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.staffView(r).ArchiveClient(r.Context(), id, archived); err != nil {
		return err
	}
	msg := "Client restored."
	if archived {
		msg = "Client archived. It no longer shows in the client list; its data is kept."
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d", id), msg)
}

// clientDelete serves POST /app/clients/{id}/delete. A client that still has sites
// or projects is refused with the reason, on the client's page.
func (s *Server) clientDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := s.clientTab(r, "overview")
	if err != nil {
		return err
	}
	if err := s.staffView(r).DeleteClient(r.Context(), p.Client.ID); err != nil {
		if domain.ErrorCode(err) != domain.ECONFLICT {
			return err
		}
		p.Page.Flash = ""
		p.Error = domain.ErrorMessage(err)
		if err := s.withAccess(r, &p); err != nil {
			return err
		}
		s.render(w, r, http.StatusConflict, "client", &p)
		return nil
	}
	return s.redirectFlash(w, r, "/app/clients", "Client "+p.Client.Name+" deleted.")
}

func clientFromForm(v url.Values) *domain.Client {
	return &domain.Client{
		Name: v.Get("name"), CompanyNumber: v.Get("company_number"), TaxID: v.Get("tax_id"), VATID: v.Get("vat_id"),
		ContactPerson: v.Get("contact_person"), Email: v.Get("email"), ProtocolEmail: v.Get("protocol_email"),
		Phone: v.Get("phone"), Street: v.Get("street"), City: v.Get("city"), PostalCode: v.Get("postal_code"), Country: v.Get("country"),
	}
}

func clientValues(c *domain.Client) url.Values {
	return url.Values{
		"name": {c.Name}, "company_number": {c.CompanyNumber}, "tax_id": {c.TaxID}, "vat_id": {c.VATID},
		"contact_person": {c.ContactPerson}, "email": {c.Email}, "protocol_email": {c.ProtocolEmail}, "phone": {c.Phone},
		"street": {c.Street}, "city": {c.City}, "postal_code": {c.PostalCode}, "country": {c.Country},
	}
}
