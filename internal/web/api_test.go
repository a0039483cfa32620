package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/store"
	"portico/internal/testenv"
	"portico/internal/web"
)

var reNewToken = regexp.MustCompile(`data-new-token>(ptc_[a-z2-7]+)<`)

// A portal user makes a token on their account page, sees it once, and the
// API then answers as them — checked against the OpenAPI document — until the
// token is revoked, expires, or the user loses access.
func TestAPIPortalTokenLifecycle(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		ctx := context.Background()
		tn := db.Tenant(t, "acme")
		abc := db.Client(t, tn, "ABC s.r.o.")
		kosice := db.Site(t, tn, abc, "Košice", "Košice")
		db.Site(t, tn, abc, "Bratislava", "Bratislava")
		other := db.Tenant(t, "other")
		xyz := db.Client(t, other, "XYZ a.s.")
		u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "Jana", LastName: "K", Email: "jana@abc.test", ClientIDs: []int64{abc.ID}})
		browser := srv.PortalClient(t, tn, u)

		page := browser.Post("/portal/acme/account/tokens", url.Values{"name": {"Home Assistant"}})
		m := reNewToken.FindStringSubmatch(page.Body)
		if page.Status != http.StatusOK || m == nil {
			t.Fatalf("create token: status %d, no token shown\n%.2000s", page.Status, page.Body)
		}
		token := m[1]
		if len(token) < 4+52 {
			t.Fatalf("token %q is shorter than 32 random bytes", token)
		}
		if again := browser.Get("/portal/acme/account/tokens"); strings.Contains(again.Body, token) || !strings.Contains(again.Body, "Home Assistant") {
			t.Fatalf("the tokens page shows the token again, or not its name")
		}

		api := newAPIClient(t, srv.URL, token)
		var companies struct {
			Items []struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"items"`
		}
		r := api.get("/api/v1/companies", http.StatusOK)
		if err := r.json(&companies); err != nil || len(companies.Items) != 1 || companies.Items[0].ID != abc.ID {
			t.Fatalf("companies: %s (%v)", r.Body, err)
		}
		// The same answer again is 304 with its ETag.
		etag := r.Header.Get("ETag")
		if nm := api.call(http.MethodGet, "/api/v1/companies", nil, "If-None-Match", etag); etag == "" || nm.Status != http.StatusNotModified || len(nm.Body) != 0 {
			t.Fatalf("If-None-Match %q: status %d", etag, nm.Status)
		}
		if sites := api.listIDs("/api/v1/sites", 1); len(sites) != 2 {
			t.Fatalf("sites %v, want both of ABC's", sites)
		}
		// Another tenant's object is not found, like a missing one.
		api.get("/api/v1/sites/"+itoa(db.Site(t, other, xyz, "Elsewhere", "Žilina").ID), http.StatusNotFound)
		// A staff endpoint is not for a portal token.
		api.get("/api/v1/staff/clients", http.StatusForbidden)

		// The owner's access is read on every request: narrowed to Košice, the
		// next request sees one site.
		if _, err := srv.App.UpdatePortalAccess(ctx, tn.Staff, u.ID, app.PortalAccessUpdate{FirstName: "Jana", LastName: "K",
			ClientIDs: []int64{abc.ID}, SiteIDs: []int64{kosice.ID}}); err != nil {
			t.Fatal(err)
		}
		if sites := api.listIDs("/api/v1/sites", 50); !slices.Equal(sites, []int64{kosice.ID}) {
			t.Fatalf("after narrowing: sites %v, want only Košice %d", sites, kosice.ID)
		}

		// A cookie is no credential for the API; nor is a bad token.
		if r := browser.Get("/api/v1/companies"); r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("API with the portal cookie only: status %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		newAPIClient(t, srv.URL, token+"x").get("/api/v1/companies", http.StatusUnauthorized)

		// Revoked on the page: the next request is refused.
		tokens, err := db.Store.Portal(mustScope(t, db, tn.Company.ID, u.ID)).APITokens(ctx)
		if err != nil || len(tokens) != 1 {
			t.Fatalf("tokens %v %v", tokens, err)
		}
		if tokens[0].LastUsedAt.IsZero() {
			t.Fatalf("last used not recorded")
		}
		if r := browser.Post("/portal/acme/account/tokens/"+itoa(tokens[0].ID)+"/revoke", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("revoke: status %d", r.Status)
		}
		api.get("/api/v1/companies", http.StatusUnauthorized)

		// An expired token is refused.
		scope := mustScope(t, db, tn.Company.ID, u.ID)
		_, text, err := srv.App.CreatePortalAPIToken(ctx, scope, "Short-lived", db.Store.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		short := newAPIClient(t, srv.URL, text)
		short.get("/api/v1/companies", http.StatusOK)
		db.Clock.Advance(2 * time.Hour)
		short.get("/api/v1/companies", http.StatusUnauthorized)

		// Disconnected from the last client, the user is gone, and so is the token.
		_, text, err = srv.App.CreatePortalAPIToken(ctx, scope, "Until disconnected", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		last := newAPIClient(t, srv.URL, text)
		last.get("/api/v1/companies", http.StatusOK)
		if _, err := srv.App.DisconnectPortalUser(ctx, tn.Staff, abc.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		last.get("/api/v1/companies", http.StatusUnauthorized)
	})
}

func mustScope(t *testing.T, db *testenv.DB, companyID, userID int64) access.Scope {
	t.Helper()
	scope, err := testenv.PortalScope(context.Background(), db.Store, companyID, userID)
	if err != nil {
		t.Fatal(err)
	}
	return scope
}

// A staff token carries its owner's permissions as they stand: reading needs
// any staff member, creating a client clients.manage (403 without), and a
// disabled owner's token stops working.
func TestAPIStaffTokens(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		ctx := context.Background()
		tn := db.Tenant(t, "acme")
		abc := db.Client(t, tn, "ABC s.r.o.")
		site := db.Site(t, tn, abc, "Košice", "Košice")
		db.Contact(t, tn, abc, "Jana", "Kováčová", "jana@abc.test")
		db.Project(t, tn, abc, "Monitoring", site)
		other := db.Tenant(t, "other")
		xyz := db.Client(t, other, "XYZ a.s.")
		reader := db.StaffUser(t, tn, "reader@acme.test")

		// The administrator makes a token on the account page.
		browser := srv.NewClient(t)
		browser.SignIn("acme", "admin@acme.test")
		page := browser.Post("/app/account/tokens", url.Values{"name": {"Sheets"}, "expires": {"2099-12-31"}})
		m := reNewToken.FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("create staff token: status %d\n%.2000s", page.Status, page.Body)
		}
		admin := newAPIClient(t, srv.URL, m[1])
		if ids := admin.listIDs("/api/v1/staff/clients", 50); !slices.Equal(ids, []int64{abc.ID}) {
			t.Fatalf("clients %v", ids)
		}
		admin.get("/api/v1/staff/clients/"+itoa(abc.ID), http.StatusOK)
		admin.get("/api/v1/staff/clients/"+itoa(abc.ID)+"/contacts", http.StatusOK)
		admin.get("/api/v1/staff/clients/"+itoa(abc.ID)+"/sites", http.StatusOK)
		admin.get("/api/v1/staff/clients/"+itoa(abc.ID)+"/projects", http.StatusOK)
		admin.get("/api/v1/staff/protocols", http.StatusOK)
		admin.get("/api/v1/staff/clients/"+itoa(xyz.ID), http.StatusNotFound)
		admin.get("/api/v1/companies", http.StatusForbidden) // a portal endpoint
		r := admin.call(http.MethodPost, "/api/v1/staff/clients", map[string]string{"name": "New client s.r.o.", "city": "Nitra"})
		if r.Status != http.StatusCreated {
			t.Fatalf("create client: %d %s", r.Status, r.Body)
		}
		if r := admin.call(http.MethodPost, "/api/v1/staff/clients", map[string]string{"city": "Nitra"}); r.Status != http.StatusBadRequest {
			t.Fatalf("create client without a name: %d %s", r.Status, r.Body)
		}

		_, text, err := srv.App.CreateStaffAPIToken(ctx, staffOf(t, db, tn.Company.ID, reader.ID), "Reader", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		rd := newAPIClient(t, srv.URL, text)
		rd.get("/api/v1/staff/clients", http.StatusOK)
		r = rd.call(http.MethodPost, "/api/v1/staff/clients", map[string]string{"name": "Hacked"})
		if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), access.ClientsManage) {
			t.Fatalf("create client without clients.manage: %d %s", r.Status, r.Body)
		}
		// Given the permission, the next request may.
		perms := []string{access.ClientsManage}
		if _, err := db.Store.Staff(tn.Staff).UpdateStaffUser(ctx, reader.ID, store.StaffUpdate{Permissions: &perms}); err != nil {
			t.Fatal(err)
		}
		if r := rd.call(http.MethodPost, "/api/v1/staff/clients", map[string]string{"name": "Allowed s.r.o."}); r.Status != http.StatusCreated {
			t.Fatalf("create client with clients.manage: %d %s", r.Status, r.Body)
		}
		disabled := true
		if _, err := db.Store.Staff(tn.Staff).UpdateStaffUser(ctx, reader.ID, store.StaffUpdate{Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		rd.get("/api/v1/staff/clients", http.StatusUnauthorized)
	})
}

func staffOf(t *testing.T, db *testenv.DB, companyID, userID int64) access.Staff {
	t.Helper()
	u, err := db.Store.StaffUser(context.Background(), companyID, userID)
	if err != nil {
		t.Fatal(err)
	}
	return access.NewStaff(u)
}

// Every API route wants a token: without one it answers 401 problem details
// and sets no cookie, whatever cookie the request carries.
func TestAPIRoutesNeedAToken(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	srv := testenv.StartServer(t, db)
	api := newAPIClient(t, srv.URL, "")
	s, err := web.NewServer(web.Config{App: srv.App})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rt := range s.Routes() {
		if rt.Policy != "api:portal" && !strings.HasPrefix(rt.Policy, "api:staff") {
			continue
		}
		method, path := routePath(rt.Pattern, map[string]string{"id": "1", "pid": "1"})
		r := api.call(method, path, nil, "Cookie", "portico_session=x; portico_portal=y")
		if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") ||
			!strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s %s without a token: status %d %s", method, path, r.Status, r.Header.Get("Content-Type"))
		}
		n++
	}
	if n < 25 {
		t.Fatalf("only %d API routes walked", n)
	}
}

// A token over its limit a minute gets 429 with Retry-After, counted in the
// database; the next minute it works again.
func TestAPIRateLimit(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		limited, err := web.NewServer(web.Config{App: srv.App, APIRateLimit: 3})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(limited)
		t.Cleanup(ts.Close)
		tn := db.Tenant(t, "acme")
		abc := db.Client(t, tn, "ABC s.r.o.")
		u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "Jana", LastName: "K", Email: "jana@abc.test", ClientIDs: []int64{abc.ID}})
		_, text, err := srv.App.CreatePortalAPIToken(context.Background(), mustScope(t, db, tn.Company.ID, u.ID), "Loop", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		api := newAPIClient(t, ts.URL, text)
		for range 3 {
			api.get("/api/v1/companies", http.StatusOK)
		}
		r := api.get("/api/v1/companies", http.StatusTooManyRequests)
		var p struct {
			Status int    `json:"status"`
			Title  string `json:"title"`
		}
		if err := json.Unmarshal(r.Body, &p); err != nil || p.Status != 429 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("429: %s, Retry-After %q", r.Body, r.Header.Get("Retry-After"))
		}
		db.Clock.Advance(time.Minute)
		api.get("/api/v1/companies", http.StatusOK)
	})
}

// Cursors page through a list without gaps or repeats; a forged cursor is a
// 400 problem.
func TestAPICursorPagination(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	srv := testenv.StartServer(t, db)
	tn := db.Tenant(t, "acme")
	var want []int64
	for _, name := range []string{"A s.r.o.", "B s.r.o.", "C s.r.o.", "D s.r.o.", "E s.r.o."} {
		want = append(want, db.Client(t, tn, name).ID)
	}
	_, text, err := srv.App.CreateStaffAPIToken(context.Background(), tn.Staff, "Pages", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	api := newAPIClient(t, srv.URL, text)
	for _, limit := range []int{1, 2, 5, 100} {
		if got := api.listIDs("/api/v1/staff/clients", limit); !slices.Equal(got, want) {
			t.Fatalf("limit %d: %v, want %v", limit, got, want)
		}
	}
	api.get("/api/v1/staff/clients?cursor=bm9wZQ", http.StatusBadRequest)
	api.get("/api/v1/staff/clients?limit=0", http.StatusBadRequest)
}
