package web_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/files"
	"portico/internal/store"
	"portico/internal/testenv"
)

// abcWorld is the seed's example: ABC s.r.o. with 5 sites, a completed protocol
// at each and a draft in Košice, a material with an SDS, and documents for
// Košice, for Žilina and for all sites; its owner sees everything, its Košice
// site manager only Košice.
type abcWorld struct {
	srv             *testenv.Server
	tn              *testenv.Tenant
	abc             *domain.Client
	sites           map[string]*domain.Site
	protocols       map[string]*domain.Protocol // completed, by city
	draft           *domain.Protocol
	docs            map[string]*domain.Document // "kosice", "zilina", "all", "sds", "hidden"
	owner, kosice   *domain.PortalUser
	ownerC, kosiceC *testenv.Client
	staff           *testenv.Client
	material        *domain.Material
}

func newABC(t *testing.T, db *testenv.DB) *abcWorld {
	t.Helper()
	ctx := t.Context()
	w := &abcWorld{srv: testenv.StartServer(t, db), sites: map[string]*domain.Site{}, protocols: map[string]*domain.Protocol{}, docs: map[string]*domain.Document{}}
	w.tn = db.Tenant(t, "acme")
	w.abc = db.Client(t, w.tn, "ABC s.r.o.")
	for _, city := range []string{"Bratislava", "Košice", "Žilina", "Nitra", "Nové Zámky"} {
		w.sites[city] = db.Site(t, w.tn, w.abc, city, city)
	}
	w.material = &domain.Material{Name: "Ratimor pasta", ActiveSubstance: "Bromadiolone", Unit: "g"}
	if err := db.Store.Staff(w.tn.Staff).CreateMaterial(ctx, w.material); err != nil {
		t.Fatal(err)
	}
	for city, site := range w.sites {
		p := &domain.Protocol{ClientID: w.abc.ID, SiteID: site.ID, PerformedAt: db.Store.Now().AddDate(0, -1, 0), ServiceType: "Rodent control",
			TechnicianID: w.tn.Admin.ID}
		if city == "Košice" {
			p.Materials = []domain.ProtocolMaterial{{MaterialID: w.material.ID, Quantity: 250, Unit: "g", Location: "Stations 1–12"}}
		}
		if err := db.Store.Staff(w.tn.Staff).CreateProtocol(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := db.Store.Staff(w.tn.Staff).CompleteProtocol(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		w.protocols[city] = p
	}
	w.draft = &domain.Protocol{ClientID: w.abc.ID, SiteID: w.sites["Košice"].ID, PerformedAt: db.Store.Now(), ServiceType: "Draft visit"}
	if err := db.Store.Staff(w.tn.Staff).CreateProtocol(ctx, w.draft); err != nil {
		t.Fatal(err)
	}
	upload := func(key string, d *domain.Document) {
		if err := w.srv.App.UploadDocument(ctx, w.tn.Staff, d, appUpload("doc.pdf", pdfBytes(key))); err != nil {
			t.Fatalf("upload %s: %v", key, err)
		}
		w.docs[key] = d
	}
	upload("kosice", &domain.Document{Kind: domain.DocSiteMap, Title: "Plan Košice", ClientID: w.abc.ID, SiteIDs: []int64{w.sites["Košice"].ID}, PortalVisible: true})
	upload("zilina", &domain.Document{Kind: domain.DocSiteMap, Title: "Plan Žilina", ClientID: w.abc.ID, SiteIDs: []int64{w.sites["Žilina"].ID}, PortalVisible: true})
	upload("all", &domain.Document{Kind: domain.DocCertificate, Title: "Certificate ABC", ClientID: w.abc.ID, AllSites: true, PortalVisible: true})
	upload("hidden", &domain.Document{Kind: domain.DocOther, Title: "Price calculation", ClientID: w.abc.ID, AllSites: true})
	upload("sds", &domain.Document{Kind: domain.DocSDS, Title: "SDS Ratimor", MaterialID: w.material.ID, PortalVisible: true})
	w.owner = db.PortalUser(t, w.tn, app.NewPortalUser{FirstName: "Peter", LastName: "Novák", Email: "owner@abc.test", ClientIDs: []int64{w.abc.ID}})
	w.kosice = db.PortalUser(t, w.tn, app.NewPortalUser{FirstName: "Jana", LastName: "Kováčová", Email: "kosice@abc.test",
		ClientIDs: []int64{w.abc.ID}, SiteIDs: []int64{w.sites["Košice"].ID}})
	w.ownerC = w.srv.PortalClient(t, w.tn, w.owner)
	w.kosiceC = w.srv.PortalClient(t, w.tn, w.kosice)
	w.staff = w.srv.NewClient(t)
	w.staff.SignIn("acme", "admin@acme.test")
	return w
}

func appUpload(name string, data []byte) app.Upload { return app.Upload{Name: name, Data: data} }

// pdfBytes is a tiny file that passes as a PDF, unique per name.
func pdfBytes(name string) []byte { return []byte("%PDF-1.4\n% " + name + "\n%%EOF\n") }

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The seed's example through the real router: the Košice site manager sees only
// Košice's detail, protocols and documents, everywhere; other sites' URLs are 404.
func TestKosiceManagerSeesOnlyKosice(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newABC(t, db)
		base := "/portal/acme"
		k, o := w.kosiceC, w.ownerC

		r := k.Get(base + "/")
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, `data-client="`+itoa(w.abc.ID)+`" data-protocols="1"`, `data-documents="3"`, "ABC s.r.o.")
		r = o.Get(base + "/")
		wantBody(t, r, `data-client="`+itoa(w.abc.ID)+`" data-protocols="5"`, `data-documents="4"`)

		r = k.Get(base + "/protocols")
		wantStatus(t, r, http.StatusOK)
		if got := ids(reProtocolID, r.Body); len(got) != 1 || !got[w.protocols["Košice"].ID] {
			t.Errorf("the Košice manager's protocols: %v, want only Košice's %d", sortedKeys(got), w.protocols["Košice"].ID)
		}
		if got := ids(reProtocolID, o.Get(base+"/protocols").Body); len(got) != 5 || got[w.draft.ID] {
			t.Errorf("the owner's protocols: %v, want the 5 completed ones and no draft", sortedKeys(got))
		}
		for city, p := range w.protocols {
			want := http.StatusNotFound
			if city == "Košice" {
				want = http.StatusOK
			}
			wantStatus(t, k.Get(base+"/protocols/"+itoa(p.ID)), want)
			wantStatus(t, k.Get(base+"/protocols/"+itoa(p.ID)+".pdf"), want)
			wantStatus(t, k.Get(base+"/sites/"+itoa(w.sites[city].ID)), want)
			wantStatus(t, o.Get(base+"/sites/"+itoa(w.sites[city].ID)), http.StatusOK)
		}
		wantStatus(t, o.Get(base+"/protocols/"+itoa(w.draft.ID)), http.StatusNotFound)
		wantStatus(t, o.Get(base+"/protocols/"+itoa(w.draft.ID)+".pdf"), http.StatusNotFound)

		r = k.Get(base + "/documents")
		got := ids(reDocumentID, r.Body)
		for key, want := range map[string]bool{"kosice": true, "all": true, "sds": true, "zilina": false, "hidden": false} {
			if got[w.docs[key].ID] != want {
				t.Errorf("the Košice manager's Documents page lists %s: %v, want %v", key, got[w.docs[key].ID], want)
			}
			st := http.StatusNotFound
			if want {
				st = http.StatusOK
			}
			wantStatus(t, k.Get(base+"/documents/"+itoa(w.docs[key].ID)), st)
		}
		wantBody(t, r, "Ratimor pasta") // grouped under the material

		r = k.Get(base + "/sites/" + itoa(w.sites["Košice"].ID))
		wantBody(t, r, "Plan Košice", "Certificate ABC", "SDS Ratimor", `data-protocols="1"`, `data-documents="3"`, "openstreetmap.org")
		dontWantBody(t, r, "Plan Žilina", "Price calculation")

		r = k.Get(base + "/my-data")
		wantStatus(t, r, http.StatusOK)
		if got := ids(reSiteID, r.Body); len(got) != 1 || !got[w.sites["Košice"].ID] {
			t.Errorf("My data of the Košice manager lists sites %v, want only Košice", sortedKeys(got))
		}
		if got := ids(reSiteID, o.Get(base+"/my-data").Body); len(got) != 5 {
			t.Errorf("My data of the owner lists %d sites, want 5", len(got))
		}
		// Staff names never reach the portal.
		for _, path := range []string{"/", "/protocols", "/protocols/" + itoa(w.protocols["Košice"].ID), "/my-data"} {
			dontWantBody(t, k.Get(base+path), w.tn.Admin.Name)
		}
	})
}

