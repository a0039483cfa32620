package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// End-to-end tests of portal access, as the people involved meet it: staff invite
// from the client's page or the Users page, an outbox worker delivers over a real
// SMTP conversation to a server in the test, and the recipient follows the link,
// sets a password and lands in the portal. Mail is delivered only when a test
// calls deliver, so every step is deterministic.

// Passwords of portal users: long enough and not common.
const (
	pwOffice  = "office-Lantern-1987"
	pwAnother = "another-Harbor-2024"
	pwNew     = "brand-new-Meadow-77"
)

// Subjects of the portal's mail.
const (
	subjectInvitation = "Invitation to the client portal"
	subjectReset      = "Reset your client portal password"
)

// portalRig is a server with tenant "acme" (named "Company acme"), acme's
// administrator signed in, and an outbox worker delivering to an SMTP sink.
type portalRig struct {
	db    *testenv.DB
	srv   *testenv.Server
	tn    *testenv.Tenant
	mail  *testenv.Mail
	staff *testenv.Client
}

func newPortalRig(t *testing.T, db *testenv.DB) *portalRig {
	t.Helper()
	return rigOn(t, db, testenv.StartServer(t, db))
}

func rigOn(t *testing.T, db *testenv.DB, srv *testenv.Server) *portalRig {
	t.Helper()
	tn := db.Tenant(t, "acme")
	staff := srv.NewClient(t)
	staff.SignIn("acme", "admin@acme.test")
	return &portalRig{db: db, srv: srv, tn: tn, mail: srv.StartMail(t), staff: staff}
}

// client creates a client of acme with the main and protocol email ("" for none).
func (r *portalRig) client(t *testing.T, name, email, protocolEmail string) *domain.Client {
	t.Helper()
	return newClient(t, r.db, r.tn, name, email, protocolEmail)
}

func newClient(t *testing.T, db *testenv.DB, tn *testenv.Tenant, name, email, protocolEmail string) *domain.Client {
	t.Helper()
	c := &domain.Client{Name: name, Email: email, ProtocolEmail: protocolEmail, City: "Bratislava"}
	if err := db.Store.Staff(tn.Staff).CreateClient(context.Background(), c); err != nil {
		t.Fatalf("client %s: %v", name, err)
	}
	return c
}

func clientPath(id int64) string { return "/app/clients/" + itoa(id) }

// invite sends the invitation dialog of the client's page as c.
func invite(c *testenv.Client, clientID int64, choice, other string) *testenv.Response {
	return c.Post(clientPath(clientID)+"/portal/invite", url.Values{"email_choice": {choice}, "other_email": {other}})
}

// wantInvited fails the test unless r is the redirect back to the card after a
// successful invitation, and returns the flash message the card then shows.
func wantInvited(t *testing.T, c *testenv.Client, r *testenv.Response, clientID int64) string {
	t.Helper()
	wantStatus(t, r, http.StatusSeeOther)
	if want := clientPath(clientID) + "#portal-access"; r.Location != want {
		t.Fatalf("after the invitation: location %q, want %q", r.Location, want)
	}
	page := c.Get(clientPath(clientID))
	wantStatus(t, page, http.StatusOK)
	return flashOf(page.Body)
}

var flashRE = regexp.MustCompile(`(?s)class="flash[^"]*"[^>]*>(.*?)</div>`)

// flashOf returns the text of the page's flash message, "" without one.
func flashOf(body string) string {
	m := flashRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], "")))
}

// deliver runs the outbox worker until nothing is due; it returns how many mails went out.
func (r *portalRig) deliver() int { return r.mail.Deliver() }

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+/portal/[a-z0-9-]+/(?:activate|reset)/[A-Za-z0-9_-]+`)

// mailLink returns the path of the one-time link in m, after checking that the
// link is built from the server's base URL for the tenant and kind ("activate" or
// "reset"), and that the HTML part has it behind the button.
func (r *portalRig) mailLink(t *testing.T, m testenv.ReceivedMail, slug, kind, button string) string {
	t.Helper()
	links := linkRE.FindAllString(m.Text, -1)
	if len(links) != 1 {
		t.Fatalf("mail %q to %v has %d one-time links, want 1:\n%s", m.Subject, m.To, len(links), m.Text)
	}
	link := links[0]
	if prefix := r.srv.URL + "/portal/" + slug + "/" + kind + "/"; !strings.HasPrefix(link, prefix) {
		t.Fatalf("link %s is not built from the base URL as %s…", link, prefix)
	}
	if !strings.Contains(m.HTML, `href="`+link+`"`) || !strings.Contains(m.HTML, ">"+button+"</a>") {
		t.Errorf("the HTML part lacks a %q button to %s", button, link)
	}
	return strings.TrimPrefix(link, r.srv.URL)
}

// invitationLink checks m is acme's invitation for the client and returns its link.
func (r *portalRig) invitationLink(t *testing.T, m testenv.ReceivedMail, clientName string) string {
	t.Helper()
	if m.Subject != subjectInvitation {
		t.Fatalf("subject %q, want %q", m.Subject, subjectInvitation)
	}
	for _, want := range []string{r.tn.Company.Name + " invites you to its client portal", clientName} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("invitation text lacks %q:\n%s", want, m.Text)
		}
	}
	return r.mailLink(t, m, r.tn.Company.Slug, "activate", "Activate account")
}

// followLink opens a one-time link as its recipient would: opening it only
// shows the form, so mail scanners that open links use nothing; it is opened
// twice to prove that. Then the password is set and the user lands, signed in,
// on the portal's first page. It returns the signed-in client.
func followLink(t *testing.T, srv *testenv.Server, path, email, password string) *testenv.Client {
	t.Helper()
	c := srv.NewClient(t)
	for range 2 {
		r := c.Get(path)
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, html.EscapeString(email), `name="password"`, `data-reveal-password="f-password"`)
		dontWantBody(t, r, `name="password_confirm"`) // one field, with Show, not a second to retype in
		if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("link page Referrer-Policy = %q, want no-referrer: the token must not leak to other sites", got)
		}
	}
	r := c.Post(path, url.Values{"password": {password}})
	wantStatus(t, r, http.StatusSeeOther)
	want := "/portal/" + slugOf(path) + "/"
	if strings.Contains(path, "/activate/") {
		want += "welcome" // the sign-in address to bookmark
	}
	if r.Location != want {
		t.Fatalf("after setting the password: location %q, want %q", r.Location, want)
	}
	if strings.HasSuffix(want, "/welcome") {
		wantBody(t, c.Get(want), "Your account is ready", srv.URL+"/portal/"+slugOf(path)+"/login", "Bookmark it", `src="data:image/png;base64,`)
	}
	return c
}

