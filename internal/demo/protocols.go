package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/files"
	"portico/internal/pdf"
	"portico/internal/store"
)

// The demo's materials, each with the protocol lines it typically gets.
var demoMaterials = []struct {
	m          domain.Material
	qty        float64
	where      string
	sds        bool
	sdsVisible bool
}{
	{domain.Material{Name: "Ratimor Brumolin pasta", Manufacturer: "Lučební závody Draslovka", ActiveSubstance: "Bromadiolone 0.005 %", Unit: "g"}, 300, "Bait stations 1–12 along the outer walls", true, true},
	{domain.Material{Name: "Cyperkill 10 EC", Manufacturer: "Mitchell Cotts Chemicals", ActiveSubstance: "Cypermethrin 10 %", Unit: "ml"}, 50, "Kitchen and storage, skirting boards", true, true},
	{domain.Material{Name: "Goliath Gel", Manufacturer: "BASF", ActiveSubstance: "Fipronil 0.05 %", Unit: "g"}, 5, "Behind appliances, cable ducts", true, true},
	{domain.Material{Name: "Savo Professional", Manufacturer: "Unilever ČR", ActiveSubstance: "Sodium hypochlorite 4.5 %", Unit: "l"}, 2, "Waste area, drains", true, false},
	{domain.Material{Name: "Biopren 6 EC", Manufacturer: "Babolna Bio", ActiveSubstance: "S-methoprene 6 %", Unit: "ml"}, 20, "Basement, standing water", true, true},
}

// demoFile is a document of the demo: its key in the blob store and the bytes.
type demoFile struct {
	key, name, contentType string
	body                   []byte
}

var demoDate = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// sdsFile renders a short safety data sheet of a demo material.
func sdsFile(i int) demoFile {
	m := demoMaterials[i].m
	d := pdf.New(pdf.House{Tenant: m.Manufacturer, Title: "Safety data sheet", Ref: "Rev. 4", Date: demoDate, Subtitle: "According to Regulation (EC) No 1907/2006 (REACH)"})
	d.Section("1. Identification")
	d.Fields([]pdf.Field{{Label: "Product", Value: m.Name}, {Label: "Supplier", Value: m.Manufacturer}}, []pdf.Field{{Label: "Active substance", Value: m.ActiveSubstance}, {Label: "Use", Value: "Professional pest control"}})
	d.Section("2. Hazards")
	d.Paragraph("May cause damage to organs through prolonged or repeated exposure. Keep out of reach of children. Keep away from food, drink and animal feed.", "")
	d.Section("4. First aid")
	d.Paragraph("If swallowed: call a poison centre or doctor at once (Národné toxikologické informačné centrum, Bratislava: +421 2 5477 4166). Show this sheet or the label.", "")
	d.Section("7. Handling and storage")
	d.Paragraph("Use gloves. Store in the original container, locked up, at 5–30 °C.", "")
	b, _ := d.Bytes()
	return demoFile{key: fmt.Sprintf("demo/sds-%d.pdf", i), name: fmt.Sprintf("SDS %s.pdf", m.Name), contentType: "application/pdf", body: b}
}

// textFile renders a one-page PDF document of the tenant.
func textFile(key, title, body string) demoFile {
	d := pdf.New(pdf.House{Tenant: CompanyName, Title: title, Date: demoDate})
	d.Paragraph(body, "")
	b, _ := d.Bytes()
	return demoFile{key: key, name: title + ".pdf", contentType: "application/pdf", body: b}
}

// mapFile draws a simple site plan as a PNG: the building, bait stations in red.
func mapFile(key, name string, stations int) demoFile {
	img := image.NewRGBA(image.Rect(0, 0, 480, 320))
	fill := func(x0, y0, x1, y1 int, c color.Color) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				img.Set(x, y, c)
			}
		}
	}
	fill(0, 0, 480, 320, color.RGBA{248, 250, 252, 255})
	fill(60, 50, 420, 270, color.RGBA{203, 213, 225, 255})
	fill(70, 60, 410, 260, color.RGBA{241, 245, 249, 255})
	fill(220, 255, 260, 270, color.RGBA{15, 118, 110, 255}) // entrance
	for i := range stations {
		x := 70 + (i%6)*62
		y := 40
		if i >= 6 {
			y = 272
		}
		fill(x, y, x+10, y+10, color.RGBA{220, 38, 38, 255})
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return demoFile{key: key, name: name + ".png", contentType: "image/png", body: buf.Bytes()}
}

