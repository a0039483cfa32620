package web

import (
	"net/http"
	"strings"
	"time"

	"portico/internal/domain"
)

// Personal access tokens for the API: each staff member manages theirs at
// /app/account/tokens, each portal user at /portal/{tenant}/account/tokens.
// A new token's text is shown once, on the page that answers the form.

// apiTokens is the body of a tokens page, shared by the staff app and the portal.
type apiTokens struct {
	Action  string // the page's path; forms post below it
	Company *domain.Company
	Tokens  []*domain.APIToken
	Form    *Form
	New     string // the text of a token just made, shown this once
	NewName string
	Now     time.Time
}

type staffTokensPage struct {
	Page
	Tok *apiTokens
}

type portalTokensPage struct {
	PortalPage
	Tok *apiTokens
}

// tokenRoutes are the pages where people manage their own tokens.
func (s *Server) tokenRoutes() []route {
	return []route{
		{"GET /app/account/tokens", staffAny(), s.staffTokens},
		{"POST /app/account/tokens", staffAny(), s.staffTokenCreate},
		{"POST /app/account/tokens/{id}/revoke", staffAny(), s.staffTokenRevoke},
		{"GET /portal/{tenant}/account/tokens", portalUser(), s.portalTokens},
		{"POST /portal/{tenant}/account/tokens", portalUser(), s.portalTokenCreate},
		{"POST /portal/{tenant}/account/tokens/{id}/revoke", portalUser(), s.portalTokenRevoke},
	}
}

// tokenForm reads the name and the optional expiry date (the end of that day
// in the company's time zone) of a new token.
func tokenForm(r *http.Request, c *domain.Company) (name string, expires time.Time, err error) {
	textErr, err := readForm(r)
	if err != nil {
		return "", time.Time{}, err
	}
	if textErr != nil {
		return "", time.Time{}, textErr
	}
	name = strings.TrimSpace(r.PostForm.Get("name"))
	if v := strings.TrimSpace(r.PostForm.Get("expires")); v != "" {
		d, perr := time.ParseInLocation(time.DateOnly, v, c.Location())
		if perr != nil {
			return "", time.Time{}, &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.",
				Fields: map[string]string{"expires": "Enter a date, like 2027-01-31."}}
		}
		expires = d.AddDate(0, 0, 1)
	}
	return name, expires, nil
}

func (s *Server) renderStaffTokens(w http.ResponseWriter, r *http.Request, status int, tok *apiTokens) error {
	sess := staffOf(r)
	list, err := sess.view.APITokens(r.Context())
	if err != nil {
		return err
	}
	tok.Action, tok.Company, tok.Tokens, tok.Now = "/app/account/tokens", sess.company, list, s.app.Now()
	if tok.Form == nil {
		tok.Form = newForm(nil)
	}
	p := &staffTokensPage{Page: s.page(r, "API tokens"), Tok: tok}
	p.Nav = "security"
	s.render(w, r, status, "api_tokens", p)
	return nil
}

// staffTokens serves GET /app/account/tokens.
func (s *Server) staffTokens(w http.ResponseWriter, r *http.Request) error {
	return s.renderStaffTokens(w, r, http.StatusOK, &apiTokens{})
}

// staffTokenCreate serves POST /app/account/tokens: a new token, shown once.
func (s *Server) staffTokenCreate(w http.ResponseWriter, r *http.Request) error {
	sess := staffOf(r)
	name, expires, err := tokenForm(r, sess.company)
	var t *domain.APIToken
	var text string
	if err == nil {
		t, text, err = s.app.CreateStaffAPIToken(r.Context(), sess.who, name, expires)
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		return s.renderStaffTokens(w, r, http.StatusUnprocessableEntity, &apiTokens{Form: newForm(r.PostForm).withError(err)})
	}
	return s.renderStaffTokens(w, r, http.StatusOK, &apiTokens{New: text, NewName: t.Name})
}

// staffTokenRevoke serves POST /app/account/tokens/{id}/revoke.
func (s *Server) staffTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := staffOf(r).view.RevokeAPIToken(r.Context(), id); err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/app/account/tokens", "The token was revoked. It no longer works.")
}

func (s *Server) renderPortalTokens(w http.ResponseWriter, r *http.Request, status int, tok *apiTokens) error {
	pc := portalOf(r)
	list, err := s.portalView(r).APITokens(r.Context())
	if err != nil {
		return err
	}
	tok.Action, tok.Company, tok.Tokens, tok.Now = portalBase(r)+"/account/tokens", pc.company, list, s.app.Now()
	if tok.Form == nil {
		tok.Form = newForm(nil)
	}
	p := &portalTokensPage{PortalPage: s.portalPage(r, "API tokens"), Tok: tok}
	p.Nav = "tokens"
	s.render(w, r, status, "portal_api_tokens", p)
	return nil
}

// portalTokens serves GET /portal/{tenant}/account/tokens.
func (s *Server) portalTokens(w http.ResponseWriter, r *http.Request) error {
	return s.renderPortalTokens(w, r, http.StatusOK, &apiTokens{})
}

// portalTokenCreate serves POST /portal/{tenant}/account/tokens.
func (s *Server) portalTokenCreate(w http.ResponseWriter, r *http.Request) error {
	pc := portalOf(r)
	name, expires, err := tokenForm(r, pc.company)
	var t *domain.APIToken
	var text string
	if err == nil {
		t, text, err = s.app.CreatePortalAPIToken(r.Context(), pc.scope, name, expires)
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		return s.renderPortalTokens(w, r, http.StatusUnprocessableEntity, &apiTokens{Form: newForm(r.PostForm).withError(err)})
	}
	return s.renderPortalTokens(w, r, http.StatusOK, &apiTokens{New: text, NewName: t.Name})
}

// portalTokenRevoke serves POST /portal/{tenant}/account/tokens/{id}/revoke.
func (s *Server) portalTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.portalView(r).RevokeAPIToken(r.Context(), id); err != nil {
		return err
	}
	return s.redirectFlash(w, r, portalBase(r)+"/account/tokens", "The token was revoked. It no longer works.")
}
