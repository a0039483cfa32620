package store_test

import (
	"context"
	"reflect"
	"testing"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// TestPermissions specifies that writing client data needs clients.manage and reading needs nothing.
func TestPermissions(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"WritesNeedClientsManage", testWritesNeedClientsManage},
		spec{"ReadingNeedsNoPermission", testReadingNeedsNoPermission},
	)
}

// tenantData is everything of a tenant the staff store methods can read, for
// checking that a refused or foreign write left it alone.
type tenantData struct {
	Clients  []*domain.Client
	Contacts map[int64][]*domain.Contact
	Sites    map[int64][]*domain.Site
	Projects map[int64][]*domain.Project
	Staff    []*domain.StaffUser
	Hashes   map[string]string
	Audit    int
}

func snapshot(t testing.TB, db *testenv.DB, tn *testenv.Tenant) tenantData {
	t.Helper()
	ctx := t.Context()
	d := tenantData{Contacts: map[int64][]*domain.Contact{}, Sites: map[int64][]*domain.Site{},
		Projects: map[int64][]*domain.Project{}, Hashes: map[string]string{}}
	for _, archived := range []bool{false, true} {
		cs, info, err := db.Store.Staff(tn.Staff).Clients(ctx, store.ClientFilter{Archived: archived, ListOptions: domain.ListOptions{PerPage: 100}})
		if err != nil || info.Total > 100 {
			t.Fatalf("snapshot: %d clients, %v", info.Total, err)
		}
		d.Clients = append(d.Clients, cs...)
	}
	for _, c := range d.Clients {
		var err error
		if d.Contacts[c.ID], err = db.Store.Staff(tn.Staff).Contacts(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if d.Sites[c.ID], err = db.Store.Staff(tn.Staff).Sites(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if d.Projects[c.ID], err = db.Store.Staff(tn.Staff).Projects(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if d.Staff, err = db.Store.Staff(tn.Staff).StaffUsers(ctx); err != nil {
		t.Fatal(err)
	}
	for _, u := range d.Staff {
		_, hash, err := db.Store.StaffCredentials(ctx, tn.Company.ID, u.Email)
		if err != nil {
			t.Fatal(err)
		}
		d.Hashes[u.Email] = hash
	}
	_, info, err := db.Store.Staff(tn.Staff).AuditLog(ctx, domain.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Audit = info.Total
	return d
}

func wantUnchanged(t testing.TB, before, after tenantData) {
	t.Helper()
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("the tenant's data changed:\nbefore %+v\nafter  %+v", before, after)
	}
}

// world is one tenant with a little of everything; label names its rows.
type world struct {
	*testenv.Tenant
	Client, Empty, Archived *domain.Client
	Contact                 *domain.Contact
	Site, SpareSite         *domain.Site
	Project                 *domain.Project
	User                    *domain.StaffUser
}

func newWorld(t testing.TB, db *testenv.DB, label string) *world {
	t.Helper()
	tn := db.Tenant(t, "")
	w := &world{Tenant: tn}
	w.Client = db.Client(t, tn, "Client of "+label)
	w.Empty = db.Client(t, tn, "Empty client of "+label)
	w.Archived = db.Client(t, tn, "Archived client of "+label)
	if err := db.Store.Staff(tn.Staff).ArchiveClient(t.Context(), w.Archived.ID, true); err != nil {
		t.Fatal(err)
	}
	w.Contact = db.Contact(t, tn, w.Client, "Ján", "Novák", "jan@"+label+".test")
	w.Site = db.Site(t, tn, w.Client, "Hall of "+label, "Košice")
	w.SpareSite = db.Site(t, tn, w.Client, "Spare of "+label, "Žilina")
	w.Project = db.Project(t, tn, w.Client, "Project of "+label, w.Site)
	w.User = db.StaffUser(t, tn, "staff@"+label+".test", access.ClientsManage)
	return w
}

// writes lists every client-data write of the store, aimed at w's rows.
func writes(db *testenv.DB, w *world) []struct {
	name string
	do   func(ctx context.Context, sc access.Staff) error
} {
	s := db.Store
	return []struct {
		name string
		do   func(ctx context.Context, sc access.Staff) error
	}{
		{"CreateClient", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).CreateClient(ctx, &domain.Client{Name: "New"})
		}},
		{"UpdateClient", func(ctx context.Context, sc access.Staff) error {
			c := *w.Client
			c.Name = "Renamed"
			return s.Staff(sc).UpdateClient(ctx, &c)
		}},
		{"ArchiveClient", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).ArchiveClient(ctx, w.Client.ID, true)
		}},
		{"ArchiveClient (restore)", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).ArchiveClient(ctx, w.Archived.ID, false)
		}},
		{"DeleteClient", func(ctx context.Context, sc access.Staff) error { return s.Staff(sc).DeleteClient(ctx, w.Empty.ID) }},
		{"CreateContact", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).CreateContact(ctx, &domain.Contact{ClientID: w.Client.ID, FirstName: "Eva", LastName: "Malá"})
		}},
		{"UpdateContact", func(ctx context.Context, sc access.Staff) error {
			c := *w.Contact
			c.Position = "Boss"
			return s.Staff(sc).UpdateContact(ctx, &c)
		}},
		{"DeleteContact", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).DeleteContact(ctx, w.Client.ID, w.Contact.ID)
		}},
		{"CreateSite", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).CreateSite(ctx, &domain.Site{ClientID: w.Client.ID, Name: "New", City: "Nitra"})
		}},
		{"UpdateSite", func(ctx context.Context, sc access.Staff) error {
			x := *w.Site
			x.Note = "changed"
			return s.Staff(sc).UpdateSite(ctx, &x)
		}},
		{"DeleteSite", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).DeleteSite(ctx, w.Client.ID, w.SpareSite.ID)
		}},
		{"CreateProject", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).CreateProject(ctx, &domain.Project{ClientID: w.Client.ID, Name: "New", Status: domain.ProjectActive})
		}},
		{"UpdateProject", func(ctx context.Context, sc access.Staff) error {
			p := *w.Project
			p.Status = domain.ProjectFinished
			return s.Staff(sc).UpdateProject(ctx, &p)
		}},
		{"DeleteProject", func(ctx context.Context, sc access.Staff) error {
			return s.Staff(sc).DeleteProject(ctx, w.Client.ID, w.Project.ID)
		}},
	}
}

