package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// TestClients specifies clients: validation, search, pagination, archiving, deletion.
func TestClients(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"CreateClient", testCreateClient},
		spec{"ClientValidation", testClientValidation},
		spec{"UpdateClient", testUpdateClient},
		spec{"ClientLookup", testClientLookup},
		spec{"ClientSearch", testClientSearch},
		spec{"ClientsPagination", testClientsPagination},
		spec{"ArchiveClient", testArchiveClient},
		spec{"DeleteClient", testDeleteClient},
		spec{"ClientCounts", testClientCounts},
	)
}

func testCreateClient(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	c := &domain.Client{
		Name: "  Nové Zámky Deratizácia s.r.o. ", CompanyNumber: " 36123456 ", TaxID: "2020123456", VATID: "SK2020123456",
		ContactPerson: "Ľubomír Šťastný", Email: " Office@NZ-Derat.SK ", ProtocolEmail: "Protokoly@nz-derat.sk", Phone: "+421 905 123 456",
		Street: "Šafárikova 12", City: "Nové Zámky", PostalCode: "940 01", Country: "Slovensko",
	}
	before := db.Store.Now()
	if err := db.Store.Staff(acme.Staff).CreateClient(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || c.CompanyID != acme.Company.ID || c.CreatedAt.Before(before) || !c.UpdatedAt.Equal(c.CreatedAt) {
		t.Fatalf("CreateClient left %+v", c)
	}
	want := domain.Client{
		ID: c.ID, CompanyID: acme.Company.ID,
		Name: "Nové Zámky Deratizácia s.r.o.", CompanyNumber: "36123456", TaxID: "2020123456", VATID: "SK2020123456",
		ContactPerson: "Ľubomír Šťastný", Email: "office@nz-derat.sk", ProtocolEmail: "protokoly@nz-derat.sk", Phone: "+421 905 123 456",
		Street: "Šafárikova 12", City: "Nové Zámky", PostalCode: "940 01", Country: "Slovensko",
	}
	got := reloadClient(t, db, acme.Staff, c.ID)
	if !got.CreatedAt.Equal(c.CreatedAt.Truncate(time.Microsecond)) || !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Fatalf("stored times: created %v, updated %v; want both %v", got.CreatedAt, got.UpdatedAt, c.CreatedAt)
	}
	got.CreatedAt, got.UpdatedAt = time.Time{}, time.Time{}
	if *got != want {
		t.Fatalf("stored client:\n got %+v\nwant %+v", *got, want)
	}
}

