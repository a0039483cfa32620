package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"portico/internal/access"
	"portico/internal/demo"
	"portico/internal/domain"
	"portico/internal/i18n"
	"portico/internal/testenv"
)

// browserLanguage makes the browser send acceptLanguage as its Accept-Language.
func browserLanguage(b *testenv.Browser, acceptLanguage string) {
	b.Run(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": acceptLanguage}})
		return err
	}))
}

// browserSignInPortal signs the browser in to the tenant's portal.
func browserSignInPortal(t *testing.T, b *testenv.Browser, base, email, password string) {
	t.Helper()
	b.Run(chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("f-email")))
	b.Run(browserFill("email", email), browserFill("password", password))
	if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
		t.Fatalf("signing in as %s: status %d", email, st)
	}
}

// browserLang returns the page's <html lang>.
func browserLang(b *testenv.Browser) string {
	return testenv.Result(b, chromedp.Evaluate[string](`document.documentElement.lang`))
}

// englishSentences are the English texts of the Slovak catalogue that cannot be
// names or data: two words or more, translated to something else, with no place
// for a value. Any of them on a Slovak page is English left over.
func englishSentences() []string {
	var out []string
	for en, sk := range i18n.Catalogue(i18n.SK) {
		if en == sk || !strings.Contains(strings.TrimSpace(en), " ") || strings.ContainsAny(en, "%|") || len(en) < 8 {
			continue
		}
		out = append(out, en)
	}
	slices.Sort(out)
	return out
}

var (
	reSlovakDate   = regexp.MustCompile(`\b\d{1,2}\. \d{1,2}\. \d{4}\b`)
	reEnglishDate  = regexp.MustCompile(`\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b`)
	reSlovakMoney  = regexp.MustCompile(`\d,\d\d\x{00a0}€`)
	reEnglishMoney = regexp.MustCompile(`€\d`)
)

// A portal user who chose Slovak sees every portal page in Slovak: no English
// sentence of the catalogue in the visible text, dates as "4. 12. 2026", money
// as "391,14 €". A user without a choice gets the browser's language when we
// speak it, honouring q-values, and the browser's language wins over the tenant's.
func TestBrowserPortalSlovak(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newBillingRig(t, db)
		ctx := t.Context()
		e := r.estimate(t, true, 3, 30)
		hash := testenv.PasswordHash(t, "owner-Lantern-1987")
		for _, u := range []*domain.PortalUser{r.owner, r.kosiceOnly} {
			if err := db.Store.SetPortalPassword(ctx, r.tn.Company.ID, u.ID, hash); err != nil {
				t.Fatal(err)
			}
		}
		scope, err := testenv.PortalScope(ctx, db.Store, r.tn.Company.ID, r.owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Store.UpdatePortalAccount(ctx, scope, "Peter", "Novák", "sk"); err != nil {
			t.Fatal(err)
		}
		base := r.srv.URL + "/portal/acme"
		english := englishSentences()

		b := testenv.NewBrowser(t)
		browserLanguage(b, "en-US,en;q=0.9") // the user's own choice wins over the browser's
		browserSignInPortal(t, b, base, r.owner.Email, "owner-Lantern-1987")
		pages := []string{"/", "/projects", "/projects/" + itoa(r.project.ID), "/protocols", "/documents", "/invoices",
			"/estimates", "/estimates/" + itoa(e.ID), "/my-data", "/sites/" + itoa(r.kosice.ID), "/account", "/account/security", "/account/tokens"}
		for _, p := range pages {
			if st := b.Follow(chromedp.Navigate(base + p)); st != http.StatusOK {
				t.Errorf("%s: status %d", p, st)
				continue
			}
			if got := browserLang(b); got != "sk" {
				t.Errorf("%s: <html lang=%q>, want sk", p, got)
			}
			text := testenv.Result(b, chromedp.Evaluate[string](`document.body.innerText + "\n" + document.title`))
			for _, en := range english {
				if strings.Contains(text, en) {
					t.Errorf("%s shows English %q", p, en)
				}
			}
			if m := reEnglishDate.FindString(text); m != "" {
				t.Errorf("%s shows an English date %q", p, m)
			}
			if m := reEnglishMoney.FindString(text); m != "" {
				t.Errorf("%s shows money the English way: %q", p, m)
			}
			switch p {
			case "/estimates", "/estimates/" + itoa(e.ID):
				if !reSlovakDate.MatchString(text) {
					t.Errorf("%s shows no date like 4. 12. 2026:\n%s", p, text)
				}
				if !reSlovakMoney.MatchString(text) {
					t.Errorf("%s shows no amount like 391,14 €:\n%s", p, text)
				}
			}
			if p == "/account" {
				browserWantText(t, b, "Váš účet", "Meno a jazyk", "Zmeniť heslo", "Peter Novák")
			}
			if p == "/estimates" || p == "/account" || p == "/projects" {
				b.Screenshot("portal-slovak" + strings.ReplaceAll(p, "/", "-"))
			}
		}

		// On a phone.
		pb := testenv.NewPhoneBrowser(t)
		browserSignInPortal(t, pb, base, r.owner.Email, "owner-Lantern-1987")
		for _, p := range []string{"/account", "/estimates", "/projects/" + itoa(r.project.ID)} {
			if st := pb.Follow(chromedp.Navigate(base + p)); st != http.StatusOK {
				t.Errorf("phone %s: status %d", p, st)
			}
			browserNoSidewaysScroll(t, pb, p)
			pb.Screenshot("phone-slovak" + strings.ReplaceAll(p, "/", "-"))
		}

		// A user without a choice: the browser's language, else the tenant's.
		nb := testenv.NewBrowser(t)
		browserLanguage(nb, "sk")
		browserSignInPortal(t, nb, base, r.kosiceOnly.Email, "owner-Lantern-1987")
		for _, tc := range []struct{ header, tenant, want string }{
			{"sk", "en", "sk"},
			{"sk-SK,sk;q=0.9,en;q=0.8", "en", "sk"},
			{"de, en;q=0.5", "sk", "en"},
			{"en", "sk", "en"}, // the browser's language wins over the tenant's
			{"de", "sk", "sk"}, // a language we do not speak: the tenant's
		} {
			if err := db.Store.Staff(r.tn.Staff).UpdateCompanyLocale(ctx, tc.tenant); err != nil {
				t.Fatal(err)
			}
			browserLanguage(nb, tc.header)
			if st := nb.Follow(chromedp.Navigate(base + "/protocols")); st != http.StatusOK {
				t.Fatalf("status %d", st)
			}
			if got := browserLang(nb); got != tc.want {
				t.Errorf("Accept-Language %q, tenant %s: page in %q, want %q", tc.header, tc.tenant, got, tc.want)
			}
			if tc.want == "sk" {
				browserWantText(t, nb, "Protokoly")
			} else {
				browserWantText(t, nb, "Protocols")
			}
		}
	})
}

