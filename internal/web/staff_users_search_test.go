package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// The Users page searches portal and staff users by name or email, ignoring
// case and accents, on the server; the search stays in the pagination links,
// an empty result says so with a way back, and another tenant's users never
// match, not even by their exact email.
func TestStaffUsersSearch(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		acme := db.Tenant(t, "acme")
		other := db.Tenant(t, "other")
		db.StaffUser(t, acme, "tomas@acme.test", access.ProtocolsWrite)

		// 27 technicians at acme (more than a page of 25), spread over clients of
		// at most five portal users each, and one Jana Kováčová.
		var clients []*domain.Client
		for i := range 27 {
			if i%5 == 0 {
				clients = append(clients, db.Client(t, acme, fmt.Sprintf("Client %d", i/5)))
			}
			db.PortalUser(t, acme, app.NewPortalUser{FirstName: "Tech", LastName: fmt.Sprintf("Nr %02d", i),
				Email: fmt.Sprintf("tech%02d@field.test", i), ClientIDs: []int64{clients[len(clients)-1].ID}})
		}
		abc := db.Client(t, acme, "ABC s.r.o.")
		db.PortalUser(t, acme, app.NewPortalUser{FirstName: "Jana", LastName: "Kováčová", Email: "jana@abc.test", ClientIDs: []int64{abc.ID}})
		// The other tenant has a Kováčová too, and a technician.
		oc := db.Client(t, other, "Other client")
		db.PortalUser(t, other, app.NewPortalUser{FirstName: "Eva", LastName: "Kováčová", Email: "eva@other.test", ClientIDs: []int64{oc.ID}})
		db.PortalUser(t, other, app.NewPortalUser{FirstName: "Tech", LastName: "Elsewhere", Email: "tech99@field.test", ClientIDs: []int64{oc.ID}})
		db.StaffUser(t, other, "kovac@other.test", access.ClientsManage)

		admin := s.NewClient(t)
		admin.SignIn("acme", "admin@acme.test")

		t.Run("by name, ignoring case and accents", func(t *testing.T) {
			for _, q := range []string{"kovacova", "KOVÁČOVÁ", "Jana Kov", "jana@abc"} {
				r := admin.Get("/app/users?q=" + url.QueryEscape(q))
				wantStatus(t, r, http.StatusOK)
				wantBody(t, r, "jana@abc.test", `value="`+html.EscapeString(q)+`"`)
				dontWantBody(t, r, "tech00@field.test", "eva@other.test", "Eva")
			}
		})

		t.Run("staff users are searched too", func(t *testing.T) {
			r := admin.Get("/app/users?q=tomas")
			wantBody(t, r, "tomas@acme.test", "No portal users match")
			dontWantBody(t, r, "admin@acme.test", "jana@abc.test")
		})

		t.Run("pagination keeps the search", func(t *testing.T) {
			r := admin.Get("/app/users?q=tech")
			wantBody(t, r, "tech00@field.test", "Page 1 of 2")
			dontWantBody(t, r, "jana@abc.test", "tech99@field.test")
			next := regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(r.Body)
			if next == nil {
				t.Fatalf("no link to the next page:\n%s", r.Body)
			}
			u, err := url.Parse(html.UnescapeString(next[1]))
			if err != nil || u.Query().Get("q") != "tech" || u.Query().Get("page") != "2" {
				t.Fatalf("the next page's link is %q, want q=tech and page=2", next[1])
			}
			r = admin.Get(u.String())
			wantBody(t, r, "tech26@field.test", "Page 2 of 2", `value="tech"`)
			dontWantBody(t, r, "tech00@field.test", "tech99@field.test")
		})

		t.Run("nothing matches: say so, offer to clear", func(t *testing.T) {
			r := admin.Get("/app/users?q=" + url.QueryEscape("nobody-here"))
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "No users match “nobody-here”", `<a class="btn" href="/app/users">Clear search</a>`)
		})

		t.Run("another tenant's users never match", func(t *testing.T) {
			for _, q := range []string{"eva@other.test", "Elsewhere", "tech99", "kovac@other"} {
				r := admin.Get("/app/users?q=" + url.QueryEscape(q))
				wantBody(t, r, "No users match")
				dontWantBody(t, r, "View as eva@other.test", "View as tech99@field.test", "kovac<wbr>@other.test", "Portal users <span")
			}
		})

		t.Run("store: the view matches within its own tenant only", func(t *testing.T) {
			users, info, err := db.Store.Staff(other.Staff).PortalUsersMatching(context.Background(), "kováčová", domain.ListOptions{})
			if err != nil || info.Total != 1 || len(users) != 1 || users[0].Email != "eva@other.test" {
				t.Fatalf("other's search for kováčová: %d users (total %d) %v", len(users), info.Total, err)
			}
			staff, err := db.Store.Staff(other.Staff).ManagedStaffUsersMatching(context.Background(), "tomas")
			if err != nil || len(staff) != 0 {
				t.Fatalf("other's staff search for tomas: %v %v", staff, err)
			}
		})
	})
}

