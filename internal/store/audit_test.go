package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

func TestAuditLog(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		acme := db.Tenant(t, "acme")
		other := db.Tenant(t, "other")
		ana := db.StaffUser(t, acme, "ana@acme.test", access.ClientsManage)
		staff := access.NewStaff(ana)
		db.Client(t, other, "Not ours")

		// The tenant fixture wrote nothing; the staff user fixture wrote one entry.
		if _, info, err := db.Store.Staff(acme.Staff).AuditLog(ctx, domain.ListOptions{}); err != nil || info.Total != 1 {
			t.Fatalf("AuditLog before: %+v, %v; want 1 entry", info, err)
		}

		step := func(action func() error) {
			t.Helper()
			db.Clock.Advance(time.Second)
			if err := action(); err != nil {
				t.Fatal(err)
			}
		}
		c := &domain.Client{Name: "ABC"}
		s := &domain.Site{Name: "Hall", City: "Nitra"}
		p := &domain.Project{Name: "Yearly", Status: domain.ProjectActive}
		ct := &domain.Contact{FirstName: "Ján", LastName: "Novák"}
		step(func() error { return db.Store.Staff(staff).CreateClient(ctx, c) })
		step(func() error { c.Phone = "+421"; return db.Store.Staff(staff).UpdateClient(ctx, c) })
		step(func() error { ct.ClientID = c.ID; return db.Store.Staff(staff).CreateContact(ctx, ct) })
		step(func() error { return db.Store.Staff(staff).UpdateContact(ctx, ct) })
		step(func() error { s.ClientID = c.ID; return db.Store.Staff(staff).CreateSite(ctx, s) })
		step(func() error { return db.Store.Staff(staff).UpdateSite(ctx, s) })
		step(func() error { p.ClientID, p.SiteID = c.ID, s.ID; return db.Store.Staff(staff).CreateProject(ctx, p) })
		step(func() error { return db.Store.Staff(staff).UpdateProject(ctx, p) })
		step(func() error { return db.Store.Staff(staff).DeleteProject(ctx, c.ID, p.ID) })
		step(func() error { return db.Store.Staff(staff).DeleteSite(ctx, c.ID, s.ID) })
		step(func() error { return db.Store.Staff(staff).DeleteContact(ctx, c.ID, ct.ID) })
		step(func() error { return db.Store.Staff(staff).ArchiveClient(ctx, c.ID, true) })
		step(func() error { return db.Store.Staff(staff).ArchiveClient(ctx, c.ID, false) })
		step(func() error { return db.Store.Staff(staff).DeleteClient(ctx, c.ID) })
		step(func() error {
			_, err := db.Store.Staff(acme.Staff).UpdateStaffUser(ctx, ana.ID, store.StaffUpdate{Name: ptr("Ana")})
			return err
		})
		// Refused writes leave no trace.
		wantCode(t, db.Store.Staff(staff).CreateClient(ctx, &domain.Client{}), domain.EINVALID)
		wantCode(t, db.Store.Staff(staff).DeleteClient(ctx, c.ID), domain.ENOTFOUND)
		wantCode(t, db.Store.Staff(member(t, db, acme, "reader@acme.test")).CreateClient(ctx, &domain.Client{Name: "X"}), domain.EFORBIDDEN)

		entries, info, err := db.Store.Staff(acme.Staff).AuditLog(ctx, domain.ListOptions{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		// Newest first; reader@acme.test's creation is the newest.
		want := []string{
			"staff.create Staff user reader@acme.test",
			"staff.update Staff user ana@acme.test",
			"client.delete Client ABC",
			"client.restore " + fmt.Sprintf("Client #%d", c.ID),
			"client.archive " + fmt.Sprintf("Client #%d", c.ID),
			"contact.delete " + fmt.Sprintf("Contact #%d", ct.ID),
			"site.delete " + fmt.Sprintf("Site #%d", s.ID),
			"project.delete " + fmt.Sprintf("Project #%d", p.ID),
			"project.update Project Yearly",
			"project.create Project Yearly",
			"site.update Site Hall",
			"site.create Site Hall",
			"contact.update Contact Ján Novák",
			"contact.create Contact Ján Novák",
			"client.update Client ABC",
			"client.create Client ABC",
			"staff.create Staff user ana@acme.test",
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Action+" "+e.Subject)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("AuditLog =\n%q\nwant\n%q", got, want)
		}
		if info.Total != len(want) {
			t.Fatalf("Total = %d, want %d", info.Total, len(want))
		}
		for i, e := range entries {
			if e.CompanyID != acme.Company.ID {
				t.Errorf("entry %d belongs to company %d", i, e.CompanyID)
			}
			if i > 0 && e.At.After(entries[i-1].At) {
				t.Errorf("entry %d (%v) is newer than entry %d (%v)", i, e.At, i-1, entries[i-1].At)
			}
		}
		// Who did it, as they were named then.
		byAna := entries[2]
		if byAna.ActorID != ana.ID || byAna.ActorName != ana.Name {
			t.Errorf("client.delete by %d %q, want Ana (%d %q)", byAna.ActorID, byAna.ActorName, ana.ID, ana.Name)
		}
		byAdmin := entries[1]
		if byAdmin.ActorID != acme.Admin.ID || byAdmin.ActorName != "Admin acme" {
			t.Errorf("staff.update by %d %q, want the administrator", byAdmin.ActorID, byAdmin.ActorName)
		}

		t.Run("pagination", func(t *testing.T) {
			var all []string
			for page := 1; ; page++ {
				es, info, err := db.Store.Staff(acme.Staff).AuditLog(ctx, domain.ListOptions{Page: page, PerPage: 5})
				if err != nil {
					t.Fatal(err)
				}
				if info.Total != len(want) || info.Pages() != 4 || info.Page != page {
					t.Fatalf("page %d: %+v", page, info)
				}
				for _, e := range es {
					all = append(all, e.Action+" "+e.Subject)
				}
				if !info.HasNext() {
					if len(es) != 2 {
						t.Fatalf("last page has %d entries, want 2", len(es))
					}
					break
				}
				if len(es) != 5 {
					t.Fatalf("page %d has %d entries, want 5", page, len(es))
				}
			}
			if !slices.Equal(all, want) {
				t.Fatalf("paged AuditLog =\n%q\nwant\n%q", all, want)
			}
		})

		t.Run("only the company's own", func(t *testing.T) {
			es, info, err := db.Store.Staff(other.Staff).AuditLog(ctx, domain.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if info.Total != 1 || len(es) != 1 || es[0].Subject != "Client Not ours" || es[0].CompanyID != other.Company.ID {
				t.Fatalf("other's AuditLog = %+v, %+v", es, info)
			}
			if es, info, err := db.Store.Staff(access.Staff{}).AuditLog(ctx, domain.ListOptions{}); err != nil || len(es) != 0 || info.Total != 0 {
				t.Fatalf("nobody's AuditLog = %+v, %+v, %v", es, info, err)
			}
		})
	})
}
