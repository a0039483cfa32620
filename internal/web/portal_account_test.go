package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/domain"
	"portico/internal/testenv"
)

// getWithLanguage requests path with the browser's Accept-Language header.
func getWithLanguage(t *testing.T, c *testenv.Client, path, acceptLanguage string) *testenv.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.BaseURL().String()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	return c.Do(req)
}

// accountUser makes a portal user of a new client of the tenant, with no name (as
// invited from a client card) and the password pw, and a client signed in as them.
func accountUser(t *testing.T, db *testenv.DB, srv *testenv.Server, tn *testenv.Tenant, email, pw string) (*domain.PortalUser, *testenv.Client) {
	t.Helper()
	c := db.Client(t, tn, "Client of "+email)
	staff := srv.NewClient(t)
	staff.SignIn(tn.Company.Slug, tn.Admin.Email)
	wantStatus(t, invite(staff, c.ID, "other", email), http.StatusSeeOther)
	u, _, err := db.Store.PortalCredentials(context.Background(), tn.Company.ID, email)
	if err != nil {
		t.Fatal(err)
	}
	if u.FirstName != "" {
		t.Fatalf("invited from the client card with a name: %+v", u)
	}
	hash := testenv.PasswordHash(t, pw)
	if err := db.Store.SetPortalPassword(context.Background(), tn.Company.ID, u.ID, hash); err != nil {
		t.Fatal(err)
	}
	return u, srv.PortalClient(t, tn, u)
}

// The portal's Account page: a user invited without a name gives it there (the
// header shows the email until then), changes the password only with the current
// one, and chooses a language that the next page speaks; a form from another
// site is refused, and nothing in the form can reach another user's account.
func TestPortalAccount(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		const pw, pw2 = "first long password", "second long password"
		u, c := accountUser(t, db, srv, tn, "jana@abc.test", pw)
		other, oc := accountUser(t, db, srv, tn, "peter@abc.test", pw)
		base := "/portal/acme/account"

		t.Run("without a name the header shows the email and the page asks for it", func(t *testing.T) {
			home := c.Get("/portal/acme/")
			wantStatus(t, home, http.StatusOK)
			wantBody(t, home, `href="/portal/acme/account"`, "jana@abc.test")
			page := c.Get(base)
			wantStatus(t, page, http.StatusOK)
			wantBody(t, page, `id="name-missing"`, `name="first_name"`, `name="current_password"`, `name="locale"`, "Slovenčina")
		})

		t.Run("the name is saved and shown in the header", func(t *testing.T) {
			resp := c.Post(base, url.Values{"first_name": {"Jana"}, "last_name": {"Kováčová"}, "locale": {""}})
			wantStatus(t, resp, http.StatusSeeOther)
			page := c.Get(base)
			wantBody(t, page, "Your account is saved.", "Jana Kováčová")
			dontWantBody(t, page, `id="name-missing"`)
		})

		t.Run("a first name is required", func(t *testing.T) {
			resp := c.Post(base, url.Values{"first_name": {"  "}, "last_name": {"K"}})
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "First name is required.", `value="K"`)
		})

		t.Run("the language is saved and the next page speaks it", func(t *testing.T) {
			resp := c.Post(base, url.Values{"first_name": {"Jana"}, "last_name": {"Kováčová"}, "locale": {"sk"}})
			wantStatus(t, resp, http.StatusSeeOther)
			page := getWithLanguage(t, c, base, "en")
			wantBody(t, page, `<html lang="sk">`, "Váš účet bol uložený.", "Zmeniť heslo")
			home := getWithLanguage(t, c, "/portal/acme/", "en")
			wantBody(t, home, `<html lang="sk">`, "Prehľad")
			// Back to no choice: the browser's language again.
			c.Post(base, url.Values{"first_name": {"Jana"}, "locale": {""}})
			wantBody(t, getWithLanguage(t, c, base, "en-GB,en;q=0.9"), `<html lang="en">`)
		})

		t.Run("an unknown language is refused", func(t *testing.T) {
			resp := c.Post(base, url.Values{"first_name": {"Jana"}, "locale": {"de"}})
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "Choose one of the offered values.")
		})

		t.Run("the password changes only with the current one", func(t *testing.T) {
			resp := c.Post(base+"/password", url.Values{"current_password": {"wrong password here"}, "password": {pw2}, "password_confirm": {pw2}})
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "The current password is not correct.")
			dontWantBody(t, resp, pw2)
			resp = c.Post(base+"/password", url.Values{"current_password": {pw}, "password": {pw2}, "password_confirm": {"something else"}})
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "The two passwords do not match.")
			resp = c.Post(base+"/password", url.Values{"current_password": {pw}, "password": {"short"}, "password_confirm": {"short"}})
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "Use at least 10 characters.")
			wantPortalSignIn(t, srv, "acme", u.Email, pw)

			elsewhere := srv.PortalClient(t, tn, u)
			resp = c.Post(base+"/password", url.Values{"current_password": {pw}, "password": {pw2}, "password_confirm": {pw2}})
			wantStatus(t, resp, http.StatusSeeOther)
			wantBody(t, c.Get(base), "Your password is changed.") // this browser stays signed in
			wantSignedOut(t, elsewhere, "acme")                   // every other session ends
			wantPortalSignIn(t, srv, "acme", u.Email, pw2)
			if r := portalSignIn(srv.NewClient(t), "acme", u.Email, pw); r.Status == http.StatusSeeOther {
				t.Error("the old password still signs in")
			}
		})

		t.Run("a form from another site is refused", func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, c.BaseURL().String()+base, strings.NewReader(url.Values{"first_name": {"Mallory"}}.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			wantStatus(t, c.Do(req), http.StatusForbidden)
			dontWantBody(t, c.Get(base), "Mallory")
		})

		t.Run("another user's account cannot be touched", func(t *testing.T) {
			// The form has no user id: whatever is sent, only the session's user changes.
			resp := c.Post(base, url.Values{"first_name": {"Jana"}, "id": {itoa(other.ID)}, "user_id": {itoa(other.ID)}, "locale": {"sk"}})
			wantStatus(t, resp, http.StatusSeeOther)
			page := oc.Get(base)
			wantBody(t, page, `id="name-missing"`, `<html lang="en">`)
			dontWantBody(t, page, "Jana")
			wantStatus(t, srv.NewClient(t).Get(base), http.StatusSeeOther) // signed out: to the sign-in page
		})
	})
}

