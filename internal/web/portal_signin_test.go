package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/testenv"
)

// One-time links work once, for their tenant only, for a limited time, and never
// show up in the server's log; of fifty simultaneous submissions of one link,
// exactly one sets the password.
func TestPortalLinks(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		var log testenv.LogBuffer
		r := rigOn(t, db, testenv.StartServerWith(t, db, testenv.ServerOptions{Log: &log}))
		db.Tenant(t, "beta")
		var tokens []string // every link the test saw, to look for in the log
		clients := 0
		// inviteLink invites the email to a client of its own (a client takes
		// only five users) and returns the link the invitation brings.
		inviteLink := func(t *testing.T, email string) string {
			t.Helper()
			clients++
			c := r.client(t, "Client "+itoa(int64(clients)), "", "")
			wantInvited(t, r.staff, invite(r.staff, c.ID, "other", email), c.ID)
			r.deliver()
			link := r.invitationLink(t, r.mail.Last(email), c.Name)
			tokens = append(tokens, link[strings.LastIndex(link, "/")+1:])
			return link
		}
		setPassword := func(c *testenv.Client, link, pw string) *testenv.Response {
			return c.Post(link, url.Values{"password": {pw}})
		}

		t.Run("a used link tells to ask for a new one", func(t *testing.T) {
			link := inviteLink(t, "used@abc.test")
			followLink(t, r.srv, link, "used@abc.test", pwOffice)
			c := r.srv.NewClient(t)
			for _, resp := range []*testenv.Response{c.Get(link), setPassword(c, link, pwAnother)} {
				wantStatus(t, resp, http.StatusGone)
				wantBody(t, resp, "This link is no longer valid", "Ask Company acme to send you a new invitation",
					`href="/portal/acme/forgot"`, `href="/portal/acme/login"`)
			}
			wantPortalSignIn(t, r.srv, "acme", "used@abc.test", pwOffice)
		})

		t.Run("the form refuses a weak password and keeps the link", func(t *testing.T) {
			link := inviteLink(t, "careful@abc.test")
			c := r.srv.NewClient(t)
			resp := setPassword(c, link, "short")
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "Use at least 10 characters.")
			resp = setPassword(c, link, "1234567890")
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "too common")
			dontWantBody(t, resp, "1234567890") // a refused password is not sent back
			followLink(t, r.srv, link, "careful@abc.test", pwOffice)
		})

		t.Run("a link of one tenant is not valid under another's address", func(t *testing.T) {
			link := inviteLink(t, "cross@abc.test")
			foreign := strings.Replace(link, "/portal/acme/", "/portal/beta/", 1)
			c := r.srv.NewClient(t)
			wantStatus(t, c.Get(foreign), http.StatusGone)
			wantStatus(t, setPassword(c, foreign, pwAnother), http.StatusGone)
			wantSignedOut(t, c, "beta")
			// Nothing was used up: the link still works where it belongs.
			followLink(t, r.srv, link, "cross@abc.test", pwOffice)
		})

		t.Run("an activation link is no reset link, and only those two are link pages", func(t *testing.T) {
			link := inviteLink(t, "kinds@abc.test")
			c := r.srv.NewClient(t)
			wantStatus(t, c.Get(strings.Replace(link, "/activate/", "/reset/", 1)), http.StatusGone)
			wantStatus(t, c.Get("/portal/acme/foo/"+strings.Repeat("x", 43)), http.StatusNotFound)
			wantStatus(t, c.Post("/portal/acme/foo/"+strings.Repeat("x", 43), nil), http.StatusNotFound)
			followLink(t, r.srv, link, "kinds@abc.test", pwOffice)
		})

		t.Run("fifty simultaneous submissions of one link: exactly one succeeds", func(t *testing.T) {
			link := inviteLink(t, "race@abc.test")
			const n = 50
			statuses := make([]int, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					req, err := http.NewRequest(http.MethodPost, r.srv.URL+link,
						strings.NewReader(url.Values{"password": {pwAnother}, "password_confirm": {pwAnother}}.Encode()))
					if err != nil {
						t.Error(err)
						return
					}
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Sec-Fetch-Site", "same-origin")
					hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
					<-start
					resp, err := hc.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					statuses[i] = resp.StatusCode
				})
			}
			close(start)
			wg.Wait()
			count := map[int]int{}
			for _, s := range statuses {
				count[s]++
			}
			if count[http.StatusSeeOther] != 1 || count[http.StatusGone] != n-1 {
				t.Fatalf("statuses of %d submissions: %v; want one 303 and %d × 410", n, count, n-1)
			}
			wantPortalSignIn(t, r.srv, "acme", "race@abc.test", pwAnother)
		})

		t.Run("an activation link expires after seven days", func(t *testing.T) {
			link := inviteLink(t, "late@abc.test")
			c := r.srv.NewClient(t)
			r.db.Clock.Advance(7*24*time.Hour - time.Minute)
			wantStatus(t, c.Get(link), http.StatusOK)
			r.db.Clock.Advance(2 * time.Minute)
			resp := c.Get(link)
			wantStatus(t, resp, http.StatusGone)
			wantBody(t, resp, "This link is no longer valid", "Ask Company acme to send you a new invitation")
			wantStatus(t, setPassword(c, link, pwOffice), http.StatusGone)

			// Staff send a new one, which works.
			r.staff.SignIn("acme", "admin@acme.test") // a week later the staff session is gone too
			followLink(t, r.srv, inviteLink(t, "late@abc.test"), "late@abc.test", pwOffice)
		})

		t.Run("tokens never appear in the log", func(t *testing.T) {
			text := log.String()
			if !strings.Contains(text, "/portal/acme/activate/[redacted]") {
				t.Fatalf("the captured log has no redacted link request; is Info logging captured?\n%s", text)
			}
			if len(tokens) < 5 {
				t.Fatalf("only %d links seen", len(tokens))
			}
			for _, tok := range tokens {
				if strings.Contains(text, tok) {
					t.Errorf("the log contains the token %s", tok)
				}
			}
		})
	})
}

