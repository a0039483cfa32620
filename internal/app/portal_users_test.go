package app_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// fullMessage is what the sixth invitation to a client answers.
func fullMessage(clientName string) string {
	return fmt.Sprintf("%s already has %d portal users, the most a client can have. Disconnect one first.",
		clientName, access.MaxPortalUsersPerClient)
}

// invite invites the email to the client as the Resend button does, failing the test on error.
func invite(t *testing.T, a *app.App, tn *testenv.Tenant, clientID int64, email string) *app.InviteResult {
	t.Helper()
	res, err := a.InvitePortalUser(t.Context(), tn.Staff, clientID, email)
	if err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	return res
}

// activate sets the user's password as a redeemed link would.
func activate(t *testing.T, db *testenv.DB, tn *testenv.Tenant, userID int64) {
	t.Helper()
	if err := db.Store.SetPortalPassword(t.Context(), tn.Company.ID, userID, "hash-of-a-password"); err != nil {
		t.Fatal(err)
	}
}

// fill invites people to the client until it has the most portal users allowed.
func fill(t *testing.T, a *app.App, tn *testenv.Tenant, c *domain.Client) {
	t.Helper()
	users, err := a.StaffView(tn.Staff).ClientPortalUsers(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(users); i < access.MaxPortalUsersPerClient; i++ {
		invite(t, a, tn, c.ID, fmt.Sprintf("person%d@client%d.test", i, c.ID))
	}
}

func TestInvitePortalUser(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"an invitation from the client's card writes the account, the grant, the mail and the audit entry together", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			c := db.Client(t, tn, "ABC s.r.o.")
			res, err := a.InviteClient(t.Context(), tn.Staff, c.ID, app.InviteMainEmail, "")
			if err != nil {
				t.Fatal(err)
			}
			if !res.Created || res.Resent || res.User.Email != c.Email || res.User.Activated || res.MailID == 0 {
				t.Fatalf("result = %+v, user %+v", res, res.User)
			}
			if g := res.User.Grants; len(g) != 1 || g[0].ClientID != c.ID || !g[0].AllSites() || g[0].InviteMail != res.MailID || g[0].ContactID != 0 {
				t.Fatalf("grants = %+v", g)
			}
			wantMail(t, db, tn, store.MailPortalInvitation+" → "+c.Email)
			wantAudit(t, db, tn, "portal.invite: "+c.Email+" → ABC s.r.o.")
			if sc := scope(t, db, tn, res.User.ID); !sc.HasClient(c.ID) || !sc.AllSitesOf(c.ID) {
				t.Fatalf("scope = %+v", sc)
			}
		}},
		spec{"the dialog sends to the protocol email or another address, and refuses a missing one", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			c := &domain.Client{Name: "Hotel Tatra", ProtocolEmail: "protocols@tatra.test"}
			if err := db.Store.Staff(tn.Staff).CreateClient(t.Context(), c); err != nil {
				t.Fatal(err)
			}
			before := accessState(t, db, tn)
			_, err := a.InviteClient(t.Context(), tn.Staff, c.ID, app.InviteMainEmail, "")
			wantFields(t, err, "email_choice")
			_, err = a.InviteClient(t.Context(), tn.Staff, c.ID, app.InviteAnotherEmail, "not an email")
			wantFields(t, err, "other_email")
			_, err = a.InviteClient(t.Context(), tn.Staff, c.ID, "fax", "")
			wantFields(t, err, "email_choice")
			unchanged(t, db, tn, before)

			res, err := a.InviteClient(t.Context(), tn.Staff, c.ID, app.InviteProtocolEmail, "")
			if err != nil || res.User.Email != "protocols@tatra.test" {
				t.Fatalf("protocol email: %+v, %v", res, err)
			}
			res, err = a.InviteClient(t.Context(), tn.Staff, c.ID, app.InviteAnotherEmail, "  Manager@Tatra.TEST ")
			if err != nil || res.User.Email != "manager@tatra.test" {
				t.Fatalf("another email: %+v, %v", res, err)
			}
			wantMail(t, db, tn, store.MailPortalInvitation+" → protocols@tatra.test", store.MailPortalInvitation+" → manager@tatra.test")
		}},
		spec{"a contact's invitation links the grant to the contact and names the account after them", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			c, other := db.Client(t, tn, "ABC"), db.Client(t, tn, "Other")
			jana := db.Contact(t, tn, c, "Jana", "Nová", "jana@abc.test")
			res, err := a.InviteContact(t.Context(), tn.Staff, c.ID, jana.ID)
			if err != nil {
				t.Fatal(err)
			}
			if res.User.FirstName != "Jana" || res.User.LastName != "Nová" || res.User.Grants[0].ContactID != jana.ID {
				t.Fatalf("user = %+v, grants %+v", res.User, res.User.Grants)
			}
			wantMail(t, db, tn, store.MailPortalInvitation+" → jana@abc.test")
			wantAudit(t, db, tn, "portal.invite: jana@abc.test → ABC")

			// Someone invited by address first gets the contact link when invited from the row.
			peter := db.Contact(t, tn, c, "Peter", "Starý", "peter@abc.test")
			first := invite(t, a, tn, c.ID, "peter@abc.test")
			res, err = a.InviteContact(t.Context(), tn.Staff, c.ID, peter.ID)
			if err != nil || !res.Resent || res.User.ID != first.User.ID || res.User.Grants[0].ContactID != peter.ID {
				t.Fatalf("invitation of an invited contact: %+v, %v", res, err)
			}
			wantMail(t, db, tn, store.MailPortalInvitation+" → peter@abc.test", store.MailPortalInvitation+" → peter@abc.test")

			silent := db.Contact(t, tn, c, "Tichý", "Bez", "")
			before := accessState(t, db, tn)
			_, err = a.InviteContact(t.Context(), tn.Staff, other.ID, jana.ID)
			wantCode(t, err, domain.ENOTFOUND) // the contact belongs to another client
			_, err = a.InviteContact(t.Context(), tn.Staff, c.ID, silent.ID)
			wantCode(t, err, domain.EINVALID)
			if msg := domain.ErrorMessage(err); msg != "Tichý Bez has no email address. Add one to the contact first." {
				t.Fatalf("message = %q", msg)
			}
			unchanged(t, db, tn, before)
		}},
		spec{"inviting someone who has access sends again; an active account is told it has access, or reminded", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			alfa, beta := db.Client(t, tn, "Alfa"), db.Client(t, tn, "Beta")
			first := invite(t, a, tn, alfa.ID, "jan@x.test")
			again := invite(t, a, tn, alfa.ID, "JAN@x.test")
			if again.Created || !again.Resent || again.User.ID != first.User.ID || again.MailID == first.MailID {
				t.Fatalf("re-invite = %+v", again)
			}
			if g := again.User.Grants; len(g) != 1 || g[0].InviteMail != again.MailID {
				t.Fatalf("the grant does not point at the newest mail: %+v", g)
			}
			wantMail(t, db, tn, store.MailPortalInvitation+" → jan@x.test", store.MailPortalInvitation+" → jan@x.test")
			wantAudit(t, db, tn, "portal.invite: jan@x.test → Alfa", "portal.resend: jan@x.test → Alfa")

			activate(t, db, tn, first.User.ID)
			res := invite(t, a, tn, beta.ID, "jan@x.test")
			if res.Created || res.Resent || !res.User.Activated || len(res.User.Grants) != 2 {
				t.Fatalf("inviting an active account = %+v, user %+v", res, res.User)
			}
			wantMail(t, db, tn, store.MailPortalAccessGranted+" → jan@x.test")
			// Sent again to the active account, it is a reminder.
			if res := invite(t, a, tn, alfa.ID, "jan@x.test"); !res.Resent {
				t.Fatalf("resend to an active account = %+v", res)
			}
			wantMail(t, db, tn, store.MailPortalReminder+" → jan@x.test")
			_, hash, err := db.Store.PortalCredentials(t.Context(), tn.Company.ID, "jan@x.test")
			if err != nil || hash != "hash-of-a-password" {
				t.Fatalf("the password changed: %q, %v", hash, err)
			}
		}},
		spec{"the sixth person is refused with the reason, and nothing of them is written", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			c, roomy := db.Client(t, tn, "ABC s.r.o."), db.Client(t, tn, "Roomy")
			fill(t, a, tn, c)
			elsewhere := invite(t, a, tn, roomy.ID, "elsewhere@x.test").User
			sixth := db.Contact(t, tn, c, "Šiesty", "Navyše", "sixth@abc.test")
			queuedMail(t, db, tn)
			before := accessState(t, db, tn)

			_, err := a.InvitePortalUser(t.Context(), tn.Staff, c.ID, "sixth@abc.test")
			wantCode(t, err, domain.ECONFLICT)
			if msg := domain.ErrorMessage(err); msg != fullMessage("ABC s.r.o.") {
				t.Fatalf("message = %q, want %q", msg, fullMessage("ABC s.r.o."))
			}
			_, err = a.InviteContact(t.Context(), tn.Staff, c.ID, sixth.ID)
			wantCode(t, err, domain.ECONFLICT)
			_, err = a.CreatePortalUser(t.Context(), tn.Staff, app.NewPortalUser{FirstName: "Š", LastName: "N", Email: "sixth@abc.test",
				ClientIDs: []int64{roomy.ID, c.ID}})
			wantCode(t, err, domain.ECONFLICT)
			_, err = a.InvitePortalUser(t.Context(), tn.Staff, c.ID, elsewhere.Email)
			wantCode(t, err, domain.ECONFLICT)
			_, err = a.UpdatePortalAccess(t.Context(), tn.Staff, elsewhere.ID, app.PortalAccessUpdate{ClientIDs: []int64{roomy.ID, c.ID}})
			wantCode(t, err, domain.ECONFLICT)
			unchanged(t, db, tn, before)
			if _, _, err := db.Store.PortalCredentials(t.Context(), tn.Company.ID, "sixth@abc.test"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("the refused person has an account: %v", err)
			}

			// The five may still be sent their invitation again.
			res := invite(t, a, tn, c.ID, "person0@client"+fmt.Sprint(c.ID)+".test")
			if !res.Resent {
				t.Fatalf("resend to a full client = %+v", res)
			}
		}},
		spec{"without portal.invite nothing is invited, added or reset", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			c := db.Client(t, tn, "ABC")
			jana := db.Contact(t, tn, c, "Jana", "Nová", "jana@abc.test")
			u := invite(t, a, tn, c.ID, "owner@abc.test").User
			manager := member(t, db, tn, access.ClientsManage)
			queuedMail(t, db, tn)
			before := accessState(t, db, tn)

			_, err := a.InviteClient(t.Context(), manager, c.ID, app.InviteMainEmail, "")
			wantCode(t, err, domain.EFORBIDDEN)
			_, err = a.InviteContact(t.Context(), manager, c.ID, jana.ID)
			wantCode(t, err, domain.EFORBIDDEN)
			_, err = a.InvitePortalUser(t.Context(), manager, c.ID, "x@abc.test")
			wantCode(t, err, domain.EFORBIDDEN)
			_, err = a.CreatePortalUser(t.Context(), manager, app.NewPortalUser{FirstName: "A", LastName: "B", Email: "x@abc.test", ClientIDs: []int64{c.ID}})
			wantCode(t, err, domain.EFORBIDDEN)
			wantCode(t, a.SendPortalReset(t.Context(), manager, u.ID), domain.EFORBIDDEN)
			// A forbidden request is refused before its input is looked at.
			_, err = a.InvitePortalUser(t.Context(), manager, c.ID, "not an email")
			wantCode(t, err, domain.EFORBIDDEN)
			unchanged(t, db, tn, before)
		}},
		spec{"another tenant's client and contact are not found, and neither tenant changes", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn, other := db.Tenant(t, ""), db.Tenant(t, "")
			theirs := db.Client(t, other, "Theirs")
			theirContact := db.Contact(t, other, theirs, "Cudzí", "Kontakt", "contact@theirs.test")
			invite(t, a, other, theirs.ID, "owner@theirs.test")
			queuedMail(t, db, other)
			mine, theirsBefore := accessState(t, db, tn), accessState(t, db, other)

			_, err := a.InviteClient(t.Context(), tn.Staff, theirs.ID, app.InviteMainEmail, "")
			wantCode(t, err, domain.ENOTFOUND)
			_, err = a.InvitePortalUser(t.Context(), tn.Staff, theirs.ID, "owner@theirs.test")
			wantCode(t, err, domain.ENOTFOUND)
			_, err = a.InviteContact(t.Context(), tn.Staff, theirs.ID, theirContact.ID)
			wantCode(t, err, domain.ENOTFOUND)
			unchanged(t, db, tn, mine)
			unchanged(t, db, other, theirsBefore)
		}},
	)
}

