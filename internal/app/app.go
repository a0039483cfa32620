// Package app holds Portico's use cases that span parts: signing in, creating a
// tenant, managing staff. Each one checks access, runs in one store transaction and
// leaves the audit trail.
package app

import (
	"log/slog"
	"strings"

	"portico/internal/files"
	"portico/internal/store"
)

// App runs Portico's use cases.
type App struct {
	Store   *store.Store
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
	return &App{Store: st, Log: log, BaseURL: strings.TrimRight(baseURL, "/")}
}
