package web

import (
	"net/http"
	"net/url"
	"portico/internal/app"
	"strings"

	"portico/internal/domain"
)

const companyCookie = "portico_company"

type loginPage struct {
	Page
	Form *Form
	Next string
}

// home serves GET /: the staff sign-in is the front door.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/app/", http.StatusSeeOther)
	return nil
}

// appHome serves GET /app/.
func (s *Server) appHome(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/app/clients", http.StatusSeeOther)
	return nil
}

// loginForm serves GET /app/login. The company field is remembered from the last
// sign-in or taken from ?company=.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	f := newForm(nil)
	if c, err := r.Cookie(companyCookie); err == nil {
		f.Values.Set("company", c.Value)
	}
	if c := r.URL.Query().Get("company"); c != "" {
		f.Values.Set("company", c)
	}
	s.render(w, r, http.StatusOK, "login", &loginPage{Page: s.page(r, "Sign in"), Form: f, Next: localNext(r.URL.Query().Get("next"))})
	return nil
}

// login serves POST /app/login. A fresh session token is issued at every sign-in.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	f.Values.Del("password") // never echo a password back
	company := strings.ToLower(strings.TrimSpace(r.PostForm.Get("company")))
	var v domain.Validator
	v.Required("company", company, "Company")
	v.Required("email", r.PostForm.Get("email"), "Email")
	v.Required("password", r.PostForm.Get("password"), "Password")
	next := localNext(r.PostForm.Get("next"))
	if err := v.Err(); err != nil {
		s.render(w, r, http.StatusUnprocessableEntity, "login", &loginPage{Page: s.page(r, "Sign in"), Form: f.withError(err), Next: next})
		return nil
	}
	res, err := signInUnlessText(textErr, func() (app.SignInResult, error) {
		return s.app.StaffSignIn(r.Context(), company, r.PostForm.Get("email"), r.PostForm.Get("password"), s.clientIP(r))
	})
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.EUNAUTHORIZED, domain.ETOOMANY:
			status := http.StatusUnauthorized
			if domain.ErrorCode(err) == domain.ETOOMANY {
				status = http.StatusTooManyRequests
			}
			s.render(w, r, status, "login", &loginPage{Page: s.page(r, "Sign in"), Form: f.withError(err), Next: next})
			return nil
		}
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: companyCookie, Value: company, Path: "/app/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	if res.Pending != "" {
		// The password was right; the session waits for the code.
		setPendingCookie(w, res.Pending, "/app/", s.secure)
		http.Redirect(w, r, "/app/login/code?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	// Drop any session this browser had before signing in again.
	s.app.SignOut(r.Context(), sessionToken(r, staffCookie))
	setSessionCookie(w, staffCookie, res.Session, s.secure)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// logout serves POST /app/logout.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.app.SignOut(r.Context(), sessionToken(r, staffCookie)); err != nil {
		return err
	}
	clearCookie(w, staffCookie, s.secure)
	return s.redirectFlash(w, r, "/app/login", "You have been signed out.")
}

type passwordPage struct {
	Page
	Form  *Form
	User  *domain.StaffUser
	Token string
}

// passwordForm serves GET /app/password/{token}. Opening the link only shows the
// form; mail scanners that follow links use nothing up.
func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	u, err := s.app.StaffLinkUser(r.Context(), token)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return s.linkInvalid(w, r)
		}
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "password", &passwordPage{Page: s.page(r, "Set your password"), Form: newForm(nil), User: u, Token: token})
	return nil
}

// setPassword serves POST /app/password/{token}: it uses the link, sets the password
// and signs the user in.
func (s *Server) setPassword(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	pw := r.PostForm.Get("password")
	if pw != r.PostForm.Get("password_confirm") {
		u, err := s.app.StaffLinkUser(r.Context(), token)
		if err != nil {
			return s.linkInvalid(w, r)
		}
		f := newForm(nil)
		f.Errors["password_confirm"] = "The two passwords do not match."
		f.Error = "Please correct the highlighted fields."
		s.render(w, r, http.StatusUnprocessableEntity, "password", &passwordPage{Page: s.page(r, "Set your password"), Form: f, User: u, Token: token})
		return nil
	}
	var session string
	err = unlessText(textErr, func() (err error) { session, err = s.app.SetStaffPasswordWithLink(r.Context(), token, pw); return err })
	switch domain.ErrorCode(err) {
	case "":
	case domain.EINVALID:
		u, lerr := s.app.StaffLinkUser(r.Context(), token)
		if lerr != nil {
			return s.linkInvalid(w, r)
		}
		s.render(w, r, http.StatusUnprocessableEntity, "password", &passwordPage{Page: s.page(r, "Set your password"), Form: newForm(nil).withError(err), User: u, Token: token})
		return nil
	case domain.ENOTFOUND:
		return s.linkInvalid(w, r)
	default:
		return err
	}
	if session == "" {
		return s.redirectFlash(w, r, "/app/login", "Your password is set. Sign in with it and a code from your authenticator app.")
	}
	setSessionCookie(w, staffCookie, session, s.secure)
	return s.redirectFlash(w, r, "/app/", "Your password is set. Welcome to Portico.")
}

// linkInvalid tells the user that a one-time link is expired, used or superseded.
func (s *Server) linkInvalid(w http.ResponseWriter, r *http.Request) error {
	p := &errorPage{Page: s.page(r, "This link is no longer valid"), Status: http.StatusGone, Heading: "This link is no longer valid",
		Message: "The link has expired, was already used, or a newer link was sent. Ask your administrator to send you a new one."}
	s.render(w, r, http.StatusGone, "error", p)
	return nil
}
