package web_test

import (
	"context"
	"encoding/csv"
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

// The access overview answers "who sees what": for each client its seats and
// each portal user's sites, switches, two-factor, last sign-in and invitation,
// with filters and a CSV export — and never a user of another tenant.
func TestAccessOverview(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := context.Background()
		rig := newPortalRig(t, db)
		tn := rig.tn
		hotel := db.Client(t, tn, "Hotel Tatra")
		spa := db.Site(t, tn, hotel, "Spa", "Poprad")
		garden := db.Site(t, tn, hotel, "Garden", "Poprad")
		project := db.Project(t, tn, hotel, "Pumps", nil)
		fountain, _ := db.Switch(t, tn, project, "Fountain", domain.FamilyTasmota, "acme_fountain")
		db.Switch(t, tn, project, "Irrigation", domain.FamilyTasmota, "acme_irrigation")
		bakery := db.Client(t, tn, "=Bakery Sun")
		villa := db.Client(t, tn, "Villa Lomnica") // no portal users

		jana := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "Jana", LastName: "Kováčová", Email: "jana@hotel.test", ClientIDs: []int64{hotel.ID}})
		if err := app.New(db.Store, nil, "").SetPortalSwitchGrants(ctx, tn.Staff, jana.ID, []int64{fountain.ID}); err != nil {
			t.Fatal(err)
		}
		db.PortalUser(t, tn, app.NewPortalUser{FirstName: "Peter", LastName: "Novák", Email: "peter@hotel.test", ClientIDs: []int64{hotel.ID}, SiteIDs: []int64{garden.ID}})
		eva := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "Eva", LastName: "Malá", Email: "eva@bakery.test", ClientIDs: []int64{bakery.ID}})
		rig.deliver() // every invitation so far is sent
		hash := testenv.PasswordHash(t, pwOffice)
		if err := db.Store.SetPortalPassword(ctx, tn.Company.ID, eva.ID, hash); err != nil {
			t.Fatal(err)
		}
		portal := rig.srv.NewClient(t)
		if r := portal.Post("/portal/acme/login", url.Values{"email": {"eva@bakery.test"}, "password": {pwOffice}}); r.Status != http.StatusSeeOther {
			t.Fatalf("eva's sign-in: %d", r.Status)
		}
		// Another tenant's client and user, with names that would show if leaked.
		other := db.Tenant(t, "")
		oc := db.Client(t, other, "Hotel Tatra Other")
		db.PortalUser(t, other, app.NewPortalUser{FirstName: "Mallory", LastName: "X", Email: "mallory@other.test", ClientIDs: []int64{oc.ID}})

		page := func(query string) string {
			t.Helper()
			r := rig.staff.Get("/app/access" + query)
			if r.Status != http.StatusOK {
				t.Fatalf("GET /app/access%s: %d", query, r.Status)
			}
			if strings.Contains(r.Body, "mallory@other.test") || strings.Contains(r.Body, "Hotel Tatra Other") {
				t.Fatalf("the overview%s shows another tenant's data", query)
			}
			return r.Body
		}
		// section returns the client's card on the page, "" when it is not there.
		section := func(body string, c *domain.Client) string {
			m := regexp.MustCompile(`(?s)<section class="card access-client" data-client="` + fmt.Sprint(c.ID) + `">.*?</section>`).FindString(body)
			return m
		}
		row := func(body string, email string) string {
			return regexp.MustCompile(`(?s)<tr data-user="\d+">\s*<td[^>]*><strong>` + regexp.QuoteMeta(email) + `</strong>.*?</tr>`).FindString(body)
		}

		all := page("")
		h := section(all, hotel)
		if !strings.Contains(h, "2/5") {
			t.Errorf("hotel seats: want 2/5 in\n%s", h)
		}
		if j := row(h, "jana@hotel.test"); !strings.Contains(j, "Fountain") || strings.Contains(j, "Irrigation") || !strings.Contains(j, "All sites") || !strings.Contains(j, "Sent, not accepted") {
			t.Errorf("jana's row: want all sites, only the Fountain, invitation sent:\n%s", j)
		}
		if p := row(h, "peter@hotel.test"); !strings.Contains(p, "Garden") || strings.Contains(p, "Spa") || !strings.Contains(p, "All switches") {
			t.Errorf("peter's row: want only the Garden and all switches:\n%s", p)
		}
		if e := row(section(all, bakery), "eva@bakery.test"); !strings.Contains(e, "Accepted") || strings.Contains(e, "Never") {
			t.Errorf("eva's row: want accepted and signed in:\n%s", e)
		}
		if v := section(all, villa); !strings.Contains(v, "0/5") {
			t.Errorf("a client without portal users shows its free seats: %q", v)
		}

		pending := page("?pending=1")
		if row(pending, "eva@bakery.test") != "" || row(pending, "jana@hotel.test") == "" || section(pending, bakery) != "" {
			t.Errorf("pending filter: want jana and not eva or her client")
		}
		never := page("?never=1")
		if row(never, "eva@bakery.test") != "" || row(never, "peter@hotel.test") == "" {
			t.Errorf("never-signed-in filter: want peter and not eva")
		}
		atSpa := page(fmt.Sprintf("?client=%d&site=%d", hotel.ID, spa.ID))
		if row(atSpa, "jana@hotel.test") == "" || row(atSpa, "peter@hotel.test") != "" || section(atSpa, bakery) != "" {
			t.Errorf("site filter (spa): want jana (all sites) and not peter (garden only)")
		}
		atGarden := page(fmt.Sprintf("?client=%d&site=%d", hotel.ID, garden.ID))
		if row(atGarden, "jana@hotel.test") == "" || row(atGarden, "peter@hotel.test") == "" {
			t.Errorf("site filter (garden): want jana and peter")
		}
		// A site of another tenant narrows to nothing rather than to everything.
		if strings.Contains(page(fmt.Sprintf("?site=%d", db.Site(t, other, oc, "Lobby", "Košice").ID)), "jana@hotel.test") {
			t.Errorf("another tenant's site as a filter showed this tenant's users")
		}

		// The CSV export: the same rows, and a name a spreadsheet would run kept as text.
		r := rig.staff.Get("/app/access.csv")
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, rec := range recs[1:] {
			got[rec[0]+"|"+rec[2]] = rec
		}
		if len(recs) != 5 { // header, jana, peter, eva, the villa's empty row
			t.Errorf("CSV has %d lines, want 5:\n%s", len(recs), r.Body)
		}
		if j := got["Hotel Tatra|jana@hotel.test"]; j == nil || j[1] != "2/5" || j[8] != "Fountain" || j[7] != "All sites" {
			t.Errorf("CSV row of jana: %q", j)
		}
		if e := got["'=Bakery Sun|eva@bakery.test"]; e == nil || e[4] != "Active" || e[6] == "" {
			t.Errorf("CSV row of eva (client name kept as text, active, signed in): %q\n%s", e, r.Body)
		}
		if strings.Contains(r.Body, "mallory") {
			t.Errorf("CSV shows another tenant's user")
		}

		// Only those who manage clients' access see it.
		db.StaffUser(t, tn, "reader@acme.test", access.ProtocolsWrite)
		reader := rig.srv.NewClient(t)
		reader.SignIn("acme", "reader@acme.test")
		for _, path := range []string{"/app/access", "/app/access.csv"} {
			if r := reader.Get(path); r.Status != http.StatusForbidden {
				t.Errorf("GET %s without clients.manage: %d, want 403", path, r.Status)
			}
		}
	})
}
