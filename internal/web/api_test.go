package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
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
	"portico/internal/domain"
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
		if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), access.PermissionLabel(access.ClientsManage)) {
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
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		api := newAPIClient(t, srv.URL, "")
		n := 0
		for _, rt := range apiRoutes(t, srv.App) {
			method, path := routePath(rt.Pattern, map[string]string{"id": "1", "pid": "1", "cid": "1"})
			r := api.call(method, path, nil, "Cookie", "portico_session=x; portico_portal=y")
			if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") ||
				!strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s %s without a token: status %d %s", method, path, r.Status, r.Header.Get("Content-Type"))
			}
			n++
		}
		if n < 29 {
			t.Fatalf("only %d API routes walked", n)
		}
	})
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

// Cursors are keysets: they page through a list without gaps or repeats even
// when rows are added and removed between the pages (on a list the store cuts,
// the clients, and on one held whole, a client's contacts); a garbled cursor,
// one of another list or one with a key of the wrong shape is a 400 problem.
func TestAPICursorPagination(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
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

		// Page by page, with a client added before the page and one removed
		// from it between the requests: nothing read twice, nothing after the
		// cursor skipped.
		first := apiPage(t, api, "/api/v1/staff/clients?limit=2")
		if !slices.Equal(first.ids, want[:2]) || first.next == "" {
			t.Fatalf("first page %v (next %q)", first.ids, first.next)
		}
		db.Client(t, tn, "AA s.r.o.")                                                       // sorts before the cursor
		if err := db.Store.Staff(tn.Staff).DeleteClient(t.Context(), want[1]); err != nil { // the cursor's own row
			t.Fatal(err)
		}
		late := db.Client(t, tn, "Z s.r.o.") // after it
		var rest []int64
		for next := first.next; next != ""; {
			p := apiPage(t, api, "/api/v1/staff/clients?cursor="+next)
			rest, next = append(rest, p.ids...), p.next
			if len(rest) > 20 {
				t.Fatalf("the cursor never ends: %v", rest)
			}
		}
		if wantRest := append(slices.Clone(want[2:]), late.ID); !slices.Equal(rest, wantRest) {
			t.Fatalf("after inserts and a delete: %v, want %v", rest, wantRest)
		}

		// A list held whole pages the same way.
		abc := db.Client(t, tn, "Contacts s.r.o.")
		var contacts []int64
		for _, last := range []string{"Adamová", "Beňo", "Čierna", "Dudáš"} {
			contacts = append(contacts, db.Contact(t, tn, abc, "Eva", last, "").ID)
		}
		path := "/api/v1/staff/clients/" + itoa(abc.ID) + "/contacts"
		if got := api.listIDs(path, 1); !slices.Equal(got, contacts) {
			t.Fatalf("contacts %v, want %v (by last name)", got, contacts)
		}
		p1 := apiPage(t, api, path+"?limit=2")
		db.Contact(t, tn, abc, "Eva", "Aa", "")
		if err := db.Store.Staff(tn.Staff).DeleteContact(t.Context(), abc.ID, contacts[1]); err != nil {
			t.Fatal(err)
		}
		if p2 := apiPage(t, api, path+"?cursor="+p1.next); !slices.Equal(p2.ids, contacts[2:]) || p2.next != "" {
			t.Fatalf("contacts after the cursor: %v (next %q), want %v", p2.ids, p2.next, contacts[2:])
		}

		// Cursors that are not this list's are refused, as problem details.
		key := func(v string) string { return base64.RawURLEncoding.EncodeToString([]byte(v)) }
		for _, bad := range []string{
			"bm9wZQ",               // "nope"
			"%%%",                  // not base64
			key(`{"o":10,"n":10}`), // an offset, as cursors once were
			key(`{"l":"x","n":2,"k":["B s.r.o.",1]}`), // another list's
			first.next[:len(first.next)/2],            // cut short
		} {
			r := api.call(http.MethodGet, "/api/v1/staff/clients?cursor="+url.QueryEscape(bad), nil)
			if r.Status != http.StatusBadRequest || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("cursor %q: status %d %s", bad, r.Status, r.Body)
			}
		}
		// The contacts' cursor on the clients list is another list's.
		api.get("/api/v1/staff/clients?cursor="+p1.next, http.StatusBadRequest)
		// A key of the wrong shape for this list: ids where the name goes.
		raw, _ := base64.RawURLEncoding.DecodeString(first.next)
		var c map[string]any
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		c["k"] = []any{1, 2}
		forged, _ := json.Marshal(c)
		api.get("/api/v1/staff/clients?cursor="+key(string(forged)), http.StatusBadRequest)
		api.get("/api/v1/staff/clients?limit=0", http.StatusBadRequest)
	})
}

