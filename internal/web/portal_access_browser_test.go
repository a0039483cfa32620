package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portico/internal/testenv"
)

// A staff member opens a client, clicks Invite, chooses Another email and sends;
// the demo mailbox receives the invitation; its link leads to the activation
// page, where the new user sets a password and lands in the portal showing the
// company. Screenshots of every step land in test-artifacts/.
func TestBrowserPortalInvite(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServerWith(t, db, testenv.ServerOptions{DevMailbox: true})
		tn := db.Tenant(t, "acme")
		c := newClient(t, db, tn, "ABC s.r.o.", "office@abc.test", "protocols@abc.test")
		db.Site(t, tn, c, "Košice branch", "Košice")
		worker := srv.DevMailWorker(t)
		b := testenv.NewBrowser(t)

		browserSignIn(t, b, srv.URL, "login")
		b.Run(chromedp.Navigate(srv.URL+clientPath(c.ID)), chromedp.WaitVisible(chromedp.ID("portal-access")))
		browserWantText(t, b, "Client does not have portal access")
		b.Screenshot("portal-access-card-empty")

		// Invite opens the dialog, with all three options for a client with a protocol email.
		b.Run(
			chromedp.Click(chromedp.CSS(`#portal-access [data-open-dialog="invite-dialog"]`)),
			chromedp.WaitVisible(chromedp.ID("invite-dialog")),
		)
		dialog := testenv.Result(b, chromedp.Text(chromedp.ID("invite-dialog")))
		for _, want := range []string{"Main email", "office@abc.test", "Protocol email", "protocols@abc.test", "Another email"} {
			if !strings.Contains(dialog, want) {
				t.Errorf("the invitation dialog lacks %q:\n%s", want, dialog)
			}
		}
		b.Run(
			chromedp.Click(chromedp.CSS(`#invite-dialog input[name="email_choice"][value="other"]`)),
			browserFill("other_email", "marta@abc.test"),
		)
		b.Screenshot("invite-dialog")
		if st := b.Follow(chromedp.Click(chromedp.CSS(`#invite-dialog button[type="submit"]`))); st != http.StatusOK {
			t.Fatalf("sending the invitation: status %d, want 200 after the redirect", st)
		}
		browserWantText(t, b, "Invitation sent to marta@abc.test.", "marta@abc.test", "Add (1/5)")
		b.Screenshot("portal-access-card-queued")

		if n := testenv.DeliverAll(t, worker); n != 1 {
			t.Fatalf("the worker delivered %d mails to the mailbox, want 1", n)
		}
		b.Run(chromedp.Navigate(srv.URL + "/app/dev/mailbox"))
		browserWantText(t, b, "Invitation to the client portal", "marta@abc.test", "Company acme invites you")
		b.Screenshot("mailbox")

		link := chromedp.CSS(`a[href*="/portal/acme/activate/"]`)
		href := testenv.Result(b, chromedp.AttributeValue(link, "href")).Value
		if !strings.HasPrefix(href, srv.URL+"/portal/acme/activate/") {
			t.Fatalf("the mailbox's activation link %q is not built from the base URL", href)
		}
		if st := b.Follow(chromedp.Click(link)); st != http.StatusOK {
			t.Fatalf("opening the activation link: status %d", st)
		}
		browserWantText(t, b, "Activate your account", "marta@abc.test", "Company acme")
		b.Screenshot("activation-page")
		// One password field, focused, with a Show button to check what was typed.
		if !testenv.Result(b, chromedp.Evaluate[bool](`document.activeElement && document.activeElement.id === "f-password"`)) {
			t.Error("the activation page does not put the cursor in the password field")
		}
		b.Run(browserFill("password", pwAnother))
		reveal := chromedp.CSS(`button[data-reveal-password="f-password"]`)
		b.Run(chromedp.Click(reveal))
		if got := testenv.Result(b, chromedp.Evaluate[string](`document.getElementById("f-password").type + " " + document.querySelector("[data-reveal-password]").getAttribute("aria-pressed") + " " + document.querySelector("[data-reveal-password]").innerText.trim()`)); got != "text true Hide" {
			t.Errorf("after Show the password field and its button are %q, want text, pressed, Hide", got)
		}
		b.Screenshot("activation-password-shown")
		b.Run(chromedp.Click(reveal))
		if got := testenv.Result(b, chromedp.Evaluate[string](`document.getElementById("f-password").type + " " + document.querySelector("[data-reveal-password]").innerText.trim()`)); got != "password Show" {
			t.Errorf("after Hide the password field and its button are %q, want password, Show", got)
		}
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("activating: status %d, want 200 after the redirect", st)
		}
		if got := browserLocation(t, b); got != srv.URL+"/portal/acme/welcome" {
			t.Fatalf("after activation the browser is at %s, want the welcome page", got)
		}
		browserWantText(t, b, "Your account is ready", srv.URL+"/portal/acme/login", "Bookmark it")
		b.Screenshot("portal-welcome")
		if st := b.Follow(chromedp.Click(`//a[normalize-space()="Go to the overview"]`)); st != http.StatusOK {
			t.Fatalf("the overview: status %d", st)
		}
		browserWantText(t, b, "ABC s.r.o.", "Company acme")
		b.Screenshot("portal-first-page")

		// Back in the staff app, the card shows the delivery and the active user.
		b.Run(chromedp.Navigate(srv.URL+clientPath(c.ID)), chromedp.WaitVisible(chromedp.ID("portal-access")))
		card := testenv.Result(b, chromedp.Text(chromedp.ID("portal-access")))
		for _, want := range []string{"marta@abc.test", "Active", "Sent", "Add (1/5)"} {
			if !strings.Contains(card, want) {
				t.Errorf("the card after activation lacks %q:\n%s", want, card)
			}
		}
		b.Screenshot("portal-access-card-active")

		// The same pages on a phone: nothing may scroll sideways. Layout does not
		// depend on the database, so one engine is enough.
		if db.Engine != "sqlite" {
			return
		}
		p := testenv.NewPhoneBrowser(t)
		browserSignIn(t, p, srv.URL, "phone-login")
		p.Run(chromedp.Navigate(srv.URL+clientPath(c.ID)), chromedp.WaitVisible(chromedp.ID("portal-access")))
		browserNoSidewaysScroll(t, p, "client page with the Portal access card")
		p.Screenshot("phone-portal-access-card")
		p.Run(
			chromedp.Click(chromedp.CSS(`#portal-access [data-open-dialog="invite-dialog"]`)),
			chromedp.WaitVisible(chromedp.ID("invite-dialog")),
		)
		p.Screenshot("phone-invite-dialog")
		p.Run(chromedp.Navigate(srv.URL + "/app/dev/mailbox"))
		browserNoSidewaysScroll(t, p, "mailbox")
		p.Screenshot("phone-mailbox")
		p.Run(chromedp.Navigate(srv.URL + "/portal/acme/login"))
		browserNoSidewaysScroll(t, p, "portal sign-in")
		p.Screenshot("phone-portal-login")
	})
}