// slugOf returns the tenant of a portal path.
func slugOf(path string) string { return strings.Split(path, "/")[2] }

// wantPortalHome fails the test unless c sees the portal's first page listing
// the companies, and none of the absent ones.
func wantPortalHome(t *testing.T, c *testenv.Client, slug string, companies []string, absent ...string) string {
	t.Helper()
	r := c.Get("/portal/" + slug + "/")
	wantStatus(t, r, http.StatusOK)
	for _, name := range companies {
		wantBody(t, r, html.EscapeString(name))
	}
	dontWantBody(t, r, absent...)
	return r.Body
}

// wantSignedOut fails the test unless c's next portal request is sent to sign in.
func wantSignedOut(t *testing.T, c *testenv.Client, slug string) {
	t.Helper()
	r := c.Get("/portal/" + slug + "/")
	wantStatus(t, r, http.StatusSeeOther)
	if !strings.HasPrefix(r.Location, "/portal/"+slug+"/login") {
		t.Fatalf("a signed-out portal request goes to %q, want the sign-in page", r.Location)
	}
}

// portalSignIn signs in to the tenant's portal and returns the response.
func portalSignIn(c *testenv.Client, slug, email, password string) *testenv.Response {
	return c.Post("/portal/"+slug+"/login", url.Values{"email": {email}, "password": {password}})
}

// wantPortalSignIn signs a fresh client in and fails the test unless it works.
func wantPortalSignIn(t *testing.T, srv *testenv.Server, slug, email, password string) *testenv.Client {
	t.Helper()
	c := srv.NewClient(t)
	r := portalSignIn(c, slug, email, password)
	wantStatus(t, r, http.StatusSeeOther)
	if r.Location != "/portal/"+slug+"/" {
		t.Fatalf("after portal sign-in: location %q", r.Location)
	}
	return c
}

// accessCard returns the Portal access card of the client's page as c sees it.
func accessCard(t *testing.T, c *testenv.Client, clientID int64) string {
	t.Helper()
	r := c.Get(clientPath(clientID))
	wantStatus(t, r, http.StatusOK)
	i := strings.Index(r.Body, `id="portal-access"`)
	if i < 0 {
		t.Fatalf("the client's page has no Portal access card")
	}
	j := strings.Index(r.Body[i:], "</section>")
	return r.Body[i : i+j]
}

// cardRow returns the card's table row of the email.
func cardRow(t *testing.T, card, email string) string {
	t.Helper()
	for _, row := range strings.Split(card, "<tr>")[1:] {
		if strings.Contains(row, html.EscapeString(email)) {
			return row
		}
	}
	t.Fatalf("the Portal access card has no row for %s", email)
	return ""
}

