package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// billingWorld is a tenant with client ABC (sites Bratislava and Košice, a project
// at Košice and one at no site), client Other, and portal users: the owner of ABC
// (all sites), a Košice-only and a Bratislava-only user, and a user of Other.
type billingWorld struct {
	*testenv.Tenant
	ABC, Other                      *domain.Client
	Bratislava, Kosice              *domain.Site
	KosiceProject, SitelessProject  *domain.Project
	Owner, KosiceOnly, BratislavaOn *domain.PortalUser
	Stranger                        *domain.PortalUser
	today                           domain.Day
}

func newBillingWorld(t *testing.T, db *testenv.DB, slug string) *billingWorld {
	t.Helper()
	w := &billingWorld{Tenant: db.Tenant(t, slug)}
	w.ABC = db.Client(t, w.Tenant, "ABC s.r.o.")
	w.Other = db.Client(t, w.Tenant, "Other a.s.")
	w.Bratislava = db.Site(t, w.Tenant, w.ABC, "Bratislava", "Bratislava")
	w.Kosice = db.Site(t, w.Tenant, w.ABC, "Košice", "Košice")
	w.KosiceProject = db.Project(t, w.Tenant, w.ABC, "Monitoring Košice", w.Kosice)
	w.SitelessProject = db.Project(t, w.Tenant, w.ABC, "Disinfection 2025", nil)
	user := func(email string, client *domain.Client, sites ...*domain.Site) *domain.PortalUser {
		n := app.NewPortalUser{FirstName: "Ján", LastName: "Novák " + email[:3], Email: email, ClientIDs: []int64{client.ID}}
		for _, s := range sites {
			n.SiteIDs = append(n.SiteIDs, s.ID)
		}
		return db.PortalUser(t, w.Tenant, n)
	}
	w.Owner = user("owner@"+slug+".test", w.ABC)
	w.KosiceOnly = user("kosice@"+slug+".test", w.ABC, w.Kosice)
	w.BratislavaOn = user("ba@"+slug+".test", w.ABC, w.Bratislava)
	w.Stranger = user("other@"+slug+".test", w.Other)
	w.today = domain.DayOf(db.Store.Now(), w.Company.Location())
	return w
}

func (w *billingWorld) scope(t *testing.T, db *testenv.DB, u *domain.PortalUser) access.Scope {
	t.Helper()
	scope, err := testenv.PortalScope(t.Context(), db.Store, w.Company.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return scope
}

func lines(n int) []domain.Line {
	out := []domain.Line{
		{Description: "Deratizácia skladu", Quantity: 1500, Unit: "h", UnitPrice: 3550, VATRate: 2300},
		{Description: "Ratimor pasta", Quantity: 2500, Unit: "kg", UnitPrice: 1890, VATRate: 2300},
		{Description: "Publikácia", Quantity: 1000, Unit: "ks", UnitPrice: 1999, VATRate: 500},
	}
	return out[:n]
}

// newInvoice creates a draft invoice of the client, optionally on a project, due in days.
func newInvoice(t *testing.T, db *testenv.DB, staff access.Staff, c *domain.Client, p *domain.Project, issue domain.Day, dueIn int) *domain.Invoice {
	t.Helper()
	inv := &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: c.ID, Title: "Služby", IssueDate: issue, Lines: lines(3)}, DueDate: issue.AddDays(dueIn)}
	if p != nil {
		inv.ProjectID = p.ID
	}
	if err := db.Store.Staff(staff).CreateInvoice(t.Context(), inv); err != nil {
		t.Fatalf("CreateInvoice: %v", err)
	}
	return inv
}

