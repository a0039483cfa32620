package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// tatra is a client with two sites and, at each, what the portal shows: Poprad
// has 2 completed protocols (and a draft), a document of its own, a project
// with 2 switches and a sent invoice (and a draft one); Štrbské Pleso has 3
// protocols, a document, a project with 1 switch, an invoice and an estimate.
// One more document is for all sites.
type tatra struct {
	client                *domain.Client
	poprad, pleso         *domain.Site
	projPoprad, projPleso *domain.Project
}

func newTatra(t *testing.T, db *testenv.DB, srv *testenv.Server, tn *testenv.Tenant, name string) *tatra {
	t.Helper()
	ctx := context.Background()
	staff := db.Store.Staff(tn.Staff)
	x := &tatra{client: newClient(t, db, tn, name, "", "")}
	x.poprad = db.Site(t, tn, x.client, "Poprad", "Poprad")
	x.pleso = db.Site(t, tn, x.client, "Štrbské Pleso", "Vysoké Tatry")
	tech := db.StaffUser(t, tn, "tech@"+tn.Company.Slug+".test", access.ProtocolsWrite)
	protocol := func(site *domain.Site, complete bool) {
		p := &domain.Protocol{ClientID: x.client.ID, SiteID: site.ID, TechnicianID: tech.ID, PerformedAt: db.Store.Now().Add(-48 * time.Hour).Truncate(time.Second),
			ServiceType: "Rodent control", Findings: "All stations checked."}
		if err := staff.CreateProtocol(ctx, p); err != nil {
			t.Fatal(err)
		}
		if complete {
			if err := staff.CompleteProtocol(ctx, p.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 2 {
		protocol(x.poprad, true)
	}
	protocol(x.poprad, false)
	for range 3 {
		protocol(x.pleso, true)
	}
	for i, sites := range [][]int64{{x.poprad.ID}, {x.pleso.ID}, nil} {
		d := &domain.Document{Kind: domain.DocCertificate, Title: fmt.Sprintf("Certificate %d", i), ClientID: x.client.ID, SiteIDs: sites,
			AllSites: sites == nil, PortalVisible: true}
		if err := srv.App.UploadDocument(ctx, tn.Staff, d, app.Upload{Name: "c.pdf", Data: []byte("%PDF-1.4\n%%EOF\n")}); err != nil {
			t.Fatal(err)
		}
	}
	x.projPoprad = db.Project(t, tn, x.client, "Greenhouse", x.poprad)
	x.projPleso = db.Project(t, tn, x.client, "Spa", x.pleso)
	db.Switch(t, tn, x.projPoprad, "Pump", domain.FamilyTasmota, tn.Company.Slug+"_pump")
	db.Switch(t, tn, x.projPoprad, "Light", domain.FamilyTasmota, tn.Company.Slug+"_light")
	db.Switch(t, tn, x.projPleso, "Sauna", domain.FamilyTasmota, tn.Company.Slug+"_sauna")
	today := domain.DayOf(db.Store.Now(), tn.Company.Location())
	doc := func(p *domain.Project) domain.BillingDoc {
		return domain.BillingDoc{ClientID: x.client.ID, ProjectID: p.ID, IssueDate: today.AddDays(-2), Currency: "EUR",
			Lines: []domain.Line{{Description: "Work", Quantity: 1000, Unit: "h", UnitPrice: 4990, VATRate: 2300}}}
	}
	for i, p := range []*domain.Project{x.projPoprad, x.projPleso, x.projPoprad} {
		inv := &domain.Invoice{BillingDoc: doc(p), DueDate: today.AddDays(10)}
		if err := staff.CreateInvoice(ctx, inv); err != nil {
			t.Fatal(err)
		}
		if i < 2 { // the third stays a draft, which the portal does not show
			if _, err := staff.SendInvoice(ctx, inv.ClientID, inv.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	e := &domain.Estimate{BillingDoc: doc(x.projPleso), ValidUntil: today.AddDays(10)}
	if err := staff.CreateEstimate(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.SendEstimate(ctx, e.ClientID, e.ID); err != nil {
		t.Fatal(err)
	}
	return x
}

// wantSays fails the test unless the mail's text and HTML say each of says and
// neither says any of absent.
func wantSays(t *testing.T, m testenv.ReceivedMail, says []string, absent ...string) {
	t.Helper()
	for _, part := range []struct{ name, body string }{{"text", m.Text}, {"HTML", m.HTML}} {
		for _, s := range says {
			if !strings.Contains(part.body, s) {
				t.Errorf("the %s of %q lacks %q:\n%s", part.name, m.Subject, s, m.Text)
			}
		}
		for _, s := range absent {
			if strings.Contains(part.body, s) {
				t.Errorf("the %s of %q says %q:\n%s", part.name, m.Subject, s, m.Text)
			}
		}
	}
}

// The portal's mails say who sent them and what is there: a reset staff sent
// says so; a never-activated invitee asking for (or sent) a reset gets the
// invitation; a resend to an active user is a reminder, not "has given you
// access"; and an invitation names the protocols, documents, sites, projects,
// switches, invoices and estimates the invitee will find — only what exists, and
// only within their sites.
func TestPortalMailWording(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newPortalRig(t, db)
		x := newTatra(t, db, r.srv, r.tn, "Hotel Tatra")
		empty := r.client(t, "Prázdna s.r.o.", "", "")
		const company = "Company acme"

		// Jana sees Poprad only; Milan sees both sites.
		db.PortalUser(t, r.tn, app.NewPortalUser{FirstName: "Jana", LastName: "Kováčová", Email: "jana@tatra.test",
			ClientIDs: []int64{x.client.ID}, SiteIDs: []int64{x.poprad.ID}})
		wantInvited(t, r.staff, invite(r.staff, x.client.ID, "other", "milan@tatra.test"), x.client.ID)
		if n := r.deliver(); n != 2 {
			t.Fatalf("delivered %d, want the two invitations", n)
		}

		t.Run("the invitation names what the invitee's sites hold, and only that", func(t *testing.T) {
			m := r.mail.Last("jana@tatra.test")
			r.invitationLink(t, m, "Hotel Tatra")
			wantSays(t, m, []string{"You will find there:", "2 service protocols", "2 documents", "1 site", "1 project", "2 switches you can turn on and off", "1 invoice"},
				"5 service protocols", "3 documents", "2 sites", "estimate", "Štrbské", "Nothing is there yet")
			m = r.mail.Last("milan@tatra.test")
			r.invitationLink(t, m, "Hotel Tatra")
			wantSays(t, m, []string{"5 service protocols", "3 documents", "2 sites", "2 projects", "3 switches you can turn on and off", "2 invoices", "1 estimate"})
		})

		t.Run("an invitation to a client with nothing names nothing", func(t *testing.T) {
			wantInvited(t, r.staff, invite(r.staff, empty.ID, "other", "eva@prazdna.test"), empty.ID)
			r.deliver()
			m := r.mail.Last("eva@prazdna.test")
			r.invitationLink(t, m, "Prázdna s.r.o.")
			wantSays(t, m, []string{"Nothing is there yet: " + company + " adds protocols and documents as the work goes on."},
				"You will find there", "project", "switch", "invoice", "estimate", "site")
		})

		var milan *testenv.Client
		t.Run("a resend to an active user is a reminder", func(t *testing.T) {
			milan = followLink(t, r.srv, r.invitationLink(t, r.mail.Last("milan@tatra.test"), "Hotel Tatra"), "milan@tatra.test", pwOffice)
			wantInvited(t, r.staff, invite(r.staff, x.client.ID, "other", "milan@tatra.test"), x.client.ID)
			if n := r.deliver(); n != 1 {
				t.Fatalf("delivered %d, want the reminder", n)
			}
			m := r.mail.Last("milan@tatra.test")
			if want := "Signing in to the client portal of " + company; m.Subject != want {
				t.Fatalf("subject %q, want %q", m.Subject, want)
			}
			wantSays(t, m, []string{"A reminder from " + company + ": you have an account in its client portal", "Hotel Tatra",
				r.srv.URL + "/portal/acme/login", "5 service protocols", "1 estimate", "Forgot your password?"},
				"has given you access", "/activate/", "/reset/", "invites you")
			// A new client for the same active user is news: access granted, with what it holds.
			wantInvited(t, r.staff, invite(r.staff, empty.ID, "other", "milan@tatra.test"), empty.ID)
			r.deliver()
			m = r.mail.Last("milan@tatra.test")
			wantSays(t, m, []string{company + " has given you access to Prázdna s.r.o.", "Nothing is there yet"}, "A reminder")
			wantPortalHome(t, milan, "acme", []string{"Hotel Tatra", "Prázdna s.r.o."})
		})

		t.Run("a reset staff sent says so; one asked for on the sign-in page does not", func(t *testing.T) {
			uid := portalUserID(t, db, r.tn, "milan@tatra.test")
			wantStatus(t, r.staff.Post(fmt.Sprintf("/app/portal-users/%d/reset", uid), nil), http.StatusSeeOther)
			r.deliver()
			m := r.mail.Last("milan@tatra.test")
			r.mailLink(t, m, "acme", "reset", "Set a new password")
			wantSays(t, m, []string{"Your service company " + company + " sent you a link to set a new password", "Until you use it, your password stays as it is."},
				"Someone asked", "If you did not ask for this")
			wantStatus(t, r.srv.NewClient(t).Post("/portal/acme/forgot", url.Values{"email": {"milan@tatra.test"}}), http.StatusOK)
			r.deliver()
			m = r.mail.Last("milan@tatra.test")
			link := r.mailLink(t, m, "acme", "reset", "Set a new password")
			wantSays(t, m, []string{"Someone asked to reset the password of your account", "If you did not ask for this, ignore this email."}, "Your service company")
			followLink(t, r.srv, link, "milan@tatra.test", pwNew)
		})

		t.Run("a never-activated invitee gets the invitation, not a reset", func(t *testing.T) {
			uid := portalUserID(t, db, r.tn, "jana@tatra.test")
			wantStatus(t, r.staff.Post(fmt.Sprintf("/app/portal-users/%d/reset", uid), nil), http.StatusSeeOther)
			wantStatus(t, r.srv.NewClient(t).Post("/portal/acme/forgot", url.Values{"email": {"jana@tatra.test"}}), http.StatusOK)
			if n := r.deliver(); n != 2 {
				t.Fatalf("delivered %d, want two", n)
			}
			msgs := r.mail.To("jana@tatra.test")
			var link string
			for _, m := range msgs[len(msgs)-2:] {
				link = r.invitationLink(t, m, "Hotel Tatra")
				wantSays(t, m, []string{"Hello Jana Kováčová,", "2 service protocols", "1 project"}, "Someone asked", "Your service company", "5 service protocols")
			}
			// The latest link activates the account; it shows Poprad, never Štrbské Pleso.
			jana := followLink(t, r.srv, link, "jana@tatra.test", pwAnother)
			wantPortalHome(t, jana, "acme", []string{"Hotel Tatra"})
		})
	})
}

// A tenant speaking Slovak mails in Slovak: the invitation with its counts in
// Slovak plural forms (1, 2–4, 5 and more), the reminder, the reset staff sent,
// and the estimate decision with a Slovak date and amount; no English left.
func TestMailInRecipientsLanguage(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		tn := db.TenantIn(t, "tatry", "sk")
		staff := srv.NewClient(t)
		staff.SignIn("tatry", "admin@tatry.test")
		r := &portalRig{db: db, srv: srv, tn: tn, mail: srv.StartMail(t), staff: staff}
		x := newTatra(t, db, srv, tn, "Hotel Tatra")
		english := []string{"Hello", "You will find", "service protocol", "switches you can", "invites you", "Sent by", "valid for", "Activate account"}

		wantInvited(t, staff, invite(staff, x.client.ID, "other", "milan@tatra.test"), x.client.ID)
		r.deliver()
		m := r.mail.Last("milan@tatra.test")
		if m.Subject != "Pozvánka do klientskeho portálu" {
			t.Fatalf("subject %q", m.Subject)
		}
		wantSays(t, m, []string{"Dobrý deň,", "Spoločnosť Company tatry vás pozýva do svojho klientskeho portálu", "Nájdete tam:",
			"5 servisných protokolov", "3 dokumenty", "2 prevádzky", "2 projekty", "3 spínače, ktoré môžete zapínať a vypínať", "2 faktúry",
			"1 cenová ponuka", "Odkaz platí 7 dní a funguje iba raz.", "Odoslané cez Portico v mene spoločnosti Company tatry"}, english...)
		if !strings.Contains(m.HTML, `<html lang="sk">`) || !strings.Contains(m.HTML, ">Aktivovať účet</a>") {
			t.Errorf("the HTML part is not Slovak:\n%s", m.HTML)
		}
		link := r.mailLink(t, m, "tatry", "activate", "Aktivovať účet")

		// Active now: a resend reminds, a staff reset says who sent it.
		c := srv.NewClient(t)
		wantStatus(t, c.Post(link, url.Values{"password": {pwOffice}, "password_confirm": {pwOffice}}), http.StatusSeeOther)
		wantInvited(t, staff, invite(staff, x.client.ID, "other", "milan@tatra.test"), x.client.ID)
		uid := portalUserID(t, db, tn, "milan@tatra.test")
		wantStatus(t, staff.Post(fmt.Sprintf("/app/portal-users/%d/reset", uid), nil), http.StatusSeeOther)
		if n := r.deliver(); n != 2 {
			t.Fatalf("delivered %d, want the reminder and the reset", n)
		}
		msgs := r.mail.To("milan@tatra.test")
		reminder, reset := msgs[len(msgs)-2], msgs[len(msgs)-1]
		if reminder.Subject != "Prihlásenie do klientskeho portálu spoločnosti Company tatry" || reset.Subject != "Nové heslo do klientskeho portálu" {
			t.Fatalf("subjects %q and %q", reminder.Subject, reset.Subject)
		}
		wantSays(t, reminder, []string{"Pripomienka od spoločnosti Company tatry", srv.URL + "/portal/tatry/login", "1 cenová ponuka"}, english...)
		wantSays(t, reset, []string{"Vaša servisná spoločnosť Company tatry vám poslala odkaz na nastavenie nového hesla", "Odkaz platí 1 hodinu"},
			append(english, "Niekto požiadal")...)

		// The estimate decision goes to the tenant, in its language.
		scope, err := testenv.PortalScope(context.Background(), db.Store, tn.Company.ID, uid)
		if err != nil {
			t.Fatal(err)
		}
		est, _, err := db.Store.Portal(scope).PortalEstimates(context.Background(), store.BillingFilter{})
		if err != nil || len(est) != 1 {
			t.Fatalf("estimates %v, %v", est, err)
		}
		if _, err := srv.App.DecideEstimate(context.Background(), scope, est[0].ID, domain.EstimateAccepted, "Začnite v pondelok."); err != nil {
			t.Fatal(err)
		}
		r.deliver()
		var decision *testenv.ReceivedMail
		for _, m := range r.mail.Sink.Messages() {
			if strings.Contains(m.Subject, "cenová ponuka") {
				decision = &m
			}
		}
		if decision == nil {
			t.Fatalf("no estimate decision mail among %d", len(r.mail.Sink.Messages()))
		}
		if !strings.HasSuffix(decision.Subject, "prijatá") {
			t.Errorf("subject %q", decision.Subject)
		}
		at := domain.BillingFormat{Locale: "sk"}.DateTime(db.Store.Now().In(tn.Company.Location()))
		wantSays(t, *decision, []string{"Klient Hotel Tatra " + at + " v klientskom portáli", "Spolu:", "61,38\u00a0€", "Začnite v pondelok.", "prijal cenovú ponuku EST-"},
			"accepted", "Total", "Their comment", "Open the estimate")
	})
}