// portalUserID returns the id of acme's portal user with the email.
func portalUserID(t *testing.T, db *testenv.DB, tn *testenv.Tenant, email string) int64 {
	t.Helper()
	u, _, err := db.Store.Staff(tn.Staff).PortalUsers(context.Background(), domain.ListOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range u {
		if x.Email == email {
			return x.ID
		}
	}
	t.Fatalf("no portal user %s in %s", email, tn.Company.Slug)
	return 0
}

// Staff invite the client's main email, another email, its protocol email, and
// a contact from the Contacts tab; each person receives the invitation over SMTP,
// follows its link, sets a password and sees the company in the portal.
// Re-inviting resends and supersedes the first link; inviting an active account
// grants access without touching its password.
func TestPortalInvitation(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newPortalRig(t, db)
		abc := r.client(t, "ABC s.r.o.", "office@abc.test", "protocols@abc.test")
		plain := r.client(t, "Plain Client", "info@plain.test", "")

		t.Run("main email", func(t *testing.T) {
			flash := wantInvited(t, r.staff, invite(r.staff, abc.ID, "main", ""), abc.ID)
			if flash != "Invitation sent to office@abc.test." {
				t.Errorf("flash = %q", flash)
			}
			if n := r.deliver(); n != 1 {
				t.Fatalf("delivered %d mails, want 1", n)
			}
			m := r.mail.Last("office@abc.test")
			link := r.invitationLink(t, m, "ABC s.r.o.")
			if !strings.Contains(m.HTML, "Company acme") {
				t.Errorf("the HTML part does not name the service company")
			}
			c := followLink(t, r.srv, link, "office@abc.test", pwOffice)
			wantPortalHome(t, c, "acme", []string{"ABC s.r.o.", "Company acme"})
		})

		t.Run("another email", func(t *testing.T) {
			// Typed with capitals and spaces; the account and the mail use one spelling.
			flash := wantInvited(t, r.staff, invite(r.staff, abc.ID, "other", "  Peter.Novak@Example.TEST "), abc.ID)
			if flash != "Invitation sent to peter.novak@example.test." {
				t.Errorf("flash = %q", flash)
			}
			r.deliver()
			link := r.invitationLink(t, r.mail.Last("peter.novak@example.test"), "ABC s.r.o.")
			c := followLink(t, r.srv, link, "peter.novak@example.test", pwAnother)
			wantPortalHome(t, c, "acme", []string{"ABC s.r.o."})
		})

		t.Run("another email must be an address", func(t *testing.T) {
			resp := invite(r.staff, abc.ID, "other", "not-an-address")
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, `value="not-an-address"`)
			resp = invite(r.staff, abc.ID, "other", "")
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "Email is required.")
		})

		t.Run("protocol email is offered only when the client has one", func(t *testing.T) {
			for _, path := range []string{clientPath(plain.ID), clientPath(plain.ID) + "/portal/invite"} {
				resp := r.staff.Get(path)
				wantStatus(t, resp, http.StatusOK)
				wantBody(t, resp, `value="main"`, `value="other"`, "Main email", "Another email")
				dontWantBody(t, resp, `value="protocol"`)
			}
			// The client page names the (empty) protocol email among the client's details; the dialog page does not.
			dontWantBody(t, r.staff.Get(clientPath(plain.ID)+"/portal/invite"), "Protocol email")
			resp := invite(r.staff, plain.ID, "protocol", "")
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "The client has no protocol email.")

			resp = r.staff.Get(clientPath(abc.ID))
			wantBody(t, resp, `value="protocol"`, "Protocol email", "protocols@abc.test")
			wantInvited(t, r.staff, invite(r.staff, abc.ID, "protocol", ""), abc.ID)
			r.deliver()
			link := r.invitationLink(t, r.mail.Last("protocols@abc.test"), "ABC s.r.o.")
			c := followLink(t, r.srv, link, "protocols@abc.test", pwAnother)
			wantPortalHome(t, c, "acme", []string{"ABC s.r.o."})
		})

		t.Run("contact from the Contacts tab", func(t *testing.T) {
			jana := r.db.Contact(t, r.tn, abc, "Jana", "Nová", "jana.nova@abc.test")
			r.db.Contact(t, r.tn, abc, "No", "Mail", "")
			tab := r.staff.Get(clientPath(abc.ID) + "/contacts")
			wantStatus(t, tab, http.StatusOK)
			action := fmt.Sprintf(`action="/app/clients/%d/contacts/%d/invite"`, abc.ID, jana.ID)
			wantBody(t, tab, action, "Invite to portal")
			if n := strings.Count(tab.Body, "/invite\""); n != 1 {
				t.Errorf("%d Invite to portal buttons, want 1: a contact without email cannot be invited", n)
			}

			resp := r.staff.Post(fmt.Sprintf("/app/clients/%d/contacts/%d/invite", abc.ID, jana.ID), nil)
			wantStatus(t, resp, http.StatusSeeOther)
			if resp.Location != clientPath(abc.ID)+"/contacts" {
				t.Errorf("location %q, want the Contacts tab", resp.Location)
			}
			r.deliver()
			m := r.mail.Last("jana.nova@abc.test")
			if !strings.Contains(m.Text, "Hello Jana Nová,") {
				t.Errorf("the invitation does not greet the contact by name:\n%s", m.Text)
			}
			c := followLink(t, r.srv, r.invitationLink(t, m, "ABC s.r.o."), "jana.nova@abc.test", pwAnother)
			home := wantPortalHome(t, c, "acme", []string{"ABC s.r.o."})
			if !strings.Contains(home, "Jana Nová") {
				t.Errorf("the portal does not greet Jana by name")
			}

			u, err := r.db.Store.Staff(r.tn.Staff).PortalUser(t.Context(), portalUserID(t, r.db, r.tn, "jana.nova@abc.test"))
			if err != nil {
				t.Fatal(err)
			}
			if len(u.Grants) != 1 || u.Grants[0].ClientID != abc.ID || u.Grants[0].ContactID != jana.ID {
				t.Fatalf("grants = %+v, want ABC linked to contact %d", u.Grants, jana.ID)
			}
			if u.FirstName != "Jana" || u.LastName != "Nová" {
				t.Errorf("portal user name = %q %q, want the contact's", u.FirstName, u.LastName)
			}
		})

		dencorp := r.client(t, "Dencorp", "", "")

		t.Run("re-inviting resends; the first link is superseded", func(t *testing.T) {
			wantInvited(t, r.staff, invite(r.staff, dencorp.ID, "other", "ivan@dencorp.test"), dencorp.ID)
			r.deliver()
			first := r.invitationLink(t, r.mail.Last("ivan@dencorp.test"), "Dencorp")

			flash := wantInvited(t, r.staff, invite(r.staff, dencorp.ID, "other", "ivan@dencorp.test"), dencorp.ID)
			if flash != "The invitation to ivan@dencorp.test was sent again." {
				t.Errorf("flash = %q", flash)
			}
			r.deliver()
			if n := len(r.mail.To("ivan@dencorp.test")); n != 2 {
				t.Fatalf("ivan received %d mails, want 2", n)
			}
			second := r.invitationLink(t, r.mail.Last("ivan@dencorp.test"), "Dencorp")
			if second == first {
				t.Fatal("the resent invitation carries the same link")
			}
			resp := r.srv.NewClient(t).Get(first)
			wantStatus(t, resp, http.StatusGone)
			wantBody(t, resp, "This link is no longer valid")
			c := followLink(t, r.srv, second, "ivan@dencorp.test", pwAnother)
			wantPortalHome(t, c, "acme", []string{"Dencorp"}, "ABC s.r.o.")
		})

		t.Run("inviting an active account grants access and keeps its password", func(t *testing.T) {
			before := len(r.mail.To("office@abc.test"))
			flash := wantInvited(t, r.staff, invite(r.staff, dencorp.ID, "other", "office@abc.test"), dencorp.ID)
			if !strings.Contains(flash, "office@abc.test already has a portal account") {
				t.Errorf("flash = %q", flash)
			}
			r.deliver()
			msgs := r.mail.To("office@abc.test")
			if len(msgs) != before+1 {
				t.Fatalf("office@abc.test received %d new mails, want 1", len(msgs)-before)
			}
			m := msgs[len(msgs)-1]
			if m.Subject != "You now have access to Dencorp in the client portal" {
				t.Errorf("subject %q", m.Subject)
			}
			if !strings.Contains(m.Text, r.srv.URL+"/portal/acme/login") {
				t.Errorf("the mail has no sign-in link built from the base URL:\n%s", m.Text)
			}
			if linkRE.MatchString(m.Text) {
				t.Errorf("an active account got a one-time link:\n%s", m.Text)
			}
			c := wantPortalSignIn(t, r.srv, "acme", "office@abc.test", pwOffice)
			wantPortalHome(t, c, "acme", []string{"ABC s.r.o.", "Dencorp"})
		})

		t.Run("the resend icon on the card", func(t *testing.T) {
			uid := portalUserID(t, r.db, r.tn, "ivan@dencorp.test")
			card := accessCard(t, r.staff, dencorp.ID)
			action := fmt.Sprintf("/app/clients/%d/portal/%d/resend", dencorp.ID, uid)
			if !strings.Contains(card, action) {
				t.Fatalf("the card has no resend button for ivan")
			}
			before := len(r.mail.To("ivan@dencorp.test"))
			resp := r.staff.Post(action, nil)
			wantStatus(t, resp, http.StatusSeeOther)
			r.deliver()
			if n := len(r.mail.To("ivan@dencorp.test")) - before; n != 1 {
				t.Fatalf("resend delivered %d mails, want 1", n)
			}
		})
	})
}

