package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"portico/internal/access"
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

func invitePortal(t *testing.T, db *testenv.DB, staff access.Staff, clientID int64, email string) *store.InviteResult {
	t.Helper()
	res, err := db.Store.Staff(staff).InvitePortalUser(t.Context(), store.Invitation{ClientID: clientID, Email: email})
	if err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	return res
}

// activatePortal sets the user's password as a redeemed link would.
func activatePortal(t *testing.T, db *testenv.DB, companyID, userID int64) {
	t.Helper()
	if err := db.Store.SetPortalPassword(t.Context(), companyID, userID, "hash-of-a-password"); err != nil {
		t.Fatal(err)
	}
}

func TestPortalUsers(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"an invitation creates the account, grants all sites and queues the mail in one go", func(t *testing.T, db *testenv.DB) {
			tn := db.Tenant(t, "")
			c := db.Client(t, tn, "ABC s.r.o.")
			res := invitePortal(t, db, tn.Staff, c.ID, "  Owner@ABC.test ")
			if !res.Created || res.Resent || res.User.Email != "owner@abc.test" || res.User.Activated || res.MailID == 0 {
				t.Fatalf("result = %+v, user %+v", res, res.User)
			}
			if len(res.User.Grants) != 1 || res.User.Grants[0].ClientID != c.ID || !res.User.Grants[0].AllSites() ||
				res.User.Grants[0].InviteMail != res.MailID || res.User.Grants[0].ContactID != 0 {
				t.Fatalf("grants = %+v", res.User.Grants)
			}
			wantMail(t, db, tn.Company.ID, store.MailPortalInvitation+" → owner@abc.test")
			sc, err := testenv.PortalScope(t.Context(), db.Store, tn.Company.ID, res.User.ID)
			if err != nil || !sc.HasClient(c.ID) || !sc.AllSitesOf(c.ID) {
				t.Fatalf("scope = %+v, %v", sc, err)
			}
		}},
		spec{"re-inviting resends; an active account is told it has access", func(t *testing.T, db *testenv.DB) {
			tn := db.Tenant(t, "")
			a, b := db.Client(t, tn, "Alfa"), db.Client(t, tn, "Beta")
			first := invitePortal(t, db, tn.Staff, a.ID, "jan@x.test")
			again := invitePortal(t, db, tn.Staff, a.ID, "JAN@x.test")
			if again.Created || !again.Resent || again.User.ID != first.User.ID || again.MailID == first.MailID {
				t.Fatalf("re-invite = %+v", again)
			}
			if g := again.User.Grants; len(g) != 1 || g[0].InviteMail != again.MailID {
				t.Fatalf("the grant does not point at the newest mail: %+v", g)
			}
			wantMail(t, db, tn.Company.ID, store.MailPortalInvitation+" → jan@x.test", store.MailPortalInvitation+" → jan@x.test")

			activatePortal(t, db, tn.Company.ID, first.User.ID)
			res := invitePortal(t, db, tn.Staff, b.ID, "jan@x.test")
			if res.Created || res.Resent || !res.User.Activated || len(res.User.Grants) != 2 {
				t.Fatalf("inviting an active account = %+v, user %+v", res, res.User)
			}
			wantMail(t, db, tn.Company.ID, store.MailPortalAccessGranted+" → jan@x.test")
			_, hash, err := db.Store.PortalCredentials(t.Context(), tn.Company.ID, "jan@x.test")
			if err != nil || hash != "hash-of-a-password" {
				t.Fatalf("the password changed: %q, %v", hash, err)
			}
		}},
		spec{"a contact's invitation links the grant to the contact", func(t *testing.T, db *testenv.DB) {
			tn := db.Tenant(t, "")
			c := db.Client(t, tn, "ABC")
			jana := db.Contact(t, tn, c, "Jana", "Nová", "jana@abc.test")
			res, err := db.Store.Staff(tn.Staff).InvitePortalUser(t.Context(), store.Invitation{ClientID: c.ID, Email: jana.Email, ContactID: jana.ID})
			if err != nil {
				t.Fatal(err)
			}
			if res.User.FirstName != "Jana" || res.User.LastName != "Nová" || res.User.Grants[0].ContactID != jana.ID {
				t.Fatalf("user = %+v, grants %+v", res.User, res.User.Grants)
			}
			other := db.Client(t, tn, "Other")
			_, err = db.Store.Staff(tn.Staff).InvitePortalUser(t.Context(), store.Invitation{ClientID: other.ID, Email: jana.Email, ContactID: jana.ID})
			wantCode(t, err, domain.ENOTFOUND) // the contact belongs to another client
		}},
		spec{"invitations are refused without permission, with a bad email, or for another tenant's client", func(t *testing.T, db *testenv.DB) {
			tn, other := db.Tenant(t, ""), db.Tenant(t, "")
			c, oc := db.Client(t, tn, "Mine"), db.Client(t, other, "Theirs")
			manager := member(t, db, tn, "mgr@"+tn.Company.Slug+".test", access.ClientsManage)
			_, err := db.Store.Staff(manager).InvitePortalUser(t.Context(), store.Invitation{ClientID: c.ID, Email: "x@x.test"})
			wantCode(t, err, domain.EFORBIDDEN)
			_, err = db.Store.Staff(manager).CreatePortalUser(t.Context(), store.NewPortalUser{FirstName: "A", LastName: "B", Email: "x@x.test", ClientIDs: []int64{c.ID}})
			wantCode(t, err, domain.EFORBIDDEN)
			wantCode(t, db.Store.Staff(manager).SendPortalReset(t.Context(), 1), domain.EFORBIDDEN)
			_, err = db.Store.Staff(tn.Staff).InvitePortalUser(t.Context(), store.Invitation{ClientID: c.ID, Email: "not an email"})
			wantFields(t, err, "email")
			_, err = db.Store.Staff(tn.Staff).InvitePortalUser(t.Context(), store.Invitation{ClientID: oc.ID, Email: "x@x.test"})
			wantCode(t, err, domain.ENOTFOUND)
			wantMail(t, db, tn.Company.ID)
		}},
		spec{"sites: a restriction per client, and removing every site restores all", func(t *testing.T, db *testenv.DB) {
			tn := db.Tenant(t, "")
			abc, den, other := db.Client(t, tn, "ABC"), db.Client(t, tn, "Dencorp"), db.Client(t, tn, "Other")
			ba := db.Site(t, tn, abc, "Bratislava", "Bratislava")
			ke := db.Site(t, tn, abc, "Košice", "Košice")
			db.Site(t, tn, den, "Nitra", "Nitra")
			os := db.Site(t, tn, other, "Prešov", "Prešov")
			_, err := db.Store.Staff(tn.Staff).CreatePortalUser(t.Context(), store.NewPortalUser{FirstName: "K", LastName: "V",
				Email: "k@abc.test", ClientIDs: []int64{abc.ID, den.ID}, SiteIDs: []int64{os.ID}})
			wantFields(t, err, "site_ids")
			u, err := db.Store.Staff(tn.Staff).CreatePortalUser(t.Context(), store.NewPortalUser{FirstName: "K", LastName: "V",
				Email: "k@abc.test", ClientIDs: []int64{abc.ID, den.ID}, SiteIDs: []int64{ke.ID}})
			if err != nil {
				t.Fatal(err)
			}
			wantMail(t, db, tn.Company.ID, store.MailPortalInvitation+" → k@abc.test")
			sc, err := testenv.PortalScope(t.Context(), db.Store, tn.Company.ID, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !sc.CanSeeSite(abc.ID, ke.ID) || sc.CanSeeSite(abc.ID, ba.ID) || !sc.AllSitesOf(den.ID) || sc.HasClient(other.ID) {
				t.Fatalf("scope = %+v", sc)
			}
			counts := map[string]int{}
			cs, err := db.Store.Portal(sc).PortalClients(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				counts[c.Name] = c.SiteCount
			}
			if fmt.Sprint(counts) != "map[ABC:1 Dencorp:1]" {
				t.Fatalf("portal clients = %v", counts)
			}

			manager := member(t, db, tn, "mgr@"+tn.Company.Slug+".test", access.ClientsManage)
			if _, err := db.Store.Staff(manager).UpdatePortalAccess(t.Context(), u.ID, store.PortalAccessUpdate{FirstName: "K", LastName: "V",
				ClientIDs: []int64{abc.ID, den.ID}}); err != nil {
				t.Fatal(err)
			}
			sc, _ = testenv.PortalScope(t.Context(), db.Store, tn.Company.ID, u.ID)
			if !sc.AllSitesOf(abc.ID) || !sc.AllSitesOf(den.ID) {
				t.Fatalf("after removing every site, scope = %+v", sc)
			}
			_, err = db.Store.Staff(manager).UpdatePortalAccess(t.Context(), u.ID, store.PortalAccessUpdate{})
			wantFields(t, err, "client_ids")
			_, err = db.Store.Staff(tn.Staff).UpdatePortalAccess(t.Context(), u.ID, store.PortalAccessUpdate{ClientIDs: []int64{abc.ID}})
			wantCode(t, err, "")
		}},
		spec{"disconnecting the last client deletes the account with its sessions, links and queued mail", func(t *testing.T, db *testenv.DB) {
			tn := db.Tenant(t, "")
			a, b := db.Client(t, tn, "Alfa"), db.Client(t, tn, "Beta")
			solo := invitePortal(t, db, tn.Staff, a.ID, "solo@x.test").User
			multi := invitePortal(t, db, tn.Staff, a.ID, "multi@x.test").User
			invitePortal(t, db, tn.Staff, b.ID, "multi@x.test")
			for _, u := range []*domain.PortalUser{solo, multi} {
				if err := db.Store.CreatePortalSession(t.Context(), tn.Company.ID, u.ID, "session-"+u.Email, time.Hour); err != nil {
					t.Fatal(err)
				}
				if err := db.Store.CreatePortalToken(t.Context(), tn.Company.ID, u.ID, store.PurposeReset, "link-"+u.Email, time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			reader := member(t, db, tn, "reader@"+tn.Company.Slug+".test")
			_, err := db.Store.Staff(reader).DisconnectPortalUser(t.Context(), a.ID, solo.ID)
			wantCode(t, err, domain.EFORBIDDEN)

			deleted, err := db.Store.Staff(tn.Staff).DisconnectPortalUser(t.Context(), a.ID, solo.ID)
			if err != nil || !deleted {
				t.Fatalf("disconnect solo: deleted %v, %v", deleted, err)
			}
			_, err = db.Store.Staff(tn.Staff).PortalUser(t.Context(), solo.ID)
			wantCode(t, err, domain.ENOTFOUND)
			_, _, err = db.Store.PortalSession(t.Context(), tn.Company.ID, "session-solo@x.test", time.Hour)
			wantCode(t, err, domain.EUNAUTHORIZED)
			_, err = db.Store.PortalTokenUser(t.Context(), tn.Company.ID, "link-solo@x.test", store.PurposeReset)
			wantCode(t, err, domain.ENOTFOUND)

			deleted, err = db.Store.Staff(tn.Staff).DisconnectPortalUser(t.Context(), a.ID, multi.ID)
			if err != nil || deleted {
				t.Fatalf("disconnect multi: deleted %v, %v", deleted, err)
			}
			u, grants, err := db.Store.PortalSession(t.Context(), tn.Company.ID, "session-multi@x.test", time.Hour)
			sc := access.NewScope(tn.Company.ID, multi.ID, grants)
			if err != nil || u.ID != multi.ID || sc.HasClient(a.ID) || !sc.HasClient(b.ID) {
				t.Fatalf("multi's session after the disconnect: %+v, %+v, %v", u, sc, err)
			}
			_, err = db.Store.Staff(tn.Staff).DisconnectPortalUser(t.Context(), a.ID, multi.ID)
			wantCode(t, err, domain.ENOTFOUND)
			// Only multi's mail is still due; solo's was withdrawn.
			wantMail(t, db, tn.Company.ID, store.MailPortalInvitation+" → multi@x.test", store.MailPortalInvitation+" → multi@x.test")
		}},
		spec{"links: another tenant cannot use one, a newer one supersedes, a new password ends sessions", func(t *testing.T, db *testenv.DB) {
			tn, other := db.Tenant(t, ""), db.Tenant(t, "")
			c := db.Client(t, tn, "ABC")
			u := invitePortal(t, db, tn.Staff, c.ID, "link@x.test").User
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
			invitePortal(t, db, tn.Staff, db.Client(t, tn, "ABC").ID, "owner@abc.test")
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

// Twelve invitations of different people to one client at the same moment: the
// limit of five holds, because the count is checked under a lock on the client.
func TestPortalUserLimitUnderConcurrentInvitations(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn := db.Tenant(t, "acme")
		for round := range 3 {
			c := db.Client(t, tn, fmt.Sprintf("Crowded %d", round))
			if round == 2 {
				// One user already there; the race is for the remaining four places.
				invitePortal(t, db, tn.Staff, c.ID, "early@crowded.test")
			}
			const n = 12
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					email := fmt.Sprintf("person%d@crowded%d.test", i, round)
					if round == 1 && i%2 == 1 {
						// The Users page's Add portal user races the Invite button.
						_, errs[i] = db.Store.Staff(tn.Staff).CreatePortalUser(context.Background(), store.NewPortalUser{
							FirstName: "P", LastName: fmt.Sprint(i), Email: email, ClientIDs: []int64{c.ID}})
						return
					}
					_, errs[i] = db.Store.Staff(tn.Staff).InvitePortalUser(context.Background(), store.Invitation{ClientID: c.ID, Email: email})
				})
			}
			close(start)
			wg.Wait()
			won := 0
			for i, err := range errs {
				switch domain.ErrorCode(err) {
				case "":
					won++
				case domain.ECONFLICT:
				default:
					t.Errorf("round %d, invitation %d: %v", round, i, err)
				}
			}
			users, err := db.Store.Staff(tn.Staff).ClientPortalUsers(t.Context(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantWon := access.MaxPortalUsersPerClient
			if round == 2 {
				wantWon--
			}
			if won != wantWon || len(users) != access.MaxPortalUsersPerClient {
				t.Fatalf("round %d: %d invitations succeeded and the client has %d portal users; want %d and %d",
					round, won, len(users), wantWon, access.MaxPortalUsersPerClient)
			}
			// A refused invitation leaves no account behind.
			all, _, err := db.Store.Staff(tn.Staff).PortalUsers(t.Context(), domain.ListOptions{PerPage: 100})
			if err != nil {
				t.Fatal(err)
			}
			orphans := 0
			for _, u := range all {
				if len(u.Grants) == 0 {
					orphans++
				}
			}
			if orphans != 0 {
				t.Fatalf("round %d: %d accounts without any client", round, orphans)
			}
		}
	})
}

// Of fifty simultaneous redemptions of one portal link, exactly one wins, and its
// password is the one stored.
func TestRedeemPortalTokenConcurrent(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn := db.Tenant(t, "acme")
		u := invitePortal(t, db, tn.Staff, db.Client(t, tn, "ABC").ID, "race@abc.test").User
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
