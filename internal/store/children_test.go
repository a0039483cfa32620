package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"portico/internal/domain"
	"portico/internal/testenv"
)

// TestClientChildren specifies what hangs off a client: contacts, sites and projects.
func TestClientChildren(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"Contacts", testContacts},
		spec{"Sites", testSites},
		spec{"Projects", testProjects},
	)
}

func testContacts(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	acme := db.Tenant(t, "")
	abc := db.Client(t, acme, "ABC")
	xyz := db.Client(t, acme, "XYZ")

	ct := &domain.Contact{ClientID: abc.ID, FirstName: "  Ľubomír ", LastName: "Šťastný", Email: " Lubo@ABC.test ", Phone: "+421 900 111 222", Position: "Správca budovy"}
	if err := db.Store.Staff(acme.Staff).CreateContact(ctx, ct); err != nil {
		t.Fatal(err)
	}
	want := domain.Contact{ID: ct.ID, CompanyID: acme.Company.ID, ClientID: abc.ID, FirstName: "Ľubomír", LastName: "Šťastný",
		Email: "lubo@abc.test", Phone: "+421 900 111 222", Position: "Správca budovy"}
	got, err := db.Store.Staff(acme.Staff).Contact(ctx, abc.ID, ct.ID)
	if err != nil || *got != want {
		t.Fatalf("Contact = %+v, %v\nwant %+v", got, err, want)
	}
	if got.Name() != "Ľubomír Šťastný" {
		t.Fatalf("Name = %q", got.Name())
	}

	// Listed by last name, then first name.
	db.Contact(t, acme, abc, "Eva", "Adamová", "")
	db.Contact(t, acme, abc, "Adam", "Adamová", "")
	db.Contact(t, acme, xyz, "Other", "Client", "")
	list, err := db.Store.Staff(acme.Staff).Contacts(ctx, abc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range list {
		names = append(names, c.Name())
	}
	if want := []string{"Adam Adamová", "Eva Adamová", "Ľubomír Šťastný"}; !slices.Equal(names, want) {
		t.Fatalf("Contacts = %v, want %v", names, want)
	}

	// Update.
	upd := *got
	upd.Position, upd.Email, upd.LastName = "Riaditeľ", "", "Šťastný-Nový"
	if err := db.Store.Staff(acme.Staff).UpdateContact(ctx, &upd); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Store.Staff(acme.Staff).Contact(ctx, abc.ID, ct.ID); got.Position != "Riaditeľ" || got.Email != "" || got.LastName != "Šťastný-Nový" {
		t.Fatalf("after update: %+v", got)
	}

	for _, tc := range []struct {
		name           string
		edit           func(c *domain.Contact)
		create, update string   // error codes; EINVALID with fields
		fields         []string // for EINVALID
	}{
		{name: "first name required", edit: func(c *domain.Contact) { c.FirstName = " " }, create: domain.EINVALID, update: domain.EINVALID, fields: []string{"first_name"}},
		{name: "last name required", edit: func(c *domain.Contact) { c.LastName = "" }, create: domain.EINVALID, update: domain.EINVALID, fields: []string{"last_name"}},
		{name: "first name too long", edit: func(c *domain.Contact) { c.FirstName = strings.Repeat("á", 101) }, create: domain.EINVALID, update: domain.EINVALID, fields: []string{"first_name"}},
		{name: "last name too long", edit: func(c *domain.Contact) { c.LastName = strings.Repeat("á", 101) }, create: domain.EINVALID, update: domain.EINVALID, fields: []string{"last_name"}},
		{name: "bad email", edit: func(c *domain.Contact) { c.Email = "lubo@" }, create: domain.EINVALID, update: domain.EINVALID, fields: []string{"email"}},
		{name: "phone too long", edit: func(c *domain.Contact) { c.Phone = strings.Repeat("1", 41) }, create: domain.EINVALID, update: domain.EINVALID, fields: []string{"phone"}},
		{name: "position too long", edit: func(c *domain.Contact) { c.Position = strings.Repeat("p", 101) }, create: domain.EINVALID, update: domain.EINVALID, fields: []string{"position"}},
		{name: "everything missing", edit: func(c *domain.Contact) { *c = domain.Contact{ID: c.ID, ClientID: c.ClientID} }, create: domain.EINVALID, update: domain.EINVALID, fields: []string{"first_name", "last_name"}},
		{name: "unknown client", edit: func(c *domain.Contact) { c.ClientID += 1000 }, create: domain.ENOTFOUND, update: domain.ENOTFOUND},
		// The contact cannot be moved to another client by an update.
		{name: "another client", edit: func(c *domain.Contact) { c.ClientID = xyz.ID }, create: "", update: domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, op := range []string{"create", "update"} {
				c := upd
				var err error
				want := tc.update
				tc.edit(&c)
				if op == "create" {
					c.ID, want = 0, tc.create
					err = db.Store.Staff(acme.Staff).CreateContact(ctx, &c)
				} else {
					err = db.Store.Staff(acme.Staff).UpdateContact(ctx, &c)
				}
				if want == domain.EINVALID {
					wantFields(t, err, tc.fields...)
				} else {
					wantCode(t, err, want)
				}
			}
			if got, _ := db.Store.Staff(acme.Staff).Contact(ctx, abc.ID, ct.ID); *got != upd {
				t.Fatalf("a refused update changed the contact: %+v", got)
			}
		})
	}

	// Reading through the wrong client finds nothing.
	_, err = db.Store.Staff(acme.Staff).Contact(ctx, xyz.ID, ct.ID)
	wantCode(t, err, domain.ENOTFOUND)
	wantCode(t, db.Store.Staff(acme.Staff).DeleteContact(ctx, xyz.ID, ct.ID), domain.ENOTFOUND)

	// Delete.
	if err := db.Store.Staff(acme.Staff).DeleteContact(ctx, abc.ID, ct.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.Store.Staff(acme.Staff).Contact(ctx, abc.ID, ct.ID)
	wantCode(t, err, domain.ENOTFOUND)
	wantCode(t, db.Store.Staff(acme.Staff).DeleteContact(ctx, abc.ID, ct.ID), domain.ENOTFOUND)
	// ABC keeps Adam and Eva; XYZ has its own contact and the one created above.
	for _, c := range []struct {
		id   int64
		want int
	}{{abc.ID, 2}, {xyz.ID, 2}} {
		if got := reloadClient(t, db, acme.Staff, c.id).ContactCount; got != c.want {
			t.Errorf("client %d has %d contacts, want %d", c.id, got, c.want)
		}
	}
}

func testSites(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	acme := db.Tenant(t, "")
	abc := db.Client(t, acme, "ABC")
	xyz := db.Client(t, acme, "XYZ")

	s := &domain.Site{ClientID: abc.ID, Name: " Sklad Košice ", Street: "Južná trieda 8", City: "Košice", PostalCode: "040 01", Country: "Slovensko",
		ContactPerson: "Ľubomír Šťastný", Phone: "+421 55 123 4567", Email: "Sklad@ABC.test", OpeningHours: "Po–Pi 7:00–15:30", Note: "Kľúč na vrátnici."}
	if err := db.Store.Staff(acme.Staff).CreateSite(ctx, s); err != nil {
		t.Fatal(err)
	}
	want := domain.Site{ID: s.ID, CompanyID: acme.Company.ID, ClientID: abc.ID, Name: "Sklad Košice", Street: "Južná trieda 8", City: "Košice",
		PostalCode: "040 01", Country: "Slovensko", ContactPerson: "Ľubomír Šťastný", Phone: "+421 55 123 4567", Email: "sklad@abc.test",
		OpeningHours: "Po–Pi 7:00–15:30", Note: "Kľúč na vrátnici."}
	got, err := db.Store.Staff(acme.Staff).Site(ctx, abc.ID, s.ID)
	if err != nil || *got != want {
		t.Fatalf("Site = %+v, %v\nwant %+v", got, err, want)
	}
	if got.Address() != "Južná trieda 8, 040 01 Košice, Slovensko" {
		t.Fatalf("Address = %q", got.Address())
	}

	db.Site(t, acme, abc, "Office", "Bratislava")
	db.Site(t, acme, abc, "Depot", "Žilina")
	db.Site(t, acme, xyz, "Elsewhere", "Nitra")
	list, err := db.Store.Staff(acme.Staff).Sites(ctx, abc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range list {
		names = append(names, x.Name)
	}
	if want := []string{"Depot", "Office", "Sklad Košice"}; !slices.Equal(names, want) {
		t.Fatalf("Sites = %v, want %v", names, want)
	}

	upd := *got
	upd.Name, upd.Note, upd.Email = "Sklad Košice-Juh", "", ""
	if err := db.Store.Staff(acme.Staff).UpdateSite(ctx, &upd); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Store.Staff(acme.Staff).Site(ctx, abc.ID, s.ID); got.Name != "Sklad Košice-Juh" || got.Note != "" || got.Email != "" || got.City != "Košice" {
		t.Fatalf("after update: %+v", got)
	}

	for _, tc := range []struct {
		name   string
		edit   func(x *domain.Site)
		code   string
		fields []string
	}{
		{name: "name required", edit: func(x *domain.Site) { x.Name = "" }, code: domain.EINVALID, fields: []string{"name"}},
		{name: "city required", edit: func(x *domain.Site) { x.City = "  " }, code: domain.EINVALID, fields: []string{"city"}},
		{name: "city too long", edit: func(x *domain.Site) { x.City = strings.Repeat("č", 101) }, code: domain.EINVALID, fields: []string{"city"}},
		{name: "postal code too long", edit: func(x *domain.Site) { x.PostalCode = strings.Repeat("1", 21) }, code: domain.EINVALID, fields: []string{"postal_code"}},
		{name: "bad email", edit: func(x *domain.Site) { x.Email = "sklad" }, code: domain.EINVALID, fields: []string{"email"}},
		{name: "opening hours too long", edit: func(x *domain.Site) { x.OpeningHours = strings.Repeat("h", 501) }, code: domain.EINVALID, fields: []string{"opening_hours"}},
		{name: "note too long", edit: func(x *domain.Site) { x.Note = strings.Repeat("n", 2001) }, code: domain.EINVALID, fields: []string{"note"}},
		{name: "note at its limit", edit: func(x *domain.Site) { x.Note = strings.Repeat("ň", 2000) }},
		{name: "unknown client", edit: func(x *domain.Site) { x.ClientID += 1000 }, code: domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := upd
			c.ID = 0
			tc.edit(&c)
			err := db.Store.Staff(acme.Staff).CreateSite(ctx, &c)
			if tc.code == domain.EINVALID {
				wantFields(t, err, tc.fields...)
			} else {
				wantCode(t, err, tc.code)
			}
			c = upd
			tc.edit(&c)
			err = db.Store.Staff(acme.Staff).UpdateSite(ctx, &c)
			if tc.code == domain.EINVALID {
				wantFields(t, err, tc.fields...)
			} else {
				wantCode(t, err, tc.code)
			}
		})
	}

	// Through the wrong client the site is not found.
	_, err = db.Store.Staff(acme.Staff).Site(ctx, xyz.ID, s.ID)
	wantCode(t, err, domain.ENOTFOUND)
	moved := upd
	moved.ClientID = xyz.ID
	wantCode(t, db.Store.Staff(acme.Staff).UpdateSite(ctx, &moved), domain.ENOTFOUND)
	wantCode(t, db.Store.Staff(acme.Staff).DeleteSite(ctx, xyz.ID, s.ID), domain.ENOTFOUND)

	// A site with projects cannot be deleted, not even through the wrong client.
	p := db.Project(t, acme, abc, "Deratizácia 2025", &upd)
	err = db.Store.Staff(acme.Staff).DeleteSite(ctx, abc.ID, s.ID)
	wantCode(t, err, domain.ECONFLICT)
	if !strings.Contains(domain.ErrorMessage(err), "1 project") {
		t.Fatalf("message %q does not name the project", domain.ErrorMessage(err))
	}
	wantCode(t, db.Store.Staff(acme.Staff).DeleteSite(ctx, xyz.ID, s.ID), domain.ENOTFOUND)
	if _, err := db.Store.Staff(acme.Staff).Site(ctx, abc.ID, s.ID); err != nil {
		t.Fatalf("the site is gone after a refused delete: %v", err)
	}

	// Once the project moves away, the site can go.
	p.SiteID = 0
	if err := db.Store.Staff(acme.Staff).UpdateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := db.Store.Staff(acme.Staff).DeleteSite(ctx, abc.ID, s.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.Store.Staff(acme.Staff).Site(ctx, abc.ID, s.ID)
	wantCode(t, err, domain.ENOTFOUND)
	wantCode(t, db.Store.Staff(acme.Staff).DeleteSite(ctx, abc.ID, s.ID), domain.ENOTFOUND)
	// Office, Depot and the copy made by "note at its limit".
	if c := reloadClient(t, db, acme.Staff, abc.ID); c.SiteCount != 3 {
		t.Fatalf("ABC has %d sites, want 3", c.SiteCount)
	}
}

func testProjects(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	acme := db.Tenant(t, "")
	abc := db.Client(t, acme, "ABC")
	xyz := db.Client(t, acme, "XYZ")
	hall := db.Site(t, acme, abc, "Hall", "Nitra")
	shop := db.Site(t, acme, abc, "Shop", "Nitra")
	xyzSite := db.Site(t, acme, xyz, "Depot", "Trnava")

	p := &domain.Project{ClientID: abc.ID, SiteID: hall.ID, Name: "  Deratizácia – jar ", Status: domain.ProjectActive}
	before := db.Store.Now()
	if err := db.Store.Staff(acme.Staff).CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := db.Store.Staff(acme.Staff).Project(ctx, abc.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != p.ID || got.CompanyID != acme.Company.ID || got.ClientID != abc.ID || got.SiteID != hall.ID || got.SiteName != "Hall" ||
		got.Name != "Deratizácia – jar" || got.Status != domain.ProjectActive || got.CreatedAt.Before(before.Truncate(time.Microsecond)) {
		t.Fatalf("Project = %+v", got)
	}

	// Active first, then by name; a project without a site has no site name.
	db.Project(t, acme, abc, "Audit", nil)
	done := &domain.Project{ClientID: abc.ID, Name: "Aaa finished", Status: domain.ProjectFinished}
	if err := db.Store.Staff(acme.Staff).CreateProject(ctx, done); err != nil {
		t.Fatal(err)
	}
	db.Project(t, acme, xyz, "Other client's", xyzSite)
	list, err := db.Store.Staff(acme.Staff).Projects(ctx, abc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, x := range list {
		rows = append(rows, x.Name+"@"+x.SiteName+"/"+x.Status)
	}
	if want := []string{"Audit@/active", "Deratizácia – jar@Hall/active", "Aaa finished@/finished"}; !slices.Equal(rows, want) {
		t.Fatalf("Projects = %q, want %q", rows, want)
	}

	// Update: move to another site, finish, then detach from any site.
	upd := *got
	upd.SiteID, upd.Status, upd.Name = shop.ID, domain.ProjectFinished, "Deratizácia – leto"
	if err := db.Store.Staff(acme.Staff).UpdateProject(ctx, &upd); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Store.Staff(acme.Staff).Project(ctx, abc.ID, p.ID); got.SiteName != "Shop" || got.Status != domain.ProjectFinished || got.Name != "Deratizácia – leto" {
		t.Fatalf("after update: %+v", got)
	}
	upd.SiteID = 0
	if err := db.Store.Staff(acme.Staff).UpdateProject(ctx, &upd); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Store.Staff(acme.Staff).Project(ctx, abc.ID, p.ID); got.SiteID != 0 || got.SiteName != "" {
		t.Fatalf("after detaching: %+v", got)
	}

	for _, tc := range []struct {
		name   string
		edit   func(x *domain.Project)
		code   string
		fields []string
	}{
		{name: "name required", edit: func(x *domain.Project) { x.Name = " " }, code: domain.EINVALID, fields: []string{"name"}},
		{name: "name too long", edit: func(x *domain.Project) { x.Name = strings.Repeat("ú", 201) }, code: domain.EINVALID, fields: []string{"name"}},
		{name: "status required", edit: func(x *domain.Project) { x.Status = "" }, code: domain.EINVALID, fields: []string{"status"}},
		{name: "unknown status", edit: func(x *domain.Project) { x.Status = "paused" }, code: domain.EINVALID, fields: []string{"status"}},
		{name: "site of another client of the same company", edit: func(x *domain.Project) { x.SiteID = xyzSite.ID }, code: domain.EINVALID, fields: []string{"site_id"}},
		{name: "unknown site", edit: func(x *domain.Project) { x.SiteID = xyzSite.ID + 1000 }, code: domain.EINVALID, fields: []string{"site_id"}},
		{name: "unknown client", edit: func(x *domain.Project) { x.ClientID += 1000; x.SiteID = 0 }, code: domain.ENOTFOUND},
		{name: "through another client", edit: func(x *domain.Project) { x.ClientID = xyz.ID; x.SiteID = 0 }, code: "update:" + domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, op := range []string{"create", "update"} {
				x := upd
				if op == "create" {
					x.ID = 0
				}
				tc.edit(&x)
				var err error
				if op == "create" {
					err = db.Store.Staff(acme.Staff).CreateProject(ctx, &x)
				} else {
					err = db.Store.Staff(acme.Staff).UpdateProject(ctx, &x)
				}
				switch {
				case tc.code == domain.EINVALID:
					wantFields(t, err, tc.fields...)
				case tc.code == "update:"+domain.ENOTFOUND:
					if op == "update" {
						wantCode(t, err, domain.ENOTFOUND)
					} else {
						// Creating a project for XYZ is fine.
						wantCode(t, err, "")
					}
				default:
					wantCode(t, err, tc.code)
				}
			}
			if got, _ := db.Store.Staff(acme.Staff).Project(ctx, abc.ID, p.ID); got.Name != "Deratizácia – leto" || got.SiteID != 0 || got.Status != domain.ProjectFinished {
				t.Fatalf("a refused update changed the project: %+v", got)
			}
		})
	}

	// Through the wrong client the project is not found.
	_, err = db.Store.Staff(acme.Staff).Project(ctx, xyz.ID, p.ID)
	wantCode(t, err, domain.ENOTFOUND)
	wantCode(t, db.Store.Staff(acme.Staff).DeleteProject(ctx, xyz.ID, p.ID), domain.ENOTFOUND)

	if err := db.Store.Staff(acme.Staff).DeleteProject(ctx, abc.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.Store.Staff(acme.Staff).Project(ctx, abc.ID, p.ID)
	wantCode(t, err, domain.ENOTFOUND)
	wantCode(t, db.Store.Staff(acme.Staff).DeleteProject(ctx, abc.ID, p.ID), domain.ENOTFOUND)
	if c := reloadClient(t, db, acme.Staff, abc.ID); c.ProjectCount != 2 {
		t.Fatalf("ABC has %d projects, want 2", c.ProjectCount)
	}
}
