package web

import (
	"net/http"
	"net/url"

	"portico/internal/domain"
	"portico/internal/i18n"
)

// portalAccountPage is the portal user's own account: name, language, password.
type portalAccountPage struct {
	PortalPage
	Form      *Form // name and language
	Password  *Form
	Languages []languageChoice
}

// languageChoice is one choice of a language picker.
type languageChoice struct {
	Code, Name string
}

// languageChoices lists the languages a person may choose, by their own names.
func languageChoices() []languageChoice {
	var out []languageChoice
	for _, l := range i18n.Locales {
		out = append(out, languageChoice{l, i18n.Names[l]})
	}
	return out
}

func (s *Server) portalAccountRender(w http.ResponseWriter, r *http.Request, status int, form, password *Form) {
	if form == nil {
		u := portalOf(r).user
		form = newForm(url.Values{"first_name": {u.FirstName}, "last_name": {u.LastName}, "locale": {u.Locale}})
	}
	if password == nil {
		password = newForm(nil)
	}
	p := &portalAccountPage{PortalPage: s.portalPage(r, "Your account"), Form: form, Password: password, Languages: languageChoices()}
	p.Nav = "account"
	s.render(w, r, status, "portal_account", p)
}

// portalAccount serves GET /portal/{tenant}/account.
func (s *Server) portalAccount(w http.ResponseWriter, r *http.Request) error {
	s.portalAccountRender(w, r, http.StatusOK, nil, nil)
	return nil
}

// portalAccountSave serves POST /portal/{tenant}/account: the user's own name and
// language. The next page is already in the chosen language.
func (s *Server) portalAccountSave(w http.ResponseWriter, r *http.Request) error {
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	pc := portalOf(r)
	err = unlessText(textErr, func() error {
		_, err := s.app.UpdatePortalAccount(r.Context(), pc.scope, r.PostForm.Get("first_name"), r.PostForm.Get("last_name"), r.PostForm.Get("locale"))
		return err
	})
	if domain.ErrorCode(err) == domain.EINVALID {
		s.portalAccountRender(w, r, http.StatusUnprocessableEntity, newForm(r.PostForm).withError(err), nil)
		return nil
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, portalBase(r)+"/account", "Your account is saved.")
}

// portalAccountPassword serves POST /portal/{tenant}/account/password: a new
// password, given the current one. Every other session of the user ends; this
// browser gets a new one.
func (s *Server) portalAccountPassword(w http.ResponseWriter, r *http.Request) error {
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	pc := portalOf(r)
	pw := r.PostForm.Get("password")
	var session string
	switch {
	case textErr != nil:
		err = textErr
	case pw != r.PostForm.Get("password_confirm"):
		err = &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.",
			Fields: map[string]string{"password_confirm": "The two passwords do not match."}}
	default:
		session, err = s.app.ChangePortalPassword(r.Context(), pc.scope, r.PostForm.Get("current_password"), pw, s.clientIP(r))
	}
	if code := domain.ErrorCode(err); code == domain.EINVALID || code == domain.ETOOMANY {
		s.portalAccountRender(w, r, errorStatus(err), nil, newForm(nil).withError(err))
		return nil
	}
	if err != nil {
		return err
	}
	s.setPortalCookie(w, pc.company, session)
	return s.redirectFlash(w, r, portalBase(r)+"/account", "Your password is changed. You were signed out everywhere else.")
}