// The protocol's PDF is the same file for staff and portal, and a real reader
// finds the site's city with its diacritics.
func TestProtocolPDFSameBytesForStaffAndPortal(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newABC(t, db)
		p := w.protocols["Košice"]
		staff := w.staff.Get(fmt.Sprintf("/app/clients/%d/protocols/%d/pdf", w.abc.ID, p.ID))
		wantStatus(t, staff, http.StatusOK)
		portal := w.kosiceC.Get(fmt.Sprintf("/portal/acme/protocols/%d.pdf", p.ID))
		wantStatus(t, portal, http.StatusOK)
		if staff.Body != portal.Body {
			t.Fatal("staff and portal get different PDF bytes for the same protocol")
		}
		for _, h := range []string{"Content-Type", "X-Content-Type-Options", "Content-Disposition"} {
			t.Logf("%s: %s", h, portal.Header.Get(h))
		}
		if ct := portal.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := portal.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline") || !strings.Contains(cd, fmt.Sprintf("protocol-%d.pdf", p.Number)) {
			t.Errorf("Content-Disposition %q", cd)
		}
		if cd := w.kosiceC.Get(fmt.Sprintf("/portal/acme/protocols/%d.pdf?download=1", p.ID)).Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
			t.Errorf("download Content-Disposition %q", cd)
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "p.pdf")
		os.WriteFile(file, []byte(portal.Body), 0o644)
		out, err := exec.Command("pdftotext", "-layout", file, "-").CombinedOutput()
		if err != nil {
			t.Fatalf("pdftotext: %v\n%s", err, out)
		}
		for _, want := range []string{"Košice", "ABC s.r.o.", "Ratimor pasta", "250 g", "Company acme team", fmt.Sprintf("No. %d", p.Number)} {
			if !strings.Contains(string(out), want) {
				t.Errorf("the PDF's text lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(string(out), w.tn.Admin.Name) {
			t.Errorf("the PDF names the technician %q", w.tn.Admin.Name)
		}
	})
}

