package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"portico/internal/app"
	"strconv"

	"portico/internal/domain"
	"portico/internal/store"
)

// The Billing tab of a client: invoices and estimates, their forms and pages.
// Reading needs a staff session; every change needs billing.manage, which the
// route table and the store both check.

type billingListPage struct {
	clientTabPage
	Fmt       domain.BillingFormat
	Kind      billingKind
	Invoices  []*domain.Invoice
	Estimates []*domain.Estimate
	Info      domain.PageInfo
	State     string
	States    []billingChoice
	ProjectID int64
	Projects  []*domain.Project
	Balances  []store.InvoiceBalance
	Settings  store.BillingSettings
	URL       *url.URL
}

// Filtered reports whether a filter narrows the list.
func (p *billingListPage) Filtered() bool { return p.State != "" || p.ProjectID != 0 }

// billingFormat prints the request's amounts and days in its language.
func (s *Server) billingFormat(r *http.Request) domain.BillingFormat {
	return domain.BillingFormat{Locale: requestLocale(r)}
}

// billingList serves GET /app/clients/{id}/billing (invoices) and
// GET /app/clients/{id}/billing/estimates, with ?state=, ?project= and ?page=.
func (s *Server) billingList(k billingKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := s.clientTab(r, "billing")
		if err != nil {
			return err
		}
		p := &billingListPage{clientTabPage: t, Fmt: s.billingFormat(r), Kind: k, States: billingStates(k, false), URL: r.URL}
		var opts domain.ListOptions
		p.State, opts = billingListOptions(r, p.States)
		p.ProjectID, _ = strconv.ParseInt(r.URL.Query().Get("project"), 10, 64)
		if p.Projects, err = s.staffView(r).Projects(r.Context(), t.Client.ID); err != nil {
			return err
		}
		f := store.BillingFilter{ClientID: t.Client.ID, ProjectID: p.ProjectID, State: p.State, ListOptions: opts}
		if k == kindInvoice {
			if p.Invoices, p.Info, err = s.staffView(r).Invoices(r.Context(), f); err != nil {
				return err
			}
			if p.Balances, err = s.staffView(r).InvoiceBalances(r.Context(), t.Client.ID); err != nil {
				return err
			}
		} else if p.Estimates, p.Info, err = s.staffView(r).Estimates(r.Context(), f); err != nil {
			return err
		}
		if p.Settings, err = s.staffView(r).BillingSettings(r.Context()); err != nil {
			return err
		}
		s.render(w, r, http.StatusOK, "client_billing", p)
		return nil
	}
}

// billingFormPage is the form of a draft invoice or estimate.
type billingFormPage struct {
	clientTabPage
	Kind       billingKind
	Form       *Form
	Lines      []lineRow
	Projects   []*domain.Project
	Currencies []string
	Action     string
	ID         int64 // 0 when creating
}

func (s *Server) billingForm(w http.ResponseWriter, r *http.Request, status int, t clientTabPage, k billingKind, id int64, f *Form, lines []lineRow) error {
	projects, err := s.staffView(r).Projects(r.Context(), t.Client.ID)
	if err != nil {
		return err
	}
	p := &billingFormPage{clientTabPage: t, Kind: k, Form: f, Lines: lines, Projects: projects, Currencies: domain.Currencies, ID: id}
	p.Action = fmt.Sprintf("/app/clients/%d/billing/%s", t.Client.ID, k.Plural())
	p.Title = k.newTitle()
	if id != 0 {
		p.Action += "/" + strconv.FormatInt(id, 10)
		p.Title = k.editDraftTitle()
	}
	s.render(w, r, status, "billing_form", p)
	return nil
}

// billingNew serves GET /app/clients/{id}/billing/{kind}s/new: today's date, due
// in 14 days (an estimate: valid for 30), EUR, and empty lines; ?project= preselects.
func (s *Server) billingNew(k billingKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := s.clientTab(r, "billing")
		if err != nil {
			return err
		}
		today := domain.DayOf(s.app.Now(), t.Company.Location())
		v := url.Values{"issue_date": {today.String()}, "currency": {domain.DefaultCurrency}, "project_id": {r.URL.Query().Get("project")},
			"due_date": {today.AddDays(14).String()}, "valid_until": {today.AddDays(30).String()}}
		return s.billingForm(w, r, http.StatusOK, t, k, 0, newForm(v), withBlankLines(nil, blankLines, defaultVAT))
	}
}

