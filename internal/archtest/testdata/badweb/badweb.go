// Package badweb breaks every rule the architecture tests keep, so that a test
// can check each rule is caught.
package badweb

import (
	"context"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/mail"
	"portico/internal/store"
)

// Handler is a web handler that reaches around the views.
func Handler(ctx context.Context, a *app.App, st *store.Store) error {
	staff := access.NewStaff(&domain.StaffUser{ID: 1, CompanyID: 1})
	scope := access.NewScope(1, 1, []access.ClientAccess{{ClientID: 1, AllSites: true}})
	_ = access.ClientAccess{ClientID: 2}
	if _, err := st.CompanyBySlug(ctx, "other"); err != nil {
		return err
	}
	if _, err := a.ComposeMail(ctx, mail.Message{}); err != nil {
		return err
	}
	_, err := store.Open(ctx, store.Config{})
	_ = a.PortalView(scope)
	_ = a.StaffView(staff)
	return err
}
