package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"portico/internal/app"
	"portico/internal/testenv"
)

// companySelectRE finds the header's company selector.
var companySelectRE = regexp.MustCompile(`(?s)<select name="company".*?</select>`)

// TestPortalHeaderCompanies checks the header's company selector: the overview
// builds it from its own per-company summaries, the other pages read it; both
// list the same companies, by name, and only those the user is given — a
// company taken away is gone from both on the next request. A user of one
// company gets no selector.
func TestPortalHeaderCompanies(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		tn := db.Tenant(t, "")
		other := db.Client(t, tn, "Other Ltd")
		b, a, c := db.Client(t, tn, "Beta s.r.o."), db.Client(t, tn, "Alfa a.s."), db.Client(t, tn, "Gama s.r.o.")
		u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "P", LastName: "U", Email: "three@x.test", ClientIDs: []int64{b.ID, a.ID, c.ID}})
		solo := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "S", LastName: "U", Email: "one@x.test", ClientIDs: []int64{a.ID}})
		base := "/portal/" + tn.Company.Slug
		selector := func(cl *testenv.Client, path string) string {
			t.Helper()
			r := cl.Get(base + path)
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, r.Status)
			}
			return companySelectRE.FindString(r.Body)
		}
		names := func(sel string) []string {
			var out []string
			for _, m := range regexp.MustCompile(`<option value="\d+"[^>]*>([^<]*)</option>`).FindAllStringSubmatch(sel, -1) {
				out = append(out, m[1])
			}
			return out
		}
		cl := srv.PortalClient(t, tn, u)
		home, docs := selector(cl, "/"), selector(cl, "/documents")
		if got := strings.Join(names(home), "|"); got != "Alfa a.s.|Beta s.r.o.|Gama s.r.o." {
			t.Fatalf("overview's selector lists %q", got)
		}
		if home != docs {
			t.Fatalf("overview's selector\n%s\ndiffers from the documents page's\n%s", home, docs)
		}
		if strings.Contains(home, other.Name) {
			t.Fatal("selector lists a company the user is not given")
		}

		if _, err := srv.App.DisconnectPortalUser(t.Context(), tn.Staff, b.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		home, docs = selector(cl, "/"), selector(cl, "/documents")
		if got := strings.Join(names(home), "|"); got != "Alfa a.s.|Gama s.r.o." || home != docs {
			t.Fatalf("after a disconnect: overview %q, documents %q", home, docs)
		}

		one := srv.PortalClient(t, tn, solo)
		if sel := selector(one, "/") + selector(one, "/documents"); sel != "" {
			t.Fatalf("a user of one company got a selector: %s", sel)
		}
	})
}
