package app

import (
	"context"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/pdf"
	"portico/internal/store"
)

// The PDFs of invoices and estimates. Each reads the document through the
// principal's view, so staff get any document of their tenant's client (drafts
// too, marked as such) and a portal user only what their Scope shows; the
// supplier on the page — the tenant and its billing details — is read by the
// principal's tenant, never taken from the caller.

// StaffInvoicePDF renders invoice id of client clientID of the staff member's
// tenant, and returns it with the bytes. An invoice the client does not have is
// ENOTFOUND.
func (a *App) StaffInvoicePDF(ctx context.Context, staff access.Staff, clientID, id int64) (*domain.Invoice, []byte, error) {
	view := a.store.Staff(staff)
	inv, err := view.Invoice(ctx, clientID, id)
	if err != nil {
		return nil, nil, err
	}
	b, err := a.billingData(ctx, staff.CompanyID(), view.BillingSettings)
	if err != nil {
		return nil, nil, err
	}
	doc, err := pdf.Invoice(b, inv)
	return inv, doc, err
}

// StaffEstimatePDF renders estimate id of client clientID of the staff member's
// tenant, and returns it with the bytes. An estimate the client does not have is
// ENOTFOUND.
func (a *App) StaffEstimatePDF(ctx context.Context, staff access.Staff, clientID, id int64) (*domain.Estimate, []byte, error) {
	view := a.store.Staff(staff)
	e, err := view.Estimate(ctx, clientID, id)
	if err != nil {
		return nil, nil, err
	}
	b, err := a.billingData(ctx, staff.CompanyID(), view.BillingSettings)
	if err != nil {
		return nil, nil, err
	}
	doc, err := pdf.Estimate(b, e)
	return e, doc, err
}

// PortalInvoicePDF renders invoice id if the portal Scope may see it (sent, not
// void, of a client and site of the Scope), and ENOTFOUND otherwise.
func (a *App) PortalInvoicePDF(ctx context.Context, scope access.Scope, id int64) (*domain.Invoice, []byte, error) {
	view := a.store.Portal(scope)
	inv, err := view.PortalInvoice(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	b, err := a.billingData(ctx, scope.CompanyID(), view.BillingSettings)
	if err != nil {
		return nil, nil, err
	}
	doc, err := pdf.Invoice(b, inv)
	return inv, doc, err
}

// PortalEstimatePDF renders estimate id if the portal Scope may see it (sent, of
// a client and site of the Scope), and ENOTFOUND otherwise.
func (a *App) PortalEstimatePDF(ctx context.Context, scope access.Scope, id int64) (*domain.Estimate, []byte, error) {
	view := a.store.Portal(scope)
	e, err := view.PortalEstimate(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	b, err := a.billingData(ctx, scope.CompanyID(), view.BillingSettings)
	if err != nil {
		return nil, nil, err
	}
	doc, err := pdf.Estimate(b, e)
	return e, doc, err
}

// billingData is the supplier printed on a billing PDF: the tenant and the
// billing details of its settings, read through the caller's view.
func (a *App) billingData(ctx context.Context, companyID int64, settings func(context.Context) (store.BillingSettings, error)) (pdf.BillingData, error) {
	company, err := a.store.Company(ctx, companyID)
	if err != nil {
		return pdf.BillingData{}, err
	}
	s, err := settings(ctx)
	if err != nil {
		return pdf.BillingData{}, err
	}
	return pdf.BillingData{Company: company, Details: s.Details, Locale: readerLocale(ctx, company)}, nil
}