// The Portal access card tells staff who has access and how each invitation's
// delivery went; it counts toward the limit of five users per client, which the
// sixth invitation meets with a clear message.
func TestPortalAccessCard(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newPortalRig(t, db)
		c := r.client(t, "Card Client s.r.o.", "office@card.test", "")
		invitePath := clientPath(c.ID) + "/portal/invite"

		t.Run("no portal users yet", func(t *testing.T) {
			card := accessCard(t, r.staff, c.ID)
			for _, want := range []string{"Client does not have portal access", `href="` + invitePath + `"`, "Invite"} {
				if !strings.Contains(card, want) {
					t.Errorf("the empty card lacks %q", want)
				}
			}
			if strings.Contains(card, "Add (") {
				t.Errorf("the empty card offers Add")
			}
		})

		t.Run("invited users are listed; their mail is queued", func(t *testing.T) {
			wantInvited(t, r.staff, invite(r.staff, c.ID, "main", ""), c.ID)
			eva := r.db.Contact(t, r.tn, c, "Eva", "Malá", "eva@card.test")
			wantStatus(t, r.staff.Post(fmt.Sprintf("%s/contacts/%d/invite", clientPath(c.ID), eva.ID), nil), http.StatusSeeOther)

			card := accessCard(t, r.staff, c.ID)
			if !strings.Contains(card, "Add (2/5)") {
				t.Errorf("the card's button does not read Add (2/5)")
			}
			if strings.Contains(card, "Client does not have portal access") {
				t.Errorf("the card still says the client has no access")
			}
			for email, name := range map[string]string{"office@card.test": "—", "eva@card.test": "Eva Malá"} {
				row := cardRow(t, card, email)
				for _, want := range []string{name, "Never", "Invited", "Queued"} {
					if !strings.Contains(row, want) {
						t.Errorf("row of %s lacks %q:\n%s", email, want, row)
					}
				}
			}
		})

		t.Run("delivered: sent; activated: active with the last sign-in", func(t *testing.T) {
			if n := r.deliver(); n != 2 {
				t.Fatalf("delivered %d, want 2", n)
			}
			card := accessCard(t, r.staff, c.ID)
			for _, email := range []string{"office@card.test", "eva@card.test"} {
				if row := cardRow(t, card, email); !strings.Contains(row, "Sent") || strings.Contains(row, "Queued") {
					t.Errorf("row of %s does not say Sent:\n%s", email, row)
				}
			}
			followLink(t, r.srv, r.invitationLink(t, r.mail.Last("office@card.test"), c.Name), "office@card.test", pwOffice)
			row := cardRow(t, accessCard(t, r.staff, c.ID), "office@card.test")
			if !strings.Contains(row, "Active") || strings.Contains(row, "Invited") || strings.Contains(row, "Never") {
				t.Errorf("an activated user's row should say Active with a sign-in time:\n%s", row)
			}
			u, err := r.db.Store.Staff(r.tn.Staff).PortalUser(t.Context(), portalUserID(t, r.db, r.tn, "office@card.test"))
			if err != nil {
				t.Fatal(err)
			}
			if when := u.LastLoginAt.In(r.tn.Company.Location()).Format("2 Jan 2006, 15:04"); u.LastLoginAt.IsZero() || !strings.Contains(row, when) {
				t.Errorf("the row does not show the last sign-in %q:\n%s", when, row)
			}
		})

		t.Run("SMTP down: retrying with the server's error", func(t *testing.T) {
			r.mail.Sink.Stop()
			defer r.mail.Sink.Start()
			wantInvited(t, r.staff, invite(r.staff, c.ID, "other", "down@card.test"), c.ID)
			if n := r.deliver(); n != 0 {
				t.Fatalf("delivered %d with the SMTP server down", n)
			}
			u, err := r.db.Store.Staff(r.tn.Staff).PortalUser(t.Context(), portalUserID(t, r.db, r.tn, "down@card.test"))
			if err != nil {
				t.Fatal(err)
			}
			states, err := r.db.Store.Staff(r.tn.Staff).MailStates(t.Context(), []int64{u.Grants[0].InviteMail})
			if err != nil {
				t.Fatal(err)
			}
			st := states[u.Grants[0].InviteMail]
			if st.Status != store.MailStatusRetrying || !strings.Contains(st.LastError, "connection refused") {
				t.Fatalf("mail state = %+v, want retrying after a refused connection", st)
			}
			row := cardRow(t, accessCard(t, r.staff, c.ID), "down@card.test")
			for _, want := range []string{"Retrying", html.EscapeString(st.LastError)} {
				if !strings.Contains(row, want) {
					t.Errorf("row of down@card.test lacks %q:\n%s", want, row)
				}
			}
		})

		t.Run("at most five users per client", func(t *testing.T) {
			for _, email := range []string{"four@card.test", "five@card.test"} {
				wantInvited(t, r.staff, invite(r.staff, c.ID, "other", email), c.ID)
			}
			card := accessCard(t, r.staff, c.ID)
			for _, want := range []string{"Add (5/5)", "disabled", "the most a client can have"} {
				if !strings.Contains(card, want) {
					t.Errorf("the full card lacks %q", want)
				}
			}
			if page := r.staff.Get(clientPath(c.ID)); strings.Contains(page.Body, `id="invite-dialog"`) {
				t.Errorf("a full client's page still has the invitation dialog")
			}

			resp := invite(r.staff, c.ID, "other", "six@card.test")
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "Card Client s.r.o. already has 5 portal users, the most a client can have. Disconnect one first.")

			// The Users page meets the same limit, and creates nothing.
			resp = r.staff.Post("/app/portal-users", url.Values{"first_name": {"Six"}, "last_name": {"Th"},
				"email": {"six@card.test"}, "client_ids": {itoa(c.ID)}})
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "already has 5 portal users")

			users, err := r.db.Store.Staff(r.tn.Staff).ClientPortalUsers(t.Context(), c.ID)
			if err != nil || len(users) != access.MaxPortalUsersPerClient {
				t.Fatalf("client has %d portal users (%v), want 5", len(users), err)
			}
			if _, _, err := r.db.Store.PortalCredentials(t.Context(), r.tn.Company.ID, "six@card.test"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("a refused sixth invitation left an account behind: %v", err)
			}
		})
	})
}

