package web_test

import (
	"context"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// BenchmarkPortal fills one tenant with 100,000 completed protocols over 1,000
// clients (2 sites each, 20 materials with safety data sheets, a certificate per
// client) and measures the portal's dashboard, protocols list and documents page
// through the real router, for a user of one company, a typical user (3
// companies), a user restricted to one site, and a user of 100 companies. Run it with
//
//	go test ./internal/web -run '^$' -bench BenchmarkPortal -benchtime 100x
func BenchmarkPortal(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := testenv.NewDB(b, engine)
			srv := testenv.StartServer(b, db)
			start := time.Now()
			users := fillBench(b, srv)
			b.Logf("%s: filled 1,000 clients, 2,000 sites and 100,000 protocols in %v", engine, time.Since(start).Round(time.Millisecond))
			for _, u := range []string{"one", "typical", "restricted", "big"} {
				c := srv.PortalClient(b, users.tn, users.users[u])
				for _, page := range []struct{ name, path string }{
					{"dashboard", "/"},
					{"protocols", "/protocols"},
					{"protocols-page-3", "/protocols?page=3"},
					{"documents", "/documents"},
				} {
					b.Run(u+"/"+page.name, func(b *testing.B) {
						cpu := processCPU()
						for b.Loop() {
							if r := c.Get("/portal/bench" + page.path); r.Status != http.StatusOK {
								b.Fatalf("GET %s: %d", page.path, r.Status)
							}
						}
						b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
					})
				}
			}
		})
	}
}

// processCPU is the CPU time the test process has used (user and system), in
// nanoseconds. On a shared machine it varies less than the wall-clock time per
// request, which includes the time other processes had the cores; it counts the
// client's work as well as the server's (both are in this process).
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

type benchUsers struct {
	tn    *testenv.Tenant
	users map[string]*domain.PortalUser
}

func fillBench(b *testing.B, srv *testenv.Server) benchUsers {
	ctx := context.Background()
	db := srv.DB
	tn := db.Tenant(b, "bench")
	var mats []*domain.Material
	for i := range 20 {
		m := &domain.Material{Name: fmt.Sprintf("Material %02d", i), Unit: "g"}
		if err := db.Store.Staff(tn.Staff).CreateMaterial(ctx, m); err != nil {
			b.Fatal(err)
		}
		mats = append(mats, m)
		d := &domain.Document{Kind: domain.DocSDS, Title: "SDS " + m.Name, MaterialID: m.ID, PortalVisible: true}
		if err := srv.App.UploadDocument(ctx, tn.Staff, d, appUpload("sds.pdf", pdfBytes(m.Name))); err != nil {
			b.Fatal(err)
		}
	}
	var clients []*domain.Client
	var sites [][2]*domain.Site
	for i := range 1000 {
		c := db.Client(b, tn, fmt.Sprintf("Client %04d", i))
		clients = append(clients, c)
		sites = append(sites, [2]*domain.Site{db.Site(b, tn, c, "North", "Košice"), db.Site(b, tn, c, "South", "Žilina")})
		if i < 120 {
			d := &domain.Document{Kind: domain.DocCertificate, Title: "Certificate", ClientID: c.ID, AllSites: true, PortalVisible: true}
			if err := srv.App.UploadDocument(ctx, tn.Staff, d, appUpload("c.pdf", pdfBytes(c.Name))); err != nil {
				b.Fatal(err)
			}
		}
	}
	now := db.Store.Now()
	ps := make([]*domain.Protocol, 0, 100_000)
	for i := range 100_000 {
		ci := i % 1000
		ps = append(ps, &domain.Protocol{ClientID: clients[ci].ID, SiteID: sites[ci][i%2].ID,
			PerformedAt: now.Add(-time.Duration(i) * 17 * time.Minute), ServiceType: "Rodent control", Findings: "All stations checked.",
			Materials: []domain.ProtocolMaterial{{MaterialID: mats[i%20].ID, Quantity: 10, Unit: "g", Location: "Warehouse"}}})
	}
	if err := db.Store.Staff(tn.Staff).ImportProtocols(ctx, ps); err != nil {
		b.Fatal(err)
	}
	users := map[string]*domain.PortalUser{}
	mk := func(name string, ids []int64, siteIDs []int64) {
		u := db.PortalUser(b, tn, app.NewPortalUser{FirstName: "Bench", LastName: name, Email: name + "@bench.test", ClientIDs: ids, SiteIDs: siteIDs})
		users[name] = u
	}
	mk("one", []int64{clients[0].ID}, nil)
	mk("typical", []int64{clients[1].ID, clients[2].ID, clients[3].ID}, nil)
	mk("restricted", []int64{clients[4].ID}, []int64{sites[4][0].ID})
	var many []int64
	for _, c := range clients[100:200] {
		many = append(many, c.ID)
	}
	mk("big", many, nil)
	return benchUsers{tn: tn, users: users}
}