func TestCreatePortalUser(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"adds the account with its clients and sites, queues one invitation and records it", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			abc, den, other := db.Client(t, tn, "ABC"), db.Client(t, tn, "Dencorp"), db.Client(t, tn, "Other")
			ba := db.Site(t, tn, abc, "Bratislava", "Bratislava")
			ke := db.Site(t, tn, abc, "Košice", "Košice")
			db.Site(t, tn, den, "Nitra", "Nitra")
			u, err := a.CreatePortalUser(t.Context(), tn.Staff, app.NewPortalUser{FirstName: " Katarína ", LastName: "Veselá",
				Email: "K@abc.test", ClientIDs: []int64{abc.ID, den.ID, abc.ID}, SiteIDs: []int64{ke.ID}})
			if err != nil {
				t.Fatal(err)
			}
			if u.Email != "k@abc.test" || u.FirstName != "Katarína" || u.Activated || len(u.Grants) != 2 ||
				u.Grants[0].InviteMail == 0 || u.Grants[0].InviteMail != u.Grants[1].InviteMail {
				t.Fatalf("user = %+v, grants %+v", u, u.Grants)
			}
			wantMail(t, db, tn, store.MailPortalInvitation+" → k@abc.test")
			wantAudit(t, db, tn, "portal.user.create: k@abc.test")
			sc := scope(t, db, tn, u.ID)
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
		}},
		spec{"a taken email, a foreign site or client, or missing fields are refused and leave nothing", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn, stranger := db.Tenant(t, ""), db.Tenant(t, "")
			abc, other := db.Client(t, tn, "ABC"), db.Client(t, tn, "Other")
			prešov := db.Site(t, tn, other, "Prešov", "Prešov")
			theirs := db.Client(t, stranger, "Theirs")
			theirSite := db.Site(t, stranger, theirs, "Cudzie", "Žilina")
			invite(t, a, tn, abc.ID, "taken@abc.test")
			queuedMail(t, db, tn)
			before := accessState(t, db, tn)
			for _, tc := range []struct {
				name   string
				n      app.NewPortalUser
				fields []string
			}{
				{"taken email", app.NewPortalUser{FirstName: "A", LastName: "B", Email: "TAKEN@abc.test", ClientIDs: []int64{abc.ID}}, []string{"email"}},
				{"site of an unassigned client", app.NewPortalUser{FirstName: "A", LastName: "B", Email: "a@abc.test", ClientIDs: []int64{abc.ID}, SiteIDs: []int64{prešov.ID}}, []string{"site_ids"}},
				{"another tenant's site", app.NewPortalUser{FirstName: "A", LastName: "B", Email: "a@abc.test", ClientIDs: []int64{abc.ID}, SiteIDs: []int64{theirSite.ID}}, []string{"site_ids"}},
				{"another tenant's client", app.NewPortalUser{FirstName: "A", LastName: "B", Email: "a@abc.test", ClientIDs: []int64{abc.ID, theirs.ID}}, []string{"client_ids"}},
				{"nothing filled in", app.NewPortalUser{}, []string{"first_name", "last_name", "email", "client_ids"}},
			} {
				_, err := a.CreatePortalUser(t.Context(), tn.Staff, tc.n)
				if domain.ErrorCode(err) != domain.EINVALID {
					t.Fatalf("%s: %v", tc.name, err)
				}
				wantFields(t, err, tc.fields...)
			}
			unchanged(t, db, tn, before)
		}},
	)
}