// SMTP is down while invitations, a new portal user and a forgotten password are
// queued; every attempt fails and waits. Once the server is back and the backoff
// has passed, every mail is delivered, and none twice; the retried invitation's
// fresh link works.
func TestPortalMailSMTPDownThenUp(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newPortalRig(t, db)
		a := r.client(t, "Alfa s.r.o.", "office@alfa.test", "protocols@alfa.test")
		b := r.client(t, "Beta s.r.o.", "office@beta.test", "")

		r.mail.Sink.Stop()
		wantInvited(t, r.staff, invite(r.staff, a.ID, "main", ""), a.ID)
		wantInvited(t, r.staff, invite(r.staff, a.ID, "protocol", ""), a.ID)
		wantInvited(t, r.staff, invite(r.staff, b.ID, "main", ""), b.ID)
		wantStatus(t, r.staff.Post("/app/portal-users", url.Values{"first_name": {"Multi"}, "last_name": {"User"},
			"email": {"multi@both.test"}, "client_ids": {itoa(a.ID), itoa(b.ID)}}), http.StatusSeeOther)
		forgot := r.srv.NewClient(t).Post("/portal/acme/forgot", url.Values{"email": {"office@beta.test"}})
		wantStatus(t, forgot, http.StatusOK)
		const queued = 5

		if n := r.deliver(); n != 0 {
			t.Fatalf("delivered %d with the SMTP server down", n)
		}
		outbox := outboxStates(t, r)
		if len(outbox) != queued {
			t.Fatalf("%d outbox rows, want %d", len(outbox), queued)
		}
		for id, st := range outbox {
			if st.Status != store.MailStatusRetrying || st.Attempts != 1 || !strings.Contains(st.LastError, "connection refused") {
				t.Errorf("mail %d: %+v, want retrying after one refused attempt", id, st)
			}
		}
		if row := cardRow(t, accessCard(t, r.staff, a.ID), "office@alfa.test"); !strings.Contains(row, "Retrying") {
			t.Errorf("the card does not show the retry:\n%s", row)
		}

		r.mail.Sink.Start()
		if n := r.deliver(); n != 0 {
			t.Fatalf("delivered %d before the backoff passed", n)
		}
		r.db.Clock.Advance(2 * time.Minute)
		if n := r.deliver(); n != queued {
			t.Fatalf("delivered %d after the backoff, want %d", n, queued)
		}
		r.db.Clock.Advance(time.Hour)
		if n := r.deliver(); n != 0 {
			t.Fatalf("delivered %d more later, want none", n)
		}

		got := map[string]int{}
		for _, m := range r.mail.Sink.Messages() {
			got[strings.Join(m.To, ",")+" | "+m.Subject]++
		}
		want := map[string]int{
			"office@alfa.test | " + subjectInvitation:    1,
			"protocols@alfa.test | " + subjectInvitation: 1,
			// office@beta.test never activated: the reset it asked for comes as its invitation.
			"office@beta.test | " + subjectInvitation: 2,
			"multi@both.test | " + subjectInvitation:  1,
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("mails received (recipient | subject → count):\n got %v\nwant %v", got, want)
		}
		for id, st := range outboxStates(t, r) {
			if st.Status != store.MailStatusSent || st.Attempts != 2 || st.LastError != "" {
				t.Errorf("mail %d: %+v, want sent at the second attempt", id, st)
			}
		}
		if row := cardRow(t, accessCard(t, r.staff, a.ID), "office@alfa.test"); !strings.Contains(row, "Sent") {
			t.Errorf("the card does not show the delivery:\n%s", row)
		}
		c := followLink(t, r.srv, r.invitationLink(t, r.mail.Last("office@alfa.test"), a.Name), "office@alfa.test", pwOffice)
		wantPortalHome(t, c, "acme", []string{"Alfa s.r.o."}, "Beta s.r.o.")
	})
}

// outboxStates returns the delivery state of every outbox row of acme.
func outboxStates(t *testing.T, r *portalRig) map[int64]store.MailState {
	t.Helper()
	ids := make([]int64, 200)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	states, err := r.db.Store.Staff(r.tn.Staff).MailStates(t.Context(), ids)
	if err != nil {
		t.Fatal(err)
	}
	return states
}

