package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portico/internal/testenv"
)

// The names carry diacritics and an em dash on purpose: they must survive the
// form post, both databases, the flash cookie and the HTML escaping unchanged.
const (
	kosiceClientName = "Košice Facility s.r.o."
	kosiceSiteName   = "Košice — Hlavná"
	kosiceSiteStreet = "Hlavná 45"
	kosiceCity       = "Košice"
)

// A staff member signs in, adds a client (after a failed first attempt), gives it
// a site in Košice, opens and cancels the site's delete confirmation, and finds
// everything listed with its diacritics; then the same pages are checked at phone
// width. Screenshots of every step land in test-artifacts/.
func TestBrowserCreateClientWithKosiceSite(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		b := testenv.NewBrowser(t)

		browserSignIn(t, b, srv.URL, "login")
		if got := browserLocation(t, b); got != srv.URL+"/app/clients" {
			t.Fatalf("after sign-in the browser is at %s, want the clients list", got)
		}
		browserWantText(t, b, "No clients yet")
		b.Screenshot("clients-empty")

		// A first attempt with no name and a bad email is refused field by field,
		// and keeps what was typed.
		b.Follow(chromedp.Click(browserLink("Add client")))
		b.Run(
			browserFill("company_number", "36123456"),
			browserFill("email", "office@kosice"),
			browserFill("city", kosiceCity),
		)
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusUnprocessableEntity {
			t.Errorf("creating a client without a name: status %d, want 422", st)
		}
		for field, want := range map[string]string{
			"name":  "Name is required.",
			"email": "Enter a valid email address",
		} {
			if !testenv.Result(b, chromedp.Evaluate[bool](fmt.Sprintf(
				`document.getElementById("f-%s").closest(".field").classList.contains("has-error")`, field))) {
				t.Errorf("the %s field is not marked .has-error", field)
			}
			msg := testenv.Result(b, chromedp.Text(chromedp.CSS(".field.has-error #e-"+field), chromedp.NodeVisible))
			if !strings.Contains(msg, want) {
				t.Errorf("error shown next to %s = %q, want it to say %q", field, msg, want)
			}
		}
		for field, want := range map[string]string{"company_number": "36123456", "email": "office@kosice", "city": kosiceCity} {
			if got := testenv.Result(b, chromedp.Value(chromedp.ID("f-"+field))); got != want {
				t.Errorf("after the refused post, %s = %q, want the typed %q kept", field, got, want)
			}
		}
		b.Screenshot("client-form-errors")

		b.Run(
			browserFill("name", kosiceClientName),
			browserFill("email", "office@kosice-facility.sk"),
		)
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("creating the client: status %d, want 200 after the redirect", st)
		}
		clientURL := browserLocation(t, b)
		m := regexp.MustCompile(`/app/clients/(\d+)$`).FindStringSubmatch(clientURL)
		if m == nil {
			t.Fatalf("after creating the client the browser is at %s, want the client's page", clientURL)
		}
		clientID, _ := strconv.ParseInt(m[1], 10, 64)
		if h1 := testenv.Result(b, chromedp.Text(chromedp.CSS("main h1"))); strings.TrimSpace(h1) != kosiceClientName {
			t.Errorf("client page heading = %q, want %q", h1, kosiceClientName)
		}
		browserWantText(t, b, "Client "+kosiceClientName+" created.") // through the flash cookie
		b.Screenshot("client-page")

		// A site in Košice.
		b.Follow(chromedp.Click(browserTab("Sites")))
		browserWantText(t, b, "No sites yet")
		b.Follow(chromedp.Click(browserLink("Add site")))
		b.Run(
			browserFill("name", kosiceSiteName),
			browserFill("street", kosiceSiteStreet),
			browserFill("postal_code", "040 01"),
			browserFill("city", kosiceCity),
			browserFill("country", "Slovakia"),
		)
		b.Screenshot("site-form")
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("adding the site: status %d, want 200 after the redirect", st)
		}
		sitesURL := browserLocation(t, b)
		if sitesURL != clientURL+"/sites" {
			t.Errorf("after adding the site the browser is at %s, want the Sites tab", sitesURL)
		}
		browserWantText(t, b, kosiceSiteName)
		const address = kosiceSiteStreet + ", 040 01 " + kosiceCity + ", Slovakia"
		if got := testenv.Result(b, chromedp.Text(chromedp.CSS("table.table tbody tr td:nth-child(2)"))); got != address {
			t.Errorf("site address shown = %q, want %q", got, address)
		}
		b.Screenshot("sites-list")

		// The trash icon asks first; cancelling keeps the site.
		trash := chromedp.CSS(`button.icon-btn.danger[data-open-dialog^="delete-site-"]`)
		dialogID := testenv.Result(b, chromedp.AttributeValue(trash, "data-open-dialog")).Value
		dialogOpen := chromedp.Evaluate[bool](fmt.Sprintf(`document.getElementById(%q).hasAttribute("open")`, dialogID))
		b.Run(chromedp.Click(trash), chromedp.WaitVisible(chromedp.ID(dialogID)))
		if !testenv.Result(b, dialogOpen) {
			t.Errorf("dialog #%s has no open attribute after clicking the trash icon", dialogID)
		}
		if title := testenv.Result(b, chromedp.Text(chromedp.CSS("#"+dialogID+" h2"))); !strings.Contains(title, kosiceSiteName) {
			t.Errorf("delete dialog title = %q, want it to name %q", title, kosiceSiteName)
		}
		b.Screenshot("site-delete-dialog")
		b.Run(
			chromedp.Click(chromedp.CSS("#"+dialogID+" .modal-foot button[data-close-dialog]")),
			chromedp.WaitNotVisible(chromedp.ID(dialogID)),
		)
		if testenv.Result(b, dialogOpen) {
			t.Errorf("dialog #%s is still open after Cancel", dialogID)
		}
		b.Run(chromedp.Navigate(sitesURL))
		browserWantText(t, b, kosiceSiteName)
		sites, err := db.Store.Staff(tn.Staff).Sites(context.Background(), clientID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sites) != 1 || sites[0].Name != kosiceSiteName || sites[0].Address() != address {
			t.Errorf("stored sites after cancelling the delete = %+v, want just %q", sites, kosiceSiteName)
		}

		// The clients list shows the client, its city and its one site.
		b.Run(chromedp.Navigate(srv.URL + "/app/clients"))
		row := testenv.Result(b, chromedp.Text(chromedp.CSS("table.table tbody tr"), chromedp.NodeVisible))
		for _, want := range []string{kosiceClientName, "36123456", "office@kosice-facility.sk"} {
			if !strings.Contains(row, want) {
				t.Errorf("clients list row %q lacks %q", row, want)
			}
		}
		if city := testenv.Result(b, chromedp.Text(chromedp.CSS("table.table tbody tr td:first-child .muted"))); city != kosiceCity {
			t.Errorf("clients list shows city %q under the name, want %q", city, kosiceCity)
		}
		if n := testenv.Result(b, chromedp.Text(chromedp.CSS("table.table tbody tr td.num"))); n != "1" {
			t.Errorf("clients list shows %q sites, want 1", n)
		}
		b.Screenshot("clients-list")

		// The same pages on a phone: nothing may scroll sideways.
		p := testenv.NewPhoneBrowser(t)
		browserSignIn(t, p, srv.URL, "phone-login")
		browserNoSidewaysScroll(t, p, "clients list")
		p.Screenshot("phone-clients-list")
		p.Run(chromedp.Navigate(clientURL))
		browserNoSidewaysScroll(t, p, "client page")
		p.Screenshot("phone-client-page")
		p.Run(chromedp.Navigate(sitesURL))
		browserNoSidewaysScroll(t, p, "Sites tab")
		p.Screenshot("phone-sites-list")
	})
}