func TestUpdatePortalAccess(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"name, clients, sites and switches change in one go, and each change is recorded", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			abc, den := db.Client(t, tn, "ABC"), db.Client(t, tn, "Dencorp")
			ba, ke := db.Site(t, tn, abc, "Bratislava", "Bratislava"), db.Site(t, tn, abc, "Košice", "Košice")
			pump, _ := db.Switch(t, tn, db.Project(t, tn, abc, "Irrigation", ke), "Pump", domain.FamilyTasmota, "abc_pump")
			db.Switch(t, tn, db.Project(t, tn, den, "Lights", nil), "Light", domain.FamilyTasmota, "den_light")
			u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "K", LastName: "V", Email: "k@abc.test", ClientIDs: []int64{abc.ID}})
			manager := member(t, db, tn, access.ClientsManage)

			got, err := a.UpdatePortalAccess(t.Context(), manager, u.ID, app.PortalAccessUpdate{FirstName: " Katarína ", LastName: "Veselá",
				ClientIDs: []int64{abc.ID, den.ID}, SiteIDs: []int64{ke.ID}, SwitchIDs: []int64{pump.ID}})
			if err != nil {
				t.Fatal(err)
			}
			if got.FirstName != "Katarína" || got.LastName != "Veselá" || len(got.Grants) != 2 {
				t.Fatalf("user = %+v, grants %+v", got, got.Grants)
			}
			sc := scope(t, db, tn, u.ID)
			if !sc.CanSeeSite(abc.ID, ke.ID) || sc.CanSeeSite(abc.ID, ba.ID) || !sc.AllSitesOf(den.ID) || !sc.CanSeeSwitch(abc.ID, pump.ID) {
				t.Fatalf("scope = %+v", sc)
			}
			wantAudit(t, db, tn, fmt.Sprintf("portal.access.switches: Portal user #%d: switches #%d", u.ID, pump.ID), "portal.access.edit: k@abc.test")

			// Removing every site and switch restores all of them.
			if _, err := a.UpdatePortalAccess(t.Context(), manager, u.ID, app.PortalAccessUpdate{FirstName: "Katarína", LastName: "Veselá",
				ClientIDs: []int64{abc.ID, den.ID}}); err != nil {
				t.Fatal(err)
			}
			if sc := scope(t, db, tn, u.ID); !sc.AllSitesOf(abc.ID) || !sc.AllSitesOf(den.ID) || len(sc.Clients()[0].SwitchIDs) != 0 {
				t.Fatalf("after removing every site and switch, scope = %+v", sc)
			}
			wantAudit(t, db, tn, fmt.Sprintf("portal.access.switches: Portal user #%d: all switches", u.ID), "portal.access.edit: k@abc.test")
			// The Users page's form adds no mail.
			wantMail(t, db, tn, store.MailPortalInvitation+" → k@abc.test")
		}},
		spec{"a bad choice anywhere changes nothing, not even the name or the clients", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			abc, den, other := db.Client(t, tn, "ABC"), db.Client(t, tn, "Dencorp"), db.Client(t, tn, "Other")
			otherSite := db.Site(t, tn, other, "Prešov", "Prešov")
			pump, _ := db.Switch(t, tn, db.Project(t, tn, abc, "Irrigation", nil), "Pump", domain.FamilyTasmota, "abc_pump2")
			foreign, _ := db.Switch(t, tn, db.Project(t, tn, other, "Heating", nil), "Boiler", domain.FamilyTasmota, "other_boiler")
			u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "K", LastName: "V", Email: "k@abc.test", ClientIDs: []int64{abc.ID}})
			if err := a.SetPortalSwitchGrants(t.Context(), tn.Staff, u.ID, []int64{pump.ID}); err != nil {
				t.Fatal(err)
			}
			queuedMail(t, db, tn)
			before := accessState(t, db, tn)
			for _, tc := range []struct {
				name   string
				upd    app.PortalAccessUpdate
				fields []string
			}{
				{"a switch of an unassigned client", app.PortalAccessUpdate{FirstName: "New", ClientIDs: []int64{den.ID}, SwitchIDs: []int64{foreign.ID}}, []string{"switch_ids"}},
				{"a site of an unassigned client", app.PortalAccessUpdate{FirstName: "New", ClientIDs: []int64{den.ID}, SiteIDs: []int64{otherSite.ID}}, []string{"site_ids"}},
				{"no client left", app.PortalAccessUpdate{FirstName: "New"}, []string{"client_ids"}},
			} {
				_, err := a.UpdatePortalAccess(t.Context(), tn.Staff, u.ID, tc.upd)
				if domain.ErrorCode(err) != domain.EINVALID {
					t.Fatalf("%s: %v", tc.name, err)
				}
				wantFields(t, err, tc.fields...)
			}
			unchanged(t, db, tn, before)
		}},
		spec{"needs clients.manage; another tenant's user is not found", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn, other := db.Tenant(t, ""), db.Tenant(t, "")
			abc, theirs := db.Client(t, tn, "ABC"), db.Client(t, other, "Theirs")
			u := db.PortalUser(t, tn, app.NewPortalUser{FirstName: "K", LastName: "V", Email: "k@abc.test", ClientIDs: []int64{abc.ID}})
			stranger := db.PortalUser(t, other, app.NewPortalUser{FirstName: "S", LastName: "T", Email: "s@theirs.test", ClientIDs: []int64{theirs.ID}})
			inviter := member(t, db, tn, access.PortalInvite)
			queuedMail(t, db, tn)
			queuedMail(t, db, other)
			mine, theirsBefore := accessState(t, db, tn), accessState(t, db, other)

			_, err := a.UpdatePortalAccess(t.Context(), inviter, u.ID, app.PortalAccessUpdate{FirstName: "X", ClientIDs: []int64{abc.ID}})
			wantCode(t, err, domain.EFORBIDDEN)
			wantCode(t, a.SetPortalSwitchGrants(t.Context(), inviter, u.ID, nil), domain.EFORBIDDEN)
			_, err = a.UpdatePortalAccess(t.Context(), tn.Staff, stranger.ID, app.PortalAccessUpdate{FirstName: "X", ClientIDs: []int64{abc.ID}})
			wantCode(t, err, domain.ENOTFOUND)
			_, err = a.UpdatePortalAccess(t.Context(), tn.Staff, stranger.ID, app.PortalAccessUpdate{FirstName: "X", ClientIDs: []int64{theirs.ID}})
			wantCode(t, err, domain.ENOTFOUND)
			wantCode(t, a.SetPortalSwitchGrants(t.Context(), tn.Staff, stranger.ID, nil), domain.ENOTFOUND)
			unchanged(t, db, tn, mine)
			unchanged(t, db, other, theirsBefore)
		}},
	)
}