// A portal user's protocols page by keyset while protocols are completed
// between the requests, and a cursor made by a user who sees more positions
// another user's list without showing them a protocol outside their Scope.
func TestAPIProtocolCursorKeepsScope(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		ctx := context.Background()
		tn := db.Tenant(t, "acme")
		abc := db.Client(t, tn, "ABC s.r.o.")
		kosice := db.Site(t, tn, abc, "Košice", "Košice")
		ba := db.Site(t, tn, abc, "Bratislava", "Bratislava")
		now := db.Store.Now()
		var ps []*domain.Protocol
		for i := range 12 {
			site := kosice
			if i%2 == 1 {
				site = ba
			}
			ps = append(ps, &domain.Protocol{ClientID: abc.ID, SiteID: site.ID, PerformedAt: now.Add(-time.Duration(i) * 24 * time.Hour), ServiceType: "Rodent control"})
		}
		if err := db.Store.Staff(tn.Staff).ImportProtocols(ctx, ps); err != nil {
			t.Fatal(err)
		}
		owner := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "Jana", LastName: "K", Email: "jana@abc.test", ClientIDs: []int64{abc.ID}})
		onlyKE := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "Peter", LastName: "M", Email: "peter@abc.test", ClientIDs: []int64{abc.ID}, SiteIDs: []int64{kosice.ID}})
		tokenOf := func(u *domain.PortalUser) *apiClient {
			_, text, err := srv.App.CreatePortalAPIToken(ctx, mustScope(t, db, tn.Company.ID, u.ID), "t", time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			return newAPIClient(t, srv.URL, text)
		}
		ownerAPI, keAPI := tokenOf(owner), tokenOf(onlyKE)

		// Newest first; new protocols, newer than every page, do not move the
		// pages after the first.
		first := apiPage(t, ownerAPI, "/api/v1/protocols?limit=5")
		if len(first.ids) != 5 || first.ids[0] != ps[0].ID {
			t.Fatalf("first page %v", first.ids)
		}
		if err := db.Store.Staff(tn.Staff).ImportProtocols(ctx, []*domain.Protocol{{ClientID: abc.ID, SiteID: kosice.ID, PerformedAt: now.Add(time.Hour), ServiceType: "Rodent control"}}); err != nil {
			t.Fatal(err)
		}
		got := first.ids
		for next := first.next; next != ""; {
			p := apiPage(t, ownerAPI, "/api/v1/protocols?cursor="+next)
			got, next = append(got, p.ids...), p.next
			if len(got) > 50 {
				t.Fatalf("the cursor never ends: %v", got)
			}
		}
		var want []int64
		for _, p := range ps {
			want = append(want, p.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("protocols across pages %v, want %v", got, want)
		}

		// The owner's cursor, given to the Košice-only user's token: only
		// Košice protocols after it.
		p := apiPage(t, keAPI, "/api/v1/protocols?cursor="+first.next)
		if len(p.ids) == 0 {
			t.Fatalf("no Košice protocols after the owner's cursor")
		}
		for _, id := range p.ids {
			if i := slices.Index(want, id); i < 5 || ps[i].SiteID != kosice.ID {
				t.Fatalf("the owner's cursor showed protocol %d (index %d) to a Košice-only user", id, i)
			}
		}
	})
}

// apiPageIDs is one page of a list: its ids and its next cursor.
type apiPageIDs struct {
	ids  []int64
	next string
}

func apiPage(t *testing.T, api *apiClient, path string) apiPageIDs {
	t.Helper()
	var page struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	if err := api.get(path, http.StatusOK).json(&page); err != nil {
		t.Fatal(err)
	}
	out := apiPageIDs{next: page.NextCursor}
	for _, it := range page.Items {
		out.ids = append(out.ids, it.ID)
	}
	return out
}