// Disconnect (the chain icon) removes access to one client. An account left
// with no client is deleted at once, and its open portal session stops working;
// an account with another client keeps that one.
func TestPortalDisconnect(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newPortalRig(t, db)
		alfa := r.client(t, "Alfa s.r.o.", "solo@alfa.test", "")
		beta := r.client(t, "Beta s.r.o.", "", "")

		wantInvited(t, r.staff, invite(r.staff, alfa.ID, "main", ""), alfa.ID)
		wantInvited(t, r.staff, invite(r.staff, alfa.ID, "other", "multi@x.test"), alfa.ID)
		r.deliver()
		solo := followLink(t, r.srv, r.invitationLink(t, r.mail.Last("solo@alfa.test"), alfa.Name), "solo@alfa.test", pwOffice)
		multi := followLink(t, r.srv, r.invitationLink(t, r.mail.Last("multi@x.test"), alfa.Name), "multi@x.test", pwAnother)
		wantInvited(t, r.staff, invite(r.staff, beta.ID, "other", "multi@x.test"), beta.ID)
		r.deliver()
		wantPortalHome(t, multi, "acme", []string{"Alfa s.r.o.", "Beta s.r.o."})
		soloID := portalUserID(t, r.db, r.tn, "solo@alfa.test")
		multiID := portalUserID(t, r.db, r.tn, "multi@x.test")
		disconnect := func(clientID, uid int64) *testenv.Response {
			return r.staff.Post(fmt.Sprintf("/app/clients/%d/portal/%d/disconnect", clientID, uid), nil)
		}

		t.Run("the chain icon asks first", func(t *testing.T) {
			page := r.staff.Get(clientPath(alfa.ID))
			for _, uid := range []int64{soloID, multiID} {
				wantBody(t, page, fmt.Sprintf(`data-open-dialog="disconnect-%d"`, uid),
					fmt.Sprintf(`<dialog class="modal" id="disconnect-%d"`, uid),
					fmt.Sprintf(`action="/app/clients/%d/portal/%d/disconnect"`, alfa.ID, uid))
			}
		})

		t.Run("the last client: the account is deleted and its session ends", func(t *testing.T) {
			wantPortalHome(t, solo, "acme", []string{"Alfa s.r.o."})
			resp := disconnect(alfa.ID, soloID)
			wantStatus(t, resp, http.StatusSeeOther)
			page := r.staff.Get(clientPath(alfa.ID))
			if f := flashOf(page.Body); !strings.Contains(f, "solo@alfa.test no longer has access to Alfa s.r.o.") || !strings.Contains(f, "deleted") {
				t.Errorf("flash = %q", f)
			}
			if strings.Contains(accessCard(t, r.staff, alfa.ID), "solo@alfa.test") {
				t.Errorf("the card still lists solo@alfa.test")
			}
			wantSignedOut(t, solo, "acme")
			if _, err := r.db.Store.Staff(r.tn.Staff).PortalUser(t.Context(), soloID); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("the account still exists: %v", err)
			}
			resp = portalSignIn(r.srv.NewClient(t), "acme", "solo@alfa.test", pwOffice)
			wantStatus(t, resp, http.StatusUnauthorized)

			// The audit log keeps who deleted which account, and when.
			row := auditRow(t, r.staff, "portal.user.delete")
			for _, want := range []string{"solo@alfa.test (no client left)", r.tn.Admin.Name, r.db.Clock.Now().Format("2006")} {
				if !strings.Contains(row, want) {
					t.Errorf("the deletion's audit row lacks %q:\n%s", want, row)
				}
			}
		})

		t.Run("another client remains: only this one is gone", func(t *testing.T) {
			wantStatus(t, disconnect(alfa.ID, multiID), http.StatusSeeOther)
			if f := flashOf(r.staff.Get(clientPath(alfa.ID)).Body); strings.Contains(f, "deleted") {
				t.Errorf("flash = %q; the account was not deleted", f)
			}
			wantPortalHome(t, multi, "acme", []string{"Beta s.r.o."}, "Alfa s.r.o.")
			if !strings.Contains(accessCard(t, r.staff, beta.ID), "multi@x.test") {
				t.Errorf("Beta's card lost multi@x.test")
			}
			wantStatus(t, disconnect(alfa.ID, multiID), http.StatusNotFound)
		})

		t.Run("an invitation not yet sent is withdrawn with the account", func(t *testing.T) {
			wantInvited(t, r.staff, invite(r.staff, alfa.ID, "other", "pending@x.test"), alfa.ID)
			wantStatus(t, disconnect(alfa.ID, portalUserID(t, r.db, r.tn, "pending@x.test")), http.StatusSeeOther)
			r.deliver()
			if n := len(r.mail.To("pending@x.test")); n != 0 {
				t.Errorf("a disconnected account still received %d mails", n)
			}
		})
	})
}

