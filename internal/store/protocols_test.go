package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// protocolAt creates a protocol at the site, performed at, with the materials;
// completed when done.
func protocolAt(t *testing.T, db *testenv.DB, tn *testenv.Tenant, site *domain.Site, at time.Time, done bool, mats ...*domain.Material) *domain.Protocol {
	t.Helper()
	p := &domain.Protocol{ClientID: site.ClientID, SiteID: site.ID, PerformedAt: at, ServiceType: "Rodent control"}
	for _, m := range mats {
		p.Materials = append(p.Materials, domain.ProtocolMaterial{MaterialID: m.ID, Quantity: 1, Unit: "g"})
	}
	if err := db.Store.Staff(tn.Staff).CreateProtocol(t.Context(), p); err != nil {
		t.Fatalf("CreateProtocol: %v", err)
	}
	if done {
		if err := db.Store.Staff(tn.Staff).CompleteProtocol(t.Context(), p.ID); err != nil {
			t.Fatalf("CompleteProtocol: %v", err)
		}
	}
	return p
}

func material(t *testing.T, db *testenv.DB, tn *testenv.Tenant, name string) *domain.Material {
	t.Helper()
	m := &domain.Material{Name: name, Unit: "g"}
	if err := db.Store.Staff(tn.Staff).CreateMaterial(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

// document records a document with a made-up file (the blob store is the app's).
func document(t *testing.T, db *testenv.DB, tn *testenv.Tenant, d *domain.Document) *domain.Document {
	t.Helper()
	d.FileKey, d.FileName, d.ContentType, d.Size = "k/"+d.Title, "f.pdf", "application/pdf", 10
	if err := db.Store.Staff(tn.Staff).CreateDocument(t.Context(), d); err != nil {
		t.Fatalf("CreateDocument %s: %v", d.Title, err)
	}
	return d
}

func portalUser(t *testing.T, db *testenv.DB, tn *testenv.Tenant, email string, clients []int64, sites ...int64) access.Scope {
	t.Helper()
	u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "P", LastName: "U", Email: email, ClientIDs: clients, SiteIDs: sites})
	scope, err := testenv.PortalScope(t.Context(), db.Store, tn.Company.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return scope
}

func TestProtocolNumbersAreSequentialPerTenantUnderConcurrency(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		a, b := db.Tenant(t, ""), db.Tenant(t, "")
		siteA := db.Site(t, a, db.Client(t, a, "ABC"), "Košice", "Košice")
		siteB := db.Site(t, b, db.Client(t, b, "XYZ"), "Žilina", "Žilina")
		var wg sync.WaitGroup
		var mu sync.Mutex
		seen := map[int64]bool{}
		for range 10 {
			wg.Go(func() {
				p := &domain.Protocol{ClientID: siteA.ClientID, SiteID: siteA.ID, PerformedAt: time.Now(), ServiceType: "Pest control"}
				if err := db.Store.Staff(a.Staff).CreateProtocol(t.Context(), p); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[p.Number] = true
				mu.Unlock()
			})
		}
		wg.Wait()
		for n := int64(1); n <= 10; n++ {
			if !seen[n] {
				t.Errorf("numbers %v lack %d: ten concurrent protocols must get 1…10", seen, n)
			}
		}
		if p := protocolAt(t, db, b, siteB, time.Now(), false); p.Number != 1 {
			t.Errorf("another tenant's first protocol got number %d, want 1", p.Number)
		}
	})
}

func TestCompletedProtocolIsFinal(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn := db.Tenant(t, "")
		site := db.Site(t, tn, db.Client(t, tn, "ABC"), "Košice", "Košice")
		p := protocolAt(t, db, tn, site, time.Now(), true)
		p.ServiceType = "Changed"
		wantCode(t, db.Store.Staff(tn.Staff).UpdateProtocol(t.Context(), p), domain.ECONFLICT)
		wantCode(t, db.Store.Staff(tn.Staff).CompleteProtocol(t.Context(), p.ID), domain.ECONFLICT)
		wantCode(t, db.Store.Staff(tn.Staff).DeleteProtocol(t.Context(), p.ID), domain.ECONFLICT)
		// The site of a protocol stays: deleting it is refused with the reason.
		err := db.Store.Staff(tn.Staff).DeleteSite(t.Context(), site.ClientID, site.ID)
		wantCode(t, err, domain.ECONFLICT)
		if domain.ErrorMessage(err) != "This site still has 1 protocol, which keep their site." {
			t.Errorf("message %q", domain.ErrorMessage(err))
		}
		reader := member(t, db, tn, "reader@x.test")
		wantCode(t, db.Store.Staff(reader).CreateProtocol(t.Context(), &domain.Protocol{}), domain.EFORBIDDEN)
	})
}

