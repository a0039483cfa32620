package web

import (
	"context"
	"fmt"
	"net/http"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
)

// The staff side of the API: a staff user's token reads what the staff app
// shows its owner, through the owner's StaffView, and each route asks for the
// permission its page or form asks for. Switch credentials are never sent.

type apiClient struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	CompanyNumber string `json:"company_number"`
	TaxID         string `json:"tax_id"`
	VATID         string `json:"vat_id"`
	ContactPerson string `json:"contact_person"`
	Email         string `json:"email"`
	ProtocolEmail string `json:"protocol_email"`
	Phone         string `json:"phone"`
	Street        string `json:"street"`
	City          string `json:"city"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	Archived      bool   `json:"archived"`
}

func toAPIClient(c *domain.Client) apiClient {
	return apiClient{ID: c.ID, Name: c.Name, CompanyNumber: c.CompanyNumber, TaxID: c.TaxID, VATID: c.VATID, ContactPerson: c.ContactPerson,
		Email: c.Email, ProtocolEmail: c.ProtocolEmail, Phone: c.Phone, Street: c.Street, City: c.City, PostalCode: c.PostalCode,
		Country: c.Country, Archived: c.Archived}
}

// apiClientInput is the body of POST /api/v1/staff/clients, and of PATCH
// /api/v1/staff/clients/{id}, which reads it over the client as it is: the
// fields the body leaves out keep their values.
type apiClientInput struct {
	Name          string `json:"name"`
	CompanyNumber string `json:"company_number"`
	TaxID         string `json:"tax_id"`
	VATID         string `json:"vat_id"`
	ContactPerson string `json:"contact_person"`
	Email         string `json:"email"`
	ProtocolEmail string `json:"protocol_email"`
	Phone         string `json:"phone"`
	Street        string `json:"street"`
	City          string `json:"city"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
}

// clientInputOf is the client as an input, for a PATCH to change.
func clientInputOf(c *domain.Client) apiClientInput {
	return apiClientInput{Name: c.Name, CompanyNumber: c.CompanyNumber, TaxID: c.TaxID, VATID: c.VATID, ContactPerson: c.ContactPerson,
		Email: c.Email, ProtocolEmail: c.ProtocolEmail, Phone: c.Phone, Street: c.Street, City: c.City, PostalCode: c.PostalCode, Country: c.Country}
}

// client is the input as a client to save; the store validates it as it does
// the staff form's.
func (in apiClientInput) client() *domain.Client {
	return &domain.Client{Name: in.Name, CompanyNumber: in.CompanyNumber, TaxID: in.TaxID, VATID: in.VATID, ContactPerson: in.ContactPerson,
		Email: in.Email, ProtocolEmail: in.ProtocolEmail, Phone: in.Phone, Street: in.Street, City: in.City, PostalCode: in.PostalCode, Country: in.Country}
}

// apiContactInput is the body of POST /api/v1/staff/clients/{id}/contacts and
// of PATCH …/contacts/{cid} (read over the contact as it is).
type apiContactInput struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	Position  string `json:"position"`
}

func contactInputOf(c *domain.Contact) apiContactInput {
	return apiContactInput{FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Phone: c.Phone, Position: c.Position}
}

// contact is the input as contact id of client clientID, to save.
func (in apiContactInput) contact(clientID, id int64) *domain.Contact {
	return &domain.Contact{ID: id, ClientID: clientID, FirstName: in.FirstName, LastName: in.LastName, Email: in.Email, Phone: in.Phone, Position: in.Position}
}