func testClientValidation(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	existing := db.Client(t, acme, "Existing")
	long := func(n int) string { return strings.Repeat("ž", n) }

	for _, tc := range []struct {
		name   string
		edit   func(c *domain.Client)
		fields []string // nil = valid
	}{
		{"minimal", func(c *domain.Client) {}, nil},
		{"limits reached with multi-byte letters", func(c *domain.Client) {
			c.Name, c.ContactPerson, c.Street, c.City, c.Country = long(200), long(200), long(200), long(200), long(200)
			c.CompanyNumber, c.TaxID, c.VATID, c.Phone, c.PostalCode = long(40), long(40), long(40), long(40), long(40)
		}, nil},
		{"name required", func(c *domain.Client) { c.Name = "" }, []string{"name"}},
		{"blank name", func(c *domain.Client) { c.Name = " \t " }, []string{"name"}},
		{"name too long", func(c *domain.Client) { c.Name = long(201) }, []string{"name"}},
		{"company number too long", func(c *domain.Client) { c.CompanyNumber = long(41) }, []string{"company_number"}},
		{"tax id too long", func(c *domain.Client) { c.TaxID = long(41) }, []string{"tax_id"}},
		{"VAT id too long", func(c *domain.Client) { c.VATID = long(41) }, []string{"vat_id"}},
		{"phone too long", func(c *domain.Client) { c.Phone = long(41) }, []string{"phone"}},
		{"postal code too long", func(c *domain.Client) { c.PostalCode = long(41) }, []string{"postal_code"}},
		{"contact person too long", func(c *domain.Client) { c.ContactPerson = long(201) }, []string{"contact_person"}},
		{"street too long", func(c *domain.Client) { c.Street = long(201) }, []string{"street"}},
		{"city too long", func(c *domain.Client) { c.City = long(201) }, []string{"city"}},
		{"country too long", func(c *domain.Client) { c.Country = long(201) }, []string{"country"}},
		{"email without at", func(c *domain.Client) { c.Email = "office.acme.test" }, []string{"email"}},
		{"email without dotted domain", func(c *domain.Client) { c.Email = "office@acme" }, []string{"email"}},
		{"email with display name", func(c *domain.Client) { c.Email = "Office <office@acme.test>" }, []string{"email"}},
		{"two addresses", func(c *domain.Client) { c.Email = "a@acme.test, b@acme.test" }, []string{"email"}},
		{"bad protocol email", func(c *domain.Client) { c.ProtocolEmail = "protocols@" }, []string{"protocol_email"}},
		{"several at once", func(c *domain.Client) {
			c.Name, c.Email, c.ProtocolEmail, c.Phone = "", "x", "y", long(41)
		}, []string{"name", "email", "protocol_email", "phone"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Run("create", func(t *testing.T) {
				c := &domain.Client{Name: "New " + tc.name}
				tc.edit(c)
				err := db.Store.Staff(acme.Staff).CreateClient(t.Context(), c)
				if tc.fields == nil {
					wantCode(t, err, "")
					return
				}
				wantFields(t, err, tc.fields...)
				if c.ID != 0 {
					t.Fatalf("refused client got id %d", c.ID)
				}
			})
			t.Run("update", func(t *testing.T) {
				c := reloadClient(t, db, acme.Staff, existing.ID)
				tc.edit(c)
				err := db.Store.Staff(acme.Staff).UpdateClient(t.Context(), c)
				if tc.fields == nil {
					wantCode(t, err, "")
					return
				}
				wantFields(t, err, tc.fields...)
			})
		})
	}
	// No refused update reached the database.
	got := reloadClient(t, db, acme.Staff, existing.ID)
	if got.Name != long(200) || got.Email != existing.Email {
		t.Fatalf("after the table the client is %+v; only the valid updates should have landed", got)
	}
}