// demoFiles are every file the demo's documents hold, by key.
func demoFiles() map[string]demoFile {
	out := map[string]demoFile{}
	for i, dm := range demoMaterials {
		if dm.sds {
			f := sdsFile(i)
			out[f.key] = f
		}
	}
	for _, f := range []demoFile{
		textFile("demo/abc-certificate.pdf", "Certificate of pest control", "We certify that ABC s.r.o. is served under a pest control (DDD) contract with monthly inspections at all of its sites in 2026."),
		textFile("demo/abc-pricing.pdf", "Internal price calculation", "Not for the client: hourly rates and material margins."),
		mapFile("demo/abc-kosice-map.png", "Bait station plan Košice", 12),
		mapFile("demo/abc-bratislava-map.png", "Bait station plan Bratislava", 8),
		textFile("demo/dencorp-certificate.pdf", "Certificate of disinfection", "Dencorp's office and greenhouse were disinfected according to the HACCP plan."),
		mapFile("demo/dencorp-greenhouse-map.png", "Greenhouse plan", 6),
	} {
		out[f.key] = f
	}
	return out
}

// WriteFiles puts the files of the demo's documents into the blob store. It is
// idempotent, so the demo can call it at every start.
func WriteFiles(ctx context.Context, fs files.Store) error {
	for _, f := range demoFiles() {
		if err := fs.Put(ctx, f.key, bytes.NewReader(f.body), int64(len(f.body)), f.contentType); err != nil {
			return fmt.Errorf("demo: file %s: %w", f.key, err)
		}
	}
	return nil
}