// The staff member's own language and the tenant's portal language.
func TestStaffLanguage(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		staff := srv.NewClient(t)
		staff.SignIn("acme", tn.Admin.Email)
		_, pc := accountUser(t, db, srv, tn, "jana@abc.test", "first long password")

		wantBody(t, staff.Get("/app/clients"), `<html lang="en">`)
		wantStatus(t, staff.Post("/app/account/language", url.Values{"locale": {"sk"}}), http.StatusSeeOther)
		wantBody(t, staff.Get("/app/account/security"), "Váš jazyk bol uložený.")
		wantBody(t, staff.Get("/app/clients"), `<html lang="sk">`, "Klienti")

		// The tenant's portal language: for portal users whose browser asks for none we speak.
		wantBody(t, getWithLanguage(t, pc, "/portal/acme/", "de"), `<html lang="en">`)
		wantStatus(t, staff.Post("/app/settings", url.Values{"team_label": {""}, "locale": {"sk"}}), http.StatusSeeOther)
		wantBody(t, getWithLanguage(t, pc, "/portal/acme/", "de"), `<html lang="sk">`)
		wantBody(t, getWithLanguage(t, pc, "/portal/acme/", "en"), `<html lang="en">`) // the browser wins over the tenant

		// Back to the company's language: the staff app follows the tenant.
		wantStatus(t, staff.Post("/app/account/language", url.Values{"locale": {""}}), http.StatusSeeOther)
		wantStatus(t, staff.Post("/app/settings", url.Values{"team_label": {""}, "locale": {"en"}}), http.StatusSeeOther)
		wantBody(t, staff.Get("/app/clients"), `<html lang="en">`)
		wantStatus(t, staff.Post("/app/account/language", url.Values{"locale": {"xx"}}), http.StatusBadRequest)
	})
}
