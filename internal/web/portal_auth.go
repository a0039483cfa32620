package web

import (
	"net/http"
	"net/url"
	"portico/internal/app"
	"strings"

	"portico/internal/domain"
	"portico/internal/store"
)

type portalLoginPage struct {
	PortalPage
	Form *Form
	Next string
}

// portalLoginForm serves GET /portal/{tenant}/login.
func (s *Server) portalLoginForm(w http.ResponseWriter, r *http.Request) error {
	p := &portalLoginPage{PortalPage: s.portalPage(r, "Sign in"), Form: newForm(nil), Next: r.URL.Query().Get("next")}
	s.render(w, r, http.StatusOK, "portal_login", p)
	return nil
}

// portalLogin serves POST /portal/{tenant}/login.
func (s *Server) portalLogin(w http.ResponseWriter, r *http.Request) error {
	pc := portalOf(r)
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	f.Values.Del("password")
	p := &portalLoginPage{PortalPage: s.portalPage(r, "Sign in"), Form: f, Next: r.PostForm.Get("next")}
	var v domain.Validator
	v.Required("email", r.PostForm.Get("email"), "Email")
	v.Required("password", r.PostForm.Get("password"), "Password")
	if err := v.Err(); err != nil {
		p.Form.withError(err)
		s.render(w, r, http.StatusUnprocessableEntity, "portal_login", p)
		return nil
	}
	res, err := signInUnlessText(textErr, func() (app.SignInResult, error) {
		return s.app.PortalSignIn(r.Context(), pc.company, r.PostForm.Get("email"), r.PostForm.Get("password"), s.clientIP(r))
	})
	switch domain.ErrorCode(err) {
	case "":
	case domain.EUNAUTHORIZED:
		p.Form.withError(err)
		s.render(w, r, http.StatusUnauthorized, "portal_login", p)
		return nil
	case domain.ETOOMANY:
		p.Form.withError(err)
		s.render(w, r, http.StatusTooManyRequests, "portal_login", p)
		return nil
	default:
		return err
	}
	if res.Pending != "" {
		// The password was right; the session waits for the code.
		setPendingCookie(w, res.Pending, portalCookiePath(pc.company), s.secure)
		http.Redirect(w, r, "/portal/"+pc.company.Slug+"/login/code?next="+url.QueryEscape(portalNext(pc.company, p.Next)), http.StatusSeeOther)
		return nil
	}
	s.app.SignOut(r.Context(), sessionToken(r, portalCookie))
	s.setPortalCookie(w, pc.company, res.Session)
	http.Redirect(w, r, portalNext(pc.company, p.Next), http.StatusSeeOther)
	return nil
}

// portalNext keeps a post-sign-in redirect inside the tenant's portal.
func portalNext(c *domain.Company, next string) string {
	base := "/portal/" + c.Slug + "/"
	if p, ok := sitePath(next); ok && strings.HasPrefix(next, base) && strings.HasPrefix(p+"/", base) {
		return next
	}
	return base
}

// portalLogout serves POST /portal/{tenant}/logout.
func (s *Server) portalLogout(w http.ResponseWriter, r *http.Request) error {
	pc := portalOf(r)
	if err := s.app.SignOut(r.Context(), sessionToken(r, portalCookie)); err != nil {
		return err
	}
	clearCookieAt(w, portalCookie, portalCookiePath(pc.company), s.secure)
	return s.redirectFlash(w, r, "/portal/"+pc.company.Slug+"/login", "You have been signed out.")
}

type portalForgotPage struct {
	PortalPage
	Form *Form
	Sent bool
}

// portalForgotForm serves GET /portal/{tenant}/forgot.
func (s *Server) portalForgotForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "portal_forgot", &portalForgotPage{PortalPage: s.portalPage(r, "Forgot password"), Form: newForm(nil)})
	return nil
}

// portalForgot serves POST /portal/{tenant}/forgot. It answers the same whether or
// not the email has an account, and whether or not mail can be sent right now: the
// reset goes through the outbox, to the stored address.
func (s *Server) portalForgot(w http.ResponseWriter, r *http.Request) error {
	pc := portalOf(r)
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	p := &portalForgotPage{PortalPage: s.portalPage(r, "Forgot password"), Form: newForm(r.PostForm)}
	var v domain.Validator
	for field, msg := range domain.FieldErrors(textErr) {
		v.Add(field, msg)
	}
	v.Required("email", r.PostForm.Get("email"), "Email")
	v.Email("email", domain.NormalizeEmail(r.PostForm.Get("email")))
	if err := v.Err(); err != nil {
		p.Form.withError(err)
		s.render(w, r, http.StatusUnprocessableEntity, "portal_forgot", p)
		return nil
	}
	if err := s.app.ForgotPortalPassword(r.Context(), pc.company, r.PostForm.Get("email"), s.clientIP(r)); err != nil {
		if domain.ErrorCode(err) != domain.ETOOMANY {
			return err
		}
		p.Form.withError(err)
		s.render(w, r, http.StatusTooManyRequests, "portal_forgot", p)
		return nil
	}
	p.Sent = true
	s.render(w, r, http.StatusOK, "portal_forgot", p)
	return nil
}

