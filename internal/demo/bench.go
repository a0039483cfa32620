package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/auth"
	"portico/internal/domain"
	"portico/internal/files"
	"portico/internal/pdf"
	"portico/internal/store"
)

// The benchmark tenant's fixed names.
const (
	BenchSlug       = "bench"
	BenchAdminEmail = "admin@bench.test"
	BenchPassword   = "bench-password" // every bench sign-in's password, staff and portal
)

// ErrBenchFilled says that the database already holds a complete bench tenant.
var ErrBenchFilled = errors.New("the bench tenant is already filled")

// BenchConfig says how big a bench tenant to fill.
type BenchConfig struct {
	Clients    int   // clients, two sites each; at least 5
	Protocols  int   // completed protocols spread over the last two years, round-robin over the clients
	BigClients int   // clients of big@bench.test; 0 means min(100, Clients)
	Seed       int64 // the same seed fills the same data
	Files      files.Store
	Log        io.Writer // progress lines; nil for none
}

// BenchUser is one of the bench tenant's portal sign-ins, all with BenchPassword.
type BenchUser struct {
	Email   string
	Clients int  // how many clients the user sees
	OneSite bool // restricted to one site of its client
}

// BenchUsers lists the bench portal users for a fill with bigClients clients
// for big@bench.test.
func BenchUsers(bigClients int) []BenchUser {
	return []BenchUser{
		{Email: "one@bench.test", Clients: 1},
		{Email: "typical@bench.test", Clients: 3},
		{Email: "restricted@bench.test", Clients: 1, OneSite: true},
		{Email: "big@bench.test", Clients: bigClients},
	}
}

// Bench is what FillBench made.
type Bench struct {
	CompanyID int64
	Users     []BenchUser
}

const (
	benchMaterials   = 20
	benchBatch       = 2_000  // clients per transaction
	benchProtoBatch  = 50_000 // protocols per transaction
	benchSwitches    = 3      // per project, for the portal users' clients
	benchInvoices    = 3      // per client of a portal user
	benchCertEvery   = 10     // every tenth client has a certificate, besides the users' clients
	benchHistorySpan = 2 * 365 * 24 * time.Hour
)