type apiContact struct {
	ID        int64  `json:"id"`
	ClientID  int64  `json:"client_id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	Position  string `json:"position"`
}

func toAPIContact(x *domain.Contact) apiContact {
	return apiContact{ID: x.ID, ClientID: x.ClientID, FirstName: x.FirstName, LastName: x.LastName, Email: x.Email, Phone: x.Phone, Position: x.Position}
}

type apiStaffProject struct {
	ID       int64  `json:"id"`
	ClientID int64  `json:"client_id"`
	SiteID   int64  `json:"site_id"`
	SiteName string `json:"site_name"`
	Name     string `json:"name"`
	Status   string `json:"status"`
}

// staffAPIRoutes are the endpoints of a staff user's token. Reading needs any
// staff member, as the pages do; changing clients and contacts needs
// clients.manage, as the forms do (and the store checks it again).
func (s *Server) staffAPIRoutes() []route {
	return []route{
		{"GET /api/v1/staff/clients", apiStaff(""), s.apiStaffClients},
		{"POST /api/v1/staff/clients", apiStaff(access.ClientsManage), s.apiStaffClientCreate},
		{"GET /api/v1/staff/clients/{id}", apiStaff(""), s.apiStaffClient},
		{"PATCH /api/v1/staff/clients/{id}", apiStaff(access.ClientsManage), s.apiStaffClientUpdate},
		{"GET /api/v1/staff/clients/{id}/contacts", apiStaff(""), s.apiStaffContacts},
		{"POST /api/v1/staff/clients/{id}/contacts", apiStaff(access.ClientsManage), s.apiStaffContactCreate},
		{"GET /api/v1/staff/clients/{id}/contacts/{cid}", apiStaff(""), s.apiStaffContact},
		{"PATCH /api/v1/staff/clients/{id}/contacts/{cid}", apiStaff(access.ClientsManage), s.apiStaffContactUpdate},
		{"GET /api/v1/staff/clients/{id}/sites", apiStaff(""), s.apiStaffSites},
		{"GET /api/v1/staff/clients/{id}/projects", apiStaff(""), s.apiStaffProjects},
		{"GET /api/v1/staff/clients/{id}/projects/{pid}/switches", apiStaff(""), s.apiStaffSwitches},
		{"GET /api/v1/staff/protocols", apiStaff(""), s.apiStaffProtocols},
	}
}

func (s *Server) apiStaffClients(w http.ResponseWriter, r *http.Request) error {
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, info, err := apiOf(r).staff.Clients(r.Context(), store.ClientFilter{Query: q.Get("q"), Archived: q.Get("archived") == "true", ListOptions: c.listOptions()})
	if err != nil {
		return err
	}
	out := make([]apiClient, 0, len(list))
	for _, x := range list {
		out = append(out, toAPIClient(x))
	}
	return apiJSON(w, r, http.StatusOK, pageStore(out, info, c))
}

func (s *Server) apiStaffClient(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := apiOf(r).staff.Client(r.Context(), id)
	if err != nil {
		return err
	}
	return apiJSON(w, r, http.StatusOK, toAPIClient(c))
}

func (s *Server) apiStaffClientCreate(w http.ResponseWriter, r *http.Request) error {
	var in apiClientInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := in.client()
	if err := apiOf(r).staff.CreateClient(r.Context(), c); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/staff/clients/%d", c.ID))
	return apiJSON(w, r, http.StatusCreated, toAPIClient(c))
}

// apiStaffClientUpdate serves PATCH /api/v1/staff/clients/{id}: the fields
// the body gives replace the client's, through the edit form's store method
// (its validation, its audit entry); a client of another tenant is not found.
func (s *Server) apiStaffClientUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	view := apiOf(r).staff
	old, err := view.Client(r.Context(), id)
	if err != nil {
		return err
	}
	in := clientInputOf(old)
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := in.client()
	c.ID = old.ID
	if err := view.UpdateClient(r.Context(), c); err != nil {
		return err
	}
	return s.apiStaffClient(w, r)
}

// apiStaffContact serves GET /api/v1/staff/clients/{id}/contacts/{cid}.
func (s *Server) apiStaffContact(w http.ResponseWriter, r *http.Request) error {
	c, err := apiContactOf(r)
	if err != nil {
		return err
	}
	return apiJSON(w, r, http.StatusOK, toAPIContact(c))
}

// apiContactOf loads the contact the path names, ENOTFOUND outside the
// token owner's tenant or under another client.
func apiContactOf(r *http.Request) (*domain.Contact, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	cid, err := pathID(r, "cid")
	if err != nil {
		return nil, err
	}
	return apiOf(r).staff.Contact(r.Context(), id, cid)
}

// apiStaffContactCreate serves POST /api/v1/staff/clients/{id}/contacts,
// through the contact form's store method.
func (s *Server) apiStaffContactCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in apiContactInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := in.contact(id, 0)
	if err := apiOf(r).staff.CreateContact(r.Context(), c); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/staff/clients/%d/contacts/%d", id, c.ID))
	return apiJSON(w, r, http.StatusCreated, toAPIContact(c))
}

// apiStaffContactUpdate serves PATCH /api/v1/staff/clients/{id}/contacts/{cid}:
// the fields the body gives replace the contact's.
func (s *Server) apiStaffContactUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := apiContactOf(r)
	if err != nil {
		return err
	}
	in := contactInputOf(old)
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := in.contact(old.ClientID, old.ID)
	if err := apiOf(r).staff.UpdateContact(r.Context(), c); err != nil {
		return err
	}
	return s.apiStaffContact(w, r)
}

func (s *Server) apiStaffContacts(w http.ResponseWriter, r *http.Request) error {
	return apiClientList(w, r, (*store.StaffView).Contacts, func(x *domain.Contact) apiContact {
		return toAPIContact(x)
	}, func(x apiContact) []any { return []any{x.LastName, x.FirstName, x.ID} })
}

// apiClientList answers a page of one kind of record of the client in the
// path, read by list and shown as conv makes them; a client the staff user
// cannot see is ENOTFOUND, as on its pages.
func apiClientList[T, U any](w http.ResponseWriter, r *http.Request, list func(*store.StaffView, context.Context, int64) ([]T, error), conv func(T) U, key func(U) []any) error {
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	view := apiOf(r).staff
	if _, err := view.Client(r.Context(), id); err != nil {
		return err
	}
	rows, err := list(view, r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]U, 0, len(rows))
	for _, x := range rows {
		out = append(out, conv(x))
	}
	return apiSlice(w, r, out, c, key)
}

func (s *Server) apiStaffSites(w http.ResponseWriter, r *http.Request) error {
	return apiClientList(w, r, (*store.StaffView).Sites, toAPISite, func(x apiSite) []any { return []any{x.Name, x.ID} })
}

func (s *Server) apiStaffProjects(w http.ResponseWriter, r *http.Request) error {
	return apiClientList(w, r, (*store.StaffView).Projects, func(x *domain.Project) apiStaffProject {
		return apiStaffProject{ID: x.ID, ClientID: x.ClientID, SiteID: x.SiteID, SiteName: x.SiteName, Name: x.Name, Status: x.Status}
	}, func(x apiStaffProject) []any { return []any{x.Name, x.ID} })
}

func (s *Server) apiStaffSwitches(w http.ResponseWriter, r *http.Request) error {
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	view := apiOf(r).staff
	if _, err := view.Project(r.Context(), id, pid); err != nil {
		return err
	}
	list, err := view.ProjectSwitches(r.Context(), id, pid)
	if err != nil {
		return err
	}
	out := make([]apiSwitch, 0, len(list))
	for _, x := range list {
		out = append(out, toAPISwitch(x))
	}
	return apiSlice(w, r, out, c, func(x apiSwitch) []any { return []any{x.Name, x.ID} })
}

func (s *Server) apiStaffProtocols(w http.ResponseWriter, r *http.Request) error {
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.ProtocolFilter{ClientID: queryID(q, "client"), SiteID: queryID(q, "site"), ListOptions: c.listOptions()}
	if st := q.Get("status"); st == domain.ProtocolCompleted || st == domain.ProtocolDraft {
		f.Status = st
	}
	list, info, err := apiOf(r).staff.Protocols(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]apiStaffProtocol, 0, len(list))
	for _, p := range list {
		out = append(out, apiStaffProtocol{apiProtocol: toAPIProtocol(p, "", false), Status: p.Status, TechnicianName: p.TechnicianName})
	}
	return apiJSON(w, r, http.StatusOK, pageStore(out, info, c))
}

// apiStaffProtocol is a protocol as staff see it: with its status and the
// technician's name. Drafts have no PDF link.
type apiStaffProtocol struct {
	apiProtocol
	Status         string `json:"status"`
	TechnicianName string `json:"technician_name"`
}
