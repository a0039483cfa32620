package web

import "portico/internal/access"

// protocolRoutes is the map of the protocols pages of the staff app and the portal:
// materials, protocols and documents for staff; the dashboard's neighbours —
// protocols, documents, My data and site detail — in the portal.
func (s *Server) protocolRoutes() []route {
	return []route{
		// The materials catalogue. Every staff member reads it; protocols.write changes it.
		{"GET /app/materials", staffAny(), s.materialList},
		{"GET /app/materials/new", staff(access.ProtocolsWrite), s.materialNew},
		{"POST /app/materials", staff(access.ProtocolsWrite), s.materialCreate},
		{"GET /app/materials/{id}", staffAny(), s.materialDetail},
		{"GET /app/materials/{id}/edit", staff(access.ProtocolsWrite), s.materialEdit},
		{"POST /app/materials/{id}", staff(access.ProtocolsWrite), s.materialUpdate},
		{"POST /app/materials/{id}/delete", staff(access.ProtocolsWrite), s.materialDelete},

		// Protocols, on the client's Protocols tab. Drafts can change; completing one
		// makes it final and shows it in the portal.
		{"GET /app/clients/{id}/protocols", staffAny(), s.protocolList},
		{"GET /app/clients/{id}/protocols/new", staff(access.ProtocolsWrite), s.protocolNew},
		{"POST /app/clients/{id}/protocols", staff(access.ProtocolsWrite), s.protocolCreate},
		{"GET /app/clients/{id}/protocols/{pid}", staffAny(), s.protocolDetail},
		{"GET /app/clients/{id}/protocols/{pid}/pdf", staffAny(), s.protocolPDF},
		{"GET /app/clients/{id}/protocols/{pid}/edit", staff(access.ProtocolsWrite), s.protocolEdit},
		{"POST /app/clients/{id}/protocols/{pid}", staff(access.ProtocolsWrite), s.protocolUpdate},
		{"POST /app/clients/{id}/protocols/{pid}/complete", staff(access.ProtocolsWrite), s.protocolComplete},
		{"POST /app/clients/{id}/protocols/{pid}/delete", staff(access.ProtocolsWrite), s.protocolDelete},

		// Documents: every staff member reads and previews; documents.manage uploads,
		// edits and deletes.
		{"GET /app/documents", staffAny(), s.documentList},
		{"GET /app/clients/{id}/documents", staffAny(), s.clientDocuments},
		{"GET /app/documents/new", staff(access.DocumentsManage), s.documentNew},
		{"POST /app/documents", staff(access.DocumentsManage), s.documentCreate},
		{"GET /app/documents/{id}/file", staffAny(), s.documentFile},
		{"GET /app/documents/{id}/edit", staff(access.DocumentsManage), s.documentEdit},
		{"POST /app/documents/{id}", staff(access.DocumentsManage), s.documentUpdate},
		{"POST /app/documents/{id}/delete", staff(access.DocumentsManage), s.documentDelete},

		// The portal. Every page loads the Scope fresh and every query filters by it
		// in SQL: whatever it does not cover answers 404.
		{"GET /portal/{tenant}/protocols", portalUser(), s.portalProtocols},
		{"GET /portal/{tenant}/protocols/{file}", portalUser(), s.portalProtocol}, // {id} or {id}.pdf
		{"GET /portal/{tenant}/documents", portalUser(), s.portalDocuments},
		{"GET /portal/{tenant}/documents/{id}", portalUser(), s.portalDocument}, // the file; ?download=1, ?embed=1
		{"GET /portal/{tenant}/documents/{id}/view", portalUser(), s.portalDocumentView},
		{"GET /portal/{tenant}/my-data", portalUser(), s.portalMyData},
		{"POST /portal/{tenant}/my-data", portalUser(), s.portalMyDataSave},
		{"GET /portal/{tenant}/sites/{id}", portalUser(), s.portalSite},
	}
}
