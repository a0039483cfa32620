package web

import "portico/internal/access"

// billingRoutes is the map of the billing pages of the staff app and the portal.
func (s *Server) billingRoutes() []route {
	return []route{
		// A client's Billing tab: invoices and estimates. Every staff member reads
		// them (PDFs too, drafts marked as such); billing.manage writes drafts, sends
		// them — which gives the number and shows them in the portal — and moves them on.
		{"GET /app/clients/{id}/billing", staffAny(), s.billingList(kindInvoice)},
		{"GET /app/clients/{id}/billing/invoices/new", staff(access.BillingManage), s.billingNew(kindInvoice)},
		{"POST /app/clients/{id}/billing/invoices", staff(access.BillingManage), s.billingSave(kindInvoice, false)},
		{"GET /app/clients/{id}/billing/invoices/{did}", staffAny(), s.billingDoc(kindInvoice)},
		{"GET /app/clients/{id}/billing/invoices/{did}/pdf", staffAny(), s.billingPDF(kindInvoice)},
		{"GET /app/clients/{id}/billing/invoices/{did}/edit", staff(access.BillingManage), s.billingEdit(kindInvoice)},
		{"POST /app/clients/{id}/billing/invoices/{did}", staff(access.BillingManage), s.billingSave(kindInvoice, true)},
		{"POST /app/clients/{id}/billing/invoices/{did}/send", staff(access.BillingManage), s.billingAction(kindInvoice, "send")},
		{"POST /app/clients/{id}/billing/invoices/{did}/paid", staff(access.BillingManage), s.billingAction(kindInvoice, "paid")},
		{"POST /app/clients/{id}/billing/invoices/{did}/void", staff(access.BillingManage), s.billingAction(kindInvoice, "void")},
		{"POST /app/clients/{id}/billing/invoices/{did}/delete", staff(access.BillingManage), s.billingAction(kindInvoice, "delete")},

		{"GET /app/clients/{id}/billing/estimates", staffAny(), s.billingList(kindEstimate)},
		{"GET /app/clients/{id}/billing/estimates/new", staff(access.BillingManage), s.billingNew(kindEstimate)},
		{"POST /app/clients/{id}/billing/estimates", staff(access.BillingManage), s.billingSave(kindEstimate, false)},
		{"GET /app/clients/{id}/billing/estimates/{did}", staffAny(), s.billingDoc(kindEstimate)},
		{"GET /app/clients/{id}/billing/estimates/{did}/pdf", staffAny(), s.billingPDF(kindEstimate)},
		{"GET /app/clients/{id}/billing/estimates/{did}/edit", staff(access.BillingManage), s.billingEdit(kindEstimate)},
		{"POST /app/clients/{id}/billing/estimates/{did}", staff(access.BillingManage), s.billingSave(kindEstimate, true)},
		{"POST /app/clients/{id}/billing/estimates/{did}/send", staff(access.BillingManage), s.billingAction(kindEstimate, "send")},
		{"POST /app/clients/{id}/billing/estimates/{did}/accept", staff(access.BillingManage), s.billingAction(kindEstimate, "accept")},
		{"POST /app/clients/{id}/billing/estimates/{did}/decline", staff(access.BillingManage), s.billingAction(kindEstimate, "decline")},
		{"POST /app/clients/{id}/billing/estimates/{did}/delete", staff(access.BillingManage), s.billingAction(kindEstimate, "delete")},

		// Where clients' decisions on estimates are mailed, and the supplier details
		// printed on invoices and estimates.
		{"GET /app/settings/billing", staff(access.BillingManage), s.billingSettings},
		{"POST /app/settings/billing", staff(access.BillingManage), s.billingSettingsSave},

		// The portal: sent, paid and overdue invoices; sent, answered and expired
		// estimates — never drafts or void ones — through the Scope; a client's
		// answer to an estimate is the only thing it writes.
		{"GET /portal/{tenant}/invoices", portalUser(), s.portalBillingList(kindInvoice)},
		{"GET /portal/{tenant}/invoices/{file}", portalUser(), s.portalBillingDoc(kindInvoice)}, // {id} or {id}.pdf
		{"GET /portal/{tenant}/estimates", portalUser(), s.portalBillingList(kindEstimate)},
		{"GET /portal/{tenant}/estimates/{file}", portalUser(), s.portalBillingDoc(kindEstimate)}, // {id} or {id}.pdf
		{"GET /portal/{tenant}/estimates/{id}/accept", portalUser(), s.portalDecideForm("accept")},
		{"POST /portal/{tenant}/estimates/{id}/accept", portalUser(), s.portalDecide("accept")},
		{"GET /portal/{tenant}/estimates/{id}/decline", portalUser(), s.portalDecideForm("decline")},
		{"POST /portal/{tenant}/estimates/{id}/decline", portalUser(), s.portalDecide("decline")},
	}
}
