package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// TestStaff specifies staff users: creation, lookup, updates, the last administrator, passwords.
func TestStaff(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"CreateStaffUser", testCreateStaffUser},
		spec{"CreateStaffUserStaysInActorsCompany", testCreateStaffUserStaysInActorsCompany},
		spec{"StaffUsersOrderedByName", testStaffUsersOrderedByName},
		spec{"ManagedStaffUsersOnlyForAdministrators", testManagedStaffUsers},
		spec{"StaffCredentials", testStaffCredentials},
		spec{"StaffUserLookup", testStaffUserLookup},
		spec{"UpdateStaffUser", testUpdateStaffUser},
		spec{"LastAdministrator", testLastAdministrator},
		spec{"DisablingStaffUser", testDisablingStaffUser},
		spec{"SetStaffPassword", testSetStaffPassword},
	)
}

func testCreateStaffUser(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	other := db.Tenant(t, "")
	db.StaffUser(t, acme, "ana@acme.test", access.ClientsManage)

	for _, tc := range []struct {
		name   string
		tenant *testenv.Tenant
		user   domain.StaffUser
		hash   string
		fields []string // EINVALID fields; nil = created
	}{
		{name: "with password", tenant: acme, user: domain.StaffUser{Email: "bob@acme.test", Name: "Bob", Permissions: []string{access.ProtocolsWrite, access.SwitchesManage}}, hash: "hash-1"},
		{name: "without password yet", tenant: acme, user: domain.StaffUser{Email: "cyril@acme.test", Name: "Cyril"}},
		{name: "email and name are normalized", tenant: acme, user: domain.StaffUser{Email: "  Dana@ACME.test ", Name: "  Dana  "}, hash: "h"},
		{name: "same email in another tenant is fine", tenant: other, user: domain.StaffUser{Email: "ana@acme.test", Name: "Ana elsewhere"}, hash: "h"},
		{name: "duplicate email", tenant: acme, user: domain.StaffUser{Email: "ana@acme.test", Name: "Ana again"}, hash: "h", fields: []string{"email"}},
		{name: "duplicate email in other case", tenant: acme, user: domain.StaffUser{Email: "ANA@Acme.Test", Name: "Ana again"}, hash: "h", fields: []string{"email"}},
		{name: "email required", tenant: acme, user: domain.StaffUser{Name: "Nobody"}, hash: "h", fields: []string{"email"}},
		{name: "bad email", tenant: acme, user: domain.StaffUser{Email: "ana.acme.test", Name: "Ana"}, hash: "h", fields: []string{"email"}},
		{name: "name required", tenant: acme, user: domain.StaffUser{Email: "blank@acme.test", Name: " "}, hash: "h", fields: []string{"name"}},
		{name: "name over 200 characters", tenant: acme, user: domain.StaffUser{Email: "long@acme.test", Name: strings.Repeat("ž", 201)}, hash: "h", fields: []string{"name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.user
			u.CompanyID = tc.tenant.Company.ID
			before, _ := db.Store.Staff(tc.tenant.Staff).StaffUsers(t.Context())
			err := db.Store.Staff(tc.tenant.Staff).CreateStaffUser(t.Context(), &u, tc.hash)
			after, _ := db.Store.Staff(tc.tenant.Staff).StaffUsers(t.Context())
			if tc.fields != nil {
				wantFields(t, err, tc.fields...)
				if len(after) != len(before) {
					t.Fatalf("refused user was stored: %d users, was %d", len(after), len(before))
				}
				return
			}
			wantCode(t, err, "")
			got, err := db.Store.StaffUser(t.Context(), tc.tenant.Company.ID, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := domain.StaffUser{ID: u.ID, CompanyID: tc.tenant.Company.ID, Email: domain.NormalizeEmail(tc.user.Email),
				Name: strings.TrimSpace(tc.user.Name), Permissions: tc.user.Permissions, HasPassword: tc.hash != "", CreatedAt: got.CreatedAt}
			if want.Permissions == nil {
				want.Permissions = []string{}
			}
			if got.Permissions == nil {
				got.Permissions = []string{}
			}
			if !equalStaff(*got, want) || got.CreatedAt.IsZero() || !got.LastLoginAt.IsZero() {
				t.Fatalf("stored user = %+v\nwant %+v", *got, want)
			}
			if u.Email != want.Email || u.HasPassword != want.HasPassword {
				t.Fatalf("CreateStaffUser left u = %+v", u)
			}
		})
	}
}

func equalStaff(a, b domain.StaffUser) bool {
	return a.ID == b.ID && a.CompanyID == b.CompanyID && a.Email == b.Email && a.Name == b.Name &&
		slices.Equal(a.Permissions, b.Permissions) && a.Disabled == b.Disabled && a.HasPassword == b.HasPassword
}

// An actor of one tenant cannot place a staff user into another tenant by setting
// CompanyID: the user lands in the actor's own company.
func testCreateStaffUserStaysInActorsCompany(t *testing.T, db *testenv.DB) {
	a, b := db.Tenant(t, ""), db.Tenant(t, "")
	u := &domain.StaffUser{CompanyID: b.Company.ID, Email: "mole@a.test", Name: "Mole", Permissions: []string{access.UsersManage}}
	if err := db.Store.Staff(a.Staff).CreateStaffUser(t.Context(), u, "h"); err != nil {
		t.Fatal(err)
	}
	if u.CompanyID != a.Company.ID {
		t.Fatalf("user created in company %d, want the actor's %d", u.CompanyID, a.Company.ID)
	}
	_, err := db.Store.StaffUser(t.Context(), b.Company.ID, u.ID)
	wantCode(t, err, domain.ENOTFOUND)
	if _, _, err := db.Store.StaffCredentials(t.Context(), b.Company.ID, "mole@a.test"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("tenant b has the user: %v", err)
	}
}

func testStaffUsersOrderedByName(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	other := db.Tenant(t, "")
	for _, u := range []struct{ email, name string }{
		{"zora@acme.test", "Zora"}, {"bea2@acme.test", "Bea"}, {"cyril@acme.test", "Cyril"}, {"bea1@acme.test", "Bea"},
	} {
		if err := db.Store.Staff(acme.Staff).CreateStaffUser(t.Context(), &domain.StaffUser{CompanyID: acme.Company.ID, Email: u.email, Name: u.name}, ""); err != nil {
			t.Fatal(err)
		}
	}
	db.StaffUser(t, other, "stranger@other.test")

	users, err := db.Store.Staff(acme.Staff).StaffUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.Email)
	}
	// By name, and in creation order among equal names.
	want := []string{acme.Admin.Email, "bea2@acme.test", "bea1@acme.test", "cyril@acme.test", "zora@acme.test"}
	if !slices.Equal(got, want) {
		t.Fatalf("StaffUsers = %v, want %v", got, want)
	}

	none, err := db.Store.Staff(access.Staff{}).StaffUsers(t.Context())
	if err != nil || len(none) != 0 {
		t.Fatalf("StaffUsers of the zero principal = %v, %v", none, err)
	}
}

