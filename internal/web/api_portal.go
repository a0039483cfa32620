package web

import (
	"fmt"
	"net/http"
	"time"

	"portico/internal/domain"
	"portico/internal/i18n"
	"portico/internal/store"
)

// The portal's side of the API: what a portal user's token reads and does is
// exactly what its owner's portal pages show and allow, read through the same
// PortalView methods, so the same Scope and the same anonymisation apply (no
// staff names, no switch credentials, no drafts).

// apiTime is a time as RFC 3339 in UTC, or null when zero.
func apiTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// apiDay is a date as YYYY-MM-DD, or null when zero.
func apiDay(d domain.Day) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

type apiCompany struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	CompanyNumber string `json:"company_number"`
	City          string `json:"city"`
	SiteCount     int    `json:"site_count"`
}

type apiSite struct {
	ID         int64  `json:"id"`
	ClientID   int64  `json:"client_id"`
	Name       string `json:"name"`
	Street     string `json:"street"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

func toAPISite(x *domain.Site) apiSite {
	return apiSite{ID: x.ID, ClientID: x.ClientID, Name: x.Name, Street: x.Street, City: x.City, PostalCode: x.PostalCode, Country: x.Country}
}

type apiProtocol struct {
	ID              int64   `json:"id"`
	Number          int64   `json:"number"`
	ClientID        int64   `json:"client_id"`
	ClientName      string  `json:"client_name"`
	SiteID          int64   `json:"site_id"`
	SiteName        string  `json:"site_name"`
	PerformedAt     *string `json:"performed_at"`
	ServiceType     string  `json:"service_type"`
	CompletedAt     *string `json:"completed_at"`
	PDFURL          string  `json:"pdf_url"`
	Findings        *string `json:"findings,omitempty"`        // detail only
	Recommendations *string `json:"recommendations,omitempty"` // detail only
}

func toAPIProtocol(p *domain.Protocol, pdfURL string, detail bool) apiProtocol {
	out := apiProtocol{ID: p.ID, Number: p.Number, ClientID: p.ClientID, ClientName: p.ClientName, SiteID: p.SiteID, SiteName: p.SiteName,
		PerformedAt: apiTime(p.PerformedAt), ServiceType: p.ServiceType, CompletedAt: apiTime(p.CompletedAt), PDFURL: pdfURL}
	if detail {
		out.Findings, out.Recommendations = &p.Findings, &p.Recommendations
	}
	return out
}

type apiDocument struct {
	ID           int64   `json:"id"`
	Kind         string  `json:"kind"`
	Title        string  `json:"title"`
	ValidUntil   *string `json:"valid_until"`
	ClientID     int64   `json:"client_id"`
	MaterialName string  `json:"material_name"`
	FileName     string  `json:"file_name"`
	ContentType  string  `json:"content_type"`
	Size         int64   `json:"size"`
	DownloadURL  string  `json:"download_url"`
}

type apiProject struct {
	ID         int64  `json:"id"`
	ClientID   int64  `json:"client_id"`
	ClientName string `json:"client_name"`
	SiteID     int64  `json:"site_id"`
	SiteName   string `json:"site_name"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	Switches   int    `json:"switches"`
	SwitchesOn int    `json:"switches_on"`
}

func toAPIProject(pp *store.PortalProject) apiProject {
	return apiProject{ID: pp.ID, ClientID: pp.ClientID, ClientName: pp.ClientName, SiteID: pp.SiteID, SiteName: pp.SiteName,
		Name: pp.Name, Status: pp.Status, Switches: pp.Switches, SwitchesOn: pp.SwitchesOn}
}

type apiSwitch struct {
	ID         int64   `json:"id"`
	ProjectID  int64   `json:"project_id"`
	ClientID   int64   `json:"client_id"`
	Name       string  `json:"name"`
	Known      bool    `json:"known"`
	On         bool    `json:"on"`
	Online     bool    `json:"online"`
	Pending    string  `json:"pending"`
	LastSeen   *string `json:"last_seen"`
	LastChange *string `json:"last_change"`
}

func toAPISwitch(sw *domain.Switch) apiSwitch {
	return apiSwitch{ID: sw.ID, ProjectID: sw.ProjectID, ClientID: sw.ClientID, Name: sw.Name, Known: sw.Known, On: sw.On, Online: sw.Online,
		Pending: sw.Pending, LastSeen: apiTime(sw.LastSeen), LastChange: apiTime(sw.LastChange)}
}