// multipartPost uploads a document form with a file to path, as a same-origin browser.
func multipartPost(t *testing.T, c *testenv.Client, path string, fields url.Values, fileName string, data []byte) *testenv.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if fileName != "" || data != nil {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.BaseURL().String()+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(req)
}

// blobCount counts the files in the server's blob store.
func blobCount(t *testing.T, srv *testenv.Server) int {
	t.Helper()
	n := 0
	filepath.WalkDir(srv.App.Files.(*files.Local).Dir(), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// Uploads are checked before anything is stored: too large, wrong type, a picture
// named .pdf and an empty file are refused next to the file field, and neither
// the database nor the blob store changes.
func TestDocumentUploadRefusesBadFiles(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		c := db.Client(t, tn, "ABC s.r.o.")
		site := db.Site(t, tn, c, "Košice", "Košice")
		staff := srv.NewClient(t)
		staff.SignIn("acme", "admin@acme.test")
		fields := url.Values{"client_id": {itoa(c.ID)}, "kind": {domain.DocSiteMap}, "title": {"Plan Košice"}, "site_ids": {itoa(site.ID)}, "portal_visible": {"1"}}
		big := make([]byte, domain.MaxDocumentBytes+100<<10)
		copy(big, "%PDF-1.4\n")
		huge := make([]byte, 22<<20)
		copy(huge, "%PDF-1.4\n")
		for _, tc := range []struct {
			name   string
			file   string
			data   []byte
			status int
			want   string
		}{
			{"over 20 MB", "big.pdf", big, http.StatusRequestEntityTooLarge, "at most 20 MB"},
			{"far over the limit", "huge.pdf", huge, http.StatusRequestEntityTooLarge, "larger than 20 MB"},
			{"wrong type", "notes.txt", []byte("just some text, not a document"), http.StatusUnprocessableEntity, "Only PDF, PNG, JPEG and WebP"},
			{"image disguised as PDF", "report.pdf", pngBytes(t), http.StatusUnprocessableEntity, "named .pdf but is a PNG image"},
			{"text disguised as PDF", "report.pdf", []byte("<html>hello</html>"), http.StatusUnprocessableEntity, "named .pdf but is not a PDF"},
			{"empty file", "empty.pdf", []byte{}, http.StatusUnprocessableEntity, "The file is empty"},
			{"no file", "", nil, http.StatusUnprocessableEntity, "Choose a file to upload"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := multipartPost(t, staff, "/app/documents", fields, tc.file, tc.data)
				wantStatus(t, r, tc.status)
				wantBody(t, r, tc.want, `id="e-file"`)
				if tc.status == http.StatusUnprocessableEntity {
					wantBody(t, r, `value="Plan Košice"`) // what was typed is kept
				}
			})
		}
		docs, info, err := db.Store.Staff(tn.Staff).Documents(t.Context(), store.DocumentFilter{})
		if err != nil || info.Total != 0 || len(docs) != 0 {
			t.Fatalf("refused uploads left %d documents (%v)", info.Total, err)
		}
		if n := blobCount(t, srv); n != 0 {
			t.Fatalf("refused uploads left %d files in the blob store", n)
		}

		// A form error beside a good file stores nothing either.
		bad := url.Values{"client_id": {itoa(c.ID)}, "kind": {domain.DocSiteMap}, "title": {""}}
		r := multipartPost(t, staff, "/app/documents", bad, "plan.png", pngBytes(t))
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, "Title is required", "Choose the sites")
		if n := blobCount(t, srv); n != 0 {
			t.Fatalf("a refused form left %d files in the blob store", n)
		}

		// A good upload: a PNG, served with safe headers.
		r = multipartPost(t, staff, "/app/documents", fields, "plán.png", pngBytes(t))
		wantStatus(t, r, http.StatusSeeOther)
		docs, _, _ = db.Store.Staff(tn.Staff).Documents(t.Context(), store.DocumentFilter{})
		if len(docs) != 1 || docs[0].ContentType != "image/png" || blobCount(t, srv) != 1 {
			t.Fatalf("after a good upload: %d documents, %d blobs", len(docs), blobCount(t, srv))
		}
		d := docs[0]
		r = staff.Get(fmt.Sprintf("/app/documents/%d/file", d.ID))
		wantStatus(t, r, http.StatusOK)
		h := r.Header
		if h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "inline") || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("preview headers: %v", h)
		}
		if r.Body != string(pngBytes(t)) {
			t.Error("the preview serves other bytes than were uploaded")
		}
		r = staff.Get(fmt.Sprintf("/app/documents/%d/file?download=1", d.ID))
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "pl%C3%A1n.png") {
			t.Errorf("download Content-Disposition %q", cd)
		}
		// Deleting the document removes its file.
		wantStatus(t, staff.Post(fmt.Sprintf("/app/documents/%d/delete", d.ID), nil), http.StatusSeeOther)
		if n := blobCount(t, srv); n != 0 {
			t.Errorf("the deleted document's file is still stored (%d blobs)", n)
		}
	})
}

