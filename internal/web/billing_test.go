package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/mail"
	"portico/internal/store"
	"portico/internal/testenv"
)

// billingRig is tenant acme with client ABC (sites Bratislava and Košice, a
// project at Košice), client Other, portal users of both, and the notification
// address set.
type billingRig struct {
	srv          *testenv.Server
	tn           *testenv.Tenant
	abc, other   *domain.Client
	kosice       *domain.Site
	project      *domain.Project
	owner        *domain.PortalUser // ABC, all sites
	kosiceOnly   *domain.PortalUser // ABC, Košice only
	stranger     *domain.PortalUser // Other
	today        domain.Day
	notification string
}

func newBillingRig(t *testing.T, db *testenv.DB) *billingRig {
	t.Helper()
	r := &billingRig{srv: testenv.StartServer(t, db), notification: "kancelaria@acme.test"}
	r.tn = db.Tenant(t, "acme")
	r.abc = db.Client(t, r.tn, "ABC s.r.o.")
	r.other = db.Client(t, r.tn, "Other a.s.")
	db.Site(t, r.tn, r.abc, "Bratislava", "Bratislava")
	r.kosice = db.Site(t, r.tn, r.abc, "Košice — Hlavná", "Košice")
	r.project = db.Project(t, r.tn, r.abc, "Rodent monitoring — Košice", r.kosice)
	user := func(email, first, last string, c *domain.Client, sites ...int64) *domain.PortalUser {
		return db.PortalUser(t, r.tn, app.NewPortalUser{FirstName: first, LastName: last, Email: email,
			ClientIDs: []int64{c.ID}, SiteIDs: sites})
	}
	r.owner = user("owner@abc.test", "Peter", "Novák", r.abc)
	r.kosiceOnly = user("kosice@abc.test", "Jana", "Kováčová", r.abc, r.kosice.ID)
	r.stranger = user("x@other.test", "Xaver", "Cudzí", r.other)
	if err := db.Store.Staff(r.tn.Staff).UpdateBillingSettings(t.Context(), store.BillingSettings{NotificationEmail: r.notification}); err != nil {
		t.Fatal(err)
	}
	r.today = domain.DayOf(db.Store.Now(), r.tn.Company.Location())
	return r
}

