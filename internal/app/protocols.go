package app

import (
	"context"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/pdf"
)

// StaffProtocolPDF renders protocol id of the staff member's tenant, a draft
// too, and returns it with the bytes; another tenant's protocol is ENOTFOUND.
func (a *App) StaffProtocolPDF(ctx context.Context, staff access.Staff, id int64) (*domain.Protocol, []byte, error) {
	p, err := a.store.Staff(staff).Protocol(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := a.store.Staff(staff).Client(ctx, p.ClientID)
	if err != nil {
		return nil, nil, err
	}
	s, err := a.store.Staff(staff).Site(ctx, p.ClientID, p.SiteID)
	if err != nil {
		return nil, nil, err
	}
	company, err := a.store.Company(ctx, staff.CompanyID())
	if err != nil {
		return nil, nil, err
	}
	doc, err := pdf.Protocol(pdf.ProtocolData{Company: company, Client: c, Site: s, Protocol: p, Locale: readerLocale(ctx, company)})
	return p, doc, err
}

// PortalProtocolPDF renders completed protocol id if the portal Scope may see it,
// and ENOTFOUND otherwise. The bytes are the ones staff get for the same protocol.
func (a *App) PortalProtocolPDF(ctx context.Context, scope access.Scope, id int64) (*domain.Protocol, []byte, error) {
	p, err := a.store.Portal(scope).PortalProtocol(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := a.store.Portal(scope).PortalClient(ctx, p.ClientID)
	if err != nil {
		return nil, nil, err
	}
	s, err := a.store.Portal(scope).PortalSite(ctx, p.SiteID)
	if err != nil {
		return nil, nil, err
	}
	company, err := a.store.Company(ctx, scope.CompanyID())
	if err != nil {
		return nil, nil, err
	}
	doc, err := pdf.Protocol(pdf.ProtocolData{Company: company, Client: c, Site: s, Protocol: p, Locale: readerLocale(ctx, company)})
	return p, doc, err
}
