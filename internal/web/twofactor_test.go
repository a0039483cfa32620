package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/auth"
	"portico/internal/testenv"
)

var (
	secretRE   = regexp.MustCompile(`data-totp-secret>([A-Z2-7 ]+)</code>`)
	recoveryRE = regexp.MustCompile(`<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>`)
)

// realCode is the authenticator app's code for the secret at the server's clock.
func realCode(t *testing.T, db *testenv.DB, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, db.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrolThroughPages sets up two-factor sign-in on the account security page at
// base as the signed-in client c, with a code computed from the secret the page
// shows, and returns the secret and the recovery codes shown once.
func enrolThroughPages(t *testing.T, db *testenv.DB, c *testenv.Client, base string) (string, []string) {
	t.Helper()
	wantBody(t, c.Get(base), "Set up two-factor sign-in")
	r := c.Post(base+"/setup", nil)
	wantStatus(t, r, http.StatusSeeOther)
	page := c.Get(base)
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, `src="data:image/png;base64,`, `name="code"`)
	m := secretRE.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no secret on the set-up page:\n%s", page.Body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")

	wrong := c.Post(base+"/confirm", url.Values{"code": {"000000"}})
	wantStatus(t, wrong, http.StatusUnprocessableEntity)
	wantBody(t, wrong, `id="e-code"`, "The code is not correct.", secret[:4])

	done := c.Post(base+"/confirm", url.Values{"code": {realCode(t, db, secret)}})
	wantStatus(t, done, http.StatusOK)
	wantBody(t, done, "Store these codes somewhere safe")
	var codes []string
	for _, m := range recoveryRE.FindAllStringSubmatch(done.Body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown, want 10", len(codes))
	}
	dontWantBody(t, c.Get(base), codes[0]) // shown once
	db.Clock.Advance(auth.TOTPPeriod * time.Second)
	return secret, codes
}

// staffPasswordStep posts the right password and wants to be sent to the code
// step, without a session.
func staffPasswordStep(t *testing.T, c *testenv.Client, slug, email string) {
	t.Helper()
	r := c.Post("/app/login", url.Values{"company": {slug}, "email": {email}, "password": {testenv.Password}, "next": {"/app/clients"}})
	wantStatus(t, r, http.StatusSeeOther)
	if !strings.HasPrefix(r.Location, "/app/login/code") {
		t.Fatalf("after the password: location %q, want the code step", r.Location)
	}
	if got := cookie(c, "portico_staff"); got != "" {
		t.Fatalf("a session cookie before the code: %q", got)
	}
	wantStatus(t, c.Get("/app/clients"), http.StatusSeeOther)
	wantBody(t, c.Get(r.Location), `name="code"`, "Two-factor sign-in")
}

func postCode(c *testenv.Client, code string) *testenv.Response {
	return c.Post("/app/login/code", url.Values{"code": {code}, "next": {"/app/clients"}})
}

// TestTwoFactorStaff enrols through the security page and signs in with
// password and a real code; a replayed code, a used recovery code and too many
// wrong codes are refused; a company's requirement sends staff to enrol first.
func TestTwoFactorStaff(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		admin := s.NewClient(t)
		admin.SignIn("acme", "admin@acme.test")
		wantBody(t, admin.Get("/app/clients"), `href="/app/account/security"`)
		secret, codes := enrolThroughPages(t, db, admin, "/app/account/security")

		var used string
		t.Run("password, then a real code", func(t *testing.T) {
			c := s.NewClient(t)
			staffPasswordStep(t, c, "acme", "admin@acme.test")
			wrong := postCode(c, "12345")
			wantStatus(t, wrong, http.StatusUnauthorized)
			wantBody(t, wrong, "The code is not correct.")
			used = realCode(t, db, secret)
			r := postCode(c, used)
			wantStatus(t, r, http.StatusSeeOther)
			if r.Location != "/app/clients" {
				t.Fatalf("after the code: location %q", r.Location)
			}
			wantStatus(t, c.Get("/app/clients"), http.StatusOK)
		})

		t.Run("a code replayed within its window is refused", func(t *testing.T) {
			c := s.NewClient(t)
			staffPasswordStep(t, c, "acme", "admin@acme.test")
			r := postCode(c, used)
			wantStatus(t, r, http.StatusUnauthorized)
			wantBody(t, r, "The code is not correct.")
			wantStatus(t, c.Get("/app/clients"), http.StatusSeeOther)
		})

		t.Run("a recovery code works once", func(t *testing.T) {
			c := s.NewClient(t)
			staffPasswordStep(t, c, "acme", "admin@acme.test")
			wantStatus(t, postCode(c, codes[0]), http.StatusSeeOther)
			again := s.NewClient(t)
			staffPasswordStep(t, again, "acme", "admin@acme.test")
			wantStatus(t, postCode(again, codes[0]), http.StatusUnauthorized)
			wantBody(t, c.Get("/app/account/security"), `data-codes-left>9<`)
		})

		t.Run("wrong codes hit the sign-in rate limit", func(t *testing.T) {
			db.Clock.Advance(auth.FailureWindow + time.Minute)
			c := s.NewClient(t)
			staffPasswordStep(t, c, "acme", "admin@acme.test")
			for range auth.MaxFailsAccount {
				wantStatus(t, postCode(c, "999999"), http.StatusUnauthorized)
			}
			r := postCode(c, realCode(t, db, secret))
			wantStatus(t, r, http.StatusTooManyRequests)
			wantBody(t, r, "Too many failed sign-in attempts")
			db.Clock.Advance(auth.FailureWindow + time.Minute)
		})

		t.Run("the company requires two-factor of all staff", func(t *testing.T) {
			worker := db.StaffUser(t, tn, "worker@acme.test", access.ClientsManage)
			r := admin.Post("/app/settings", url.Values{"team_label": {""}, "two_factor_form": {"1"}, "require_two_factor": {"1"}})
			wantStatus(t, r, http.StatusSeeOther)
			wantBody(t, admin.Get("/app/audit"), "company.require_two_factor")

			c := s.NewClient(t)
			c.SignIn("acme", worker.Email)
			r = c.Get("/app/clients")
			wantStatus(t, r, http.StatusSeeOther)
			if r.Location != "/app/account/security" {
				t.Fatalf("unenrolled member sent to %q", r.Location)
			}
			wantStatus(t, c.Post("/app/clients", url.Values{"name": {"Sneaky s.r.o."}}), http.StatusForbidden)
			wantBody(t, c.Get("/app/account/security"), "Your company requires two-factor sign-in.")
			enrolThroughPages(t, db, c, "/app/account/security")
			wantStatus(t, c.Get("/app/clients"), http.StatusOK)
			r = c.Post("/app/account/security/disable", url.Values{"confirm": {testenv.Password}})
			wantStatus(t, r, http.StatusForbidden)
			wantBody(t, r, "cannot be turned off")

			// An administrator resets the member's second factor: audited, and
			// the member must enrol again.
			r = admin.Post("/app/users/"+itoa(worker.ID)+"/two-factor/reset", nil)
			wantStatus(t, r, http.StatusSeeOther)
			wantBody(t, admin.Get("/app/audit"), "staff.two_factor_reset", worker.Email)
			wantStatus(t, c.Get("/app/clients"), http.StatusSeeOther)
		})
	})
}