type apiSwitchEvent struct {
	ID         int64   `json:"id"`
	SwitchID   int64   `json:"switch_id"`
	SwitchName string  `json:"switch_name"`
	On         bool    `json:"on"`
	Status     string  `json:"status"`
	Who        string  `json:"who"`
	At         *string `json:"at"`
	Error      string  `json:"error"`
}

type apiBillingDoc struct {
	ID         int64   `json:"id"`
	Number     string  `json:"number"`
	Title      string  `json:"title"`
	ClientID   int64   `json:"client_id"`
	ClientName string  `json:"client_name"`
	ProjectID  int64   `json:"project_id"`
	State      string  `json:"state"`
	IssueDate  *string `json:"issue_date"`
	Currency   string  `json:"currency"`
	Net        int64   `json:"net"`
	VAT        int64   `json:"vat"`
	Gross      int64   `json:"gross"`
	PDFURL     string  `json:"pdf_url"`
	DueDate    *string `json:"due_date,omitempty"`    // invoices
	ValidUntil *string `json:"valid_until,omitempty"` // estimates
	Decidable  *bool   `json:"decidable,omitempty"`   // estimates: may still be accepted or declined
}

func toAPIBilling(d *domain.BillingDoc, state, pdfURL string) apiBillingDoc {
	return apiBillingDoc{ID: d.ID, Number: d.Number, Title: d.Title, ClientID: d.ClientID, ClientName: d.ClientName, ProjectID: d.ProjectID,
		State: state, IssueDate: apiDay(d.IssueDate), Currency: d.Currency, Net: int64(d.Totals.Net), VAT: int64(d.Totals.VAT),
		Gross: int64(d.Totals.Gross), PDFURL: pdfURL}
}

func toAPIInvoice(i *domain.Invoice) apiBillingDoc {
	out := toAPIBilling(&i.BillingDoc, i.State(), fmt.Sprintf("/api/v1/invoices/%d/pdf", i.ID))
	out.DueDate = apiDay(i.DueDate)
	return out
}

func toAPIEstimate(e *domain.Estimate) apiBillingDoc {
	out := toAPIBilling(&e.BillingDoc, e.State(), fmt.Sprintf("/api/v1/estimates/%d/pdf", e.ID))
	d := e.Decidable()
	out.ValidUntil, out.Decidable = apiDay(e.ValidUntil), &d
	return out
}

// portalAPIRoutes are the endpoints of a portal user's token.
func (s *Server) portalAPIRoutes() []route {
	return []route{
		{"GET /api/v1/companies", apiPortal(), s.apiCompanies},
		{"GET /api/v1/sites", apiPortal(), s.apiSites},
		{"GET /api/v1/sites/{id}", apiPortal(), s.apiSite},
		{"GET /api/v1/protocols", apiPortal(), s.apiProtocols},
		{"GET /api/v1/protocols/{id}", apiPortal(), s.apiProtocol},
		{"GET /api/v1/protocols/{id}/pdf", apiPortal(), s.apiProtocolPDF},
		{"GET /api/v1/documents", apiPortal(), s.apiDocuments},
		{"GET /api/v1/documents/{id}/download", apiPortal(), s.apiDocumentDownload},
		{"GET /api/v1/projects", apiPortal(), s.apiProjects},
		{"GET /api/v1/projects/{id}", apiPortal(), s.apiProject},
		{"GET /api/v1/projects/{id}/activity", apiPortal(), s.apiProjectActivity},
		{"GET /api/v1/switches", apiPortal(), s.apiSwitches},
		{"GET /api/v1/switches/{id}", apiPortal(), s.apiSwitch},
		{"PUT /api/v1/switches/{id}/state", apiPortal(), s.apiSwitchState},
		{"GET /api/v1/invoices", apiPortal(), s.apiInvoices},
		{"GET /api/v1/invoices/{id}", apiPortal(), s.apiInvoice},
		{"GET /api/v1/invoices/{id}/pdf", apiPortal(), s.apiInvoicePDF},
		{"GET /api/v1/estimates", apiPortal(), s.apiEstimates},
		{"GET /api/v1/estimates/{id}", apiPortal(), s.apiEstimate},
		{"GET /api/v1/estimates/{id}/pdf", apiPortal(), s.apiEstimatePDF},
		{"POST /api/v1/estimates/{id}/accept", apiPortal(), s.apiDecide(domain.EstimateAccepted)},
		{"POST /api/v1/estimates/{id}/decline", apiPortal(), s.apiDecide(domain.EstimateDeclined)},
	}
}

