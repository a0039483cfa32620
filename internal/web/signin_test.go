package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/store"
	"portico/internal/testenv"
)

func TestStaffSignIn(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		db.Tenant(t, "acme")
		db.Tenant(t, "other")

		t.Run("the same answer for every wrong credential", func(t *testing.T) {
			for _, tc := range []struct{ name, company, email, password string }{
				{"wrong password", "acme", "admin@acme.test", "wrong password!"},
				{"unknown email", "acme", "nobody@acme.test", testenv.Password},
				{"unknown company", "nope", "admin@acme.test", testenv.Password},
				{"user of another company", "acme", "admin@other.test", testenv.Password},
			} {
				t.Run(tc.name, func(t *testing.T) {
					c := s.NewClient(t)
					r := c.Post("/app/login", url.Values{"company": {tc.company}, "email": {tc.email}, "password": {tc.password}})
					wantStatus(t, r, http.StatusUnauthorized)
					wantBody(t, r, "The email or password is not correct.", `value="`+tc.email+`"`)
					dontWantBody(t, r, tc.password)
				})
			}
		})

		t.Run("missing fields are named next to the field", func(t *testing.T) {
			r := s.NewClient(t).Post("/app/login", url.Values{"company": {"acme"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, "Email is required.", "Password is required.")
		})

		t.Run("a new session at every sign-in; the old one ends", func(t *testing.T) {
			c := s.NewClient(t)
			c.SignIn("acme", "admin@acme.test")
			first := cookie(c, "portico_staff")
			c.SignIn("acme", "admin@acme.test")
			second := cookie(c, "portico_staff")
			if first == "" || first == second {
				t.Fatalf("session token not renewed: %q → %q", first, second)
			}
			old := s.NewClient(t)
			setCookie(old, "portico_staff", first)
			if r := old.Get("/app/clients"); r.Status != http.StatusSeeOther {
				t.Fatalf("old session still works: %d", r.Status)
			}
			wantStatus(t, c.Get("/app/clients"), http.StatusOK)
		})

		t.Run("session cookie is HttpOnly and SameSite=Lax", func(t *testing.T) {
			c := s.NewClient(t)
			r := c.Post("/app/login", url.Values{"company": {"acme"}, "email": {"admin@acme.test"}, "password": {testenv.Password}})
			sc := r.Header.Get("Set-Cookie")
			for _, want := range []string{"portico_staff=", "HttpOnly", "SameSite=Lax", "Path=/"} {
				if !strings.Contains(strings.Join(r.Header.Values("Set-Cookie"), "\n"), want) {
					t.Errorf("Set-Cookie lacks %q: %s", want, sc)
				}
			}
		})

		t.Run("sign-out ends the session", func(t *testing.T) {
			c := s.NewClient(t)
			c.SignIn("acme", "admin@acme.test")
			token := cookie(c, "portico_staff")
			wantStatus(t, c.Post("/app/logout", nil), http.StatusSeeOther)
			again := s.NewClient(t)
			setCookie(again, "portico_staff", token)
			if r := again.Get("/app/clients"); r.Status != http.StatusSeeOther {
				t.Fatalf("session alive after sign-out: %d", r.Status)
			}
		})

		t.Run("rate limited per account", func(t *testing.T) {
			db.StaffUser(t, mustTenant(t, db, "acme"), "victim@acme.test")
			c := s.NewClient(t)
			for range 5 {
				wantStatus(t, c.Post("/app/login", url.Values{"company": {"acme"}, "email": {"victim@acme.test"}, "password": {"guess guess guess"}}), http.StatusUnauthorized)
			}
			r := c.Post("/app/login", url.Values{"company": {"acme"}, "email": {"victim@acme.test"}, "password": {testenv.Password}})
			wantStatus(t, r, http.StatusTooManyRequests)
			wantBody(t, r, "Too many failed sign-in attempts")
			db.Clock.Advance(16 * 60e9)
			wantStatus(t, c.Post("/app/login", url.Values{"company": {"acme"}, "email": {"victim@acme.test"}, "password": {testenv.Password}}), http.StatusSeeOther)
		})

		t.Run("a disabled user cannot sign in and loses open sessions", func(t *testing.T) {
			tn := mustTenant(t, db, "acme")
			u := db.StaffUser(t, tn, "leaver@acme.test")
			c := s.NewClient(t)
			c.SignIn("acme", "leaver@acme.test")
			disabled := true
			if _, err := db.Store.Staff(tn.Staff).UpdateStaffUser(t.Context(), u.ID, store.StaffUpdate{Disabled: &disabled}); err != nil {
				t.Fatal(err)
			}
			wantStatus(t, c.Get("/app/clients"), http.StatusSeeOther)
			r := s.NewClient(t).Post("/app/login", url.Values{"company": {"acme"}, "email": {"leaver@acme.test"}, "password": {testenv.Password}})
			wantStatus(t, r, http.StatusUnauthorized)
		})

		// Browsers drop tabs inside a URL and read a backslash as a slash, so the
		// last two would reach evil.test as "//evil.test/x".
		for _, next := range []string{"//evil.test/x", "/\t/evil.test/x", "/./\\evil.test/x"} {
			t.Run("next stays on this site: "+strconv.Quote(next), func(t *testing.T) {
				c := s.NewClient(t)
				r := c.Post("/app/login", url.Values{"company": {"acme"}, "email": {"admin@acme.test"}, "password": {testenv.Password}, "next": {next}})
				wantStatus(t, r, http.StatusSeeOther)
				if r.Location != "/app/" {
					t.Fatalf("redirected to %q", r.Location)
				}
			})
		}
	})
}

