package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// TestIsolation specifies that nothing of one tenant is reachable from another.
func TestIsolation(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"TenantIsolation", testTenantIsolation},
		spec{"CompositeForeignKeys", testCompositeForeignKeys},
	)
}

// Staff of tenant A asking for anything of tenant B by id get "not found" — from
// every read, update and delete — and B's data stays as it was.
func testTenantIsolation(t *testing.T, db *testenv.DB) {
	a, b := newWorld(t, db, "a"), newWorld(t, db, "b")
	s := db.Store
	if err := s.CreateStaffSession(t.Context(), b.Company.ID, b.User.ID, "b-session", time.Hour); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, db, b.Tenant)

	for _, tc := range []struct {
		name string
		do   func(ctx context.Context, sc access.Staff) error
		code string
	}{
		// Clients.
		{"Client", func(ctx context.Context, sc access.Staff) error {
			_, err := s.Staff(sc).Client(ctx, b.Client.ID)
			return err
		}, domain.ENOTFOUND},
		{"Client (archived)", func(ctx context.Context, sc access.Staff) error {
			_, err := s.Staff(sc).Client(ctx, b.Archived.ID)
			return err
		}, domain.ENOTFOUND},
		{"UpdateClient", func(ctx context.Context, sc access.Staff) error {
			c := *b.Client
			c.Name = "Hijacked"
			return s.Staff(sc).UpdateClient(ctx, &c)
		}, domain.ENOTFOUND},
		{"ArchiveClient", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).ArchiveClient(ctx, b.Client.ID, true)
		}, domain.ENOTFOUND},
		{"ArchiveClient (restore)", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).ArchiveClient(ctx, b.Archived.ID, false)
		}, domain.ENOTFOUND},
		{"DeleteClient (empty)", func(ctx context.Context, sc access.Staff) error { return s.Staff(sc).DeleteClient(ctx, b.Empty.ID) }, domain.ENOTFOUND},
		{"DeleteClient (with sites)", func(ctx context.Context, sc access.Staff) error { return s.Staff(sc).DeleteClient(ctx, b.Client.ID) }, domain.ENOTFOUND},

		// Contacts.
		{"Contact", func(ctx context.Context, sc access.Staff) error {
			_, err := s.Staff(sc).Contact(ctx, b.Client.ID, b.Contact.ID)
			return err
		}, domain.ENOTFOUND},
		{"Contact through own client", func(ctx context.Context, sc access.Staff) error {
			_, err := s.Staff(sc).Contact(ctx, a.Client.ID, b.Contact.ID)
			return err
		}, domain.ENOTFOUND},
		{"CreateContact", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).CreateContact(ctx, &domain.Contact{ClientID: b.Client.ID, FirstName: "Mole", LastName: "Inside"})
		}, domain.ENOTFOUND},
		{"UpdateContact", func(ctx context.Context, sc access.Staff) error {
			c := *b.Contact
			c.Email = "mole@a.test"
			return s.Staff(sc).UpdateContact(ctx, &c)
		}, domain.ENOTFOUND},
		{"UpdateContact through own client", func(ctx context.Context, sc access.Staff) error {
			c := *b.Contact
			c.ClientID = a.Client.ID
			return s.Staff(sc).UpdateContact(ctx, &c)
		}, domain.ENOTFOUND},
		{"DeleteContact", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).DeleteContact(ctx, b.Client.ID, b.Contact.ID)
		}, domain.ENOTFOUND},
		{"DeleteContact through own client", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).DeleteContact(ctx, a.Client.ID, b.Contact.ID)
		}, domain.ENOTFOUND},

		// Sites.
		{"Site", func(ctx context.Context, sc access.Staff) error {
			_, err := s.Staff(sc).Site(ctx, b.Client.ID, b.Site.ID)
			return err
		}, domain.ENOTFOUND},
		{"Site through own client", func(ctx context.Context, sc access.Staff) error {
			_, err := s.Staff(sc).Site(ctx, a.Client.ID, b.Site.ID)
			return err
		}, domain.ENOTFOUND},
		{"CreateSite", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).CreateSite(ctx, &domain.Site{ClientID: b.Client.ID, Name: "Mole hole", City: "Nitra"})
		}, domain.ENOTFOUND},
		{"UpdateSite", func(ctx context.Context, sc access.Staff) error {
			x := *b.Site
			x.Note = "hijacked"
			return s.Staff(sc).UpdateSite(ctx, &x)
		}, domain.ENOTFOUND},
		{"UpdateSite through own client", func(ctx context.Context, sc access.Staff) error {
			x := *b.Site
			x.ClientID = a.Client.ID
			return s.Staff(sc).UpdateSite(ctx, &x)
		}, domain.ENOTFOUND},
		{"DeleteSite (with a project)", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).DeleteSite(ctx, b.Client.ID, b.Site.ID)
		}, domain.ENOTFOUND},
		{"DeleteSite (spare)", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).DeleteSite(ctx, b.Client.ID, b.SpareSite.ID)
		}, domain.ENOTFOUND},
		{"DeleteSite through own client", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).DeleteSite(ctx, a.Client.ID, b.SpareSite.ID)
		}, domain.ENOTFOUND},

		// Projects.
		{"Project", func(ctx context.Context, sc access.Staff) error {
			_, err := s.Staff(sc).Project(ctx, b.Client.ID, b.Project.ID)
			return err
		}, domain.ENOTFOUND},
		{"Project through own client", func(ctx context.Context, sc access.Staff) error {
			_, err := s.Staff(sc).Project(ctx, a.Client.ID, b.Project.ID)
			return err
		}, domain.ENOTFOUND},
		{"CreateProject", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).CreateProject(ctx, &domain.Project{ClientID: b.Client.ID, Name: "Mole", Status: domain.ProjectActive})
		}, domain.ENOTFOUND},
		{"CreateProject at their site", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).CreateProject(ctx, &domain.Project{ClientID: b.Client.ID, SiteID: b.Site.ID, Name: "Mole", Status: domain.ProjectActive})
		}, domain.ENOTFOUND},
		// Own client, foreign site: refused as a bad choice of site.
		{"CreateProject for own client at their site", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).CreateProject(ctx, &domain.Project{ClientID: a.Client.ID, SiteID: b.Site.ID, Name: "Mole", Status: domain.ProjectActive})
		}, domain.EINVALID},
		{"UpdateProject", func(ctx context.Context, sc access.Staff) error {
			p := *b.Project
			p.Name = "Hijacked"
			return s.Staff(sc).UpdateProject(ctx, &p)
		}, domain.ENOTFOUND},
		{"UpdateProject without site", func(ctx context.Context, sc access.Staff) error {
			p := *b.Project
			p.SiteID = 0
			return s.Staff(sc).UpdateProject(ctx, &p)
		}, domain.ENOTFOUND},
		{"UpdateProject through own client", func(ctx context.Context, sc access.Staff) error {
			p := *b.Project
			p.ClientID, p.SiteID = a.Client.ID, a.Site.ID
			return s.Staff(sc).UpdateProject(ctx, &p)
		}, domain.ENOTFOUND},
		{"DeleteProject", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).DeleteProject(ctx, b.Client.ID, b.Project.ID)
		}, domain.ENOTFOUND},
		{"DeleteProject through own client", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).DeleteProject(ctx, a.Client.ID, b.Project.ID)
		}, domain.ENOTFOUND},

		// Staff.
		{"StaffUser", func(ctx context.Context, sc access.Staff) error {
			_, err := s.StaffUser(ctx, sc.CompanyID(), b.User.ID)
			return err
		}, domain.ENOTFOUND},
		{"StaffCredentials", func(ctx context.Context, sc access.Staff) error {
			_, _, err := s.StaffCredentials(ctx, sc.CompanyID(), b.User.Email)
			return err
		}, domain.ENOTFOUND},
		{"UpdateStaffUser", func(ctx context.Context, sc access.Staff) error {
			_, err := s.Staff(sc).UpdateStaffUser(ctx, b.User.ID, store.StaffUpdate{Name: ptr("Hijacked"), Permissions: &[]string{}})
			return err
		}, domain.ENOTFOUND},
		{"UpdateStaffUser (disable their admin)", func(ctx context.Context, sc access.Staff) error {
			_, err := s.Staff(sc).UpdateStaffUser(ctx, b.Admin.ID, store.StaffUpdate{Disabled: ptr(true)})
			return err
		}, domain.ENOTFOUND},
		{"SetStaffPassword", func(ctx context.Context, sc access.Staff) error {
			return s.SetStaffPassword(ctx, sc.CompanyID(), b.User.ID, "evil")
		}, domain.ENOTFOUND},
		{"SetStaffPassword (their admin)", func(ctx context.Context, sc access.Staff) error {
			return s.SetStaffPassword(ctx, sc.CompanyID(), b.Admin.ID, "evil")
		}, domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do(t.Context(), a.Staff)
			wantCode(t, err, tc.code)
			if tc.code == domain.EINVALID && domain.FieldErrors(err)["site_id"] == "" {
				t.Fatalf("want a site_id field error, got %v", err)
			}
		})
	}

	t.Run("lists hold only own rows", func(t *testing.T) {
		ctx := t.Context()
		for _, f := range []store.ClientFilter{{}, {Archived: true}, {Query: "client"}, {Query: "of b"}} {
			list, info, err := s.Staff(a.Staff).Clients(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range list {
				if c.CompanyID != a.Company.ID || strings.HasSuffix(c.Name, " of b") {
					t.Errorf("Clients(%+v) of A lists %+v", f, c)
				}
			}
			if len(list) != info.Total {
				t.Errorf("Clients(%+v): %d rows, Total %d", f, len(list), info.Total)
			}
		}
		if cs, err := s.Staff(a.Staff).Contacts(ctx, b.Client.ID); err != nil || len(cs) != 0 {
			t.Errorf("Contacts of B's client = %v, %v", cs, err)
		}
		if xs, err := s.Staff(a.Staff).Sites(ctx, b.Client.ID); err != nil || len(xs) != 0 {
			t.Errorf("Sites of B's client = %v, %v", xs, err)
		}
		if ps, err := s.Staff(a.Staff).Projects(ctx, b.Client.ID); err != nil || len(ps) != 0 {
			t.Errorf("Projects of B's client = %v, %v", ps, err)
		}
		users, err := s.Staff(a.Staff).StaffUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if u.CompanyID != a.Company.ID || strings.HasSuffix(u.Email, "@b.test") {
				t.Errorf("StaffUsers of A lists %+v", u)
			}
		}
		if n, err := s.Staff(a.Staff).CountStaffSessions(ctx, b.User.ID); err != nil || n != 0 {
			t.Errorf("CountStaffSessions of B's user as A = %d, %v", n, err)
		}
		entries, _, err := s.Staff(a.Staff).AuditLog(ctx, domain.ListOptions{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.CompanyID != a.Company.ID || strings.Contains(e.Subject, " of b") || strings.Contains(e.Subject, "@b.test") {
				t.Errorf("AuditLog of A holds %+v", e)
			}
		}
	})

	wantUnchanged(t, before, snapshot(t, db, b.Tenant))
	if _, _, err := s.StaffSession(t.Context(), "b-session", time.Hour); err != nil {
		t.Fatalf("B's session ended: %v", err)
	}
	if n, _ := s.Staff(b.Staff).CountStaffSessions(t.Context(), b.User.ID); n != 1 {
		t.Fatalf("B's user has %d sessions, want 1", n)
	}
}

