package store_test

import (
	"maps"
	"slices"
	"testing"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// spec is one named behaviour, checked against a database.
type spec struct {
	name string
	run  func(t *testing.T, db *testenv.DB)
}

// runSpecs runs each spec as a subtest on one fresh database per engine. A fresh
// database is the slow part of a test, so the specs of one concern share it; each
// spec makes its own tenants (with generated slugs) and so sees only its own data.
// They share the clock too, and only ever move it forward.
func runSpecs(t *testing.T, specs ...spec) {
	t.Helper()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		for _, s := range specs {
			t.Run(s.name, func(t *testing.T) { s.run(t, db) })
		}
	})
}

// wantCode fails the test unless err carries the domain error code want; "" means
// no error at all.
func wantCode(t testing.TB, err error, want string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != want {
		t.Fatalf("error code = %q, want %q (err: %v)", got, want, err)
	}
}

// wantFields fails the test unless err is EINVALID naming exactly the fields.
func wantFields(t testing.TB, err error, fields ...string) {
	t.Helper()
	wantCode(t, err, domain.EINVALID)
	got := slices.Sorted(maps.Keys(domain.FieldErrors(err)))
	want := slices.Sorted(slices.Values(fields))
	if !slices.Equal(got, want) {
		t.Fatalf("invalid fields = %v, want %v (err: %v)", got, want, err)
	}
}

// member adds a staff user with the permissions to the tenant and returns them as a principal.
func member(t testing.TB, db *testenv.DB, tn *testenv.Tenant, email string, perms ...string) access.Staff {
	t.Helper()
	return access.NewStaff(db.StaffUser(t, tn, email, perms...))
}

// reloadClient reads the client back as sc sees it.
func reloadClient(t testing.TB, db *testenv.DB, staff access.Staff, id int64) *domain.Client {
	t.Helper()
	c, err := db.Store.Staff(staff).Client(t.Context(), id)
	if err != nil {
		t.Fatalf("Client(%d): %v", id, err)
	}
	return c
}

// clientNames lists the names of clients, in order.
func clientNames(cs []*domain.Client) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}
