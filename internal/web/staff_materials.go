package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"portico/internal/domain"
	"portico/internal/store"
)

type materialListPage struct {
	Page
	Materials []*domain.Material
	Info      domain.PageInfo
	Query     string
	URL       *url.URL
}

// materialList serves GET /app/materials?q=&page=.
func (s *Server) materialList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := store.MaterialFilter{Query: q.Get("q"), ListOptions: domain.ListOptions{Page: page}}
	ms, info, err := s.staffView(r).Materials(r.Context(), f)
	if err != nil {
		return err
	}
	p := &materialListPage{Page: s.page(r, "Materials"), Materials: ms, Info: info, Query: f.Query, URL: r.URL}
	p.Nav = "materials"
	s.render(w, r, http.StatusOK, "materials", p)
	return nil
}

type materialPage struct {
	Page
	Material  *domain.Material
	Documents []*domain.Document
	Error     string
}

func (s *Server) materialPage(r *http.Request) (*materialPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	m, err := s.staffView(r).Material(r.Context(), id)
	if err != nil {
		return nil, err
	}
	docs, _, err := s.staffView(r).Documents(r.Context(), store.DocumentFilter{MaterialID: m.ID, ListOptions: domain.ListOptions{PerPage: 100}})
	if err != nil {
		return nil, err
	}
	p := &materialPage{Page: s.page(r, m.Name), Material: m, Documents: docs}
	p.Nav = "materials"
	return p, nil
}

// materialDetail serves GET /app/materials/{id}: the material and its documents.
func (s *Server) materialDetail(w http.ResponseWriter, r *http.Request) error {
	p, err := s.materialPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "material", p)
	return nil
}

type materialFormPage struct {
	Page
	Material *domain.Material // nil when adding
	Form     *Form
	Action   string
}

func (s *Server) materialForm(w http.ResponseWriter, r *http.Request, status int, m *domain.Material, f *Form) {
	title, action := "Add material", "/app/materials"
	if m != nil {
		title, action = localf(r, "Edit %s", m.Name), fmt.Sprintf("/app/materials/%d", m.ID)
	}
	p := &materialFormPage{Page: s.page(r, title), Material: m, Form: f, Action: action}
	p.Nav = "materials"
	s.render(w, r, status, "material_form", p)
}

// materialNew serves GET /app/materials/new.
func (s *Server) materialNew(w http.ResponseWriter, r *http.Request) error {
	s.materialForm(w, r, http.StatusOK, nil, newForm(nil))
	return nil
}

func materialFromForm(v url.Values) *domain.Material {
	return &domain.Material{Name: v.Get("name"), Manufacturer: v.Get("manufacturer"), ActiveSubstance: v.Get("active_substance"), Unit: v.Get("unit")}
}

// materialCreate serves POST /app/materials.
func (s *Server) materialCreate(w http.ResponseWriter, r *http.Request) error {
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	m := materialFromForm(r.PostForm)
	if err := unlessText(textErr, func() error { return s.staffView(r).CreateMaterial(r.Context(), m) }); err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		s.materialForm(w, r, http.StatusUnprocessableEntity, nil, newForm(r.PostForm).withError(err))
		return nil
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/materials/%d", m.ID), "Material "+m.Name+" added.")
}

// materialEdit serves GET /app/materials/{id}/edit.
func (s *Server) materialEdit(w http.ResponseWriter, r *http.Request) error {
	p, err := s.materialPage(r)
	if err != nil {
		return err
	}
	m := p.Material
	s.materialForm(w, r, http.StatusOK, m, newForm(url.Values{"name": {m.Name}, "manufacturer": {m.Manufacturer},
		"active_substance": {m.ActiveSubstance}, "unit": {m.Unit}}))
	return nil
}

// materialUpdate serves POST /app/materials/{id}.
func (s *Server) materialUpdate(w http.ResponseWriter, r *http.Request) error {
	p, err := s.materialPage(r)
	if err != nil {
		return err
	}
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	m := materialFromForm(r.PostForm)
	m.ID = p.Material.ID
	if err := unlessText(textErr, func() error { return s.staffView(r).UpdateMaterial(r.Context(), m) }); err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		s.materialForm(w, r, http.StatusUnprocessableEntity, p.Material, newForm(r.PostForm).withError(err))
		return nil
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/materials/%d", m.ID), "Material saved.")
}

// materialDelete serves POST /app/materials/{id}/delete. A material in use is
// refused with the reason, on its page.
func (s *Server) materialDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := s.materialPage(r)
	if err != nil {
		return err
	}
	if err := s.staffView(r).DeleteMaterial(r.Context(), p.Material.ID); err != nil {
		if domain.ErrorCode(err) != domain.ECONFLICT {
			return err
		}
		p.Flash = ""
		p.Error = domain.ErrorMessage(err)
		s.render(w, r, http.StatusConflict, "material", p)
		return nil
	}
	return s.redirectFlash(w, r, "/app/materials", "Material "+p.Material.Name+" deleted.")
}
