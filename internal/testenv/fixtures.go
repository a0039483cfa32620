package testenv

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/argon2"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/auth"
	"portico/internal/domain"
	"portico/internal/store"
)

// Password is the password of every staff user the fixtures create.
const Password = "correct horse battery"

var (
	hashOnce sync.Once
	hash     string
	seq      atomic.Int64
)

// passwordHash is PasswordHash(Password), made once per run.
func passwordHash(t testing.TB) string {
	hashOnce.Do(func() { hash = PasswordHash(t, Password) })
	return hash
}

// PasswordHash returns an argon2id hash of pw in the format the app writes
// (auth.HashPassword), with argon2id's smallest costs (64 KiB, one pass)
// instead of the app's 19 MiB and two. Checking it is the app's own check —
// auth.CheckPassword reads the costs from the hash — but takes a millisecond
// rather than over half a second of CPU under the race detector, once per
// sign-in of every test. Passwords the app sets itself (activation, reset,
// change) keep the app's costs.
func PasswordHash(t testing.TB, pw string) string {
	const memory, passes, lanes = 64, 1, 1
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		t.Fatal(err)
	}
	key := argon2.IDKey([]byte(pw), salt, passes, memory, lanes, 32)
	b64 := base64.RawStdEncoding
	h := fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memory, passes, lanes,
		b64.EncodeToString(salt), b64.EncodeToString(key))
	if !auth.CheckPassword(h, pw) {
		t.Fatalf("testenv: the app does not accept the fixtures' password hash %s", h)
	}
	return h
}

// Tenant is a service company with an administrator holding every permission.
type Tenant struct {
	Company *domain.Company
	Admin   *domain.StaffUser
	Staff   access.Staff // the administrator as a principal
}

// Tenant creates a tenant with the slug (a unique one when slug is ""), whose
// administrator admin@<slug>.test has Password.
func (db *DB) Tenant(t testing.TB, slug string) *Tenant {
	t.Helper()
	return db.TenantIn(t, slug, "")
}

// TenantIn is Tenant speaking the locale ("sk", or "" for English).
func (db *DB) TenantIn(t testing.TB, slug, locale string) *Tenant {
	t.Helper()
	if slug == "" {
		slug = fmt.Sprintf("t%d", seq.Add(1))
	}
	ctx := context.Background()
	c := &domain.Company{Slug: slug, Name: "Company " + slug, Locale: locale}
	admin := &domain.StaffUser{Email: "admin@" + slug + ".test", Name: "Admin " + slug, Permissions: access.Permissions}
	if err := db.Store.CreateCompany(ctx, c, admin); err != nil {
		t.Fatalf("testenv: tenant %s: %v", slug, err)
	}
	if err := db.Store.SetStaffPassword(ctx, c.ID, admin.ID, passwordHash(t)); err != nil {
		t.Fatal(err)
	}
	admin.HasPassword = true
	return &Tenant{Company: c, Admin: admin, Staff: access.NewStaff(admin)}
}

// StaffUser adds a staff user with the permissions and Password to the tenant.
func (db *DB) StaffUser(t testing.TB, tn *Tenant, email string, perms ...string) *domain.StaffUser {
	t.Helper()
	u := &domain.StaffUser{CompanyID: tn.Company.ID, Email: email, Name: "Staff " + email, Permissions: perms}
	if err := db.Store.Staff(tn.Staff).CreateStaffUser(context.Background(), u, passwordHash(t)); err != nil {
		t.Fatalf("testenv: staff user %s: %v", email, err)
	}
	return u
}

// Client creates a client of the tenant.
func (db *DB) Client(t testing.TB, tn *Tenant, name string) *domain.Client {
	t.Helper()
	c := &domain.Client{Name: name, Email: "office@" + fmt.Sprint(seq.Add(1)) + ".test", City: "Bratislava"}
	if err := db.Store.Staff(tn.Staff).CreateClient(context.Background(), c); err != nil {
		t.Fatalf("testenv: client %s: %v", name, err)
	}
	return c
}

// Site creates a site of the client in the city.
func (db *DB) Site(t testing.TB, tn *Tenant, c *domain.Client, name, city string) *domain.Site {
	t.Helper()
	s := &domain.Site{ClientID: c.ID, Name: name, City: city, Street: "Hlavná 1", Country: "Slovakia"}
	if err := db.Store.Staff(tn.Staff).CreateSite(context.Background(), s); err != nil {
		t.Fatalf("testenv: site %s: %v", name, err)
	}
	return s
}

// Contact creates a contact of the client.
func (db *DB) Contact(t testing.TB, tn *Tenant, c *domain.Client, first, last, email string) *domain.Contact {
	t.Helper()
	ct := &domain.Contact{ClientID: c.ID, FirstName: first, LastName: last, Email: email}
	if err := db.Store.Staff(tn.Staff).CreateContact(context.Background(), ct); err != nil {
		t.Fatalf("testenv: contact %s: %v", email, err)
	}
	return ct
}

// Project creates an active project of the client, at the site if not nil.
func (db *DB) Project(t testing.TB, tn *Tenant, c *domain.Client, name string, site *domain.Site) *domain.Project {
	t.Helper()
	p := &domain.Project{ClientID: c.ID, Name: name, Status: domain.ProjectActive}
	if site != nil {
		p.SiteID = site.ID
	}
	if err := db.Store.Staff(tn.Staff).CreateProject(context.Background(), p); err != nil {
		t.Fatalf("testenv: project %s: %v", name, err)
	}
	return p
}

// PortalUser adds a portal user to the tenant the way the Users page does —
// access to the clients, restricted to the sites when any are given, invitation
// queued — and returns it with its grants.
func (db *DB) PortalUser(t testing.TB, tn *Tenant, n app.NewPortalUser) *domain.PortalUser {
	t.Helper()
	u, err := app.New(db.Store, nil, "").CreatePortalUser(context.Background(), tn.Staff, n)
	if err != nil {
		t.Fatalf("testenv: portal user %s: %v", n.Email, err)
	}
	return u
}

// PortalScope loads the Scope of a tenant's portal user the way the session code
// does, for tests that call the store's portal view directly.
func PortalScope(ctx context.Context, st *store.Store, companyID, userID int64) (access.Scope, error) {
	grants, err := st.PortalGrants(ctx, companyID, userID)
	if err != nil {
		return access.Scope{}, err
	}
	return access.NewScope(companyID, userID, grants), nil
}

// MailPrincipal is the mail worker's principal, for tests that call the store's
// mail view directly.
func MailPrincipal() access.System { return access.NewSystem(access.JobMail) }

// SwitchesPrincipal is the switch bus's principal, for tests that call the
// store's device view directly.
func SwitchesPrincipal() access.System { return access.NewSystem(access.JobSwitches) }