func newEstimate(t *testing.T, db *testenv.DB, staff access.Staff, c *domain.Client, p *domain.Project, issue domain.Day, validFor int, send bool) *domain.Estimate {
	t.Helper()
	e := &domain.Estimate{BillingDoc: domain.BillingDoc{ClientID: c.ID, Title: "Ponuka", IssueDate: issue, Lines: lines(2)}, ValidUntil: issue.AddDays(validFor)}
	if p != nil {
		e.ProjectID = p.ID
	}
	if err := db.Store.Staff(staff).CreateEstimate(t.Context(), e); err != nil {
		t.Fatalf("CreateEstimate: %v", err)
	}
	if send {
		if _, err := db.Store.Staff(staff).SendEstimate(t.Context(), c.ID, e.ID); err != nil {
			t.Fatalf("SendEstimate: %v", err)
		}
	}
	return e
}

// An invoice from draft to paid and void: drafts change and have no number;
// sending gives the next number of the tenant and year and freezes it; totals
// are stored as computed; overdue follows the clock.
func TestInvoiceLifecycle(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		s := db.Store
		w := newBillingWorld(t, db, "inv")
		staff := w.Staff
		clerk := member(t, db, w.Tenant, "clerk@inv.test", access.ClientsManage)

		draft := &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: w.ABC.ID, IssueDate: w.today, Lines: lines(1)}, DueDate: w.today.AddDays(14)}
		wantCode(t, s.Staff(clerk).CreateInvoice(ctx, draft), domain.EFORBIDDEN)

		bad := &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: w.ABC.ID, IssueDate: w.today, Currency: "euro",
			Lines: []domain.Line{{Description: "", Quantity: 0, UnitPrice: 1, VATRate: 12000}}}, DueDate: w.today.AddDays(-1)}
		wantFields(t, s.Staff(staff).CreateInvoice(ctx, bad), "currency", "due_date", "line_desc.0", "line_qty.0", "line_vat.0")
		foreign := &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: w.Other.ID, ProjectID: w.KosiceProject.ID, IssueDate: w.today}, DueDate: w.today}
		wantFields(t, s.Staff(staff).CreateInvoice(ctx, foreign), "project_id")

		inv := newInvoice(t, db, staff, w.ABC, w.KosiceProject, w.today, 14)
		got, err := s.Staff(staff).Invoice(ctx, w.ABC.ID, inv.ID)
		wantCode(t, err, "")
		if got.Number != "" || got.State() != domain.InvoiceDraft || got.Currency != "EUR" || got.SiteName != "Košice" || got.ProjectName != "Monitoring Košice" {
			t.Fatalf("new invoice = %+v", got.BillingDoc)
		}
		if !slices.Equal(got.Lines, lines(3)) || got.Totals.Gross != domain.ComputeTotals(lines(3)).Gross {
			t.Fatalf("lines or totals changed on the way: %+v %+v", got.Lines, got.Totals)
		}
		list, _, err := s.Staff(staff).Invoices(ctx, store.BillingFilter{ClientID: w.ABC.ID})
		wantCode(t, err, "")
		if len(list) != 1 || list[0].Totals.Net != got.Totals.Net || list[0].Totals.VAT != got.Totals.VAT {
			t.Fatalf("list totals %+v, detail %+v", list[0].Totals, got.Totals)
		}

		// Drafts change; the numbering leaves no gap for a deleted one.
		inv.Lines, inv.Title = lines(2), "Služby — marec"
		wantCode(t, s.Staff(staff).UpdateInvoice(ctx, inv), "")
		gone := newInvoice(t, db, staff, w.ABC, nil, w.today, 14)
		wantCode(t, s.Staff(staff).DeleteInvoice(ctx, w.ABC.ID, gone.ID), "")
		_, err = s.Staff(staff).Invoice(ctx, w.ABC.ID, gone.ID)
		wantCode(t, err, domain.ENOTFOUND)

		empty := &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: w.ABC.ID, IssueDate: w.today}, DueDate: w.today}
		wantCode(t, s.Staff(staff).CreateInvoice(ctx, empty), "")
		_, err = s.Staff(staff).SendInvoice(ctx, w.ABC.ID, empty.ID)
		wantCode(t, err, domain.EINVALID)

		year := w.today.Year()
		n1, err := s.Staff(staff).SendInvoice(ctx, w.ABC.ID, inv.ID)
		wantCode(t, err, "")
		second := newInvoice(t, db, staff, w.Other, nil, w.today, 14)
		n2, err := s.Staff(staff).SendInvoice(ctx, w.Other.ID, second.ID)
		wantCode(t, err, "")
		if want1, want2 := fmt.Sprintf("INV-%d-0001", year), fmt.Sprintf("INV-%d-0002", year); n1 != want1 || n2 != want2 {
			t.Fatalf("numbers %q, %q; want %q, %q", n1, n2, want1, want2)
		}
		_, err = s.Staff(staff).SendInvoice(ctx, w.ABC.ID, inv.ID)
		wantCode(t, err, domain.ECONFLICT)
		wantCode(t, s.Staff(staff).UpdateInvoice(ctx, inv), domain.ECONFLICT)
		wantCode(t, s.Staff(staff).DeleteInvoice(ctx, w.ABC.ID, inv.ID), domain.ECONFLICT)

		// Another tenant and the estimates have sequences of their own.
		o := newBillingWorld(t, db, "inv2")
		other := newInvoice(t, db, o.Staff, o.ABC, nil, o.today, 14)
		if n, err := s.Staff(o.Staff).SendInvoice(ctx, o.ABC.ID, other.ID); err != nil || n != fmt.Sprintf("INV-%d-0001", year) {
			t.Fatalf("other tenant's first number %q, %v", n, err)
		}
		e := newEstimate(t, db, staff, w.ABC, nil, w.today, 30, false)
		if n, err := s.Staff(staff).SendEstimate(ctx, w.ABC.ID, e.ID); err != nil || n != fmt.Sprintf("EST-%d-0001", year) {
			t.Fatalf("first estimate number %q, %v", n, err)
		}

		// Paid, then void; a void invoice can do nothing more.
		wantCode(t, s.Staff(staff).MarkInvoicePaid(ctx, w.ABC.ID, inv.ID), "")
		wantCode(t, s.Staff(staff).MarkInvoicePaid(ctx, w.ABC.ID, inv.ID), domain.ECONFLICT)
		wantCode(t, s.Staff(staff).VoidInvoice(ctx, w.ABC.ID, inv.ID), "")
		wantCode(t, s.Staff(staff).VoidInvoice(ctx, w.ABC.ID, inv.ID), domain.ECONFLICT)
		wantCode(t, s.Staff(staff).MarkInvoicePaid(ctx, w.ABC.ID, inv.ID), domain.ECONFLICT)
		got, _ = s.Staff(staff).Invoice(ctx, w.ABC.ID, inv.ID)
		if got.State() != domain.InvoiceVoid || got.PaidAt.IsZero() || got.VoidedAt.IsZero() || got.Number != n1 {
			t.Fatalf("after void: %+v", got)
		}

		// Overdue is derived from the due day in the tenant's zone: the same row
		// turns overdue when the clock passes its due date.
		due := newInvoice(t, db, staff, w.ABC, nil, w.today, 1)
		if _, err := s.Staff(staff).SendInvoice(ctx, w.ABC.ID, due.ID); err != nil {
			t.Fatal(err)
		}
		states := func() (overdue, sent []int64) {
			t.Helper()
			for _, st := range []string{domain.InvoiceOverdue, domain.InvoiceSent} {
				l, _, err := s.Staff(staff).Invoices(ctx, store.BillingFilter{ClientID: w.ABC.ID, State: st})
				wantCode(t, err, "")
				for _, i := range l {
					if i.State() != st {
						t.Fatalf("filter %q lists an invoice in state %q", st, i.State())
					}
					if st == domain.InvoiceOverdue {
						overdue = append(overdue, i.ID)
					} else {
						sent = append(sent, i.ID)
					}
				}
			}
			return overdue, sent
		}
		if overdue, sent := states(); len(overdue) != 0 || !slices.Equal(sent, []int64{due.ID}) {
			t.Fatalf("before the due date: overdue %v, sent %v", overdue, sent)
		}
		bal, err := s.Staff(staff).InvoiceBalances(ctx, w.ABC.ID)
		wantCode(t, err, "")
		if len(bal) != 1 || bal[0].Outstanding != domain.ComputeTotals(lines(3)).Gross || bal[0].Overdue != 0 {
			t.Fatalf("balances %+v", bal)
		}
		db.Clock.Advance(72 * time.Hour)
		if overdue, sent := states(); !slices.Equal(overdue, []int64{due.ID}) || len(sent) != 0 {
			t.Fatalf("after the due date: overdue %v, sent %v", overdue, sent)
		}
		bal, _ = s.Staff(staff).InvoiceBalances(ctx, w.ABC.ID)
		if bal[0].Overdue != bal[0].Outstanding || bal[0].OverdueN != 1 {
			t.Fatalf("balances after the due date %+v", bal)
		}

		// A client or project with billing documents is not deleted under them.
		err = s.Staff(staff).DeleteProject(ctx, w.ABC.ID, w.KosiceProject.ID)
		if wantCode(t, err, domain.ECONFLICT); !strings.Contains(err.Error(), "invoice") {
			t.Errorf("deleting the project: %v", err)
		}
		if err := s.Staff(staff).DeleteClient(ctx, w.Other.ID); domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "1 invoice") {
			t.Errorf("deleting a client with an invoice: %v", err)
		}
	})
}