// apiRoutes is the API's part of the route table.
func (s *Server) apiRoutes() []route {
	routes := []route{{"GET /api/v1/openapi.json", apiOpen(), s.openAPI}}
	routes = append(routes, s.portalAPIRoutes()...)
	routes = append(routes, s.staffAPIRoutes()...)
	return append(routes, route{"/api/", apiOpen(), s.apiNotFound})
}

func (s *Server) apiCompanies(w http.ResponseWriter, r *http.Request) error {
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	cs, err := apiOf(r).portal.PortalClients(r.Context())
	if err != nil {
		return err
	}
	out := make([]apiCompany, 0, len(cs))
	for _, x := range cs {
		out = append(out, apiCompany{ID: x.ID, Name: x.Name, CompanyNumber: x.CompanyNumber, City: x.City, SiteCount: x.SiteCount})
	}
	return apiSlice(w, r, out, c, func(x apiCompany) []any { return []any{x.Name, x.ID} })
}

func (s *Server) apiSites(w http.ResponseWriter, r *http.Request) error {
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	view := apiOf(r).portal
	cs, err := view.PortalClients(r.Context())
	if err != nil {
		return err
	}
	all, err := view.PortalAllSites(r.Context())
	if err != nil {
		return err
	}
	out := []apiSite{}
	clientName := map[int64]string{}
	for _, x := range cs {
		clientName[x.ID] = x.Name
		for _, site := range all[x.ID] {
			out = append(out, toAPISite(site))
		}
	}
	// By client name, then name, as the pages list them.
	return apiSlice(w, r, out, c, func(x apiSite) []any { return []any{clientName[x.ClientID], x.Name, x.ID} })
}

func (s *Server) apiSite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	site, err := apiOf(r).portal.PortalSite(r.Context(), id)
	if err != nil {
		return err
	}
	return apiJSON(w, r, http.StatusOK, toAPISite(site))
}

func (s *Server) apiProtocols(w http.ResponseWriter, r *http.Request) error {
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.ProtocolFilter{ClientID: queryID(q, "client"), SiteID: queryID(q, "site"), ListOptions: c.listOptions()}
	ps, info, err := apiOf(r).portal.PortalProtocols(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]apiProtocol, 0, len(ps))
	for _, p := range ps {
		out = append(out, toAPIProtocol(p, fmt.Sprintf("/api/v1/protocols/%d/pdf", p.ID), false))
	}
	return apiJSON(w, r, http.StatusOK, pageStore(out, info, c))
}

func (s *Server) apiProtocol(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := apiOf(r).portal.PortalProtocol(r.Context(), id)
	if err != nil {
		return err
	}
	return apiJSON(w, r, http.StatusOK, toAPIProtocol(p, fmt.Sprintf("/api/v1/protocols/%d/pdf", p.ID), true))
}

func (s *Server) apiProtocolPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, doc, err := s.app.PortalProtocolPDF(apiContext(r), apiOf(r).caller.Scope, id)
	if err != nil {
		return err
	}
	return sendPDF(w, r, doc, fmt.Sprintf("protocol-%d.pdf", p.Number))
}

func (s *Server) apiDocuments(w http.ResponseWriter, r *http.Request) error {
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.PortalDocumentFilter{Query: q.Get("q"), Kind: knownKind(q.Get("kind")), SiteID: queryID(q, "site"), ListOptions: c.listOptions()}
	docs, info, err := apiOf(r).portal.PortalDocuments(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]apiDocument, 0, len(docs))
	for _, d := range docs {
		out = append(out, apiDocument{ID: d.ID, Kind: d.Kind, Title: d.Title, ValidUntil: apiTime(d.ValidUntil), ClientID: d.ClientID,
			MaterialName: d.MaterialName, FileName: d.FileName, ContentType: d.ContentType, Size: d.Size,
			DownloadURL: fmt.Sprintf("/api/v1/documents/%d/download", d.ID)})
	}
	return apiJSON(w, r, http.StatusOK, pageStore(out, info, c))
}

func (s *Server) apiDocumentDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, rc, err := s.app.PortalDocumentFile(r.Context(), apiOf(r).caller.Scope, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := sendFile(w, r, rc, d.Size, d.FileName, d.ContentType, true); err != nil {
		s.log.Warn("sending a document failed", "document", d.ID, "err", err)
	}
	return nil
}

