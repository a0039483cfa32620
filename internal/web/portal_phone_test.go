package web_test

import (
	"net/http"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// phoneWorld is the ABC world with a project at Košice holding two switches
// (offline: no device ever reported) and an invoice and an estimate of ABC.
type phoneWorld struct {
	*abcWorld
	project  *domain.Project
	invoice  *domain.Invoice
	other    *domain.Client // a second client of the tenant, with a document of its own
	otherDoc *domain.Document
}

func newPhoneWorld(t *testing.T, db *testenv.DB) *phoneWorld {
	t.Helper()
	ctx := t.Context()
	w := &phoneWorld{abcWorld: newABC(t, db)}
	w.project = db.Project(t, w.tn, w.abc, "Rodent monitoring — Košice", w.sites["Košice"])
	db.Switch(t, w.tn, w.project, "Bait heater", domain.FamilyTasmota, "phone-heater")
	db.Switch(t, w.tn, w.project, "Yard light", domain.FamilyTasmota, "phone-light")
	staff := db.Store.Staff(w.tn.Staff)
	today := domain.DayOf(db.Store.Now(), w.tn.Company.Location())
	w.invoice = &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: w.abc.ID, ProjectID: w.project.ID, Title: "Rodent monitoring", IssueDate: today,
		Lines: []domain.Line{{Description: "Inspection", Quantity: 1000, Unit: "h", UnitPrice: 5000, VATRate: 2300}}}, DueDate: today.AddDays(14)}
	if err := staff.CreateInvoice(ctx, w.invoice); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.SendInvoice(ctx, w.abc.ID, w.invoice.ID); err != nil {
		t.Fatal(err)
	}
	est := &domain.Estimate{BillingDoc: domain.BillingDoc{ClientID: w.abc.ID, ProjectID: w.project.ID, Title: "Door guards", IssueDate: today,
		Lines: []domain.Line{{Description: "Steel strip", Quantity: 2000, Unit: "pcs", UnitPrice: 5400, VATRate: 2300}}}, ValidUntil: today.AddDays(30)}
	if err := staff.CreateEstimate(ctx, est); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.SendEstimate(ctx, w.abc.ID, est.ID); err != nil {
		t.Fatal(err)
	}
	w.other = db.Client(t, w.tn, "Other a.s.")
	w.otherDoc = &domain.Document{Kind: domain.DocCertificate, Title: "Certificate Other", ClientID: w.other.ID, AllSites: true, PortalVisible: true}
	if err := w.srv.App.UploadDocument(ctx, w.tn.Staff, w.otherDoc, appUpload("other.pdf", pdfBytes("other"))); err != nil {
		t.Fatal(err)
	}
	return w
}

// The protocols list says what a filter did: a range with no protocol says so
// and offers to clear the filters; a range whose end lies before its start is an
// error next to the To field, not an empty list; the Clear filters link shows
// only while a filter is on.
func TestPortalProtocolFilterWording(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newABC(t, db)
		c := w.ownerC

		r := c.Get("/portal/acme/protocols")
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "5 completed protocols at your sites")
		dontWantBody(t, r, "data-clear", "No protocols match")

		r = c.Get("/portal/acme/protocols?from=2001-01-01&to=2001-01-31")
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "No protocols match these filters.", "No protocols match these filters</h3>", "data-clear", `href="/portal/acme/protocols"`)
		dontWantBody(t, r, "0 completed protocols")

		r = c.Get("/portal/acme/protocols?site=" + itoa(w.sites["Košice"].ID))
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "1 completed protocol at your sites", "data-clear", "Clear filters")

		r = c.Get("/portal/acme/protocols?from=2026-05-01&to=2026-04-01")
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, `aria-invalid="true" aria-describedby="e-to"`, `id="e-to"`, "The end date is before the start date.", "Check the dates of the filter.", "data-clear")
		dontWantBody(t, r, "No protocols match", "completed protocols at your sites", "data-protocol-id")

		// The same day as from and to is a one-day range, not an error.
		r = c.Get("/portal/acme/protocols?from=2026-04-01&to=2026-04-01")
		wantStatus(t, r, http.StatusOK)
		dontWantBody(t, r, "The end date is before the start date.")
	})
}

// Protocol cards label their number, date and site, and a site named like its
// city shows once ("Košice", not "Košice / Košice").
func TestPortalProtocolCardsLabelled(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newABC(t, db)
		r := w.ownerC.Get("/portal/acme/protocols")
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, `<span class="pc-label">Protocol </span>`, `data-label="Date"`, `data-label="Site"`)
		if strings.Contains(r.Body, `<span class="cell-sub">Košice</span>`) {
			t.Error("the Košice site (city Košice) shows its city under its name again")
		}
	})
}

