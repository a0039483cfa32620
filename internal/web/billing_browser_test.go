package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portico/internal/domain"
	"portico/internal/testenv"
)

// In a browser: the Košice site manager signs in to the portal, opens Estimates,
// opens the estimate for her site, accepts it in the confirmation dialog with a
// comment, and sees it accepted; then staff find it accepted, by her, on the
// client's Billing tab. The estimate page and the staff invoice form are also
// checked at phone width. Screenshots of every step land in test-artifacts/.
func TestBrowserEstimateAcceptance(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newBillingRig(t, db)
		hash := testenv.PasswordHash(t, testenv.Password)
		if err := db.Store.SetPortalPassword(t.Context(), r.tn.Company.ID, r.kosiceOnly.ID, hash); err != nil {
			t.Fatal(err)
		}
		e := r.estimate(t, true, 2, 30)
		total := domain.BillingFormat{}.Money(domain.ComputeTotals(e.Lines).Gross, "EUR")
		base := r.srv.URL
		b := testenv.NewBrowser(t)

		// The portal: sign in, Estimates, the estimate.
		b.Run(chromedp.Navigate(base+"/portal/acme/login"), chromedp.WaitVisible(chromedp.ID("f-email")))
		b.Run(browserFill("email", r.kosiceOnly.Email), browserFill("password", testenv.Password))
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("portal sign-in: status %d", st)
		}
		b.Follow(chromedp.Click(`//nav[@aria-label="Main"]/a[normalize-space()="Estimates"]`))
		browserWantText(t, b, e.Number, "Rodent monitoring — Košice", "Awaiting decision", total)
		b.Screenshot("portal-estimates")
		b.Follow(chromedp.Click(browserLink(e.Number)))
		if got := browserLocation(t, b); got != fmt.Sprintf("%s/portal/acme/estimates/%d", base, e.ID) {
			t.Fatalf("the estimate's page is at %s", got)
		}
		browserWantText(t, b, "Estimate "+e.Number, "Oceľová lišta pod dvere", "Please accept or decline this estimate by", total)
		b.Screenshot("portal-estimate")

		// Accept, in the dialog, with a comment.
		b.Run(chromedp.Click(`a[data-open-dialog="accept-dialog"]`), chromedp.WaitVisible(chromedp.ID("accept-dialog")))
		// SendKeys types only what a US keyboard has; the comment's "č" is set directly.
		b.Run(chromedp.SendKeys(chromedp.ID("accept-dialog-comment"), "x"),
			chromedp.SetValue(chromedp.ID("accept-dialog-comment"), "Začnite, prosím, v pondelok."))
		b.Screenshot("portal-accept-dialog")
		if st := b.Follow(chromedp.Click(`#accept-dialog button[type=submit]`)); st != http.StatusOK {
			t.Fatalf("accepting: status %d after the redirect", st)
		}
		browserWantText(t, b, "You accepted the estimate", "Accepted by Jana Kováčová", "Začnite, prosím, v pondelok.")
		if n := testenv.Result(b, chromedp.Evaluate[int](`document.querySelectorAll('a[data-open-dialog="accept-dialog"]').length`)); n != 0 {
			t.Errorf("an accepted estimate still offers Accept")
		}
		b.Screenshot("portal-estimate-accepted")

		// Staff see it accepted, by her, with her comment.
		browserSignIn(t, b, base, "staff-login")
		b.Run(chromedp.Navigate(fmt.Sprintf("%s/app/clients/%d/billing/estimates", base, r.abc.ID)))
		row := testenv.Result(b, chromedp.Text(fmt.Sprintf(`//tr[.//a[normalize-space()=%q]]`, e.Number)))
		if !strings.Contains(row, "Accepted") {
			t.Errorf("the staff list's row %q does not say Accepted", row)
		}
		b.Screenshot("staff-estimates")
		b.Follow(chromedp.Click(browserLink(e.Number)))
		browserWantText(t, b, "Accepted by Jana Kováčová <kosice@abc.test>", "Začnite, prosím, v pondelok.")
		b.Screenshot("staff-estimate-accepted")
		b.Run(chromedp.Navigate(fmt.Sprintf("%s/app/clients/%d/billing/invoices/new", base, r.abc.ID)), chromedp.WaitVisible(chromedp.ID("f-line_desc-0")))
		b.Screenshot("staff-invoice-form")

		// At phone width nothing scrolls sideways.
		p := testenv.NewPhoneBrowser(t)
		p.Run(chromedp.Navigate(base+"/portal/acme/login"), chromedp.WaitVisible(chromedp.ID("f-email")))
		p.Run(browserFill("email", r.kosiceOnly.Email), browserFill("password", testenv.Password))
		p.Follow(chromedp.Click(browserSubmit))
		p.Run(chromedp.Navigate(fmt.Sprintf("%s/portal/acme/estimates/%d", base, e.ID)))
		browserNoSidewaysScroll(t, p, "portal estimate")
		p.Screenshot("phone-portal-estimate")
		browserSignIn(t, p, base, "phone-staff-login")
		p.Run(chromedp.Navigate(fmt.Sprintf("%s/app/clients/%d/billing/invoices/new", base, r.abc.ID)), chromedp.WaitVisible(chromedp.ID("f-line_desc-0")))
		browserNoSidewaysScroll(t, p, "staff invoice form")
		p.Screenshot("phone-staff-invoice-form")
	})
}