func testUpdateClient(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	c := db.Client(t, acme, "ABC")
	created := reloadClient(t, db, acme.Staff, c.ID)

	db.Clock.Advance(time.Hour)
	upd := *created
	upd.Name, upd.City, upd.Email, upd.ContactPerson = " ABC Žilina ", "Žilina", "INFO@abc.test", "Ľubomír Šťastný"
	upd.SiteCount = 99 // counts are not editable
	if err := db.Store.Staff(acme.Staff).UpdateClient(t.Context(), &upd); err != nil {
		t.Fatal(err)
	}
	got := reloadClient(t, db, acme.Staff, c.ID)
	if got.Name != "ABC Žilina" || got.City != "Žilina" || got.Email != "info@abc.test" || got.ContactPerson != "Ľubomír Šťastný" || got.SiteCount != 0 {
		t.Fatalf("after update: %+v", got)
	}
	if !got.CreatedAt.Equal(created.CreatedAt) || got.UpdatedAt.Sub(created.UpdatedAt) < time.Hour {
		t.Fatalf("times after update: created %v → %v, updated %v → %v", created.CreatedAt, got.CreatedAt, created.UpdatedAt, got.UpdatedAt)
	}
	// Search follows the update.
	for q, want := range map[string][]string{"zilina": {"ABC Žilina"}, "bratislava": {}, "stastny": {"ABC Žilina"}} {
		list, _, err := db.Store.Staff(acme.Staff).Clients(t.Context(), store.ClientFilter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if names := clientNames(list); !slices.Equal(names, want) {
			t.Errorf("search %q after update = %v, want %v", q, names, want)
		}
	}

	// Updating an archived client keeps it archived.
	if err := db.Store.Staff(acme.Staff).ArchiveClient(t.Context(), c.ID, true); err != nil {
		t.Fatal(err)
	}
	upd.Phone = "+421 2 1234 5678"
	if err := db.Store.Staff(acme.Staff).UpdateClient(t.Context(), &upd); err != nil {
		t.Fatal(err)
	}
	if got := reloadClient(t, db, acme.Staff, c.ID); !got.Archived || got.Phone != "+421 2 1234 5678" {
		t.Fatalf("archived client after update: %+v", got)
	}

	t.Run("unknown client", func(t *testing.T) {
		missing := domain.Client{ID: c.ID + 1000, Name: "Ghost"}
		wantCode(t, db.Store.Staff(acme.Staff).UpdateClient(t.Context(), &missing), domain.ENOTFOUND)
	})
}

func testClientLookup(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	c := db.Client(t, acme, "ABC")
	for _, tc := range []struct {
		name string
		id   int64
		code string
	}{
		{"existing", c.ID, ""},
		{"unknown", c.ID + 1000, domain.ENOTFOUND},
		{"zero", 0, domain.ENOTFOUND},
		{"negative", -1, domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Store.Staff(acme.Staff).Client(t.Context(), tc.id)
			wantCode(t, err, tc.code)
			if tc.code == "" && (got.ID != c.ID || got.Name != "ABC") {
				t.Fatalf("Client = %+v", got)
			}
		})
	}
}