// billingSave serves POST /app/clients/{id}/billing/{kind}s (create) and
// POST /app/clients/{id}/billing/{kind}s/{did} (update a draft). The "More lines"
// button posts the form too: it comes back with more empty rows, nothing saved.
func (s *Server) billingSave(k billingKind, update bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := s.clientTab(r, "billing")
		if err != nil {
			return err
		}
		var id int64
		if update {
			if id, err = pathID(r, "did"); err != nil {
				return err
			}
		}
		textErr, err := readForm(r)
		if err != nil {
			return err
		}
		rows := trimBlank(linesFromForm(r.PostForm))
		for i, l := range rows { // shown again as typed, but displayable
			rows[i].Description, rows[i].Quantity, rows[i].Unit = displayText(l.Description), displayText(l.Quantity), displayText(l.Unit)
			rows[i].Price, rows[i].VAT = displayText(l.Price), displayText(l.VAT)
		}
		if r.PostForm.Get("more_lines") != "" && textErr == nil {
			return s.billingForm(w, r, http.StatusOK, t, k, id, newForm(r.PostForm), withBlankLines(rows, blankLines, defaultVAT))
		}
		var v domain.Validator
		for field, msg := range domain.FieldErrors(textErr) {
			v.Add(field, msg)
		}
		doc := docFromForm(r.PostForm, &v)
		doc.ID, doc.ClientID = id, t.Client.ID
		switch k {
		case kindInvoice:
			inv := &domain.Invoice{BillingDoc: doc, DueDate: formDay(r.PostForm, "due_date", &v)}
			err = saveBillingDraft(r, &v, inv, update, s.staffView(r).CreateInvoice, s.staffView(r).UpdateInvoice)
			id = inv.ID
		case kindEstimate:
			e := &domain.Estimate{BillingDoc: doc, ValidUntil: formDay(r.PostForm, "valid_until", &v)}
			err = saveBillingDraft(r, &v, e, update, s.staffView(r).CreateEstimate, s.staffView(r).UpdateEstimate)
			id = e.ID
		}
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				return err
			}
			return s.billingForm(w, r, http.StatusUnprocessableEntity, t, k, id, newForm(r.PostForm).withError(err),
				withBlankLines(rows, max(0, 1-len(rows)), defaultVAT))
		}
		return s.redirectFlash(w, r, billingDocPath(t.Client.ID, k, id), "Draft "+string(k)+" saved.")
	}
}

// saveBillingDraft normalizes d and adds its own field errors to the form's in
// v; only when there are none does it create or update d.
func saveBillingDraft[D interface {
	Normalize()
	Validate() error
}](r *http.Request, v *domain.Validator, d D, update bool, create, upd func(context.Context, D) error) error {
	d.Normalize()
	if err := mergeInvalid(v, d.Validate); err != nil {
		return err
	}
	if update {
		return upd(r.Context(), d)
	}
	return create(r.Context(), d)
}

func billingDocPath(clientID int64, k billingKind, id int64) string {
	return fmt.Sprintf("/app/clients/%d/billing/%s/%d", clientID, k.Plural(), id)
}