// FillBench fills the tenant "bench" for load tests: materials with safety data
// sheets, cfg.Clients clients with two sites each, certificates, cfg.Protocols
// completed protocols over two years, a project with switches and a few sent
// invoices for each client a portal user sees, and the portal users of
// BenchUsers. Everything goes through the staff view of the tenant's
// administrator, in batches of one transaction each. The portal users are made
// last, so a tenant without them is an interrupted fill. It returns
// ErrBenchFilled when the tenant is already complete.
func FillBench(ctx context.Context, st *store.Store, cfg BenchConfig) (*Bench, error) {
	if cfg.BigClients == 0 {
		cfg.BigClients = min(100, cfg.Clients)
	}
	if cfg.Clients < 5 || cfg.BigClients > cfg.Clients || cfg.Protocols < 0 {
		return nil, fmt.Errorf("bench: need at least 5 clients and no more big-user clients (%d) than clients (%d)", cfg.BigClients, cfg.Clients)
	}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	b := &Bench{Users: BenchUsers(cfg.BigClients)}
	if c, err := st.CompanyBySlug(ctx, BenchSlug); err == nil {
		b.CompanyID = c.ID
		if _, _, err := st.PortalCredentials(ctx, c.ID, b.Users[len(b.Users)-1].Email); err != nil {
			return nil, fmt.Errorf("bench: the tenant %q exists but its fill did not finish; start again with an empty data directory or database", BenchSlug)
		}
		return b, ErrBenchFilled
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return nil, err
	}
	start := time.Now()
	hash, err := auth.HashPassword(BenchPassword)
	if err != nil {
		return nil, err
	}
	company := &domain.Company{Slug: BenchSlug, Name: "Bench Services s.r.o.", TimeZone: "Europe/Bratislava", Locale: "en"}
	admin := &domain.StaffUser{Email: BenchAdminEmail, Name: "Bench Administrator", Permissions: access.Permissions}
	if err := st.CreateCompany(ctx, company, admin); err != nil {
		return nil, err
	}
	b.CompanyID = company.ID
	if err := st.SetStaffPassword(ctx, company.ID, admin.ID, hash); err != nil {
		return nil, err
	}
	admin.HasPassword = true
	staff := access.NewStaff(admin)
	view := st.Staff(staff)
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x9e3779b97f4a7c15))

	mats, err := benchMaterialsAndSDS(ctx, view, cfg.Files)
	if err != nil {
		return nil, err
	}

	clients := make([]*domain.Client, 0, cfg.Clients)
	sites := make([][2]*domain.Site, 0, cfg.Clients)
	for first := 0; first < cfg.Clients; first += benchBatch {
		var batch []store.ClientImport
		for i := first; i < min(first+benchBatch, cfg.Clients); i++ {
			c := &domain.Client{Name: fmt.Sprintf("Client %05d s.r.o.", i), CompanyNumber: fmt.Sprintf("%08d", 30_000_000+i),
				Email: fmt.Sprintf("office@client%05d.test", i), City: benchCities[i%len(benchCities)], Country: "Slovakia"}
			north := &domain.Site{Name: "North", Street: fmt.Sprintf("Hlavná %d", 1+i%90), City: benchCities[i%len(benchCities)], Country: "Slovakia"}
			south := &domain.Site{Name: "South", Street: fmt.Sprintf("Priemyselná %d", 1+i%70), City: benchCities[(i+3)%len(benchCities)], Country: "Slovakia"}
			clients = append(clients, c)
			sites = append(sites, [2]*domain.Site{north, south})
			batch = append(batch, store.ClientImport{Client: c, Sites: []*domain.Site{north, south}})
		}
		if err := view.ImportClients(ctx, batch); err != nil {
			return nil, fmt.Errorf("bench: clients: %w", err)
		}
	}
	logf("bench: %d materials, %d clients and %d sites in %v", len(mats), len(clients), 2*len(clients), time.Since(start).Round(time.Millisecond))

	// Whom the portal users see: the first five clients and the last BigClients.
	reach := map[string][]int{"one@bench.test": {0}, "typical@bench.test": {1, 2, 3}, "restricted@bench.test": {4}}
	for i := cfg.Clients - cfg.BigClients; i < cfg.Clients; i++ {
		reach["big@bench.test"] = append(reach["big@bench.test"], i)
	}
	reached := map[int]bool{}
	for _, is := range reach {
		for _, i := range is {
			reached[i] = true
		}
	}

	if err := benchDocuments(ctx, view, cfg.Files, clients, sites, reached); err != nil {
		return nil, err
	}

	now := st.Now()
	step := time.Duration(0)
	if cfg.Protocols > 0 {
		step = benchHistorySpan / time.Duration(cfg.Protocols)
	}
	t0 := time.Now()
	for first := 0; first < cfg.Protocols; first += benchProtoBatch {
		ps := make([]*domain.Protocol, 0, min(benchProtoBatch, cfg.Protocols-first))
		for i := first; i < min(first+benchProtoBatch, cfg.Protocols); i++ {
			ci := i % cfg.Clients
			m := rng.IntN(len(mats))
			// Two visits of three at the North site, so that a user restricted
			// to it still has three pages of protocols at 100 per client.
			site := 0
			if (i/cfg.Clients)%3 == 2 {
				site = 1
			}
			p := &domain.Protocol{ClientID: clients[ci].ID, SiteID: sites[ci][site].ID,
				PerformedAt:  now.Add(-time.Duration(i)*step - time.Duration(rng.IntN(3600))*time.Second),
				TechnicianID: admin.ID, ServiceType: benchServices[m%len(benchServices)],
				Findings: benchFindings[rng.IntN(len(benchFindings))],
				Materials: []domain.ProtocolMaterial{{MaterialID: mats[m].ID, Quantity: float64(5 + rng.IntN(300)),
					Unit: mats[m].Unit, Location: "Bait stations along the outer walls"}}}
			if i%3 == 0 {
				m2 := (m + 1 + rng.IntN(len(mats)-1)) % len(mats)
				p.Materials = append(p.Materials, domain.ProtocolMaterial{MaterialID: mats[m2].ID, Quantity: float64(1 + rng.IntN(50)),
					Unit: mats[m2].Unit, Location: "Kitchen and storage"})
			}
			ps = append(ps, p)
		}
		if err := view.ImportProtocols(ctx, ps); err != nil {
			return nil, fmt.Errorf("bench: protocols: %w", err)
		}
		logf("bench: %d/%d protocols (%v)", first+len(ps), cfg.Protocols, time.Since(t0).Round(time.Millisecond))
	}

	if err := benchProjects(ctx, view, rng, clients, sites, reached); err != nil {
		return nil, err
	}

	// The portal users last: their presence marks a finished fill.
	uc := app.New(st, nil, "")
	for _, u := range b.Users {
		n := app.NewPortalUser{FirstName: "Bench", LastName: u.Email[:len(u.Email)-len("@bench.test")], Email: u.Email}
		for _, i := range reach[u.Email] {
			n.ClientIDs = append(n.ClientIDs, clients[i].ID)
		}
		if u.OneSite {
			n.SiteIDs = []int64{sites[reach[u.Email][0]][0].ID}
		}
		pu, err := uc.CreatePortalUser(ctx, staff, n)
		if err != nil {
			return nil, fmt.Errorf("bench: portal user %s: %w", u.Email, err)
		}
		if err := st.SetPortalPassword(ctx, company.ID, pu.ID, hash); err != nil {
			return nil, err
		}
	}
	logf("bench: filled %d clients and %d protocols in %v", cfg.Clients, cfg.Protocols, time.Since(start).Round(time.Millisecond))
	return b, nil
}