// Concurrent senders get distinct, consecutive numbers.
func TestInvoiceNumbersUnderConcurrency(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newBillingWorld(t, db, "seq")
		const n = 8
		var ids []int64
		for range n {
			ids = append(ids, newInvoice(t, db, w.Staff, w.ABC, nil, w.today, 14).ID)
		}
		var mu sync.Mutex
		var numbers []string
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Go(func() {
				num, err := db.Store.Staff(w.Staff).SendInvoice(context.Background(), w.ABC.ID, id)
				if err != nil {
					t.Errorf("SendInvoice: %v", err)
					return
				}
				mu.Lock()
				numbers = append(numbers, num)
				mu.Unlock()
			})
		}
		wg.Wait()
		slices.Sort(numbers)
		for i, num := range numbers {
			if want := fmt.Sprintf("INV-%d-%04d", w.today.Year(), i+1); num != want {
				t.Fatalf("numbers %v: #%d is %q, want %q", numbers, i, num, want)
			}
		}
	})
}

// The portal's view of billing: drafts and void invoices never; a document tied
// to a project at a site follows the site restriction; one at no site needs all
// sites; other clients' and tenants' are not found.
func TestPortalBillingVisibility(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		s := db.Store
		w := newBillingWorld(t, db, "vis")
		o := newBillingWorld(t, db, "vis2")
		send := func(inv *domain.Invoice) *domain.Invoice {
			t.Helper()
			if _, err := s.Staff(w.Staff).SendInvoice(ctx, inv.ClientID, inv.ID); err != nil {
				t.Fatal(err)
			}
			return inv
		}
		atKosice := send(newInvoice(t, db, w.Staff, w.ABC, w.KosiceProject, w.today, 14))
		siteless := send(newInvoice(t, db, w.Staff, w.ABC, nil, w.today, 14))
		onSitelessProject := send(newInvoice(t, db, w.Staff, w.ABC, w.SitelessProject, w.today, 14))
		draft := newInvoice(t, db, w.Staff, w.ABC, w.KosiceProject, w.today, 14)
		void := send(newInvoice(t, db, w.Staff, w.ABC, w.KosiceProject, w.today, 14))
		wantCode(t, s.Staff(w.Staff).VoidInvoice(ctx, w.ABC.ID, void.ID), "")
		others := send(newInvoice(t, db, w.Staff, w.Other, nil, w.today, 14))
		if _, err := s.Staff(o.Staff).SendInvoice(ctx, o.ABC.ID, newInvoice(t, db, o.Staff, o.ABC, nil, o.today, 14).ID); err != nil {
			t.Fatal(err)
		}
		otherTenant, _, _ := s.Staff(o.Staff).Invoices(ctx, store.BillingFilter{ClientID: o.ABC.ID})

		for _, tc := range []struct {
			name string
			user *domain.PortalUser
			sees []*domain.Invoice
		}{
			{"the owner sees every sent invoice of ABC", w.Owner, []*domain.Invoice{atKosice, siteless, onSitelessProject}},
			{"the Košice user sees Košice only, nothing without a site", w.KosiceOnly, []*domain.Invoice{atKosice}},
			{"the Bratislava user sees none of these", w.BratislavaOn, nil},
			{"the other client's user sees their own", w.Stranger, []*domain.Invoice{others}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				scope := w.scope(t, db, tc.user)
				list, info, err := s.Portal(scope).PortalInvoices(ctx, store.BillingFilter{})
				wantCode(t, err, "")
				var got, want []int64
				for _, i := range list {
					got = append(got, i.ID)
				}
				for _, i := range tc.sees {
					want = append(want, i.ID)
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) || info.Total != len(want) {
					t.Fatalf("portal invoices %v (total %d), want %v", got, info.Total, want)
				}
				for _, inv := range []*domain.Invoice{atKosice, siteless, onSitelessProject, draft, void, others, otherTenant[0]} {
					_, err := s.Portal(scope).PortalInvoice(ctx, inv.ID)
					if visible := slices.Contains(want, inv.ID); visible {
						wantCode(t, err, "")
					} else {
						wantCode(t, err, domain.ENOTFOUND)
					}
				}
			})
		}
		// A zero Scope sees nothing.
		list, _, err := s.Portal(access.NewScope(w.Company.ID, 0, nil)).PortalInvoices(ctx, store.BillingFilter{})
		if err != nil || len(list) != 0 {
			t.Fatalf("zero scope: %v, %v", list, err)
		}
	})
}

