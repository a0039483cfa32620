package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"portico/internal/app"
	"strconv"
	"strings"
	"time"

	"portico/internal/domain"
	"portico/internal/store"
)

// dateFilter reads the from/to query parameters (YYYY-MM-DD, in the tenant's
// zone): from is inclusive, to includes the whole day.
func dateFilter(q url.Values, loc *time.Location) (from, to time.Time) {
	if d, err := time.Parse("2006-01-02", q.Get("from")); err == nil {
		from = dayStart(d, 0, loc)
	}
	if d, err := time.Parse("2006-01-02", q.Get("to")); err == nil {
		to = dayStart(d, 1, loc)
	}
	return from, to
}

// dayStart returns the first instant in loc of the day days after the date d.
// Where the clocks skip midnight (Havana, Santiago, Asunción), time.Date lands
// in the day before, and the day begins when the skip ends; a day skipped
// whole (Samoa's 30 December 2011) begins with the day after it.
func dayStart(d time.Time, days int, loc *time.Location) time.Time {
	want := time.Date(d.Year(), d.Month(), d.Day()+days, 0, 0, 0, 0, time.UTC)
	t := time.Date(want.Year(), want.Month(), want.Day(), 0, 0, 0, 0, loc)
	if y, m, day := t.Date(); time.Date(y, m, day, 0, 0, 0, 0, time.UTC).Before(want) {
		_, end := t.ZoneBounds()
		return end
	}
	return t
}

func queryID(q url.Values, name string) int64 {
	id, _ := strconv.ParseInt(q.Get(name), 10, 64)
	return max(id, 0)
}

type protocolListPage struct {
	clientTabPage
	Protocols []*domain.Protocol
	Info      domain.PageInfo
	Sites     []*domain.Site
	Filter    url.Values
	Filtered  bool
	URL       *url.URL
}

// protocolList serves GET /app/clients/{id}/protocols?site=&status=&from=&to=&page=:
// the client's protocols, also per site.
func (s *Server) protocolList(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "protocols")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := store.ProtocolFilter{ClientID: t.Client.ID, SiteID: queryID(q, "site"), ListOptions: domain.ListOptions{Page: page}}
	if st := q.Get("status"); st == domain.ProtocolDraft || st == domain.ProtocolCompleted {
		f.Status = st
	}
	f.From, f.To = dateFilter(q, t.Company.Location())
	ps, info, err := s.staffView(r).Protocols(r.Context(), f)
	if err != nil {
		return err
	}
	sites, err := s.staffView(r).Sites(r.Context(), t.Client.ID)
	if err != nil {
		return err
	}
	p := &protocolListPage{clientTabPage: t, Protocols: ps, Info: info, Sites: sites, Filter: q, URL: r.URL,
		Filtered: f.SiteID != 0 || f.Status != "" || !f.From.IsZero() || !f.To.IsZero()}
	s.render(w, r, http.StatusOK, "client_protocols", p)
	return nil
}

type protocolPage struct {
	clientTabPage
	Protocol *domain.Protocol
}

func (s *Server) protocolOf(r *http.Request) (*protocolPage, error) {
	t, err := s.clientTab(r, "protocols")
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "pid")
	if err != nil {
		return nil, err
	}
	p, err := s.staffView(r).Protocol(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if p.ClientID != t.Client.ID {
		return nil, domain.Errorf(domain.ENOTFOUND, "Protocol not found.")
	}
	t.Title = localf(r, "Protocol %d", p.Number)
	return &protocolPage{clientTabPage: t, Protocol: p}, nil
}

// protocolDetail serves GET /app/clients/{id}/protocols/{pid}.
func (s *Server) protocolDetail(w http.ResponseWriter, r *http.Request) error {
	p, err := s.protocolOf(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "protocol", p)
	return nil
}

// protocolPDF serves GET /app/clients/{id}/protocols/{pid}/pdf: the same bytes
// the portal serves.
func (s *Server) protocolPDF(w http.ResponseWriter, r *http.Request) error {
	p, err := s.protocolOf(r)
	if err != nil {
		return err
	}
	_, doc, err := s.app.StaffProtocolPDF(app.WithLocale(r.Context(), requestLocale(r)), who(r), p.Protocol.ID)
	if err != nil {
		return err
	}
	return sendPDF(w, r, doc, fmt.Sprintf("protocol-%d.pdf", p.Protocol.Number))
}

// materialLine is one row of the protocol form's materials table.
type materialLine struct {
	Material, Quantity, Unit, Location string
}

