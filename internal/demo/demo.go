// Package demo fills a demo tenant with believable data — the product documents'
// own examples among it — so that one command shows Portico working.
package demo

import (
	"context"
	"fmt"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/auth"
	"portico/internal/domain"
	"portico/internal/store"
)

// The fixed demo sign-in, printed at start.
const (
	Slug          = "demo"
	CompanyName   = "Demo Services s.r.o."
	AdminEmail    = "admin@demo.test"
	AdminPassword = "demo-password"
)

// Demo says how to sign in to the demo tenant.
type Demo struct {
	Slug          string
	AdminEmail    string
	AdminPassword string
	CompanyID     int64
}

// Fill creates the demo tenant and its data, or, when it exists already, re-uses it
// and only resets the administrator's password to the documented one.
func Fill(ctx context.Context, st *store.Store) (*Demo, error) {
	d := &Demo{Slug: Slug, AdminEmail: AdminEmail, AdminPassword: AdminPassword}
	hash, err := auth.HashPassword(AdminPassword)
	if err != nil {
		return nil, err
	}
	if c, err := st.CompanyBySlug(ctx, Slug); err == nil {
		d.CompanyID = c.ID
		admin, _, err := st.StaffCredentials(ctx, c.ID, AdminEmail)
		if err != nil {
			return nil, fmt.Errorf("demo: the demo tenant exists but has no %s: %w", AdminEmail, err)
		}
		if err := st.SetStaffPassword(ctx, c.ID, admin.ID, hash); err != nil {
			return nil, err
		}
		for _, pu := range PortalUsers {
			if u, _, err := st.PortalCredentials(ctx, c.ID, pu.Email); err == nil {
				if err := st.SetPortalPassword(ctx, c.ID, u.ID, hash); err != nil {
					return nil, err
				}
			}
		}
		return d, nil
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return nil, err
	}
	company := &domain.Company{Slug: Slug, Name: CompanyName, TimeZone: "Europe/Bratislava", Locale: "en"}
	admin := &domain.StaffUser{Email: AdminEmail, Name: "Alena Administrátorová", Permissions: access.Permissions}
	if err := st.CreateCompany(ctx, company, admin); err != nil {
		return nil, err
	}
	d.CompanyID = company.ID
	if err := st.SetStaffPassword(ctx, company.ID, admin.ID, hash); err != nil {
		return nil, err
	}
	admin.HasPassword = true
	staff := access.NewStaff(admin)

	// A technician who may write protocols but not manage users.
	tech := &domain.StaffUser{CompanyID: company.ID, Email: "tomas@demo.test", Name: "Tomáš Technik",
		Permissions: []string{access.ProtocolsWrite, access.SwitchesManage}}
	if err := st.Staff(staff).CreateStaffUser(ctx, tech, hash); err != nil {
		return nil, err
	}

	clientIDs := map[string]int64{}
	siteIDs := map[string]int64{}
	for _, cl := range clients() {
		c := cl.client
		if err := st.Staff(staff).CreateClient(ctx, &c); err != nil {
			return nil, fmt.Errorf("demo: client %s: %w", c.Name, err)
		}
		sites := map[string]int64{}
		for _, s := range cl.sites {
			s.ClientID = c.ID
			if err := st.Staff(staff).CreateSite(ctx, &s); err != nil {
				return nil, fmt.Errorf("demo: site %s: %w", s.Name, err)
			}
			sites[s.Name] = s.ID
			siteIDs[s.Name] = s.ID
		}
		clientIDs[c.Name] = c.ID
		for _, ct := range cl.contacts {
			ct.ClientID = c.ID
			if err := st.Staff(staff).CreateContact(ctx, &ct); err != nil {
				return nil, fmt.Errorf("demo: contact %s: %w", ct.Name(), err)
			}
		}
		for _, p := range cl.projects {
			pr := domain.Project{ClientID: c.ID, Name: p.name, Status: p.status, SiteID: sites[p.site]}
			if err := st.Staff(staff).CreateProject(ctx, &pr); err != nil {
				return nil, fmt.Errorf("demo: project %s: %w", p.name, err)
			}
		}
	}
	if err := portalUsers(ctx, st, staff, hash, clientIDs, siteIDs); err != nil {
		return nil, err
	}
	if err := fillSwitches(ctx, st, staff, tech, clientIDs["Dencorp"]); err != nil {
		return nil, err
	}
	if err := fillProtocols(ctx, st, staff, tech.ID, clientIDs, siteIDs); err != nil {
		return nil, err
	}
	if err := billing(ctx, st, staff, clientIDs); err != nil {
		return nil, err
	}
	return d, nil
}

