package demo_test

import (
	"context"
	"slices"
	"testing"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/demo"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// fill runs demo.Fill and checks that it says how to sign in.
func fill(t *testing.T, st *store.Store) *demo.Demo {
	t.Helper()
	d, err := demo.Fill(t.Context(), st)
	if err != nil {
		t.Fatalf("Fill: %v", err)
	}
	if d.Slug != "demo" || d.AdminEmail != "admin@demo.test" || d.AdminPassword != "demo-password" || d.CompanyID == 0 {
		t.Fatalf("Fill = %+v, want slug demo, admin@demo.test / demo-password and a company id", d)
	}
	return d
}

// signIn signs in as the demo administrator through the app, as the login page does.
func signIn(ctx context.Context, st *store.Store, password string) (string, error) {
	res, err := app.New(st, nil, "http://x").StaffSignIn(ctx, "demo", "admin@demo.test", password, "127.0.0.1")
	return res.Session, err
}

// adminScope returns the demo administrator as a principal.
func adminScope(t *testing.T, st *store.Store, companyID int64) access.Staff {
	t.Helper()
	admin, _, err := st.StaffCredentials(t.Context(), companyID, "admin@demo.test")
	if err != nil {
		t.Fatalf("demo admin: %v", err)
	}
	return access.NewStaff(admin)
}

// clientsByName lists every active client of the scope's company.
func clientsByName(t *testing.T, st *store.Store, staff access.Staff) map[string]*domain.Client {
	t.Helper()
	list, info, err := st.Staff(staff).Clients(t.Context(), store.ClientFilter{ListOptions: domain.ListOptions{PerPage: 100}})
	if err != nil {
		t.Fatalf("Clients: %v", err)
	}
	if info.Total != len(list) {
		t.Fatalf("Clients: %d listed of %d", len(list), info.Total)
	}
	m := map[string]*domain.Client{}
	for _, c := range list {
		if m[c.Name] != nil {
			t.Fatalf("client %q exists twice", c.Name)
		}
		m[c.Name] = c
	}
	return m
}

func TestFillCreatesTheDemoTenant(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		d := fill(t, db.Store)

		c, err := db.Store.CompanyBySlug(ctx, "demo")
		if err != nil {
			t.Fatalf("CompanyBySlug(demo): %v", err)
		}
		if c.Name != "Demo Services s.r.o." || c.ID != d.CompanyID {
			t.Fatalf("company = %q (id %d), want %q (id %d)", c.Name, c.ID, "Demo Services s.r.o.", d.CompanyID)
		}

		token, err := signIn(ctx, db.Store, "demo-password")
		if err != nil || token == "" {
			t.Fatalf("admin@demo.test signs in with demo-password: token %q, err %v", token, err)
		}

		staff := adminScope(t, db.Store, d.CompanyID)
		if !staff.IsAdmin() {
			t.Errorf("admin@demo.test is not an administrator: %+v", staff)
		}
		tech, _, err := db.Store.StaffCredentials(ctx, d.CompanyID, "tomas@demo.test")
		if err != nil {
			t.Fatalf("technician: %v", err)
		}
		if ts := access.NewStaff(tech); ts.IsAdmin() || !ts.Can(access.ProtocolsWrite) {
			t.Errorf("technician permissions = %v, want protocols but not user management", tech.Permissions)
		}

		clients := clientsByName(t, db.Store, staff)
		for _, tc := range []struct {
			client   string
			sites    int
			projects int
			contacts int
			city     string // a city one site is in, "" = none checked
		}{
			{"ABC s.r.o.", 5, 3, 2, "Košice"},
			{"Dencorp", 2, 2, 1, "Senec"},
			{"Hotel Tatra a.s.", 1, 1, 1, "Poprad"},
			{"Pekáreň Žitný klas", 1, 0, 0, "Trnava"},
			{"Mestský úrad Žilina", 0, 0, 0, ""},
		} {
			t.Run(tc.client, func(t *testing.T) {
				c := clients[tc.client]
				if c == nil {
					t.Fatalf("no client %q among %v", tc.client, keys(clients))
				}
				sites, err := db.Store.Staff(staff).Sites(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				projects, err := db.Store.Staff(staff).Projects(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				contacts, err := db.Store.Staff(staff).Contacts(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(sites) != tc.sites || len(projects) != tc.projects || len(contacts) != tc.contacts {
					t.Fatalf("%d sites, %d projects, %d contacts; want %d, %d, %d",
						len(sites), len(projects), len(contacts), tc.sites, tc.projects, tc.contacts)
				}
				if c.SiteCount != tc.sites || c.ProjectCount != tc.projects || c.ContactCount != tc.contacts {
					t.Errorf("list counts = %d sites, %d projects, %d contacts; want %d, %d, %d",
						c.SiteCount, c.ProjectCount, c.ContactCount, tc.sites, tc.projects, tc.contacts)
				}
				if tc.city != "" {
					n := 0
					for _, s := range sites {
						if s.City == tc.city {
							n++
						}
					}
					if n != 1 {
						t.Errorf("%d sites in %s, want exactly 1", n, tc.city)
					}
				}
				// A project tied to a site names it: the demo's site references resolved.
				for _, p := range projects {
					if p.SiteID != 0 && p.SiteName == "" {
						t.Errorf("project %q points at site %d without a name", p.Name, p.SiteID)
					}
				}
			})
		}
		if len(clients) != 5 {
			t.Errorf("%d clients, want 5: %v", len(clients), keys(clients))
		}
	})
}

func TestFillAgainReusesTheTenantAndResetsThePassword(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		first := fill(t, db.Store)
		staff := adminScope(t, db.Store, first.CompanyID)
		before := clientsByName(t, db.Store, staff)

		// Someone played with the demo and changed the administrator's password.
		hash := testenv.PasswordHash(t, "something else entirely")
		if err := db.Store.SetStaffPassword(ctx, first.CompanyID, staff.UserID(), hash); err != nil {
			t.Fatal(err)
		}
		if _, err := signIn(ctx, db.Store, "demo-password"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("after the change, demo-password: err %v, want %s", err, domain.EUNAUTHORIZED)
		}

		second := fill(t, db.Store)
		if second.CompanyID != first.CompanyID {
			t.Fatalf("second Fill made company %d, want the existing %d", second.CompanyID, first.CompanyID)
		}
		after := clientsByName(t, db.Store, staff)
		if !slices.Equal(keys(after), keys(before)) {
			t.Fatalf("clients after the second Fill = %v, want unchanged %v", keys(after), keys(before))
		}
		for name, c := range after {
			if c.ID != before[name].ID || c.SiteCount != before[name].SiteCount || c.ProjectCount != before[name].ProjectCount {
				t.Errorf("client %q changed: %+v, was %+v", name, c, before[name])
			}
		}
		if token, err := signIn(ctx, db.Store, "demo-password"); err != nil || token == "" {
			t.Fatalf("after the second Fill, demo-password: token %q, err %v", token, err)
		}
		if _, err := signIn(ctx, db.Store, "something else entirely"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("after the second Fill, the changed password: err %v, want %s", err, domain.EUNAUTHORIZED)
		}
	})
}

func keys(m map[string]*domain.Client) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
