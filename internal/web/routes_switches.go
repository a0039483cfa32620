package web

// switchRoutes is the map of the switches pages of the staff app and the portal.
func (s *Server) switchRoutes() []route {
	return []route{}
}