// The Users page adds portal users with several clients and chosen sites; the
// restricted user sees only those sites, and removing every site restores all.
// The key icon mails a reset link that works once and for one hour, and a new
// password ends the user's other sessions.
func TestPortalUsersPage(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newPortalRig(t, db)
		abc := r.client(t, "ABC s.r.o.", "office@abc.test", "")
		bratislava := r.db.Site(t, r.tn, abc, "Bratislava HQ", "Bratislava")
		kosice := r.db.Site(t, r.tn, abc, "Košice branch", "Košice")
		zilina := r.db.Site(t, r.tn, abc, "Žilina depot", "Žilina")
		den := r.client(t, "Dencorp", "", "")
		den1 := r.db.Site(t, r.tn, den, "Dencorp One", "Nitra")
		den2 := r.db.Site(t, r.tn, den, "Dencorp Two", "Trnava")
		other := r.client(t, "Other Client", "", "")
		otherSite := r.db.Site(t, r.tn, other, "Other site", "Prešov")
		const email = "katarina@abc.test"
		var uid int64
		var kata *testenv.Client

		t.Run("add a portal user with two clients and one site", func(t *testing.T) {
			form := r.staff.Get("/app/portal-users/new")
			wantStatus(t, form, http.StatusOK)
			wantBody(t, form, "Add portal user", "Assigned clients", "Site access", "ABC s.r.o.", "Košice branch", "Dencorp Two")
			wantBody(t, r.staff.Get("/app/users"), `href="/app/portal-users/new"`)

			v := url.Values{"first_name": {"Katarína"}, "last_name": {"Veselá"}, "email": {email},
				"client_ids": {itoa(abc.ID), itoa(den.ID)}, "site_ids": {itoa(otherSite.ID)}}
			resp := r.staff.Post("/app/portal-users", v)
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			wantBody(t, resp, "Choose sites of the assigned clients only.", `value="Katarína"`)

			v.Set("site_ids", itoa(kosice.ID))
			resp = r.staff.Post("/app/portal-users", v)
			wantStatus(t, resp, http.StatusSeeOther)
			list := r.staff.Get("/app/users")
			if f := flashOf(list.Body); f != "Invitation sent to "+email+"." {
				t.Errorf("flash = %q", f)
			}
			wantBody(t, list, email, "Katarína Veselá", "ABC s.r.o.", "Dencorp", "Košice branch")

			if n := r.deliver(); n != 1 {
				t.Fatalf("delivered %d, want one invitation", n)
			}
			kata = followLink(t, r.srv, r.invitationLink(t, r.mail.Last(email), "ABC s.r.o."), email, pwOffice)
			uid = portalUserID(t, r.db, r.tn, email)
		})
		if kata == nil {
			t.FailNow()
		}

		t.Run("the restricted user sees only the chosen site", func(t *testing.T) {
			wantPortalHome(t, kata, "acme", []string{"ABC s.r.o.", "Dencorp"}, "Other Client")
			wantPortalSites(t, kata, abc.ID, []*domain.Site{kosice}, []*domain.Site{bratislava, zilina})
			wantPortalSites(t, kata, den.ID, []*domain.Site{den1, den2}, nil)
			wantStatus(t, kata.Get(fmt.Sprintf("/portal/acme/sites/%d", bratislava.ID)), http.StatusNotFound)
			wantStatus(t, kata.Get(fmt.Sprintf("/portal/acme/sites/%d", kosice.ID)), http.StatusOK)
		})

		t.Run("editing away every site restores all sites", func(t *testing.T) {
			edit := r.staff.Get(fmt.Sprintf("/app/portal-users/%d/edit", uid))
			wantStatus(t, edit, http.StatusOK)
			wantBody(t, edit, fmt.Sprintf(`<option value="%d" data-chip="%s — Košice branch" selected>Košice branch`, kosice.ID, abc.Name))
			resp := r.staff.Post(fmt.Sprintf("/app/portal-users/%d", uid), url.Values{"first_name": {"Katarína"},
				"last_name": {"Veselá"}, "client_ids": {itoa(abc.ID), itoa(den.ID)}})
			wantStatus(t, resp, http.StatusSeeOther)
			if f := flashOf(r.staff.Get("/app/users").Body); f != "Access of "+email+" saved." {
				t.Errorf("flash = %q", f)
			}
			// The open session sees the change at once: the Scope is loaded per request.
			wantPortalSites(t, kata, abc.ID, []*domain.Site{bratislava, kosice, zilina}, nil)
			wantPortalSites(t, kata, den.ID, []*domain.Site{den1, den2}, nil)
			wantStatus(t, kata.Get(fmt.Sprintf("/portal/acme/sites/%d", bratislava.ID)), http.StatusOK)
			wantBody(t, r.staff.Get("/app/users"), "All sites")
		})

		t.Run("the key icon mails a reset link that works once; the new password ends other sessions", func(t *testing.T) {
			second := wantPortalSignIn(t, r.srv, "acme", email, pwOffice)
			reset := fmt.Sprintf("/app/portal-users/%d/reset", uid)
			wantBody(t, r.staff.Get("/app/users"), `action="`+reset+`"`)
			wantStatus(t, r.staff.Post(reset, nil), http.StatusSeeOther)
			if f := flashOf(r.staff.Get("/app/users").Body); f != "A password reset link was sent to "+email+"." {
				t.Errorf("flash = %q", f)
			}
			if n := r.deliver(); n != 1 {
				t.Fatalf("delivered %d, want the reset mail", n)
			}
			m := r.mail.Last(email)
			if m.Subject != subjectReset {
				t.Fatalf("subject %q, want %q", m.Subject, subjectReset)
			}
			link := r.mailLink(t, m, "acme", "reset", "Set a new password")
			fresh := followLink(t, r.srv, link, email, pwNew)
			wantPortalHome(t, fresh, "acme", []string{"ABC s.r.o."})
			wantSignedOut(t, kata, "acme")
			wantSignedOut(t, second, "acme")
			wantStatus(t, portalSignIn(r.srv.NewClient(t), "acme", email, pwOffice), http.StatusUnauthorized)
			wantPortalSignIn(t, r.srv, "acme", email, pwNew)

			again := r.srv.NewClient(t)
			wantStatus(t, again.Get(link), http.StatusGone)
			wantStatus(t, again.Post(link, url.Values{"password": {pwAnother}, "password_confirm": {pwAnother}}), http.StatusGone)
		})

		t.Run("a reset link expires after one hour", func(t *testing.T) {
			wantStatus(t, r.staff.Post(fmt.Sprintf("/app/portal-users/%d/reset", uid), nil), http.StatusSeeOther)
			r.deliver()
			link := r.mailLink(t, r.mail.Last(email), "acme", "reset", "Set a new password")
			c := r.srv.NewClient(t)
			r.db.Clock.Advance(59 * time.Minute)
			wantStatus(t, c.Get(link), http.StatusOK)
			r.db.Clock.Advance(2 * time.Minute)
			resp := c.Get(link)
			wantStatus(t, resp, http.StatusGone)
			wantBody(t, resp, "This link is no longer valid", "Ask Company acme to send you a new invitation", "Request a new password")
			wantStatus(t, c.Post(link, url.Values{"password": {pwAnother}, "password_confirm": {pwAnother}}), http.StatusGone)
			wantPortalSignIn(t, r.srv, "acme", email, pwNew)
		})
	})
}

// wantPortalSites checks the sites the portal user c sees on the My data page
// of the client: all of want, none of absent.
func wantPortalSites(t *testing.T, c *testenv.Client, clientID int64, want, absent []*domain.Site) {
	t.Helper()
	r := c.Get(fmt.Sprintf("/portal/acme/my-data?company=%d", clientID))
	wantStatus(t, r, http.StatusOK)
	if n := strings.Count(r.Body, "data-site-id="); n != len(want) {
		t.Errorf("My data of client %d lists %d sites, want %d", clientID, n, len(want))
	}
	for _, st := range want {
		wantBody(t, r, fmt.Sprintf(`data-site-id="%d"`, st.ID), html.EscapeString(st.Name))
	}
	for _, st := range absent {
		dontWantBody(t, r, fmt.Sprintf(`data-site-id="%d"`, st.ID), html.EscapeString(st.Name))
	}
}