// Answers to estimates: only inside the Scope, only once, only before expiry;
// each recorded with who and when, and mailed through the outbox in the same
// transaction.
func TestEstimateDecisions(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		s := db.Store
		w := newBillingWorld(t, db, "est")
		wantCode(t, s.Staff(w.Staff).UpdateBillingSettings(ctx, store.BillingSettings{NotificationEmail: "Office@Est.test"}), "")

		kosice := newEstimate(t, db, w.Staff, w.ABC, w.KosiceProject, w.today, 10, true)
		siteless := newEstimate(t, db, w.Staff, w.ABC, nil, w.today, 10, true)
		draft := newEstimate(t, db, w.Staff, w.ABC, w.KosiceProject, w.today, 10, false)
		expired := newEstimate(t, db, w.Staff, w.ABC, nil, w.today.AddDays(-20), 19, true)
		lastDay := newEstimate(t, db, w.Staff, w.ABC, nil, w.today.AddDays(-3), 3, true)

		decide := func(u *domain.PortalUser, e *domain.Estimate, decision, comment string) error {
			_, err := s.Portal(w.scope(t, db, u)).DecideEstimate(ctx, e.ID, decision, comment)
			return err
		}
		for _, tc := range []struct {
			name     string
			user     *domain.PortalUser
			est      *domain.Estimate
			decision string
			code     string
			says     string
		}{
			{"a user of another client: not found", w.Stranger, kosice, domain.EstimateAccepted, domain.ENOTFOUND, ""},
			{"a user of another site: not found", w.BratislavaOn, kosice, domain.EstimateAccepted, domain.ENOTFOUND, ""},
			{"a restricted user and a site-less estimate: not found", w.KosiceOnly, siteless, domain.EstimateAccepted, domain.ENOTFOUND, ""},
			{"a draft: not found", w.Owner, draft, domain.EstimateAccepted, domain.ENOTFOUND, ""},
			{"expired: refused", w.Owner, expired, domain.EstimateAccepted, domain.ECONFLICT, "expired on"},
			{"not a decision", w.Owner, siteless, "maybe", domain.EINVALID, ""},
			{"the Košice user accepts the Košice estimate", w.KosiceOnly, kosice, domain.EstimateAccepted, "", ""},
			{"accepting twice: refused", w.KosiceOnly, kosice, domain.EstimateAccepted, domain.ECONFLICT, "was already accepted"},
			{"declining what was accepted: refused", w.Owner, kosice, domain.EstimateDeclined, domain.ECONFLICT, "was already accepted"},
			{"the last valid day still counts", w.Owner, lastDay, domain.EstimateDeclined, "", ""},
			{"declining twice: refused", w.Owner, lastDay, domain.EstimateDeclined, domain.ECONFLICT, "was already declined"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := decide(tc.user, tc.est, tc.decision, "Prosím začať v pondelok.")
				wantCode(t, err, tc.code)
				if tc.says != "" && !strings.Contains(domain.ErrorMessage(err), tc.says) {
					t.Fatalf("message %q does not say %q", domain.ErrorMessage(err), tc.says)
				}
			})
		}
		wantCode(t, decide(w.Owner, siteless, domain.EstimateAccepted, strings.Repeat("x", 2001)), domain.EINVALID)

		got, err := s.Staff(w.Staff).Estimate(ctx, w.ABC.ID, kosice.ID)
		wantCode(t, err, "")
		d := got.Decision
		if got.State() != domain.EstimateAccepted || d == nil || d.PortalUserID != w.KosiceOnly.ID || d.ByEmail != w.KosiceOnly.Email ||
			d.ByName != w.KosiceOnly.Name() || d.Comment != "Prosím začať v pondelok." || d.At.Sub(db.Store.Now()).Abs() > time.Minute {
			t.Fatalf("recorded decision %+v on %+v", d, got.BillingDoc)
		}
		for _, e := range []*domain.Estimate{draft, expired, siteless} {
			if got, _ := s.Staff(w.Staff).Estimate(ctx, w.ABC.ID, e.ID); got.Decision != nil || got.Status == domain.EstimateAccepted {
				t.Fatalf("estimate %d changed by a refused answer: %+v", e.ID, got)
			}
		}

		// One mail per decision, to the notification address, in the outbox.
		msgs, err := s.Mail(testenv.MailPrincipal()).ClaimMail(ctx, "test", time.Minute, 100)
		wantCode(t, err, "")
		var decisions []store.OutboxMessage
		for _, m := range msgs {
			if m.Kind == store.MailEstimateDecision {
				decisions = append(decisions, m)
			}
		}
		if len(decisions) != 2 {
			t.Fatalf("%d decision mails, want 2 (accepted and declined): %+v", len(decisions), decisions)
		}
		for _, m := range decisions {
			if m.To != "office@est.test" || m.ClientID != w.ABC.ID || m.PortalUserID != 0 {
				t.Fatalf("decision mail %+v", m)
			}
		}
		about, err := s.Mail(testenv.MailPrincipal()).EstimateDecisionMail(ctx, w.Company.ID, decisions[0].ID)
		wantCode(t, err, "")
		if about.ID != kosice.ID || about.Decision == nil || about.Decision.Decision != domain.EstimateAccepted {
			t.Fatalf("the first mail is about %+v", about)
		}

		// The clock moves past valid-until: an open estimate can no longer be answered.
		open := newEstimate(t, db, w.Staff, w.ABC, nil, w.today, 1, true)
		db.Clock.Advance(72 * time.Hour)
		if err := decide(w.Owner, open, domain.EstimateAccepted, ""); domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("accepting after valid-until: %v", err)
		}
		if got, _ := s.Staff(w.Staff).Estimate(ctx, w.ABC.ID, open.ID); got.State() != domain.EstimateExpired {
			t.Fatalf("state after valid-until: %q", got.State())
		}
	})
}