// Portal sign-in answers the same for a wrong password and an unknown email, is
// rate limited, and "Forgot password?" answers the same whether or not the
// account exists and whether or not mail can be sent right now.
func TestPortalSignIn(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newPortalRig(t, db)
		abc := r.client(t, "ABC s.r.o.", "owner@abc.test", "")
		wantInvited(t, r.staff, invite(r.staff, abc.ID, "main", ""), abc.ID)
		wantInvited(t, r.staff, invite(r.staff, abc.ID, "other", "limited@abc.test"), abc.ID)
		r.deliver()
		followLink(t, r.srv, r.invitationLink(t, r.mail.Last("owner@abc.test"), abc.Name), "owner@abc.test", pwOffice)

		t.Run("the sign-in page", func(t *testing.T) {
			resp := r.srv.NewClient(t).Get("/portal/acme/login")
			wantStatus(t, resp, http.StatusOK)
			wantBody(t, resp, "Company acme", `name="email"`, `name="password"`, `href="/portal/acme/forgot"`, "Forgot password?")
			wantStatus(t, r.srv.NewClient(t).Get("/portal/nope/login"), http.StatusNotFound)
		})

		t.Run("wrong password and unknown email get the same answer", func(t *testing.T) {
			wrong := portalSignIn(r.srv.NewClient(t), "acme", "owner@abc.test", "not-the-password")
			unknown := portalSignIn(r.srv.NewClient(t), "acme", "nobody@abc.test", pwOffice)
			for _, resp := range []*testenv.Response{wrong, unknown} {
				wantStatus(t, resp, http.StatusUnauthorized)
				wantBody(t, resp, "The email or password is not correct.")
				dontWantBody(t, resp, "not-the-password", pwOffice)
			}
			if a, b := strings.ReplaceAll(wrong.Body, "owner@abc.test", "X"), strings.ReplaceAll(unknown.Body, "nobody@abc.test", "X"); a != b {
				t.Errorf("the two answers differ beyond the typed email")
			}
		})

		t.Run("rate limited after five failures", func(t *testing.T) {
			for i := range 5 {
				resp := portalSignIn(r.srv.NewClient(t), "acme", "limited@abc.test", "wrong password "+itoa(int64(i)))
				wantStatus(t, resp, http.StatusUnauthorized)
			}
			resp := portalSignIn(r.srv.NewClient(t), "acme", "limited@abc.test", "wrong password 6")
			wantStatus(t, resp, http.StatusTooManyRequests)
			wantBody(t, resp, "Too many failed sign-in attempts")
			// Other accounts are not locked out.
			wantPortalSignIn(t, r.srv, "acme", "owner@abc.test", pwOffice)
		})

		t.Run("forgot password: the same answer for any email", func(t *testing.T) {
			c := r.srv.NewClient(t)
			wantStatus(t, c.Get("/portal/acme/forgot"), http.StatusOK)
			known := c.Post("/portal/acme/forgot", url.Values{"email": {"owner@abc.test"}})
			unknown := c.Post("/portal/acme/forgot", url.Values{"email": {"nobody@abc.test"}})
			for _, resp := range []*testenv.Response{known, unknown} {
				wantStatus(t, resp, http.StatusOK)
				wantBody(t, resp, "If an account exists for")
			}
			if a, b := strings.ReplaceAll(known.Body, "owner@abc.test", "X"), strings.ReplaceAll(unknown.Body, "nobody@abc.test", "X"); a != b {
				t.Errorf("the answers for a known and an unknown email differ")
			}
			before := len(r.mail.Sink.Messages())
			if n := r.deliver(); n != 1 {
				t.Fatalf("delivered %d, want one reset mail", n)
			}
			msgs := r.mail.Sink.Messages()[before:]
			if len(msgs) != 1 || msgs[0].Subject != subjectReset || strings.Join(msgs[0].To, ",") != "owner@abc.test" {
				t.Fatalf("mails after forgot password: %+v", msgs)
			}
		})

		t.Run("forgot password while SMTP is down; the mail goes to the stored address", func(t *testing.T) {
			r.mail.Sink.Stop()
			resp := r.srv.NewClient(t).Post("/portal/acme/forgot", url.Values{"email": {"  OWNER@ABC.test "}})
			wantStatus(t, resp, http.StatusOK)
			wantBody(t, resp, "If an account exists for")
			before := len(r.mail.Sink.Messages())
			if n := r.deliver(); n != 0 {
				t.Fatalf("delivered %d with SMTP down", n)
			}
			r.mail.Sink.Start()
			r.db.Clock.Advance(2 * time.Minute)
			if n := r.deliver(); n != 1 {
				t.Fatalf("delivered %d once SMTP was back, want 1", n)
			}
			m := r.mail.Sink.Messages()[before]
			if strings.Join(m.To, ",") != "owner@abc.test" || !strings.Contains(string(m.Raw), "owner@abc.test") || strings.Contains(string(m.Raw), "OWNER@ABC") {
				t.Fatalf("the reset went to %v, want the stored owner@abc.test", m.To)
			}
			link := r.mailLink(t, m, "acme", "reset", "Set a new password")
			c := followLink(t, r.srv, link, "owner@abc.test", pwNew)
			wantPortalHome(t, c, "acme", []string{"ABC s.r.o."})
		})

		t.Run("links come from the base URL, not from the request's Host", func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, r.srv.URL+"/portal/acme/forgot", strings.NewReader("email=owner%40abc.test"))
			if err != nil {
				t.Fatal(err)
			}
			req.Host = "evil.example"
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			wantStatus(t, r.srv.NewClient(t).Do(req), http.StatusOK)
			if n := r.deliver(); n != 1 {
				t.Fatalf("delivered %d, want the reset mail", n)
			}
			m := r.mail.Last("owner@abc.test")
			if strings.Contains(m.Text, "evil.example") {
				t.Fatalf("the reset link follows the Host header:\n%s", m.Text)
			}
			r.mailLink(t, m, "acme", "reset", "Set a new password") // checks the base URL
		})

		t.Run("sign out", func(t *testing.T) {
			c := wantPortalSignIn(t, r.srv, "acme", "owner@abc.test", pwNew)
			session := portalCookie(c, "acme")
			if session == "" {
				t.Fatal("no portal session cookie")
			}
			wantPortalHome(t, c, "acme", []string{"ABC s.r.o."})
			resp := c.Post("/portal/acme/logout", nil)
			wantStatus(t, resp, http.StatusSeeOther)
			if resp.Location != "/portal/acme/login" {
				t.Errorf("after sign-out: location %q", resp.Location)
			}
			wantBody(t, c.Get("/portal/acme/login"), "You have been signed out.")
			wantSignedOut(t, c, "acme")
			// The old cookie is dead on the server, not just forgotten by the browser.
			stale := r.srv.NewClient(t)
			stale.SetCookies([]*http.Cookie{{Name: "portico_portal", Value: session, Path: "/portal/acme/"}})
			wantSignedOut(t, stale, "acme")
		})
	})
}

