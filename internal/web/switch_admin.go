package web

import (
	"net/http"

	"portico/internal/domain"
)

// brokerAccountMissing reports whether the broker has no account for the
// switch's device, which then cannot connect until new credentials are made.
func (s *Server) brokerAccountMissing(r *http.Request, sw *domain.Switch) bool {
	return s.app.Switches != nil && s.app.Switches.BrokerAccountMissing(r.Context(), who(r), sw)
}