var (
	benchCities   = []string{"Bratislava", "Košice", "Žilina", "Nitra", "Prešov", "Banská Bystrica", "Trnava", "Trenčín", "Poprad", "Martin"}
	benchServices = []string{"Rodent control", "Insect control", "Disinfection", "Monitoring inspection"}
	benchFindings = []string{
		"All bait stations checked; no rodent activity.",
		"Fresh droppings near the goods entrance; bait taken in stations 3 and 7.",
		"Cockroach traps empty except the kitchenette (2 nymphs).",
		"Drains and waste area disinfected.",
		"No activity; two damaged stations replaced.",
	}
)

// benchPDF is a one-page PDF for the bench's documents.
func benchPDF(title string) []byte {
	d := pdf.New(pdf.House{Tenant: "Bench Services s.r.o.", Title: title, Date: demoDate})
	d.Paragraph("A document of the load-test tenant.", "")
	out, _ := d.Bytes()
	return out
}

// benchMaterialsAndSDS adds the materials, each with a safety data sheet visible in the portal.
func benchMaterialsAndSDS(ctx context.Context, view *store.StaffView, fs files.Store) ([]*domain.Material, error) {
	body := benchPDF("Safety data sheet")
	var mats []*domain.Material
	for i := range benchMaterials {
		m := &domain.Material{Name: fmt.Sprintf("Bench material %02d", i), Manufacturer: "Bench Chemicals",
			ActiveSubstance: fmt.Sprintf("Substance %02d", i), Unit: []string{"g", "ml", "pcs"}[i%3]}
		if err := view.CreateMaterial(ctx, m); err != nil {
			return nil, fmt.Errorf("bench: material: %w", err)
		}
		mats = append(mats, m)
		key := fmt.Sprintf("bench/sds-%02d.pdf", i)
		if err := fs.Put(ctx, key, bytes.NewReader(body), int64(len(body)), "application/pdf"); err != nil {
			return nil, fmt.Errorf("bench: file %s: %w", key, err)
		}
		d := &domain.Document{Kind: domain.DocSDS, Title: "Safety data sheet — " + m.Name, MaterialID: m.ID, PortalVisible: true,
			FileKey: key, FileName: "sds.pdf", ContentType: "application/pdf", Size: int64(len(body))}
		if err := view.CreateDocument(ctx, d); err != nil {
			return nil, fmt.Errorf("bench: document: %w", err)
		}
	}
	return mats, nil
}

// benchDocuments gives every tenth client and each client of a portal user a
// certificate for all sites, and each of the latter a site map of its first site.
// The documents of one kind share one file.
func benchDocuments(ctx context.Context, view *store.StaffView, fs files.Store, clients []*domain.Client, sites [][2]*domain.Site, reached map[int]bool) error {
	cert, siteMap := benchPDF("Certificate of pest control"), benchPDF("Bait station plan")
	for key, body := range map[string][]byte{"bench/certificate.pdf": cert, "bench/site-map.pdf": siteMap} {
		if err := fs.Put(ctx, key, bytes.NewReader(body), int64(len(body)), "application/pdf"); err != nil {
			return fmt.Errorf("bench: file %s: %w", key, err)
		}
	}
	for i, c := range clients {
		if i%benchCertEvery != 0 && !reached[i] {
			continue
		}
		d := &domain.Document{Kind: domain.DocCertificate, Title: "Pest control certificate", ClientID: c.ID, AllSites: true, PortalVisible: true,
			FileKey: "bench/certificate.pdf", FileName: "certificate.pdf", ContentType: "application/pdf", Size: int64(len(cert))}
		if err := view.CreateDocument(ctx, d); err != nil {
			return fmt.Errorf("bench: certificate: %w", err)
		}
		if !reached[i] {
			continue
		}
		d = &domain.Document{Kind: domain.DocSiteMap, Title: "Bait station plan — North", ClientID: c.ID, SiteIDs: []int64{sites[i][0].ID}, PortalVisible: true,
			FileKey: "bench/site-map.pdf", FileName: "site-map.pdf", ContentType: "application/pdf", Size: int64(len(siteMap))}
		if err := view.CreateDocument(ctx, d); err != nil {
			return fmt.Errorf("bench: site map: %w", err)
		}
	}
	return nil
}