func TestDisconnectPortalUser(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"disconnecting the last client deletes the account with its sessions, links and queued mail", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			alfa, beta := db.Client(t, tn, "Alfa"), db.Client(t, tn, "Beta")
			solo := invite(t, a, tn, alfa.ID, "solo@x.test").User
			multi := invite(t, a, tn, alfa.ID, "multi@x.test").User
			invite(t, a, tn, beta.ID, "multi@x.test")
			for _, u := range []*domain.PortalUser{solo, multi} {
				if err := db.Store.CreatePortalSession(t.Context(), tn.Company.ID, u.ID, "session-"+u.Email, time.Hour); err != nil {
					t.Fatal(err)
				}
				if err := db.Store.CreatePortalToken(t.Context(), tn.Company.ID, u.ID, store.PurposeReset, "link-"+u.Email, time.Hour); err != nil {
					t.Fatal(err)
				}
			}

			before := db.Clock.Now()
			deleted, err := a.DisconnectPortalUser(t.Context(), tn.Staff, alfa.ID, solo.ID)
			if err != nil || !deleted {
				t.Fatalf("disconnect solo: deleted %v, %v", deleted, err)
			}
			after := db.Clock.Now()
			// The deletion is on record, naming the account, who deleted it and when:
			// the account itself is gone.
			wantAudit(t, db, tn, "portal.disconnect: solo@x.test from Alfa", "portal.user.delete: solo@x.test (no client left)")
			entries, _, err := db.Store.Staff(tn.Staff).AuditLog(t.Context(), domain.ListOptions{PerPage: 1})
			if err != nil || len(entries) != 1 {
				t.Fatalf("audit log: %v, %v", entries, err)
			}
			if e := entries[0]; e.ActorID != tn.Admin.ID || e.ActorName != tn.Admin.Name ||
				e.At.Before(before.Truncate(time.Microsecond)) || e.At.After(after) {
				t.Errorf("the deletion's entry: by #%d %q at %v, want #%d %q between %v and %v", e.ActorID, e.ActorName, e.At, tn.Admin.ID, tn.Admin.Name, before, after)
			}
			_, err = a.StaffView(tn.Staff).PortalUser(t.Context(), solo.ID)
			wantCode(t, err, domain.ENOTFOUND)
			_, _, err = db.Store.PortalSession(t.Context(), tn.Company.ID, "session-solo@x.test", time.Hour)
			wantCode(t, err, domain.EUNAUTHORIZED)
			_, err = db.Store.PortalTokenUser(t.Context(), tn.Company.ID, "link-solo@x.test", store.PurposeReset)
			wantCode(t, err, domain.ENOTFOUND)

			deleted, err = a.DisconnectPortalUser(t.Context(), tn.Staff, alfa.ID, multi.ID)
			if err != nil || deleted {
				t.Fatalf("disconnect multi: deleted %v, %v", deleted, err)
			}
			u, grants, err := db.Store.PortalSession(t.Context(), tn.Company.ID, "session-multi@x.test", time.Hour)
			sc := access.NewScope(tn.Company.ID, multi.ID, grants)
			if err != nil || u.ID != multi.ID || sc.HasClient(alfa.ID) || !sc.HasClient(beta.ID) {
				t.Fatalf("multi's session after the disconnect: %+v, %+v, %v", u, sc, err)
			}
			wantAudit(t, db, tn, "portal.disconnect: solo@x.test from Alfa", "portal.user.delete: solo@x.test (no client left)",
				"portal.disconnect: multi@x.test from Alfa")
			// Only multi's mail is still due; solo's was withdrawn.
			wantMail(t, db, tn, store.MailPortalInvitation+" → multi@x.test", store.MailPortalInvitation+" → multi@x.test")
		}},
		spec{"needs clients.manage; a user without access to the client or of another tenant is not found", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn, other := db.Tenant(t, ""), db.Tenant(t, "")
			alfa, beta, theirs := db.Client(t, tn, "Alfa"), db.Client(t, tn, "Beta"), db.Client(t, other, "Theirs")
			u := invite(t, a, tn, alfa.ID, "u@x.test").User
			stranger := invite(t, a, other, theirs.ID, "s@theirs.test").User
			inviter := member(t, db, tn, access.PortalInvite)
			queuedMail(t, db, tn)
			queuedMail(t, db, other)
			mine, theirsBefore := accessState(t, db, tn), accessState(t, db, other)

			_, err := a.DisconnectPortalUser(t.Context(), inviter, alfa.ID, u.ID)
			wantCode(t, err, domain.EFORBIDDEN)
			_, err = a.DisconnectPortalUser(t.Context(), tn.Staff, beta.ID, u.ID)
			wantCode(t, err, domain.ENOTFOUND)
			_, err = a.DisconnectPortalUser(t.Context(), tn.Staff, theirs.ID, stranger.ID)
			wantCode(t, err, domain.ENOTFOUND)
			_, err = a.DisconnectPortalUser(t.Context(), tn.Staff, alfa.ID, stranger.ID)
			wantCode(t, err, domain.ENOTFOUND)
			unchanged(t, db, tn, mine)
			unchanged(t, db, other, theirsBefore)
		}},
	)
}