func testManagedStaffUsers(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	other := db.Tenant(t, "")
	db.StaffUser(t, other, "stranger@other.test", access.UsersManage)
	for _, tc := range []struct {
		name  string
		staff access.Staff
		want  []string
	}{
		{"an administrator sees the tenant's staff", acme.Staff, []string{acme.Admin.Email, "ana@acme.test", "boris@acme.test"}},
		{"a member without users.manage sees none", member(t, db, acme, "ana@acme.test", access.ClientsManage, access.PortalInvite), nil},
		{"a member with no permission sees none", member(t, db, acme, "boris@acme.test"), nil},
		{"the zero principal sees none", access.Staff{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			users, err := db.Store.Staff(tc.staff).ManagedStaffUsers(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range users {
				got = append(got, u.Email)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("ManagedStaffUsers = %v, want %v", got, tc.want)
			}
		})
	}
}

func testStaffCredentials(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	other := db.Tenant(t, "")
	u := &domain.StaffUser{CompanyID: acme.Company.ID, Email: "ana@acme.test", Name: "Ana", Permissions: []string{access.ClientsManage}}
	if err := db.Store.Staff(acme.Staff).CreateStaffUser(t.Context(), u, "argon2id$ana"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		company int64
		email   string
		code    string
	}{
		{"exact email", acme.Company.ID, "ana@acme.test", ""},
		{"email in other case with spaces", acme.Company.ID, "  ANA@acme.TEST ", ""},
		{"unknown email", acme.Company.ID, "bob@acme.test", domain.ENOTFOUND},
		{"empty email", acme.Company.ID, "", domain.ENOTFOUND},
		{"right email, other tenant", other.Company.ID, "ana@acme.test", domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, hash, err := db.Store.StaffCredentials(t.Context(), tc.company, tc.email)
			wantCode(t, err, tc.code)
			if tc.code != "" {
				if got != nil || hash != "" {
					t.Fatalf("refused lookup returned %+v, %q", got, hash)
				}
				return
			}
			if got.ID != u.ID || got.Email != "ana@acme.test" || hash != "argon2id$ana" || !got.HasPassword ||
				!slices.Equal(got.Permissions, []string{access.ClientsManage}) {
				t.Fatalf("StaffCredentials = %+v, %q", got, hash)
			}
		})
	}
}

