package web

import (
	"context"
	"net/http"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

// policy says who may call a route. Every route declares one; the zero value is
// "undeclared" and makes NewServer's route test fail.
type policy struct {
	kind  string // "anyone", "tenant", "portal", "broker", "staff"
	perm  string // for staff: the permission needed; "" = any signed-in staff member
	enrol bool   // for staff: open to a member who must still set up two-factor sign-in
}

func anyone() policy           { return policy{kind: "anyone"} }
func tenantPage() policy       { return policy{kind: "tenant"} } // a page of a tenant's portal, signed in or not
func portalUser() policy       { return policy{kind: "portal"} } // a signed-in portal user of the tenant
func staff(perm string) policy { return policy{kind: "staff", perm: perm} }
func staffAny() policy         { return policy{kind: "staff"} }
func broker() policy           { return policy{kind: "broker"} } // the MQTT broker, with the shared secret

// viewAs is a portal page opened by a staff member with portal.invite as one of
// the tenant's portal users, read-only: the user's Scope, the member's session.
func viewAs() policy { return policy{kind: "viewas", perm: access.PortalInvite} }

// staffEnrol is staffAny for the pages a staff member uses to set up two-factor
// sign-in: while the company requires it and the member has none, every other
// staff page sends them here.
func staffEnrol() policy { return policy{kind: "staff", enrol: true} }

// errEnrolFirst refuses a staff request while the company requires two-factor
// sign-in and the member has not set it up.
var errEnrolFirst = domain.Errorf(domain.EFORBIDDEN, "Your company requires two-factor sign-in. Set it up under Account security first.")

// route is one line of the product's map: a pattern, who may call it, and its handler.
type route struct {
	pattern string
	policy  policy
	h       handlerFunc
}

// guard enforces a route's policy before its handler runs. Staff routes load the
// session from the database on every request, so a disabled user or a revoked
// permission takes effect at once.
func (s *Server) guard(rt route) http.Handler {
	h := rt.h
	switch rt.policy.kind {
	case "anyone":
		return s.adapt(h)
	case "staff":
		perm, enrol := rt.policy.perm, rt.policy.enrol
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			user, company, staff, err := s.app.StaffSession(r.Context(), sessionToken(r, staffCookie))
			if err != nil {
				if domain.ErrorCode(err) == domain.EUNAUTHORIZED {
					clearCookie(w, staffCookie, s.secure)
				}
				s.serveError(w, r, err)
				return
			}
			sess := &staffCtx{user: user, company: company, who: staff, view: s.app.StaffView(staff)}
			// Errors are served with the staff member in the context, so that error
			// pages keep the app's frame.
			r = r.WithContext(context.WithValue(r.Context(), keyStaff, sess))
			if company.RequireTwoFactor && !user.TwoFactor && !enrol {
				if r.Method == http.MethodGet {
					http.Redirect(w, r, "/app/account/security", http.StatusSeeOther)
					return
				}
				s.serveError(w, r, errEnrolFirst)
				return
			}
			err = sess.who.Require(perm)
			if err == nil {
				err = h(w, r)
			}
			if err != nil {
				s.serveError(w, r, err)
			}
		})
	case "broker":
		return s.brokerGuard(h)
	case "viewas":
		return s.viewAsGuard(h)
	case "apiportal", "apistaff", "apiopen":
		return s.apiGuard(rt)
	case "tenant", "portal":
		signedIn := rt.policy.kind == "portal"
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var err error
			if signedIn {
				r, _, err = s.withPortalSession(w, r)
			} else {
				r, _, err = s.withTenant(r)
			}
			if err == nil {
				err = h(w, r)
			}
			if err != nil {
				s.serveError(w, r, err)
			}
		})
	}
	// An undeclared policy serves nothing; TestEveryRouteDeclaresAPolicy catches it first.
	return s.adapt(func(w http.ResponseWriter, r *http.Request) error {
		return domain.Errorf(domain.ENOTFOUND, "Page not found.")
	})
}

// routeTable is the product's map of routes, top to bottom.
func (s *Server) routeTable() []route {
	routes := s.mainRoutes()
	routes = append(routes, s.protocolRoutes()...)
	routes = append(routes, s.switchRoutes()...)
	routes = append(routes, s.billingRoutes()...)
	routes = append(routes, s.brokerRoutes()...)
	routes = append(routes, viewAsRoutes(routes)...)
	routes = append(routes, s.tokenRoutes()...)
	routes = append(routes, s.apiRoutes()...)
	if s.dev {
		// Demo mode delivers mail here instead of over SMTP.
		routes = append(routes, route{"GET /app/dev/mailbox", staffAny(), s.devMailbox})
	}
	return routes
}

