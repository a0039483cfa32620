package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

// viewAsPrefix is where staff open the portal as one of its users.
const viewAsPrefix = "/app/view-as/{uid}"

// viewAsRoutes serves every page a portal user reads — GET routes of signed-in
// portal users, but not their own account pages — again under
// /app/view-as/{uid}, for staff. Nothing that changes data is served there, so a
// view cannot toggle, decide or edit even if a button were pressed.
func viewAsRoutes(routes []route) []route {
	var out []route
	for _, rt := range routes {
		rest, ok := strings.CutPrefix(rt.pattern, "GET /portal/{tenant}/")
		// Account pages are the user's own; the estimate decision forms only post.
		if !ok || rt.policy.kind != "portal" || strings.HasPrefix(rest, "account/") ||
			strings.HasSuffix(rest, "/accept") || strings.HasSuffix(rest, "/decline") {
			continue
		}
		out = append(out, route{"GET " + viewAsPrefix + "/" + rest, viewAs(), rt.h})
	}
	return out
}

// viewAsGuard signs the staff member in from their own session, checks
// portal.invite, and loads the viewed user's Scope as the portal session code
// would, recording the view in the audit log. The page then runs as a portal
// page with the staff member as its viewer.
func (s *Server) viewAsGuard(h handlerFunc) http.Handler {
	return s.guard(route{policy: staff(access.PortalInvite), h: func(w http.ResponseWriter, r *http.Request) error {
		uid, ok := canonicalID(r.PathValue("uid"))
		if !ok {
			return domain.Errorf(domain.ENOTFOUND, "Page not found.")
		}
		sess := staffOf(r)
		page := "/" + strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/app/view-as/"+r.PathValue("uid")), "/")
		user, scope, err := s.app.ViewPortalAs(r.Context(), sess.who, uid, page)
		if err != nil {
			return err
		}
		pc := &portalCtx{company: sess.company, user: user, viewer: sess.user, base: "/app/view-as/" + strconv.FormatInt(uid, 10)}
		s.setScope(pc, scope)
		return h(w, r.WithContext(context.WithValue(r.Context(), keyPortal, pc)))
	}})
}