// The same email invited by two tenants is two accounts with their own
// passwords; a session of one tenant means nothing to the other, and staff of
// one tenant cannot see or touch the other's portal users.
func TestPortalTenantSeparation(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newPortalRig(t, db)
		beta := db.Tenant(t, "beta")
		betaStaff := r.srv.NewClient(t)
		betaStaff.SignIn("beta", "admin@beta.test")
		acmeClient := r.client(t, "Acme Client s.r.o.", "", "")
		betaClient := newClient(t, db, beta, "Beta Client s.r.o.", "", "")
		const shared = "shared@both.test"

		wantInvited(t, r.staff, invite(r.staff, acmeClient.ID, "other", shared), acmeClient.ID)
		wantInvited(t, r.staff, invite(r.staff, acmeClient.ID, "other", "only.acme@x.test"), acmeClient.ID)
		wantInvited(t, betaStaff, invite(betaStaff, betaClient.ID, "other", shared), betaClient.ID)
		r.deliver()
		msgs := r.mail.To(shared)
		if len(msgs) != 2 {
			t.Fatalf("%s received %d mails, want one invitation per tenant", shared, len(msgs))
		}
		var acmeLink, betaLink string
		for _, m := range msgs {
			switch {
			case strings.Contains(m.Text, "Company acme invites"):
				acmeLink = r.mailLink(t, m, "acme", "activate", "Activate account")
			case strings.Contains(m.Text, "Company beta invites"):
				betaLink = r.mailLink(t, m, "beta", "activate", "Activate account")
			}
		}
		if acmeLink == "" || betaLink == "" {
			t.Fatalf("the invitations do not name their tenants")
		}
		acmeUser := followLink(t, r.srv, acmeLink, shared, pwOffice)
		betaUser := followLink(t, r.srv, betaLink, shared, pwAnother)

		t.Run("two accounts, two passwords", func(t *testing.T) {
			wantPortalHome(t, acmeUser, "acme", []string{"Acme Client s.r.o.", "Company acme"}, "Beta Client", "Company beta")
			wantPortalHome(t, betaUser, "beta", []string{"Beta Client s.r.o.", "Company beta"}, "Acme Client", "Company acme")
			wantStatus(t, portalSignIn(r.srv.NewClient(t), "acme", shared, pwAnother), http.StatusUnauthorized)
			wantStatus(t, portalSignIn(r.srv.NewClient(t), "beta", shared, pwOffice), http.StatusUnauthorized)
			wantPortalSignIn(t, r.srv, "acme", shared, pwOffice)
			wantPortalSignIn(t, r.srv, "beta", shared, pwAnother)
			if a, b := portalUserID(t, db, r.tn, shared), portalUserID(t, db, beta, shared); a == b {
				t.Errorf("both tenants share portal user %d", a)
			}
		})

		t.Run("a session of one tenant is not signed in at another", func(t *testing.T) {
			session := portalCookie(acmeUser, "acme")
			if session == "" {
				t.Fatal("no portal session cookie")
			}
			c := r.srv.NewClient(t)
			c.SetCookies([]*http.Cookie{{Name: "portico_portal", Value: session, Path: "/portal/beta/"}})
			wantSignedOut(t, c, "beta")
			wantPortalHome(t, acmeUser, "acme", []string{"Acme Client s.r.o."})
		})

		t.Run("staff of another tenant cannot see or touch the portal users", func(t *testing.T) {
			uid := itoa(portalUserID(t, db, r.tn, "only.acme@x.test"))
			cp, bp := clientPath(acmeClient.ID), clientPath(betaClient.ID)
			wantStatus(t, betaStaff.Get("/app/portal-users/"+uid+"/edit"), http.StatusNotFound)
			wantStatus(t, betaStaff.Get(cp), http.StatusNotFound)
			for _, path := range []string{
				cp + "/portal/" + uid + "/disconnect", bp + "/portal/" + uid + "/disconnect",
				cp + "/portal/" + uid + "/resend", bp + "/portal/" + uid + "/resend",
				"/app/portal-users/" + uid, "/app/portal-users/" + uid + "/reset", cp + "/portal/invite",
			} {
				resp := betaStaff.Post(path, url.Values{"first_name": {"X"}, "last_name": {"Y"}, "client_ids": {itoa(betaClient.ID)},
					"email_choice": {"other"}, "other_email": {"hijack@beta.test"}})
				if resp.Status != http.StatusNotFound {
					t.Errorf("POST %s as beta's staff: status %d, want 404", path, resp.Status)
				}
			}
			dontWantBody(t, betaStaff.Get("/app/users"), "only.acme@x.test", "Acme Client")
			dontWantBody(t, betaStaff.Get(bp), "only.acme@x.test")

			u, err := db.Store.Staff(r.tn.Staff).PortalUser(t.Context(), portalUserID(t, db, r.tn, "only.acme@x.test"))
			if err != nil || len(u.Grants) != 1 || u.Grants[0].ClientID != acmeClient.ID || u.FirstName != "" {
				t.Fatalf("acme's portal user changed: %+v, %v", u, err)
			}
			if n := len(r.mail.To("only.acme@x.test")); n != 1 {
				t.Errorf("only.acme@x.test received %d mails, want just the invitation", n)
			}
			r.deliver()
			if n := len(r.mail.To("only.acme@x.test")); n != 1 {
				t.Errorf("beta's staff made mail go to acme's user: %d mails", n)
			}
		})
	})
}

// portalCookie returns c's portal session token for the tenant, "" without one.
func portalCookie(c *testenv.Client, slug string) string {
	for _, ck := range c.CookiesAt("/portal/" + slug + "/") {
		if ck.Name == "portico_portal" {
			return ck.Value
		}
	}
	return ""
}