// Staff keep the catalogue, write a protocol as a draft, complete it — then it
// is final and in the portal — and need the right permission for each.
func TestStaffMaterialsAndProtocols(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		srv := testenv.StartServer(t, db)
		tn := db.Tenant(t, "acme")
		c := db.Client(t, tn, "ABC s.r.o.")
		site := db.Site(t, tn, c, "Košice — Hlavná", "Košice")
		staff := srv.NewClient(t)
		staff.SignIn("acme", "admin@acme.test")

		r := staff.Post("/app/materials", url.Values{"name": {""}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, "Name is required")
		r = staff.Post("/app/materials", url.Values{"name": {"Ratimor pasta"}, "active_substance": {"Bromadiolone 0.005 %"}, "unit": {"g"}})
		wantStatus(t, r, http.StatusSeeOther)
		r = staff.Get("/app/materials?q=ratimor")
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "Ratimor pasta", "Bromadiolone")
		ms, _ := db.Store.Staff(tn.Staff).AllMaterials(t.Context())
		mat := ms[0]

		base := fmt.Sprintf("/app/clients/%d/protocols", c.ID)
		wantStatus(t, staff.Get(base+"/new"), http.StatusOK)
		form := url.Values{"site_id": {itoa(site.ID)}, "performed_at": {"2026-03-14T08:30"}, "service_type": {"Rodent control"},
			"technician_id": {itoa(tn.Admin.ID)}, "findings": {"Fresh droppings."},
			"m_material": {itoa(mat.ID), "0"}, "m_qty": {"1,5", ""}, "m_unit": {"kg", ""}, "m_where": {"Stations 1–12", ""}}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("service_type", "")
		bad["m_qty"] = []string{"lots", ""}
		r = staff.Post(base, bad)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, "Service type is required", "Enter quantities as numbers", `value="lots"`)
		r = staff.Post(base, form)
		wantStatus(t, r, http.StatusSeeOther)
		m := regexp.MustCompile(`/protocols/(\d+)$`).FindStringSubmatch(r.Location)
		if m == nil {
			t.Fatalf("after creating a protocol: location %q", r.Location)
		}
		detail := r.Location
		r = staff.Get(detail)
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "Draft", "Rodent control", "Ratimor pasta", "1.5 kg", "Stations 1–12", "14 Mar 2026, 08:30")
		r = staff.Get(base + "?status=draft")
		wantBody(t, r, "data-protocol-id")
		if got := ids(reProtocolID, staff.Get(base+"?status=completed").Body); len(got) != 0 {
			t.Errorf("the completed filter lists the draft: %v", sortedKeys(got))
		}
		if got := ids(reProtocolID, staff.Get(base+"?from=2026-03-15").Body); len(got) != 0 {
			t.Errorf("the date filter lists a protocol before its start: %v", sortedKeys(got))
		}
		if got := ids(reProtocolID, staff.Get(base+"?from=2026-03-14&to=2026-03-14&site="+itoa(site.ID)).Body); len(got) != 1 {
			t.Errorf("the site and date filters miss the protocol: %v", sortedKeys(got))
		}

		// A reader may look but not write; a technician may not upload documents.
		db.StaffUser(t, tn, "reader@acme.test")
		reader := srv.NewClient(t)
		reader.SignIn("acme", "reader@acme.test")
		wantStatus(t, reader.Get(detail), http.StatusOK)
		wantStatus(t, reader.Post(detail+"/complete", nil), http.StatusForbidden)
		db.StaffUser(t, tn, "tech@acme.test", access.ProtocolsWrite)
		tech := srv.NewClient(t)
		tech.SignIn("acme", "tech@acme.test")
		wantStatus(t, multipartPost(t, tech, "/app/documents", url.Values{"title": {"x"}}, "a.pdf", pdfBytes("a")), http.StatusForbidden)

		// Completing makes it final.
		wantStatus(t, tech.Post(detail+"/complete", nil), http.StatusSeeOther)
		r = staff.Get(detail)
		wantBody(t, r, "Completed")
		dontWantBody(t, r, "/edit\"")
		wantStatus(t, staff.Post(detail, form), http.StatusConflict)
		wantStatus(t, staff.Post(detail+"/delete", nil), http.StatusConflict)
		wantStatus(t, staff.Get(detail+"/edit"), http.StatusConflict)
		// The material is in use now and cannot be deleted.
		r = staff.Post(fmt.Sprintf("/app/materials/%d/delete", mat.ID), nil)
		wantStatus(t, r, http.StatusConflict)
		wantBody(t, r, "used in 1 protocol")

		// Another tenant's staff cannot reach it.
		db.Tenant(t, "other")
		other := srv.NewClient(t)
		other.SignIn("other", "admin@other.test")
		wantStatus(t, other.Get(detail), http.StatusNotFound)
		wantStatus(t, other.Get(detail+"/pdf"), http.StatusNotFound)
		wantStatus(t, other.Get(fmt.Sprintf("/app/materials/%d", mat.ID)), http.StatusNotFound)

		// Numbers are sequential per tenant.
		r = staff.Post(base, form)
		wantStatus(t, r, http.StatusSeeOther)
		ps, _, _ := db.Store.Staff(tn.Staff).Protocols(t.Context(), store.ProtocolFilter{})
		if len(ps) != 2 || ps[0].Number+ps[1].Number != 3 {
			t.Errorf("protocol numbers %d and %d, want 1 and 2", ps[0].Number, ps[1].Number)
		}
	})
}