// billingEdit serves GET /app/clients/{id}/billing/{kind}s/{did}/edit. A sent
// document cannot be edited: the page says so.
func (s *Server) billingEdit(k billingKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, id, err := s.billingTabDoc(r)
		if err != nil {
			return err
		}
		p, err := s.loadBillingDocPage(r, t, k, id)
		if err != nil {
			return err
		}
		doc := p.Doc
		if !doc.IsDraft() {
			return domain.Errorf(domain.ECONFLICT, "%s %s has been sent and can no longer be edited.", k.Label(), doc.Number)
		}
		v := url.Values{}
		if p.Invoice != nil {
			v.Set("due_date", p.Invoice.DueDate.String())
		} else {
			v.Set("valid_until", p.Estimate.ValidUntil.String())
		}
		v.Set("title", doc.Title)
		v.Set("project_id", strconv.FormatInt(doc.ProjectID, 10))
		v.Set("issue_date", doc.IssueDate.String())
		v.Set("currency", doc.Currency)
		v.Set("note", doc.Note)
		return s.billingForm(w, r, http.StatusOK, t, k, id, newForm(v), withBlankLines(storedLines(p.Fmt, doc.Lines), 2, defaultVAT))
	}
}

// billingTabDoc reads the client tab and the document id of a
// /app/clients/{id}/billing/{kind}s/{did} path.
func (s *Server) billingTabDoc(r *http.Request) (clientTabPage, int64, error) {
	t, err := s.clientTab(r, "billing")
	if err != nil {
		return t, 0, err
	}
	id, err := pathID(r, "did")
	return t, id, err
}

// billingDocPage is the staff page of one invoice or estimate.
type billingDocPage struct {
	clientTabPage
	Fmt      domain.BillingFormat
	Kind     billingKind
	Doc      *domain.BillingDoc
	Invoice  *domain.Invoice
	Estimate *domain.Estimate
	State    string
}

// billingDoc serves GET /app/clients/{id}/billing/{kind}s/{did}.
func (s *Server) billingDoc(k billingKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, id, err := s.billingTabDoc(r)
		if err != nil {
			return err
		}
		p, err := s.loadBillingDocPage(r, t, k, id)
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusOK, "billing_doc", p)
		return nil
	}
}

// loadBillingDocPage loads document id of kind k of the tab's client into its
// page; ENOTFOUND when the client has no such document.
func (s *Server) loadBillingDocPage(r *http.Request, t clientTabPage, k billingKind, id int64) (*billingDocPage, error) {
	p := &billingDocPage{clientTabPage: t, Fmt: s.billingFormat(r), Kind: k}
	var err error
	if k == kindInvoice {
		if p.Invoice, err = s.staffView(r).Invoice(r.Context(), t.Client.ID, id); err != nil {
			return nil, err
		}
		p.Doc, p.State = &p.Invoice.BillingDoc, p.Invoice.State()
	} else {
		if p.Estimate, err = s.staffView(r).Estimate(r.Context(), t.Client.ID, id); err != nil {
			return nil, err
		}
		p.Doc, p.State = &p.Estimate.BillingDoc, p.Estimate.State()
	}
	p.Title = k.Label() + " " + p.Doc.DisplayNumber()
	return p, nil
}

// billingAction serves the POSTs that move a document on: send, paid, void,
// delete, and an estimate's accept and decline recorded for the client. A refusal
// (a document in the wrong state) shows on the document's page.
func (s *Server) billingAction(k billingKind, action string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, id, err := s.billingTabDoc(r)
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		ctx, cid := r.Context(), t.Client.ID
		to := billingDocPath(cid, k, id)
		var msg string
		switch k + ":" + billingKind(action) {
		case "invoice:send":
			var number string
			number, err = s.staffView(r).SendInvoice(ctx, cid, id)
			msg = "Invoice " + number + " is sent: it has its number and the client sees it in the portal."
		case "invoice:paid":
			err, msg = s.staffView(r).MarkInvoicePaid(ctx, cid, id), "Invoice marked as paid."
		case "invoice:void":
			err, msg = s.staffView(r).VoidInvoice(ctx, cid, id), "Invoice voided. It keeps its number and no longer shows in the portal."
		case "invoice:delete":
			err, msg, to = s.staffView(r).DeleteInvoice(ctx, cid, id), "Draft invoice deleted.", fmt.Sprintf("/app/clients/%d/billing", cid)
		case "estimate:send":
			var number string
			number, err = s.staffView(r).SendEstimate(ctx, cid, id)
			msg = "Estimate " + number + " is sent: the client can accept or decline it in the portal."
		case "estimate:accept", "estimate:decline":
			decision := domain.EstimateAccepted
			if action == "decline" {
				decision = domain.EstimateDeclined
			}
			err = s.staffView(r).RecordEstimateDecision(ctx, cid, id, decision, r.PostForm.Get("comment"))
			msg = "Recorded: the client " + decision + " the estimate."
		case "estimate:delete":
			err, msg, to = s.staffView(r).DeleteEstimate(ctx, cid, id), "Draft estimate deleted.", fmt.Sprintf("/app/clients/%d/billing/estimates", cid)
		default:
			return domain.Errorf(domain.ENOTFOUND, "Page not found.")
		}
		if code := domain.ErrorCode(err); code == domain.ECONFLICT || (code == domain.EINVALID && len(domain.FieldErrors(err)) == 0) {
			return s.billingRefused(w, r, t, k, id, err)
		}
		if err != nil {
			return err
		}
		return s.redirectFlash(w, r, to, msg)
	}
}