func TestSendPortalReset(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"queues the reset mail and records it", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn := db.Tenant(t, "")
			u := invite(t, a, tn, db.Client(t, tn, "ABC").ID, "owner@abc.test").User
			queuedMail(t, db, tn)
			if err := a.SendPortalReset(t.Context(), tn.Staff, u.ID); err != nil {
				t.Fatal(err)
			}
			wantMail(t, db, tn, store.MailPortalResetByStaff+" → owner@abc.test")
			wantAudit(t, db, tn, "portal.reset: owner@abc.test")
		}},
		spec{"another tenant's user is not found, and nobody is sent anything", func(t *testing.T, db *testenv.DB, a *app.App) {
			tn, other := db.Tenant(t, ""), db.Tenant(t, "")
			stranger := invite(t, a, other, db.Client(t, other, "Theirs").ID, "s@theirs.test").User
			queuedMail(t, db, other)
			mine, theirsBefore := accessState(t, db, tn), accessState(t, db, other)
			wantCode(t, a.SendPortalReset(t.Context(), tn.Staff, stranger.ID), domain.ENOTFOUND)
			unchanged(t, db, tn, mine)
			unchanged(t, db, other, theirsBefore)
		}},
	)
}

// Twelve invitations of different people to one client at the same moment: the
// limit holds, because the count is taken under a lock on the client.
func TestPortalUserLimitUnderConcurrentInvitations(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		a := app.New(db.Store, nil, "http://portico.test")
		tn := db.Tenant(t, "")
		for round := range 3 {
			c := db.Client(t, tn, fmt.Sprintf("Crowded %d", round))
			if round == 2 {
				// One user already there; the race is for the remaining places.
				invite(t, a, tn, c.ID, "early@crowded.test")
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
						_, errs[i] = a.CreatePortalUser(context.Background(), tn.Staff, app.NewPortalUser{
							FirstName: "P", LastName: fmt.Sprint(i), Email: email, ClientIDs: []int64{c.ID}})
						return
					}
					_, errs[i] = a.InvitePortalUser(context.Background(), tn.Staff, c.ID, email)
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
			users, err := a.StaffView(tn.Staff).ClientPortalUsers(t.Context(), c.ID)
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
			all, _, err := a.StaffView(tn.Staff).PortalUsers(t.Context(), domain.ListOptions{PerPage: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range all {
				if len(u.Grants) == 0 {
					t.Fatalf("round %d: %s has an account without any client", round, u.Email)
				}
			}
		}
		// Every successful invitation queued its mail, and none of the refused did.
		if got := len(queuedMail(t, db, tn)); got != 3*access.MaxPortalUsersPerClient {
			t.Fatalf("%d mails queued, want %d", got, 3*access.MaxPortalUsersPerClient)
		}
	})
}
