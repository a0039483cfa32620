package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// TestRevocationReachesEveryProcess takes a switch, a site and then a client
// away from a portal user through one of three `portico serve` processes and
// asks every process for what was taken at once: none may still serve it, so no
// process keeps access data between requests.
func TestRevocationReachesEveryProcess(t *testing.T) {
	f := newField(t, 3)
	ctx := context.Background()
	db, tn := f.db, f.tenant
	a := app.New(db.Store, nil, "")

	hotel, err := db.Store.Staff(tn.Staff).Client(ctx, f.sw.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	spa := db.Site(t, tn, hotel, "Spa", "Poprad")
	garden := db.Site(t, tn, hotel, "Garden", "Poprad")
	spaProject := db.Project(t, tn, hotel, "Spa pumps", spa)
	fountain, _ := db.Switch(t, tn, spaProject, "Fountain", domain.FamilyTasmota, "spa_fountain")
	villa := db.Client(t, tn, "Villa Lomnica")
	villaProject := db.Project(t, tn, villa, "Villa lights", nil)
	db.Switch(t, tn, villaProject, "Porch light", domain.FamilyTasmota, "villa_porch")

	update := func(upd app.PortalAccessUpdate) {
		t.Helper()
		upd.FirstName, upd.LastName = "Jana", "Kováčová"
		if _, err := a.UpdatePortalAccess(ctx, tn.Staff, f.userID, upd); err != nil {
			t.Fatal(err)
		}
	}
	update(app.PortalAccessUpdate{ClientIDs: []int64{hotel.ID, villa.ID}})

	// One signed-in session per process, kept throughout: a process that kept
	// anything of the user's access would keep it for these sessions.
	clients := make([]*testenv.Client, len(f.procs))
	for i, p := range f.procs {
		clients[i] = p.signIn(t, "acme", f.email)
	}
	project := func(p *domain.Project) string { return fmt.Sprintf("/portal/acme/projects/%d", p.ID) }
	expect := func(when string, want map[string]int) {
		t.Helper()
		for i, p := range f.procs {
			for path, status := range want {
				if got := clients[i].Get(path).Status; got != status {
					t.Errorf("%s, process %s: GET %s = %d, want %d", when, p.name, path, got, status)
				}
			}
		}
	}
	// Every process has served everything once, so anything it kept is warm.
	expect("before", map[string]int{
		project(spaProject):                             http.StatusOK,
		fmt.Sprintf("/portal/acme/sites/%d", garden.ID): http.StatusOK,
		project(villaProject):                           http.StatusOK,
	})

	for i, p := range f.procs {
		if body := clients[i].Get(project(spaProject)).Body; !strings.Contains(body, fountain.Name) {
			t.Fatalf("process %s does not show the switch %q before it is revoked", p.name, fountain.Name)
		}
	}

	// A switch: narrowed to the field's own switch, the fountain is gone.
	update(app.PortalAccessUpdate{ClientIDs: []int64{hotel.ID, villa.ID}, SwitchIDs: []int64{f.sw.ID}})
	for i, p := range f.procs {
		c := clients[i]
		if body := c.Get(project(spaProject)).Body; strings.Contains(body, fountain.Name) {
			t.Errorf("process %s still shows the revoked switch %q", p.name, fountain.Name)
		}
		if status, err := toggle(c, fmt.Sprintf("/portal/acme/projects/%d/switches/%d", spaProject.ID, fountain.ID), true); err != nil || status != http.StatusNotFound {
			t.Errorf("process %s: toggling the revoked switch answered %d (%v), want 404", p.name, status, err)
		}
	}

	// A site: restricted to the spa, the garden is gone.
	update(app.PortalAccessUpdate{ClientIDs: []int64{hotel.ID, villa.ID}, SiteIDs: []int64{spa.ID}})
	expect("after the site restriction", map[string]int{
		fmt.Sprintf("/portal/acme/sites/%d", garden.ID): http.StatusNotFound,
		fmt.Sprintf("/portal/acme/sites/%d", spa.ID):    http.StatusOK,
	})

	// A client: without the villa, its project is gone.
	update(app.PortalAccessUpdate{ClientIDs: []int64{hotel.ID}})
	expect("after the client's removal", map[string]int{
		project(villaProject): http.StatusNotFound,
		project(spaProject):   http.StatusOK,
	})
}