// englishOnlyWords are the short words of buttons and links that, alone on a
// Slovak page, are English left over whether or not the catalogue lists them.
var englishOnlyWords = []string{
	"Save", "Cancel", "Delete", "Edit", "Back", "Sign out", "Sign in", "Search", "Next", "Previous", "Download",
	"Upload", "Close", "Open", "Add", "Remove", "Send", "Yes", "No", "Filter", "Clear", "Print", "Show", "Hide",
	"View", "More", "Menu", "Help", "Submit", "Continue", "Done", "Copy", "Reset", "Settings", "Status", "Actions",
	"Name", "Date", "Total", "Due", "Paid", "Draft", "All", "None", "Active", "Archived", "Loading…", "Confirm",
}

// slovakLeftovers returns, for the page open in b, every visible text node and
// placeholder, title, aria-label, alt and data-confirm attribute that equals an
// English message id with a different Slovak translation or an English-only
// word, and the page's language. Data (names, e-mails, numbers) equals neither.
func slovakLeftovers(t *testing.T, b *testenv.Browser) (lang string, english []string) {
	t.Helper()
	var ids []string
	for en, sk := range i18n.Catalogue(i18n.SK) {
		if en != sk && !strings.ContainsAny(en, "%|") && strings.ContainsFunc(en, unicode.IsLetter) {
			ids = append(ids, en)
		}
	}
	for _, w := range englishOnlyWords {
		if sk, ok := i18n.Catalogue(i18n.SK)[w]; !ok || sk != w {
			ids = append(ids, w)
		}
	}
	js, err := json.Marshal(ids)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Lang    string   `json:"lang"`
		English []string `json:"english"`
	}
	r := testenv.Result(b, chromedp.Evaluate[result](`((ids) => {
		const english = new Set(ids), out = [], seen = new Set();
		const check = (what, s) => {
			s = (s || "").replace(/\s+/g, " ").trim();
			const bare = s.replace(/[:…*]+$/, "").trim();
			if (s && (english.has(s) || english.has(bare)) && !seen.has(what + s)) {
				seen.add(what + s);
				out.push(what + " " + JSON.stringify(s));
			}
		};
		const tw = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let n; (n = tw.nextNode());) {
			if (n.parentElement && !n.parentElement.closest("script,style,template,code,pre,[translate=no]")) check("text", n.nodeValue);
		}
		for (const a of ["placeholder", "title", "aria-label", "alt", "data-confirm"]) {
			for (const el of document.body.querySelectorAll("[" + a + "]")) check(a, el.getAttribute(a));
		}
		for (const part of document.title.split(" · ")) check("<title>", part);
		return {lang: document.documentElement.lang, english: out};
	})(`+string(js)+`)`))
	return r.Lang, r.English
}