func (s *Server) apiProjects(w http.ResponseWriter, r *http.Request) error {
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	ps, err := apiOf(r).portal.PortalProjects(r.Context())
	if err != nil {
		return err
	}
	out := make([]apiProject, 0, len(ps))
	for _, pp := range ps {
		out = append(out, toAPIProject(pp))
	}
	return apiSlice(w, r, out, c, projectKey)
}

// projectKey orders projects by client name, then name.
func projectKey(x apiProject) []any { return []any{x.ClientName, x.Name, x.ID} }

func (s *Server) apiProject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	view := apiOf(r).portal
	pp, err := view.PortalProjectByID(r.Context(), id)
	if err != nil {
		return err
	}
	// The counts, as the list has them.
	sws, err := view.PortalSwitches(r.Context(), pp.ID)
	if err != nil {
		return err
	}
	pp.Switches = len(sws)
	for _, sw := range sws {
		if sw.On && sw.Online {
			pp.SwitchesOn++
		}
	}
	return apiJSON(w, r, http.StatusOK, toAPIProject(pp))
}

// apiProjectActivity serves GET /api/v1/projects/{id}/activity?limit=: the
// newest switch events of the project as the portal's Recent activity words
// them.
func (s *Server) apiProjectActivity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	ac := apiOf(r)
	pp, err := ac.portal.PortalProjectByID(r.Context(), id)
	if err != nil {
		return err
	}
	acts, info, err := ac.portal.PortalSwitchActivityPage(r.Context(), pp.ID, ac.caller.Company.TeamLabelOr(fmt.Sprintf(translate(apiLocale(r), "%s team"), ac.caller.Company.Name)), c.listOptions())
	if err != nil {
		return err
	}
	out := make([]apiSwitchEvent, 0, len(acts))
	for _, e := range acts {
		out = append(out, apiSwitchEvent{ID: e.ID, SwitchID: e.SwitchID, SwitchName: e.SwitchName, On: e.On, Status: e.Status, Who: e.Who, At: apiTime(e.At), Error: e.Error})
	}
	return apiJSON(w, r, http.StatusOK, pageStore(out, info, c))
}

// apiSwitches serves GET /api/v1/switches?project=: every switch the token's
// owner sees, by project as the Projects page orders them, then by name.
func (s *Server) apiSwitches(w http.ResponseWriter, r *http.Request) error {
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	view := apiOf(r).portal
	ps, err := view.PortalProjects(r.Context())
	if err != nil {
		return err
	}
	only := queryID(r.URL.Query(), "project")
	out := []apiSwitch{}
	projects := map[int64]apiProject{}
	for _, pp := range ps {
		if only != 0 && pp.ID != only {
			continue
		}
		projects[pp.ID] = toAPIProject(pp)
		sws, err := view.PortalSwitches(r.Context(), pp.ID)
		if err != nil {
			return err
		}
		for _, sw := range sws {
			out = append(out, toAPISwitch(sw))
		}
	}
	return apiSlice(w, r, out, c, func(x apiSwitch) []any { return append(projectKey(projects[x.ProjectID]), x.Name, x.ID) })
}

func (s *Server) apiSwitch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sw, err := apiOf(r).portal.PortalSwitch(r.Context(), id)
	if err != nil {
		return err
	}
	return apiJSON(w, r, http.StatusOK, toAPISwitch(sw))
}

// apiToggle is the answer to PUT /api/v1/switches/{id}/state: the portal
// toggle's outcome — confirmed (or superseded by a later command), failed,
// pending, or offline (refused: nothing was sent) — and the switch as it now is.
// Message is a sentence for a person, in the request's language (apiLocale);
// Status is for programs.
type apiToggle struct {
	OK      bool       `json:"ok"`
	Status  string     `json:"status"`
	Message string     `json:"message"`
	Switch  *apiSwitch `json:"switch,omitempty"`
}

