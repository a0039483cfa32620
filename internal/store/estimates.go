package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

const estimateColumns = docColumns + `, d.valid_until, COALESCE(ed.decision, ''), COALESCE(ed.comment, ''),
	COALESCE(ed.portal_user_id, 0), COALESCE(ed.staff_user_id, 0), COALESCE(ed.by_name, ''), COALESCE(ed.by_email, ''),
	COALESCE(ed.decided_at, 0)`

var estimateFrom = docFrom("estimates") + ` LEFT JOIN estimate_decisions ed ON ed.company_id = d.company_id AND ed.estimate_id = d.id `

// scanEstimate reads a row of estimateColumns; today decides whether a sent
// estimate has expired.
func scanEstimate(row interface{ Scan(...any) error }, today domain.Day) (*domain.Estimate, error) {
	e := &domain.Estimate{}
	dest, finish := docDest(&e.BillingDoc)
	var valid string
	var dec domain.EstimateDecision
	var at int64
	if err := row.Scan(append(dest, &valid, &dec.Decision, &dec.Comment, &dec.PortalUserID, &dec.StaffUserID,
		&dec.ByName, &dec.ByEmail, &at)...); err != nil {
		return nil, err
	}
	if err := finish(); err != nil {
		return nil, err
	}
	var err error
	if e.ValidUntil, err = parseStoredDay(valid, "valid-until day"); err != nil {
		return nil, err
	}
	if dec.Decision != "" {
		dec.At = fromMicros(at)
		e.Decision = &dec
	}
	e.Expired = e.Status == domain.EstimateSent && e.ValidUntil.Before(today)
	return e, nil
}

// estimateState is the condition for estimates d in a shown state (draft, sent —
// meaning still open —, expired, accepted, declined); "" or an unknown state is
// every estimate.
func estimateState(state string, today domain.Day) cond {
	switch state {
	case domain.EstimateSent:
		return and(expr("d.status = 'sent'"), expr("d.valid_until >= ?", today.String()))
	case domain.EstimateExpired:
		return and(expr("d.status = 'sent'"), expr("d.valid_until < ?", today.String()))
	case domain.EstimateDraft, domain.EstimateAccepted, domain.EstimateDeclined:
		return eq("d.status", state)
	}
	return always()
}

func (s *Store) collectEstimates(ctx context.Context, today domain.Day, query string, args ...any) ([]*domain.Estimate, error) {
	return estimateDocs.collect(ctx, s, today, query, args...)
}

// Estimates lists one page of a client's estimates, newest issue date first,
// drafts included. A client of another tenant has none.
func (view *StaffView) Estimates(ctx context.Context, f BillingFilter) ([]*domain.Estimate, domain.PageInfo, error) {
	s, staff := view.s, view.staff
	return estimateDocs.list(ctx, s, staff, f)
}

// Estimate returns estimate id of client clientID with its lines and decision,
// or ENOTFOUND.
func (view *StaffView) Estimate(ctx context.Context, clientID, id int64) (*domain.Estimate, error) {
	s, staff := view.s, view.staff
	return s.estimate(ctx, s.db, staff.CompanyID(), eq("d.client_id", clientID), id)
}

// estimate loads one estimate of the company with its lines and client, under an
// extra condition on d (and its joins).
func (s *Store) estimate(ctx context.Context, q querier, companyID int64, c cond, id int64) (*domain.Estimate, error) {
	return estimateDocs.load(ctx, s, q, companyID, c, id)
}

// CreateEstimate adds a draft estimate to client e.ClientID, optionally tied to
// one of its projects, and fills e.ID. It needs billing.manage.
func (view *StaffView) CreateEstimate(ctx context.Context, e *domain.Estimate) error {
	s, staff := view.s, view.staff
	return s.createDoc(ctx, staff, estimateKind, &e.BillingDoc, e.Validate, e.ValidUntil)
}

// UpdateEstimate replaces the fields and lines of draft estimate e.ID of client
// e.ClientID; a sent one is ECONFLICT. It needs billing.manage.
func (view *StaffView) UpdateEstimate(ctx context.Context, e *domain.Estimate) error {
	s, staff := view.s, view.staff
	return s.updateDoc(ctx, staff, estimateKind, &e.BillingDoc, e.Validate, e.ValidUntil)
}

// DeleteEstimate deletes a draft estimate; a sent one is ECONFLICT. It needs
// billing.manage.
func (view *StaffView) DeleteEstimate(ctx context.Context, clientID, id int64) error {
	s, staff := view.s, view.staff
	return s.deleteDoc(ctx, staff, estimateKind, clientID, id)
}

