package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/demo"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// staffWidthPages are the staff app's main pages over the demo tenant: the
// clients list, ABC's page with each tab, a site, a project with switches, a
// protocol and the protocol form, invoices and estimates, settings, users (and
// a search that finds nobody), a portal user's access form, the staff form, the
// access overview and the audit log; and a new client without protocols, with
// its invitation page and contacts. It also invites, without a name, a person
// at Hotel Tatra, so that the Users page has an empty Name cell to show. The
// second list is what Tomáš, who may not invite, looks at.
func staffWidthPages(t *testing.T, db *testenv.DB, srv *testenv.Server) (pages, tomas []string) {
	t.Helper()
	ctx := context.Background()
	d, err := demo.Fill(ctx, db.Store)
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	admin, _, err := db.Store.StaffCredentials(ctx, d.CompanyID, d.AdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	staff := access.NewStaff(admin)
	view := db.Store.Staff(staff)
	clients, _, err := view.Clients(ctx, store.ClientFilter{ListOptions: domain.ListOptions{PerPage: 100}})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*domain.Client{}
	for _, c := range clients {
		byName[c.Name] = c
	}
	abc, dencorp, tatra := byName["ABC s.r.o."], byName["Dencorp"], byName["Hotel Tatra a.s."]
	if abc == nil || dencorp == nil || tatra == nil {
		t.Fatalf("the demo lacks ABC, Dencorp or Hotel Tatra: %v", byName)
	}
	if _, err := srv.App.InviteClient(ctx, staff, tatra.ID, app.InviteAnotherEmail, "reception@hoteltatra.test"); err != nil {
		t.Fatalf("inviting a person without a name: %v", err)
	}
	sites, err := view.Sites(ctx, abc.ID)
	if err != nil || len(sites) == 0 {
		t.Fatalf("ABC's sites: %v %v", sites, err)
	}
	projects, err := view.Projects(ctx, dencorp.ID)
	if err != nil || len(projects) == 0 {
		t.Fatalf("Dencorp's projects: %v %v", projects, err)
	}
	protocols, _, err := view.Protocols(ctx, store.ProtocolFilter{ClientID: abc.ID})
	if err != nil || len(protocols) == 0 {
		t.Fatalf("ABC's protocols: %v %v", protocols, err)
	}
	tn := &testenv.Tenant{Company: &domain.Company{ID: d.CompanyID}, Admin: admin, Staff: staff}
	fresh := db.Client(t, tn, "Nová Firma s.r.o.")
	db.Contact(t, tn, fresh, "Eva", "Nováková", "eva@novafirma.test")
	kosice, _, err := db.Store.PortalCredentials(ctx, d.CompanyID, "kosice@abc.test")
	if err != nil {
		t.Fatal(err)
	}
	client := fmt.Sprintf("/app/clients/%d", abc.ID)
	freshPage := fmt.Sprintf("/app/clients/%d", fresh.ID)
	pages = []string{"/app/clients", client}
	for _, tab := range []string{"contacts", "sites", "projects", "protocols", "documents", "billing", "billing/estimates"} {
		pages = append(pages, client+"/"+tab)
	}
	pages = append(pages,
		fmt.Sprintf("%s/sites/%d", client, sites[0].ID),
		fmt.Sprintf("/app/clients/%d/projects/%d", dencorp.ID, projects[0].ID),
		fmt.Sprintf("%s/protocols/%d", client, protocols[0].ID),
		client+"/protocols/new",
		"/app/settings",
		"/app/users",
		"/app/users?q=nobody-here",
		fmt.Sprintf("/app/portal-users/%d/edit", kosice.ID),
		"/app/users/new",
		"/app/access",
		"/app/audit",
		freshPage, freshPage+"/portal/invite", freshPage+"/contacts",
	)
	return pages, []string{client, freshPage}
}

// Every main staff page fits a 390 px phone and a 1280 px desktop without
// scrolling sideways. On the Users page a portal user without a name shows
// "—" in a row whose labels do not overlap on a phone, and at 1280 px every
// Status badge is visible inside its card, not covered by the row's icons.
func TestBrowserStaffAtPhoneAndDesktopWidths(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		pages, tomasPages := staffWidthPages(t, db, srv)
		for _, width := range []struct {
			name  string
			phone bool
		}{{"390px", true}, {"1280px", false}} {
			t.Run(width.name, func(t *testing.T) {
				var b *testenv.Browser
				if width.phone {
					b = testenv.NewPhoneBrowser(t)
				} else {
					b = testenv.NewBrowser(t)
				}
				b.Run(chromedp.Navigate(srv.URL+"/app/login"), browserFill("company", demo.Slug), browserFill("email", demo.AdminEmail), browserFill("password", demo.AdminPassword))
				if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
					t.Fatalf("staff sign-in: status %d", st)
				}
				for _, p := range pages {
					if st := b.Follow(chromedp.Navigate(srv.URL + p)); st != http.StatusOK {
						t.Errorf("%s: status %d", p, st)
						continue
					}
					browserNoSidewaysScroll(t, b, width.name+" "+p)
					chipsHoldTheirText(t, b, width.name+" "+p)
					b.Screenshot(width.name + strings.NewReplacer("/", "-", "?", "-").Replace(p))
				}
				b.Run(chromedp.Navigate(srv.URL + "/app/users"))
				staffUsersPageHolds(t, b, width.name, width.phone)

				// Tomáš may not invite: the Portal access card tells him whom to ask.
				b.Follow(chromedp.Click(chromedp.CSS(`.btn-signout`)))
				b.Run(chromedp.Navigate(srv.URL+"/app/login"), browserFill("company", demo.Slug), browserFill("email", "tomas@demo.test"), browserFill("password", demo.AdminPassword))
				if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
					t.Fatalf("Tomáš's sign-in: status %d", st)
				}
				for _, p := range tomasPages {
					b.Follow(chromedp.Navigate(srv.URL + p))
					browserWantText(t, b, "Ask an administrator")
					browserNoSidewaysScroll(t, b, width.name+" Tomáš "+p)
					b.Screenshot(width.name + "-tomas" + strings.ReplaceAll(p, "/", "-"))
				}
			})
		}
	})
}

