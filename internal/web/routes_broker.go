package web

// brokerRoutes is the map of what an external broker asks the server: EMQX's
// HTTP authentication and authorization of devices. The broker proves itself
// with the shared secret; without one configured these routes do not exist.
func (s *Server) brokerRoutes() []route {
	return []route{
		{"POST /mqtt/authn", broker(), s.brokerAuthn},
		{"POST /mqtt/authz", broker(), s.brokerAuthz},
	}
}
