package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
)

type userListPage struct {
	Page
	Portal     []*domain.PortalUser
	PortalInfo domain.PageInfo
	URL        *url.URL
	Users      []*domain.StaffUser // staff, for administrators only
	Query      string              // the search: name or email
	Link       string              // a password link just issued, shown once
	For        *domain.StaffUser
}

// userList serves GET /app/users?q=&page=: portal users, and staff for
// administrators, those whose name or email contains q when it is given.
func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	p, err := s.userListPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "users", p)
	return nil
}

func (s *Server) userListPage(r *http.Request) (*userListPage, error) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	portal, info, err := s.staffView(r).PortalUsersMatching(r.Context(), q, domain.ListOptions{Page: page})
	if err != nil {
		return nil, err
	}
	p := &userListPage{Page: s.page(r, "Users"), Portal: portal, PortalInfo: info, URL: r.URL, Query: q}
	p.Nav = "users"
	if p.Users, err = s.staffView(r).ManagedStaffUsersMatching(r.Context(), q); err != nil {
		return nil, err
	}
	return p, nil
}

type userFormPage struct {
	Page
	User        *domain.StaffUser // nil when adding
	Form        *Form
	Permissions []string
}

func (s *Server) userForm(w http.ResponseWriter, r *http.Request, status int, u *domain.StaffUser, f *Form) {
	title := "Add staff user"
	if u != nil {
		title = localf(r, "Edit %s", u.Name)
	}
	p := &userFormPage{Page: s.page(r, title), User: u, Form: f, Permissions: access.Permissions}
	p.Nav = "users"
	s.render(w, r, status, "user_form", p)
}

// userNew serves GET /app/users/new.
func (s *Server) userNew(w http.ResponseWriter, r *http.Request) error {
	s.userForm(w, r, http.StatusOK, nil, newForm(nil))
	return nil
}

// userCreate serves POST /app/users.
func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	u := &domain.StaffUser{Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email"), Permissions: r.PostForm["permissions"]}
	if err := unlessText(textErr, func() error { return s.app.CreateStaffUser(r.Context(), who(r), u, r.PostForm.Get("password")) }); err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		f := newForm(r.PostForm).withError(err)
		f.Values.Del("password")
		s.userForm(w, r, http.StatusUnprocessableEntity, nil, f)
		return nil
	}
	return s.redirectFlash(w, r, "/app/users", u.Name+" can now sign in with the password you set.")
}

func (s *Server) userOf(r *http.Request) (*domain.StaffUser, error) {
	id, err := pathID(r, "uid")
	if err != nil {
		return nil, err
	}
	return s.staffView(r).StaffUser(r.Context(), id)
}

// userEdit serves GET /app/users/{uid}/edit.
func (s *Server) userEdit(w http.ResponseWriter, r *http.Request) error {
	u, err := s.userOf(r)
	if err != nil {
		return err
	}
	v := url.Values{"name": {u.Name}, "permissions": u.Permissions}
	if !u.Disabled {
		v.Set("enabled", "1")
	}
	s.userForm(w, r, http.StatusOK, u, newForm(v))
	return nil
}

// userUpdate serves POST /app/users/{uid}: name, permissions, enabled.
func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	u, err := s.userOf(r)
	if err != nil {
		return err
	}
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	name := r.PostForm.Get("name")
	perms := r.PostForm["permissions"]
	if perms == nil {
		perms = []string{}
	}
	disabled := r.PostForm.Get("enabled") != "1"
	err = unlessText(textErr, func() error {
		_, err := s.app.UpdateStaffUser(r.Context(), who(r), u.ID, store.StaffUpdate{Name: &name, Permissions: &perms, Disabled: &disabled})
		return err
	})
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.EINVALID, domain.ECONFLICT:
			s.userForm(w, r, http.StatusUnprocessableEntity, u, newForm(r.PostForm).withError(err))
			return nil
		}
		return err
	}
	return s.redirectFlash(w, r, "/app/users", "Changes to "+name+" saved.")
}

// userPasswordLink serves POST /app/users/{uid}/password-link: it issues a new
// link to set the user's password and shows it once, for the administrator to pass on.
func (s *Server) userPasswordLink(w http.ResponseWriter, r *http.Request) error {
	u, err := s.userOf(r)
	if err != nil {
		return err
	}
	link, err := s.app.StaffPasswordLink(r.Context(), who(r), u.ID)
	if err != nil {
		return err
	}
	p, err := s.userListPage(r)
	if err != nil {
		return err
	}
	p.Link, p.For = link, u
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "users", p)
	return nil
}

type auditPage struct {
	Page
	Entries []*domain.AuditEntry
	Info    domain.PageInfo
	URL     *url.URL
}

// auditLog serves GET /app/audit?page=.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	entries, info, err := s.staffView(r).AuditLog(r.Context(), domain.ListOptions{Page: page, PerPage: 50})
	if err != nil {
		return err
	}
	p := &auditPage{Page: s.page(r, "Audit log"), Entries: entries, Info: info, URL: r.URL}
	p.Nav = "audit"
	s.render(w, r, http.StatusOK, "audit", p)
	return nil
}
