package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/testenv"
)

func TestTeamLabelSetting(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		c := s.NewClient(t)
		c.SignIn("acme", "admin@acme.test")

		r := c.Get("/app/settings")
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "Company acme team")

		r = c.Post("/app/settings", url.Values{"team_label": {strings.Repeat("x", 81)}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, "Use at most 80 characters.")

		wantStatus(t, c.Post("/app/settings", url.Values{"team_label": {"  Acme technicians "}}), http.StatusSeeOther)
		got, err := db.Store.Company(t.Context(), tn.Company.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.TeamLabel() != "Acme technicians" {
			t.Fatalf("TeamLabel = %q", got.TeamLabel())
		}
		wantBody(t, c.Get("/app/settings"), `value="Acme technicians"`)

		wantStatus(t, c.Post("/app/settings", url.Values{"team_label": {""}}), http.StatusSeeOther)
		if got, _ = db.Store.Company(t.Context(), tn.Company.ID); got.TeamLabel() != "Company acme team" {
			t.Fatalf("TeamLabel after clearing = %q", got.TeamLabel())
		}

		reader := s.NewClient(t)
		db.StaffUser(t, tn, "reader@acme.test")
		reader.SignIn("acme", "reader@acme.test")
		wantStatus(t, reader.Post("/app/settings", url.Values{"team_label": {"Hijack"}}), http.StatusForbidden)
	})
}
