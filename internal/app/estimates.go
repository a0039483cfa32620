package app

import (
	"context"
	"fmt"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/mail"
)

// DecideEstimate records a portal user's answer to an estimate — accepted or
// declined, with an optional comment — and, in the same transaction, queues the
// mail telling the tenant. The estimate must be inside the user's Scope (ENOTFOUND
// otherwise, as if it did not exist), sent, unexpired and not yet answered
// (ECONFLICT, with a sentence saying which). Nothing else in the portal writes billing.
func (a *App) DecideEstimate(ctx context.Context, scope access.Scope, estimateID int64, decision, comment string) (*domain.Estimate, error) {
	if !scope.Valid() {
		return nil, domain.Errorf(domain.ENOTFOUND, "Estimate not found.")
	}
	e, err := a.store.Portal(scope).DecideEstimate(ctx, estimateID, decision, comment)
	if err != nil {
		return nil, err
	}
	a.Log.InfoContext(ctx, "estimate decided", "company", scope.CompanyID(), "estimate", e.ID, "decision", e.Status, "portal_user", scope.PortalUserID())
	return e, nil
}

// StaffEstimatePath is where staff see an estimate.
func StaffEstimatePath(clientID, estimateID int64) string {
	return fmt.Sprintf("/app/clients/%d/billing/estimates/%d", clientID, estimateID)
}

// composeEstimateDecision renders an estimate_decision mail. It goes to the
// address stored in the outbox row (the tenant's notification address at the time
// of the decision), with the figures formatted as the estimate prints them.
func (a *App) composeEstimateDecision(ctx context.Context, company *domain.Company, m mail.Message) (*mail.Email, error) {
	e, err := a.store.Mail(mailPrincipal()).EstimateDecisionMail(ctx, company.ID, m.ID)
	if domain.ErrorCode(err) == domain.ENOTFOUND || (err == nil && e.Decision == nil) {
		return nil, fmt.Errorf("the decision of the mail no longer exists: %w", mail.ErrDrop)
	}
	if err != nil {
		return nil, err
	}
	f := domain.BillingFormat{Locale: company.Locale}
	// To the tenant's people, in the tenant's language.
	em, err := mail.RenderIn(company.Locale, mail.KindEstimateDecision, mail.EstimateDecision{
		CompanyName: company.Name, ClientName: e.ClientName, Number: e.Number, Title: e.Title,
		Accepted: e.Decision.Decision == domain.EstimateAccepted, ByName: e.Decision.ByName, ByEmail: e.Decision.ByEmail,
		At:    f.DateTime(e.Decision.At.In(company.Location())),
		Total: f.Money(e.Totals.Gross, e.Currency), Comment: e.Decision.Comment,
		Link: a.BaseURL + StaffEstimatePath(e.ClientID, e.ID),
	})
	if err != nil {
		return nil, err
	}
	em.To, em.CompanyID = m.To, company.ID
	return em, nil
}