// A staff token changes clients and adds and changes contacts as the staff
// forms do: the same validation (problem details naming the fields), the same
// audit entries, clients.manage required, and another tenant's client or
// contact not found.
func TestAPIStaffClientAndContactWrites(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		ctx := context.Background()
		tn := db.Tenant(t, "acme")
		abc := db.Client(t, tn, "ABC s.r.o.")
		other := db.Client(t, tn, "Other s.r.o.")
		otherTn := db.Tenant(t, "other")
		xyz := db.Client(t, otherTn, "XYZ a.s.")
		xyzContact := db.Contact(t, otherTn, xyz, "Ján", "Cudzí", "jan@xyz.test")
		_, text, err := srv.App.CreateStaffAPIToken(ctx, tn.Staff, "Sync", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		api := newAPIClient(t, srv.URL, text)
		fields := func(r *apiResp) map[string]string {
			t.Helper()
			var p struct {
				Status int               `json:"status"`
				Errors map[string]string `json:"errors"`
			}
			if err := r.json(&p); err != nil || r.Status != http.StatusBadRequest || p.Status != 400 ||
				!strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("want a 400 problem: %d %s", r.Status, r.Body)
			}
			return p.Errors
		}

		// PATCH changes the fields given and keeps the others.
		r := api.call(http.MethodPatch, "/api/v1/staff/clients/"+itoa(abc.ID), map[string]string{"city": "Nitra", "email": " Office@ABC.test "})
		var c struct {
			Name, City, Email string
		}
		if r.Status != http.StatusOK || r.json(&c) != nil || c.Name != "ABC s.r.o." || c.City != "Nitra" || c.Email != "office@abc.test" {
			t.Fatalf("PATCH client: %d %s", r.Status, r.Body)
		}
		if got, _ := db.Store.Staff(tn.Staff).Client(ctx, abc.ID); got.City != "Nitra" {
			t.Fatalf("PATCH client not stored: %+v", got)
		}
		// The edit form's validation, field by field.
		errs := fields(api.call(http.MethodPatch, "/api/v1/staff/clients/"+itoa(abc.ID), map[string]string{"name": " ", "email": "not-an-address", "street": "a\x00b"}))
		for _, f := range []string{"name", "email", "street"} {
			if errs[f] == "" {
				t.Errorf("PATCH client: no error for %s: %v", f, errs)
			}
		}
		if errs := fields(api.call(http.MethodPost, "/api/v1/staff/clients", map[string]string{"name": "Bell\a s.r.o."})); errs["name"] != domain.InvalidTextMessage {
			t.Errorf("POST client with a control character: %v", errs)
		}
		// Unknown fields are refused, not ignored.
		if r := api.call(http.MethodPatch, "/api/v1/staff/clients/"+itoa(abc.ID), map[string]string{"nmae": "x"}); r.Status != http.StatusBadRequest {
			t.Errorf("PATCH with an unknown field: %d", r.Status)
		}
		// Another tenant's client is not found, and stays as it was.
		if r := api.call(http.MethodPatch, "/api/v1/staff/clients/"+itoa(xyz.ID), map[string]string{"city": "Nitra"}); r.Status != http.StatusNotFound {
			t.Fatalf("PATCH another tenant's client: %d", r.Status)
		}
		if got, _ := db.Store.Staff(otherTn.Staff).Client(ctx, xyz.ID); got.City != xyz.City || !got.UpdatedAt.Equal(xyz.UpdatedAt) {
			t.Fatalf("another tenant's client changed: %+v", got)
		}

		// Contacts: add, read, change.
		r = api.call(http.MethodPost, "/api/v1/staff/clients/"+itoa(abc.ID)+"/contacts", map[string]string{"first_name": "Jana", "last_name": "Kováčová", "email": "Jana@ABC.test"})
		var ct struct {
			ID       int64  `json:"id"`
			ClientID int64  `json:"client_id"`
			Email    string `json:"email"`
			Position string `json:"position"`
			LastName string `json:"last_name"`
		}
		if r.Status != http.StatusCreated || r.json(&ct) != nil || ct.ClientID != abc.ID || ct.Email != "jana@abc.test" ||
			r.Header.Get("Location") != fmt.Sprintf("/api/v1/staff/clients/%d/contacts/%d", abc.ID, ct.ID) {
			t.Fatalf("POST contact: %d %s (Location %q)", r.Status, r.Body, r.Header.Get("Location"))
		}
		api.get(r.Header.Get("Location"), http.StatusOK)
		errs = fields(api.call(http.MethodPost, "/api/v1/staff/clients/"+itoa(abc.ID)+"/contacts", map[string]string{"first_name": "Jana", "email": "x@"}))
		if errs["last_name"] == "" || errs["email"] == "" {
			t.Errorf("POST contact without a last name, with a bad email: %v", errs)
		}
		r = api.call(http.MethodPatch, fmt.Sprintf("/api/v1/staff/clients/%d/contacts/%d", abc.ID, ct.ID), map[string]string{"position": "Facility manager"})
		if r.Status != http.StatusOK || r.json(&ct) != nil || ct.Position != "Facility manager" || ct.LastName != "Kováčová" {
			t.Fatalf("PATCH contact: %d %s", r.Status, r.Body)
		}
		if errs := fields(api.call(http.MethodPatch, fmt.Sprintf("/api/v1/staff/clients/%d/contacts/%d", abc.ID, ct.ID), map[string]string{"last_name": ""})); errs["last_name"] == "" {
			t.Errorf("PATCH contact to no last name: %v", errs)
		}
		// Under another client, or another tenant's: not found.
		for _, path := range []string{
			fmt.Sprintf("/api/v1/staff/clients/%d/contacts/%d", other.ID, ct.ID),
			fmt.Sprintf("/api/v1/staff/clients/%d/contacts/%d", xyz.ID, xyzContact.ID),
			fmt.Sprintf("/api/v1/staff/clients/%d/contacts/%d", abc.ID, xyzContact.ID),
		} {
			api.get(path, http.StatusNotFound)
			if r := api.call(http.MethodPatch, path, map[string]string{"position": "Owner"}); r.Status != http.StatusNotFound {
				t.Errorf("PATCH %s: %d", path, r.Status)
			}
		}
		if r := api.call(http.MethodPost, "/api/v1/staff/clients/"+itoa(xyz.ID)+"/contacts", map[string]string{"first_name": "A", "last_name": "B"}); r.Status != http.StatusNotFound {
			t.Errorf("POST a contact to another tenant's client: %d", r.Status)
		}
		if got, _ := db.Store.Staff(otherTn.Staff).Contacts(ctx, xyz.ID); len(got) != 1 || got[0].Position != "" {
			t.Fatalf("another tenant's contacts changed: %+v", got)
		}

		// The audit log holds what the forms would have written.
		log, _, err := db.Store.Staff(tn.Staff).AuditLog(ctx, domain.ListOptions{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action+" "+e.Subject)
		}
		for _, want := range []string{"client.update Client ABC s.r.o.", "contact.create Contact Jana Kováčová", "contact.update Contact Jana Kováčová"} {
			if !slices.Contains(actions, want) {
				t.Errorf("audit log lacks %q: %v", want, actions)
			}
		}

		// Without clients.manage, every write is 403 and changes nothing; reads work.
		reader := db.StaffUser(t, tn, "reader@acme.test")
		_, text, err = srv.App.CreateStaffAPIToken(ctx, staffOf(t, db, tn.Company.ID, reader.ID), "Reader", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		rd := newAPIClient(t, srv.URL, text)
		rd.get(fmt.Sprintf("/api/v1/staff/clients/%d/contacts/%d", abc.ID, ct.ID), http.StatusOK)
		for _, w := range []struct {
			method, path string
			body         map[string]string
		}{
			{http.MethodPatch, "/api/v1/staff/clients/" + itoa(abc.ID), map[string]string{"city": "Hacked"}},
			{http.MethodPost, "/api/v1/staff/clients/" + itoa(abc.ID) + "/contacts", map[string]string{"first_name": "X", "last_name": "Y"}},
			{http.MethodPatch, fmt.Sprintf("/api/v1/staff/clients/%d/contacts/%d", abc.ID, ct.ID), map[string]string{"last_name": "Hacked"}},
		} {
			if r := rd.call(w.method, w.path, w.body); r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), access.PermissionLabel(access.ClientsManage)) {
				t.Errorf("%s %s without clients.manage: %d %s", w.method, w.path, r.Status, r.Body)
			}
		}
		if got, _ := db.Store.Staff(tn.Staff).Client(ctx, abc.ID); got.City != "Nitra" {
			t.Fatalf("a refused PATCH changed the client: %+v", got)
		}
		if got, _ := db.Store.Staff(tn.Staff).Contacts(ctx, abc.ID); len(got) != 1 || got[0].LastName != "Kováčová" {
			t.Fatalf("refused writes changed the contacts: %+v", got)
		}
	})
}
