package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portico/internal/testenv"
)

func TestClientPages(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		c := s.NewClient(t)
		c.SignIn("acme", "admin@acme.test")

		t.Run("empty list invites to add the first client", func(t *testing.T) {
			r := c.Get("/app/clients")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "No clients yet", `href="/app/clients/new"`)
		})

		t.Run("bad input: errors next to the fields, typing kept", func(t *testing.T) {
			r := c.Post("/app/clients", url.Values{"name": {"  "}, "email": {"not-an-email"}, "city": {"Nové Zámky"},
				"company_number": {strings.Repeat("9", 41)}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, "Name is required.", "Enter a valid email address", "Use at most 40 characters.",
				`value="Nové Zámky"`, `value="not-an-email"`, `aria-invalid="true"`)
		})

		var id string
		t.Run("create, then see it listed and searchable without accents", func(t *testing.T) {
			r := c.Post("/app/clients", url.Values{"name": {"Žilina Foods s.r.o."}, "company_number": {"36123456"},
				"email": {"Office@Zilina-Foods.test"}, "protocol_email": {"protokoly@zilina-foods.test"}, "city": {"Košice"}})
			wantStatus(t, r, http.StatusSeeOther)
			id = strings.TrimPrefix(r.Location, "/app/clients/")
			page := c.Get(r.Location)
			wantStatus(t, page, http.StatusOK)
			wantBody(t, page, "Client Žilina Foods s.r.o. created.", "office@zilina-foods.test", "protokoly@zilina-foods.test", "36123456")
			wantBody(t, c.Get("/app/clients"), "Žilina Foods s.r.o.")
			wantBody(t, c.Get("/app/clients?q=zilina"), "Žilina Foods s.r.o.")
			wantBody(t, c.Get("/app/clients?q=KOSICE"), "Žilina Foods s.r.o.")
			r = c.Get("/app/clients?q=bratislava")
			wantBody(t, r, "No clients match")
			dontWantBody(t, r, "Žilina Foods s.r.o.")
		})

		t.Run("the flash shows once", func(t *testing.T) {
			dontWantBody(t, c.Get("/app/clients/"+id), "created.")
		})

		t.Run("edit", func(t *testing.T) {
			r := c.Get("/app/clients/" + id + "/edit")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, `value="Žilina Foods s.r.o."`)
			r = c.Post("/app/clients/"+id, url.Values{"name": {""}, "vat_id": {"SK2020"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, "Name is required.", `value="SK2020"`)
			r = c.Post("/app/clients/"+id, url.Values{"name": {"Žilina Foods a.s."}, "vat_id": {"SK2020123456"}})
			wantStatus(t, r, http.StatusSeeOther)
			wantBody(t, c.Get("/app/clients/"+id), "Žilina Foods a.s.", "SK2020123456")
		})

		t.Run("pagination", func(t *testing.T) {
			for i := range 30 {
				db.Client(t, tn, fmt.Sprintf("Bulk client %02d", i))
			}
			r := c.Get("/app/clients")
			wantBody(t, r, "Page 1 of 2", "Bulk client 00")
			r = c.Get("/app/clients?page=2")
			wantBody(t, r, "Page 2 of 2", "Žilina Foods a.s.")
			dontWantBody(t, r, "Bulk client 00")
		})

		t.Run("delete is refused while the client has sites; archiving works", func(t *testing.T) {
			wantStatus(t, c.Post("/app/clients/"+id+"/sites", url.Values{"name": {"Košice — Hlavná"}, "city": {"Košice"}}), http.StatusSeeOther)
			r := c.Post("/app/clients/"+id+"/delete", nil)
			wantStatus(t, r, http.StatusConflict)
			wantBody(t, r, "still has 1 site", "archive the client instead")
			wantStatus(t, c.Post("/app/clients/"+id+"/archive", nil), http.StatusSeeOther)
			dontWantBody(t, c.Get("/app/clients?q=zilina"), "Žilina Foods a.s.")
			wantBody(t, c.Get("/app/clients?archived=1"), "Žilina Foods a.s.")
			wantStatus(t, c.Post("/app/clients/"+id+"/restore", nil), http.StatusSeeOther)
			wantBody(t, c.Get("/app/clients?q=zilina"), "Žilina Foods a.s.")
		})

		t.Run("a client without sites or projects can be deleted", func(t *testing.T) {
			gone := db.Client(t, tn, "Short-lived s.r.o.")
			db.Contact(t, tn, gone, "Ján", "Krátky", "jan@short.test")
			r := c.Post(fmt.Sprintf("/app/clients/%d/delete", gone.ID), nil)
			wantStatus(t, r, http.StatusSeeOther)
			wantStatus(t, c.Get(fmt.Sprintf("/app/clients/%d", gone.ID)), http.StatusNotFound)
		})

		t.Run("forged and malformed ids are not found", func(t *testing.T) {
			for _, p := range []string{"/app/clients/0", "/app/clients/-1", "/app/clients/abc", "/app/clients/99999999",
				"/app/clients/" + id + "/sites/99999", "/app/clients/" + id + "/contacts/x/edit"} {
				wantStatus(t, c.Get(p), http.StatusNotFound)
			}
		})
	})
}

