// Package app holds Portico's use cases that span parts: signing in, creating a
// tenant, managing staff. Each one checks access, runs in one store transaction and
// leaves the audit trail.
package app

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"portico/internal/access"
	"portico/internal/domain"

	"portico/internal/files"
	"portico/internal/store"
)

// App runs Portico's use cases.
type App struct {
	store   *store.Store
	Log     *slog.Logger
	BaseURL string      // public URL of the server, used for links in mail and on the console
	Files   files.Store // uploaded documents; nil refuses uploads (see documents.go)
	// Switches talks to the devices (see switches.go); nil when the server runs
	// without a broker.
	Switches *Switches
}

// New returns an App over st. Links are built from baseURL, never from a request.
func New(st *store.Store, log *slog.Logger, baseURL string) *App {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &App{store: st, Log: log, BaseURL: strings.TrimRight(baseURL, "/")}
}

// StaffView is the store bound to a signed-in staff member, for reading what
// the member's pages show. The principal comes from StaffSession.
func (a *App) StaffView(staff access.Staff) *store.StaffView { return a.store.Staff(staff) }

// PortalView is the store bound to a portal user's Scope, for reading what the
// user's pages show. The Scope comes from PortalSession or PortalScope.
func (a *App) PortalView(scope access.Scope) *store.PortalView { return a.store.Portal(scope) }

// Tenant returns the tenant with the slug, for the portal's URLs; an unknown slug
// is ENOTFOUND.
func (a *App) Tenant(ctx context.Context, slug string) (*domain.Company, error) {
	return a.store.CompanyBySlug(ctx, slug)
}

// Now is the store's clock, in UTC.
func (a *App) Now() time.Time { return a.store.Now() }

// Ready reports whether the database answers, for the readiness probe.
func (a *App) Ready(ctx context.Context) error { return a.store.Ping(ctx) }
