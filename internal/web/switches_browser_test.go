package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portico/internal/domain"
	"portico/internal/testenv"
)

// A portal user turns a switch on: the row turns green without a reload and
// "You" heads the Recent activity; then someone presses the device's button and
// the row turns grey live, the activity saying External. Screenshots of each step
// land in test-artifacts/.
func TestBrowserPortalTurnsSwitchOn(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newSwRig(t, db)
		tas := r.ss.Device(t, r.tas, r.passwords[0])
		r.ss.Device(t, r.sh, r.passwords[1])
		slug := r.tn.Company.Slug
		swPortalUser(t, db, r.tn, "Denisa", "denisa@dencorp.test", []int64{r.client.ID})
		// Some history by the team, so the card has more than one kind of line.
		if res, err := r.ss.Switches.ToggleAsStaff(context.Background(), r.tn.Staff, r.sh.ID, true); err != nil || res.Status != domain.EventConfirmed {
			t.Fatalf("staff toggle: %+v %v", res, err)
		}

		b := testenv.NewBrowser(t)
		b.Run(chromedp.Navigate(r.ss.URL+"/portal/"+slug+"/login"), chromedp.WaitVisible(chromedp.ID("f-email")))
		b.Run(browserFill("email", "denisa@dencorp.test"), browserFill("password", testenv.Password))
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("portal sign-in: status %d", st)
		}
		b.Follow(chromedp.Click(`//nav//a[normalize-space()="Projects"]`))
		browserWantText(t, b, "Office lighting")
		b.Screenshot("portal-projects")
		b.Follow(chromedp.Click(`//table//a[normalize-space()="Office lighting"]`))
		row := fmt.Sprintf("#switch-%d", r.tas.ID)
		b.Run(chromedp.WaitVisible(chromedp.CSS(row + ".switch-grey")))
		// The stream is open before anything happens.
		waitJS(t, b, `!!window.EventSource`)
		b.Screenshot("portal-project-off")

		// A marker that a reload would wipe.
		b.Run(chromedp.Evaluate[chromedp.Void](`window.__noReload = true`))
		b.Run(chromedp.Click(chromedp.CSS(row+" form.switch-toggle button"), chromedp.NodeVisible))
		b.Run(chromedp.WaitVisible(chromedp.CSS(row + ".switch-green")))
		waitJS(t, b, `document.querySelector("#switch-activity .activity-row .activity-who").textContent.trim() === "You"`)
		if !testenv.Result(b, chromedp.Evaluate[bool](`window.__noReload === true`)) {
			t.Error("the page reloaded to show the new state")
		}
		if got := strings.TrimSpace(testenv.Result(b, chromedp.Text(chromedp.CSS(row+" .switch-toggle button")))); got != "Turn off" {
			t.Errorf("the green row's button says %q, want Turn off", got)
		}
		if !tas.On() {
			t.Error("the device is not on")
		}
		b.Screenshot("portal-turned-on")

		// The button on the device: grey again, live, External.
		tas.Press(context.Background())
		b.Run(chromedp.WaitVisible(chromedp.CSS(row + ".switch-grey")))
		waitJS(t, b, fmt.Sprintf(`document.querySelector("#switch-activity .activity-row .activity-who").textContent.trim() === %q`, domain.ExternalLabel))
		if !testenv.Result(b, chromedp.Evaluate[bool](`window.__noReload === true`)) {
			t.Error("the page reloaded on the button press")
		}
		browserWantText(t, b, domain.ExternalLabel, "You", r.tn.Company.TeamLabel())
		b.Screenshot("portal-button-pressed")

		// Offline: orange, button disabled.
		tas.GoOffline()
		b.Run(chromedp.WaitVisible(chromedp.CSS(row + ".switch-orange")))
		if !testenv.Result(b, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).disabled`, row+" .switch-toggle button"))) {
			t.Error("the offline switch's button is not disabled")
		}
		b.Screenshot("portal-offline")

		// The staff page: real names, sources, manage buttons.
		sb := testenv.NewBrowser(t)
		browserSignInAs(t, sb, r.ss.URL, slug, r.tn.Admin.Email)
		sb.Run(chromedp.Navigate(fmt.Sprintf("%s/app/clients/%d/projects/%d", r.ss.URL, r.client.ID, r.project.ID)),
			chromedp.WaitVisible(chromedp.CSS("#switches")))
		browserWantText(t, sb, "Denisa Portalová", r.tn.Admin.Name, domain.ExternalLabel, "Add switch")
		sb.Screenshot("staff-project")
	})
}

// waitJS waits (up to 20 s) until the expression is true in the page.
func waitJS(t *testing.T, b *testenv.Browser, expr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !testenv.Result(b, chromedp.Evaluate[bool](`(function(){try{return !!(`+expr+`)}catch(e){return false}})()`)) {
		if time.Now().After(deadline) {
			t.Fatalf("the page never satisfied %s", expr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// browserSignInAs signs in to the staff app of the tenant.
func browserSignInAs(t *testing.T, b *testenv.Browser, base, slug, email string) {
	t.Helper()
	b.Run(chromedp.Navigate(base+"/app/login"), chromedp.WaitVisible(chromedp.ID("f-company")))
	b.Run(browserFill("company", slug), browserFill("email", email), browserFill("password", testenv.Password))
	if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
		t.Fatalf("staff sign-in: status %d", st)
	}
}