// PortalUser is one of the demo's portal sign-ins, all with AdminPassword.
type PortalUser struct {
	Email, Access string
}

// PortalUsers lists the demo's portal sign-ins and what each may see.
var PortalUsers = []PortalUser{
	{"owner@abc.test", "ABC s.r.o., all sites"},
	{"kosice@abc.test", "ABC s.r.o., only the Košice site"},
	{"portal@dencorp.test", "Dencorp"},
	{"multi@demo.test", "Dencorp and Hotel Tatra a.s."},
}

// portalUsers creates the demo's portal users, activated with the demo password.
func portalUsers(ctx context.Context, st *store.Store, staff access.Staff, hash string, clients, sites map[string]int64) error {
	// Added the way the Users page adds them, so that they look like any others.
	uc := app.New(st, nil, "")
	for _, u := range []app.NewPortalUser{
		{FirstName: "Peter", LastName: "Novák", Email: "owner@abc.test", ClientIDs: []int64{clients["ABC s.r.o."]}},
		{FirstName: "Jana", LastName: "Kováčová", Email: "kosice@abc.test", ClientIDs: []int64{clients["ABC s.r.o."]}, SiteIDs: []int64{sites["Košice"]}},
		{FirstName: "Denisa", LastName: "Horváthová", Email: "portal@dencorp.test", ClientIDs: []int64{clients["Dencorp"]}},
		{FirstName: "Marek", LastName: "Viacfirmový", Email: "multi@demo.test", ClientIDs: []int64{clients["Dencorp"], clients["Hotel Tatra a.s."]}},
	} {
		pu, err := uc.CreatePortalUser(ctx, staff, u)
		if err != nil {
			return fmt.Errorf("demo: portal user %s: %w", u.Email, err)
		}
		if err := st.SetPortalPassword(ctx, staff.CompanyID(), pu.ID, hash); err != nil {
			return err
		}
	}
	return nil
}

type project struct{ name, site, status string }

type demoClient struct {
	client   domain.Client
	sites    []domain.Site
	contacts []domain.Contact
	projects []project
}

