package store_test

import (
	"errors"
	"testing"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

func TestStaffTx(t *testing.T) {
	t.Parallel()
	runSpecs(t,
		spec{"a transaction needs the permission it names, and refuses before anything runs", func(t *testing.T, db *testenv.DB) {
			tn := db.Tenant(t, "")
			reader := member(t, db, tn, "reader@"+tn.Company.Slug+".test")
			ran := false
			err := db.Store.Staff(reader).Tx(t.Context(), access.PortalInvite, func(*store.StaffTx) error {
				ran = true
				return nil
			})
			wantCode(t, err, domain.EFORBIDDEN)
			if ran {
				t.Fatal("the function ran without the permission")
			}
		}},
		spec{"an error rolls back every step: the account, the grant, the mail and the audit entry", func(t *testing.T, db *testenv.DB) {
			tn := db.Tenant(t, "")
			c := db.Client(t, tn, "ABC")
			stop := errors.New("stop")
			err := db.Store.Staff(tn.Staff).Tx(t.Context(), access.PortalInvite, func(tx *store.StaffTx) error {
				client, err := tx.LockClient(t.Context(), c.ID)
				if err != nil {
					return err
				}
				u := &domain.PortalUser{Email: "gone@abc.test"}
				if err := tx.InsertPortalUser(t.Context(), u); err != nil {
					return err
				}
				if u.CompanyID != tn.Company.ID {
					t.Errorf("the account was made in company %d, want the member's %d", u.CompanyID, tn.Company.ID)
				}
				if err := tx.InsertGrant(t.Context(), client, u.ID, 0); err != nil {
					return err
				}
				if n, err := tx.CountPortalUsers(t.Context(), client); err != nil || n != 1 {
					t.Errorf("inside the transaction the client has %d portal users (%v), want 1", n, err)
				}
				if _, err := tx.EnqueueMail(t.Context(), store.QueuedMail{Kind: store.MailPortalInvitation, To: u.Email, PortalUserID: u.ID, ClientID: c.ID}); err != nil {
					return err
				}
				if err := tx.Audit(t.Context(), "portal.invite", "gone@abc.test → ABC"); err != nil {
					return err
				}
				return stop
			})
			if !errors.Is(err, stop) {
				t.Fatalf("Tx = %v, want the function's error", err)
			}
			users, _, err := db.Store.Staff(tn.Staff).PortalUsers(t.Context(), domain.ListOptions{})
			if err != nil || len(users) != 0 {
				t.Fatalf("portal users after the rollback: %+v, %v", users, err)
			}
			wantMail(t, db, tn.Company.ID)
			entries, _, err := db.Store.Staff(tn.Staff).AuditLog(t.Context(), domain.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Action == "portal.invite" {
					t.Fatalf("the audit entry survived the rollback: %+v", e)
				}
			}
		}},
		spec{"every step stays inside the member's tenant", func(t *testing.T, db *testenv.DB) {
			tn, other := db.Tenant(t, ""), db.Tenant(t, "")
			db.Client(t, tn, "Mine")
			theirs := db.Client(t, other, "Theirs")
			theirSite := db.Site(t, other, theirs, "Cudzie", "Žilina")
			theirContact := db.Contact(t, other, theirs, "Cudzí", "Kontakt", "contact@theirs.test")
			stranger := newPortalUser(t, db, other, theirs.ID, "s@theirs.test")
			err := db.Store.Staff(tn.Staff).Tx(t.Context(), access.ClientsManage, func(tx *store.StaffTx) error {
				_, err := tx.LockClient(t.Context(), theirs.ID)
				wantCode(t, err, domain.ENOTFOUND)
				_, err = tx.Contact(t.Context(), theirs.ID, theirContact.ID)
				wantCode(t, err, domain.ENOTFOUND)
				_, err = tx.PortalUser(t.Context(), stranger.ID)
				wantCode(t, err, domain.ENOTFOUND)
				_, err = tx.PortalUserByEmail(t.Context(), "s@theirs.test")
				wantCode(t, err, domain.ENOTFOUND)
				_, err = tx.SiteClient(t.Context(), theirSite.ID)
				wantCode(t, err, domain.ENOTFOUND)
				wantCode(t, tx.DeleteGrant(t.Context(), stranger.ID, theirs.ID), domain.ENOTFOUND)
				if has, err := tx.HasGrant(t.Context(), stranger.ID, theirs.ID); err != nil || has {
					t.Errorf("HasGrant of another tenant's user = %v, %v", has, err)
				}
				if ids, err := tx.GrantedClients(t.Context(), stranger.ID); err != nil || len(ids) != 0 {
					t.Errorf("GrantedClients of another tenant's user = %v, %v", ids, err)
				}
				// A client is granted only once locked; the zero LockedClient is refused.
				if err := tx.InsertGrant(t.Context(), store.LockedClient{}, stranger.ID, 0); err == nil {
					t.Error("InsertGrant took a client that was never locked")
				}
				if _, err := tx.CountPortalUsers(t.Context(), store.LockedClient{}); err == nil {
					t.Error("CountPortalUsers took a client that was never locked")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if u, err := db.Store.Staff(other.Staff).PortalUser(t.Context(), stranger.ID); err != nil || len(u.Grants) != 1 {
				t.Fatalf("the other tenant's user after the attempts: %+v, %v", u, err)
			}
		}},
	)
}