// My data: the user edits the company's main and protocol email — validated,
// audited under their name — and the company selector never widens access.
func TestPortalMyDataAndCompanySelector(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newABC(t, db)
		dencorp := db.Client(t, w.tn, "Dencorp")
		db.Site(t, w.tn, dencorp, "Dencorp office", "Bratislava")
		foreign := db.Client(t, w.tn, "Foreign s.r.o.")
		multi := db.PortalUser(t, w.tn, app.NewPortalUser{FirstName: "Marek", LastName: "Viac", Email: "multi@abc.test",
			ClientIDs: []int64{w.abc.ID, dencorp.ID}})
		mc := w.srv.PortalClient(t, w.tn, multi)
		base := "/portal/acme"

		r := mc.Get(base + "/my-data?company=" + itoa(dencorp.ID))
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, `<select name="company"`, `value="`+itoa(dencorp.ID)+`" selected`, "Dencorp office")
		wantStatus(t, mc.Get(base+"/my-data?company="+itoa(foreign.ID)), http.StatusNotFound)
		wantStatus(t, mc.Get(base+"/my-data?company=abc"), http.StatusNotFound)
		// A single-company user gets no selector.
		dontWantBody(t, w.kosiceC.Get(base+"/my-data"), `<select name="company"`)

		r = mc.Post(base+"/my-data", url.Values{"company": {itoa(dencorp.ID)}, "email": {"not-an-email"}, "protocol_email": {"protokoly@dencorp.sk"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, "Enter a valid email address", `value="not-an-email"`)
		r = mc.Post(base+"/my-data", url.Values{"company": {itoa(dencorp.ID)}, "email": {"Office@Dencorp.sk"}, "protocol_email": {"protokoly@dencorp.sk"}})
		wantStatus(t, r, http.StatusSeeOther)
		got, _ := db.Store.Staff(w.tn.Staff).Client(t.Context(), dencorp.ID)
		if got.Email != "office@dencorp.sk" || got.ProtocolEmail != "protokoly@dencorp.sk" {
			t.Errorf("emails after the edit: %q, %q", got.Email, got.ProtocolEmail)
		}
		log, _, err := db.Store.Staff(w.tn.Staff).AuditLog(t.Context(), domain.ListOptions{})
		if err != nil || len(log) == 0 || log[0].Action != "client.emails" || !strings.Contains(log[0].ActorName, "Marek Viac") ||
			!strings.Contains(log[0].Subject, "office@dencorp.sk") {
			t.Errorf("audit log after the edit: %+v (%v)", log[0], err)
		}
		// Another company's emails cannot be changed through the form.
		r = mc.Post(base+"/my-data", url.Values{"company": {itoa(foreign.ID)}, "email": {"x@y.sk"}})
		wantStatus(t, r, http.StatusNotFound)
		if got, _ := db.Store.Staff(w.tn.Staff).Client(t.Context(), foreign.ID); got.Email == "x@y.sk" {
			t.Error("a portal user changed the email of a company they are not assigned to")
		}
	})
}