type protocolFormPage struct {
	clientTabPage
	Form        *Form
	Action      string
	Protocol    *domain.Protocol // nil when adding
	Sites       []*domain.Site
	Technicians []*domain.StaffUser
	Materials   []*domain.Material
	Lines       []materialLine
	Services    []string
}

// protocolForm renders the protocol form with what f holds and a few empty
// material lines to fill.
func (s *Server) protocolForm(w http.ResponseWriter, r *http.Request, status int, t clientTabPage, p *domain.Protocol, f *Form) error {
	sites, err := s.staffView(r).Sites(r.Context(), t.Client.ID)
	if err != nil {
		return err
	}
	staffUsers, err := s.staffView(r).StaffUsers(r.Context())
	if err != nil {
		return err
	}
	materials, err := s.staffView(r).AllMaterials(r.Context())
	if err != nil {
		return err
	}
	pg := &protocolFormPage{clientTabPage: t, Form: f, Protocol: p, Sites: sites, Technicians: staffUsers, Materials: materials, Services: domain.ServiceTypes}
	pg.Title, pg.Action = "New protocol", fmt.Sprintf("/app/clients/%d/protocols", t.Client.ID)
	if p != nil {
		pg.Title, pg.Action = localf(r, "Edit protocol %d", p.Number), fmt.Sprintf("/app/clients/%d/protocols/%d", t.Client.ID, p.ID)
	}
	v := f.Values
	for i := range v["m_material"] {
		l := materialLine{Material: v["m_material"][i]}
		if i < len(v["m_qty"]) {
			l.Quantity = v["m_qty"][i]
		}
		if i < len(v["m_unit"]) {
			l.Unit = v["m_unit"][i]
		}
		if i < len(v["m_where"]) {
			l.Location = v["m_where"][i]
		}
		if l != (materialLine{Material: "0"}) && l != (materialLine{}) {
			pg.Lines = append(pg.Lines, l)
		}
	}
	for want := max(3, len(pg.Lines)+2); len(pg.Lines) < want; {
		pg.Lines = append(pg.Lines, materialLine{})
	}
	s.render(w, r, status, "protocol_form", pg)
	return nil
}

// protocolFromForm reads a protocol from the form; unreadable numbers and dates
// become field errors.
func protocolFromForm(v url.Values, loc *time.Location) (*domain.Protocol, map[string]string) {
	bad := map[string]string{}
	p := &domain.Protocol{ServiceType: v.Get("service_type"), Findings: v.Get("findings"), Recommendations: v.Get("recommendations")}
	var ok bool
	if p.SiteID, ok = formID(v, "site_id"); !ok {
		bad["site_id"] = "Choose one of this client's sites."
	}
	if p.TechnicianID, ok = formID(v, "technician_id"); !ok {
		bad["technician_id"] = "Choose a technician from the list."
	}
	if s := v.Get("performed_at"); s != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
		if err != nil {
			bad["performed_at"] = "Enter a date and time, like 2026-03-14 08:30."
		}
		p.PerformedAt = t
	}
	for i, ms := range v["m_material"] {
		mid, ok := formID(url.Values{"m": {ms}}, "m")
		if !ok {
			bad["materials"] = "Choose the material of every line from the list."
			continue
		}
		at := func(name string) string {
			if i < len(v[name]) {
				return strings.TrimSpace(v[name][i])
			}
			return ""
		}
		qty, unit, where := at("m_qty"), at("m_unit"), at("m_where")
		if mid == 0 {
			if qty != "" || where != "" {
				bad["materials"] = "Choose the material of every line with a quantity or a place."
			}
			continue
		}
		q := 0.0
		if qty != "" {
			var err error
			q, err = strconv.ParseFloat(strings.ReplaceAll(qty, ",", "."), 64)
			if err != nil {
				bad["materials"] = "Enter quantities as numbers, like 250 or 1.5."
			}
		}
		p.Materials = append(p.Materials, domain.ProtocolMaterial{MaterialID: mid, Quantity: q, Unit: unit, Location: where})
	}
	return p, bad
}