// SendEstimate marks a draft estimate as sent: it gets the tenant's next estimate
// number and appears in the portal, where the client can accept or decline it
// until its valid-until day. One without lines, or with a total below zero, is EINVALID, one already sent
// ECONFLICT. It needs billing.manage and returns the number.
func (view *StaffView) SendEstimate(ctx context.Context, clientID, id int64) (string, error) {
	s, staff := view.s, view.staff
	return estimateDocs.send(ctx, s, staff, clientID, id)
}

// RecordEstimateDecision records, for the client, that it accepted or declined a
// sent estimate — say, on the phone. Like a decision in the portal it is refused
// (ECONFLICT) for an estimate that is not sent, already decided or expired. No
// mail is sent: the person recording it is the one who would be told. It needs
// billing.manage.
func (view *StaffView) RecordEstimateDecision(ctx context.Context, clientID, id int64, decision, comment string) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.BillingManage); err != nil {
		return err
	}
	d := domain.EstimateDecision{Decision: decision, Comment: comment, StaffUserID: staff.UserID(), ByName: staff.Name()}
	if err := validDecision(&d); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		e, err := s.estimate(ctx, tx, staff.CompanyID(), eq("d.client_id", clientID), id)
		if err != nil {
			return err
		}
		if _, err := s.decide(ctx, tx, e, &d); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "estimate."+d.Decision, "Estimate "+e.Number+" (recorded for the client)")
	})
}

// validDecision normalizes a decision and checks its kind and comment.
func validDecision(d *domain.EstimateDecision) error {
	d.Comment = strings.TrimSpace(strings.ReplaceAll(d.Comment, "\r\n", "\n"))
	var v domain.Validator
	v.OneOf("decision", d.Decision, domain.EstimateAccepted, domain.EstimateDeclined)
	v.MaxLen("comment", d.Comment, 2000)
	return v.Err()
}

// decide records decision d on estimate e in the caller's transaction and returns
// the decision's id. Only a sent estimate whose valid-until day has not passed
// (in the tenant's time zone, at this moment) can be decided, and only once: the
// status moves from 'sent' by a conditional UPDATE, so of two concurrent answers
// exactly one wins and the other is refused like a late one.
func (s *Store) decide(ctx context.Context, tx *sql.Tx, e *domain.Estimate, d *domain.EstimateDecision) (int64, error) {
	switch {
	case e.Status == domain.EstimateAccepted || e.Status == domain.EstimateDeclined:
		return 0, billingConflict("Estimate %s was already %s. A decision cannot be changed; if something is wrong, get in touch.",
			e.Number, e.Status)
	case e.Status != domain.EstimateSent:
		return 0, billingConflict("This estimate has not been sent yet.")
	case e.Expired:
		return 0, billingConflict("Estimate %s expired on %s and can no longer be accepted or declined. Ask for a new estimate.",
			e.Number, domain.BillingFormat{}.Day(e.ValidUntil))
	}
	today, err := s.billingToday(ctx, tx, e.CompanyID)
	if err != nil {
		return 0, err
	}
	now := s.Now()
	res, err := tx.ExecContext(ctx, s.q(`UPDATE estimates SET status = ?, updated_at = ?
		WHERE company_id = ? AND id = ? AND status = 'sent' AND valid_until >= ?`),
		d.Decision, micros(now), e.CompanyID, e.ID, today.String())
	if err != nil {
		return 0, fmt.Errorf("store: decide estimate: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if n == 0 {
		return 0, billingConflict("Estimate %s has just been answered or has expired. Reload the page to see its state.", e.Number)
	}
	d.At = now
	id, err := s.insert(ctx, tx, `INSERT INTO estimate_decisions (company_id, estimate_id, decision, comment, portal_user_id, staff_user_id,
		by_name, by_email, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.CompanyID, e.ID, d.Decision, d.Comment, nullID(d.PortalUserID), nullID(d.StaffUserID), d.ByName, d.ByEmail, micros(now))
	if err != nil {
		return 0, fmt.Errorf("store: record decision: %w", err)
	}
	e.Status, e.Decision = d.Decision, d
	return id, nil
}

// EstimateDecisionMail returns what the estimate_decision mail in outbox row
// outboxID of the company is about: the estimate (without lines) with its
// decision. ENOTFOUND when the row is no such mail.
func (view *MailView) EstimateDecisionMail(ctx context.Context, companyID, outboxID int64) (*domain.Estimate, error) {
	s := view.s
	today, err := s.billingToday(ctx, s.db, companyID)
	if err != nil {
		return nil, err
	}
	e, err := scanEstimate(s.db.QueryRowContext(ctx, s.q(`SELECT `+estimateColumns+estimateFrom+`
		JOIN estimate_decision_mails m ON m.company_id = ed.company_id AND m.decision_id = ed.id
		WHERE d.company_id = ? AND m.outbox_id = ?`), companyID, outboxID), today)
	return e, notFound(err, "Estimate decision not found.")
}