// openRaw opens the test database directly, bypassing the store, with foreign
// keys enforced as the store enforces them.
func openRaw(t *testing.T, db *testenv.DB) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", db.URL
	if db.Engine == "sqlite" {
		driver, dsn = "sqlite", "file:"+strings.TrimPrefix(db.URL, "sqlite:")+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	if err := raw.PingContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	return raw
}

// The composite foreign keys themselves refuse rows that point into another
// tenant, whatever the store's code does.
func testCompositeForeignKeys(t *testing.T, db *testenv.DB) {
	a, b := newWorld(t, db, "a"), newWorld(t, db, "b")
	raw := openRaw(t, db)
	project := func(company, client int64, site string) string {
		return fmt.Sprintf(`INSERT INTO projects (company_id, client_id, site_id, name, status, created_at) VALUES (%d, %d, %s, 'raw', 'active', 0)`,
			company, client, site)
	}
	id := func(n int64) string { return fmt.Sprint(n) }

	for _, tc := range []struct {
		name string
		sql  string
		ok   bool
	}{
		{"control: own project at own site", project(a.Company.ID, a.Client.ID, id(a.Site.ID)), true},
		{"control: own project without site", project(a.Company.ID, a.Client.ID, "NULL"), true},
		{"project at another tenant's site", project(a.Company.ID, a.Client.ID, id(b.Site.ID)), false},
		{"project of another tenant's client at its site", project(a.Company.ID, b.Client.ID, id(b.Site.ID)), false},
		{"project of another tenant's client", project(a.Company.ID, b.Client.ID, "NULL"), false},
		{"project at a site of another client of the tenant", project(a.Company.ID, a.Empty.ID, id(a.Site.ID)), false},
		{"contact of another tenant's client",
			fmt.Sprintf(`INSERT INTO contacts (company_id, client_id, first_name, last_name, created_at) VALUES (%d, %d, 'x', 'y', 0)`, a.Company.ID, b.Client.ID), false},
		{"site of another tenant's client",
			fmt.Sprintf(`INSERT INTO sites (company_id, client_id, name, created_at) VALUES (%d, %d, 'x', 0)`, a.Company.ID, b.Client.ID), false},
		{"session for another tenant's user",
			fmt.Sprintf(`INSERT INTO sessions (token_hash, company_id, staff_user_id, created_at, last_seen_at, expires_at) VALUES ('raw', %d, %d, 0, 0, 0)`, a.Company.ID, b.User.ID), false},
		{"one-time link for another tenant's user",
			fmt.Sprintf(`INSERT INTO one_time_tokens (token_hash, company_id, staff_user_id, purpose, created_at, expires_at) VALUES ('raw', %d, %d, 'reset', 0, 0)`, a.Company.ID, b.User.ID), false},
		{"moving a project to another tenant's site",
			fmt.Sprintf(`UPDATE projects SET site_id = %d WHERE id = %d`, b.Site.ID, a.Project.ID), false},
		{"moving a project into another tenant",
			fmt.Sprintf(`UPDATE projects SET company_id = %d WHERE id = %d`, b.Company.ID, a.Project.ID), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := raw.ExecContext(t.Context(), tc.sql)
			if tc.ok && err != nil {
				t.Fatalf("%s: %v", tc.sql, err)
			}
			if !tc.ok && err == nil {
				t.Fatalf("the database accepted %s", tc.sql)
			}
		})
	}

	ps, err := db.Store.Staff(a.Staff).Projects(t.Context(), a.Client.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name+"@"+p.SiteName)
	}
	slices.Sort(names)
	if want := []string{"Project of a@Hall of a", "raw@", "raw@Hall of a"}; !slices.Equal(names, want) {
		t.Fatalf("A's projects = %q, want %q", names, want)
	}
}
