package app_test

import (
	"strings"
	"testing"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// A portal user's acceptance is recorded with their name, address and the time,
// and in the same transaction the mail to the tenant's notification address is
// queued, tied to the decision it tells of.
func TestDecideEstimateRecordsWhoAndWhen(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newRig(t, db)
		ctx := t.Context()
		e := r.estimate(t, true, 30)

		before := db.Store.Now().Truncate(time.Microsecond)
		got, err := r.app.DecideEstimate(ctx, r.scope(t, r.kosiceOnly), e.ID, domain.EstimateAccepted, "  Začnite, prosím, v pondelok.  ")
		after := db.Store.Now()
		wantCode(t, err, "")
		if got.State() != domain.EstimateAccepted {
			t.Errorf("returned state %q, want accepted", got.State())
		}

		stored, err := db.Store.Staff(r.tn.Staff).Estimate(ctx, r.abc.ID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		d := stored.Decision
		if stored.State() != domain.EstimateAccepted || d == nil {
			t.Fatalf("stored state %q, decision %+v", stored.State(), d)
		}
		if d.Decision != domain.EstimateAccepted || d.PortalUserID != r.kosiceOnly.ID || d.StaffUserID != 0 ||
			d.ByName != "Jana Kováčová" || d.ByEmail != "kosice@abc.test" || d.Comment != "Začnite, prosím, v pondelok." {
			t.Errorf("stored decision %+v", d)
		}
		if d.At.Before(before) || d.At.After(after) {
			t.Errorf("decided at %v, want between %v and %v", d.At, before, after)
		}

		mails := newDecisionMails(t, db)
		if len(mails) != 1 {
			t.Fatalf("%d estimate_decision outbox rows, want 1", len(mails))
		}
		m := mails[0]
		if m.To != r.notification || m.CompanyID != r.tn.Company.ID || m.ClientID != r.abc.ID {
			t.Errorf("outbox row %+v, want to %s about client %d of company %d", m, r.notification, r.abc.ID, r.tn.Company.ID)
		}
		about, err := db.Store.Mail(testenv.MailPrincipal()).EstimateDecisionMail(ctx, r.tn.Company.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if about.ID != e.ID || about.Decision == nil || about.Decision.ByEmail != "kosice@abc.test" {
			t.Errorf("the outbox row tells of estimate %d with decision %+v, want %d by kosice@abc.test", about.ID, about.Decision, e.ID)
		}
	})
}

// Only a sent, unexpired, unanswered estimate inside the Scope can be answered:
// a second answer and an expired estimate are refused with a sentence saying
// why, and an estimate outside the Scope — another client's, a site the user may
// not see, another tenant's — is not found, as if it did not exist. A refusal
// changes nothing and queues no mail.
func TestDecideEstimateRefusals(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newRig(t, db)
		ctx := t.Context()
		answered := r.estimate(t, true, 30)
		if _, err := r.app.DecideEstimate(ctx, r.scope(t, r.owner), answered.ID, domain.EstimateAccepted, ""); err != nil {
			t.Fatal(err)
		}
		expired := r.estimate(t, true, -1)
		siteless := r.estimate(t, false, 30) // on no project: for users who see every site of ABC
		open := r.estimate(t, true, 30)
		draft := &domain.Estimate{BillingDoc: domain.BillingDoc{ClientID: r.abc.ID, IssueDate: r.today}, ValidUntil: r.today.AddDays(5)}
		if err := db.Store.Staff(r.tn.Staff).CreateEstimate(ctx, draft); err != nil {
			t.Fatal(err)
		}
		if n := len(newDecisionMails(t, db)); n != 1 {
			t.Fatalf("%d decision mails for the first answer, want 1", n)
		}

		for _, tc := range []struct {
			name     string
			scope    access.Scope
			id       int64
			decision string
			code     string
			message  string // a part of the refusal's sentence
		}{
			{"accepted twice", r.scope(t, r.owner), answered.ID, domain.EstimateAccepted, domain.ECONFLICT, "was already accepted"},
			{"declined after acceptance, by another user", r.scope(t, r.kosiceOnly), answered.ID, domain.EstimateDeclined, domain.ECONFLICT, "was already accepted"},
			{"expired", r.scope(t, r.owner), expired.ID, domain.EstimateAccepted, domain.ECONFLICT, "expired on"},
			{"another client's user", r.scope(t, r.stranger), open.ID, domain.EstimateAccepted, domain.ENOTFOUND, "Estimate not found."},
			{"a site the user may not see", r.scope(t, r.kosiceOnly), siteless.ID, domain.EstimateDeclined, domain.ENOTFOUND, "Estimate not found."},
			{"another tenant's user", r.scope(t, r.betaUser), open.ID, domain.EstimateAccepted, domain.ENOTFOUND, "Estimate not found."},
			{"no Scope at all", access.Scope{}, open.ID, domain.EstimateAccepted, domain.ENOTFOUND, "Estimate not found."},
			{"a draft", r.scope(t, r.owner), draft.ID, domain.EstimateAccepted, domain.ENOTFOUND, "Estimate not found."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := r.app.DecideEstimate(ctx, tc.scope, tc.id, tc.decision, "")
				wantCode(t, err, tc.code)
				if msg := domain.ErrorMessage(err); !strings.Contains(msg, tc.message) {
					t.Errorf("message %q, want it to say %q", msg, tc.message)
				}
			})
		}

		for _, e := range []*domain.Estimate{expired, siteless, open} {
			got, err := db.Store.Staff(r.tn.Staff).Estimate(ctx, r.abc.ID, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Decision != nil {
				t.Errorf("estimate %s got a decision from a refused answer: %+v", e.Number, got.Decision)
			}
		}
		if mails := newDecisionMails(t, db); len(mails) != 0 {
			t.Errorf("the refusals queued %d decision mails: %+v", len(mails), mails)
		}
	})
}

// newDecisionMails returns the estimate_decision rows of the outbox that are due
// and that no earlier call returned: it leases them, as the mail worker would.
func newDecisionMails(t *testing.T, db *testenv.DB) []store.OutboxMessage {
	t.Helper()
	msgs, err := db.Store.Mail(testenv.MailPrincipal()).ClaimMail(t.Context(), "app-test", time.Hour, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OutboxMessage
	for _, m := range msgs {
		if m.Kind == store.MailEstimateDecision {
			out = append(out, m)
		}
	}
	return out
}
