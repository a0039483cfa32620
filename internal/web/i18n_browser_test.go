package web_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"portico/internal/auth"
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
		hash, err := auth.HashPassword("owner-Lantern-1987")
		if err != nil {
			t.Fatal(err)
		}
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