// benchProjects gives each client of a portal user a project at its first site
// with a few switches (no device behind them: they show offline) and a week of
// activity, and a few sent invoices — two for the project, one for no site.
func benchProjects(ctx context.Context, view *store.StaffView, rng *rand.Rand, clients []*domain.Client, sites [][2]*domain.Site, reached map[int]bool) error {
	today := domain.DayOf(time.Now(), time.UTC)
	now := time.Now().UTC()
	for i, c := range clients {
		if !reached[i] {
			continue
		}
		pr := &domain.Project{ClientID: c.ID, SiteID: sites[i][0].ID, Name: "Service contract — North", Status: domain.ProjectActive}
		if err := view.CreateProject(ctx, pr); err != nil {
			return fmt.Errorf("bench: project: %w", err)
		}
		for n := range benchSwitches {
			sw := &domain.Switch{ClientID: c.ID, ProjectID: pr.ID, Name: fmt.Sprintf("Bench switch %d", n+1),
				Family: domain.FamilyTasmota, Topic: fmt.Sprintf("bench_%d_%d", c.ID, n+1)}
			if n == benchSwitches-1 {
				sw.Family, sw.Topic = domain.FamilyShelly, fmt.Sprintf("bench-%d-%d", c.ID, n+1)
			}
			if _, err := view.CreateSwitch(ctx, sw); err != nil {
				return fmt.Errorf("bench: switch: %w", err)
			}
			var hist []store.PastSwitchEvent
			for day := 7; day >= 1; day-- {
				base := now.Truncate(24*time.Hour).AddDate(0, 0, -day)
				hist = append(hist,
					store.PastSwitchEvent{On: true, Status: domain.EventConfirmed, ActorKind: domain.ActorExternal, Source: "schedule",
						At: base.Add(6*time.Hour + time.Duration(rng.IntN(3600))*time.Second)},
					store.PastSwitchEvent{On: false, Status: domain.EventConfirmed, ActorKind: domain.ActorExternal, Source: "button",
						At: base.Add(18*time.Hour + time.Duration(rng.IntN(3600))*time.Second)})
			}
			if err := view.AddSwitchHistory(ctx, sw.ID, hist); err != nil {
				return fmt.Errorf("bench: switch history: %w", err)
			}
		}
		for n := range benchInvoices {
			issued := today.AddDays(-30*n - rng.IntN(20))
			inv := &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: c.ID, Title: fmt.Sprintf("Pest control, visit %d", n+1),
				IssueDate: issued, Currency: "EUR", Lines: []domain.Line{
					{Description: "Inspection of bait stations", Quantity: 1000, Unit: "visit", UnitPrice: domain.Money(9000 + rng.IntN(6000)), VATRate: 2300},
					{Description: "Technician's work", Quantity: domain.Quantity(1000 + rng.IntN(3000)), Unit: "h", UnitPrice: 3500, VATRate: 2300}}},
				DueDate: issued.AddDays(14)}
			if n < 2 {
				inv.ProjectID = pr.ID
			}
			if err := view.CreateInvoice(ctx, inv); err != nil {
				return fmt.Errorf("bench: invoice: %w", err)
			}
			if _, err := view.SendInvoice(ctx, c.ID, inv.ID); err != nil {
				return fmt.Errorf("bench: send invoice: %w", err)
			}
			if n == 2 {
				if err := view.MarkInvoicePaid(ctx, c.ID, inv.ID); err != nil {
					return fmt.Errorf("bench: pay invoice: %w", err)
				}
			}
		}
	}
	return nil
}
