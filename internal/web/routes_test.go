package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/testenv"
	"portico/internal/web"
)

// routePath fills a route pattern's wildcards with real ids of the world.
func routePath(pattern string, ids map[string]string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}")
	return method, regexp.MustCompile(`\{(\w+)\}`).ReplaceAllStringFunc(path, func(m string) string {
		return ids[strings.Trim(m, "{}")]
	})
}

func TestEveryRouteDeclaresAPolicy(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	srv, err := web.NewServer(web.Config{App: app.New(db.Store, nil, "http://x")})
	if err != nil {
		t.Fatal(err)
	}
	routes := srv.Routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes: the table is not being walked", len(routes))
	}
	for _, r := range routes {
		if r.Policy == "" {
			t.Errorf("route %q declares no policy", r.Pattern)
		}
		if strings.Contains(r.Pattern, " /app/") && r.Policy == "anyone" &&
			!strings.Contains(r.Pattern, "/login") && !strings.Contains(r.Pattern, "/logout") && !strings.Contains(r.Pattern, "/password/") {
			t.Errorf("staff route %q is open to anyone", r.Pattern)
		}
	}
}

// TestRoutePoliciesAreEnforced walks the route table: signed out, every staff route
// sends the browser to sign-in (or refuses a POST); signed in without the route's
// permission, it answers 403 and changes nothing.
func TestRoutePoliciesAreEnforced(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		c := db.Client(t, tn, "ABC s.r.o.")
		site := db.Site(t, tn, c, "Košice", "Košice")
		ct := db.Contact(t, tn, c, "Jana", "Kováčová", "jana@abc.test")
		p := db.Project(t, tn, c, "Monitoring", site)
		reader := db.StaffUser(t, tn, "reader@acme.test")
		ids := map[string]string{"id": itoa(c.ID), "sid": itoa(site.ID), "cid": itoa(ct.ID), "pid": itoa(p.ID),
			"uid": itoa(reader.ID), "token": "x", "did": "1", "file": "1"} // did, file: an invoice, estimate or protocol (the guard answers first)

		anon := s.NewClient(t)
		signedIn := s.NewClient(t)
		signedIn.SignIn("acme", "reader@acme.test")

		srv, err := web.NewServer(web.Config{App: s.App})
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, r := range srv.Routes() {
			if !strings.HasPrefix(r.Policy, "staff") {
				continue
			}
			method, path := routePath(r.Pattern, ids)
			var resp *testenv.Response
			if method == http.MethodGet {
				resp = anon.Get(path)
				if resp.Status != http.StatusSeeOther || !strings.HasPrefix(resp.Location, "/app/login") {
					t.Errorf("signed out GET %s: status %d location %q, want redirect to sign-in", path, resp.Status, resp.Location)
				}
			} else {
				resp = anon.Post(path, url.Values{"name": {"Hacked"}})
				if resp.Status != http.StatusUnauthorized {
					t.Errorf("signed out POST %s: status %d, want 401", path, resp.Status)
				}
			}
			perm, ok := strings.CutPrefix(r.Policy, "staff:")
			if !ok {
				continue
			}
			if method == http.MethodGet {
				resp = signedIn.Get(path)
			} else {
				resp = signedIn.Post(path, url.Values{"name": {"Hacked"}, "permissions": {access.UsersManage}, "enabled": {"1"}})
			}
			if resp.Status != http.StatusForbidden || !strings.Contains(resp.Body, access.PermissionLabel(perm)) {
				t.Errorf("%s %s without %s: status %d, want 403 naming the permission", method, path, perm, resp.Status)
			}
			checked++
		}
		if checked < 20 {
			t.Fatalf("only %d permission-guarded routes checked", checked)
		}
		got, err := db.Store.Staff(tn.Staff).Client(t.Context(), c.ID)
		if err != nil || got.Name != "ABC s.r.o." {
			t.Fatalf("client changed by refused requests: %+v, %v", got, err)
		}
		u, err := db.Store.StaffUser(t.Context(), tn.Company.ID, reader.ID)
		if err != nil || len(u.Permissions) != 0 {
			t.Fatalf("reader gave themselves permissions: %+v, %v", u, err)
		}
	})
}