// staffUsersPageHolds checks the Users page as it is in the browser.
func staffUsersPageHolds(t *testing.T, b *testenv.Browser, width string, phone bool) {
	t.Helper()
	name := testenv.Result(b, chromedp.Evaluate[string](`(() => {
		const row = [...document.querySelectorAll("tr")].find(r => r.textContent.includes("reception@hoteltatra.test"));
		const cell = row && row.querySelector('td[data-label="Name"]');
		return cell ? cell.textContent.trim() : "(no row)";
	})()`))
	if name != "—" {
		t.Errorf("%s: the Name cell of a portal user without a name reads %q, want —", width, name)
	}
	if phone {
		// Each labelled line of a stacked row is at least as tall as its label,
		// and no two labels of a row overlap.
		overlaps := testenv.Result(b, chromedp.Evaluate[[]string](`(() => {
			const out = [];
			for (const tr of document.querySelectorAll("main table tbody tr")) {
				const cells = [...tr.querySelectorAll("td[data-label]")].filter(td => td.getClientRects().length);
				for (const td of cells) {
					const label = parseFloat(getComputedStyle(td, "::before").height) || 0;
					const r = td.getBoundingClientRect();
					if (r.height + 0.5 < label) out.push(tr.cells[0].textContent.trim() + ": " + td.dataset.label + " is " + r.height + "px tall, its label " + label + "px");
				}
				for (let i = 1; i < cells.length; i++) {
					if (cells[i].getBoundingClientRect().top < cells[i-1].getBoundingClientRect().top + 12) out.push(tr.cells[0].textContent.trim() + ": " + cells[i-1].dataset.label + " and " + cells[i].dataset.label + " overlap");
				}
			}
			return out;
		})()`))
		for _, o := range overlaps {
			t.Errorf("%s Users: %s", width, o)
		}
		return
	}
	// Every Status badge lies inside its card and on screen, and is what a
	// click at its centre reaches (no icon covers it).
	bad := testenv.Result(b, chromedp.Evaluate[[]string](`(() => {
		const out = [];
		const badges = [...document.querySelectorAll('main td[data-label="Status"] .badge')];
		if (!badges.length) out.push("no Status badges on the page");
		for (const bd of badges) {
			const card = bd.closest(".card").getBoundingClientRect(), r = bd.getBoundingClientRect();
			const who = bd.closest("tr").cells[0].textContent.trim();
			if (r.width < 1 || r.left < card.left || r.right > card.right || r.left < 0 || r.right > document.documentElement.clientWidth) {
				out.push(who + ": badge at " + Math.round(r.left) + "–" + Math.round(r.right) + "px, card " + Math.round(card.left) + "–" + Math.round(card.right) + "px");
				continue;
			}
			bd.scrollIntoView({block: "center"});
			const r2 = bd.getBoundingClientRect();
			const hit = document.elementFromPoint(r2.left + r2.width / 2, r2.top + r2.height / 2);
			if (!hit || !bd.contains(hit)) out.push(who + ": the badge is covered by " + (hit ? hit.outerHTML.slice(0, 80) : "nothing"));
		}
		const wraps = [...document.querySelectorAll("main .table-wrap")].filter(w => w.scrollWidth > w.clientWidth + 1);
		for (const w of wraps) out.push("a table scrolls sideways: " + w.scrollWidth + " > " + w.clientWidth);
		return out;
	})()`))
	for _, s := range bad {
		t.Errorf("%s Users: %s", width, s)
	}
}

// chipsHoldTheirText fails the test for each chip whose text spills out of it.
// A removable chip's button reaches out on purpose (a larger target), so its
// text is measured rather than the chip's scroll width.
func chipsHoldTheirText(t *testing.T, b *testenv.Browser, page string) {
	t.Helper()
	for _, c := range testenv.Result(b, chromedp.Evaluate[[]string](`[...document.querySelectorAll("main .chip")]
		.filter(c => c.getClientRects().length && (() => {
			const r = document.createRange(), box = c.getBoundingClientRect();
			const text = [...c.childNodes].filter(n => !(n.tagName === "BUTTON"));
			if (!text.length) return false;
			r.setStartBefore(text[0]); r.setEndAfter(text[text.length - 1]);
			const t = r.getBoundingClientRect();
			return t.right > box.right + 0.5 || t.left < box.left - 0.5;
		})())
		.map(c => c.textContent.trim())`)) {
		t.Errorf("%s: the chip %s spills out", page, c)
	}
}