func TestProtocolReferencesStayInTheTenantAndClient(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn, other := db.Tenant(t, ""), db.Tenant(t, "")
		abc := db.Client(t, tn, "ABC")
		site := db.Site(t, tn, abc, "Košice", "Košice")
		otherSite := db.Site(t, tn, db.Client(t, tn, "XYZ"), "Žilina", "Žilina")
		foreignMat := material(t, db, other, "Foreign")
		for _, tc := range []struct {
			name  string
			p     domain.Protocol
			field string
		}{
			{"another client's site", domain.Protocol{ClientID: abc.ID, SiteID: otherSite.ID}, "site_id"},
			{"another tenant's material", domain.Protocol{ClientID: abc.ID, SiteID: site.ID, Materials: []domain.ProtocolMaterial{{MaterialID: foreignMat.ID}}}, "materials"},
			{"another tenant's technician", domain.Protocol{ClientID: abc.ID, SiteID: site.ID, TechnicianID: other.Admin.ID}, "technician_id"},
			{"no service type", domain.Protocol{ClientID: abc.ID, SiteID: site.ID, ServiceType: " "}, "service_type"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := tc.p
				p.PerformedAt = time.Now()
				if p.ServiceType == "" {
					p.ServiceType = "Pest control"
				}
				wantFields(t, db.Store.Staff(tn.Staff).CreateProtocol(t.Context(), &p), tc.field)
			})
		}
		// A client of another tenant is not found.
		p := domain.Protocol{ClientID: abc.ID, SiteID: site.ID, PerformedAt: time.Now(), ServiceType: "x"}
		wantCode(t, db.Store.Staff(other.Staff).CreateProtocol(t.Context(), &p), domain.ENOTFOUND)
	})
}

// The table of the style guide: out of scope is not found, never forbidden.
func TestPortalProtocolVisibility(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn := db.Tenant(t, "")
		abc := db.Client(t, tn, "ABC")
		ba, ke := db.Site(t, tn, abc, "Bratislava", "Bratislava"), db.Site(t, tn, abc, "Košice", "Košice")
		other := db.Client(t, tn, "Other")
		otherSite := db.Site(t, tn, other, "Nitra", "Nitra")
		pBA, pKE := protocolAt(t, db, tn, ba, time.Now(), true), protocolAt(t, db, tn, ke, time.Now(), true)
		draft := protocolAt(t, db, tn, ke, time.Now(), false)
		owner := portalUser(t, db, tn, "owner@abc.test", []int64{abc.ID})
		kosice := portalUser(t, db, tn, "kosice@abc.test", []int64{abc.ID}, ke.ID)
		stranger := portalUser(t, db, tn, "x@other.test", []int64{other.ID})
		for _, tc := range []struct {
			name string
			sc   access.Scope
			id   int64
			want string
		}{
			{"owner sees Bratislava", owner, pBA.ID, ""},
			{"restricted user sees own site", kosice, pKE.ID, ""},
			{"restricted user: other site is not found", kosice, pBA.ID, domain.ENOTFOUND},
			{"other client: not found", stranger, pKE.ID, domain.ENOTFOUND},
			{"a draft is not found", owner, draft.ID, domain.ENOTFOUND},
			{"the zero scope sees nothing", access.Scope{}, pBA.ID, domain.ENOTFOUND},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.Store.Portal(tc.sc).PortalProtocol(t.Context(), tc.id)
				wantCode(t, err, tc.want)
			})
		}
		sums, err := db.Store.Portal(kosice).PortalSummaries(t.Context())
		if err != nil || len(sums) != 1 || sums[0].ProtocolCount != 1 {
			t.Fatalf("the Košice user's summary: %+v (%v), want 1 protocol", sums, err)
		}
		if _, err := db.Store.Portal(kosice).PortalSite(t.Context(), ba.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("PortalSite of another site: %v", err)
		}
		// All of a user's sites at once are each company's PortalSites, no more.
		both := portalUser(t, db, tn, "both@abc.test", []int64{abc.ID, other.ID})
		for _, tc := range []struct {
			name string
			sc   access.Scope
			want map[int64][]int64
		}{
			{"owner", owner, map[int64][]int64{abc.ID: {ba.ID, ke.ID}}},
			{"restricted", kosice, map[int64][]int64{abc.ID: {ke.ID}}},
			{"two companies", both, map[int64][]int64{abc.ID: {ba.ID, ke.ID}, other.ID: {otherSite.ID}}},
			{"zero scope", access.Scope{}, map[int64][]int64{}},
		} {
			all, err := db.Store.Portal(tc.sc).PortalAllSites(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64][]int64{}
			for client, sites := range all {
				for _, x := range sites {
					got[client] = append(got[client], x.ID)
				}
				one, err := db.Store.Portal(tc.sc).PortalSites(t.Context(), client)
				if err != nil || len(one) != len(sites) {
					t.Errorf("%s: PortalSites(%d) = %d sites (%v), PortalAllSites %d", tc.name, client, len(one), err, len(sites))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s: PortalAllSites = %v, want %v", tc.name, got, tc.want)
			}
			// The names-only form has the same sites, in the same order, named.
			names, err := db.Store.Portal(tc.sc).PortalSiteNames(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(names) != len(all) {
				t.Errorf("%s: PortalSiteNames has %d companies, PortalAllSites %d", tc.name, len(names), len(all))
			}
			for client, sites := range all {
				if len(names[client]) != len(sites) {
					t.Errorf("%s: PortalSiteNames(%d) = %d sites, PortalAllSites %d", tc.name, client, len(names[client]), len(sites))
					continue
				}
				for i, x := range sites {
					if y := names[client][i]; y.ID != x.ID || y.Name != x.Name || y.ClientID != x.ClientID || y.CompanyID != x.CompanyID {
						t.Errorf("%s: PortalSiteNames(%d)[%d] = %+v, want %+v", tc.name, client, i, *y, *x)
					}
				}
			}
		}
	})
}

