package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// An invitation or a reminder to a portal user of several clients names every
// one of them — "A and B", "A, B and C"; in Slovak "A, B a C" — and counts what
// all of them hold within the user's sites, in the user's language, subject and
// both parts; a reset of an account never activated, sent as its invitation,
// does the same. A client the user cannot see is never named, and one taken away
// is not named again.
func TestPortalMailNamesEveryClient(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newPortalRig(t, db)
		ctx := context.Background()
		x := newTatra(t, db, r.srv, r.tn, "Hotel Tatra")
		lipa := r.client(t, "Penzión Lipa", "", "")
		lipaSite := db.Site(t, r.tn, lipa, "Liptovský Mikuláš", "Liptovský Mikuláš")
		p := &domain.Protocol{ClientID: lipa.ID, SiteID: lipaSite.ID, TechnicianID: r.tn.Admin.ID,
			PerformedAt: db.Store.Now().Add(-24 * time.Hour).Truncate(time.Second), ServiceType: "Rodent control"}
		if err := db.Store.Staff(r.tn.Staff).CreateProtocol(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := db.Store.Staff(r.tn.Staff).CompleteProtocol(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		bakery := r.client(t, "Pekáreň Žilina", "", "")
		foreign := r.client(t, "Cudzí klient s.r.o.", "", "")
		db.Site(t, r.tn, foreign, "Nitra", "Nitra")
		const company = "Company acme"

		// Zuzana (English) sees Hotel Tatra's Poprad and all of Penzión Lipa;
		// Ondrej (Slovak) sees all three clients.
		zuzana := db.PortalUser(t, r.tn, app.NewPortalUser{FirstName: "Zuzana", LastName: "Malá", Email: "zuzana@tatra.test",
			ClientIDs: []int64{x.client.ID, lipa.ID}, SiteIDs: []int64{x.poprad.ID}})
		ondrej := db.PortalUser(t, r.tn, app.NewPortalUser{FirstName: "Ondrej", LastName: "Veľký", Email: "ondrej@tatra.test",
			ClientIDs: []int64{lipa.ID, bakery.ID, x.client.ID}})
		if _, err := db.Store.UpdatePortalAccount(ctx, mustScope(t, db, r.tn.Company.ID, ondrej.ID), "Ondrej", "Veľký", "sk"); err != nil {
			t.Fatal(err)
		}
		if n := r.deliver(); n != 2 {
			t.Fatalf("delivered %d, want the two invitations", n)
		}
		english := []string{"Hello", "You will find", "service protocol", "invites you", "Sent by", "valid for", " and "}

		m := r.mail.Last("zuzana@tatra.test")
		r.invitationLink(t, m, "Hotel Tatra")
		wantSays(t, m, []string{company + " invites you to its client portal, where you can see what it keeps for Hotel Tatra and Penzión Lipa.",
			"3 service protocols", "2 documents", "2 sites", "1 project", "2 switches you can turn on and off", "1 invoice"},
			"Pekáreň", "Cudzí", "Štrbské", "5 service protocols", "3 sites", "estimate")

		m = r.mail.Last("ondrej@tatra.test")
		if m.Subject != "Pozvánka do klientskeho portálu" {
			t.Errorf("Ondrej's subject %q", m.Subject)
		}
		wantSays(t, m, []string{"Spoločnosť " + company + " vás pozýva do svojho klientskeho portálu, kde uvidíte, čo eviduje pre Hotel Tatra, Pekáreň Žilina a Penzión Lipa.",
			"6 servisných protokolov", "3 dokumenty", "3 prevádzky", "2 projekty", "3 spínače", "2 faktúry", "1 cenová ponuka"},
			append(english, "Cudzí")...)
		ondrejLink := r.mailLink(t, m, "acme", "activate", "Aktivovať účet")

		t.Run("a reset of an account never activated is its invitation, naming every client", func(t *testing.T) {
			wantStatus(t, r.staff.Post(fmt.Sprintf("/app/portal-users/%d/reset", zuzana.ID), nil), http.StatusSeeOther)
			if n := r.deliver(); n != 1 {
				t.Fatalf("delivered %d, want the invitation", n)
			}
			m := r.mail.Last("zuzana@tatra.test")
			r.invitationLink(t, m, "Hotel Tatra")
			wantSays(t, m, []string{"keeps for Hotel Tatra and Penzión Lipa.", "3 service protocols"}, "Pekáreň", "Cudzí", "Someone asked")
		})

		t.Run("a reminder names every client, in the user's language", func(t *testing.T) {
			// Activated in Slovak, as he reads the portal.
			wantStatus(t, r.srv.NewClient(t).Post(ondrejLink, url.Values{"password": {pwOffice}, "password_confirm": {pwOffice}}), http.StatusSeeOther)
			wantInvited(t, r.staff, invite(r.staff, lipa.ID, "other", "ondrej@tatra.test"), lipa.ID)
			if n := r.deliver(); n != 1 {
				t.Fatalf("delivered %d, want the reminder", n)
			}
			m := r.mail.Last("ondrej@tatra.test")
			if want := "Prihlásenie do klientskeho portálu spoločnosti " + company; m.Subject != want {
				t.Errorf("subject %q, want %q", m.Subject, want)
			}
			wantSays(t, m, []string{"Pripomienka od spoločnosti " + company + ": máte účet v jej klientskom portáli, kde uvidíte, čo eviduje pre Hotel Tatra, Pekáreň Žilina a Penzión Lipa.",
				"6 servisných protokolov", "1 cenová ponuka"}, append(english, "Cudzí")...)
		})

		t.Run("a client taken away is no longer named", func(t *testing.T) {
			zuzanaLink := r.invitationLink(t, r.mail.Last("zuzana@tatra.test"), "Hotel Tatra")
			followLink(t, r.srv, zuzanaLink, "zuzana@tatra.test", pwOffice)
			wantInvited(t, r.staff, invite(r.staff, x.client.ID, "other", "zuzana@tatra.test"), x.client.ID)
			r.deliver()
			m := r.mail.Last("zuzana@tatra.test")
			if want := "Signing in to the client portal of " + company; m.Subject != want {
				t.Errorf("subject %q, want %q", m.Subject, want)
			}
			wantSays(t, m, []string{"you have an account in its client portal, where you can see what it keeps for Hotel Tatra and Penzión Lipa.", "3 service protocols"},
				"Pekáreň", "Cudzí")
			if _, err := r.srv.App.UpdatePortalAccess(ctx, r.tn.Staff, zuzana.ID, app.PortalAccessUpdate{FirstName: "Zuzana", LastName: "Malá",
				ClientIDs: []int64{x.client.ID}, SiteIDs: []int64{x.poprad.ID}}); err != nil {
				t.Fatal(err)
			}
			wantInvited(t, r.staff, invite(r.staff, x.client.ID, "other", "zuzana@tatra.test"), x.client.ID)
			r.deliver()
			m = r.mail.Last("zuzana@tatra.test")
			wantSays(t, m, []string{"what it keeps for Hotel Tatra.", "2 service protocols", "1 site"}, "Penzión Lipa", "Pekáreň", "Cudzí", "3 service protocols")
		})
	})
}