// Inviting and adding need portal.invite; disconnecting and editing access need
// clients.manage. Without them the buttons are not shown and the endpoints refuse;
// administrators find every portal action in the audit log.
func TestPortalAccessPermissions(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newPortalRig(t, db)
		abc := r.client(t, "ABC s.r.o.", "office@abc.test", "")
		jana := r.db.Contact(t, r.tn, abc, "Jana", "Nová", "jana@abc.test")
		wantInvited(t, r.staff, invite(r.staff, abc.ID, "main", ""), abc.ID)
		uid := portalUserID(t, r.db, r.tn, "office@abc.test")
		r.db.StaffUser(t, r.tn, "reader@acme.test")
		r.db.StaffUser(t, r.tn, "inviter@acme.test", access.PortalInvite)
		r.db.StaffUser(t, r.tn, "manager@acme.test", access.ClientsManage)
		as := func(t *testing.T, email string) *testenv.Client {
			c := r.srv.NewClient(t)
			c.SignIn("acme", email)
			return c
		}
		cp := clientPath(abc.ID)
		var (
			invitePost  = func(c *testenv.Client) *testenv.Response { return invite(c, abc.ID, "other", "new@abc.test") }
			contactPost = func(c *testenv.Client) *testenv.Response {
				return c.Post(fmt.Sprintf("%s/contacts/%d/invite", cp, jana.ID), nil)
			}
			resendPost = func(c *testenv.Client) *testenv.Response {
				return c.Post(fmt.Sprintf("%s/portal/%d/resend", cp, uid), nil)
			}
			addPost = func(c *testenv.Client) *testenv.Response {
				return c.Post("/app/portal-users", url.Values{"first_name": {"A"}, "last_name": {"B"}, "email": {"added@abc.test"}, "client_ids": {itoa(abc.ID)}})
			}
			resetPost = func(c *testenv.Client) *testenv.Response {
				return c.Post(fmt.Sprintf("/app/portal-users/%d/reset", uid), nil)
			}
			disconnectPost = func(c *testenv.Client) *testenv.Response {
				return c.Post(fmt.Sprintf("%s/portal/%d/disconnect", cp, uid), nil)
			}
			editPost = func(c *testenv.Client) *testenv.Response {
				return c.Post(fmt.Sprintf("/app/portal-users/%d", uid), url.Values{"first_name": {"Office"}, "last_name": {"Person"}, "client_ids": {itoa(abc.ID)}})
			}
		)
		inviteMarkup := []string{`href="` + cp + `/portal/invite"`, "Add (", `id="invite-dialog"`, "/resend\""}
		manageMarkup := []string{"/disconnect\"", `data-open-dialog="disconnect-`}

		t.Run("without portal.invite: no invite buttons; the endpoints refuse", func(t *testing.T) {
			c := as(t, "manager@acme.test")
			dontWantBody(t, c.Get(cp), inviteMarkup...)
			dontWantBody(t, c.Get(cp+"/contacts"), "Invite to portal")
			dontWantBody(t, c.Get("/app/users"), `href="/app/portal-users/new"`, "/reset\"")
			wantStatus(t, c.Get(cp+"/portal/invite"), http.StatusForbidden)
			wantStatus(t, c.Get("/app/portal-users/new"), http.StatusForbidden)
			for name, post := range map[string]func(*testenv.Client) *testenv.Response{
				"invite": invitePost, "contact invite": contactPost, "resend": resendPost, "add": addPost, "reset": resetPost,
			} {
				resp := post(c)
				if resp.Status != http.StatusForbidden {
					t.Errorf("%s without portal.invite: status %d, want 403", name, resp.Status)
				}
				if !strings.Contains(resp.Body, "“Invite portal users” permission") {
					t.Errorf("%s: the refusal does not name the permission", name)
				}
			}
			// It can disconnect and edit, and sees the chain icon.
			wantBody(t, c.Get(cp), manageMarkup...)
			wantStatus(t, editPost(c), http.StatusSeeOther)
		})

		t.Run("without clients.manage: no chain icon; disconnect and edit refuse", func(t *testing.T) {
			c := as(t, "inviter@acme.test")
			page := c.Get(cp)
			wantBody(t, page, `href="`+cp+`/portal/invite"`, "Add (1/5)", "/resend\"")
			dontWantBody(t, page, manageMarkup...)
			dontWantBody(t, c.Get("/app/users"), fmt.Sprintf(`href="/app/portal-users/%d/edit"`, uid))
			wantStatus(t, c.Get(fmt.Sprintf("/app/portal-users/%d/edit", uid)), http.StatusForbidden)
			for name, post := range map[string]func(*testenv.Client) *testenv.Response{"disconnect": disconnectPost, "edit": editPost} {
				resp := post(c)
				if resp.Status != http.StatusForbidden || !strings.Contains(resp.Body, "“Manage clients” permission") {
					t.Errorf("%s without clients.manage: status %d, want 403 naming the permission", name, resp.Status)
				}
			}
			wantStatus(t, resendPost(c), http.StatusSeeOther)
			wantStatus(t, resetPost(c), http.StatusSeeOther)
		})

		t.Run("a reader sees the card and can change nothing", func(t *testing.T) {
			c := as(t, "reader@acme.test")
			page := c.Get(cp)
			wantBody(t, page, "Portal access", "office@abc.test")
			dontWantBody(t, page, append(inviteMarkup, manageMarkup...)...)
			for _, post := range []func(*testenv.Client) *testenv.Response{invitePost, contactPost, resendPost, addPost, resetPost, disconnectPost, editPost} {
				wantStatus(t, post(c), http.StatusForbidden)
			}
			wantStatus(t, c.Get("/app/audit"), http.StatusForbidden)
		})

		t.Run("the audit log lists every portal action", func(t *testing.T) {
			wantStatus(t, disconnectPost(r.staff), http.StatusSeeOther)
			log := r.staff.Get("/app/audit")
			wantStatus(t, log, http.StatusOK)
			for _, action := range []string{"portal.invite", "portal.resend", "portal.access.edit", "portal.disconnect", "portal.reset"} {
				if !strings.Contains(log.Body, ">"+action+"<") {
					t.Errorf("the audit log lacks %s", action)
				}
			}
			wantBody(t, log, "Staff inviter@acme.test", "Staff manager@acme.test", "office@abc.test")
		})
	})
}

// auditRow returns the newest row of the staff Audit log page with the action.
func auditRow(t *testing.T, c *testenv.Client, action string) string {
	t.Helper()
	page := c.Get("/app/audit")
	wantStatus(t, page, http.StatusOK)
	for _, row := range strings.Split(page.Body, "<tr>") {
		if strings.Contains(row, ">"+action+"<") {
			return row
		}
	}
	t.Fatalf("the audit log has no %s entry", action)
	return ""
}
