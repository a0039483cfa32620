package app_test

import (
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/files"
	"portico/internal/store"
	"portico/internal/testenv"
)

// rig is tenant acme with client ABC (sites Bratislava and Košice, a project at
// Košice) and client Other, portal users of both — one of ABC restricted to
// Košice — billing settings with a notification address and printed details,
// and a second tenant, beta, with a client and a portal user of its own. The
// app stores files in a directory of the test's own.
type rig struct {
	db       *testenv.DB
	app      *app.App
	filesDir string

	tn                 *testenv.Tenant
	abc, other         *domain.Client
	bratislava, kosice *domain.Site
	project            *domain.Project    // ABC's, at Košice
	owner              *domain.PortalUser // ABC, every site
	kosiceOnly         *domain.PortalUser // ABC, Košice only
	stranger           *domain.PortalUser // Other
	notification       string
	today              domain.Day

	beta       *testenv.Tenant
	betaClient *domain.Client
	betaUser   *domain.PortalUser
}

// billingDetails are printed on acme's invoices and estimates.
const billingDetails = "Priemyselná 7, 821 09 Bratislava\nIBAN SK31 1200 0000 1987 4263 7541"

func newRig(t *testing.T, db *testenv.DB) *rig {
	t.Helper()
	r := &rig{db: db, filesDir: t.TempDir(), notification: "kancelaria@acme.test"}
	r.app = app.New(db.Store, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), "http://portico.test")
	blobs, err := files.NewLocal(r.filesDir)
	if err != nil {
		t.Fatal(err)
	}
	r.app.Files = blobs

	r.tn = db.Tenant(t, "acme")
	r.abc = db.Client(t, r.tn, "ABC s.r.o.")
	r.other = db.Client(t, r.tn, "Other a.s.")
	r.bratislava = db.Site(t, r.tn, r.abc, "Bratislava — Mlynské nivy", "Bratislava")
	r.kosice = db.Site(t, r.tn, r.abc, "Košice — Hlavná", "Košice")
	r.project = db.Project(t, r.tn, r.abc, "Rodent monitoring — Košice", r.kosice)
	r.owner = portalUser(t, db, r.tn, "owner@abc.test", "Peter", "Novák", r.abc)
	r.kosiceOnly = portalUser(t, db, r.tn, "kosice@abc.test", "Jana", "Kováčová", r.abc, r.kosice.ID)
	r.stranger = portalUser(t, db, r.tn, "x@other.test", "Xaver", "Cudzí", r.other)
	if err := db.Store.Staff(r.tn.Staff).UpdateBillingSettings(t.Context(), store.BillingSettings{NotificationEmail: r.notification, Details: billingDetails}); err != nil {
		t.Fatal(err)
	}
	r.today = domain.DayOf(db.Store.Now(), r.tn.Company.Location())

	r.beta = db.Tenant(t, "beta")
	r.betaClient = db.Client(t, r.beta, "Beta Client s.r.o.")
	db.Site(t, r.beta, r.betaClient, "Beta office", "Žilina")
	r.betaUser = portalUser(t, db, r.beta, "user@beta.test", "Beáta", "Betová", r.betaClient)
	return r
}

// portalUser creates a portal user of the tenant with access to client c,
// restricted to the sites when any are given.
func portalUser(t *testing.T, db *testenv.DB, tn *testenv.Tenant, email, first, last string, c *domain.Client, sites ...int64) *domain.PortalUser {
	t.Helper()
	return db.PortalUser(t, tn, app.NewPortalUser{FirstName: first, LastName: last, Email: email,
		ClientIDs: []int64{c.ID}, SiteIDs: sites})
}

// scope is the Scope of the portal user, loaded as the session code loads it.
func (r *rig) scope(t *testing.T, u *domain.PortalUser) access.Scope {
	t.Helper()
	scope, err := testenv.PortalScope(t.Context(), r.db.Store, u.CompanyID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return scope
}

// estimate creates an estimate of ABC, on the Košice project or on none, valid
// for validFor days from today (a negative number: expired), and sends it.
func (r *rig) estimate(t *testing.T, onProject bool, validFor int) *domain.Estimate {
	t.Helper()
	e := &domain.Estimate{BillingDoc: domain.BillingDoc{ClientID: r.abc.ID, Title: "Zábrany proti hlodavcom", IssueDate: r.today.AddDays(-40),
		Currency: "EUR", Lines: []domain.Line{{Description: "Oceľová lišta pod dvere", Quantity: 2000, Unit: "ks", UnitPrice: 5400, VATRate: 2300}}},
		ValidUntil: r.today.AddDays(validFor)}
	if onProject {
		e.ProjectID = r.project.ID
	}
	if err := r.db.Store.Staff(r.tn.Staff).CreateEstimate(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	n, err := r.db.Store.Staff(r.tn.Staff).SendEstimate(t.Context(), r.abc.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.Number = n
	return e
}

// invoice creates an invoice of ABC on the Košice project, and sends it unless
// draft is set.
func (r *rig) invoice(t *testing.T, draft bool) *domain.Invoice {
	t.Helper()
	inv := &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: r.abc.ID, ProjectID: r.project.ID, Title: "Deratizácia — marec", IssueDate: r.today,
		Currency: "EUR", Lines: []domain.Line{{Description: "Kontrola nástrah v Košiciach", Quantity: 1500, Unit: "h", UnitPrice: 3550, VATRate: 2300}}},
		DueDate: r.today.AddDays(14)}
	if err := r.db.Store.Staff(r.tn.Staff).CreateInvoice(t.Context(), inv); err != nil {
		t.Fatal(err)
	}
	if !draft {
		n, err := r.db.Store.Staff(r.tn.Staff).SendInvoice(t.Context(), r.abc.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		inv.Number = n
	}
	return inv
}

// protocol creates a protocol of ABC at the site, completed unless draft is set.
func (r *rig) protocol(t *testing.T, site *domain.Site, draft bool) *domain.Protocol {
	t.Helper()
	p := &domain.Protocol{ClientID: r.abc.ID, SiteID: site.ID, TechnicianID: r.tn.Admin.ID, PerformedAt: r.db.Store.Now().AddDate(0, 0, -3),
		ServiceType: "Rodent control", Findings: "Stanica 4 pri sklade bola poškodená."}
	if err := r.db.Store.Staff(r.tn.Staff).CreateProtocol(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if !draft {
		if err := r.db.Store.Staff(r.tn.Staff).CompleteProtocol(t.Context(), p.ID); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// storedFiles lists the files in the app's file store, by key.
func (r *rig) storedFiles(t *testing.T) []string {
	t.Helper()
	var keys []string
	err := filepath.WalkDir(r.filesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(r.filesDir, path)
		keys = append(keys, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// pdftotext returns the text of a PDF as poppler's pdftotext reads it.
func pdftotext(t *testing.T, doc []byte) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils; scripts/install-deps.sh installs it): %v\n%s", err, out)
	}
	return string(out)
}

// wantText fails the test unless text holds every one of want.
func wantText(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// testLog writes the app's log lines to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Helper()
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