func (s *Server) mainRoutes() []route {
	contacts, sites, projects := s.contactPages(), s.sitePages(), s.projectPages()
	return []route{
		{"GET /{$}", anyone(), s.home},

		// Signing in and out, and setting a password from a one-time link.
		{"GET /app/login", anyone(), s.loginForm},
		{"POST /app/login", anyone(), s.login},
		{"POST /app/logout", anyone(), s.logout},
		{"GET /app/password/{token}", anyone(), s.passwordForm},
		{"POST /app/password/{token}", anyone(), s.setPassword},
		// The second step of a sign-in with two-factor: the pending-sign-in cookie, not a session.
		{"GET /app/login/code", anyone(), s.loginCodeForm},
		{"POST /app/login/code", anyone(), s.loginCode},

		// Each staff member's own account security: open before two-factor is set
		// up, since a company that requires it sends its members here first.
		{"GET /app/account/security", staffEnrol(), s.accountSecurity},
		{"POST /app/account/security/setup", staffEnrol(), s.accountSecuritySetup},
		{"POST /app/account/security/confirm", staffEnrol(), s.accountSecurityConfirm},
		{"POST /app/account/security/recovery-codes", staffEnrol(), s.accountSecurityCodes},
		{"POST /app/account/security/disable", staffEnrol(), s.accountSecurityDisable},
		{"POST /app/account/language", staffEnrol(), s.accountLanguage},

		{"GET /app/{$}", staffAny(), s.appHome},

		// Clients and their tabs. Reading needs only a staff session; changing needs clients.manage.
		{"GET /app/clients", staffAny(), s.clientList},
		{"GET /app/clients/new", staff(access.ClientsManage), s.clientNew},
		{"POST /app/clients", staff(access.ClientsManage), s.clientCreate},
		{"GET /app/clients/{id}", staffAny(), s.clientOverview},
		{"GET /app/clients/{id}/edit", staff(access.ClientsManage), s.clientEdit},
		{"POST /app/clients/{id}", staff(access.ClientsManage), s.clientUpdate},
		{"POST /app/clients/{id}/archive", staff(access.ClientsManage), s.clientArchive},
		{"POST /app/clients/{id}/restore", staff(access.ClientsManage), s.clientRestore},
		{"POST /app/clients/{id}/delete", staff(access.ClientsManage), s.clientDelete},

		{"GET /app/clients/{id}/contacts", staffAny(), contacts.list},
		{"GET /app/clients/{id}/contacts/new", staff(access.ClientsManage), contacts.add},
		{"POST /app/clients/{id}/contacts", staff(access.ClientsManage), contacts.create},
		{"GET /app/clients/{id}/contacts/{cid}/edit", staff(access.ClientsManage), contacts.edit},
		{"POST /app/clients/{id}/contacts/{cid}", staff(access.ClientsManage), contacts.update},
		{"POST /app/clients/{id}/contacts/{cid}/delete", staff(access.ClientsManage), contacts.remove},

		{"GET /app/clients/{id}/sites", staffAny(), sites.list},
		{"GET /app/clients/{id}/sites/new", staff(access.ClientsManage), sites.add},
		{"POST /app/clients/{id}/sites", staff(access.ClientsManage), sites.create},
		{"GET /app/clients/{id}/sites/{sid}", staffAny(), s.siteDetail},
		{"GET /app/clients/{id}/sites/{sid}/edit", staff(access.ClientsManage), sites.edit},
		{"POST /app/clients/{id}/sites/{sid}", staff(access.ClientsManage), sites.update},
		{"POST /app/clients/{id}/sites/{sid}/delete", staff(access.ClientsManage), sites.remove},

		{"GET /app/clients/{id}/projects", staffAny(), projects.list},
		{"GET /app/clients/{id}/projects/new", staff(access.ClientsManage), projects.add},
		{"POST /app/clients/{id}/projects", staff(access.ClientsManage), projects.create},
		{"GET /app/clients/{id}/projects/{pid}/edit", staff(access.ClientsManage), projects.edit},
		{"POST /app/clients/{id}/projects/{pid}", staff(access.ClientsManage), projects.update},
		{"POST /app/clients/{id}/projects/{pid}/delete", staff(access.ClientsManage), projects.remove},

		// The Users page lists portal users to every staff member and staff users to
		// administrators; managing staff and the audit log are for administrators only.
		{"GET /app/users", staffAny(), s.userList},
		// Who sees what in the portal, for those who manage clients' access.
		{"GET /app/access", staff(access.ClientsManage), s.accessOverview},
		{"GET /app/access.csv", staff(access.ClientsManage), s.accessCSV},
		{"GET /app/users/new", staff(access.UsersManage), s.userNew},
		{"POST /app/users", staff(access.UsersManage), s.userCreate},
		{"GET /app/users/{uid}/edit", staff(access.UsersManage), s.userEdit},
		{"POST /app/users/{uid}", staff(access.UsersManage), s.userUpdate},
		{"POST /app/users/{uid}/password-link", staff(access.UsersManage), s.userPasswordLink},
		{"POST /app/users/{uid}/two-factor/reset", staff(access.UsersManage), s.userResetTwoFactor},
		{"GET /app/audit", staff(access.UsersManage), s.auditLog},
		{"GET /app/settings", staff(access.UsersManage), s.settings},
		{"POST /app/settings", staff(access.UsersManage), s.settingsSave},

		// Portal access on the client's page and the Users page.
		{"GET /app/clients/{id}/portal/invite", staff(access.PortalInvite), s.clientInviteForm},
		{"POST /app/clients/{id}/portal/invite", staff(access.PortalInvite), s.clientInvite},
		{"POST /app/clients/{id}/contacts/{cid}/invite", staff(access.PortalInvite), s.contactInvite},
		{"POST /app/clients/{id}/portal/{uid}/resend", staff(access.PortalInvite), s.portalResend},
		{"POST /app/clients/{id}/portal/{uid}/disconnect", staff(access.ClientsManage), s.portalDisconnect},
		{"GET /app/portal-users/new", staff(access.PortalInvite), s.portalUserNew},
		{"POST /app/portal-users", staff(access.PortalInvite), s.portalUserCreate},
		{"GET /app/portal-users/{uid}/edit", staff(access.ClientsManage), s.portalUserEdit},
		{"POST /app/portal-users/{uid}", staff(access.ClientsManage), s.portalUserUpdate},
		{"POST /app/portal-users/{uid}/reset", staff(access.PortalInvite), s.portalUserReset},
		// Resetting a portal user's second factor is part of editing their access.
		{"POST /app/portal-users/{uid}/two-factor/reset", staff(access.ClientsManage), s.portalUserResetTwoFactor},

		// The client portal of a tenant. Pages of signed-in users load the access Scope
		// fresh on every request; everything they show is filtered by it in SQL.
		{"GET /portal/{tenant}/login", tenantPage(), s.portalLoginForm},
		{"POST /portal/{tenant}/login", tenantPage(), s.portalLogin},
		{"POST /portal/{tenant}/logout", tenantPage(), s.portalLogout},
		{"GET /portal/{tenant}/forgot", tenantPage(), s.portalForgotForm},
		{"POST /portal/{tenant}/forgot", tenantPage(), s.portalForgot},
		{"GET /portal/{tenant}/{kind}/{token}", tenantPage(), s.portalPasswordForm},
		{"POST /portal/{tenant}/{kind}/{token}", tenantPage(), s.portalSetPassword},
		{"GET /portal/{tenant}/login/code", tenantPage(), s.portalLoginCodeForm},
		{"POST /portal/{tenant}/login/code", tenantPage(), s.portalLoginCode},
		{"GET /portal/{tenant}/{$}", portalUser(), s.portalHome},
		{"GET /portal/{tenant}/welcome", portalUser(), s.portalWelcome},
		{"GET /portal/{tenant}/account", portalUser(), s.portalAccount},
		{"POST /portal/{tenant}/account", portalUser(), s.portalAccountSave},
		{"POST /portal/{tenant}/account/password", portalUser(), s.portalAccountPassword},
		{"GET /portal/{tenant}/account/security", portalUser(), s.portalAccountSecurity},
		{"POST /portal/{tenant}/account/security/setup", portalUser(), s.portalAccountSecuritySetup},
		{"POST /portal/{tenant}/account/security/confirm", portalUser(), s.portalAccountSecurityConfirm},
		{"POST /portal/{tenant}/account/security/recovery-codes", portalUser(), s.portalAccountSecurityCodes},
		{"POST /portal/{tenant}/account/security/disable", portalUser(), s.portalAccountSecurityDisable},
	}
}

// RouteInfo describes one route of the table for tests and documentation.
type RouteInfo struct {
	Pattern string
	Policy  string // "anyone", "tenant", "portal", "broker", "staff", "staff:<permission>", "api:portal", "api:staff[:<permission>]", "api:open"; "" when undeclared
}

// Routes lists the route table with each route's policy.
func (s *Server) Routes() []RouteInfo {
	out := make([]RouteInfo, 0, len(s.routes))
	for _, rt := range s.routes {
		p := rt.policy.kind
		if p == "viewas" { // guarded as a staff route first
			p = "staff"
		}
		if p == "apistaff" || p == "apiportal" || p == "apiopen" { // a token, never a cookie
			p = "api:" + strings.TrimPrefix(p, "api")
		}
		if (p == "staff" || p == "api:staff") && rt.policy.perm != "" {
			p += ":" + rt.policy.perm
		}
		out = append(out, RouteInfo{Pattern: rt.pattern, Policy: p})
	}
	return out
}
