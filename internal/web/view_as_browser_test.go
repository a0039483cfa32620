package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// A staff member answering "I can't see my switch" opens the portal as the
// client's user from the Users page, on a phone: the banner says whose view it
// is, the portal's own navigation stays inside the view, the switch cannot be
// turned on, and the way back leads to the staff app.
func TestBrowserViewAs(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		hotel := db.Client(t, tn, "Hotel Tatra")
		project := db.Project(t, tn, hotel, "Spa pumps", nil)
		db.Switch(t, tn, project, "Pool pump", domain.FamilyTasmota, "acme_pool")
		jana := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "Jana", LastName: "Kováčová", Email: "jana@hotel.test", ClientIDs: []int64{hotel.ID}})

		b := testenv.NewPhoneBrowser(t)
		browserSignInAs(t, b, srv.URL, "acme", "admin@acme.test")
		b.Run(chromedp.Navigate(srv.URL + "/app/users"))
		link := fmt.Sprintf(`a[href="/app/view-as/%d/"]`, jana.ID)
		if st := b.Follow(chromedp.Click(chromedp.CSS(link))); st != http.StatusOK {
			t.Fatalf("opening the portal as jana: status %d", st)
		}
		browserWantText(t, b, "Viewing as", "Jana Kováčová", "read-only", "Hotel Tatra")
		b.Screenshot("view-as-overview")

		// The portal's own links keep the view.
		b.Run(chromedp.Navigate(fmt.Sprintf("%s/app/view-as/%d/projects", srv.URL, jana.ID)))
		if st := b.Follow(chromedp.Click(`//main//a[normalize-space()="Spa pumps"]`)); st != http.StatusOK {
			t.Fatalf("opening the project: status %d", st)
		}
		if loc := browserLocation(t, b); !strings.HasPrefix(loc, fmt.Sprintf("%s/app/view-as/%d/projects/%d", srv.URL, jana.ID, project.ID)) {
			t.Errorf("the project link left the view: %s", loc)
		}
		browserWantText(t, b, "Pool pump", "switches cannot be turned on or off here")
		disabled := testenv.Result(b, chromedp.Evaluate[bool](`document.querySelector("form.switch-toggle button").disabled`))
		if !disabled {
			t.Errorf("the Turn on button is enabled while viewing as jana")
		}
		b.Screenshot("view-as-project")

		if st := b.Follow(chromedp.Click(`//div[contains(@class,"viewing-as")]//a`)); st != http.StatusOK {
			t.Fatalf("going back: status %d", st)
		}
		if loc := browserLocation(t, b); loc != srv.URL+"/app/users" {
			t.Errorf("the way back leads to %s, want the Users page", loc)
		}
	})
}