func TestSecurityHeadersAndCrossOrigin(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	s := testenv.StartServer(t, db)
	db.Tenant(t, "acme")
	c := s.NewClient(t)
	for _, path := range []string{"/app/login", "/nope", "/healthz"} {
		r := c.Get(path)
		for h, want := range map[string]string{
			"Content-Security-Policy": "frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
			"X-Frame-Options":         "DENY",
		} {
			if !strings.Contains(r.Header.Get(h), want) {
				t.Errorf("%s: %s = %q, want %q", path, h, r.Header.Get(h), want)
			}
		}
	}
	c.SignIn("acme", "admin@acme.test")
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/app/clients", strings.NewReader("name=Forged"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	r := c.Do(req)
	wantStatus(t, r, http.StatusForbidden)
	req, _ = http.NewRequest(http.MethodPost, s.URL+"/app/clients", strings.NewReader("name=Forged"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.test")
	wantStatus(t, c.Do(req), http.StatusForbidden)
	list := c.Get("/app/clients")
	dontWantBody(t, list, "Forged")

	t.Run("health", func(t *testing.T) {
		wantStatus(t, c.Get("/healthz"), http.StatusOK)
		wantStatus(t, c.Get("/readyz"), http.StatusOK)
	})
	t.Run("a body over 1 MiB is refused", func(t *testing.T) {
		r := c.Post("/app/clients", url.Values{"name": {strings.Repeat("x", 2<<20)}})
		wantStatus(t, r, http.StatusRequestEntityTooLarge)
	})
}

func mustTenant(t *testing.T, db *testenv.DB, slug string) *testenv.Tenant {
	t.Helper()
	c, err := db.Store.CompanyBySlug(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := db.Store.StaffCredentials(t.Context(), c.ID, "admin@"+slug+".test")
	if err != nil {
		t.Fatal(err)
	}
	return &testenv.Tenant{Company: c, Admin: admin, Staff: access.NewStaff(admin)}
}

func cookie(c *testenv.Client, name string) string {
	for _, ck := range c.Cookies() {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

func setCookie(c *testenv.Client, name, value string) {
	c.SetCookies([]*http.Cookie{{Name: name, Value: value, Path: "/"}})
}