// SDS reach the portal for materials used in protocols the user sees within the
// last 24 months; client documents for all sites or the user's sites; nothing
// that is not marked visible.
func TestPortalDocumentsRules(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn := db.Tenant(t, "")
		abc := db.Client(t, tn, "ABC")
		ba, ke := db.Site(t, tn, abc, "Bratislava", "Bratislava"), db.Site(t, tn, abc, "Košice", "Košice")
		recent, old, draftOnly, atBA := material(t, db, tn, "Recent"), material(t, db, tn, "Old"), material(t, db, tn, "Draft only"), material(t, db, tn, "At Bratislava")
		now := db.Store.Now()
		protocolAt(t, db, tn, ke, now.AddDate(0, -23, 0), true, recent)
		protocolAt(t, db, tn, ke, now.AddDate(0, -25, 0), true, old)
		protocolAt(t, db, tn, ke, now, false, draftOnly)
		protocolAt(t, db, tn, ba, now, true, atBA)
		sds := func(m *domain.Material, visible bool) *domain.Document {
			return document(t, db, tn, &domain.Document{Kind: domain.DocSDS, Title: "SDS " + m.Name, MaterialID: m.ID, PortalVisible: visible})
		}
		dRecent, dOld, dDraft, dBA, dHidden := sds(recent, true), sds(old, true), sds(draftOnly, true), sds(atBA, true), sds(recent, false)
		dAll := document(t, db, tn, &domain.Document{Kind: domain.DocCertificate, Title: "All", ClientID: abc.ID, AllSites: true, PortalVisible: true})
		dKE := document(t, db, tn, &domain.Document{Kind: domain.DocSiteMap, Title: "KE", ClientID: abc.ID, SiteIDs: []int64{ke.ID}, PortalVisible: true})
		dBAmap := document(t, db, tn, &domain.Document{Kind: domain.DocSiteMap, Title: "BA", ClientID: abc.ID, SiteIDs: []int64{ba.ID}, PortalVisible: true})
		kosice := portalUser(t, db, tn, "kosice@abc.test", []int64{abc.ID}, ke.ID)
		owner := portalUser(t, db, tn, "owner@abc.test", []int64{abc.ID})
		titles := func(scope access.Scope, f store.PortalDocumentFilter) map[string]bool {
			docs, info, err := db.Store.Portal(scope).PortalDocuments(t.Context(), f)
			if err != nil || info.Total != len(docs) {
				t.Fatalf("PortalDocuments: %d of %d (%v)", len(docs), info.Total, err)
			}
			out := map[string]bool{}
			for _, d := range docs {
				out[d.Title] = true
			}
			return out
		}
		want := func(got map[string]bool, docs ...*domain.Document) {
			t.Helper()
			if len(got) != len(docs) {
				t.Errorf("got %v, want %d documents", got, len(docs))
			}
			for _, d := range docs {
				if !got[d.Title] {
					t.Errorf("got %v, missing %q", got, d.Title)
				}
			}
		}
		want(titles(kosice, store.PortalDocumentFilter{}), dRecent, dAll, dKE)
		want(titles(owner, store.PortalDocumentFilter{}), dRecent, dBA, dAll, dKE, dBAmap)
		want(titles(owner, store.PortalDocumentFilter{SiteID: ba.ID}), dBA, dAll, dBAmap)
		want(titles(owner, store.PortalDocumentFilter{Kind: domain.DocSDS}), dRecent, dBA)
		want(titles(owner, store.PortalDocumentFilter{Query: "bratislava"}), dBA)
		for _, d := range []*domain.Document{dOld, dDraft, dHidden, dBAmap} {
			if _, err := db.Store.Portal(kosice).PortalDocument(t.Context(), d.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("PortalDocument(%s) for the Košice user: %v, want not found", d.Title, err)
			}
		}
		if n, err := db.Store.Portal(kosice).PortalDocumentCount(t.Context()); err != nil || n != 3 {
			t.Errorf("PortalDocumentCount = %d (%v), want 3", n, err)
		}
	})
}

