package store_test

import (
	"fmt"
	"testing"
	"time"

	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// TestTokens specifies one-time links: single use, expiry, superseding, purposes.
func TestTokens(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"StaffTokens", testStaffTokens},
		spec{"StaffTokenExpiry", testStaffTokenExpiry},
		spec{"RedeemStaffTokenEndsSessions", testRedeemStaffTokenEndsSessions},
		spec{"CreateStaffTokenOutsideTenant", testCreateStaffTokenOutsideTenant},
	)
}

func testStaffTokens(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	acme := db.Tenant(t, "")

	// Each case gets a fresh user; setup issues links by name, then the checks
	// run in order.
	type check struct {
		link, purpose string
		redeem        bool   // RedeemStaffToken instead of StaffTokenUser
		code          string // "" = the link works
	}
	type issueFunc func(purpose, link string)
	for i, tc := range []struct {
		name   string
		setup  func(issue issueFunc)
		checks []check
	}{
		{
			name:  "looking does not use the link",
			setup: func(issue issueFunc) { issue(store.PurposeActivation, "a") },
			checks: []check{
				{link: "a", purpose: store.PurposeActivation},
				{link: "a", purpose: store.PurposeActivation},
				{link: "a", purpose: store.PurposeActivation, redeem: true},
			},
		},
		{
			name:  "a link works once",
			setup: func(issue issueFunc) { issue(store.PurposeReset, "r") },
			checks: []check{
				{link: "r", purpose: store.PurposeReset, redeem: true},
				{link: "r", purpose: store.PurposeReset, redeem: true, code: domain.ENOTFOUND},
				{link: "r", purpose: store.PurposeReset, code: domain.ENOTFOUND},
			},
		},
		{
			name: "a newer link supersedes the older",
			setup: func(issue issueFunc) {
				issue(store.PurposeReset, "old")
				issue(store.PurposeReset, "new")
			},
			checks: []check{
				{link: "old", purpose: store.PurposeReset, code: domain.ENOTFOUND},
				{link: "old", purpose: store.PurposeReset, redeem: true, code: domain.ENOTFOUND},
				{link: "new", purpose: store.PurposeReset, redeem: true},
			},
		},
		{
			name: "a link of another purpose is not superseded",
			setup: func(issue issueFunc) {
				issue(store.PurposeActivation, "a")
				issue(store.PurposeReset, "r")
			},
			checks: []check{
				{link: "a", purpose: store.PurposeActivation},
				{link: "r", purpose: store.PurposeReset},
			},
		},
		{
			name: "using a link kills the user's other links",
			setup: func(issue issueFunc) {
				issue(store.PurposeActivation, "a")
				issue(store.PurposeReset, "r")
			},
			checks: []check{
				{link: "r", purpose: store.PurposeReset, redeem: true},
				{link: "a", purpose: store.PurposeActivation, code: domain.ENOTFOUND},
				{link: "a", purpose: store.PurposeActivation, redeem: true, code: domain.ENOTFOUND},
			},
		},
		{
			name:  "wrong purpose",
			setup: func(issue issueFunc) { issue(store.PurposeActivation, "a") },
			checks: []check{
				{link: "a", purpose: store.PurposeReset, code: domain.ENOTFOUND},
				{link: "a", purpose: store.PurposeReset, redeem: true, code: domain.ENOTFOUND},
				{link: "a", purpose: "", redeem: true, code: domain.ENOTFOUND},
				// The failed attempts did not use it up.
				{link: "a", purpose: store.PurposeActivation, redeem: true},
			},
		},
		{
			name:  "unknown link",
			setup: func(issue issueFunc) {},
			checks: []check{
				{link: "never", purpose: store.PurposeReset, code: domain.ENOTFOUND},
				{link: "never", purpose: store.PurposeReset, redeem: true, code: domain.ENOTFOUND},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := db.StaffUser(t, acme, fmt.Sprintf("user%d@acme.test", i))
			token := func(link string) string { return fmt.Sprintf("case%d-%s", i, link) }
			tc.setup(func(purpose, link string) {
				if err := db.Store.CreateStaffToken(ctx, acme.Company.ID, u.ID, purpose, token(link), time.Hour); err != nil {
					t.Fatal(err)
				}
			})
			for j, c := range tc.checks {
				var got *domain.StaffUser
				var err error
				hash := fmt.Sprint("hash-", i, "-", j)
				if c.redeem {
					got, err = db.Store.RedeemStaffToken(ctx, token(c.link), c.purpose, hash)
				} else {
					got, err = db.Store.StaffTokenUser(ctx, token(c.link), c.purpose)
				}
				if code := domain.ErrorCode(err); code != c.code {
					t.Fatalf("check %d (%q link %q, redeem %v): error code %q, want %q (%v)", j+1, c.purpose, c.link, c.redeem, code, c.code, err)
				}
				if c.code != "" {
					if got != nil {
						t.Fatalf("check %d: refused link returned %+v", j+1, got)
					}
					continue
				}
				if got.ID != u.ID || got.CompanyID != acme.Company.ID {
					t.Fatalf("check %d: link belongs to %+v, want user %d", j+1, got, u.ID)
				}
				if c.redeem {
					_, stored, err := db.Store.StaffCredentials(ctx, acme.Company.ID, u.Email)
					if err != nil || stored != hash || !got.HasPassword {
						t.Fatalf("check %d: after redeeming, hash %q, %+v, %v", j+1, stored, got, err)
					}
				}
			}
		})
	}
}