// Permissions show by their labels, never their keys: chips on the Users page
// (with the description as a tooltip), the checkboxes of the staff form, and a
// refusal for want of a permission (TestPermissionTextHasSlovak checks their
// Slovak).
func TestStaffPermissionLabels(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		acme := db.Tenant(t, "acme")
		db.StaffUser(t, acme, "tomas@acme.test", access.ProtocolsWrite, access.SwitchesManage)
		admin := s.NewClient(t)
		admin.SignIn("acme", "admin@acme.test")

		list := admin.Get("/app/users")
		wantBody(t, list, `title="Write, complete and edit service protocols">Write protocols</span>`, ">Manage switches</span>", ">Manage staff</span>", ">Invite portal users</span>")
		form := admin.Get("/app/users/new")
		wantBody(t, form, "<strong>Manage clients</strong>", "— Manage clients, contacts, sites and projects")
		for _, p := range access.Permissions {
			if strings.Contains(list.Body, ">"+p+"<") || strings.Contains(form.Body, ">"+p+"<") {
				t.Errorf("the permission key %s is shown as text", p)
			}
		}

		tomas := s.NewClient(t)
		tomas.SignIn("acme", "tomas@acme.test")
		r := tomas.Get("/app/users/new")
		wantStatus(t, r, http.StatusForbidden)
		wantBody(t, r, "You need the “Manage staff” permission")
		dontWantBody(t, r, "users.manage")
	})
}

// A portal user's sites are named with their client, "Client — Site", on the
// Users page, the client's Portal access card, the access overview and in the
// portal user form's chips.
func TestStaffSiteChipsNameTheClient(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		acme := db.Tenant(t, "acme")
		tatra := db.Client(t, acme, "Hotel Tatra")
		poprad := db.Site(t, acme, tatra, "Poprad", "Poprad")
		db.Site(t, acme, tatra, "Štrbské Pleso", "Štrba")
		u := db.PortalUser(t, acme, app.NewPortalUser{FirstName: "Zuzana", LastName: "Malá", Email: "zuzana@tatra.test",
			ClientIDs: []int64{tatra.ID}, SiteIDs: []int64{poprad.ID}})
		admin := s.NewClient(t)
		admin.SignIn("acme", "admin@acme.test")

		chip := `<span class="chip chip-site"><svg class="icon" aria-hidden="true"><use href="/static/icons.svg#map-pin"></use></svg> <span>Hotel Tatra — Poprad</span></span>`
		for _, page := range []string{"/app/users", fmt.Sprintf("/app/clients/%d", tatra.ID), "/app/access"} {
			r := admin.Get(page)
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, chip)
			dontWantBody(t, r, "Štrbské Pleso</span>")
		}
		r := admin.Get(fmt.Sprintf("/app/portal-users/%d/edit", u.ID))
		wantBody(t, r, fmt.Sprintf(`<option value="%d" data-chip="Hotel Tatra — Poprad" selected>Poprad — Poprad</option>`, poprad.ID))
	})
}