func testStaffUserLookup(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	other := db.Tenant(t, "")
	for _, tc := range []struct {
		name        string
		company, id int64
		code        string
	}{
		{"own administrator", acme.Company.ID, acme.Admin.ID, ""},
		{"unknown id", acme.Company.ID, acme.Admin.ID + 1000, domain.ENOTFOUND},
		{"user of another tenant", acme.Company.ID, other.Admin.ID, domain.ENOTFOUND},
		{"no company", 0, acme.Admin.ID, domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := db.Store.StaffUser(t.Context(), tc.company, tc.id)
			wantCode(t, err, tc.code)
			if tc.code == "" && (u.ID != tc.id || u.Email != acme.Admin.Email || !u.HasPassword) {
				t.Fatalf("StaffUser = %+v", u)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func testUpdateStaffUser(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	ana := db.StaffUser(t, acme, "ana@acme.test", access.ClientsManage)

	for _, tc := range []struct {
		name      string
		upd       store.StaffUpdate
		code      string
		fields    []string
		wantName  string
		wantPerms []string
	}{
		{name: "nothing changes", upd: store.StaffUpdate{}, wantName: "Staff ana@acme.test", wantPerms: []string{access.ClientsManage}},
		{name: "rename", upd: store.StaffUpdate{Name: ptr("  Ana Nováková ")}, wantName: "Ana Nováková", wantPerms: []string{access.ClientsManage}},
		{name: "new permissions", upd: store.StaffUpdate{Permissions: &[]string{access.PortalInvite, access.BillingManage}}, wantName: "Ana Nováková", wantPerms: []string{access.PortalInvite, access.BillingManage}},
		{name: "no permissions", upd: store.StaffUpdate{Permissions: &[]string{}}, wantName: "Ana Nováková", wantPerms: []string{}},
		{name: "blank name refused", upd: store.StaffUpdate{Name: ptr("  "), Permissions: &[]string{access.UsersManage}}, code: domain.EINVALID, fields: []string{"name"}, wantName: "Ana Nováková", wantPerms: []string{}},
		{name: "long name refused", upd: store.StaffUpdate{Name: ptr(strings.Repeat("a", 201))}, code: domain.EINVALID, fields: []string{"name"}, wantName: "Ana Nováková", wantPerms: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Store.Staff(acme.Staff).UpdateStaffUser(t.Context(), ana.ID, tc.upd)
			if tc.code == domain.EINVALID {
				wantFields(t, err, tc.fields...)
			} else {
				wantCode(t, err, tc.code)
			}
			if tc.code == "" && (got.Name != tc.wantName || !slices.Equal(got.Permissions, tc.wantPerms)) {
				t.Fatalf("UpdateStaffUser returned %+v", got)
			}
			stored, err := db.Store.StaffUser(t.Context(), acme.Company.ID, ana.ID)
			if err != nil {
				t.Fatal(err)
			}
			perms := stored.Permissions
			if perms == nil {
				perms = []string{}
			}
			if stored.Name != tc.wantName || !slices.Equal(perms, tc.wantPerms) || stored.Email != "ana@acme.test" || stored.Disabled {
				t.Fatalf("stored = %+v, want name %q and permissions %v", stored, tc.wantName, tc.wantPerms)
			}
		})
	}

	t.Run("unknown user", func(t *testing.T) {
		_, err := db.Store.Staff(acme.Staff).UpdateStaffUser(t.Context(), ana.ID+1000, store.StaffUpdate{Name: ptr("X")})
		wantCode(t, err, domain.ENOTFOUND)
	})
}

// The company must always keep an enabled administrator (users.manage), or nobody
// could manage its staff again.
func testLastAdministrator(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	admin := acme.Admin.ID
	noAdmin := &[]string{access.ClientsManage}
	disable, enable := ptr(true), ptr(false)

	steps := []struct {
		name string
		id   func() int64
		upd  store.StaffUpdate
		code string
	}{
		{"last admin cannot drop users.manage", func() int64 { return admin }, store.StaffUpdate{Permissions: noAdmin}, domain.ECONFLICT},
		{"last admin cannot be disabled", func() int64 { return admin }, store.StaffUpdate{Disabled: disable}, domain.ECONFLICT},
		{"last admin cannot be disabled while keeping the permission", func() int64 { return admin }, store.StaffUpdate{Disabled: disable, Permissions: &access.Permissions}, domain.ECONFLICT},
		{"last admin may be renamed", func() int64 { return admin }, store.StaffUpdate{Name: ptr("Boss")}, ""},
		{"last admin may change other permissions", func() int64 { return admin }, store.StaffUpdate{Permissions: &[]string{access.UsersManage}}, ""},
	}
	for _, tc := range steps {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.Store.Staff(acme.Staff).UpdateStaffUser(t.Context(), tc.id(), tc.upd)
			wantCode(t, err, tc.code)
			u, err := db.Store.StaffUser(t.Context(), acme.Company.ID, admin)
			if err != nil {
				t.Fatal(err)
			}
			if u.Disabled || !slices.Contains(u.Permissions, access.UsersManage) {
				t.Fatalf("the last administrator lost their role: %+v", u)
			}
		})
	}

	// A disabled administrator does not count.
	second := db.StaffUser(t, acme, "second@acme.test", access.UsersManage)
	if _, err := db.Store.Staff(acme.Staff).UpdateStaffUser(t.Context(), second.ID, store.StaffUpdate{Disabled: disable}); err != nil {
		t.Fatalf("disabling one of two administrators: %v", err)
	}
	_, err := db.Store.Staff(acme.Staff).UpdateStaffUser(t.Context(), admin, store.StaffUpdate{Permissions: noAdmin})
	wantCode(t, err, domain.ECONFLICT)

	// Once another enabled administrator exists, the first may step down.
	if _, err := db.Store.Staff(acme.Staff).UpdateStaffUser(t.Context(), second.ID, store.StaffUpdate{Disabled: enable}); err != nil {
		t.Fatalf("enabling the second administrator: %v", err)
	}
	u, err := db.Store.Staff(acme.Staff).UpdateStaffUser(t.Context(), admin, store.StaffUpdate{Permissions: noAdmin})
	if err != nil {
		t.Fatalf("stepping down with another administrator around: %v", err)
	}
	if slices.Contains(u.Permissions, access.UsersManage) {
		t.Fatalf("still an administrator: %+v", u)
	}
	// … and then the second is the last one.
	_, err = db.Store.Staff(acme.Staff).UpdateStaffUser(t.Context(), second.ID, store.StaffUpdate{Disabled: disable})
	wantCode(t, err, domain.ECONFLICT)
	// A user who is not an administrator may be disabled freely.
	if _, err := db.Store.Staff(acme.Staff).UpdateStaffUser(t.Context(), admin, store.StaffUpdate{Disabled: disable}); err != nil {
		t.Fatalf("disabling a former administrator: %v", err)
	}
	// Another tenant's administrators do not count for this one.
	other := db.Tenant(t, "")
	_, err = db.Store.Staff(other.Staff).UpdateStaffUser(t.Context(), other.Admin.ID, store.StaffUpdate{Disabled: disable})
	wantCode(t, err, domain.ECONFLICT)
}

func testDisablingStaffUser(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	ana := db.StaffUser(t, acme, "ana@acme.test", access.ClientsManage)
	bob := db.StaffUser(t, acme, "bob@acme.test")
	for _, tok := range []string{"ana-laptop", "ana-phone"} {
		if err := db.Store.CreateStaffSession(t.Context(), acme.Company.ID, ana.ID, tok, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Store.CreateStaffSession(t.Context(), acme.Company.ID, bob.ID, "bob-laptop", time.Hour); err != nil {
		t.Fatal(err)
	}

	db.Clock.Advance(time.Minute)
	u, err := db.Store.Staff(acme.Staff).UpdateStaffUser(t.Context(), ana.ID, store.StaffUpdate{Disabled: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if !u.Disabled {
		t.Fatalf("returned user not disabled: %+v", u)
	}
	if n, _ := db.Store.Staff(acme.Staff).CountStaffSessions(t.Context(), ana.ID); n != 0 {
		t.Fatalf("disabled user still has %d sessions", n)
	}
	_, _, err = db.Store.StaffSession(t.Context(), "ana-phone", time.Hour)
	wantCode(t, err, domain.EUNAUTHORIZED)
	if _, _, err := db.Store.StaffSession(t.Context(), "bob-laptop", time.Hour); err != nil {
		t.Fatalf("another user's session ended too: %v", err)
	}

	// Disabling again keeps the user disabled; enabling brings them back.
	if _, err := db.Store.Staff(acme.Staff).UpdateStaffUser(t.Context(), ana.ID, store.StaffUpdate{Name: ptr("Ana")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Store.StaffUser(t.Context(), acme.Company.ID, ana.ID); !got.Disabled {
		t.Fatalf("a rename enabled the user: %+v", got)
	}
	if _, err := db.Store.Staff(acme.Staff).UpdateStaffUser(t.Context(), ana.ID, store.StaffUpdate{Disabled: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Store.StaffUser(t.Context(), acme.Company.ID, ana.ID); got.Disabled || got.Name != "Ana" {
		t.Fatalf("after enabling: %+v", got)
	}
}

func testSetStaffPassword(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	acme := db.Tenant(t, "")
	other := db.Tenant(t, "")
	ana := &domain.StaffUser{CompanyID: acme.Company.ID, Email: "ana@acme.test", Name: "Ana"}
	if err := db.Store.Staff(acme.Staff).CreateStaffUser(ctx, ana, ""); err != nil {
		t.Fatal(err)
	}
	bob := db.StaffUser(t, acme, "bob@acme.test")
	for _, u := range []*domain.StaffUser{ana, bob} {
		if err := db.Store.CreateStaffSession(ctx, acme.Company.ID, u.ID, "session-"+u.Email, time.Hour); err != nil {
			t.Fatal(err)
		}
		for _, purpose := range []string{store.PurposeActivation, store.PurposeReset} {
			if err := db.Store.CreateStaffToken(ctx, acme.Company.ID, u.ID, purpose, purpose+"-"+u.Email, time.Hour); err != nil {
				t.Fatal(err)
			}
		}
	}

	if err := db.Store.SetStaffPassword(ctx, acme.Company.ID, ana.ID, "new-hash"); err != nil {
		t.Fatal(err)
	}
	got, hash, err := db.Store.StaffCredentials(ctx, acme.Company.ID, "ana@acme.test")
	if err != nil || hash != "new-hash" || !got.HasPassword {
		t.Fatalf("after SetStaffPassword: %+v, %q, %v", got, hash, err)
	}
	// Ana's sessions and links end; Bob's stay.
	_, _, err = db.Store.StaffSession(ctx, "session-ana@acme.test", time.Hour)
	wantCode(t, err, domain.EUNAUTHORIZED)
	for _, purpose := range []string{store.PurposeActivation, store.PurposeReset} {
		_, err := db.Store.StaffTokenUser(ctx, purpose+"-ana@acme.test", purpose)
		wantCode(t, err, domain.ENOTFOUND)
		if _, err := db.Store.StaffTokenUser(ctx, purpose+"-bob@acme.test", purpose); err != nil {
			t.Fatalf("Bob's %s link died: %v", purpose, err)
		}
	}
	if _, _, err := db.Store.StaffSession(ctx, "session-bob@acme.test", time.Hour); err != nil {
		t.Fatalf("Bob's session ended: %v", err)
	}

	for _, tc := range []struct {
		name        string
		company, id int64
	}{
		{"unknown user", acme.Company.ID, bob.ID + 1000},
		{"user of another tenant", acme.Company.ID, other.Admin.ID},
		{"right user, wrong company", other.Company.ID, bob.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, db.Store.SetStaffPassword(ctx, tc.company, tc.id, "evil"), domain.ENOTFOUND)
		})
	}
	if _, hash, _ := db.Store.StaffCredentials(ctx, other.Company.ID, other.Admin.Email); hash == "evil" {
		t.Fatal("another tenant's password changed")
	}
}