// Without a notification address, decisions go to each enabled staff member who
// manages billing; staff may record a decision for the client, which mails nobody.
func TestEstimateDecisionRecipients(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		s := db.Store
		w := newBillingWorld(t, db, "rcp")
		biller := member(t, db, w.Tenant, "biller@rcp.test", access.BillingManage)
		member(t, db, w.Tenant, "tech@rcp.test", access.ProtocolsWrite)
		gone := db.StaffUser(t, w.Tenant, "gone@rcp.test", access.BillingManage)
		disabled := true
		if _, err := s.Staff(w.Staff).UpdateStaffUser(ctx, gone.ID, store.StaffUpdate{Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		e := newEstimate(t, db, w.Staff, w.ABC, nil, w.today, 10, true)
		if _, err := s.Portal(w.scope(t, db, w.Owner)).DecideEstimate(ctx, e.ID, domain.EstimateDeclined, ""); err != nil {
			t.Fatal(err)
		}
		msgs, _ := s.Mail(testenv.MailPrincipal()).ClaimMail(ctx, "test", time.Minute, 100)
		var to []string
		for _, m := range msgs {
			if m.Kind == store.MailEstimateDecision {
				to = append(to, m.To)
			}
		}
		slices.Sort(to)
		if want := []string{w.Admin.Email, "biller@rcp.test"}; !slices.Equal(to, want) {
			t.Fatalf("decision mailed to %v, want %v", to, want)
		}

		// Staff record a decision: who, and no mail.
		e2 := newEstimate(t, db, w.Staff, w.ABC, nil, w.today, 10, true)
		wantCode(t, s.Staff(member(t, db, w.Tenant, "reader@rcp.test")).RecordEstimateDecision(ctx, w.ABC.ID, e2.ID, domain.EstimateAccepted, ""), domain.EFORBIDDEN)
		wantCode(t, s.Staff(biller).RecordEstimateDecision(ctx, w.ABC.ID, e2.ID, domain.EstimateAccepted, "By phone."), "")
		wantCode(t, s.Staff(biller).RecordEstimateDecision(ctx, w.ABC.ID, e2.ID, domain.EstimateDeclined, ""), domain.ECONFLICT)
		got, _ := s.Staff(w.Staff).Estimate(ctx, w.ABC.ID, e2.ID)
		if d := got.Decision; d == nil || !d.ByStaff() || d.StaffUserID != biller.UserID() || d.ByName != biller.Name() || d.Comment != "By phone." {
			t.Fatalf("staff decision %+v", d)
		}
		if more, _ := s.Mail(testenv.MailPrincipal()).ClaimMail(ctx, "test2", time.Minute, 100); len(more) != 0 {
			t.Fatalf("recording for the client mailed %+v", more)
		}
	})
}