func TestClientTabs(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		cl := db.Client(t, tn, "ABC s.r.o.")
		other := db.Client(t, tn, "Other client")
		otherSite := db.Site(t, tn, other, "Elsewhere", "Nitra")
		base := fmt.Sprintf("/app/clients/%d", cl.ID)
		c := s.NewClient(t)
		c.SignIn("acme", "admin@acme.test")

		t.Run("contacts", func(t *testing.T) {
			wantBody(t, c.Get(base+"/contacts"), "No contacts yet")
			r := c.Post(base+"/contacts", url.Values{"first_name": {"Jana"}, "email": {"bad@"}, "position": {"Manager"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, "Last name is required.", "Enter a valid email address", `value="Manager"`)
			r = c.Post(base+"/contacts", url.Values{"first_name": {"Jana"}, "last_name": {"Kováčová"}, "email": {"jana@abc.test"}, "phone": {"0905 333 444"}})
			wantStatus(t, r, http.StatusSeeOther)
			list := c.Get(base + "/contacts")
			wantBody(t, list, "Jana Kováčová", "jana@abc.test", "0905 333 444")
			cid := between(list.Body, base+"/contacts/", "/edit")
			wantBody(t, c.Get(base+"/contacts/"+cid+"/edit"), `value="Kováčová"`)
			wantStatus(t, c.Post(base+"/contacts/"+cid, url.Values{"first_name": {"Jana"}, "last_name": {"Nová"}}), http.StatusSeeOther)
			wantBody(t, c.Get(base+"/contacts"), "Jana Nová")
			wantStatus(t, c.Post(base+"/contacts/"+cid+"/delete", nil), http.StatusSeeOther)
			wantBody(t, c.Get(base+"/contacts"), "No contacts yet")
		})

		var sid string
		t.Run("sites", func(t *testing.T) {
			wantBody(t, c.Get(base+"/sites"), "No sites yet")
			r := c.Post(base+"/sites", url.Values{"name": {""}, "street": {"Hlavná 45"}, "email": {"x"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, "Name is required.", "City is required.", `value="Hlavná 45"`)
			r = c.Post(base+"/sites", url.Values{"name": {"Košice"}, "street": {"Hlavná 45"}, "postal_code": {"040 01"}, "city": {"Košice"},
				"opening_hours": {"Mon–Fri 7:00–15:30"}, "note": {"Ring at the goods entrance."}})
			wantStatus(t, r, http.StatusSeeOther)
			list := c.Get(base + "/sites")
			wantBody(t, list, "Košice", "Hlavná 45, 040 01 Košice")
			sid = between(list.Body, base+"/sites/", "/edit")
			detail := c.Get(base + "/sites/" + sid)
			wantStatus(t, detail, http.StatusOK)
			wantBody(t, detail, "Mon–Fri 7:00–15:30", "Ring at the goods entrance.", "openstreetmap.org")
			wantStatus(t, c.Post(base+"/sites/"+sid, url.Values{"name": {"Košice — Hlavná"}, "city": {"Košice"}}), http.StatusSeeOther)
			wantBody(t, c.Get(base+"/sites"), "Košice — Hlavná")
		})

		t.Run("projects", func(t *testing.T) {
			wantBody(t, c.Get(base+"/projects"), "No projects yet")
			r := c.Post(base+"/projects", url.Values{"name": {"Monitoring"}, "status": {"active"}, "site_id": {itoa(otherSite.ID)}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, "Choose one of this client&#39;s sites.")
			r = c.Post(base+"/projects", url.Values{"name": {"Monitoring"}, "status": {"paused"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, "Choose one of the offered values.")
			r = c.Post(base+"/projects", url.Values{"name": {"Monitoring"}, "status": {"active"}, "site_id": {sid}})
			wantStatus(t, r, http.StatusSeeOther)
			list := c.Get(base + "/projects")
			wantBody(t, list, "Monitoring", "Košice — Hlavná", "Active")
			pid := between(list.Body, base+"/projects/", "/edit")
			wantStatus(t, c.Post(base+"/projects/"+pid, url.Values{"name": {"Monitoring"}, "status": {"finished"}, "site_id": {"0"}}), http.StatusSeeOther)
			list = c.Get(base + "/projects")
			wantBody(t, list, "Finished", "No site")

			wantStatus(t, c.Post(base+"/projects/"+pid, url.Values{"name": {"Monitoring"}, "status": {"active"}, "site_id": {sid}}), http.StatusSeeOther)
			r = c.Post(base+"/sites/"+sid+"/delete", nil)
			wantStatus(t, r, http.StatusConflict)
			wantBody(t, r, "still has 1 project")
			wantStatus(t, c.Post(base+"/projects/"+pid+"/delete", nil), http.StatusSeeOther)
			wantStatus(t, c.Post(base+"/sites/"+sid+"/delete", nil), http.StatusSeeOther)
			wantBody(t, c.Get(base+"/sites"), "No sites yet")
		})

		t.Run("overview counts", func(t *testing.T) {
			r := c.Get(base)
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "ABC s.r.o.", `<span class="stat-value">0</span>`)
		})
	})
}

// between returns the first run of digits standing between from and to.
func between(s, from, to string) string {
	m := regexp.MustCompile(regexp.QuoteMeta(from) + `(\d+)` + regexp.QuoteMeta(to)).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}
