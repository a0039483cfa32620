package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"portico/internal/testenv"
)

// TestTenantIsolation: staff of tenant A asking for tenant B's client, site,
// contact, project or staff user by id get 404 — the same as for an id that does
// not exist — and cannot change any of it.
func TestTenantIsolation(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		db.Tenant(t, "alpha")
		beta := db.Tenant(t, "beta")
		bc := db.Client(t, beta, "Beta Secret s.r.o.")
		bs := db.Site(t, beta, bc, "Beta site", "Košice")
		bct := db.Contact(t, beta, bc, "Beta", "Person", "beta.person@beta.test")
		bp := db.Project(t, beta, bc, "Beta project", bs)
		cb := fmt.Sprintf("/app/clients/%d", bc.ID)

		a := s.NewClient(t)
		a.SignIn("alpha", "admin@alpha.test")
		for _, path := range []string{
			cb, cb + "/edit", cb + "/contacts", cb + "/sites", cb + "/projects",
			fmt.Sprintf("%s/sites/%d", cb, bs.ID), fmt.Sprintf("%s/sites/%d/edit", cb, bs.ID),
			fmt.Sprintf("%s/contacts/%d/edit", cb, bct.ID), fmt.Sprintf("%s/projects/%d/edit", cb, bp.ID),
			fmt.Sprintf("/app/users/%d/edit", beta.Admin.ID),
		} {
			r := a.Get(path)
			wantStatus(t, r, http.StatusNotFound)
			dontWantBody(t, r, "Beta Secret", "Beta site", "beta.person", "Beta project", "admin@beta.test")
		}
		for _, path := range []string{
			cb, cb + "/archive", cb + "/delete", cb + "/contacts", cb + "/sites", cb + "/projects",
			fmt.Sprintf("%s/sites/%d", cb, bs.ID), fmt.Sprintf("%s/sites/%d/delete", cb, bs.ID),
			fmt.Sprintf("%s/contacts/%d", cb, bct.ID), fmt.Sprintf("%s/contacts/%d/delete", cb, bct.ID),
			fmt.Sprintf("%s/projects/%d", cb, bp.ID), fmt.Sprintf("%s/projects/%d/delete", cb, bp.ID),
			fmt.Sprintf("/app/users/%d", beta.Admin.ID), fmt.Sprintf("/app/users/%d/password-link", beta.Admin.ID),
		} {
			r := a.Post(path, url.Values{"name": {"Hijacked"}, "first_name": {"H"}, "last_name": {"H"}, "city": {"X"}, "status": {"active"}})
			wantStatus(t, r, http.StatusNotFound)
		}
		list := a.Get("/app/clients?q=beta")
		dontWantBody(t, list, "Beta Secret")

		// Beta's data is untouched.
		got, err := db.Store.Staff(beta.Staff).Client(t.Context(), bc.ID)
		if err != nil || got.Name != "Beta Secret s.r.o." || got.Archived || got.SiteCount != 1 || got.ContactCount != 1 || got.ProjectCount != 1 {
			t.Fatalf("beta's client changed: %+v, %v", got, err)
		}
		site, err := db.Store.Staff(beta.Staff).Site(t.Context(), bc.ID, bs.ID)
		if err != nil || site.Name != "Beta site" {
			t.Fatalf("beta's site changed: %+v, %v", site, err)
		}
		admin, err := db.Store.StaffUser(t.Context(), beta.Company.ID, beta.Admin.ID)
		if err != nil || admin.Name != beta.Admin.Name {
			t.Fatalf("beta's admin changed: %+v, %v", admin, err)
		}

		b := s.NewClient(t)
		b.SignIn("beta", "admin@beta.test")
		wantBody(t, b.Get(cb), "Beta Secret s.r.o.")
	})
}
