package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portico/internal/testenv"
)

func TestStaffUsers(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		db.Tenant(t, "acme")
		admin := s.NewClient(t)
		admin.SignIn("acme", "admin@acme.test")

		t.Run("add: bad input is named, password is never echoed", func(t *testing.T) {
			r := admin.Post("/app/users", url.Values{"name": {"Tomáš"}, "email": {"tomas"}, "password": {"short"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, `value="Tomáš"`)
			dontWantBody(t, r, `value="short"`)
			r = admin.Post("/app/users", url.Values{"name": {"Tomáš"}, "email": {"tomas@acme.test"}, "password": {"1234567890"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, "too common")
			r = admin.Post("/app/users", url.Values{"name": {"Tomáš"}, "email": {"admin@acme.test"}, "password": {testenv.Password}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, "already exists")
		})

		t.Run("add with permissions; the new user signs in with exactly those", func(t *testing.T) {
			r := admin.Post("/app/users", url.Values{"name": {"Tomáš Technik"}, "email": {"tomas@acme.test"},
				"password": {testenv.Password}, "permissions": {"clients.manage"}})
			wantStatus(t, r, http.StatusSeeOther)
			list := admin.Get("/app/users")
			wantBody(t, list, "Tomáš Technik", "tomas<wbr>@acme.test", "Manage clients")
			tomas := s.NewClient(t)
			tomas.SignIn("acme", "tomas@acme.test")
			wantStatus(t, tomas.Get("/app/clients/new"), http.StatusOK)
			r = tomas.Get("/app/users")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "Portal users")
			dontWantBody(t, r, "admin@acme.test", `href="/app/users/new"`)
			r = tomas.Get("/app/users/new")
			wantStatus(t, r, http.StatusForbidden)
			wantBody(t, r, "“Manage staff” permission")
			dontWantBody(t, tomas.Get("/app/clients"), `href="/app/audit"`)
		})

		uid := regexp.MustCompile(`/app/users/(\d+)/edit" title="Edit Tomáš`).FindStringSubmatch(admin.Get("/app/users").Body)
		if uid == nil {
			t.Fatal("no edit link for Tomáš")
		}
		tomasPath := "/app/users/" + uid[1]

		t.Run("edit permissions takes effect at once", func(t *testing.T) {
			tomas := s.NewClient(t)
			tomas.SignIn("acme", "tomas@acme.test")
			wantStatus(t, admin.Post(tomasPath, url.Values{"name": {"Tomáš Technik"}, "enabled": {"1"}}), http.StatusSeeOther)
			wantStatus(t, tomas.Get("/app/clients/new"), http.StatusForbidden)
			wantStatus(t, tomas.Get("/app/clients"), http.StatusOK)
		})

		t.Run("disable ends the user's sessions", func(t *testing.T) {
			tomas := s.NewClient(t)
			tomas.SignIn("acme", "tomas@acme.test")
			wantStatus(t, admin.Post(tomasPath, url.Values{"name": {"Tomáš Technik"}}), http.StatusSeeOther)
			wantStatus(t, tomas.Get("/app/clients"), http.StatusSeeOther)
			wantBody(t, admin.Get("/app/users"), "Disabled")
		})

		t.Run("the last administrator cannot lock the company out", func(t *testing.T) {
			adminID := regexp.MustCompile(`/app/users/(\d+)/edit" title="Edit Admin`).FindStringSubmatch(admin.Get("/app/users").Body)
			if adminID == nil {
				t.Fatal("no edit link for the admin")
			}
			r := admin.Post("/app/users/"+adminID[1], url.Values{"name": {"Admin acme"}, "enabled": {"1"}, "permissions": {"clients.manage"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, "last administrator")
			r = admin.Post("/app/users/"+adminID[1], url.Values{"name": {"Admin acme"}, "permissions": {"users.manage"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantStatus(t, admin.Get("/app/users"), http.StatusOK)
		})

		t.Run("password link: shown once, opens a form, works once", func(t *testing.T) {
			r := admin.Post(tomasPath+"/password-link", nil)
			wantStatus(t, r, http.StatusOK)
			m := regexp.MustCompile(`http://[^<"\s]+/app/password/([A-Za-z0-9_-]{43})`).FindStringSubmatch(r.Body)
			if m == nil {
				t.Fatal("no link on the page")
			}
			if !strings.HasPrefix(m[0], s.URL) {
				t.Fatalf("link %q not built from the base URL %q", m[0], s.URL)
			}
			link := "/app/password/" + m[1]
			u := s.NewClient(t)
			form := u.Get(link)
			wantStatus(t, form, http.StatusOK)
			wantBody(t, form, "tomas@acme.test")
			wantStatus(t, u.Get(link), http.StatusOK) // opening again uses nothing up
			r = u.Post(link, url.Values{"password": {"new secret words"}, "password_confirm": {"other words here"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, "do not match")
			r = u.Post(link, url.Values{"password": {"qwertyuiop"}, "password_confirm": {"qwertyuiop"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, "too common")
			r = u.Post(link, url.Values{"password": {"new secret words"}, "password_confirm": {"new secret words"}})
			wantStatus(t, r, http.StatusSeeOther)
			r = s.NewClient(t).Post(link, url.Values{"password": {"another secret"}, "password_confirm": {"another secret"}})
			wantStatus(t, r, http.StatusGone)
			wantBody(t, r, "no longer valid")
			wantStatus(t, s.NewClient(t).Get(link), http.StatusGone)
		})

		t.Run("audit log records the changes", func(t *testing.T) {
			r := admin.Get("/app/audit")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "staff.create", "staff.update", "tomas@acme.test")
		})
	})
}