// apiSwitchState serves PUT /api/v1/switches/{id}/state with {"on": true}: the
// portal's toggle, through the same app code, answering when the device has
// confirmed or the command has failed.
func (s *Server) apiSwitchState(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		On *bool `json:"on"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if body.On == nil {
		return &domain.Error{Code: domain.EINVALID, Message: "Say whether the switch should be on: {\"on\": true}.", Fields: map[string]string{"on": "Required."}}
	}
	ac := apiOf(r)
	// Not found first, whatever else holds, as in the portal.
	if _, err := ac.portal.PortalSwitch(r.Context(), id); err != nil {
		return err
	}
	svc, err := s.switchService()
	if err != nil {
		return err
	}
	res, err := svc.ToggleAsPortal(r.Context(), ac.caller.Scope, ac.caller.PortalUser, id, *body.On)
	switch domain.ErrorCode(err) {
	case "":
	case domain.ECONFLICT:
		return apiJSON(w, r, http.StatusConflict, apiToggle{Status: "offline", Message: i18n.Message(apiLocale(r), domain.ErrorMessage(err))})
	default:
		return err // not found, rate limited (429 with Retry-After), or a failure
	}
	status, out, err := toggleOutcome(res, nil)
	if err != nil {
		return err
	}
	answer := apiToggle{OK: out.OK, Status: out.Status, Message: i18n.Message(apiLocale(r), out.Message)}
	if sw, err := ac.portal.PortalSwitch(r.Context(), id); err == nil {
		x := toAPISwitch(sw)
		answer.Switch = &x
	}
	return apiJSON(w, r, status, answer)
}

// billingFilter reads ?state= and the page of a billing list.
func billingFilter(r *http.Request, c cursor) store.BillingFilter {
	return store.BillingFilter{State: r.URL.Query().Get("state"), ProjectID: queryID(r.URL.Query(), "project"), ListOptions: c.listOptions()}
}

func (s *Server) apiInvoices(w http.ResponseWriter, r *http.Request) error {
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	list, info, err := apiOf(r).portal.PortalInvoices(r.Context(), billingFilter(r, c))
	if err != nil {
		return err
	}
	out := make([]apiBillingDoc, 0, len(list))
	for _, i := range list {
		out = append(out, toAPIInvoice(i))
	}
	return apiJSON(w, r, http.StatusOK, pageStore(out, info, c))
}

func (s *Server) apiInvoice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	i, err := apiOf(r).portal.PortalInvoice(r.Context(), id)
	if err != nil {
		return err
	}
	return apiJSON(w, r, http.StatusOK, toAPIInvoice(i))
}

func (s *Server) apiInvoicePDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	i, doc, err := s.app.PortalInvoicePDF(apiContext(r), apiOf(r).caller.Scope, id)
	if err != nil {
		return err
	}
	return sendPDF(w, r, doc, "invoice-"+i.Number+".pdf")
}

func (s *Server) apiEstimates(w http.ResponseWriter, r *http.Request) error {
	c, err := pageOf(r)
	if err != nil {
		return err
	}
	list, info, err := apiOf(r).portal.PortalEstimates(r.Context(), billingFilter(r, c))
	if err != nil {
		return err
	}
	out := make([]apiBillingDoc, 0, len(list))
	for _, e := range list {
		out = append(out, toAPIEstimate(e))
	}
	return apiJSON(w, r, http.StatusOK, pageStore(out, info, c))
}

func (s *Server) apiEstimate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := apiOf(r).portal.PortalEstimate(r.Context(), id)
	if err != nil {
		return err
	}
	return apiJSON(w, r, http.StatusOK, toAPIEstimate(e))
}

func (s *Server) apiEstimatePDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, doc, err := s.app.PortalEstimatePDF(apiContext(r), apiOf(r).caller.Scope, id)
	if err != nil {
		return err
	}
	return sendPDF(w, r, doc, "estimate-"+e.Number+".pdf")
}

// apiDecide serves POST /api/v1/estimates/{id}/accept and /decline with an
// optional {"comment": "…"}: the portal's answer to an estimate, through the
// same app code (which queues the mail to the tenant).
func (s *Server) apiDecide(decision string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var body struct {
			Comment string `json:"comment"`
		}
		if r.ContentLength != 0 {
			if err := decodeJSON(r, &body); err != nil {
				return err
			}
		}
		if !domain.CleanText(body.Comment) {
			return &domain.Error{Code: domain.EINVALID, Message: domain.InvalidTextMessage, Fields: map[string]string{"comment": domain.InvalidTextMessage}}
		}
		if _, err := s.app.DecideEstimate(r.Context(), apiOf(r).caller.Scope, id, decision, body.Comment); err != nil {
			return err
		}
		e, err := apiOf(r).portal.PortalEstimate(r.Context(), id)
		if err != nil {
			return err
		}
		return apiJSON(w, r, http.StatusOK, toAPIEstimate(e))
	}
}