func clients() []demoClient {
	return []demoClient{
		{
			client: domain.Client{Name: "ABC s.r.o.", CompanyNumber: "36123456", TaxID: "2020123456", VATID: "SK2020123456",
				ContactPerson: "Ing. Peter Novák", Email: "info@abc.test", ProtocolEmail: "protokoly@abc.test", Phone: "+421 2 1234 5678",
				Street: "Mlynské nivy 12", City: "Bratislava", PostalCode: "821 09", Country: "Slovakia"},
			sites: []domain.Site{
				{Name: "Bratislava — headquarters", Street: "Mlynské nivy 12", City: "Bratislava", PostalCode: "821 09", Country: "Slovakia",
					ContactPerson: "Peter Novák", Phone: "+421 2 1234 5678", Email: "recepcia@abc.test", OpeningHours: "Mon–Fri 8:00–16:30"},
				{Name: "Košice", Street: "Hlavná 45", City: "Košice", PostalCode: "040 01", Country: "Slovakia",
					ContactPerson: "Jana Kováčová", Phone: "+421 55 987 6543", Email: "kosice@abc.test", OpeningHours: "Mon–Fri 7:00–15:30",
					Note: "Ring at the goods entrance on Zbrojničná."},
				{Name: "Žilina", Street: "Národná 8", City: "Žilina", PostalCode: "010 01", Country: "Slovakia",
					ContactPerson: "Martin Hruška", Phone: "+421 41 555 1212"},
				{Name: "Nitra — warehouse", Street: "Priemyselná 3", City: "Nitra", PostalCode: "949 01", Country: "Slovakia",
					ContactPerson: "Eva Bieliková", Phone: "+421 37 652 1100", OpeningHours: "Mon–Sat 6:00–22:00"},
				{Name: "Nové Zámky", Street: "Komárňanská 27", City: "Nové Zámky", PostalCode: "940 01", Country: "Slovakia",
					ContactPerson: "Ľubomír Šťastný", Phone: "+421 35 640 2020"},
			},
			contacts: []domain.Contact{
				{FirstName: "Peter", LastName: "Novák", Email: "owner@abc.test", Phone: "+421 905 111 222", Position: "Managing director"},
				{FirstName: "Jana", LastName: "Kováčová", Email: "kosice@abc.test", Phone: "+421 905 333 444", Position: "Košice site manager"},
			},
			projects: []project{
				{"Pest control — headquarters", "Bratislava — headquarters", domain.ProjectActive},
				{"Rodent monitoring — Košice", "Košice", domain.ProjectActive},
				{"Disinfection 2025", "", domain.ProjectFinished},
			},
		},
		{
			client: domain.Client{Name: "Dencorp", CompanyNumber: "51234987", TaxID: "2120987654", VATID: "SK2120987654",
				ContactPerson: "Denisa Horváthová", Email: "office@dencorp.test", Phone: "+421 2 4455 6677",
				Street: "Karadžičova 8", City: "Bratislava", PostalCode: "811 09", Country: "Slovakia"},
			sites: []domain.Site{
				{Name: "Dencorp office", Street: "Karadžičova 8", City: "Bratislava", PostalCode: "811 09", Country: "Slovakia",
					ContactPerson: "Denisa Horváthová", Phone: "+421 2 4455 6677"},
				{Name: "Dencorp greenhouse", Street: "Poľná 14", City: "Senec", PostalCode: "903 01", Country: "Slovakia",
					ContactPerson: "Rastislav Kráľ", Phone: "+421 907 123 456"},
			},
			contacts: []domain.Contact{
				{FirstName: "Denisa", LastName: "Horváthová", Email: "portal@dencorp.test", Phone: "+421 907 765 432", Position: "Facility manager"},
			},
			projects: []project{
				{"Office lighting", "Dencorp office", domain.ProjectActive},
				{"Greenhouse irrigation", "Dencorp greenhouse", domain.ProjectActive},
			},
		},
		{
			client: domain.Client{Name: "Hotel Tatra a.s.", CompanyNumber: "31555777", ContactPerson: "Mgr. Zuzana Malá",
				Email: "recepcia@hoteltatra.test", Phone: "+421 52 478 1111", Street: "Hlavná 1", City: "Poprad", PostalCode: "058 01", Country: "Slovakia"},
			sites: []domain.Site{{Name: "Hotel Tatra", Street: "Hlavná 1", City: "Poprad", PostalCode: "058 01", Country: "Slovakia",
				ContactPerson: "Zuzana Malá", OpeningHours: "Non-stop"}},
			contacts: []domain.Contact{{FirstName: "Zuzana", LastName: "Malá", Email: "zuzana.mala@hoteltatra.test", Position: "Hotel manager"}},
			projects: []project{{"Kitchen hygiene programme", "Hotel Tatra", domain.ProjectActive}},
		},
		{
			client: domain.Client{Name: "Pekáreň Žitný klas", CompanyNumber: "44777111", ContactPerson: "Jozef Žitný",
				Email: "pekaren@zitnyklas.test", Street: "Štúrova 22", City: "Trnava", PostalCode: "917 01", Country: "Slovakia"},
			sites: []domain.Site{{Name: "Bakery", Street: "Štúrova 22", City: "Trnava", PostalCode: "917 01", Country: "Slovakia"}},
		},
		{
			client: domain.Client{Name: "Mestský úrad Žilina", CompanyNumber: "00321796", ContactPerson: "Ing. Marta Vrábelová",
				Email: "podatelna@zilina.test", Street: "Námestie obetí komunizmu 1", City: "Žilina", PostalCode: "011 31", Country: "Slovakia"},
		},
	}
}
