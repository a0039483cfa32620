package app_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// spec is one named behaviour of a use case, checked against a database.
type spec struct {
	name string
	run  func(t *testing.T, db *testenv.DB, a *app.App)
}

// runSpecs runs each spec as a subtest on one fresh database per engine, with an
// App over it. A fresh database is the slow part of a test, so the specs of one
// use case share it; each spec makes its own tenants (with generated slugs) and
// so sees only its own data.
func runSpecs(t *testing.T, specs ...spec) {
	t.Helper()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		a := app.New(db.Store, nil, "http://portico.test")
		for _, s := range specs {
			t.Run(s.name, func(t *testing.T) { s.run(t, db, a) })
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

var members atomic.Int64

// member adds a staff user with the permissions to the tenant and returns them as a principal.
func member(t testing.TB, db *testenv.DB, tn *testenv.Tenant, perms ...string) access.Staff {
	t.Helper()
	email := fmt.Sprintf("staff%d@%s.test", members.Add(1), tn.Company.Slug)
	return access.NewStaff(db.StaffUser(t, tn, email, perms...))
}

// queuedMail claims the tenant's due outbox rows and returns them as
// "kind → recipient" lines, sorted; the rows of other tenants are left queued.
func queuedMail(t *testing.T, db *testenv.DB, tn *testenv.Tenant) []string {
	t.Helper()
	owner := fmt.Sprintf("test-%d", tn.Company.ID)
	mail := db.Store.Mail(testenv.MailPrincipal())
	msgs, err := mail.ClaimMail(t.Context(), owner, time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, m := range msgs {
		if m.CompanyID == tn.Company.ID {
			out = append(out, m.Kind+" → "+m.To)
		} else if err := mail.ReleaseMail(t.Context(), m.ID, owner); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(out)
	return out
}

// wantMail fails the test unless exactly the messages were queued for the tenant
// since the last look.
func wantMail(t *testing.T, db *testenv.DB, tn *testenv.Tenant, want ...string) {
	t.Helper()
	want = append([]string{}, want...)
	slices.Sort(want)
	if got := queuedMail(t, db, tn); !slices.Equal(got, want) {
		t.Fatalf("queued mail = %q, want %q", got, want)
	}
}

// auditLog returns the tenant's audit entries as "action: subject", oldest first.
func auditLog(t *testing.T, db *testenv.DB, tn *testenv.Tenant) []string {
	t.Helper()
	entries, _, err := db.Store.Staff(tn.Staff).AuditLog(t.Context(), domain.ListOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range slices.Backward(entries) {
		out = append(out, e.Action+": "+e.Subject)
	}
	return out
}

// wantAudit fails the test unless the tenant's newest audit entries are want, in order.
func wantAudit(t *testing.T, db *testenv.DB, tn *testenv.Tenant, want ...string) {
	t.Helper()
	got := auditLog(t, db, tn)
	if len(got) < len(want) || !slices.Equal(got[len(got)-len(want):], want) {
		t.Fatalf("audit log = %q, want it to end with %q", got, want)
	}
}

// accessState describes the tenant's portal accounts with their grants, site
// restrictions and switch narrowing, and its audit log: what a refused use case
// must leave as it was.
func accessState(t *testing.T, db *testenv.DB, tn *testenv.Tenant) string {
	t.Helper()
	view := db.Store.Staff(tn.Staff)
	users, _, err := view.PortalUsers(t.Context(), domain.ListOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, u := range users {
		fmt.Fprintf(&b, "user #%d %s (%s %s) active=%v\n", u.ID, u.Email, u.FirstName, u.LastName, u.Activated)
		for _, g := range u.Grants {
			fmt.Fprintf(&b, "  client #%d contact #%d sites %v invitation #%d\n", g.ClientID, g.ContactID, g.SiteIDs, g.InviteMail)
		}
		switches, err := view.PortalSwitchGrants(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "  switches %v\n", switches)
	}
	for _, line := range auditLog(t, db, tn) {
		fmt.Fprintf(&b, "audit %s\n", line)
	}
	return b.String()
}

// unchanged fails the test unless the tenant's access is as before and no mail
// was queued for it since the last look.
func unchanged(t *testing.T, db *testenv.DB, tn *testenv.Tenant, before string) {
	t.Helper()
	if after := accessState(t, db, tn); after != before {
		t.Fatalf("the tenant changed:\n--- before\n%s--- after\n%s", before, after)
	}
	wantMail(t, db, tn)
}

// scope is the portal user's Scope as a new session would load it.
func scope(t *testing.T, db *testenv.DB, tn *testenv.Tenant, userID int64) access.Scope {
	t.Helper()
	sc, err := testenv.PortalScope(t.Context(), db.Store, tn.Company.ID, userID)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