// browserSubmit is a form's submit button; the sign-out button in the top bar
// is also a submit button, hence the .form-actions.
var browserSubmit = chromedp.CSS(".form-actions button[type=submit]")

// browserFill empties the form field named name and types text into it, key by
// key. Forms prefill some fields, such as Country, so typing alone would append.
// (chromedp.Clear resets only the value attribute, not what is in the box, and
// chromedp.SetValue with "" sets the value to "undefined".)
func browserFill(name, text string) chromedp.Action[chromedp.Void] {
	id := "f-" + name
	return chromedp.Steps(
		chromedp.WaitReady(chromedp.ID(id)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value = ""`, id)),
		chromedp.SendKeys(chromedp.ID(id), text),
	)
}

// browserLink finds a link or button by its visible text, as a user would.
func browserLink(text string) string {
	return fmt.Sprintf(`//main//*[self::a or self::button][normalize-space()=%q]`, text)
}

// browserTab finds a tab of the client page by its label, which a count follows.
func browserTab(label string) string {
	return fmt.Sprintf(`//nav[contains(@class,"tabs")]/a[starts-with(normalize-space(),%q)]`, label)
}

// browserSignIn opens the sign-in page, screenshots it as shot, and signs in as
// acme's administrator, landing on the clients list.
func browserSignIn(t *testing.T, b *testenv.Browser, base, shot string) {
	t.Helper()
	b.Run(chromedp.Navigate(base+"/app/login"), chromedp.WaitVisible(chromedp.ID("f-company")))
	b.Screenshot(shot)
	b.Run(
		browserFill("company", "acme"),
		browserFill("email", "admin@acme.test"),
		browserFill("password", testenv.Password),
	)
	if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
		t.Fatalf("signing in: status %d, want 200 after the redirect", st)
	}
}

// browserLocation returns the address of the page in the browser.
func browserLocation(t *testing.T, b *testenv.Browser) string {
	t.Helper()
	return testenv.Result(b, chromedp.Location())
}

// browserWantText fails the test unless each text is visible on the page.
func browserWantText(t *testing.T, b *testenv.Browser, texts ...string) {
	t.Helper()
	body := testenv.Result(b, chromedp.Evaluate[string](`document.body.innerText`))
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("page %s does not show %q; it shows:\n%s", browserLocation(t, b), s, body)
		}
	}
}

// browserNoSidewaysScroll fails the test if the page is wider than the viewport,
// naming the elements that stick out. clientWidth is the viewport without a scroll bar,
// so it is stricter than window.innerWidth.
func browserNoSidewaysScroll(t *testing.T, b *testenv.Browser, page string) {
	t.Helper()
	type widths struct {
		Scroll int      `json:"scroll"`
		Client int      `json:"client"`
		Inner  int      `json:"inner"`
		Wide   []string `json:"wide"`
	}
	w := testenv.Result(b, chromedp.Evaluate[widths](`(() => {
		const de = document.documentElement, vw = de.clientWidth;
		const wide = [...document.querySelectorAll("body *")]
			.filter(e => e.getBoundingClientRect().right > vw + 0.5)
			.slice(0, 8)
			.map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") +
				" (right edge " + Math.round(e.getBoundingClientRect().right) + "px)");
		return {scroll: de.scrollWidth, client: vw, inner: window.innerWidth, wide};
	})()`))
	if w.Scroll > w.Client || w.Scroll > w.Inner {
		t.Errorf("%s scrolls sideways at phone width: scrollWidth %d > clientWidth %d (innerWidth %d); too wide: %s",
			page, w.Scroll, w.Client, w.Inner, strings.Join(w.Wide, ", "))
	}
}
