package web

import (
	"html/template"
	"net/http"
	"net/url"

	"portico/internal/app"
	"portico/internal/domain"
)

// security is the body of an account security page, shared by the staff app and
// the portal: two-factor status, set-up, recovery codes, turning it off.
type security struct {
	Action  string // the page's path; forms post below it
	Status  *app.TwoFactorStatus
	QR      template.URL // the set-up's QR code, a data: URI made by the server
	Confirm *Form        // the set-up's code field
	Regen   *Form        // the new-recovery-codes form
	Disable *Form        // the turn-off form
	Codes   []string     // recovery codes just made, shown this once
}

func newSecurity(action string, st *app.TwoFactorStatus) *security {
	sec := &security{Action: action, Status: st, Confirm: newForm(nil), Regen: newForm(nil), Disable: newForm(nil)}
	if st.Setup != nil {
		// The URI is the server's own PNG, never input: safe as an image source.
		sec.QR = template.URL(st.Setup.QR)
	}
	return sec
}

type accountSecurityPage struct {
	Page
	Sec       *security
	Language  *Form // the staff member's own language
	Languages []languageChoice
}

type portalSecurityPage struct {
	PortalPage
	Sec *security
}

// securityFormError puts a refused form's error on the form it came from; it
// returns false for errors that are not the user's to fix here.
func securityFormError(sec *security, form string, err error) bool {
	switch domain.ErrorCode(err) {
	case domain.EINVALID, domain.ETOOMANY, domain.EFORBIDDEN, domain.ECONFLICT:
	default:
		return false
	}
	f := map[string]*Form{"confirm": sec.Confirm, "regen": sec.Regen, "disable": sec.Disable}[form]
	f.withError(err)
	return true
}

func errorStatus(err error) int {
	switch domain.ErrorCode(err) {
	case domain.ETOOMANY:
		return http.StatusTooManyRequests
	case domain.EFORBIDDEN:
		return http.StatusForbidden
	case domain.ECONFLICT:
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// staffSecurity renders the staff member's account security page.
func (s *Server) staffSecurity(w http.ResponseWriter, r *http.Request, status int, form string, ferr error, codes []string) error {
	st, err := s.app.StaffTwoFactor(r.Context(), staffOf(r).who)
	if err != nil {
		return err
	}
	sec := newSecurity("/app/account/security", st)
	sec.Codes = codes
	if ferr != nil && !securityFormError(sec, form, ferr) {
		return ferr
	}
	p := &accountSecurityPage{Page: s.page(r, "Account security"), Sec: sec, Languages: languageChoices(),
		Language: newForm(url.Values{"locale": {staffOf(r).user.Locale}})}
	p.Nav = "security"
	s.render(w, r, status, "account_security", p)
	return nil
}

// accountSecurity serves GET /app/account/security.
func (s *Server) accountSecurity(w http.ResponseWriter, r *http.Request) error {
	return s.staffSecurity(w, r, http.StatusOK, "", nil, nil)
}

// accountSecuritySetup serves POST /app/account/security/setup: a new secret to
// scan, waiting for its first code.
func (s *Server) accountSecuritySetup(w http.ResponseWriter, r *http.Request) error {
	if err := s.app.StartStaffTwoFactor(r.Context(), staffOf(r).who); err != nil {
		return err
	}
	http.Redirect(w, r, "/app/account/security#setup", http.StatusSeeOther)
	return nil
}

// accountSecurityConfirm serves POST /app/account/security/confirm: the first
// code turns two-factor sign-in on, and the recovery codes are shown once.
func (s *Server) accountSecurityConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	codes, err := s.app.ConfirmStaffTwoFactor(r.Context(), staffOf(r).who, r.PostForm.Get("code"))
	if err != nil {
		return s.staffSecurity(w, r, errorStatus(err), "confirm", err, nil)
	}
	return s.staffSecurity(w, r, http.StatusOK, "", nil, codes)
}

// accountSecurityCodes serves POST /app/account/security/recovery-codes: new
// recovery codes for a current code.
func (s *Server) accountSecurityCodes(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	codes, err := s.app.RegenerateStaffRecoveryCodes(r.Context(), staffOf(r).who, r.PostForm.Get("code"), s.clientIP(r))
	if err != nil {
		return s.staffSecurity(w, r, errorStatus(err), "regen", err, nil)
	}
	return s.staffSecurity(w, r, http.StatusOK, "", nil, codes)
}

// accountSecurityDisable serves POST /app/account/security/disable.
func (s *Server) accountSecurityDisable(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if err := s.app.DisableStaffTwoFactor(r.Context(), staffOf(r).who, r.PostForm.Get("confirm"), s.clientIP(r)); err != nil {
		return s.staffSecurity(w, r, errorStatus(err), "disable", err, nil)
	}
	return s.redirectFlash(w, r, "/app/account/security", "Two-factor sign-in is off.")
}

// portalSecurity renders the portal user's account security page.
func (s *Server) portalSecurity(w http.ResponseWriter, r *http.Request, status int, form string, ferr error, codes []string) error {
	pc := portalOf(r)
	st, err := s.app.PortalTwoFactor(r.Context(), pc.scope)
	if err != nil {
		return err
	}
	sec := newSecurity("/portal/"+pc.company.Slug+"/account/security", st)
	sec.Codes = codes
	if ferr != nil && !securityFormError(sec, form, ferr) {
		return ferr
	}
	p := &portalSecurityPage{PortalPage: s.portalPage(r, "Account security"), Sec: sec}
	p.Nav = "security"
	s.render(w, r, status, "portal_account_security", p)
	return nil
}

// portalAccountSecurity serves GET /portal/{tenant}/account/security.
func (s *Server) portalAccountSecurity(w http.ResponseWriter, r *http.Request) error {
	return s.portalSecurity(w, r, http.StatusOK, "", nil, nil)
}

// portalAccountSecuritySetup serves POST /portal/{tenant}/account/security/setup.
func (s *Server) portalAccountSecuritySetup(w http.ResponseWriter, r *http.Request) error {
	pc := portalOf(r)
	if err := s.app.StartPortalTwoFactor(r.Context(), pc.scope); err != nil {
		return err
	}
	http.Redirect(w, r, "/portal/"+pc.company.Slug+"/account/security#setup", http.StatusSeeOther)
	return nil
}

// portalAccountSecurityConfirm serves POST /portal/{tenant}/account/security/confirm.
func (s *Server) portalAccountSecurityConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	codes, err := s.app.ConfirmPortalTwoFactor(r.Context(), portalOf(r).scope, r.PostForm.Get("code"))
	if err != nil {
		return s.portalSecurity(w, r, errorStatus(err), "confirm", err, nil)
	}
	return s.portalSecurity(w, r, http.StatusOK, "", nil, codes)
}