// estimate creates and sends an estimate of ABC, on the Košice project or none,
// issued issuedAgo days ago and valid validFor days from then.
func (r *billingRig) estimate(t *testing.T, onProject bool, issuedAgo, validFor int) *domain.Estimate {
	t.Helper()
	e := &domain.Estimate{BillingDoc: domain.BillingDoc{ClientID: r.abc.ID, Title: "Zábrany proti hlodavcom", IssueDate: r.today.AddDays(-issuedAgo),
		Lines: []domain.Line{{Description: "Oceľová lišta pod dvere", Quantity: 2000, Unit: "ks", UnitPrice: 5400, VATRate: 2300},
			{Description: "Práca technika", Quantity: 6000, Unit: "h", UnitPrice: 3500, VATRate: 2300}}},
		ValidUntil: r.today.AddDays(validFor - issuedAgo)}
	if onProject {
		e.ProjectID = r.project.ID
	}
	st := r.srv.Store
	if err := st.Staff(r.tn.Staff).CreateEstimate(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	n, err := st.Staff(r.tn.Staff).SendEstimate(t.Context(), r.abc.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.Number = n
	return e
}

var reLocationID = regexp.MustCompile(`/(\d+)$`)

// A staff member writes a draft invoice through the form (a refused first try
// keeps what was typed), sends it, marks it paid, voids it; the PDF downloads; an
// estimate is answered for the client; the settings page checks its address.
func TestStaffBillingPages(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newBillingRig(t, db)
		c := r.srv.NewClient(t)
		c.SignIn("acme", "admin@acme.test")
		base := fmt.Sprintf("/app/clients/%d/billing", r.abc.ID)

		resp := c.Get(base)
		wantStatus(t, resp, http.StatusOK)
		wantBody(t, resp, "No invoices yet", `aria-current="page">Billing`, "New invoice", "kancelaria@acme.test")

		form := url.Values{"title": {"Deratizácia — marec"}, "project_id": {itoa(r.project.ID)}, "currency": {"EUR"},
			"issue_date": {r.today.String()}, "due_date": {r.today.AddDays(14).String()}, "note": {"Ďakujeme."},
			"line_desc": {"Kontrola nástrah", "", "Ratimor pasta"}, "line_qty": {"1,5", "1", "2,5"}, "line_unit": {"h", "", "kg"},
			"line_price": {"35,50", "", "18.9x"}, "line_vat": {"23", "23", "23"}}
		resp = c.Post(base+"/invoices", form)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantBody(t, resp, "Enter an amount with at most 2 decimals", `value="18.9x"`, `value="Kontrola nástrah"`, `id="e-line_price-2"`)

		resp = c.Post(base+"/invoices", url.Values{"more_lines": {"1"}, "line_desc": {"Kontrola nástrah"}, "line_qty": {"1"},
			"line_unit": {"h"}, "line_price": {"1"}, "line_vat": {"23"}, "issue_date": {r.today.String()}})
		wantStatus(t, resp, http.StatusOK)
		if n := strings.Count(resp.Body, `name="line_desc"`); n != 4 {
			t.Errorf("More lines: %d rows, want the typed one and 3 empty", n)
		}

		form.Set("line_price", "")
		form["line_price"] = []string{"35,50", "", "18,90"}
		resp = c.Post(base+"/invoices", form)
		wantStatus(t, resp, http.StatusSeeOther)
		m := reLocationID.FindStringSubmatch(resp.Location)
		if m == nil || !strings.HasPrefix(resp.Location, base+"/invoices/") {
			t.Fatalf("after saving: location %q", resp.Location)
		}
		doc := resp.Location
		resp = c.Get(doc)
		wantStatus(t, resp, http.StatusOK)
		// 1.5 h × 35.50 = 53.25; 2.5 kg × 18.90 = 47.25; 100.50 + 23 % = 123.62 (23.115 → 23.12).
		wantBody(t, resp, "Draft invoice saved.", "Kontrola nástrah", "€53.25", "€47.25", "€100.50", "€23.12", "€123.62",
			"Rodent monitoring — Košice", "Mark as sent", "Given when sent")

		resp = c.Get(doc + "/edit")
		wantStatus(t, resp, http.StatusOK)
		wantBody(t, resp, `value="Kontrola nástrah"`, `value="1.5"`, `value="35.50"`, `value="Deratizácia — marec"`)

		resp = c.Post(doc+"/send", nil)
		wantStatus(t, resp, http.StatusSeeOther)
		number := fmt.Sprintf("INV-%d-0001", r.today.Year())
		resp = c.Get(doc)
		wantBody(t, resp, "Invoice "+number+" is sent", "Mark as paid", "Void invoice")
		wantStatus(t, c.Get(doc+"/edit"), http.StatusConflict)

		pdf := c.Get(doc + "/pdf")
		wantStatus(t, pdf, http.StatusOK)
		if pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF-") ||
			!strings.Contains(pdf.Header.Get("Content-Disposition"), "invoice-"+number+".pdf") {
			t.Errorf("PDF: %q, %q", pdf.Header.Get("Content-Type"), pdf.Header.Get("Content-Disposition"))
		}

		wantStatus(t, c.Post(doc+"/paid", nil), http.StatusSeeOther)
		resp = c.Post(doc+"/paid", nil)
		wantStatus(t, resp, http.StatusConflict)
		wantBody(t, resp, "Only a sent invoice can be marked as paid.")
		wantStatus(t, c.Post(doc+"/void", nil), http.StatusSeeOther)
		resp = c.Get(base + "?state=void")
		wantBody(t, resp, number, "Void")
		resp = c.Get(base + "?state=sent")
		dontWantBody(t, resp, number)

		// An estimate, answered for the client by staff.
		e := r.estimate(t, true, 0, 30)
		est := fmt.Sprintf("%s/estimates/%d", base, e.ID)
		resp = c.Get(est)
		wantBody(t, resp, "Awaiting decision", "Record acceptance")
		wantStatus(t, c.Post(est+"/accept", url.Values{"comment": {"Telefonicky."}}), http.StatusSeeOther)
		resp = c.Get(est)
		wantBody(t, resp, "Accepted", "Admin acme", "recorded for the client", "Telefonicky.")
		resp = c.Post(est+"/decline", nil)
		wantStatus(t, resp, http.StatusConflict)
		wantBody(t, resp, "was already accepted")
		resp = c.Get(base + "/estimates?state=accepted")
		wantBody(t, resp, e.Number)

		// Settings.
		resp = c.Post("/app/settings/billing", url.Values{"notification_email": {"not-an-address"}, "back": {base}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantBody(t, resp, "Enter a valid email address")
		resp = c.Post("/app/settings/billing", url.Values{"notification_email": {"Fakturacia@Acme.test"}, "billing_details": {"IBAN SK31"}, "back": {base}})
		wantStatus(t, resp, http.StatusSeeOther)
		if resp.Location != base {
			t.Errorf("after saving the settings: location %q, want back to %q", resp.Location, base)
		}
		if b, _ := db.Store.Staff(r.tn.Staff).BillingSettings(t.Context()); b.NotificationEmail != "fakturacia@acme.test" || b.Details != "IBAN SK31" {
			t.Errorf("settings %+v", b)
		}

		// A reader sees the tab without the buttons, and cannot write.
		db.StaffUser(t, r.tn, "reader@acme.test")
		reader := r.srv.NewClient(t)
		reader.SignIn("acme", "reader@acme.test")
		resp = reader.Get(base)
		wantStatus(t, resp, http.StatusOK)
		dontWantBody(t, resp, "New invoice", "Billing settings")
		resp = reader.Post(base+"/invoices", form)
		wantStatus(t, resp, http.StatusForbidden)
		wantBody(t, resp, access.PermissionLabel(access.BillingManage))
	})
}

// A portal user answers an estimate: the confirmation page, the answer with a
// comment, the refusals (twice, expired, another client's: not found), and the
// mail to the notification address over real SMTP, whose link shows staff the
// answer.
func TestPortalEstimateAnswer(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newBillingRig(t, db)
		open := r.estimate(t, true, 2, 30)
		expired := r.estimate(t, false, 40, 30)
		siteless := r.estimate(t, false, 1, 30)
		draft := &domain.Estimate{BillingDoc: domain.BillingDoc{ClientID: r.abc.ID, IssueDate: r.today}, ValidUntil: r.today.AddDays(5)}
		if err := db.Store.Staff(r.tn.Staff).CreateEstimate(t.Context(), draft); err != nil {
			t.Fatal(err)
		}
		portal := "/portal/acme"

		jana := r.srv.PortalClient(t, r.tn, r.kosiceOnly)
		resp := jana.Get(portal + "/estimates")
		wantStatus(t, resp, http.StatusOK)
		if got := ids(reEstimateID, resp.Body); len(got) != 1 || !got[open.ID] {
			t.Fatalf("the Košice user's estimates: %v, want just %d", sortedKeys(got), open.ID)
		}
		for _, e := range []*domain.Estimate{expired, siteless, draft} {
			wantStatus(t, jana.Get(portal+"/estimates/"+itoa(e.ID)), http.StatusNotFound)
		}
		resp = jana.Get(portal + "/estimates/" + itoa(open.ID))
		wantStatus(t, resp, http.StatusOK)
		wantBody(t, resp, open.Number, "Awaiting decision", "Accept estimate", "Oceľová lišta pod dvere", "Please accept or decline this estimate by")
		resp = jana.Get(portal + "/estimates/" + itoa(open.ID) + "/accept")
		wantStatus(t, resp, http.StatusOK)
		wantBody(t, resp, "Accept estimate "+open.Number+"?", "This cannot be undone.", `name="comment"`)

		resp = jana.Post(portal+"/estimates/"+itoa(open.ID)+"/accept", url.Values{"comment": {"Začnite, prosím, v pondelok."}})
		wantStatus(t, resp, http.StatusSeeOther)
		resp = jana.Get(resp.Location)
		wantBody(t, resp, "You accepted the estimate", "Accepted", "Jana Kováčová", "Začnite, prosím, v pondelok.")
		dontWantBody(t, resp, "Accept estimate</a>")

		// The project's page shows it too, with its state.
		resp = jana.Get(portal + "/projects/" + itoa(r.project.ID))
		wantStatus(t, resp, http.StatusOK)
		if got := ids(reEstimateID, resp.Body); len(got) != 1 || !got[open.ID] {
			t.Errorf("estimates on the project's page: %v, want %d", sortedKeys(got), open.ID)
		}
		wantBody(t, resp, open.Number, "Accepted")

		// Twice, declining after, expired, and another client's user.
		resp = jana.Post(portal+"/estimates/"+itoa(open.ID)+"/accept", nil)
		wantStatus(t, resp, http.StatusConflict)
		wantBody(t, resp, "was already accepted")
		peter := r.srv.PortalClient(t, r.tn, r.owner)
		resp = peter.Post(portal+"/estimates/"+itoa(open.ID)+"/decline", nil)
		wantStatus(t, resp, http.StatusConflict)
		wantBody(t, resp, "was already accepted")
		resp = peter.Post(portal+"/estimates/"+itoa(expired.ID)+"/accept", nil)
		wantStatus(t, resp, http.StatusConflict)
		wantBody(t, resp, "expired on")
		resp = peter.Get(portal + "/estimates/" + itoa(expired.ID) + "/accept")
		wantStatus(t, resp, http.StatusSeeOther)
		stranger := r.srv.PortalClient(t, r.tn, r.stranger)
		wantStatus(t, stranger.Post(portal+"/estimates/"+itoa(siteless.ID)+"/accept", nil), http.StatusNotFound)
		wantStatus(t, stranger.Get(portal+"/estimates/"+itoa(open.ID)+".pdf"), http.StatusNotFound)
		if got, _ := db.Store.Staff(r.tn.Staff).Estimate(t.Context(), r.abc.ID, siteless.ID); got.State() != domain.EstimateSent {
			t.Fatalf("another client's user changed the estimate: %q", got.State())
		}

		// The owner declines the site-less one, with no comment.
		wantStatus(t, peter.Post(portal+"/estimates/"+itoa(siteless.ID)+"/decline", nil), http.StatusSeeOther)

		// The mails: through the outbox, over SMTP, to the notification address.
		sink := testenv.StartSMTP(t)
		sender, err := mail.NewSMTPSender(sink.URL())
		if err != nil {
			t.Fatal(err)
		}
		n, err := r.srv.App.NewMailWorker(sender).RunOnce(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var got []testenv.ReceivedMail
		for _, m := range sink.Messages() {
			if strings.Contains(m.Subject, "estimate") {
				got = append(got, m)
			}
		}
		if len(got) != 2 {
			t.Fatalf("delivered %d messages, %d about estimates; want 2", n, len(got))
		}
		accepted, declined := got[0], got[1]
		if accepted.Subject != "ABC s.r.o. accepted estimate "+open.Number || declined.Subject != "ABC s.r.o. declined estimate "+siteless.Number {
			t.Fatalf("subjects %q, %q", accepted.Subject, declined.Subject)
		}
		for _, m := range got {
			if len(m.To) != 1 || m.To[0] != r.notification {
				t.Fatalf("mailed to %v, want the notification address %s", m.To, r.notification)
			}
		}
		staffPath := fmt.Sprintf("/app/clients/%d/billing/estimates/%d", r.abc.ID, open.ID)
		for _, w := range []string{"Jana Kováčová (kosice@abc.test) of ABC s.r.o. accepted estimate " + open.Number,
			"Začnite, prosím, v pondelok.", r.srv.URL + staffPath} {
			if !strings.Contains(accepted.Text, w) {
				t.Errorf("the acceptance mail lacks %q:\n%s", w, accepted.Text)
			}
		}
		if !strings.Contains(declined.Text, "They left no comment.") {
			t.Errorf("the decline mail:\n%s", declined.Text)
		}
		staff := r.srv.NewClient(t)
		staff.SignIn("acme", "admin@acme.test")
		resp = staff.Get(staffPath)
		wantStatus(t, resp, http.StatusOK)
		wantBody(t, resp, "Accepted", "Jana Kováčová", "kosice@abc.test", "Začnite, prosím, v pondelok.")
	})
}

// The portal's invoices: sent, overdue and paid ones with their PDFs, newest
// first; drafts and void ones never.
func TestPortalInvoicePages(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newBillingRig(t, db)
		st, staff, ctx := db.Store, r.tn.Staff, t.Context()
		mk := func(title string, issuedAgo, dueIn int, state string) *domain.Invoice {
			inv := &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: r.abc.ID, Title: title, IssueDate: r.today.AddDays(-issuedAgo),
				Lines: []domain.Line{{Description: "Práca", Quantity: 1000, Unit: "h", UnitPrice: 10000, VATRate: 2300}}},
				DueDate: r.today.AddDays(dueIn - issuedAgo)}
			if err := st.Staff(staff).CreateInvoice(ctx, inv); err != nil {
				t.Fatal(err)
			}
			if state != domain.InvoiceDraft {
				if _, err := st.Staff(staff).SendInvoice(ctx, r.abc.ID, inv.ID); err != nil {
					t.Fatal(err)
				}
			}
			switch state {
			case domain.InvoicePaid:
				st.Staff(staff).MarkInvoicePaid(ctx, r.abc.ID, inv.ID)
			case domain.InvoiceVoid:
				st.Staff(staff).VoidInvoice(ctx, r.abc.ID, inv.ID)
			}
			return inv
		}
		paid := mk("Staršia faktúra", 60, 14, domain.InvoicePaid)
		overdue := mk("Faktúra po splatnosti", 30, 14, domain.InvoiceOverdue)
		fresh := mk("Nová faktúra", 1, 14, domain.InvoiceSent)
		draft := mk("Koncept", 0, 14, domain.InvoiceDraft)
		void := mk("Stornovaná", 5, 14, domain.InvoiceVoid)

		peter := r.srv.PortalClient(t, r.tn, r.owner)
		resp := peter.Get("/portal/acme/invoices")
		wantStatus(t, resp, http.StatusOK)
		wantBody(t, resp, "Nová faktúra", "Faktúra po splatnosti", "Staršia faktúra", "Overdue", "Paid", "Unpaid", "€123.00")
		dontWantBody(t, resp, "Koncept", "Stornovaná")
		if i, j, k := strings.Index(resp.Body, "Nová faktúra"), strings.Index(resp.Body, "Faktúra po splatnosti"), strings.Index(resp.Body, "Staršia faktúra"); !(i < j && j < k) {
			t.Errorf("invoices not newest first")
		}
		resp = peter.Get("/portal/acme/invoices?state=overdue")
		if got := ids(reInvoiceID, resp.Body); len(got) != 1 || !got[overdue.ID] {
			t.Errorf("overdue filter: %v", sortedKeys(got))
		}
		for _, inv := range []*domain.Invoice{paid, overdue, fresh} {
			wantStatus(t, peter.Get("/portal/acme/invoices/"+itoa(inv.ID)), http.StatusOK)
			pdf := peter.Get("/portal/acme/invoices/" + itoa(inv.ID) + ".pdf")
			wantStatus(t, pdf, http.StatusOK)
			if !strings.HasPrefix(pdf.Body, "%PDF-") {
				t.Errorf("not a PDF")
			}
		}
		for _, path := range []string{itoa(draft.ID), itoa(void.ID), itoa(draft.ID) + ".pdf", itoa(void.ID) + ".pdf", itoa(fresh.ID) + ".txt", "0" + itoa(fresh.ID), "x"} {
			wantStatus(t, peter.Get("/portal/acme/invoices/"+path), http.StatusNotFound)
		}
		resp = peter.Get("/portal/acme/invoices/" + itoa(overdue.ID))
		wantBody(t, resp, "Payment was due on", "Faktúra po splatnosti")
		// Site-less invoices are not for the Košice-only user.
		jana := r.srv.PortalClient(t, r.tn, r.kosiceOnly)
		if got := ids(reInvoiceID, jana.Get("/portal/acme/invoices").Body); len(got) != 0 {
			t.Errorf("the Košice user sees site-less invoices %v", sortedKeys(got))
		}
	})
}
