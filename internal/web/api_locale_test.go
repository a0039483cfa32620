package web_test

import (
	"context"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// apiProblem is a problem details answer as a program reads it.
type apiProblem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail"`
	Code   string            `json:"code"`
	Errors map[string]string `json:"errors"`
}

func problemOf(t *testing.T, what string, r *apiResp) apiProblem {
	t.Helper()
	var p apiProblem
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("%s: status %d, %s is no problem details: %.500s", what, r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if err := r.json(&p); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return p
}

// apiLocaleWorld is a tenant with a client, a site, a completed protocol and a
// portal user who sees it, whose token the test holds.
type apiLocaleWorld struct {
	tn       *testenv.Tenant
	protocol *domain.Protocol
	token    string
}

func newAPILocaleWorld(t *testing.T, db *testenv.DB, srv *testenv.Server, slug, tenantLocale, ownLocale string) *apiLocaleWorld {
	t.Helper()
	ctx := context.Background()
	w := &apiLocaleWorld{tn: db.TenantIn(t, slug, tenantLocale)}
	client := db.Client(t, w.tn, "Hotel "+slug)
	site := db.Site(t, w.tn, client, "Poprad", "Poprad")
	staff := db.Store.Staff(w.tn.Staff)
	w.protocol = &domain.Protocol{ClientID: client.ID, SiteID: site.ID, TechnicianID: w.tn.Admin.ID,
		PerformedAt: db.Store.Now().Add(-24 * time.Hour).Truncate(time.Second), ServiceType: "Rodent control"}
	if err := staff.CreateProtocol(ctx, w.protocol); err != nil {
		t.Fatal(err)
	}
	if err := staff.CompleteProtocol(ctx, w.protocol.ID); err != nil {
		t.Fatal(err)
	}
	u := db.PortalUser(t, w.tn, app.NewPortalUser{FirstName: "Jana", LastName: "K", Email: "jana@" + slug + ".test", ClientIDs: []int64{client.ID}})
	scope := mustScope(t, db, w.tn.Company.ID, u.ID)
	if _, err := db.Store.UpdatePortalAccount(ctx, scope, "Jana", "K", ownLocale); err != nil {
		t.Fatal(err)
	}
	var err error
	if _, w.token, err = srv.App.CreatePortalAPIToken(ctx, scope, "Sheets", time.Time{}); err != nil {
		t.Fatal(err)
	}
	return w
}

// pdfText is the text of the PDF an API answer carries, read by pdftotext.
func pdfText(t *testing.T, r *apiResp) string {
	t.Helper()
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("PDF: status %d %s: %.300s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	file := filepath.Join(t.TempDir(), "p.pdf")
	if err := os.WriteFile(file, r.Body, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// An API answer speaks its token owner's language: their own choice, else the
// request's Accept-Language, else the tenant's. The problem's title, detail and
// field messages are translated, its type, status, code and field names are not;
// the protocol PDF comes in the same language.
func TestAPIErrorsInOwnersLanguage(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		// An English tenant: Jana chose Slovak, Petra English, Eva nothing.
		jana := newAPILocaleWorld(t, db, srv, "acme", "", "sk")
		petra := newAPILocaleWorld(t, db, srv, "beta", "", "en")
		eva := newAPILocaleWorld(t, db, srv, "gama", "", "")
		// A Slovak tenant: Ivan chose nothing.
		ivan := newAPILocaleWorld(t, db, srv, "tatry", "sk", "")

		type answer struct {
			p    apiProblem
			lang string
		}
		ask := func(w *apiLocaleWorld, method, path string, body any, header ...string) answer {
			t.Helper()
			r := newAPIClient(t, srv.URL, w.token).call(method, path, body, header...)
			return answer{problemOf(t, method+" "+path, r), r.Header.Get("Content-Language")}
		}
		const missing = "/api/v1/sites/999999"
		wantSK := answer{apiProblem{Type: "about:blank", Title: "Nenájdené", Status: 404, Detail: "Nenašlo sa alebo to tento token nevidí.", Code: "not_found"}, "sk"}
		wantEN := answer{apiProblem{Type: "about:blank", Title: "Not Found", Status: 404, Detail: "Not found, or not visible to this token.", Code: "not_found"}, "en"}
		for _, tc := range []struct {
			name   string
			w      *apiLocaleWorld
			accept string
			want   answer
		}{
			{"own Slovak", jana, "", wantSK},
			{"own Slovak over the browser's English", jana, "en-GB,en;q=0.9", wantSK},
			{"own English over the browser's Slovak", petra, "sk", wantEN},
			{"no choice: the request's Slovak", eva, "sk-SK,sk;q=0.9,en;q=0.5", wantSK},
			{"no choice, a language Portico does not speak: the tenant's English", eva, "de", wantEN},
			{"no choice, no header: the tenant's English", eva, "", wantEN},
			{"no choice, no header: the tenant's Slovak", ivan, "", wantSK},
		} {
			var header []string
			if tc.accept != "" {
				header = []string{"Accept-Language", tc.accept}
			}
			if got := ask(tc.w, http.MethodGet, missing, nil, header...); !sameAnswer(got.p, tc.want.p) || got.lang != tc.want.lang {
				t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
			}
		}

		// Field messages: translated, under the same field names.
		got := ask(jana, http.MethodPut, "/api/v1/switches/999999/state", map[string]any{})
		if got.p.Status != 400 || got.p.Code != "invalid" || !slices.Equal(slices.Sorted(maps.Keys(got.p.Errors)), []string{"on"}) ||
			got.p.Errors["on"] != "Povinný údaj." || got.p.Title != "Chybná požiadavka" || !strings.Contains(got.p.Detail, "Uveďte, či má byť spínač zapnutý") {
			t.Errorf("a refused body in Slovak: %+v", got.p)
		}
		got = ask(jana, http.MethodPut, "/api/v1/switches/999999/state", map[string]any{"onn": true})
		if got.p.Detail != `Pole "onn" tento koncový bod nepozná.` {
			t.Errorf("an unknown field in Slovak: %+v", got.p)
		}
		got = ask(jana, http.MethodPut, "/api/v1/switches/999999/state", map[string]any{"on": "yes"})
		if got.p.Detail != `Pole "on" má hodnotu nesprávneho typu.` {
			t.Errorf("a field of the wrong type in Slovak: %+v", got.p)
		}
		got = ask(petra, http.MethodGet, "/api/v1/protocols?limit=0", nil)
		if got.p.Detail != "limit must be a whole number from 1 to 100." || got.p.Title != "Bad Request" {
			t.Errorf("a bad limit in English: %+v", got.p)
		}
		got = ask(jana, http.MethodGet, "/api/v1/protocols?limit=0", nil)
		if got.p.Detail != "limit musí byť celé číslo od 1 do 100." {
			t.Errorf("a bad limit in Slovak: %+v", got.p)
		}

		// Before a token is known: the request's language, else English.
		anon := newAPIClient(t, srv.URL, "")
		if p := problemOf(t, "no token", anon.call(http.MethodGet, "/api/v1/sites", nil, "Accept-Language", "sk")); p.Title != "Neoverený prístup" || p.Code != "unauthorized" ||
			!strings.HasPrefix(p.Detail, "Pošlite osobný prístupový token") {
			t.Errorf("no token, Accept-Language sk: %+v", p)
		}
		if p := problemOf(t, "no token", anon.call(http.MethodGet, "/api/v1/sites", nil)); p.Title != "Unauthorized" {
			t.Errorf("no token, no header: %+v", p)
		}

		// The protocol PDF is in the same language as the errors.
		pdf := func(w *apiLocaleWorld, header ...string) string {
			return pdfText(t, newAPIClient(t, srv.URL, w.token).call(http.MethodGet, "/api/v1/protocols/"+itoa(w.protocol.ID)+"/pdf", nil, header...))
		}
		for _, tc := range []struct {
			name, text, want, not string
		}{
			{"Jana's own Slovak", pdf(jana), "Tím Company acme", "Company acme team"},
			{"Petra's own English over Accept-Language sk", pdf(petra, "Accept-Language", "sk"), "Company beta team", "Tím Company beta"},
			{"Eva's Accept-Language sk", pdf(eva, "Accept-Language", "sk"), "Tím Company gama", "Company gama team"},
			{"Eva, no header: the tenant's English", pdf(eva), "Company gama team", "Tím Company gama"},
			{"Ivan, no header: the tenant's Slovak", pdf(ivan), "Tím Company tatry", "Company tatry team"},
		} {
			if !strings.Contains(tc.text, tc.want) || strings.Contains(tc.text, tc.not) {
				t.Errorf("%s: the PDF does not say %q (or says %q):\n%s", tc.name, tc.want, tc.not, tc.text)
			}
		}
	})
}

func sameAnswer(a, b apiProblem) bool {
	return a.Type == b.Type && a.Title == b.Title && a.Status == b.Status && a.Detail == b.Detail && a.Code == b.Code && maps.Equal(a.Errors, b.Errors)
}

// Every API route refuses a bad request in the owner's language, for portal
// and staff tokens alike: the same refusal to an English and to a Slovak owner
// has the same type, status, code and field names, and a different title,
// detail and field messages — so no sentence an API error can carry is left
// without its Slovak.
func TestAPIEveryRouteRefusesInSlovak(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		ctx := context.Background()
		en := newAPILocaleWorld(t, db, srv, "acme", "", "en")
		sk := newAPILocaleWorld(t, db, srv, "tatry", "", "sk")
		staffToken := func(w *apiLocaleWorld, locale string) string {
			t.Helper()
			if err := db.Store.Staff(w.tn.Staff).SetStaffLocale(ctx, locale); err != nil {
				t.Fatal(err)
			}
			_, text, err := srv.App.CreateStaffAPIToken(ctx, staffOf(t, db, w.tn.Company.ID, w.tn.Admin.ID), "Sheets", time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			return text
		}
		tokens := []struct{ name, en, sk string }{
			{"portal", en.token, sk.token},
			{"staff", staffToken(en, "en"), staffToken(sk, "sk")},
		}
		n := 0
		for _, rt := range apiRoutes(t, srv.App) {
			method, path := routePath(rt.Pattern, map[string]string{"id": "999999", "pid": "999999", "cid": "999999"})
			path += "?limit=0" // a list refuses the limit, one thing is not found
			for _, tok := range tokens {
				var body any
				if method != http.MethodGet {
					body = map[string]any{}
				}
				what := tok.name + " token, " + method + " " + path
				a := problemOf(t, what, newAPIClient(t, srv.URL, tok.en).call(method, path, body))
				b := problemOf(t, what, newAPIClient(t, srv.URL, tok.sk).call(method, path, body))
				if a.Type != b.Type || a.Status != b.Status || a.Code != b.Code || !slices.Equal(slices.Sorted(maps.Keys(a.Errors)), slices.Sorted(maps.Keys(b.Errors))) {
					t.Errorf("%s: the machine-readable parts differ by language:\n en %+v\n sk %+v", what, a, b)
					continue
				}
				if a.Title == b.Title || a.Detail == b.Detail || a.Detail == "" {
					t.Errorf("%s: no Slovak:\n en %+v\n sk %+v", what, a, b)
				}
				for field, msg := range a.Errors {
					if b.Errors[field] == msg {
						t.Errorf("%s: the message of %s has no Slovak: %q", what, field, msg)
					}
				}
				n++
			}
		}
		if n < 2*29 {
			t.Fatalf("only %d refusals compared", n)
		}
	})
}
