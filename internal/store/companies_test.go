package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// TestCompanies specifies tenants: creating them with their first administrator, and finding them.
func TestCompanies(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"CreateCompany", testCreateCompany},
		spec{"CreateCompanyKeepsGivenSettings", testCreateCompanyKeepsGivenSettings},
		spec{"CompanyLookups", testCompanyLookups},
	)
}

func testCreateCompany(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	if err := db.Store.CreateCompany(ctx, &domain.Company{Slug: "taken", Name: "Taken"},
		&domain.StaffUser{Email: "boss@taken.test"}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name       string
		slug       string
		company    string
		adminEmail string
		wantSlug   string   // when valid
		code       string   // "" = created
		fields     []string // for EINVALID
	}{
		{name: "valid", slug: "acme-pest", company: "Acme Pest", adminEmail: "boss@acme.test", wantSlug: "acme-pest"},
		{name: "slug is trimmed and lower-cased", slug: "  Nova-Clean ", company: "Nova Clean", adminEmail: "x@nova.test", wantSlug: "nova-clean"},
		{name: "one-character slug", slug: "x", company: "X", adminEmail: "x@x.test", wantSlug: "x"},
		{name: "40-character slug", slug: strings.Repeat("a", 40), company: "Long", adminEmail: "x@long.test", wantSlug: strings.Repeat("a", 40)},
		{name: "admin email is normalized", slug: "upper", company: "Upper", adminEmail: " Boss@Upper.TEST ", wantSlug: "upper"},

		{name: "empty slug", slug: "", company: "Acme", adminEmail: "a@b.test", code: domain.EINVALID, fields: []string{"slug"}},
		{name: "leading hyphen", slug: "-acme", company: "Acme", adminEmail: "a@b.test", code: domain.EINVALID, fields: []string{"slug"}},
		{name: "trailing hyphen", slug: "acme-", company: "Acme", adminEmail: "a@b.test", code: domain.EINVALID, fields: []string{"slug"}},
		{name: "underscore", slug: "acme_pest", company: "Acme", adminEmail: "a@b.test", code: domain.EINVALID, fields: []string{"slug"}},
		{name: "inner space", slug: "acme pest", company: "Acme", adminEmail: "a@b.test", code: domain.EINVALID, fields: []string{"slug"}},
		{name: "diacritics", slug: "košice", company: "Košice", adminEmail: "a@b.test", code: domain.EINVALID, fields: []string{"slug"}},
		{name: "41 characters", slug: strings.Repeat("a", 41), company: "Acme", adminEmail: "a@b.test", code: domain.EINVALID, fields: []string{"slug"}},
		{name: "name required", slug: "noname", company: "   ", adminEmail: "a@b.test", code: domain.EINVALID, fields: []string{"name"}},
		{name: "name over 200 characters", slug: "longname", company: strings.Repeat("é", 201), adminEmail: "a@b.test", code: domain.EINVALID, fields: []string{"name"}},
		{name: "admin email required", slug: "noemail", company: "N", adminEmail: "", code: domain.EINVALID, fields: []string{"admin_email"}},
		{name: "admin email without domain", slug: "bademail", company: "B", adminEmail: "boss@localhost", code: domain.EINVALID, fields: []string{"admin_email"}},
		{name: "admin email is not an address", slug: "bademail2", company: "B", adminEmail: "not an email", code: domain.EINVALID, fields: []string{"admin_email"}},
		{name: "admin email with display name", slug: "display", company: "D", adminEmail: "Boss <boss@display.test>", code: domain.EINVALID, fields: []string{"admin_email"}},
		{name: "everything wrong at once", slug: "Bad Slug!", company: "", adminEmail: "@", code: domain.EINVALID, fields: []string{"slug", "name", "admin_email"}},
		{name: "duplicate slug", slug: "taken", company: "Again", adminEmail: "b@taken.test", code: domain.ECONFLICT},
		{name: "duplicate slug in other case", slug: " TAKEN", company: "Again", adminEmail: "b@taken.test", code: domain.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &domain.Company{Slug: tc.slug, Name: tc.company}
			admin := &domain.StaffUser{Email: tc.adminEmail}
			err := db.Store.CreateCompany(ctx, c, admin)
			if tc.code == domain.EINVALID {
				wantFields(t, err, tc.fields...)
			} else {
				wantCode(t, err, tc.code)
			}
			if tc.code != "" {
				if c.ID != 0 || admin.ID != 0 {
					t.Fatalf("refused company got ids: company %d, admin %d", c.ID, admin.ID)
				}
				return
			}
			if c.ID == 0 || c.Slug != tc.wantSlug || c.TimeZone != "Europe/Bratislava" || c.Locale != "en" || c.CreatedAt.IsZero() {
				t.Fatalf("created company = %+v, want id, slug %q and default zone and locale", c, tc.wantSlug)
			}
			got, err := db.Store.CompanyBySlug(ctx, tc.wantSlug)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != c.ID || got.Name != strings.TrimSpace(tc.company) || !got.CreatedAt.Equal(c.CreatedAt.Truncate(time.Microsecond)) {
				t.Fatalf("CompanyBySlug = %+v, want %+v", got, c)
			}

			// The first administrator holds every permission even when the caller
			// named none, and has no password until they set one.
			u, err := db.Store.StaffUser(ctx, c.ID, admin.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := domain.NormalizeEmail(tc.adminEmail)
			if u.CompanyID != c.ID || u.Email != want || u.Name != "Administrator" || u.HasPassword || u.Disabled {
				t.Fatalf("admin = %+v, want %s named Administrator without password", u, want)
			}
			if !slices.Equal(u.Permissions, access.Permissions) {
				t.Fatalf("admin permissions = %v, want all of %v", u.Permissions, access.Permissions)
			}
		})
	}
}

