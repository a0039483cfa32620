package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portico/internal/testenv"
)

// navCheck is what the page says about its navigation: the links a person can
// reach (visible, inside the viewport and not covered at their centre), the
// ones they cannot, and which link is marked as the current page.
type navCheck struct {
	Reachable   []string `json:"reachable"`
	Unreachable []string `json:"unreachable"`
	Current     []string `json:"current"`
	Summary     string   `json:"summary"`
}

// navCheckJS inspects the navigation a person sees at this width: the phone's
// menu (opened first, as a tap on its summary does) or the desktop's row.
const navCheckJS = `(() => {
	const menu = document.querySelector("details.nav-menu");
	const phone = menu && getComputedStyle(menu).display !== "none";
	let links;
	if (phone) {
		menu.open = true;
		links = [...menu.querySelectorAll(".nav-menu-links a")];
	} else {
		links = [...document.querySelectorAll(".topbar > nav.nav a, .topbar-user")];
	}
	const out = {reachable: [], unreachable: [], current: [], summary: phone ? menu.querySelector("summary").innerText : ""};
	for (const a of links) {
		a.scrollIntoView({block: "nearest"});
		const r = a.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
		const hit = document.elementFromPoint(x, y);
		const path = new URL(a.href).pathname;
		const ok = r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth + 0.5 && hit && (hit === a || a.contains(hit));
		(ok ? out.reachable : out.unreachable).push(path);
		if (a.getAttribute("aria-current") === "page") out.current.push(path);
	}
	if (phone) menu.open = false;
	return out;
})()`