// TestTwoFactorPortal enrols a portal user on the portal's security page, signs
// in with password and a real code, and has staff reset it, audited.
func TestTwoFactorPortal(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		other := db.Tenant(t, "other")
		client := db.Client(t, tn, "ABC s.r.o.")
		u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "Peter", LastName: "Novák", Email: "peter@abc.test", ClientIDs: []int64{client.ID}})
		hash := testenv.PasswordHash(t, testenv.Password)
		if err := db.Store.SetPortalPassword(t.Context(), tn.Company.ID, u.ID, hash); err != nil {
			t.Fatal(err)
		}
		p := wantPortalSignIn(t, s, "acme", u.Email, testenv.Password)
		// The header leads to the Account page, and that to Account security.
		wantBody(t, p.Get("/portal/acme/"), `href="/portal/acme/account"`)
		wantBody(t, p.Get("/portal/acme/account"), `href="/portal/acme/account/security"`)
		secret, _ := enrolThroughPages(t, db, p, "/portal/acme/account/security")

		t.Run("password, then a real code", func(t *testing.T) {
			c := s.NewClient(t)
			r := portalSignIn(c, "acme", u.Email, testenv.Password)
			wantStatus(t, r, http.StatusSeeOther)
			if !strings.HasPrefix(r.Location, "/portal/acme/login/code") {
				t.Fatalf("after the password: location %q", r.Location)
			}
			wantStatus(t, c.Get("/portal/acme/"), http.StatusSeeOther)
			wantBody(t, c.Get(r.Location), `name="code"`)
			r = c.Post("/portal/acme/login/code", url.Values{"code": {realCode(t, db, secret)}})
			wantStatus(t, r, http.StatusSeeOther)
			if r.Location != "/portal/acme/" {
				t.Fatalf("after the code: location %q", r.Location)
			}
			wantStatus(t, c.Get("/portal/acme/"), http.StatusOK)
		})

		t.Run("staff reset it, audited; others may not", func(t *testing.T) {
			reader := db.StaffUser(t, tn, "reader@acme.test")
			rc := s.NewClient(t)
			rc.SignIn("acme", reader.Email)
			wantStatus(t, rc.Post("/app/portal-users/"+itoa(u.ID)+"/two-factor/reset", nil), http.StatusForbidden)
			oc := s.NewClient(t)
			oc.SignIn("other", other.Admin.Email)
			wantStatus(t, oc.Post("/app/portal-users/"+itoa(u.ID)+"/two-factor/reset", nil), http.StatusNotFound)

			staff := s.NewClient(t)
			staff.SignIn("acme", "admin@acme.test")
			wantBody(t, staff.Get("/app/portal-users/"+itoa(u.ID)+"/edit"), "Reset two-factor sign-in", `data-open-dialog="reset-2fa"`)
			wantStatus(t, staff.Post("/app/portal-users/"+itoa(u.ID)+"/two-factor/reset", nil), http.StatusSeeOther)
			wantBody(t, staff.Get("/app/audit"), "portal.two_factor_reset", u.Email, tn.Admin.Name)
			// The next sign-in needs the password alone.
			wantPortalSignIn(t, s, "acme", u.Email, testenv.Password)
		})
	})
}