func testWritesNeedClientsManage(t *testing.T, db *testenv.DB) {
	w := newWorld(t, db, "acme")
	var others []string
	for _, p := range access.Permissions {
		if p != access.ClientsManage {
			others = append(others, p)
		}
	}
	gone := db.StaffUser(t, w.Tenant, "gone@acme.test", access.ClientsManage)
	disabled, err := db.Store.Staff(w.Staff).UpdateStaffUser(t.Context(), gone.ID, store.StaffUpdate{Disabled: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	principals := []struct {
		name string
		sc   access.Staff
	}{
		{"every permission but clients.manage", member(t, db, w.Tenant, "almost@acme.test", others...)},
		{"no permission", member(t, db, w.Tenant, "reader@acme.test")},
		{"a disabled user", access.NewStaff(disabled)},
		{"nobody", access.Staff{}},
	}
	before := snapshot(t, db, w.Tenant)
	for _, who := range principals {
		for _, op := range writes(db, w) {
			t.Run(who.name+"/"+op.name, func(t *testing.T) {
				wantCode(t, op.do(t.Context(), who.sc), domain.EFORBIDDEN)
			})
		}
	}
	wantUnchanged(t, before, snapshot(t, db, w.Tenant))

	// The same writes succeed with the permission, so the refusals above were
	// about the permission and nothing else.
	writer := member(t, db, w.Tenant, "writer@acme.test", access.ClientsManage)
	for _, op := range writes(db, w) {
		t.Run("clients.manage/"+op.name, func(t *testing.T) {
			wantCode(t, op.do(t.Context(), writer), "")
		})
	}
}

func testReadingNeedsNoPermission(t *testing.T, db *testenv.DB) {
	w := newWorld(t, db, "acme")
	reader := member(t, db, w.Tenant, "reader@acme.test")
	ctx := t.Context()

	if list, info, err := db.Store.Staff(reader).Clients(ctx, store.ClientFilter{}); err != nil || info.Total != 2 || len(list) != 2 {
		t.Errorf("Clients = %v, %+v, %v; want the 2 active clients", clientNames(list), info, err)
	}
	if c, err := db.Store.Staff(reader).Client(ctx, w.Client.ID); err != nil || c.Name != w.Client.Name {
		t.Errorf("Client = %+v, %v", c, err)
	}
	if cs, err := db.Store.Staff(reader).Contacts(ctx, w.Client.ID); err != nil || len(cs) != 1 {
		t.Errorf("Contacts = %v, %v", cs, err)
	}
	if c, err := db.Store.Staff(reader).Contact(ctx, w.Client.ID, w.Contact.ID); err != nil || c.ID != w.Contact.ID {
		t.Errorf("Contact = %+v, %v", c, err)
	}
	if xs, err := db.Store.Staff(reader).Sites(ctx, w.Client.ID); err != nil || len(xs) != 2 {
		t.Errorf("Sites = %v, %v", xs, err)
	}
	if x, err := db.Store.Staff(reader).Site(ctx, w.Client.ID, w.Site.ID); err != nil || x.ID != w.Site.ID {
		t.Errorf("Site = %+v, %v", x, err)
	}
	if ps, err := db.Store.Staff(reader).Projects(ctx, w.Client.ID); err != nil || len(ps) != 1 {
		t.Errorf("Projects = %v, %v", ps, err)
	}
	if p, err := db.Store.Staff(reader).Project(ctx, w.Client.ID, w.Project.ID); err != nil || p.ID != w.Project.ID {
		t.Errorf("Project = %+v, %v", p, err)
	}
	if es, _, err := db.Store.Staff(reader).AuditLog(ctx, domain.ListOptions{}); err != nil || len(es) == 0 {
		t.Errorf("AuditLog = %v, %v", es, err)
	}
}
