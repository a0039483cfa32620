package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portico/internal/domain"
	"portico/internal/testenv"
)

// fetched is what a fetch() from inside the page got.
type fetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	CSP         string `json:"csp"`
	Head        string `json:"head"`
}

// browserFetch fetches href from the page, with the page's cookies, and returns
// the status, a few headers and the first bytes of the body.
func browserFetch(b *testenv.Browser, href string) fetched {
	return testenv.Result(b, chromedp.Evaluate[fetched](`fetch(`+jsString(href)+`).then(async r => {
		const buf = new Uint8Array(await r.arrayBuffer());
		return {status: r.status, type: r.headers.get("content-type") || "", disposition: r.headers.get("content-disposition") || "",
			csp: r.headers.get("content-security-policy") || "", head: String.fromCharCode(...buf.slice(0, 8))};
	})`, chromedp.EvalAwaitPromise))
}

func jsString(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

// A portal user signs in, goes from the dashboard's company card to the company's
// protocols, gets a protocol's PDF, and opens a document's preview with the eye
// icon. Screenshots of each step land in test-artifacts/.
func TestBrowserPortalProtocolsAndPreview(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newABC(t, db)
		ctx := t.Context()
		plan := &domain.Document{Kind: domain.DocSiteMap, Title: "Bait station plan — Košice", ClientID: w.abc.ID,
			SiteIDs: []int64{w.sites["Košice"].ID}, PortalVisible: true}
		if err := w.srv.App.UploadDocument(ctx, w.tn.Staff, plan, appUpload("plan.png", pngBytes(t))); err != nil {
			t.Fatal(err)
		}
		hash := testenv.PasswordHash(t, "owner-Lantern-1987")
		if err := db.Store.SetPortalPassword(ctx, w.tn.Company.ID, w.owner.ID, hash); err != nil {
			t.Fatal(err)
		}
		base := w.srv.URL + "/portal/acme"
		b := testenv.NewBrowser(t)
		b.Run(chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("f-email")))
		b.Run(browserFill("email", "owner@abc.test"), browserFill("password", "owner-Lantern-1987"))
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("signing in: status %d", st)
		}
		if got := browserLocation(t, b); got != base+"/" {
			t.Fatalf("after sign-in the browser is at %s, want the dashboard", got)
		}
		browserWantText(t, b, "ABC s.r.o.", "All protocols", "Documents", "My data", "My companies", "Last protocol")
		b.Screenshot("portal-dashboard")

		// The company card's "All protocols" button.
		if st := b.Follow(chromedp.Click(chromedp.CSS(`section.company-card a.btn-primary`))); st != http.StatusOK {
			t.Fatalf("opening the company's protocols: status %d", st)
		}
		if got := browserLocation(t, b); !strings.HasSuffix(got, "/protocols?client="+itoa(w.abc.ID)) {
			t.Errorf("the company card leads to %s, want its protocols", got)
		}
		rows := testenv.Result(b, chromedp.Evaluate[int](`document.querySelectorAll("tr[data-protocol-id]").length`))
		if rows != 5 {
			t.Errorf("the protocols page lists %d protocols, want 5", rows)
		}
		browserWantText(t, b, "Košice", "Žilina", "Nové Zámky", "Rodent control")
		b.Screenshot("portal-protocols")

		// The PDF of the Košice protocol, as the PDF button links it.
		href := testenv.Result(b, chromedp.AttributeValue(chromedp.CSS(`a[data-pdf="`+itoa(w.protocols["Košice"].ID)+`"]`), "href")).Value
		f := browserFetch(b, href)
		if f.Status != http.StatusOK || f.Type != "application/pdf" || !strings.HasPrefix(f.Head, "%PDF-") {
			t.Errorf("the PDF button's %s answered %+v, want a PDF", href, f)
		}

		// The protocol's page, then the Documents page and the eye icon's preview.
		b.Follow(chromedp.Click(chromedp.CSS(`tr[data-protocol-id="` + itoa(w.protocols["Košice"].ID) + `"] td a`)))
		browserWantText(t, b, "Ratimor pasta", "Company acme team", "Download PDF")
		b.Screenshot("portal-protocol")
		b.Follow(chromedp.Navigate(base + "/documents"))
		browserWantText(t, b, "SDS Ratimor", "Bait station plan — Košice", "Certificate ABC")
		b.Screenshot("portal-documents")
		// The eye icon opens the preview page inside the portal; the picture in
		// it is the file, inline and sandboxed.
		if st := b.Follow(chromedp.Click(chromedp.CSS(`a[data-preview="` + itoa(plan.ID) + `"]`))); st != http.StatusOK {
			t.Errorf("opening the preview: status %d", st)
		}
		browserWantText(t, b, "Bait station plan — Košice", "Download")
		if n := testenv.Result(b, chromedp.Evaluate[int](`document.querySelectorAll("img.doc-preview-img").length`)); n != 1 {
			t.Errorf("the preview shows %d images, want the plan", n)
		}
		src := testenv.Result(b, chromedp.Evaluate[string](`document.querySelector("img.doc-preview-img").src`))
		f = browserFetch(b, src)
		if f.Status != http.StatusOK || f.Type != "image/png" || !strings.HasPrefix(f.Disposition, "inline") || !strings.Contains(f.CSP, "sandbox") || !strings.Contains(f.CSP, "frame-ancestors 'self'") {
			t.Errorf("the preview's picture %s answered %+v, want an inline, sandboxed PNG framed by this origin only", src, f)
		}
		b.Screenshot("portal-document-preview")
		pdfDoc := testenv.Result(b, chromedp.Evaluate[string](`location.origin`)) + "/portal/acme/documents/" + itoa(w.docs["sds"].ID)
		b.Follow(chromedp.Navigate(base + "/documents"))
		if f := browserFetch(b, pdfDoc); f.Status != http.StatusOK || f.Type != "application/pdf" || !strings.HasPrefix(f.Head, "%PDF-") {
			t.Errorf("the SDS preview answered %+v, want a PDF", f)
		}

		// My data and a site's detail.
		b.Follow(chromedp.Navigate(base + "/my-data"))
		browserWantText(t, b, "Company data", "Contact details", "Recent protocols")
		b.Screenshot("portal-my-data")
		b.Follow(chromedp.Click(chromedp.CSS(`a[data-site-id="` + itoa(w.sites["Košice"].ID) + `"]`)))
		browserWantText(t, b, "Site information", "Site documents", "Site protocols", "Bait station plan — Košice")
		b.Screenshot("portal-site")
	})
}
