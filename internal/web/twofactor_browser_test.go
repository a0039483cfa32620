package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portico/internal/app"
	"portico/internal/auth"
	"portico/internal/store"
	"portico/internal/testenv"
)

// An administrator opens Account security from the top bar, sets up two-factor
// sign-in with the QR page (the image loads under the page's CSP), types a code
// computed from the key shown as text, sees the recovery codes, signs out and
// back in with password and code; then resets a portal user's two-factor sign-in
// through the confirmation dialog. Screenshots land in test-artifacts/.
func TestBrowserTwoFactor(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		client := db.Client(t, tn, "ABC s.r.o.")
		pu := db.PortalUser(t, tn, app.NewPortalUser{Email: "lost@abc.test", FirstName: "Lost", LastName: "Phone", ClientIDs: []int64{client.ID}})
		acct := store.Account{CompanyID: tn.Company.ID, UserID: pu.ID, Portal: true}
		key, err := auth.NewTOTPKey("Company acme", pu.Email)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Store.StartTwoFactor(t.Context(), acct, key.Secret()); err != nil {
			t.Fatal(err)
		}
		if err := db.Store.EnableTwoFactor(t.Context(), acct, key.Secret(), 1, nil); err != nil {
			t.Fatal(err)
		}
		b := testenv.NewBrowser(t)

		browserSignIn(t, b, srv.URL, "login")
		if st := b.Follow(chromedp.Click(chromedp.CSS(`a.topbar-user`))); st != http.StatusOK {
			t.Fatalf("opening Account security: status %d", st)
		}
		browserWantText(t, b, "Account security", "Two-factor sign-in", "Off")
		if st := b.Follow(chromedp.Click(browserLink("Set up two-factor sign-in"))); st != http.StatusOK {
			t.Fatalf("starting the set-up: status %d", st)
		}
		b.Run(chromedp.WaitVisible(chromedp.CSS(`img.qr`)))
		if w := testenv.Result(b, chromedp.Evaluate[int](`document.querySelector("img.qr").naturalWidth`)); w == 0 {
			t.Fatalf("the QR code did not load")
		}
		b.Screenshot("two-factor-setup")
		secret := strings.ReplaceAll(testenv.Result(b, chromedp.Text(chromedp.CSS(`[data-totp-secret]`))), " ", "")
		b.Run(browserFill("code", realCode(t, db, secret)))
		// The page has more than one form (Language above): the setup's own button.
		if st := b.Follow(chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button[type=submit]`))); st != http.StatusOK {
			t.Fatalf("confirming: status %d", st)
		}
		browserWantText(t, b, "Your recovery codes", "Store these codes somewhere safe", "On")
		b.Screenshot("two-factor-recovery-codes")
		db.Clock.Advance(auth.TOTPPeriod * time.Second)

		if st := b.Follow(chromedp.Click(chromedp.CSS(`.btn-signout`))); st != http.StatusOK {
			t.Fatalf("signing out: status %d", st)
		}
		browserSignIn(t, b, srv.URL, "login-again")
		if got := browserLocation(t, b); !strings.HasPrefix(got, srv.URL+"/app/login/code") {
			t.Fatalf("after the password the browser is at %s, want the code page", got)
		}
		browserWantText(t, b, "Two-factor sign-in", "recovery codes")
		b.Screenshot("two-factor-code-page")
		b.Run(browserFill("code", realCode(t, db, secret)))
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("sending the code: status %d", st)
		}
		if got := browserLocation(t, b); got != srv.URL+"/app/clients" {
			t.Fatalf("after the code the browser is at %s, want the clients list", got)
		}

		b.Run(chromedp.Navigate(srv.URL+"/app/portal-users/"+itoa(pu.ID)+"/edit"), chromedp.WaitVisible(chromedp.ID("two-factor")))
		b.Run(chromedp.Click(chromedp.CSS(`[data-open-dialog="reset-2fa"]`)), chromedp.WaitVisible(chromedp.ID("reset-2fa")))
		browserWantText(t, b, "Reset two-factor sign-in of lost@abc.test?")
		b.Screenshot("two-factor-reset-dialog")
		if st := b.Follow(chromedp.Click(chromedp.CSS(`#reset-2fa button[type="submit"]`))); st != http.StatusOK {
			t.Fatalf("resetting: status %d", st)
		}
		browserWantText(t, b, "Two-factor sign-in was reset.")
		b.Run(chromedp.Navigate(srv.URL + "/app/audit"))
		browserWantText(t, b, "portal.two_factor_reset", "lost@abc.test")
	})
}
