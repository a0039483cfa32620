package demo

import (
	"context"
	"fmt"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
)

// NotificationEmail is where the demo tenant's estimate decisions are mailed; in
// demo mode they land in the mailbox page.
const NotificationEmail = "office@demo.test"

// demoDoc is one invoice or estimate of the demo, dated relative to today.
type demoDoc struct {
	client, project, title string
	issuedAgo, runs        int    // issued this many days ago; due (valid) this many days after
	state                  string // what it ends as: sent, paid, overdue (invoices); sent, accepted (estimates); draft
	decidedBy              string // a portal user's email, for an accepted estimate
	comment                string
	lines                  []domain.Line
}

func line(desc string, qty domain.Quantity, unit string, price domain.Money, rate domain.Rate) domain.Line {
	return domain.Line{Description: desc, Quantity: qty, Unit: unit, UnitPrice: price, VATRate: rate}
}

// billing fills invoices (paid, sent, overdue, a draft) and estimates (sent,
// accepted in the portal) for ABC and Dencorp, and the tenant's billing settings.
// Some are tied to projects at sites, some to no site, so that the Košice-only
// portal user sees less than the owner.
func billing(ctx context.Context, st *store.Store, staff access.Staff, clients map[string]int64) error {
	if err := st.Staff(staff).UpdateBillingSettings(ctx, store.BillingSettings{NotificationEmail: NotificationEmail,
		Details: "Priemyselná 7, 821 09 Bratislava, Slovakia\nCompany ID 50123456 · Tax ID 2120123456 · VAT ID SK2120123456\nIBAN SK31 1200 0000 1987 4263 7541 · Tatra banka"}); err != nil {
		return err
	}
	const h, pcs, m2 = "h", "pcs", "m²"
	invoices := []demoDoc{
		{client: "ABC s.r.o.", project: "Pest control — headquarters", title: "Pest control, quarterly visit", issuedAgo: 75, runs: 14, state: "paid",
			lines: []domain.Line{line("Quarterly inspection of bait stations, headquarters", 1000, "visit", 12000, 2300),
				line("Ratimor pasta, bait refill", 2500, "kg", 1890, 2300), line("Technician's work", 2500, h, 3500, 2300)}},
		{client: "ABC s.r.o.", title: "Disinfection 2025 — final invoice", issuedAgo: 40, runs: 14, state: "overdue",
			lines: []domain.Line{line("Disinfection of warehouse floors, Nitra", 1250_000, m2, 85, 2300),
				line("Disinfectant Savo Professional, 5 l", 12000, pcs, 1149, 2300), line("Travel Bratislava–Nitra and back", 184_000, "km", 45, 2300)}},
		{client: "ABC s.r.o.", project: "Rodent monitoring — Košice", title: "Rodent monitoring, Košice — March", issuedAgo: 6, runs: 14, state: "sent",
			lines: []domain.Line{line("Monthly rodent monitoring, Košice (12 stations)", 1000, "month", 9500, 2300),
				line("Replacement of damaged bait station", 2000, pcs, 1450, 2300), line("Pest-control report for the health authority", 1000, pcs, 2500, 2300)}},
		{client: "ABC s.r.o.", project: "Rodent monitoring — Košice", title: "Rodent monitoring, Košice — April", issuedAgo: 0, runs: 14, state: "draft",
			lines: []domain.Line{line("Monthly rodent monitoring, Košice (12 stations)", 1000, "month", 9500, 2300)}},
		{client: "Dencorp", project: "Office lighting", title: "Office lighting — LED retrofit", issuedAgo: 50, runs: 14, state: "paid",
			lines: []domain.Line{line("LED panel 60×60, 36 W", 24000, pcs, 4290, 2300), line("Installation", 16000, h, 3800, 2300),
				line("Disposal of old fluorescent tubes", 48000, pcs, 60, 2300)}},
		{client: "Dencorp", project: "Greenhouse irrigation", title: "Greenhouse irrigation — service", issuedAgo: 32, runs: 14, state: "overdue",
			lines: []domain.Line{line("Drip line, 16 mm", 120_000, "m", 79, 2300), line("Pressure regulator 2 bar", 4000, pcs, 1890, 2300),
				line("Service call", 3500, h, 4200, 2300)}},
		{client: "Dencorp", project: "Office lighting", title: "Emergency lighting check", issuedAgo: 3, runs: 14, state: "sent",
			lines: []domain.Line{line("Annual check of emergency luminaires", 18000, pcs, 650, 2300), line("Battery replacement", 3000, pcs, 1590, 2300),
				line("Inspection report (revízna správa)", 1000, pcs, 4500, 2300)}},
	}
	estimates := []demoDoc{
		{client: "ABC s.r.o.", project: "Pest control — headquarters", title: "Bird protection nets, headquarters courtyard", issuedAgo: 20, runs: 30,
			state: "accepted", decidedBy: "owner@abc.test", comment: "Please start after 15 April; the courtyard is free in the mornings.",
			lines: []domain.Line{line("Bird protection net, 19 mm mesh, installed", 145_500, m2, 1290, 2300), line("Stainless anchor set", 40000, pcs, 320, 2300),
				line("Access platform rental", 2000, "day", 18000, 2300)}},
		{client: "ABC s.r.o.", project: "Rodent monitoring — Košice", title: "Rodent-proofing of the Košice goods entrance", issuedAgo: 4, runs: 30, state: "sent",
			lines: []domain.Line{line("Steel door sweep, 1.2 m", 2000, pcs, 5400, 2300), line("Sealing gaps with steel wool and mortar", 6000, h, 3500, 2300),
				line("Follow-up inspection", 1000, "visit", 6000, 2300)}},
		{client: "Dencorp", project: "Greenhouse irrigation", title: "Automatic irrigation controller", issuedAgo: 14, runs: 30, state: "accepted",
			decidedBy: "portal@dencorp.test",
			lines: []domain.Line{line("Irrigation controller, 8 zones, Wi-Fi", 1000, pcs, 38900, 2300), line("Solenoid valve 1\"", 8000, pcs, 2450, 2300),
				line("Installation and programming", 6000, h, 4200, 2300)}},
		{client: "Dencorp", project: "Office lighting", title: "Motion sensors for the office corridors", issuedAgo: 2, runs: 30, state: "sent",
			lines: []domain.Line{line("Ceiling motion sensor, 360°", 10000, pcs, 3150, 2300), line("Installation", 5000, h, 3800, 2300)}},
	}

	today := domain.DayOf(st.Now(), time.UTC)
	projects := map[string]int64{}
	for _, name := range []string{"ABC s.r.o.", "Dencorp"} {
		ps, err := st.Staff(staff).Projects(ctx, clients[name])
		if err != nil {
			return err
		}
		for _, p := range ps {
			projects[p.Name] = p.ID
		}
	}
	doc := func(d demoDoc) domain.BillingDoc {
		return domain.BillingDoc{ClientID: clients[d.client], ProjectID: projects[d.project], Title: d.title,
			IssueDate: today.AddDays(-d.issuedAgo), Currency: "EUR", Lines: d.lines}
	}
	for _, d := range invoices {
		inv := &domain.Invoice{BillingDoc: doc(d), DueDate: today.AddDays(d.runs - d.issuedAgo)}
		if d.state != "draft" {
			inv.Note = "Please pay by bank transfer, quoting the invoice number as the payment reference."
		}
		if err := st.Staff(staff).CreateInvoice(ctx, inv); err != nil {
			return fmt.Errorf("demo: invoice %s: %w", d.title, err)
		}
		if d.state == "draft" {
			continue
		}
		if _, err := st.Staff(staff).SendInvoice(ctx, inv.ClientID, inv.ID); err != nil {
			return err
		}
		if d.state == "paid" {
			if err := st.Staff(staff).MarkInvoicePaid(ctx, inv.ClientID, inv.ID); err != nil {
				return err
			}
		}
	}
	for _, d := range estimates {
		e := &domain.Estimate{BillingDoc: doc(d), ValidUntil: today.AddDays(d.runs - d.issuedAgo)}
		e.Note = "Prices are valid until the date above. Work starts within two weeks of acceptance."
		if err := st.Staff(staff).CreateEstimate(ctx, e); err != nil {
			return fmt.Errorf("demo: estimate %s: %w", d.title, err)
		}
		if _, err := st.Staff(staff).SendEstimate(ctx, e.ClientID, e.ID); err != nil {
			return err
		}
		if d.decidedBy == "" {
			continue
		}
		u, _, err := st.PortalCredentials(ctx, staff.CompanyID(), d.decidedBy)
		if err != nil {
			return fmt.Errorf("demo: %s: %w", d.decidedBy, err)
		}
		grants, err := st.PortalGrants(ctx, staff.CompanyID(), u.ID)
		if err != nil {
			return err
		}
		scope := access.NewScope(staff.CompanyID(), u.ID, grants)
		if _, err := st.Portal(scope).DecideEstimate(ctx, e.ID, domain.EstimateAccepted, d.comment); err != nil {
			return fmt.Errorf("demo: accepting %s: %w", d.title, err)
		}
	}
	return nil
}