// portalAccountSecurityCodes serves POST /portal/{tenant}/account/security/recovery-codes.
func (s *Server) portalAccountSecurityCodes(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	codes, err := s.app.RegeneratePortalRecoveryCodes(r.Context(), portalOf(r).scope, r.PostForm.Get("code"), s.clientIP(r))
	if err != nil {
		return s.portalSecurity(w, r, errorStatus(err), "regen", err, nil)
	}
	return s.portalSecurity(w, r, http.StatusOK, "", nil, codes)
}

// portalAccountSecurityDisable serves POST /portal/{tenant}/account/security/disable.
func (s *Server) portalAccountSecurityDisable(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	pc := portalOf(r)
	if err := s.app.DisablePortalTwoFactor(r.Context(), pc.scope, r.PostForm.Get("confirm"), s.clientIP(r)); err != nil {
		return s.portalSecurity(w, r, errorStatus(err), "disable", err, nil)
	}
	return s.redirectFlash(w, r, "/portal/"+pc.company.Slug+"/account/security", "Two-factor sign-in is off.")
}

// portalUserResetTwoFactor serves POST /app/portal-users/{uid}/two-factor/reset.
func (s *Server) portalUserResetTwoFactor(w http.ResponseWriter, r *http.Request) error {
	uid, err := pathID(r, "uid")
	if err != nil {
		return err
	}
	if err := s.app.ResetPortalTwoFactor(r.Context(), staffOf(r).who, uid); err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/app/portal-users/"+itoa(uid)+"/edit", "Two-factor sign-in was reset. The user signs in with their password and can set it up again.")
}

// userResetTwoFactor serves POST /app/users/{uid}/two-factor/reset.
func (s *Server) userResetTwoFactor(w http.ResponseWriter, r *http.Request) error {
	uid, err := pathID(r, "uid")
	if err != nil {
		return err
	}
	if err := s.app.ResetStaffTwoFactor(r.Context(), staffOf(r).who, uid); err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/app/users/"+itoa(uid)+"/edit", "Two-factor sign-in was reset. The user signs in with their password and sets it up again.")
}

// accountLanguage serves POST /app/account/language: the staff member's own
// language, "" for the company's.
func (s *Server) accountLanguage(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if err := s.staffView(r).SetStaffLocale(r.Context(), r.PostForm.Get("locale")); err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/app/account/security", "Your language is saved.")
}