// fillProtocols adds the demo's materials with their safety data sheets, a year of
// monthly protocols at ABC's and Dencorp's sites (and one from three years ago),
// two drafts, and the clients' documents — some of them hidden from the portal.
func fillProtocols(ctx context.Context, st *store.Store, staff access.Staff, techID int64, clients, sites map[string]int64) error {
	var mats []*domain.Material
	for _, dm := range demoMaterials {
		m := dm.m
		if err := st.Staff(staff).CreateMaterial(ctx, &m); err != nil {
			return fmt.Errorf("demo: material %s: %w", m.Name, err)
		}
		mats = append(mats, &m)
	}
	line := func(i int) domain.ProtocolMaterial {
		dm := demoMaterials[i]
		return domain.ProtocolMaterial{MaterialID: mats[i].ID, Quantity: dm.qty, Unit: dm.m.Unit, Location: dm.where}
	}
	now := st.Now()
	var ps []*domain.Protocol
	visit := func(site string, client string, at time.Time, service string, lines []int, findings, recs string) {
		p := &domain.Protocol{ClientID: clients[client], SiteID: sites[site], PerformedAt: at, TechnicianID: techID,
			ServiceType: service, Findings: findings, Recommendations: recs}
		for _, l := range lines {
			p.Materials = append(p.Materials, line(l))
		}
		ps = append(ps, p)
	}
	abcSites := []string{"Bratislava — headquarters", "Košice", "Žilina", "Nitra — warehouse", "Nové Zámky"}
	for month := 12; month >= 1; month-- {
		base := time.Date(now.Year(), now.Month(), 1, 7, 30, 0, 0, time.UTC).AddDate(0, -month, 0)
		for i, s := range abcSites {
			at := base.AddDate(0, 0, 3+i*4).Add(time.Duration(i) * 47 * time.Minute)
			findings := "All bait stations checked; no rodent activity."
			recs := ""
			if (month+i)%4 == 0 {
				findings = "Fresh droppings near the goods entrance; bait taken in stations 3 and 7."
				recs = "Seal the gap under the loading door. Keep pallets 40 cm from the walls."
			}
			lines := []int{0}
			if s == "Košice" && month%3 == 0 {
				lines = append(lines, 2)
			}
			visit(s, "ABC s.r.o.", at, "Rodent control", lines, findings, recs)
		}
		if month%2 == 0 {
			at := base.AddDate(0, 0, 10)
			visit("Dencorp office", "Dencorp", at, "Insect control", []int{1}, "Cockroach traps empty except the kitchenette (2 nymphs).", "Keep the kitchenette dry overnight.")
			visit("Dencorp greenhouse", "Dencorp", at.Add(3*time.Hour), "Disinfection", []int{3}, "Irrigation tanks and drains disinfected.", "")
		}
	}
	// Three years ago: the only use of Biopren, whose SDS is therefore not on the
	// portal's Documents page any more (the 24-month rule).
	visit("Nitra — warehouse", "ABC s.r.o.", now.AddDate(-3, 0, 0), "Insect control", []int{4}, "Mosquito larvae in the basement.", "Remove standing water.")
	if err := st.Staff(staff).ImportProtocols(ctx, ps); err != nil {
		return fmt.Errorf("demo: protocols: %w", err)
	}
	for _, s := range []string{"Košice", "Dencorp greenhouse"} {
		client := "ABC s.r.o."
		if s == "Dencorp greenhouse" {
			client = "Dencorp"
		}
		p := &domain.Protocol{ClientID: clients[client], SiteID: sites[s], PerformedAt: now.Add(-2 * time.Hour), TechnicianID: techID,
			ServiceType: "Monitoring inspection", Findings: "Draft: being written on site.", Materials: []domain.ProtocolMaterial{line(0)}}
		if err := st.Staff(staff).CreateProtocol(ctx, p); err != nil {
			return fmt.Errorf("demo: draft protocol: %w", err)
		}
	}

	fs := demoFiles()
	doc := func(key, kind, title string, valid time.Time, material int64, client string, siteNames []string, visible bool) error {
		f := fs[key]
		d := &domain.Document{Kind: kind, Title: title, ValidUntil: valid, MaterialID: material, PortalVisible: visible,
			FileKey: f.key, FileName: f.name, ContentType: f.contentType, Size: int64(len(f.body))}
		if client != "" {
			d.ClientID = clients[client]
			d.AllSites = len(siteNames) == 0
			for _, s := range siteNames {
				d.SiteIDs = append(d.SiteIDs, sites[s])
			}
		}
		if err := st.Staff(staff).CreateDocument(ctx, d); err != nil {
			return fmt.Errorf("demo: document %s: %w", title, err)
		}
		return nil
	}
	for i, dm := range demoMaterials {
		if dm.sds {
			if err := doc(fmt.Sprintf("demo/sds-%d.pdf", i), domain.DocSDS, "Safety data sheet — "+dm.m.Name, time.Time{}, mats[i].ID, "", nil, dm.sdsVisible); err != nil {
				return err
			}
		}
	}
	endOfYear := time.Date(now.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
	for _, d := range []struct {
		key, kind, title, client string
		valid                    time.Time
		sites                    []string
		visible                  bool
	}{
		{"demo/abc-certificate.pdf", domain.DocCertificate, "Pest control certificate " + fmt.Sprint(now.Year()), "ABC s.r.o.", endOfYear, nil, true},
		{"demo/abc-kosice-map.png", domain.DocSiteMap, "Bait station plan — Košice", "ABC s.r.o.", time.Time{}, []string{"Košice"}, true},
		{"demo/abc-bratislava-map.png", domain.DocSiteMap, "Bait station plan — headquarters", "ABC s.r.o.", time.Time{}, []string{"Bratislava — headquarters"}, true},
		{"demo/abc-pricing.pdf", domain.DocOther, "Internal price calculation", "ABC s.r.o.", time.Time{}, nil, false},
		{"demo/dencorp-certificate.pdf", domain.DocCertificate, "Disinfection certificate", "Dencorp", endOfYear, nil, true},
		{"demo/dencorp-greenhouse-map.png", domain.DocSiteMap, "Greenhouse plan", "Dencorp", time.Time{}, []string{"Dencorp greenhouse"}, false},
	} {
		if err := doc(d.key, d.kind, d.title, d.valid, 0, d.client, d.sites, d.visible); err != nil {
			return err
		}
	}
	return nil
}
