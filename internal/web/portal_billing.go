package web

import (
	"net/http"
	"net/url"
	"portico/internal/app"
	"strconv"
	"strings"

	"portico/internal/domain"
	"portico/internal/store"
)

// The portal's Invoices and Estimates: lists, detail pages, PDFs, and a client's
// answer to an estimate. Every read goes through the store with the request's
// Scope, so anything outside it — a draft, a void invoice, another client's or
// another tenant's document — is not found.

type portalBillingListPage struct {
	PortalPage
	Fmt       domain.BillingFormat
	Kind      billingKind
	Invoices  []*domain.Invoice
	Estimates []*domain.Estimate
	Info      domain.PageInfo
	State     string
	States    []billingChoice
	Multi     bool // the user sees several clients: lists name the client
	URL       *url.URL
}

// portalBillingList serves GET /portal/{tenant}/invoices and /estimates, newest
// first, 20 a page, with ?state= and ?page=.
func (s *Server) portalBillingList(k billingKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		scope := scopeOf(r)
		p := &portalBillingListPage{PortalPage: s.portalPage(r, k.listTitle()), Fmt: s.billingFormat(r), Kind: k,
			States: billingStates(k, true), Multi: len(scope.Clients()) > 1, URL: r.URL}
		p.Nav = k.Plural()
		if err := s.limitView(r, &p.PortalPage); err != nil {
			return err
		}
		var opts domain.ListOptions
		p.State, opts = billingListOptions(r, p.States)
		f := store.BillingFilter{State: p.State, ListOptions: opts}
		var err error
		if k == kindInvoice {
			p.Invoices, p.Info, err = s.portalView(r).PortalInvoices(r.Context(), f)
		} else {
			p.Estimates, p.Info, err = s.portalView(r).PortalEstimates(r.Context(), f)
		}
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusOK, "portal_billing", p)
		return nil
	}
}

type portalBillingDocPage struct {
	PortalPage
	Fmt      domain.BillingFormat
	Kind     billingKind
	Doc      *domain.BillingDoc
	Invoice  *domain.Invoice
	Estimate *domain.Estimate
	State    string
	Error    string // why an answer was refused
}

// portalDocID parses {file} of /portal/{tenant}/invoices/{file}: "42" is the
// page, "42.pdf" the PDF. Anything else is not found.
func portalDocID(r *http.Request) (id int64, isPDF bool, err error) {
	file := r.PathValue("file")
	if base, ok := strings.CutSuffix(file, ".pdf"); ok {
		file, isPDF = base, true
	}
	id, ok := canonicalID(file)
	if !ok {
		return 0, false, domain.Errorf(domain.ENOTFOUND, "Page not found.")
	}
	return id, isPDF, nil
}

// portalBillingDoc serves GET /portal/{tenant}/invoices/{id} and /estimates/{id},
// and their PDFs at /invoices/{id}.pdf and /estimates/{id}.pdf.
func (s *Server) portalBillingDoc(k billingKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, isPDF, err := portalDocID(r)
		if err != nil {
			return err
		}
		if isPDF {
			return s.portalBillingPDF(w, r, k, id)
		}
		p, err := s.loadPortalDoc(r, k, id)
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusOK, "portal_billing_doc", p)
		return nil
	}
}

// loadPortalDoc reads the document through the Scope (ENOTFOUND outside it).
func (s *Server) loadPortalDoc(r *http.Request, k billingKind, id int64) (*portalBillingDocPage, error) {
	p := &portalBillingDocPage{PortalPage: s.portalPage(r, k.Label()), Fmt: s.billingFormat(r), Kind: k}
	p.Nav = k.Plural()
	var err error
	if k == kindInvoice {
		if p.Invoice, err = s.portalView(r).PortalInvoice(r.Context(), id); err != nil {
			return nil, err
		}
		p.Doc, p.State = &p.Invoice.BillingDoc, p.Invoice.State()
	} else {
		if p.Estimate, err = s.portalView(r).PortalEstimate(r.Context(), id); err != nil {
			return nil, err
		}
		p.Doc, p.State = &p.Estimate.BillingDoc, p.Estimate.State()
	}
	p.Title = k.Label() + " " + p.Doc.Number
	return p, nil
}

