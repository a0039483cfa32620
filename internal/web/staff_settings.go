package web

import (
	"net/http"
	"net/url"

	"portico/internal/domain"
)

type settingsPage struct {
	Page
	Form      *Form
	Languages []languageChoice
}

// settings serves GET /app/settings: the company's portal settings.
func (s *Server) settings(w http.ResponseWriter, r *http.Request) error {
	v := url.Values{"team_label": {staffOf(r).company.Team}, "locale": {staffOf(r).company.Locale}}
	if staffOf(r).company.RequireTwoFactor {
		v.Set("require_two_factor", "1")
	}
	p := &settingsPage{Page: s.page(r, "Portal settings"), Form: newForm(v), Languages: languageChoices()}
	p.Nav = "settings"
	s.render(w, r, http.StatusOK, "settings", p)
	return nil
}

// settingsSave serves POST /app/settings.
func (s *Server) settingsSave(w http.ResponseWriter, r *http.Request) error {
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	err = unlessText(textErr, func() error {
		err := s.staffView(r).UpdateTeamLabel(r.Context(), r.PostForm.Get("team_label"))
		if required := r.PostForm.Get("require_two_factor") == "1"; err == nil && r.PostForm.Get("two_factor_form") != "" &&
			required != staffOf(r).company.RequireTwoFactor {
			err = s.app.SetStaffTwoFactorRequired(r.Context(), staffOf(r).who, required)
		}
		if l := r.PostForm.Get("locale"); err == nil && r.PostForm.Has("locale") && l != staffOf(r).company.Locale {
			err = s.staffView(r).UpdateCompanyLocale(r.Context(), l)
		}
		return err
	})
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		p := &settingsPage{Page: s.page(r, "Portal settings"), Form: newForm(r.PostForm).withError(err), Languages: languageChoices()}
		p.Nav = "settings"
		s.render(w, r, http.StatusUnprocessableEntity, "settings", p)
		return nil
	}
	return s.redirectFlash(w, r, "/app/settings", "Portal settings saved.")
}
