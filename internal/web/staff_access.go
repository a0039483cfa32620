package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

// accessPage is the access overview: who sees what of each client in the portal.
type accessPage struct {
	Page
	Clients  []*domain.ClientAccess
	Info     domain.PageInfo
	Filter   domain.AccessFilter
	Choices  []*domain.ClientAccess // clients with portal users, for the filter
	Sites    []*domain.Site         // the chosen client's sites, for the filter
	Filtered bool
	Max      int
	URL      *url.URL
	CSV      string // the CSV export of the same filter
}

// accessFilter reads the overview's filter from the query. An unreadable id does
// not narrow: a filter is a view, not a change.
func accessFilter(q url.Values) domain.AccessFilter {
	f := domain.AccessFilter{Pending: q.Get("pending") == "1", NeverSignedIn: q.Get("never") == "1"}
	f.ClientID, _ = canonicalID(q.Get("client"))
	f.SiteID, _ = canonicalID(q.Get("site"))
	return f
}

// accessOverview serves GET /app/access?client=&site=&pending=1&never=1&page=.
func (s *Server) accessOverview(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := accessFilter(q)
	view := s.staffView(r)
	p := &accessPage{Page: s.page(r, "Access overview"), Max: access.MaxPortalUsersPerClient, URL: r.URL}
	p.Nav = "users"
	var err error
	if p.Choices, err = view.PortalClients(r.Context()); err != nil {
		return err
	}
	if f.ClientID != 0 {
		if p.Sites, err = view.Sites(r.Context(), f.ClientID); err != nil {
			return err
		}
	}
	// A site of another client than the chosen one (the client was changed) does
	// not narrow.
	if f.SiteID != 0 && f.ClientID != 0 && !slices.ContainsFunc(p.Sites, func(st *domain.Site) bool { return st.ID == f.SiteID }) {
		f.SiteID = 0
	}
	p.Filter, p.Filtered = f, f != domain.AccessFilter{}
	if p.Clients, p.Info, err = view.AccessOverview(r.Context(), f, domain.ListOptions{Page: page}); err != nil {
		return err
	}
	exp := *r.URL
	exp.Path = "/app/access.csv"
	qq := exp.Query()
	qq.Del("page")
	exp.RawQuery = qq.Encode()
	p.CSV = exp.String()
	s.render(w, r, http.StatusOK, "access", p)
	return nil
}

// accessCSV serves GET /app/access.csv: every row of the overview under the same
// filter, one line per portal user and client, for a spreadsheet.
func (s *Server) accessCSV(w http.ResponseWriter, r *http.Request) error {
	f := accessFilter(r.URL.Query())
	view := s.staffView(r)
	company := staffOf(r).company
	tr := func(msg string) string { return translate(requestLocale(r), msg) }
	yesNo := func(b bool) string {
		if b {
			return tr("yes")
		}
		return tr("no")
	}
	all := func(names []string, what string) string {
		if len(names) == 0 {
			return tr(what)
		}
		return strings.Join(names, "; ")
	}
	var rows [][]string
	for page := 1; ; page++ {
		clients, info, err := view.AccessOverview(r.Context(), f, domain.ListOptions{Page: page, PerPage: 100})
		if err != nil {
			return err
		}
		for _, c := range clients {
			seats := strconv.Itoa(c.Seats) + "/" + strconv.Itoa(access.MaxPortalUsersPerClient)
			if len(c.Users) == 0 {
				rows = append(rows, []string{c.ClientName, seats, "", "", "", "", "", "", "", ""})
			}
			for _, u := range c.Users {
				status, last := tr("Active"), ""
				if !u.User.Activated {
					status = tr("Invited")
				}
				if !u.User.LastLoginAt.IsZero() {
					last = u.User.LastLoginAt.In(company.Location()).Format("2006-01-02 15:04")
				}
				rows = append(rows, []string{c.ClientName, seats, u.User.Email, strings.TrimSpace(u.User.FirstName + " " + u.User.LastName),
					status, yesNo(u.User.TwoFactor), last, all(u.SiteNames, "All sites"), all(u.SwitchNames, "All switches"), tr(inviteWord(u.Invite))})
			}
		}
		if !info.HasNext() {
			break
		}
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="portal-access.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{tr("Client"), tr("Seats"), tr("Email"), tr("Full name"), tr("Status"), tr("Two-factor sign-in"),
		tr("Last sign-in"), tr("Sites"), tr("Switches"), tr("Invitation")})
	for _, row := range rows {
		for i, v := range row {
			row[i] = csvSafe(v)
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a value a spreadsheet would read as a formula (=, +, -, @, or a
// tab or carriage return first) as text, by a leading apostrophe.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// inviteWord names an invitation's delivery state (an outbox status) for people.
func inviteWord(status string) string {
	switch status {
	case "sent":
		return "Sent"
	case "queued":
		return "Queued"
	case "retrying":
		return "Retrying"
	case "failed":
		return "Failed"
	case "cancelled":
		return "Cancelled"
	}
	return status
}
