package store_test

import (
	"fmt"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// TestSessions specifies staff sessions: sign-in, idle and absolute expiry, sign-out.
func TestSessions(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"StaffSession", testStaffSession},
		spec{"SessionExpiry", testSessionExpiry},
		spec{"SessionOfDisabledUser", testSessionOfDisabledUser},
		spec{"DeleteSession", testDeleteSession},
		spec{"CountStaffSessions", testCountStaffSessions},
		spec{"CreateStaffSessionOutsideTenant", testCreateStaffSessionOutsideTenant},
	)
}

const (
	idle     = 30 * time.Minute
	absolute = 12 * time.Hour
)

func testStaffSession(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	acme := db.Tenant(t, "")
	ana := db.StaffUser(t, acme, "ana@acme.test", access.ClientsManage)

	signIn := db.Store.Now()
	if err := db.Store.CreateStaffSession(ctx, acme.Company.ID, ana.ID, "tok-ana", absolute); err != nil {
		t.Fatal(err)
	}
	u, c, err := db.Store.StaffSession(ctx, "tok-ana", idle)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != ana.ID || u.CompanyID != acme.Company.ID || c.ID != acme.Company.ID || c.Slug != acme.Company.Slug {
		t.Fatalf("StaffSession = %+v, %+v", u, c)
	}
	// Signing in records the time.
	if d := u.LastLoginAt.Sub(signIn); d < 0 || d > 5*time.Second {
		t.Fatalf("LastLoginAt = %v, signed in at %v", u.LastLoginAt, signIn)
	}
	if n, err := db.Store.Staff(acme.Staff).CountStaffSessions(ctx, ana.ID); err != nil || n != 1 {
		t.Fatalf("CountStaffSessions = %d, %v; want 1", n, err)
	}

	for _, tc := range []struct {
		name  string
		token string
	}{
		{"unknown token", "tok-nobody"},
		{"empty token", ""},
		{"token of another case", "TOK-ANA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, c, err := db.Store.StaffSession(ctx, tc.token, idle)
			wantCode(t, err, domain.EUNAUTHORIZED)
			if u != nil || c != nil {
				t.Fatalf("refused session returned %+v, %+v", u, c)
			}
		})
	}
}

func testSessionExpiry(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	acme := db.Tenant(t, "")
	ana := db.StaffUser(t, acme, "ana@acme.test")

	for i, tc := range []struct {
		name   string
		visits []time.Duration // clock advances, each followed by a request
		want   []string        // error code of each request
	}{
		{"used within the idle time", []time.Duration{idle - time.Minute}, []string{""}},
		{"idle for too long", []time.Duration{idle + time.Second}, []string{domain.EUNAUTHORIZED}},
		{"expired stays expired", []time.Duration{idle + time.Second, 0}, []string{domain.EUNAUTHORIZED, domain.EUNAUTHORIZED}},
		{"each visit refreshes the idle time", []time.Duration{20 * time.Minute, 20 * time.Minute, 20 * time.Minute, 20 * time.Minute}, []string{"", "", "", ""}},
		// Last seen is refreshed at most once a minute: a visit 30 s after the
		// previous refresh does not move it, so 29m45s later the session is idle.
		{"refresh at most once a minute", []time.Duration{2 * time.Minute, 30 * time.Second, idle - 15*time.Second}, []string{"", "", domain.EUNAUTHORIZED}},
		{"a visit just over a minute later refreshes", []time.Duration{2 * time.Minute, 61 * time.Second, idle - 15*time.Second}, []string{"", "", ""}},
		{"absolute expiry despite activity", repeat(25*time.Minute, 29), append(repeat("", 28), domain.EUNAUTHORIZED)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			token := fmt.Sprintf("tok-%d", i)
			if err := db.Store.CreateStaffSession(ctx, acme.Company.ID, ana.ID, token, absolute); err != nil {
				t.Fatal(err)
			}
			for j, d := range tc.visits {
				db.Clock.Advance(d)
				_, _, err := db.Store.StaffSession(ctx, token, idle)
				if got := domain.ErrorCode(err); got != tc.want[j] {
					t.Fatalf("visit %d (+%v): error code %q, want %q (%v)", j+1, d, got, tc.want[j], err)
				}
			}
			// An expired session is gone for good.
			if tc.want[len(tc.want)-1] != "" {
				if n, _ := db.Store.Staff(acme.Staff).CountStaffSessions(ctx, ana.ID); n != 0 {
					t.Fatalf("%d sessions left after expiry", n)
				}
			}
			db.Store.DeleteSession(ctx, token)
		})
	}
}