func testClientSearch(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	for _, c := range []domain.Client{
		{Name: "Východ Pest", City: "Košice", CompanyNumber: "36123456", Email: "kontakt@vychod.test"},
		{Name: "Sever Clean", City: "Žilina", Email: "office@sever.test"},
		{Name: "Západ Electric", City: "Nové Zámky", ContactPerson: "Ľubomír Šťastný"},
		{Name: "100% Clean", City: "Bratislava"},
		{Name: "1000 Clean", City: "Bratislava"},
		{Name: "Hot_Water", City: "Trnava"},
		{Name: "HotxWater", City: "Trnava"},
		{Name: `Back\slash`, City: "Nitra"},
	} {
		if err := db.Store.Staff(acme.Staff).CreateClient(t.Context(), &c); err != nil {
			t.Fatal(err)
		}
	}
	gone := db.Client(t, acme, "Archived Košice")
	gone.City = "Košice"
	if err := db.Store.Staff(acme.Staff).UpdateClient(t.Context(), gone); err != nil {
		t.Fatal(err)
	}
	if err := db.Store.Staff(acme.Staff).ArchiveClient(t.Context(), gone.ID, true); err != nil {
		t.Fatal(err)
	}
	other := db.Tenant(t, "")
	stranger := &domain.Client{Name: "Other Košice", City: "Košice"}
	if err := db.Store.Staff(other.Staff).CreateClient(t.Context(), stranger); err != nil {
		t.Fatal(err)
	}

	all := []string{"100% Clean", "1000 Clean", `Back\slash`, "Hot_Water", "HotxWater", "Sever Clean", "Východ Pest", "Západ Electric"}
	for _, tc := range []struct {
		name     string
		query    string
		archived bool
		want     []string
	}{
		{"no query lists all active clients by name", "", false, all},
		{"blank query", "   ", false, all},
		{"city without accents", "kosice", false, []string{"Východ Pest"}},
		{"city with accents in upper case", "KOŠICE", false, []string{"Východ Pest"}},
		{"part of the city", "Koši", false, []string{"Východ Pest"}},
		{"upper case without accents", "ZILINA", false, []string{"Sever Clean"}},
		{"lower case with accents", "žilina", false, []string{"Sever Clean"}},
		{"two-word city", "nove zamky", false, []string{"Západ Electric"}},
		{"contact person without accents", "stastny", false, []string{"Západ Electric"}},
		{"contact person in capitals", "ĽUBOMÍR", false, []string{"Západ Electric"}},
		{"name without accents", "vychod", false, []string{"Východ Pest"}},
		{"company number", "36123456", false, []string{"Východ Pest"}},
		{"email", "office@sever", false, []string{"Sever Clean"}},
		{"query is trimmed", "  sever  ", false, []string{"Sever Clean"}},
		{"percent is literal", "100%", false, []string{"100% Clean"}},
		{"lone percent", "%", false, []string{"100% Clean"}},
		{"underscore is literal", "hot_water", false, []string{"Hot_Water"}},
		{"lone underscore", "_", false, []string{"Hot_Water"}},
		{"backslash is literal", `\`, false, []string{`Back\slash`}},
		{"nothing matches", "Prešov", false, []string{}},
		{"archived clients", "", true, []string{"Archived Košice"}},
		{"search among archived clients", "kosice", true, []string{"Archived Košice"}},
		{"archived search without match", "zilina", true, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, info, err := db.Store.Staff(acme.Staff).Clients(t.Context(), store.ClientFilter{Query: tc.query, Archived: tc.archived})
			if err != nil {
				t.Fatal(err)
			}
			if got := clientNames(list); !slices.Equal(got, tc.want) {
				t.Fatalf("Clients(%q, archived %v) = %q, want %q", tc.query, tc.archived, got, tc.want)
			}
			if info.Total != len(tc.want) {
				t.Fatalf("Total = %d, want %d", info.Total, len(tc.want))
			}
		})
	}
}

func testClientsPagination(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	// Created out of order: the list is sorted by name.
	for _, n := range []int{4, 7, 1, 3, 6, 2, 5} {
		db.Client(t, acme, fmt.Sprintf("Client %d", n))
	}
	other := db.Tenant(t, "")
	for n := range 5 {
		db.Client(t, other, fmt.Sprintf("Client %d", n))
	}

	for _, tc := range []struct {
		name          string
		opts          domain.ListOptions
		want          []int
		page, perPage int
		pages         int
		prev, next    bool
	}{
		{"first page", domain.ListOptions{Page: 1, PerPage: 3}, []int{1, 2, 3}, 1, 3, 3, false, true},
		{"middle page", domain.ListOptions{Page: 2, PerPage: 3}, []int{4, 5, 6}, 2, 3, 3, true, true},
		{"last page", domain.ListOptions{Page: 3, PerPage: 3}, []int{7}, 3, 3, 3, true, false},
		{"past the end", domain.ListOptions{Page: 4, PerPage: 3}, []int{}, 4, 3, 3, true, false},
		{"exact fit", domain.ListOptions{Page: 1, PerPage: 7}, []int{1, 2, 3, 4, 5, 6, 7}, 1, 7, 1, false, false},
		{"defaults", domain.ListOptions{}, []int{1, 2, 3, 4, 5, 6, 7}, 1, 25, 1, false, false},
		{"negative page is the first", domain.ListOptions{Page: -2, PerPage: 2}, []int{1, 2}, 1, 2, 4, false, true},
		{"page size is capped at 100", domain.ListOptions{Page: 1, PerPage: 1000}, []int{1, 2, 3, 4, 5, 6, 7}, 1, 100, 1, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, info, err := db.Store.Staff(acme.Staff).Clients(t.Context(), store.ClientFilter{ListOptions: tc.opts})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{}
			for _, n := range tc.want {
				want = append(want, fmt.Sprintf("Client %d", n))
			}
			if got := clientNames(list); !slices.Equal(got, want) {
				t.Fatalf("page = %v, want %v", got, want)
			}
			if info.Total != 7 || info.Page != tc.page || info.PerPage != tc.perPage || info.Pages() != tc.pages ||
				info.HasPrev() != tc.prev || info.HasNext() != tc.next {
				t.Fatalf("PageInfo = %+v (pages %d, prev %v, next %v), want page %d of %d, %d per page, total 7, prev %v, next %v",
					info, info.Pages(), info.HasPrev(), info.HasNext(), tc.page, tc.pages, tc.perPage, tc.prev, tc.next)
			}
		})
	}

	t.Run("search is paginated too", func(t *testing.T) {
		list, info, err := db.Store.Staff(acme.Staff).Clients(t.Context(), store.ClientFilter{Query: "client", ListOptions: domain.ListOptions{Page: 2, PerPage: 5}})
		if err != nil {
			t.Fatal(err)
		}
		if got := clientNames(list); !slices.Equal(got, []string{"Client 6", "Client 7"}) || info.Total != 7 || info.Pages() != 2 {
			t.Fatalf("page 2 of search = %v, %+v", got, info)
		}
	})
}

func testArchiveClient(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	abc := db.Client(t, acme, "ABC")
	db.Client(t, acme, "XYZ")
	db.Site(t, acme, abc, "Warehouse", "Košice")

	list := func(t *testing.T, archived bool) []string {
		t.Helper()
		cs, _, err := db.Store.Staff(acme.Staff).Clients(t.Context(), store.ClientFilter{Archived: archived})
		if err != nil {
			t.Fatal(err)
		}
		return clientNames(cs)
	}
	for _, step := range []struct {
		name             string
		archive          bool
		active, archived []string
	}{
		{"archive", true, []string{"XYZ"}, []string{"ABC"}},
		{"archive again", true, []string{"XYZ"}, []string{"ABC"}},
		{"restore", false, []string{"ABC", "XYZ"}, []string{}},
		{"restore again", false, []string{"ABC", "XYZ"}, []string{}},
	} {
		t.Run(step.name, func(t *testing.T) {
			if err := db.Store.Staff(acme.Staff).ArchiveClient(t.Context(), abc.ID, step.archive); err != nil {
				t.Fatal(err)
			}
			if got := list(t, false); !slices.Equal(got, step.active) {
				t.Errorf("active = %v, want %v", got, step.active)
			}
			if got := list(t, true); !slices.Equal(got, step.archived) {
				t.Errorf("archived = %v, want %v", got, step.archived)
			}
			// Archiving keeps the client readable and its data intact.
			got := reloadClient(t, db, acme.Staff, abc.ID)
			if got.Archived != step.archive || got.SiteCount != 1 {
				t.Errorf("client = %+v, want archived %v with its site", got, step.archive)
			}
		})
	}
	t.Run("unknown client", func(t *testing.T) {
		wantCode(t, db.Store.Staff(acme.Staff).ArchiveClient(t.Context(), abc.ID+1000, true), domain.ENOTFOUND)
		wantCode(t, db.Store.Staff(acme.Staff).ArchiveClient(t.Context(), abc.ID+1000, false), domain.ENOTFOUND)
	})
}

func testDeleteClient(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	for _, tc := range []struct {
		name    string
		build   func(t *testing.T, c *domain.Client)
		code    string
		message string // part of the refusal
	}{
		{"empty client", func(t *testing.T, c *domain.Client) {}, "", ""},
		{"contacts go with the client", func(t *testing.T, c *domain.Client) {
			db.Contact(t, acme, c, "Ján", "Novák", "jan@abc.test")
			db.Contact(t, acme, c, "Eva", "Malá", "")
		}, "", ""},
		{"archived client", func(t *testing.T, c *domain.Client) {
			if err := db.Store.Staff(acme.Staff).ArchiveClient(t.Context(), c.ID, true); err != nil {
				t.Fatal(err)
			}
		}, "", ""},
		{"a site blocks", func(t *testing.T, c *domain.Client) { db.Site(t, acme, c, "Hall", "Nitra") }, domain.ECONFLICT, "1 site"},
		{"a project blocks", func(t *testing.T, c *domain.Client) { db.Project(t, acme, c, "Yearly", nil) }, domain.ECONFLICT, "1 project"},
		{"sites and projects block", func(t *testing.T, c *domain.Client) {
			s := db.Site(t, acme, c, "Hall", "Nitra")
			db.Site(t, acme, c, "Shop", "Nitra")
			db.Project(t, acme, c, "Yearly", s)
			db.Contact(t, acme, c, "Ján", "Novák", "")
		}, domain.ECONFLICT, "2 sites and 1 project"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := db.Client(t, acme, "Client "+tc.name)
			tc.build(t, c)
			before := reloadClient(t, db, acme.Staff, c.ID)
			contacts, _ := db.Store.Staff(acme.Staff).Contacts(t.Context(), c.ID)

			err := db.Store.Staff(acme.Staff).DeleteClient(t.Context(), c.ID)
			wantCode(t, err, tc.code)
			if tc.code != "" {
				if !strings.Contains(domain.ErrorMessage(err), tc.message) {
					t.Fatalf("message %q does not say %q", domain.ErrorMessage(err), tc.message)
				}
				if after := reloadClient(t, db, acme.Staff, c.ID); *after != *before {
					t.Fatalf("refused delete changed the client: %+v → %+v", before, after)
				}
				return
			}
			_, err = db.Store.Staff(acme.Staff).Client(t.Context(), c.ID)
			wantCode(t, err, domain.ENOTFOUND)
			for _, ct := range contacts {
				_, err := db.Store.Staff(acme.Staff).Contact(t.Context(), c.ID, ct.ID)
				wantCode(t, err, domain.ENOTFOUND)
			}
			if left, _ := db.Store.Staff(acme.Staff).Contacts(t.Context(), c.ID); len(left) != 0 {
				t.Fatalf("contacts left behind: %v", left)
			}
		})
	}
	t.Run("unknown client", func(t *testing.T) {
		wantCode(t, db.Store.Staff(acme.Staff).DeleteClient(t.Context(), 999999), domain.ENOTFOUND)
	})
	t.Run("deleted twice", func(t *testing.T) {
		c := db.Client(t, acme, "Twice")
		if err := db.Store.Staff(acme.Staff).DeleteClient(t.Context(), c.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Store.Staff(acme.Staff).DeleteClient(t.Context(), c.ID), domain.ENOTFOUND)
	})
}

func testClientCounts(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	abc := db.Client(t, acme, "ABC")
	xyz := db.Client(t, acme, "XYZ")
	s1 := db.Site(t, acme, abc, "Hall", "Nitra")
	db.Site(t, acme, abc, "Shop", "Nitra")
	db.Site(t, acme, xyz, "Depot", "Trnava")
	db.Contact(t, acme, abc, "Ján", "Novák", "")
	db.Project(t, acme, abc, "Yearly", s1)
	db.Project(t, acme, abc, "Extra", nil)
	db.Project(t, acme, abc, "Old", nil)

	counts := func(c *domain.Client) [3]int { return [3]int{c.SiteCount, c.ContactCount, c.ProjectCount} }
	want := map[string][3]int{"ABC": {2, 1, 3}, "XYZ": {1, 0, 0}}

	list, _, err := db.Store.Staff(acme.Staff).Clients(t.Context(), store.ClientFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if counts(c) != want[c.Name] {
			t.Errorf("Clients: %s has sites, contacts, projects %v, want %v", c.Name, counts(c), want[c.Name])
		}
		if got := counts(reloadClient(t, db, acme.Staff, c.ID)); got != want[c.Name] {
			t.Errorf("Client: %s has sites, contacts, projects %v, want %v", c.Name, got, want[c.Name])
		}
	}
	if len(list) != 2 {
		t.Fatalf("Clients = %v", clientNames(list))
	}
}