// A PDF comes in its reader's language: a portal user who chose Slovak gets the
// protocol in Slovak from an English tenant, staff of that tenant in English.
func TestProtocolPDFInTheReadersLanguage(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newABC(t, db)
		p := w.protocols["Košice"]
		wantStatus(t, w.kosiceC.Post("/portal/acme/account", url.Values{"first_name": {"Katarína"}, "locale": {"sk"}}), http.StatusSeeOther)
		text := func(c *testenv.Client, path string) string {
			t.Helper()
			r := c.Get(path)
			wantStatus(t, r, http.StatusOK)
			file := filepath.Join(t.TempDir(), "p.pdf")
			if err := os.WriteFile(file, []byte(r.Body), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("pdftotext", "-layout", file, "-").CombinedOutput()
			if err != nil {
				t.Fatalf("pdftotext: %v\n%s", err, out)
			}
			return string(out)
		}
		portal := text(w.kosiceC, fmt.Sprintf("/portal/acme/protocols/%d.pdf", p.ID))
		if !strings.Contains(portal, "Tím Company acme") || strings.Contains(portal, "Company acme team") {
			t.Errorf("the Slovak reader's PDF is not in Slovak:\n%s", portal)
		}
		staff := text(w.staff, fmt.Sprintf("/app/clients/%d/protocols/%d/pdf", w.abc.ID, p.ID))
		if !strings.Contains(staff, "Company acme team") {
			t.Errorf("the English staff member's PDF is not in English:\n%s", staff)
		}
	})
}