func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func testSessionOfDisabledUser(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	acme := db.Tenant(t, "")
	ana := db.StaffUser(t, acme, "ana@acme.test")
	if _, err := db.Store.Staff(acme.Staff).UpdateStaffUser(ctx, ana.ID, store.StaffUpdate{Disabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	// Even a session created after disabling (say, by a sign-in racing the
	// administrator) does not let the user in.
	if err := db.Store.CreateStaffSession(ctx, acme.Company.ID, ana.ID, "tok-disabled", absolute); err != nil {
		t.Fatal(err)
	}
	_, _, err := db.Store.StaffSession(ctx, "tok-disabled", idle)
	wantCode(t, err, domain.EUNAUTHORIZED)
	if n, _ := db.Store.Staff(acme.Staff).CountStaffSessions(ctx, ana.ID); n != 0 {
		t.Fatalf("the disabled user's session was kept (%d)", n)
	}
}

func testDeleteSession(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	acme := db.Tenant(t, "")
	for _, tok := range []string{"laptop", "phone"} {
		if err := db.Store.CreateStaffSession(ctx, acme.Company.ID, acme.Admin.ID, tok, absolute); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Store.DeleteSession(ctx, "laptop"); err != nil {
		t.Fatal(err)
	}
	_, _, err := db.Store.StaffSession(ctx, "laptop", idle)
	wantCode(t, err, domain.EUNAUTHORIZED)
	if _, _, err := db.Store.StaffSession(ctx, "phone", idle); err != nil {
		t.Fatalf("the other session ended too: %v", err)
	}
	if n, _ := db.Store.Staff(acme.Staff).CountStaffSessions(ctx, acme.Admin.ID); n != 1 {
		t.Fatalf("CountStaffSessions = %d, want 1", n)
	}
	// Signing out twice, or with an unknown token, is not an error.
	for _, tok := range []string{"laptop", "never-existed", ""} {
		if err := db.Store.DeleteSession(ctx, tok); err != nil {
			t.Fatalf("DeleteSession(%q): %v", tok, err)
		}
	}
}

func testCountStaffSessions(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	acme := db.Tenant(t, "")
	other := db.Tenant(t, "")
	ana := db.StaffUser(t, acme, "ana@acme.test")
	for i := range 3 {
		if err := db.Store.CreateStaffSession(ctx, acme.Company.ID, ana.ID, fmt.Sprint("ana-", i), absolute); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		sc   access.Staff
		user int64
		want int
	}{
		{"three sessions", acme.Staff, ana.ID, 3},
		{"none", acme.Staff, acme.Admin.ID, 0},
		{"another tenant cannot count them", other.Staff, ana.ID, 0},
		{"nobody cannot count them", access.Staff{}, ana.ID, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := db.Store.Staff(tc.sc).CountStaffSessions(ctx, tc.user)
			if err != nil || n != tc.want {
				t.Fatalf("CountStaffSessions = %d, %v; want %d", n, err, tc.want)
			}
		})
	}
}

func testCreateStaffSessionOutsideTenant(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	other := db.Tenant(t, "")
	// The composite foreign key refuses a session of acme for other's user.
	if err := db.Store.CreateStaffSession(t.Context(), acme.Company.ID, other.Admin.ID, "tok", absolute); err == nil {
		t.Fatal("created a session of one tenant for another tenant's user")
	}
	_, _, err := db.Store.StaffSession(t.Context(), "tok", idle)
	wantCode(t, err, domain.EUNAUTHORIZED)
}