// saveProtocol validates and saves a new (p.ID == 0) or edited protocol, merging
// form-reading problems with the store's.
func (s *Server) saveProtocol(r *http.Request, t clientTabPage, id int64) (*domain.Protocol, error) {
	textErr, err := readForm(r)
	if err != nil {
		return nil, err
	}
	p, bad := protocolFromForm(r.PostForm, t.Company.Location())
	p.ID, p.ClientID = id, t.Client.ID
	maps.Copy(bad, domain.FieldErrors(textErr))
	if len(bad) == 0 {
		if id == 0 {
			err = s.staffView(r).CreateProtocol(r.Context(), p)
		} else {
			err = s.staffView(r).UpdateProtocol(r.Context(), p)
		}
	} else {
		// Report every field at once: the store's own checks too.
		if verr := p.Validate(); verr != nil {
			for k, v := range domain.FieldErrors(verr) {
				if _, ok := bad[k]; !ok {
					bad[k] = v
				}
			}
		}
		err = &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.", Fields: bad}
	}
	return p, err
}

// protocolNew serves GET /app/clients/{id}/protocols/new?site=.
func (s *Server) protocolNew(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "protocols")
	if err != nil {
		return err
	}
	now := s.app.Now().In(t.Company.Location()).Truncate(time.Minute)
	v := url.Values{"performed_at": {now.Format("2006-01-02T15:04")}, "technician_id": {strconv.FormatInt(who(r).UserID(), 10)},
		"site_id": {r.URL.Query().Get("site")}}
	return s.protocolForm(w, r, http.StatusOK, t, nil, newForm(v))
}

// protocolCreate serves POST /app/clients/{id}/protocols.
func (s *Server) protocolCreate(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "protocols")
	if err != nil {
		return err
	}
	p, err := s.saveProtocol(r, t, 0)
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		return s.protocolForm(w, r, http.StatusUnprocessableEntity, t, nil, newForm(r.PostForm).withError(err))
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d/protocols/%d", t.Client.ID, p.ID),
		fmt.Sprintf("Protocol %d saved as a draft. Complete it to show it in the portal.", p.Number))
}

// protocolValues fills the form from a saved protocol.
func protocolValues(p *domain.Protocol, loc *time.Location) url.Values {
	v := url.Values{"site_id": {itoa(p.SiteID)}, "technician_id": {itoa(p.TechnicianID)}, "service_type": {p.ServiceType},
		"performed_at": {p.PerformedAt.In(loc).Format("2006-01-02T15:04")}, "findings": {p.Findings}, "recommendations": {p.Recommendations}}
	for _, m := range p.Materials {
		v.Add("m_material", itoa(m.MaterialID))
		v.Add("m_qty", strconv.FormatFloat(m.Quantity, 'f', -1, 64))
		v.Add("m_unit", m.Unit)
		v.Add("m_where", m.Location)
	}
	return v
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// protocolEdit serves GET /app/clients/{id}/protocols/{pid}/edit.
func (s *Server) protocolEdit(w http.ResponseWriter, r *http.Request) error {
	p, err := s.protocolOf(r)
	if err != nil {
		return err
	}
	if p.Protocol.Completed() {
		return domain.Errorf(domain.ECONFLICT, "Protocol %d is completed and can no longer be changed.", p.Protocol.Number)
	}
	return s.protocolForm(w, r, http.StatusOK, p.clientTabPage, p.Protocol, newForm(protocolValues(p.Protocol, p.Company.Location())))
}

// protocolUpdate serves POST /app/clients/{id}/protocols/{pid}.
func (s *Server) protocolUpdate(w http.ResponseWriter, r *http.Request) error {
	p, err := s.protocolOf(r)
	if err != nil {
		return err
	}
	saved, err := s.saveProtocol(r, p.clientTabPage, p.Protocol.ID)
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		return s.protocolForm(w, r, http.StatusUnprocessableEntity, p.clientTabPage, p.Protocol, newForm(r.PostForm).withError(err))
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d/protocols/%d", p.Client.ID, saved.ID), "Protocol saved.")
}

// protocolComplete serves POST /app/clients/{id}/protocols/{pid}/complete.
func (s *Server) protocolComplete(w http.ResponseWriter, r *http.Request) error {
	p, err := s.protocolOf(r)
	if err != nil {
		return err
	}
	if err := s.staffView(r).CompleteProtocol(r.Context(), p.Protocol.ID); err != nil {
		return err
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d/protocols/%d", p.Client.ID, p.Protocol.ID),
		fmt.Sprintf("Protocol %d completed. The client's portal users can see it now.", p.Protocol.Number))
}

// protocolDelete serves POST /app/clients/{id}/protocols/{pid}/delete (drafts only).
func (s *Server) protocolDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := s.protocolOf(r)
	if err != nil {
		return err
	}
	if err := s.staffView(r).DeleteProtocol(r.Context(), p.Protocol.ID); err != nil {
		return err
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d/protocols", p.Client.ID), fmt.Sprintf("Draft protocol %d deleted.", p.Protocol.Number))
}