// The projects list counts a project's switches, how many are on and how many
// are offline, each with its label, within the user's Scope.
func TestPortalProjectsCountOfflineSwitches(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newPhoneWorld(t, db)
		ps, err := db.Store.Portal(phoneScope(t, db, w.tn, w.kosice)).PortalProjects(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 1 || ps[0].Switches != 2 || ps[0].SwitchesOn != 0 || ps[0].SwitchesOffline != 2 {
			t.Fatalf("PortalProjects = %+v, want one project with 2 switches, 0 on, 2 offline", ps)
		}
		for _, c := range []*testenv.Client{w.ownerC, w.kosiceC} {
			r := c.Get("/portal/acme/projects")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, `data-switches="2" data-switches-on="0" data-switches-offline="2"`, "In all: <strong>2</strong>", "On: <strong>0</strong>", "Offline: <strong>2</strong>")
			dontWantBody(t, r, "(0 on)")
		}
		// A user restricted to Bratislava sees neither the project nor its switches.
		brat := db.PortalUser(t, w.tn, app.NewPortalUser{FirstName: "Boris", LastName: "B", Email: "brat@abc.test",
			ClientIDs: []int64{w.abc.ID}, SiteIDs: []int64{w.sites["Bratislava"].ID}})
		ps, err = db.Store.Portal(phoneScope(t, db, w.tn, brat)).PortalProjects(t.Context())
		if err != nil || len(ps) != 0 {
			t.Fatalf("a Bratislava-only user: PortalProjects = %+v, %v; want none", ps, err)
		}
	})
}

// A site-restricted user is told on the dashboard and the lists that her view
// is limited, and to which sites; a user who sees all sites is told nothing.
func TestPortalLimitedViewNote(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newPhoneWorld(t, db)
		for _, page := range []string{"/", "/protocols", "/documents", "/projects", "/invoices", "/estimates"} {
			r := w.kosiceC.Get("/portal/acme" + page)
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "data-limited", "Your view is limited to the sites assigned to you:", "<strong>Košice</strong>")
			r = w.ownerC.Get("/portal/acme" + page)
			wantStatus(t, r, http.StatusOK)
			dontWantBody(t, r, "data-limited")
		}
	})
}

// The eye icon opens a portal page with the document's title, a way back and
// Download, the file framed in it (frame-ancestors 'self' only with ?embed=1);
// a document outside the user's Scope, or an id that is no document's, is not
// found there just as its file is not.
func TestPortalDocumentPreviewPage(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newPhoneWorld(t, db)
		base := "/portal/acme/documents/"
		list := w.ownerC.Get("/portal/acme/documents")
		wantBody(t, list, `href="`+base+itoa(w.docs["all"].ID)+`/view"`)

		r := w.ownerC.Get(base + itoa(w.docs["all"].ID) + "/view")
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "<h1>Certificate ABC</h1>", `href="/portal/acme/documents"`, `href="`+base+itoa(w.docs["all"].ID)+`?download=1"`,
			`<iframe class="doc-preview-frame" src="`+base+itoa(w.docs["all"].ID)+`?embed=1"`, `aria-current="page"`)
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("the preview page's own CSP is %q, want frame-ancestors 'none'", csp)
		}

		f := w.ownerC.Get(base + itoa(w.docs["all"].ID) + "?embed=1")
		wantStatus(t, f, http.StatusOK)
		if csp := f.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "frame-ancestors 'self'") {
			t.Errorf("the embedded file's CSP is %q, want the sandbox framed by 'self' only", csp)
		}
		if xfo := f.Header.Get("X-Frame-Options"); xfo != "SAMEORIGIN" {
			t.Errorf("the embedded file's X-Frame-Options is %q, want SAMEORIGIN", xfo)
		}
		f = w.ownerC.Get(base + itoa(w.docs["all"].ID))
		if csp := f.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || f.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("the file without ?embed=1 may be framed: CSP %q, X-Frame-Options %q", csp, f.Header.Get("X-Frame-Options"))
		}

		for _, tc := range []struct {
			name string
			c    *testenv.Client
			id   string
		}{
			{"another company's document", w.ownerC, itoa(w.otherDoc.ID)},
			{"a document of another site", w.kosiceC, itoa(w.docs["zilina"].ID)},
			{"a hidden document", w.ownerC, itoa(w.docs["hidden"].ID)},
			{"a forged id", w.ownerC, "999999"},
			{"not a number", w.ownerC, "x1"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantStatus(t, tc.c.Get(base+tc.id+"/view"), http.StatusNotFound)
				wantStatus(t, tc.c.Get(base+tc.id+"?embed=1"), http.StatusNotFound)
			})
		}
		// A picture is shown as an image, not framed.
		r = w.kosiceC.Get(base + itoa(w.docs["kosice"].ID) + "/view")
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "Plan Košice")
	})
}

// A site's phone number on My data and on the site's page is a tel: link that
// does not break inside.
func TestPortalPhoneNumbersAreLinks(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newABC(t, db)
		site := w.sites["Košice"]
		site.Phone = "+421 55 987 6543"
		if err := db.Store.Staff(w.tn.Staff).UpdateSite(t.Context(), site); err != nil {
			t.Fatal(err)
		}
		for _, page := range []string{"/my-data", "/sites/" + itoa(site.ID)} {
			r := w.ownerC.Get("/portal/acme" + page)
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, `<a class="tel" href="tel:&#43;421559876543">&#43;421 55 987 6543</a>`)
		}
	})
}

func phoneScope(t *testing.T, db *testenv.DB, tn *testenv.Tenant, u *domain.PortalUser) access.Scope {
	t.Helper()
	sc, err := testenv.PortalScope(t.Context(), db.Store, tn.Company.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