// portalBillingPDF serves the PDF of invoice or estimate id, the one the app
// renders for the Scope (ENOTFOUND outside it).
func (s *Server) portalBillingPDF(w http.ResponseWriter, r *http.Request, k billingKind, id int64) error {
	if k == kindInvoice {
		inv, doc, err := s.app.PortalInvoicePDF(app.WithLocale(r.Context(), requestLocale(r)), scopeOf(r), id)
		if err != nil {
			return err
		}
		return sendPDF(w, r, doc, "invoice-"+inv.Number+".pdf")
	}
	e, doc, err := s.app.PortalEstimatePDF(app.WithLocale(r.Context(), requestLocale(r)), scopeOf(r), id)
	if err != nil {
		return err
	}
	return sendPDF(w, r, doc, "estimate-"+e.Number+".pdf")
}

type portalDecidePage struct {
	*portalBillingDocPage
	Decision string // "accept" or "decline"
	Form     *Form
}

// Accepting reports whether the page confirms an acceptance.
func (p *portalDecidePage) Accepting() bool { return p.Decision == "accept" }

// portalDecideForm serves GET /portal/{tenant}/estimates/{id}/accept and
// /decline: the confirmation, with room for a comment. (The estimate's page
// opens the same form in a dialog when JavaScript runs.)
func (s *Server) portalDecideForm(decision string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		p, err := s.loadPortalDoc(r, kindEstimate, id)
		if err != nil {
			return err
		}
		if !p.Estimate.Decidable() {
			http.Redirect(w, r, p.Base+"/estimates/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
			return nil
		}
		s.render(w, r, http.StatusOK, "portal_estimate_decide", &portalDecidePage{portalBillingDocPage: p, Decision: decision, Form: newForm(nil)})
		return nil
	}
}

// portalDecide serves POST /portal/{tenant}/estimates/{id}/accept and /decline.
// A refusal — already answered, expired — shows on the estimate's page with the
// reason; an estimate outside the Scope is not found.
func (s *Server) portalDecide(decision string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		textErr, err := readForm(r)
		if err != nil {
			return err
		}
		want := domain.EstimateAccepted
		if decision == "decline" {
			want = domain.EstimateDeclined
		}
		err = unlessText(textErr, func() error {
			_, err := s.app.DecideEstimate(r.Context(), scopeOf(r), id, want, r.PostForm.Get("comment"))
			return err
		})
		switch domain.ErrorCode(err) {
		case "":
		case domain.ECONFLICT:
			p, lerr := s.loadPortalDoc(r, kindEstimate, id)
			if lerr != nil {
				return lerr
			}
			p.Page.Flash = ""
			p.Error = domain.ErrorMessage(err)
			s.render(w, r, http.StatusConflict, "portal_billing_doc", p)
			return nil
		case domain.EINVALID:
			p, lerr := s.loadPortalDoc(r, kindEstimate, id)
			if lerr != nil {
				return lerr
			}
			s.render(w, r, http.StatusUnprocessableEntity, "portal_estimate_decide",
				&portalDecidePage{portalBillingDocPage: p, Decision: decision, Form: newForm(r.PostForm).withError(err)})
			return nil
		default:
			return err
		}
		msg := "Thank you. You accepted the estimate; " + portalOf(r).company.Name + " has been told."
		if want == domain.EstimateDeclined {
			msg = "You declined the estimate; " + portalOf(r).company.Name + " has been told."
		}
		return s.redirectFlash(w, r, "/portal/"+portalOf(r).company.Slug+"/estimates/"+strconv.FormatInt(id, 10), msg)
	}
}

// projectBilling is the Invoices and Estimates sections of a project's portal page.
type projectBilling struct {
	Fmt       domain.BillingFormat
	Base      string
	Invoices  []*domain.Invoice
	Estimates []*domain.Estimate
}

// projectBilling loads the project's invoices and estimates the user may see.
func (s *Server) projectBilling(r *http.Request, projectID int64) (*projectBilling, error) {
	inv, est, err := s.portalView(r).PortalProjectBilling(r.Context(), projectID)
	if err != nil {
		return nil, err
	}
	return &projectBilling{Fmt: s.billingFormat(r), Base: portalBase(r), Invoices: inv, Estimates: est}, nil
}
