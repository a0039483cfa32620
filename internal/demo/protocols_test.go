package demo_test

import (
	"io"
	"slices"
	"strconv"
	"testing"

	"portico/internal/demo"
	"portico/internal/domain"
	"portico/internal/files"
	"portico/internal/store"
	"portico/internal/testenv"
)

// The demo shows the seed's example: ABC s.r.o. has 5 sites, and its Košice site
// manager sees only Košice's protocols and documents; SDS follow the 24-month
// rule; hidden documents stay hidden; every document's file is in the blob store.
func TestDemoProtocolsAndDocuments(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		st := db.Store
		d := fill(t, st)
		ctx := t.Context()
		user := func(email string) *domain.PortalUser {
			u, _, err := st.PortalCredentials(ctx, d.CompanyID, email)
			if err != nil {
				t.Fatalf("portal user %s: %v", email, err)
			}
			return u
		}
		owner, kosice := user("owner@abc.test"), user("kosice@abc.test")
		ownerScope, err := testenv.PortalScope(ctx, st, d.CompanyID, owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		kosiceScope, err := testenv.PortalScope(ctx, st, d.CompanyID, kosice.ID)
		if err != nil {
			t.Fatal(err)
		}
		abc := ownerScope.Clients()[0].ClientID
		sites, err := st.Portal(ownerScope).PortalSites(ctx, abc)
		if err != nil || len(sites) != 5 {
			t.Fatalf("ABC's sites for the owner: %d (%v), want 5", len(sites), err)
		}
		ks, err := st.Portal(kosiceScope).PortalSites(ctx, abc)
		if err != nil || len(ks) != 1 || ks[0].City != "Košice" {
			t.Fatalf("ABC's sites for the Košice manager: %v (%v), want only Košice", ks, err)
		}
		_, info, err := st.Portal(ownerScope).PortalProtocols(ctx, store.ProtocolFilter{ListOptions: domain.ListOptions{PerPage: 100}})
		if err != nil || info.Total < 60 {
			t.Fatalf("the owner sees %d protocols (%v), want a year of monthly visits at 5 sites", info.Total, err)
		}
		kp, kinfo, err := st.Portal(kosiceScope).PortalProtocols(ctx, store.ProtocolFilter{ListOptions: domain.ListOptions{PerPage: 100}})
		if err != nil || kinfo.Total != 12 {
			t.Fatalf("the Košice manager sees %d protocols (%v), want 12 (one a month; the draft is hidden)", kinfo.Total, err)
		}
		for _, p := range kp {
			if p.SiteID != ks[0].ID || !p.Completed() {
				t.Fatalf("the Košice manager sees protocol %d at %s (%s)", p.Number, p.SiteName, p.Status)
			}
		}
		docTitles := func(docs []*domain.Document) []string {
			var out []string
			for _, d := range docs {
				out = append(out, d.Title)
			}
			slices.Sort(out)
			return out
		}
		od, _, err := st.Portal(ownerScope).PortalDocuments(ctx, store.PortalDocumentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Bait station plan — Košice", "Bait station plan — headquarters", "Pest control certificate " + strconv.Itoa(st.Now().Year()),
			"Safety data sheet — Goliath Gel", "Safety data sheet — Ratimor Brumolin pasta"}
		slices.Sort(want)
		if got := docTitles(od); !slices.Equal(got, want) {
			t.Errorf("the owner's documents:\n%q\nwant\n%q\n(no Biopren SDS: used 3 years ago; no hidden price calculation; no Dencorp)", got, want)
		}
		kd, _, err := st.Portal(kosiceScope).PortalDocuments(ctx, store.PortalDocumentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want = []string{"Bait station plan — Košice", "Pest control certificate " + strconv.Itoa(st.Now().Year()),
			"Safety data sheet — Goliath Gel", "Safety data sheet — Ratimor Brumolin pasta"}
		slices.Sort(want)
		if got := docTitles(kd); !slices.Equal(got, want) {
			t.Errorf("the Košice manager's documents:\n%q\nwant\n%q", got, want)
		}

		// Every document's file is in the blob store, with the recorded size.
		fs, err := files.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.WriteFiles(ctx, fs); err != nil {
			t.Fatal(err)
		}
		staff := adminScope(t, st, d.CompanyID)
		docs, _, err := st.Staff(staff).Documents(ctx, store.DocumentFilter{ListOptions: domain.ListOptions{PerPage: 100}})
		if err != nil || len(docs) < 10 {
			t.Fatalf("demo documents: %d (%v)", len(docs), err)
		}
		for _, doc := range docs {
			rc, err := fs.Open(ctx, doc.FileKey)
			if err != nil {
				t.Fatalf("file of %s: %v", doc.Title, err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if int64(len(b)) != doc.Size {
				t.Errorf("file of %s has %d bytes, the document says %d", doc.Title, len(b), doc.Size)
			}
		}
	})
}