func testCreateCompanyKeepsGivenSettings(t *testing.T, db *testenv.DB) {
	c := &domain.Company{Slug: "wien", Name: "  Wiener Kammerjäger ", TimeZone: "Europe/Vienna", Locale: "sk"}
	admin := &domain.StaffUser{Email: "chef@wien.test", Name: "Ľubomír Šťastný", Permissions: []string{access.UsersManage}}
	if err := db.Store.CreateCompany(t.Context(), c, admin); err != nil {
		t.Fatal(err)
	}
	got, err := db.Store.Company(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Wiener Kammerjäger" || got.TimeZone != "Europe/Vienna" || got.Locale != "sk" || got.Slug != "wien" {
		t.Fatalf("Company = %+v", got)
	}
	u, err := db.Store.StaffUser(t.Context(), c.ID, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Ľubomír Šťastný" {
		t.Fatalf("admin name = %q", u.Name)
	}
}

func testCompanyLookups(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	for _, tc := range []struct {
		name   string
		lookup func() (*domain.Company, error)
		wantID int64
		code   string
	}{
		{"by slug", func() (*domain.Company, error) { return db.Store.CompanyBySlug(t.Context(), acme.Company.Slug) }, acme.Company.ID, ""},
		{"by slug in upper case", func() (*domain.Company, error) {
			return db.Store.CompanyBySlug(t.Context(), strings.ToUpper(acme.Company.Slug))
		}, acme.Company.ID, ""},
		{"by id", func() (*domain.Company, error) { return db.Store.Company(t.Context(), acme.Company.ID) }, acme.Company.ID, ""},
		{"unknown slug", func() (*domain.Company, error) { return db.Store.CompanyBySlug(t.Context(), "nobody") }, 0, domain.ENOTFOUND},
		{"empty slug", func() (*domain.Company, error) { return db.Store.CompanyBySlug(t.Context(), "") }, 0, domain.ENOTFOUND},
		{"unknown id", func() (*domain.Company, error) { return db.Store.Company(t.Context(), acme.Company.ID+1000) }, 0, domain.ENOTFOUND},
		{"id zero", func() (*domain.Company, error) { return db.Store.Company(t.Context(), 0) }, 0, domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.lookup()
			wantCode(t, err, tc.code)
			if tc.code == "" && (c.ID != tc.wantID || c.Slug != acme.Company.Slug || c.Name != acme.Company.Name) {
				t.Fatalf("company = %+v, want id %d", c, tc.wantID)
			}
		})
	}
}
