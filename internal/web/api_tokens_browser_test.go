package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portico/internal/testenv"
)

// A staff member opens API tokens from Account security, creates a token, sees
// it once, and revokes it through the confirmation dialog; on a phone the page
// does not scroll sideways. The token works on the API until revoked.
// Screenshots land in test-artifacts/.
func TestBrowserAPITokens(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t, "sqlite")
	srv := testenv.StartServer(t, db)
	db.Tenant(t, "acme")
	for _, phone := range []bool{false, true} {
		b := testenv.NewBrowser(t)
		shot := "api-tokens-desktop"
		if phone {
			b, shot = testenv.NewPhoneBrowser(t), "api-tokens-phone"
		}
		browserSignIn(t, b, srv.URL, "login")
		b.Run(chromedp.Navigate(srv.URL + "/app/account/security"))
		if st := b.Follow(chromedp.Click(`//a[normalize-space()="API tokens"]`)); st != http.StatusOK {
			t.Fatalf("opening API tokens: status %d", st)
		}
		b.Run(browserFill("name", "Building dashboard"))
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("creating a token: status %d", st)
		}
		browserWantText(t, b, "Your new token", "It is shown only once", "Building dashboard", "Active")
		token := strings.TrimSpace(testenv.Result(b, chromedp.Text(chromedp.CSS(`[data-new-token]`))))
		if !strings.HasPrefix(token, "ptc_") {
			t.Fatalf("token shown: %q", token)
		}
		browserNoSidewaysScroll(t, b, "API tokens")
		b.Screenshot(shot)
		newAPIClient(t, srv.URL, token).get("/api/v1/staff/clients", http.StatusOK)

		b.Run(chromedp.Click(chromedp.CSS(`button[data-open-dialog^="revoke-token-"]`)), chromedp.WaitVisible(chromedp.CSS(`dialog[open]`)))
		b.Screenshot(shot + "-revoke")
		if st := b.Follow(chromedp.Click(chromedp.CSS(`dialog[open] button[type=submit]`))); st != http.StatusOK {
			t.Fatalf("revoking: status %d", st)
		}
		browserWantText(t, b, "The token was revoked", "Revoked")
		newAPIClient(t, srv.URL, token).get("/api/v1/staff/clients", http.StatusUnauthorized)
		b.Screenshot(shot + "-revoked")
	}
}