// Every staff and portal page in Slovak: the page says lang="sk", no text or
// visible attribute is an English text of the catalogue or an English button
// word, and at 390 px the longer Slovak words do not push the page sideways.
// The staff member and the portal user chose Slovak themselves.
func TestBrowserEveryPageSlovak(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		// Each engine renders every page once: the phone (where Slovak words can
		// push a page sideways) on SQLite, the desktop on PostgreSQL. The words
		// are the same at both widths; the suite's time is not.
		widths := []int{390}
		if db.Engine == "postgres" {
			widths = []int{1280}
		}
		ctx := t.Context()
		srv := testenv.StartServer(t, db)
		pages, _ := staffWidthPages(t, db, srv)
		company, err := db.Store.CompanyBySlug(ctx, demo.Slug)
		if err != nil {
			t.Fatal(err)
		}
		admin, _, err := db.Store.StaffCredentials(ctx, company.ID, demo.AdminEmail)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Store.Staff(access.NewStaff(admin)).SetStaffLocale(ctx, i18n.SK); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, "/app/clients/new", "/app/documents", "/app/documents/new", "/app/materials", "/app/materials/new",
			"/app/account/security", "/app/account/tokens", "/app/settings/billing", "/app/portal-users/new")
		// Pages reached through links: a client's edit form, an invoice, an
		// estimate, the billing forms, a material, a project's switch forms.
		follow := []struct{ on, link string }{
			{pages[1], `a[href="` + pages[1] + `/edit"]`},
			{"/app/materials", `a[href^="/app/materials/"]:not([href$="/new"])`},
			{"/app/documents", `a[href$="/edit"]`},
		}
		for _, p := range pages {
			switch {
			case strings.HasPrefix(p, "/app/clients/") && strings.HasSuffix(p, "/billing"):
				follow = append(follow, struct{ on, link string }{p, `a[href*="/billing/invoices/"]:not([href$="/new"])`},
					struct{ on, link string }{p, `a[href$="/billing/invoices/new"]`})
			case strings.HasSuffix(p, "/billing/estimates"):
				follow = append(follow, struct{ on, link string }{p, `a[href*="/billing/estimates/"]:not([href$="/new"])`},
					struct{ on, link string }{p, `a[href$="/billing/estimates/new"]`})
			case strings.Contains(p, "/projects/"):
				follow = append(follow, struct{ on, link string }{p, `a[href$="/connect"]`}, struct{ on, link string }{p, `a[href*="/switches/"][href$="/edit"]`},
					struct{ on, link string }{p, `a[href$="/switches/new"]`})
			case strings.Contains(p, "/protocols/") && !strings.HasSuffix(p, "/new"):
				follow = append(follow, struct{ on, link string }{p, `a[href$="/edit"]`})
			}
		}

		check := func(t *testing.T, b *testenv.Browser, name string, phone bool) {
			t.Helper()
			lang, english := slovakLeftovers(t, b)
			if lang != "sk" {
				t.Errorf("%s: <html lang=%q>, want sk", name, lang)
			}
			for _, e := range english {
				t.Errorf("%s shows English: %s", name, e)
			}
			if phone {
				browserNoSidewaysScroll(t, b, name)
				// A Slovak column label may wrap: its line of a stacked row grows with it.
				for _, o := range testenv.Result(b, chromedp.Evaluate[[]string](`[...document.querySelectorAll("main table tbody td[data-label]")]
					.filter(td => td.getClientRects().length)
					.filter(td => parseFloat(getComputedStyle(td, "::before").height) > td.getBoundingClientRect().height + 0.5)
					.map(td => td.dataset.label + " (" + Math.round(parseFloat(getComputedStyle(td, "::before").height)) + "px) in a line " + Math.round(td.getBoundingClientRect().height) + "px tall")`)) {
					t.Errorf("%s: the label %s runs out of its line", name, o)
				}
			}
		}
		for _, width := range widths {
			t.Run(fmt.Sprintf("staff %dpx", width), func(t *testing.T) {
				var b *testenv.Browser
				if width == 390 {
					b = testenv.NewPhoneBrowser(t)
				} else {
					b = testenv.NewBrowser(t)
				}
				b.Run(chromedp.Navigate(srv.URL+"/app/login"), browserFill("company", demo.Slug), browserFill("email", demo.AdminEmail), browserFill("password", demo.AdminPassword))
				if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
					t.Fatalf("staff sign-in: status %d", st)
				}
				seen := map[string]bool{}
				visit := func(p string) {
					if seen[p] {
						return
					}
					seen[p] = true
					if st := b.Follow(chromedp.Navigate(srv.URL + p)); st != http.StatusOK {
						t.Errorf("%s: status %d", p, st)
						return
					}
					check(t, b, fmt.Sprintf("%d px %s", width, p), width == 390)
				}
				for _, p := range pages {
					visit(p)
				}
				for _, f := range follow {
					b.Run(chromedp.Navigate(srv.URL + f.on))
					href := testenv.Result(b, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).getAttribute?.("href") || ""`, "main "+f.link)))
					if href == "" {
						t.Errorf("%s has no link %s", f.on, f.link)
						continue
					}
					visit(href)
				}
				if len(seen) < 40 {
					t.Errorf("only %d staff pages looked at", len(seen))
				}
				for _, p := range []string{"/app/clients", pages[1], "/app/settings", "/app/users/new"} {
					b.Run(chromedp.Navigate(srv.URL + p))
					b.Screenshot(fmt.Sprintf("staff-sk-%d%s", width, strings.ReplaceAll(p, "/", "-")))
				}
			})
		}

		w := newPhoneWorld(t, db)
		hash := testenv.PasswordHash(t, "owner-Lantern-1987")
		if err := db.Store.SetPortalPassword(ctx, w.tn.Company.ID, w.owner.ID, hash); err != nil {
			t.Fatal(err)
		}
		scope, err := testenv.PortalScope(ctx, db.Store, w.tn.Company.ID, w.owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Store.UpdatePortalAccount(ctx, scope, "Peter", "Novák", i18n.SK); err != nil {
			t.Fatal(err)
		}
		base := w.srv.URL + "/portal/acme"
		portal := []struct {
			path   string
			status int
		}{
			{"/", 200}, {"/protocols", 200}, {"/protocols?site=" + itoa(w.sites["Košice"].ID), 200},
			{"/protocols?from=2001-01-01&to=2001-01-31", 200}, {"/protocols?from=2026-05-01&to=2026-04-01", http.StatusUnprocessableEntity},
			{"/protocols/" + itoa(w.protocols["Košice"].ID), 200}, {"/documents", 200}, {"/documents/" + itoa(w.docs["all"].ID) + "/view", 200},
			{"/sites/" + itoa(w.sites["Košice"].ID), 200}, {"/projects", 200}, {"/projects/" + itoa(w.project.ID), 200},
			{"/invoices", 200}, {"/invoices/" + itoa(w.invoice.ID), 200}, {"/estimates", 200}, {"/my-data", 200},
			{"/account", 200}, {"/account/security", 200}, {"/account/tokens", 200}, {"/protocols/999999", http.StatusNotFound},
		}
		for _, width := range widths {
			t.Run(fmt.Sprintf("portal %dpx", width), func(t *testing.T) {
				var b *testenv.Browser
				if width == 390 {
					b = testenv.NewPhoneBrowser(t)
				} else {
					b = testenv.NewBrowser(t)
				}
				browserLanguage(b, "en-US,en;q=0.9") // the user's own choice wins
				browserSignInPortal(t, b, base, w.owner.Email, "owner-Lantern-1987")
				for _, p := range portal {
					if st := b.Follow(chromedp.Navigate(base + p.path)); st != p.status {
						t.Errorf("%s: status %d, want %d", p.path, st, p.status)
					}
					check(t, b, fmt.Sprintf("%d px portal %s", width, p.path), width == 390)
				}
			})
		}
	})
}
