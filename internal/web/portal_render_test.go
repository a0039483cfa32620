package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
	"portico/internal/web"
)

// hostile is a name that would run script or add an attribute if a page put it
// in the HTML as it is.
const hostile = `<script>alert(1)</script>"onmouseover=alert(2) x='y'`

// hostileHTML is hostile as html/template escapes it in text and in quoted
// attribute values.
const hostileHTML = `&lt;script&gt;alert(1)&lt;/script&gt;&#34;onmouseover=alert(2) x=&#39;y&#39;`

// portalPagesOf are the portal pages of the world made by hostileWorld.
func portalPagesOf(h hostileWorld) []string {
	return []string{"/", "/protocols", "/protocols?page=1&client=" + fmt.Sprint(h.client.ID), fmt.Sprintf("/protocols/%d", h.protocol.ID),
		"/documents", "/projects", fmt.Sprintf("/projects/%d", h.project.ID), "/invoices", fmt.Sprintf("/invoices/%d", h.invoice.ID),
		fmt.Sprintf("/sites/%d", h.site.ID), "/my-data", "/account"}
}

type hostileWorld struct {
	tn       *testenv.Tenant
	user     *domain.PortalUser
	client   *domain.Client
	site     *domain.Site
	protocol *domain.Protocol
	project  *domain.Project
	invoice  *domain.Invoice
}

// newHostileWorld makes a tenant whose client, sites, material, protocol,
// documents, project and invoice all carry hostile names, and a portal user of
// that client and of a second one (so that the company column and selector show).
func newHostileWorld(t *testing.T, srv *testenv.Server) hostileWorld {
	ctx := context.Background()
	db := srv.DB
	tn := db.Tenant(t, "")
	staff := db.Store.Staff(tn.Staff)
	c := db.Client(t, tn, "Client "+hostile)
	other := db.Client(t, tn, "Other "+hostile)
	site := db.Site(t, tn, c, "Site "+hostile, "City "+hostile)
	db.Site(t, tn, other, "Second "+hostile, "Town "+hostile)
	m := &domain.Material{Name: "Material " + hostile, ActiveSubstance: hostile, Unit: "g"}
	if err := staff.CreateMaterial(ctx, m); err != nil {
		t.Fatal(err)
	}
	sds := &domain.Document{Kind: domain.DocSDS, Title: "SDS " + hostile, MaterialID: m.ID, PortalVisible: true}
	if err := srv.App.UploadDocument(ctx, tn.Staff, sds, appUpload("sds.pdf", pdfBytes("sds"))); err != nil {
		t.Fatal(err)
	}
	cert := &domain.Document{Kind: domain.DocCertificate, Title: "Certificate " + hostile, ClientID: c.ID, SiteIDs: []int64{site.ID}, PortalVisible: true,
		ValidUntil: srv.Store.Now().AddDate(0, 6, 0)}
	if err := srv.App.UploadDocument(ctx, tn.Staff, cert, appUpload("c.pdf", pdfBytes("cert"))); err != nil {
		t.Fatal(err)
	}
	p := &domain.Protocol{ClientID: c.ID, SiteID: site.ID, PerformedAt: srv.Store.Now().Add(-48 * time.Hour).Truncate(time.Second),
		ServiceType: "Service " + hostile, Findings: "Findings " + hostile,
		Materials: []domain.ProtocolMaterial{{MaterialID: m.ID, Quantity: 10, Unit: "g", Location: "Location " + hostile}}}
	if err := staff.CreateProtocol(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := staff.CompleteProtocol(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	pr := db.Project(t, tn, c, "Project "+hostile, site)
	today := domain.DayOf(srv.Store.Now(), tn.Company.Location())
	inv := &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: c.ID, ProjectID: pr.ID, Title: "Invoice " + hostile, IssueDate: today.AddDays(-3), Currency: "EUR",
		Lines: []domain.Line{{Description: "Line " + hostile, Quantity: 1500, Unit: "h", UnitPrice: 4990, VATRate: 2300}}}, DueDate: today.AddDays(10)}
	if err := staff.CreateInvoice(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.SendInvoice(ctx, inv.ClientID, inv.ID); err != nil {
		t.Fatal(err)
	}
	u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "First " + hostile, LastName: "Last", Email: "hostile@" + tn.Company.Slug + ".test",
		ClientIDs: []int64{c.ID, other.ID}})
	return hostileWorld{tn: tn, user: u, client: c, site: site, protocol: p, project: pr, invoice: inv}
}

func getIn(t *testing.T, c *testenv.Client, path, lang string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.BaseURL().String()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", lang)
	r := c.Do(req)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s (%s): %d", path, lang, r.Status)
	}
	return r.Body
}

// Every portal page shows names with markup in them as text: the raw name never
// reaches the page, its escaped form does. And the pages are the same, byte for
// byte, whether the templates' constant actions are folded at start-up or run on
// every request (web.foldConstants).
func TestPortalPagesEscapeHostileNames(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		restore := web.SetTemplateFolding(false)
		plain := testenv.StartServer(t, db)
		restore()
		folded := testenv.StartServer(t, db)
		h := newHostileWorld(t, folded)
		cp := plain.PortalClient(t, h.tn, h.user)
		cf := folded.PortalClient(t, h.tn, h.user)
		base := "/portal/" + h.tn.Company.Slug
		for _, lang := range []string{"en", "sk"} {
			for _, path := range portalPagesOf(h) {
				got := getIn(t, cf, base+path, lang)
				if strings.Contains(got, "<script>alert") || strings.Contains(got, `"onmouseover`) {
					t.Errorf("%s (%s): a name is in the page unescaped", path, lang)
				}
				if !strings.Contains(got, hostileHTML) {
					t.Errorf("%s (%s): no escaped name in the page", path, lang)
				}
				if want := getIn(t, cp, base+path, lang); got != want {
					t.Errorf("%s (%s): folded templates give another page:\n%s", path, lang, firstDiff(got, want))
				}
			}
		}
	})
}

// firstDiff shows where two pages part.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("at byte %d:\n got: %q\nwant: %q", i, a[from:min(len(a), i+80)], b[from:min(len(b), i+80)])
}
