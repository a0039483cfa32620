package web

import (
	"net/http"

	"portico/internal/auth"
	"portico/internal/domain"
)

// pendingCookie carries a sign-in whose password was right to its code step. It
// is not a session: it opens nothing but the code form, lives minutes, and the
// server uses it up when the code is right.
const pendingCookie = "portico_2fa"

func setPendingCookie(w http.ResponseWriter, token, path string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: token, Path: path, HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(auth.TwoFactorPendingTTL.Seconds())})
}

type loginCodePage struct {
	Page
	Form *Form
	Next string
}

// loginCodeForm serves GET /app/login/code: the second step of signing in.
func (s *Server) loginCodeForm(w http.ResponseWriter, r *http.Request) error {
	if sessionToken(r, pendingCookie) == "" {
		http.Redirect(w, r, "/app/login", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "login_code", &loginCodePage{Page: s.page(r, "Two-factor sign-in"), Form: newForm(nil),
		Next: localNext(r.URL.Query().Get("next"))})
	return nil
}

// loginCode serves POST /app/login/code: a code from the authenticator app or a
// recovery code finishes the sign-in.
func (s *Server) loginCode(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	next := localNext(r.PostForm.Get("next"))
	session, err := s.app.StaffSignInCode(r.Context(), sessionToken(r, pendingCookie), r.PostForm.Get("code"), s.clientIP(r))
	if err != nil {
		switch code := domain.ErrorCode(err); code {
		case domain.ENOTFOUND:
			clearCookieAt(w, pendingCookie, "/app/", s.secure)
			return s.redirectFlash(w, r, "/app/login?next="+safeNext(next), domain.ErrorMessage(err))
		case domain.EUNAUTHORIZED, domain.ETOOMANY:
			s.render(w, r, codeStatus(code), "login_code", &loginCodePage{Page: s.page(r, "Two-factor sign-in"),
				Form: newForm(nil).withError(err), Next: next})
			return nil
		}
		return err
	}
	clearCookieAt(w, pendingCookie, "/app/", s.secure)
	s.app.SignOut(r.Context(), sessionToken(r, staffCookie))
	setSessionCookie(w, staffCookie, session, s.secure)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// codeStatus is the status of a refused code: 401, or 429 past the limits.
func codeStatus(code string) int {
	if code == domain.ETOOMANY {
		return http.StatusTooManyRequests
	}
	return http.StatusUnauthorized
}

type portalLoginCodePage struct {
	PortalPage
	Form *Form
	Next string
}

// portalLoginCodeForm serves GET /portal/{tenant}/login/code.
func (s *Server) portalLoginCodeForm(w http.ResponseWriter, r *http.Request) error {
	pc := portalOf(r)
	if sessionToken(r, pendingCookie) == "" {
		http.Redirect(w, r, "/portal/"+pc.company.Slug+"/login", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "portal_login_code", &portalLoginCodePage{PortalPage: s.portalPage(r, "Two-factor sign-in"),
		Form: newForm(nil), Next: portalNext(pc.company, r.URL.Query().Get("next"))})
	return nil
}

// portalLoginCode serves POST /portal/{tenant}/login/code.
func (s *Server) portalLoginCode(w http.ResponseWriter, r *http.Request) error {
	pc := portalOf(r)
	if err := parseForm(r); err != nil {
		return err
	}
	next := portalNext(pc.company, r.PostForm.Get("next"))
	path := portalCookiePath(pc.company)
	session, err := s.app.PortalSignInCode(r.Context(), pc.company, sessionToken(r, pendingCookie), r.PostForm.Get("code"), s.clientIP(r))
	if err != nil {
		switch code := domain.ErrorCode(err); code {
		case domain.ENOTFOUND:
			clearCookieAt(w, pendingCookie, path, s.secure)
			return s.redirectFlash(w, r, "/portal/"+pc.company.Slug+"/login", domain.ErrorMessage(err))
		case domain.EUNAUTHORIZED, domain.ETOOMANY:
			s.render(w, r, codeStatus(code), "portal_login_code", &portalLoginCodePage{PortalPage: s.portalPage(r, "Two-factor sign-in"),
				Form: newForm(nil).withError(err), Next: next})
			return nil
		}
		return err
	}
	clearCookieAt(w, pendingCookie, path, s.secure)
	s.app.SignOut(r.Context(), sessionToken(r, portalCookie))
	s.setPortalCookie(w, pc.company, session)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}