// Every portal page at 390 px (a phone) and 1280 px (a desktop): nothing
// scrolls sideways, every destination of the navigation is reachable in one
// tap (the phone's menu opens and each link in it is visible and clickable),
// the current page is marked, and on a phone a project's page reads switches,
// then their activity, then its invoices. Screenshots of every page at both
// widths land in test-artifacts/.
func TestBrowserPortalAtPhoneAndDesktopWidths(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newPhoneWorld(t, db)
		hash := testenv.PasswordHash(t, "owner-Lantern-1987")
		if err := db.Store.SetPortalPassword(t.Context(), w.tn.Company.ID, w.owner.ID, hash); err != nil {
			t.Fatal(err)
		}
		base := "/portal/acme"
		navs := []string{base + "/", base + "/projects", base + "/protocols", base + "/documents", base + "/invoices", base + "/estimates", base + "/my-data"}
		pages := []struct {
			name, path string
			status     int
			current    string // the navigation entry marked as the current page
		}{
			{"dashboard", "/", http.StatusOK, "/"},
			{"protocols", "/protocols", http.StatusOK, "/protocols"},
			{"protocols filtered", "/protocols?site=" + itoa(w.sites["Košice"].ID), http.StatusOK, "/protocols"},
			{"protocols empty", "/protocols?from=2001-01-01&to=2001-01-31", http.StatusOK, "/protocols"},
			{"protocols error", "/protocols?from=2026-05-01&to=2026-04-01", http.StatusUnprocessableEntity, "/protocols"},
			{"protocol", "/protocols/" + itoa(w.protocols["Košice"].ID), http.StatusOK, "/protocols"},
			{"documents", "/documents", http.StatusOK, "/documents"},
			{"document preview", "/documents/" + itoa(w.docs["all"].ID) + "/view", http.StatusOK, "/documents"},
			{"site", "/sites/" + itoa(w.sites["Košice"].ID), http.StatusOK, "/my-data"},
			{"projects", "/projects", http.StatusOK, "/projects"},
			{"project", "/projects/" + itoa(w.project.ID), http.StatusOK, "/projects"},
			{"invoices", "/invoices", http.StatusOK, "/invoices"},
			{"invoice", "/invoices/" + itoa(w.invoice.ID), http.StatusOK, "/invoices"},
			{"estimates", "/estimates", http.StatusOK, "/estimates"},
			{"my data", "/my-data", http.StatusOK, "/my-data"},
			{"account", "/account", http.StatusOK, "/account"},
			{"account security", "/account/security", http.StatusOK, "/account/security"},
			{"api tokens", "/account/tokens", http.StatusOK, "/account/tokens"},
		}
		for _, width := range []int{390, 1280} {
			t.Run(fmt.Sprint(width), func(t *testing.T) {
				var b *testenv.Browser
				if width == 390 {
					b = testenv.NewPhoneBrowser(t)
				} else {
					b = testenv.NewBrowser(t)
				}
				b.Run(chromedp.Navigate(w.srv.URL+base+"/login"), chromedp.WaitVisible(chromedp.ID("f-email")))
				b.Run(browserFill("email", "owner@abc.test"), browserFill("password", "owner-Lantern-1987"))
				if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
					t.Fatalf("signing in: status %d", st)
				}
				for _, pg := range pages {
					if st := b.Follow(chromedp.Navigate(w.srv.URL + base + pg.path)); st != pg.status {
						t.Errorf("%s: status %d, want %d", pg.name, st, pg.status)
					}
					browserNoSidewaysScroll(t, b, fmt.Sprintf("%s at %d px", pg.name, width))
					nc := testenv.Result(b, chromedp.Evaluate[navCheck](navCheckJS))
					if len(nc.Unreachable) > 0 {
						t.Errorf("%s at %d px: navigation links that cannot be tapped: %v", pg.name, width, nc.Unreachable)
					}
					for _, n := range navs {
						if !strings.Contains(strings.Join(nc.Reachable, " "), n+" ") && !strings.HasSuffix(strings.Join(nc.Reachable, " "), n) {
							t.Errorf("%s at %d px: %s is not reachable from the navigation (reachable: %v)", pg.name, width, n, nc.Reachable)
						}
					}
					if width == 390 {
						for _, n := range []string{base + "/account", base + "/account/security", base + "/account/tokens"} {
							if !strings.Contains(strings.Join(nc.Reachable, " "), n) {
								t.Errorf("%s at 390 px: the menu lacks %s", pg.name, n)
							}
						}
						if !strings.Contains(nc.Summary, "Peter Novák") {
							t.Errorf("%s at 390 px: the menu's summary %q does not name the user", pg.name, nc.Summary)
						}
					}
					// The desktop's account pages are under one entry: the user's name.
					want := base + pg.current
					if width == 1280 && strings.HasPrefix(pg.path, "/account") {
						want = base + "/account"
					}
					if len(nc.Current) != 1 || nc.Current[0] != want {
						t.Errorf("%s at %d px: the navigation marks %v as the current page, want %s", pg.name, width, nc.Current, want)
					}
					b.Screenshot(fmt.Sprintf("%s-%d", strings.ReplaceAll(pg.name, " ", "-"), width))
				}

				// On the project page the switches come first, then their
				// activity, then billing — on the phone one above the other.
				b.Follow(chromedp.Navigate(w.srv.URL + base + "/projects/" + itoa(w.project.ID)))
				tops := testenv.Result(b, chromedp.Evaluate[[]float64](`["#switches", "#switch-activity", "#project-invoices"].map(s => document.querySelector(s).getBoundingClientRect().top + scrollY)`))
				if width == 390 && !(tops[0] < tops[1] && tops[1] < tops[2]) {
					t.Errorf("project page at 390 px: switches, activity and invoices start at %v px, want them in that order", tops)
				}
				if width == 1280 && !(tops[1] < tops[2]) {
					t.Errorf("project page at 1280 px: the activity (at %v px) is no longer beside the switches, above the invoices (%v px)", tops[1], tops[2])
				}

				// One tap opens the menu, one more goes to Estimates.
				if width == 390 {
					b.Run(chromedp.Click(chromedp.CSS("details.nav-menu > summary")))
					b.Screenshot("menu-open-390")
					if st := b.Follow(chromedp.Click(chromedp.CSS(`.nav-menu-links a[href$="/estimates"]`))); st != http.StatusOK {
						t.Fatalf("tapping Estimates in the menu: status %d", st)
					}
					if got := browserLocation(t, b); !strings.HasSuffix(got, "/estimates") {
						t.Errorf("tapping Estimates in the menu led to %s", got)
					}
					browserWantText(t, b, "Estimates")
				}
			})
		}
	})
}
