package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// queuedMail claims the company's due outbox rows and returns them as
// "kind → recipient" lines, sorted.
func queuedMail(t *testing.T, db *testenv.DB, companyID int64) []string {
	t.Helper()
	msgs, err := db.Store.Mail(testenv.MailPrincipal()).ClaimMail(t.Context(), fmt.Sprintf("test-%d", companyID), time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		if m.CompanyID == companyID {
			out = append(out, m.Kind+" → "+m.To)
		} else if err := db.Store.Mail(testenv.MailPrincipal()).ReleaseMail(t.Context(), m.ID, fmt.Sprintf("test-%d", companyID)); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(out)
	return out
}

func wantMail(t *testing.T, db *testenv.DB, companyID int64, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := queuedMail(t, db, companyID); !slices.Equal(got, want) {
		t.Fatalf("queued mail = %q, want %q", got, want)
	}
}

// newPortalUser adds a portal user with access to the client, its invitation queued.
func newPortalUser(t *testing.T, db *testenv.DB, tn *testenv.Tenant, clientID int64, email string) *domain.PortalUser {
	t.Helper()
	return db.PortalUser(t, tn, app.NewPortalUser{FirstName: "P", LastName: "U", Email: email, ClientIDs: []int64{clientID}})
}

func TestPortalLinks(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"links: another tenant cannot use one, a newer one supersedes, a new password ends sessions", func(t *testing.T, db *testenv.DB) {
			tn, other := db.Tenant(t, ""), db.Tenant(t, "")
			c := db.Client(t, tn, "ABC")
			u := newPortalUser(t, db, tn, c.ID, "link@x.test")
			ctx := t.Context()
			if err := db.Store.CreatePortalToken(ctx, tn.Company.ID, u.ID, store.PurposeActivation, "first", 7*24*time.Hour); err != nil {
				t.Fatal(err)
			}
			_, err := db.Store.RedeemPortalToken(ctx, other.Company.ID, "first", store.PurposeActivation, "h")
			wantCode(t, err, domain.ENOTFOUND)
			_, err = db.Store.PortalTokenUser(ctx, other.Company.ID, "first", store.PurposeActivation)
			wantCode(t, err, domain.ENOTFOUND)
			if got, err := db.Store.PortalTokenUser(ctx, tn.Company.ID, "first", store.PurposeActivation); err != nil || got.ID != u.ID {
				t.Fatalf("the link was used up by the other tenant's attempt: %+v, %v", got, err)
			}
			if err := db.Store.CreatePortalToken(ctx, tn.Company.ID, u.ID, store.PurposeActivation, "second", 7*24*time.Hour); err != nil {
				t.Fatal(err)
			}
			_, err = db.Store.PortalTokenUser(ctx, tn.Company.ID, "first", store.PurposeActivation)
			wantCode(t, err, domain.ENOTFOUND)
			if err := db.Store.CreatePortalSession(ctx, tn.Company.ID, u.ID, "old-session", time.Hour); err != nil {
				t.Fatal(err)
			}
			got, err := db.Store.RedeemPortalToken(ctx, tn.Company.ID, "second", store.PurposeActivation, "new-hash")
			if err != nil || got.ID != u.ID || !got.Activated {
				t.Fatalf("redeem = %+v, %v", got, err)
			}
			_, _, err = db.Store.PortalSession(ctx, tn.Company.ID, "old-session", time.Hour)
			wantCode(t, err, domain.EUNAUTHORIZED)
			_, err = db.Store.RedeemPortalToken(ctx, tn.Company.ID, "second", store.PurposeActivation, "again")
			wantCode(t, err, domain.ENOTFOUND)
		}},
		spec{"forgot password queues mail to the stored address, and nothing for an unknown one", func(t *testing.T, db *testenv.DB) {
			tn, other := db.Tenant(t, ""), db.Tenant(t, "")
			newPortalUser(t, db, tn, db.Client(t, tn, "ABC").ID, "owner@abc.test")
			queuedMail(t, db, tn.Company.ID)
			for _, email := range []string{" OWNER@abc.TEST ", "nobody@abc.test"} {
				if err := db.Store.RequestPortalReset(t.Context(), tn.Company.ID, email); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Store.RequestPortalReset(t.Context(), other.Company.ID, "owner@abc.test"); err != nil {
				t.Fatal(err)
			}
			wantMail(t, db, tn.Company.ID, store.MailPortalReset+" → owner@abc.test")
			wantMail(t, db, other.Company.ID)
		}},
	)
}

// Of fifty simultaneous redemptions of one portal link, exactly one wins, and its
// password is the one stored.
func TestRedeemPortalTokenConcurrent(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn := db.Tenant(t, "acme")
		u := newPortalUser(t, db, tn, db.Client(t, tn, "ABC").ID, "race@abc.test")
		if err := db.Store.CreatePortalToken(t.Context(), tn.Company.ID, u.ID, store.PurposeActivation, "race-link", time.Hour); err != nil {
			t.Fatal(err)
		}
		const n = 50
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = db.Store.RedeemPortalToken(context.Background(), tn.Company.ID, "race-link", store.PurposeActivation, fmt.Sprint("hash-", i))
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch domain.ErrorCode(err) {
			case "":
				if winner >= 0 {
					t.Fatalf("both %d and %d redeemed the link", winner, i)
				}
				winner = i
			case domain.ENOTFOUND:
			default:
				t.Errorf("redemption %d: %v", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("no redemption succeeded")
		}
		_, hash, err := db.Store.PortalCredentials(t.Context(), tn.Company.ID, u.Email)
		if err != nil || hash != fmt.Sprint("hash-", winner) {
			t.Fatalf("stored hash %q, %v; the winner set hash-%d", hash, err, winner)
		}
	})
}