func testStaffTokenExpiry(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	acme := db.Tenant(t, "")
	const ttl = time.Hour
	for i, tc := range []struct {
		name  string
		after time.Duration
		code  string
	}{
		{"just before expiry", ttl - time.Minute, ""},
		{"just after expiry", ttl + time.Second, domain.ENOTFOUND},
		{"long after expiry", 30 * 24 * time.Hour, domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := db.StaffUser(t, acme, fmt.Sprintf("exp%d@acme.test", i))
			token := fmt.Sprint("exp-", i)
			if err := db.Store.CreateStaffToken(ctx, acme.Company.ID, u.ID, store.PurposeReset, token, ttl); err != nil {
				t.Fatal(err)
			}
			db.Clock.Advance(tc.after)
			_, err := db.Store.StaffTokenUser(ctx, token, store.PurposeReset)
			wantCode(t, err, tc.code)
			_, err = db.Store.RedeemStaffToken(ctx, token, store.PurposeReset, "h")
			wantCode(t, err, tc.code)
		})
	}
}

func testRedeemStaffTokenEndsSessions(t *testing.T, db *testenv.DB) {
	ctx := t.Context()
	acme := db.Tenant(t, "")
	ana := db.StaffUser(t, acme, "ana@acme.test")
	if err := db.Store.CreateStaffSession(ctx, acme.Company.ID, ana.ID, "stolen-session", absolute); err != nil {
		t.Fatal(err)
	}
	if err := db.Store.CreateStaffToken(ctx, acme.Company.ID, ana.ID, store.PurposeReset, "reset", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Store.RedeemStaffToken(ctx, "reset", store.PurposeReset, "fresh"); err != nil {
		t.Fatal(err)
	}
	_, _, err := db.Store.StaffSession(ctx, "stolen-session", idle)
	wantCode(t, err, domain.EUNAUTHORIZED)
}

func testCreateStaffTokenOutsideTenant(t *testing.T, db *testenv.DB) {
	acme := db.Tenant(t, "")
	other := db.Tenant(t, "")
	if err := db.Store.CreateStaffToken(t.Context(), acme.Company.ID, other.Admin.ID, store.PurposeReset, "tok", time.Hour); err == nil {
		t.Fatal("created a link of one tenant for another tenant's user")
	}
	_, err := db.Store.RedeemStaffToken(t.Context(), "tok", store.PurposeReset, "evil")
	wantCode(t, err, domain.ENOTFOUND)
}
