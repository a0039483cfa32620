package web

// billingRoutes is the map of the billing pages of the staff app and the portal.
func (s *Server) billingRoutes() []route {
	return []route{}
}