// Of two portal users answering one estimate at the same moment, exactly one wins.
func TestEstimateDecisionRace(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newBillingWorld(t, db, "race")
		e := newEstimate(t, db, w.Staff, w.ABC, w.KosiceProject, w.today, 10, true)
		scopes := []access.Scope{w.scope(t, db, w.Owner), w.scope(t, db, w.KosiceOnly)}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, scope := range scopes {
			wg.Go(func() {
				_, errs[i] = db.Store.Portal(scope).DecideEstimate(context.Background(), e.ID, []string{domain.EstimateAccepted, domain.EstimateDeclined}[i], "")
			})
		}
		wg.Wait()
		codes := []string{domain.ErrorCode(errs[0]), domain.ErrorCode(errs[1])}
		slices.Sort(codes)
		if !slices.Equal(codes, []string{"", domain.ECONFLICT}) {
			t.Fatalf("concurrent answers: %v", errs)
		}
	})
}

// Staff of another tenant find none of a tenant's billing documents, by any method.
func TestBillingTenantIsolation(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		s := db.Store
		a, b := newBillingWorld(t, db, "isoa"), newBillingWorld(t, db, "isob")
		inv := newInvoice(t, db, b.Staff, b.ABC, nil, b.today, 14)
		sent := newInvoice(t, db, b.Staff, b.ABC, nil, b.today, 14)
		if _, err := s.Staff(b.Staff).SendInvoice(ctx, b.ABC.ID, sent.ID); err != nil {
			t.Fatal(err)
		}
		e := newEstimate(t, db, b.Staff, b.ABC, nil, b.today, 10, false)
		se := newEstimate(t, db, b.Staff, b.ABC, nil, b.today, 10, true)
		for name, do := range map[string]func(sc access.Staff) error{
			"Invoice":        func(sc access.Staff) error { _, err := s.Staff(sc).Invoice(ctx, b.ABC.ID, inv.ID); return err },
			"UpdateInvoice":  func(sc access.Staff) error { return s.Staff(sc).UpdateInvoice(ctx, inv) },
			"DeleteInvoice":  func(sc access.Staff) error { return s.Staff(sc).DeleteInvoice(ctx, b.ABC.ID, inv.ID) },
			"SendInvoice":    func(sc access.Staff) error { _, err := s.Staff(sc).SendInvoice(ctx, b.ABC.ID, inv.ID); return err },
			"MarkPaid":       func(sc access.Staff) error { return s.Staff(sc).MarkInvoicePaid(ctx, b.ABC.ID, sent.ID) },
			"Void":           func(sc access.Staff) error { return s.Staff(sc).VoidInvoice(ctx, b.ABC.ID, sent.ID) },
			"Estimate":       func(sc access.Staff) error { _, err := s.Staff(sc).Estimate(ctx, b.ABC.ID, e.ID); return err },
			"UpdateEstimate": func(sc access.Staff) error { return s.Staff(sc).UpdateEstimate(ctx, e) },
			"DeleteEstimate": func(sc access.Staff) error { return s.Staff(sc).DeleteEstimate(ctx, b.ABC.ID, e.ID) },
			"SendEstimate":   func(sc access.Staff) error { _, err := s.Staff(sc).SendEstimate(ctx, b.ABC.ID, e.ID); return err },
			"RecordDecision": func(sc access.Staff) error {
				return s.Staff(sc).RecordEstimateDecision(ctx, b.ABC.ID, se.ID, domain.EstimateAccepted, "")
			},
			"CreateInvoice (their client)": func(sc access.Staff) error {
				return s.Staff(sc).CreateInvoice(ctx, &domain.Invoice{BillingDoc: domain.BillingDoc{ClientID: b.ABC.ID, IssueDate: a.today}, DueDate: a.today})
			},
		} {
			t.Run(name, func(t *testing.T) { wantCode(t, do(a.Staff), domain.ENOTFOUND) })
		}
		// Through the own client's id, too.
		_, err := s.Staff(a.Staff).Invoice(ctx, a.ABC.ID, inv.ID)
		wantCode(t, err, domain.ENOTFOUND)
		list, _, _ := s.Staff(a.Staff).Invoices(ctx, store.BillingFilter{ClientID: b.ABC.ID})
		if len(list) != 0 {
			t.Fatalf("listed another tenant's invoices: %v", list)
		}
		// And a portal user of a answering b's estimate: not found.
		_, err = s.Portal(a.scope(t, db, a.Owner)).DecideEstimate(ctx, se.ID, domain.EstimateAccepted, "")
		wantCode(t, err, domain.ENOTFOUND)
	})
}