// billingRefused shows the document's page with the reason an action was refused.
func (s *Server) billingRefused(w http.ResponseWriter, r *http.Request, t clientTabPage, k billingKind, id int64, refusal error) error {
	p, err := s.loadBillingDocPage(r, t, k, id)
	if err != nil {
		return err
	}
	p.Page.Flash = ""
	p.Error = domain.ErrorMessage(refusal)
	s.render(w, r, statusOf(domain.ErrorCode(refusal)), "billing_doc", p)
	return nil
}

// billingPDF serves GET /app/clients/{id}/billing/{kind}s/{did}/pdf — drafts
// too, marked as such.
func (s *Server) billingPDF(k billingKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		cid, err := pathID(r, "id")
		if err != nil {
			return err
		}
		id, err := pathID(r, "did")
		if err != nil {
			return err
		}
		if k == kindInvoice {
			inv, doc, err := s.app.StaffInvoicePDF(app.WithLocale(r.Context(), requestLocale(r)), who(r), cid, id)
			if err != nil {
				return err
			}
			return sendPDF(w, r, doc, "invoice-"+inv.DisplayNumber()+".pdf")
		}
		e, doc, err := s.app.StaffEstimatePDF(app.WithLocale(r.Context(), requestLocale(r)), who(r), cid, id)
		if err != nil {
			return err
		}
		return sendPDF(w, r, doc, "estimate-"+e.DisplayNumber()+".pdf")
	}
}

// ---- settings

type billingSettingsPage struct {
	Page
	Form *Form
	Back string // the page the settings were opened from
}

// billingSettings serves GET /app/settings/billing.
func (s *Server) billingSettings(w http.ResponseWriter, r *http.Request) error {
	b, err := s.staffView(r).BillingSettings(r.Context())
	if err != nil {
		return err
	}
	p := &billingSettingsPage{Page: s.page(r, "Billing settings"), Back: billingBack(r.URL.Query().Get("back")),
		Form: newForm(url.Values{"notification_email": {b.NotificationEmail}, "billing_details": {b.Details}})}
	s.render(w, r, http.StatusOK, "billing_settings", p)
	return nil
}

// billingSettingsSave serves POST /app/settings/billing.
func (s *Server) billingSettingsSave(w http.ResponseWriter, r *http.Request) error {
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	b := store.BillingSettings{NotificationEmail: r.PostForm.Get("notification_email"), Details: r.PostForm.Get("billing_details")}
	back := billingBack(r.PostForm.Get("back"))
	if err := unlessText(textErr, func() error { return s.staffView(r).UpdateBillingSettings(r.Context(), b) }); err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		p := &billingSettingsPage{Page: s.page(r, "Billing settings"), Back: back, Form: newForm(r.PostForm).withError(err)}
		s.render(w, r, http.StatusUnprocessableEntity, "billing_settings", p)
		return nil
	}
	return s.redirectFlash(w, r, back, "Billing settings saved.")
}

// billingBack keeps the settings' way back inside the staff app.
func billingBack(next string) string {
	if n := localNext(next); n != "/app/" {
		return n
	}
	return "/app/clients"
}