type portalPasswordPage struct {
	PortalPage
	Form    *Form
	Email   string
	Action  string
	Heading string
	Button  string
}

// isLinkKind reports whether kind names a portal one-time link path:
// /portal/{tenant}/activate/{token} or /portal/{tenant}/reset/{token}.
func isLinkKind(kind string) bool { return kind == "activate" || kind == "reset" }

// purposeOf returns the purpose and wording of a one-time link page, or ENOTFOUND
// for a path that is no such page.
func purposeOf(r *http.Request) (purpose, heading, button string, err error) {
	switch r.PathValue("kind") {
	case "activate":
		return store.PurposeActivation, "Activate your account", "Activate account", nil
	case "reset":
		return store.PurposeReset, "Set a new password", "Set password and sign in", nil
	}
	return "", "", "", domain.Errorf(domain.ENOTFOUND, "Page not found.")
}

// portalPasswordForm serves GET /portal/{tenant}/{kind}/{token} for kind activate
// or reset. Opening the link only shows the form.
func (s *Server) portalPasswordForm(w http.ResponseWriter, r *http.Request) error {
	pc := portalOf(r)
	purpose, heading, button, err := purposeOf(r)
	if err != nil {
		return err
	}
	u, err := s.app.PortalLinkUser(r.Context(), pc.company, purpose, r.PathValue("token"))
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return s.portalLinkInvalid(w, r)
		}
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "portal_password", &portalPasswordPage{PortalPage: s.portalPage(r, heading), Form: newForm(nil),
		Email: u.Email, Action: r.URL.Path, Heading: heading, Button: button})
	return nil
}

// portalSetPassword serves POST /portal/{tenant}/{kind}/{token}: it uses the link,
// sets the password and signs the user in.
func (s *Server) portalSetPassword(w http.ResponseWriter, r *http.Request) error {
	pc := portalOf(r)
	purpose, heading, button, err := purposeOf(r)
	if err != nil {
		return err
	}
	token := r.PathValue("token")
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	rerender := func(err error) error {
		u, lerr := s.app.PortalLinkUser(r.Context(), pc.company, purpose, token)
		if lerr != nil {
			return s.portalLinkInvalid(w, r)
		}
		w.Header().Set("Referrer-Policy", "no-referrer")
		s.render(w, r, http.StatusUnprocessableEntity, "portal_password", &portalPasswordPage{PortalPage: s.portalPage(r, heading),
			Form: newForm(nil).withError(err), Email: u.Email, Action: r.URL.Path, Heading: heading, Button: button})
		return nil
	}
	// One field, with a Show button to check what was typed, rather than a
	// second field to type it again in.
	pw := r.PostForm.Get("password")
	var session string
	err = unlessText(textErr, func() (err error) {
		session, err = s.app.SetPortalPasswordWithLink(r.Context(), pc.company, purpose, token, pw)
		return err
	})
	switch domain.ErrorCode(err) {
	case "":
	case domain.EINVALID:
		return rerender(err)
	case domain.ENOTFOUND:
		return s.portalLinkInvalid(w, r)
	default:
		return err
	}
	if session == "" {
		return s.redirectFlash(w, r, "/portal/"+pc.company.Slug+"/login", "Your password is set. Sign in with it and a code from your authenticator app.")
	}
	s.setPortalCookie(w, pc.company, session)
	if purpose == store.PurposeActivation {
		// The welcome page's heading says it: "Your account is ready".
		http.Redirect(w, r, "/portal/"+pc.company.Slug+"/welcome", http.StatusSeeOther)
		return nil
	}
	return s.redirectFlash(w, r, "/portal/"+pc.company.Slug+"/", "Your password is set. Welcome!")
}

func (s *Server) portalLinkInvalid(w http.ResponseWriter, r *http.Request) error {
	pc := portalOf(r)
	p := &portalErrorPage{PortalPage: s.portalPage(r, "This link is no longer valid"), Status: http.StatusGone,
		Heading: "This link is no longer valid",
		Message: "The link has expired, was already used, or a newer one was sent. Ask " + pc.company.Name +
			" to send you a new invitation, or request a new password below.", ShowForgot: true}
	s.render(w, r, http.StatusGone, "portal_error", p)
	return nil
}

type portalErrorPage struct {
	PortalPage
	Status     int
	Heading    string
	Message    string
	Fields     []fieldProblem // field messages of a form refused before it could be shown again
	ShowForgot bool
}
