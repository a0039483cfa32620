package web

// protocolRoutes is the map of the protocols pages of the staff app and the portal.
func (s *Server) protocolRoutes() []route {
	return []route{}
}
