package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

var (
	mainRe     = regexp.MustCompile(`(?s)<main[^>]*>(.*)</main>`)
	tagRe      = regexp.MustCompile(`(?s)<[^>]*>`)
	hrefRe     = regexp.MustCompile(`href="([^"]*)"`)
	spaceRe    = regexp.MustCompile(`\s+`)
	readOnlyRe = regexp.MustCompile(`(?s)<p class="card-note" id="switches-readonly">.*?</p>`)
)

// seen is what a person reads on a portal page and where its links go, with the
// page's own URL prefix written as BASE.
func seen(body, base string) (text string, links []string) {
	m := mainRe.FindStringSubmatch(body)
	if m == nil {
		return "", nil
	}
	main := readOnlyRe.ReplaceAllString(m[1], "")
	for _, h := range hrefRe.FindAllStringSubmatch(main, -1) {
		links = append(links, strings.ReplaceAll(h[1], base, "BASE"))
	}
	text = strings.TrimSpace(spaceRe.ReplaceAllString(tagRe.ReplaceAllString(main, " "), " "))
	return text, links
}

// Staff with portal.invite see the portal exactly as one of its users does —
// the same text and links on every page, the same Scope — read-only, with each
// view in the audit log, and the user's own session untouched.
func TestViewAsPortalUser(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := context.Background()
		rig := newPortalRig(t, db)
		tn := rig.tn
		hotel := db.Client(t, tn, "Hotel Tatra")
		spa := db.Site(t, tn, hotel, "Spa", "Poprad")
		garden := db.Site(t, tn, hotel, "Garden", "Poprad")
		spaProject := db.Project(t, tn, hotel, "Spa pumps", spa)
		gardenProject := db.Project(t, tn, hotel, "Garden lights", garden)
		pump, _ := db.Switch(t, tn, spaProject, "Pool pump", domain.FamilyTasmota, "acme_pool")
		db.Switch(t, tn, gardenProject, "Path lights", domain.FamilyTasmota, "acme_path")
		villa := db.Client(t, tn, "Villa Lomnica")
		db.Project(t, tn, villa, "Villa lights", nil)

		jana := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "Jana", LastName: "Kováčová", Email: "jana@hotel.test",
			ClientIDs: []int64{hotel.ID}, SiteIDs: []int64{spa.ID}})
		hash := testenv.PasswordHash(t, pwOffice)
		if err := db.Store.SetPortalPassword(ctx, tn.Company.ID, jana.ID, hash); err != nil {
			t.Fatal(err)
		}
		own := rig.srv.NewClient(t)
		if r := own.Post("/portal/acme/login", url.Values{"email": {"jana@hotel.test"}, "password": {pwOffice}}); r.Status != http.StatusSeeOther {
			t.Fatalf("jana's sign-in: %d", r.Status)
		}

		base := fmt.Sprintf("/app/view-as/%d", jana.ID)
		if users := rig.staff.Get("/app/users").Body; !strings.Contains(users, `href="`+base+`/"`) {
			t.Errorf("the Users page has no View as link for jana")
		}
		pages := []string{"/", "/projects", fmt.Sprintf("/projects/%d", spaProject.ID), "/protocols", "/documents",
			"/invoices", "/estimates", "/my-data", fmt.Sprintf("/sites/%d", spa.ID)}
		for _, p := range pages {
			mine := own.Get("/portal/acme" + p)
			as := rig.staff.Get(base + p)
			if mine.Status != http.StatusOK || as.Status != http.StatusOK {
				t.Errorf("%s: jana %d, staff viewing as jana %d; want 200 both", p, mine.Status, as.Status)
				continue
			}
			mt, ml := seen(mine.Body, "/portal/acme")
			at, al := seen(as.Body, base)
			if mt == "" || mt != at {
				t.Errorf("%s reads differently viewed as jana:\njana:    %s\nviewing: %s", p, mt, at)
			}
			if strings.Join(ml, " ") != strings.Join(al, " ") {
				t.Errorf("%s links differently viewed as jana:\njana:    %v\nviewing: %v", p, ml, al)
			}
			if !strings.Contains(as.Body, "Viewing as") || !strings.Contains(as.Body, "Jana Kováčová") || !strings.Contains(as.Body, "read-only") {
				t.Errorf("%s viewed as jana has no banner", p)
			}
		}
		// Her Scope: not the garden's project, not the villa's.
		for _, p := range []string{fmt.Sprintf("/projects/%d", gardenProject.ID), fmt.Sprintf("/sites/%d", garden.ID)} {
			if s := rig.staff.Get(base + p).Status; s != http.StatusNotFound {
				t.Errorf("viewing as jana, %s: %d, want 404 as for her", p, s)
			}
		}

		// Read-only: the toggle is disabled and says why; nothing that changes data is served.
		project := rig.staff.Get(fmt.Sprintf("%s/projects/%d", base, spaProject.ID)).Body
		if !regexp.MustCompile(`<button class="btn btn-primary" type="submit" disabled aria-describedby="switches-readonly">`).MatchString(project) ||
			!strings.Contains(project, `id="switches-readonly"`) {
			t.Errorf("viewing as jana, the toggle is not disabled with its reason")
		}
		for _, post := range []string{fmt.Sprintf("/projects/%d/switches/%d", spaProject.ID, pump.ID), "/my-data", "/logout"} {
			if s := rig.staff.Post(base+post, url.Values{"state": {"on"}}).Status; s != http.StatusMethodNotAllowed && s != http.StatusNotFound {
				t.Errorf("viewing as jana, POST %s: %d, want 405 or 404", post, s)
			}
		}
		if sw, err := db.Store.Devices(testenv.SwitchesPrincipal()).SwitchByID(ctx, pump.ID); err != nil || sw.Pending != "" {
			t.Errorf("the pump after POSTs while viewing: %+v, %v; want nothing pending", sw, err)
		}
		if s := rig.staff.Get(base + "/account/security").Status; s != http.StatusNotFound {
			t.Errorf("viewing as jana, her account security: %d, want 404", s)
		}

		// Every view is in the audit log, with whom and which page.
		audit := rig.staff.Get("/app/audit").Body
		if n := strings.Count(audit, "portal.view_as"); n < 10 {
			t.Errorf("audit log has %d view-as entries on its first page, want one per view", n)
		}
		if !strings.Contains(audit, "jana@hotel.test /my-data") {
			t.Errorf("audit log does not say which page was viewed as whom")
		}

		// Her own session is untouched.
		if s := own.Get("/portal/acme/").Status; s != http.StatusOK {
			t.Errorf("jana's own session after being viewed: %d", s)
		}

		// Only staff with portal.invite, and only users of their tenant.
		db.StaffUser(t, tn, "manager@acme.test", access.ClientsManage)
		manager := rig.srv.NewClient(t)
		manager.SignIn("acme", "manager@acme.test")
		if s := manager.Get(base + "/").Status; s != http.StatusForbidden {
			t.Errorf("viewing as without portal.invite: %d, want 403", s)
		}
		other := db.Tenant(t, "")
		oc := db.Client(t, other, "Other hotel")
		mallory := db.PortalUser(t, other, app.NewPortalUser{FirstName: "Mallory", LastName: "X", Email: "m@other.test", ClientIDs: []int64{oc.ID}})
		if s := rig.staff.Get(fmt.Sprintf("/app/view-as/%d/", mallory.ID)).Status; s != http.StatusNotFound {
			t.Errorf("viewing as another tenant's user: %d, want 404", s)
		}
	})
}
