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
		b.Follow(chromedp.Click(`//nav[not(ancestor::details)]//a[normalize-space()="Projects"]`)) // the desktop nav; the phone menu is closed
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

// clickToggle clicks the Turn on/off button of the row as a person would. The
// live stream may swap the row for a fresh copy at any moment, so the button is
// found and clicked in one step inside the page.
func clickToggle(t *testing.T, b *testenv.Browser, row string) {
	t.Helper()
	sel := row + " form.switch-toggle button"
	waitJS(t, b, fmt.Sprintf(`document.querySelector(%q) && !document.querySelector(%q).disabled`, sel, sel))
	b.Run(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).click()`, sel)))
}

// contrastJS computes, in the page, the WCAG contrast ratio between the text
// colour of the element sel and the background of its nearest ancestor that
// has one.
const contrastJS = `(function(sel){
  var el = document.querySelector(sel);
  if (!el) return 0;
  function rgb(s){ var m = s.match(/[\d.]+/g).map(Number); return {r:m[0], g:m[1], b:m[2], a: m.length > 3 ? m[3] : 1}; }
  function lum(c){ return [c.r, c.g, c.b].map(function(v){ v /= 255; return v <= 0.03928 ? v/12.92 : Math.pow((v+0.055)/1.055, 2.4); })
    .reduce(function(acc, v, i){ return acc + v * [0.2126, 0.7152, 0.0722][i]; }, 0); }
  var fg = rgb(getComputedStyle(el).color);
  var bgEl = el, bg;
  while (bgEl) { bg = rgb(getComputedStyle(bgEl).backgroundColor); if (bg.a > 0) break; bgEl = bgEl.parentElement; }
  if (!bgEl) bg = {r:255, g:255, b:255};
  var a = lum(fg), b = lum(bg);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
})(%q)`

// A staff member without switches.manage turns a switch on from the staff
// project page: the row turns green live and says so next to the switch. The
// portal's page still toggles; an offline row says why its button is disabled,
// legibly; and the Add switch form explains the channel for the chosen family.
func TestBrowserStaffReaderTurnsSwitchOn(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newSwRig(t, db)
		tas := r.ss.Device(t, r.tas, r.passwords[0])
		slug := r.tn.Company.Slug
		reader := db.StaffUser(t, r.tn, "reader@"+slug+".test")
		swPortalUser(t, db, r.tn, "Denisa", "denisa@dencorp.test", []int64{r.client.ID})
		row := fmt.Sprintf("#switch-%d", r.tas.ID)
		staffPage := fmt.Sprintf("%s/app/clients/%d/projects/%d", r.ss.URL, r.client.ID, r.project.ID)

		b := testenv.NewBrowser(t)
		browserSignInAs(t, b, r.ss.URL, slug, reader.Email)
		b.Run(chromedp.Navigate(staffPage), chromedp.WaitVisible(chromedp.CSS(row+".switch-grey")))
		browserWantText(t, b, "Office light")
		b.Run(chromedp.Evaluate[chromedp.Void](`window.__noReload = true`))
		clickToggle(t, b, row)
		b.Run(chromedp.WaitVisible(chromedp.CSS(row + ".switch-green")))
		waitJS(t, b, fmt.Sprintf(`document.querySelector(%q).textContent.indexOf("Office light is on.") >= 0`, row+" .switch-note"))
		if !tas.On() {
			t.Error("the device is not on")
		}
		if got := strings.TrimSpace(testenv.Result(b, chromedp.Text(chromedp.CSS(row+" .switch-state")))); got != "ON" {
			t.Errorf("the row says %q, want ON", got)
		}
		if !testenv.Result(b, chromedp.Evaluate[bool](`window.__noReload === true`)) {
			t.Error("the page reloaded to show the new state")
		}
		b.Screenshot("staff-reader-turned-on")

		// The portal's page toggles as before.
		pb := testenv.NewBrowser(t)
		pb.Run(chromedp.Navigate(r.ss.URL+"/portal/"+slug+"/login"), chromedp.WaitVisible(chromedp.ID("f-email")))
		pb.Run(browserFill("email", "denisa@dencorp.test"), browserFill("password", testenv.Password))
		if st := pb.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("portal sign-in: status %d", st)
		}
		pb.Run(chromedp.Navigate(fmt.Sprintf("%s/portal/%s/projects/%d", r.ss.URL, slug, r.project.ID)),
			chromedp.WaitVisible(chromedp.CSS(row+".switch-green")))
		clickToggle(t, pb, row)
		pb.Run(chromedp.WaitVisible(chromedp.CSS(row + ".switch-grey")))
		waitJS(t, pb, fmt.Sprintf(`document.querySelector(%q).textContent.indexOf("Office light is off.") >= 0`, row+" .switch-note"))
		if tas.On() {
			t.Error("the device is still on after the portal turned it off")
		}
		// The staff page follows live.
		b.Run(chromedp.WaitVisible(chromedp.CSS(row + ".switch-grey")))

		// Offline: the row says why its button is disabled, at a legible contrast.
		tas.GoOffline()
		for _, br := range []*testenv.Browser{b, pb} {
			br.Run(chromedp.WaitVisible(chromedp.CSS(row + ".switch-orange")))
			browserWantText(t, br, "it can be turned on or off once it is back online")
			if !testenv.Result(br, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).disabled`, row+" .switch-toggle button"))) {
				t.Error("the offline switch's button is not disabled")
			}
			if c := testenv.Result(br, chromedp.Evaluate[float64](fmt.Sprintf(contrastJS, row+" .switch-why"))); c < 4.5 {
				t.Errorf("the offline reason's contrast is %.2f:1, want at least 4.5:1", c)
			}
		}
		b.Screenshot("staff-offline")
		pb.Screenshot("portal-offline-why")

		// The Add switch form: the channel hint follows the family.
		ab := testenv.NewBrowser(t)
		browserSignInAs(t, ab, r.ss.URL, slug, r.tn.Admin.Email)
		ab.Run(chromedp.Navigate(staffPage+"/switches/new"), chromedp.WaitVisible(chromedp.ID("f-family")))
		hint := func() string { return testenv.Result(ab, chromedp.Text(chromedp.ID("channel-hint"))) }
		if h := hint(); !strings.Contains(h, "POWER1") || strings.Contains(h, "switch:0") {
			t.Errorf("with Tasmota chosen the channel hint says %q", h)
		}
		ab.Run(chromedp.Evaluate[chromedp.Void](`(function(){var s=document.getElementById("f-family"); s.value="shelly"; s.dispatchEvent(new Event("change",{bubbles:true}));})()`))
		if h := hint(); !strings.Contains(h, "switch:0 is the first") || !strings.Contains(h, "Leave empty") {
			t.Errorf("with Shelly chosen the channel hint says %q", h)
		}
		ab.Screenshot("add-switch-shelly")
	})
}
