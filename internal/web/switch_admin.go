package web

import (
	"context"
	"net/http"

	"portico/internal/access"
	"portico/internal/domain"
)

// switchAdmin adds, changes and removes switches: the switch service, which
// also keeps the device accounts of a broker that has its own, or the store
// alone on a server that runs without a broker.
type switchAdmin interface {
	CreateSwitch(ctx context.Context, sc access.Staff, sw *domain.Switch) (string, error)
	UpdateSwitch(ctx context.Context, sc access.Staff, sw *domain.Switch) error
	DeleteSwitch(ctx context.Context, sc access.Staff, clientID, projectID, id int64) error
}

func (s *Server) switchAdmin() switchAdmin {
	if s.app.Switches != nil {
		return s.app.Switches
	}
	return s.store
}

// brokerAccountMissing reports whether the broker has no account for the
// switch's device, which then cannot connect until new credentials are made.
func (s *Server) brokerAccountMissing(r *http.Request, sw *domain.Switch) bool {
	return s.app.Switches != nil && s.app.Switches.BrokerAccountMissing(r.Context(), sw)
}
