package web

import "portico/internal/access"

// switchRoutes is the map of the switches pages of the staff app and the portal.
func (s *Server) switchRoutes() []route {
	return []route{
		// A project's page in the staff app: its switches, their state and full
		// activity. Every staff member sees them and may toggle; managing switches
		// and seeing their credentials needs switches.manage.
		{"GET /app/clients/{id}/projects/{pid}", staffAny(), s.projectPage},
		{"GET /app/clients/{id}/projects/{pid}/live", staffAny(), s.projectLive},
		{"POST /app/clients/{id}/projects/{pid}/switches/{sid}/toggle", staffAny(), s.staffToggle},
		{"GET /app/clients/{id}/projects/{pid}/switches/new", staff(access.SwitchesManage), s.switchNew},
		{"POST /app/clients/{id}/projects/{pid}/switches", staff(access.SwitchesManage), s.switchCreate},
		{"GET /app/clients/{id}/projects/{pid}/switches/topic", staff(access.SwitchesManage), s.switchTopic},
		{"GET /app/clients/{id}/projects/{pid}/switches/{sid}/edit", staff(access.SwitchesManage), s.switchEdit},
		{"POST /app/clients/{id}/projects/{pid}/switches/{sid}", staff(access.SwitchesManage), s.switchUpdate},
		{"POST /app/clients/{id}/projects/{pid}/switches/{sid}/delete", staff(access.SwitchesManage), s.switchDelete},
		{"GET /app/clients/{id}/projects/{pid}/switches/{sid}/connect", staff(access.SwitchesManage), s.switchConnect},
		{"POST /app/clients/{id}/projects/{pid}/switches/{sid}/credentials", staff(access.SwitchesManage), s.switchRegenerate},

		// The portal's projects: READ + TOGGLE only. Everything is filtered by the
		// Scope in SQL; a project or switch outside it is not found.
		{"GET /portal/{tenant}/projects", portalUser(), s.portalProjects},
		{"GET /portal/{tenant}/projects/{id}", portalUser(), s.portalProject},
		{"GET /portal/{tenant}/projects/{id}/live", portalUser(), s.portalProjectLive},
		{"GET /portal/{tenant}/switches/live", portalUser(), s.portalSwitchesLive},
		{"POST /portal/{tenant}/projects/{id}/switches/{sid}", portalUser(), s.portalToggle},
	}
}
