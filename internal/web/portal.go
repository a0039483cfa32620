package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
)

const portalCookie = "portico_portal"

// portalCtx is the tenant of a portal request and, once signed in, the user and
// the Scope loaded fresh from the database.
type portalCtx struct {
	company *domain.Company
	user    *domain.PortalUser
	scope   access.Scope
	view    *store.PortalView // bound to scope: the only way a portal handler reaches data

	// viewer is the staff member viewing the portal as user (read-only), nil in
	// the user's own session; base is then the view's URL prefix.
	viewer *domain.StaffUser
	base   string
}

// readOnly reports whether the request is a staff member viewing as the user:
// pages show what the user sees, and nothing can be changed.
func (pc *portalCtx) readOnly() bool { return pc != nil && pc.viewer != nil }

// portalBase is the URL prefix of the request's portal pages: "/portal/{slug}",
// or the staff view's "/app/view-as/{uid}".
func portalBase(r *http.Request) string {
	pc := portalOf(r)
	if pc == nil {
		return ""
	}
	if pc.base != "" {
		return pc.base
	}
	return "/portal/" + pc.company.Slug
}

// setScope records the request's Scope, loaded by the session code, and the view
// of the store bound to it.
func (s *Server) setScope(pc *portalCtx, scope access.Scope) {
	pc.scope, pc.view = scope, s.app.PortalView(scope)
}

func portalOf(r *http.Request) *portalCtx {
	pc, _ := r.Context().Value(keyPortal).(*portalCtx)
	return pc
}

// scopeOf returns the request's portal Scope; its zero value matches nothing.
func scopeOf(r *http.Request) access.Scope {
	if pc := portalOf(r); pc != nil {
		return pc.scope
	}
	return access.Scope{}
}

// portalView returns the view of the store bound to the request's portal Scope;
// signed out, a view of the zero Scope, which matches nothing.
func (s *Server) portalView(r *http.Request) *store.PortalView {
	if pc := portalOf(r); pc != nil && pc.view != nil {
		return pc.view
	}
	return s.app.PortalView(access.Scope{})
}

// PortalPage is the frame of every portal page: the tenant's name is on each.
type PortalPage struct {
	Page
	Tenant *domain.Company
	User   *domain.PortalUser
	Base   string // "/portal/{slug}", or "/app/view-as/{uid}" for staff viewing as the user

	// ViewingAs is the staff member viewing the portal as User, read-only; nil
	// in the user's own session.
	ViewingAs *domain.StaffUser

	// The header's company selector: the user's companies (shown when more than
	// one) and the one the page is about, 0 when none in particular.
	Companies []*domain.Client
	CompanyID int64

	// LimitedTo names the sites a site-restricted user sees ("Košice, Žilina"),
	// for the note on the dashboard and the lists; empty when she sees all sites
	// of every company (see limitView).
	LimitedTo string
}

// portalNavNames are the portal's sections by their Nav key, as the phone's
// menu names the page it is on.
var portalNavNames = map[string]string{
	"home": "Overview", "projects": "Projects", "protocols": "Protocols", "documents": "Documents",
	"invoices": "Invoices", "estimates": "Estimates", "my-data": "My data",
	"account": "Your account", "security": "Account security", "tokens": "API tokens",
}

// NavName is the English name of the section the page belongs to, "Menu" when
// it belongs to none.
func (p PortalPage) NavName() string {
	if n, ok := portalNavNames[p.Nav]; ok {
		return n
	}
	return "Menu"
}

func (s *Server) portalPage(r *http.Request, title string) PortalPage {
	p := s.portalFrame(r, title)
	if p.User != nil {
		cs, err := s.portalView(r).PortalClientNames(r.Context())
		if err != nil {
			s.log.WarnContext(r.Context(), "company selector", "err", err)
		}
		p.Companies = cs
	}
	return p
}

// portalFrame is portalPage without the header's companies, for a page that
// has read them already (the overview) and sets Companies itself.
func (s *Server) portalFrame(r *http.Request, title string) PortalPage {
	p := PortalPage{Page: s.page(r, title)}
	if pc := portalOf(r); pc != nil {
		p.Tenant, p.User = pc.company, pc.user
		p.Base = portalBase(r)
		p.ViewingAs = pc.viewer
	}
	return p
}

// withTenant resolves {tenant} for every portal route; an unknown slug is a 404.
func (s *Server) withTenant(r *http.Request) (*http.Request, *portalCtx, error) {
	c, err := s.app.Tenant(r.Context(), r.PathValue("tenant"))
	if err != nil {
		return r, nil, err
	}
	pc := &portalCtx{company: c}
	return r.WithContext(context.WithValue(r.Context(), keyPortal, pc)), pc, nil
}

// withPortalSession resolves {tenant} and the signed-in user's session with
// their Scope loaded fresh, for every route of a signed-in portal user: an
// unknown slug is a 404, no live session a 401 (and the cookie is cleared).
func (s *Server) withPortalSession(w http.ResponseWriter, r *http.Request) (*http.Request, *portalCtx, error) {
	c, u, scope, err := s.app.PortalTenantSession(r.Context(), r.PathValue("tenant"), sessionToken(r, portalCookie))
	if c == nil {
		return r, nil, err
	}
	pc := &portalCtx{company: c, user: u}
	s.setScope(pc, scope)
	r = r.WithContext(context.WithValue(r.Context(), keyPortal, pc))
	if domain.ErrorCode(err) == domain.EUNAUTHORIZED {
		clearCookieAt(w, portalCookie, portalCookiePath(c), s.secure)
	}
	return r, pc, err
}

// portalCookiePath keeps each tenant's portal session to its own URLs.
func portalCookiePath(c *domain.Company) string { return "/portal/" + c.Slug + "/" }

func (s *Server) setPortalCookie(w http.ResponseWriter, c *domain.Company, token string) {
	setSessionCookieAt(w, portalCookie, token, portalCookiePath(c), s.secure)
}

// portalLoginPath is where an unauthenticated portal request is sent.
func portalLoginPath(p string) string {
	rest := strings.TrimPrefix(p, "/portal/")
	slug, _, _ := strings.Cut(rest, "/")
	return "/portal/" + slug + "/login"
}

// limitedNames is how many sites the limited-view note names before "+n more".
const limitedNames = 4

// limitView fills p.LimitedTo when the user is restricted to some sites of a
// company: the dashboard and the lists say that her view is limited, and to
// which sites. A user who sees every site of her companies is told nothing.
func (s *Server) limitView(r *http.Request, p *PortalPage) error {
	var limited []int64
	for _, c := range scopeOf(r).Clients() {
		if !c.AllSites {
			limited = append(limited, c.ClientID)
		}
	}
	if len(limited) == 0 {
		return nil
	}
	sites, err := s.portalView(r).PortalSiteNames(r.Context())
	if err != nil {
		return err
	}
	multi := len(p.Companies) > 1
	var names []string
	for _, c := range p.Companies {
		if !slices.Contains(limited, c.ID) {
			continue
		}
		for _, st := range sites[c.ID] {
			n := st.Name
			if multi {
				n = c.Name + " — " + n
			}
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		names = append(names, translate(p.Locale, "none"))
	}
	if len(names) > limitedNames {
		names = append(names[:limitedNames], fmt.Sprintf(translate(p.Locale, "and %d more"), len(names)-limitedNames))
	}
	p.LimitedTo = strings.Join(names, ", ")
	return nil
}