func TestDocumentValidation(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn, other := db.Tenant(t, ""), db.Tenant(t, "")
		abc, xyz := db.Client(t, tn, "ABC"), db.Client(t, tn, "XYZ")
		xyzSite := db.Site(t, tn, xyz, "Nitra", "Nitra")
		foreign := material(t, db, other, "Foreign")
		for _, tc := range []struct {
			name   string
			d      domain.Document
			fields []string
		}{
			{"SDS without material", domain.Document{Kind: domain.DocSDS, Title: "x"}, []string{"material_id"}},
			{"certificate without client", domain.Document{Kind: domain.DocCertificate, Title: "x"}, []string{"client_id"}},
			{"no sites and not all", domain.Document{Kind: domain.DocSiteMap, Title: "x", ClientID: abc.ID}, []string{"site_ids"}},
			{"unknown kind, no title", domain.Document{Kind: "virus"}, []string{"kind", "title", "client_id"}},
			{"another client's site", domain.Document{Kind: domain.DocSiteMap, Title: "x", ClientID: abc.ID, SiteIDs: []int64{xyzSite.ID}}, []string{"site_ids"}},
			{"another tenant's material", domain.Document{Kind: domain.DocSDS, Title: "x", MaterialID: foreign.ID}, []string{"material_id"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d := tc.d
				wantFields(t, db.Store.Staff(tn.Staff).CheckDocument(t.Context(), &d), tc.fields...)
			})
		}
		tech := member(t, db, tn, "tech@x.test", access.ProtocolsWrite)
		d := domain.Document{Kind: domain.DocSDS, Title: "x", MaterialID: material(t, db, tn, "M").ID}
		wantCode(t, db.Store.Staff(tech).CheckDocument(t.Context(), &d), domain.EFORBIDDEN)
		// A client with documents cannot be deleted; the reason names them.
		document(t, db, tn, &domain.Document{Kind: domain.DocOther, Title: "Contract", ClientID: abc.ID, AllSites: true})
		wantCode(t, db.Store.Staff(tn.Staff).DeleteClient(t.Context(), abc.ID), domain.ECONFLICT)
	})
}

func TestMaterialInUseCannotBeDeleted(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn := db.Tenant(t, "")
		site := db.Site(t, tn, db.Client(t, tn, "ABC"), "Košice", "Košice")
		used, free := material(t, db, tn, "Used"), material(t, db, tn, "Free")
		protocolAt(t, db, tn, site, time.Now(), false, used)
		wantCode(t, db.Store.Staff(tn.Staff).DeleteMaterial(t.Context(), used.ID), domain.ECONFLICT)
		wantCode(t, db.Store.Staff(tn.Staff).DeleteMaterial(t.Context(), free.ID), "")
		ms, info, err := db.Store.Staff(tn.Staff).Materials(t.Context(), store.MaterialFilter{Query: "use"})
		if err != nil || info.Total != 1 || ms[0].Name != "Used" {
			t.Fatalf("Materials(use) = %v, %d (%v)", ms, info.Total, err)
		}
	})
}
