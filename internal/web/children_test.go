package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/testenv"
)

// TestClientChildLifecycle walks each kind of a client's children — contacts,
// sites, projects — through the same life: add, edit, an edit the store refuses
// (the form comes back with the field's error and what was typed), and delete,
// each with its flash message.
func TestClientChildLifecycle(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		cl := db.Client(t, tn, "ABC s.r.o.")
		otherSite := db.Site(t, tn, db.Client(t, tn, "Other client"), "Elsewhere", "Nitra")
		base := fmt.Sprintf("/app/clients/%d", cl.ID)
		c := s.NewClient(t)
		c.SignIn("acme", "admin@acme.test")

		for _, tc := range []struct {
			tab      string
			addTitle string
			create   url.Values
			added    string // the flash after adding
			listed   string // what the tab shows of it
			opens    string // when set, adding opens the new child's page, which shows this
			editForm string // what its edit form shows
			update   url.Values
			updated  string // what the tab shows after the edit
			saved    string
			invalid  url.Values
			fieldErr string
			kept     string // a typed value the refused form keeps
			deleted  string
		}{
			{
				tab: "contacts", addTitle: "Add contact",
				create: url.Values{"first_name": {"Jana"}, "last_name": {"Kováčová"}, "email": {"jana@abc.test"}, "phone": {"0905 333 444"}},
				added:  "Contact Jana Kováčová added.", listed: "jana@abc.test", editForm: `value="Kováčová"`,
				update:  url.Values{"first_name": {"Jana"}, "last_name": {"Nová"}, "email": {"jana@abc.test"}},
				updated: "Jana Nová", saved: "Contact saved.",
				invalid:  url.Values{"first_name": {"Jana"}, "last_name": {""}, "position": {"Site manager"}},
				fieldErr: "Last name is required.", kept: `value="Site manager"`,
				deleted: "Contact deleted.",
			},
			{
				tab: "sites", addTitle: "Add site",
				create: url.Values{"name": {"Košice"}, "street": {"Hlavná 45"}, "city": {"Košice"}},
				added:  "Site Košice added.", listed: "Hlavná 45", editForm: `value="Hlavná 45"`,
				update:  url.Values{"name": {"Košice — Hlavná"}, "street": {"Hlavná 45"}, "city": {"Košice"}},
				updated: "Košice — Hlavná", saved: "Site saved.",
				invalid:  url.Values{"name": {""}, "street": {"Mlynská 10"}, "city": {"Košice"}},
				fieldErr: "Name is required.", kept: `value="Mlynská 10"`,
				deleted: "Site deleted.",
			},
			{
				tab: "projects", addTitle: "Add project",
				create: url.Values{"name": {"Monitoring"}, "status": {"active"}, "site_id": {"0"}},
				added:  "Project Monitoring added.", listed: "Monitoring", editForm: `value="Monitoring"`,
				opens:   "Add switch",
				update:  url.Values{"name": {"Monitoring hall B"}, "status": {"finished"}, "site_id": {"0"}},
				updated: "Monitoring hall B", saved: "Project saved.",
				invalid:  url.Values{"name": {"Monitoring hall C"}, "status": {"active"}, "site_id": {itoa(otherSite.ID)}},
				fieldErr: "Choose one of this client&#39;s sites.", kept: `value="Monitoring hall C"`,
				deleted: "Project deleted.",
			},
		} {
			t.Run(tc.tab, func(t *testing.T) {
				tab := base + "/" + tc.tab
				r := c.Get(tab + "/new")
				wantStatus(t, r, http.StatusOK)
				wantBody(t, r, "<h1>"+tc.addTitle+"</h1>", `action="`+tab+`"`)

				r = c.Post(tab, tc.create)
				wantStatus(t, r, http.StatusSeeOther)
				switch {
				case tc.opens == "" && r.Location != tab:
					t.Fatalf("add redirects to %q, want %q", r.Location, tab)
				case tc.opens != "":
					if id := strings.TrimPrefix(r.Location, tab+"/"); id == r.Location || strings.Trim(id, "0123456789") != "" {
						t.Fatalf("add redirects to %q, want the new child's page under %s/", r.Location, tab)
					}
					wantBody(t, c.Get(r.Location), tc.added, tc.opens)
				}
				list := c.Get(tab)
				if tc.opens == "" {
					wantBody(t, list, tc.added)
				}
				wantBody(t, list, tc.listed)
				id := between(list.Body, tab+"/", "/edit")
				if id == "" {
					t.Fatal("the tab has no edit link")
				}
				child := tab + "/" + id

				r = c.Get(child + "/edit")
				wantStatus(t, r, http.StatusOK)
				wantBody(t, r, tc.editForm, `action="`+child+`"`)

				r = c.Post(child, tc.update)
				wantStatus(t, r, http.StatusSeeOther)
				wantBody(t, c.Get(r.Location), tc.saved, tc.updated)

				r = c.Post(child, tc.invalid)
				wantStatus(t, r, http.StatusUnprocessableEntity)
				wantBody(t, r, tc.fieldErr, tc.kept, `action="`+child+`"`, "has-error")
				wantBody(t, c.Get(tab), tc.updated) // the refused edit changed nothing

				r = c.Post(child+"/delete", nil)
				wantStatus(t, r, http.StatusSeeOther)
				list = c.Get(r.Location)
				wantBody(t, list, tc.deleted)
				dontWantBody(t, list, tc.updated)
				wantStatus(t, c.Get(child+"/edit"), http.StatusNotFound)
			})
		}
	})
}