// A staff member who may not invite is told whom to ask instead of meeting an
// empty space; one who may is told, as a hint and not a block, when the client
// has no completed protocol yet, in every place an invitation starts.
func TestStaffInviteHints(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		acme := db.Tenant(t, "acme")
		db.StaffUser(t, acme, "reader@acme.test")
		db.StaffUser(t, acme, "inviter@acme.test", access.PortalInvite)
		empty := db.Client(t, acme, "Empty s.r.o.")
		served := db.Client(t, acme, "Served s.r.o.")
		db.Contact(t, acme, empty, "Eva", "Prázdna", "eva@empty.test")
		site := db.Site(t, acme, served, "Main", "Nitra")
		p := &domain.Protocol{ClientID: served.ID, SiteID: site.ID, TechnicianID: acme.Admin.ID,
			PerformedAt: time.Now().AddDate(0, 0, -1).Truncate(time.Second), ServiceType: "Rodent control"}
		view := db.Store.Staff(acme.Staff)
		if err := view.CreateProtocol(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		// A draft does not count: the portal shows completed protocols only.
		clientPage := func(c *domain.Client) string { return fmt.Sprintf("/app/clients/%d", c.ID) }
		const hint = "has no completed protocol yet, so the portal would open empty."

		inviter := s.NewClient(t)
		inviter.SignIn("acme", "inviter@acme.test")
		for _, page := range []string{"", "/portal/invite", "/contacts"} {
			wantBody(t, inviter.Get(clientPage(empty)+page), "<strong>Empty s.r.o.</strong> "+hint, "Tip: send the invitation after the first protocol")
		}
		for _, page := range []string{"", "/portal/invite"} {
			wantBody(t, inviter.Get(clientPage(served)+page), hint) // only a draft so far
		}
		if err := view.CompleteProtocol(context.Background(), p.ID); err != nil {
			t.Fatal(err)
		}
		for _, page := range []string{"", "/portal/invite"} {
			dontWantBody(t, inviter.Get(clientPage(served)+page), hint)
		}
		// Nor for a client with a project: its projects and switches are in the portal.
		projects := db.Client(t, acme, "Projects s.r.o.")
		db.Contact(t, acme, projects, "Pavol", "Projektový", "pavol@projects.test")
		db.Project(t, acme, projects, "Garden", nil)
		for _, page := range []string{"", "/portal/invite", "/contacts"} {
			dontWantBody(t, inviter.Get(clientPage(projects)+page), hint)
		}
		// A hint, not a block: the invitation goes out.
		r := inviter.Post(clientPage(empty)+"/portal/invite", url.Values{"email_choice": {"other"}, "other_email": {"eva@empty.test"}})
		wantStatus(t, r, http.StatusSeeOther)

		reader := s.NewClient(t)
		reader.SignIn("acme", "reader@acme.test")
		for _, c := range []*domain.Client{served, empty} {
			r := reader.Get(clientPage(c))
			wantBody(t, r, "you need the “Invite portal users” permission. Ask an administrator", "Who can invite: <strong>Admin acme</strong>, <strong>Staff inviter@acme.test</strong>.")
			dontWantBody(t, r, hint, `data-open-dialog="invite-dialog"`)
		}

		// With more people who may invite than a note should list, it names none.
		for i := range maxInvitersShown {
			db.StaffUser(t, acme, fmt.Sprintf("more%d@acme.test", i), access.PortalInvite)
		}
		r = reader.Get(clientPage(served))
		wantBody(t, r, "Ask an administrator")
		dontWantBody(t, r, "Who can invite")
	})
}

// maxInvitersShown is web's maxInviters: adding that many to the two who may
// invite already makes too many to name.
const maxInvitersShown = 3
