package web

import (
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed

	"portico/internal/domain"
)

// What a browser posts, or anyone posting as one, reaches these helpers before
// any check of the store. These fuzz targets hold each to what the handlers
// rely on: a value is either read as typed or reported on its field, never
// half-read, and no request makes them panic.

// postForm makes the request a browser sends for a urlencoded form.
func postForm(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/app/clients/1/invoices", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

var billingFieldRE = regexp.MustCompile(`^(project_id|issue_date|due_date|line_(desc|qty|unit|price|vat)\.(\d+))$`)

// FuzzBillingForm: any body posted to an invoice form is read by parseForm
// into form values that are all text, or refused with a message for the person
// (naming only posted fields), and docFromForm
// turns the values into a document whose every problem names a field of the
// form: a project other than a positive id, a date not as typed, a line whose
// numbers are not what its fields say.
func FuzzBillingForm(f *testing.F) {
	f.Add("title=Pest+control+March&currency=EUR&project_id=3&issue_date=2026-03-15&due_date=2026-03-29" +
		"&line_desc=Inspection&line_qty=1%2C5&line_unit=h&line_price=49.90&line_vat=23" +
		"&line_desc=Bait+station&line_qty=12&line_unit=pcs&line_price=%E2%82%AC4.50&line_vat=20+%25" +
		"&line_desc=&line_qty=1&line_unit=&line_price=&line_vat=23&csrf=abc")
	f.Add("title=&currency=CZK&project_id=0&issue_date=2026-02-30&line_desc=x&line_qty=0&line_price=1e5&line_vat=-1")
	f.Add("project_id=-4&issue_date=15.3.2026&line_desc=a&line_desc=b&line_qty=1")
	f.Add("project_id=99999999999999999999&line_qty=1&line_price=2&line_vat=3")
	f.Add("line_desc=%zz&title=%")
	f.Add("title=%FF%FE&line_desc=a%00b&note=one%0D%0Atwo&line_unit=%1B%5B2J")
	f.Add("issue_date=+2026-03-15+&due_date=0001-01-01&more_lines=1")
	f.Fuzz(func(t *testing.T, body string) {
		r := postForm(body)
		if err := parseForm(r); err != nil {
			if c := domain.ErrorCode(err); c != domain.EINVALID && c != domain.ETOOLARGE || domain.ErrorMessage(err) == "" {
				t.Fatalf("parseForm error %v is not one for the person", err)
			}
			for field := range domain.FieldErrors(err) {
				if _, posted := r.Form[field]; !posted && domain.CleanText(field) {
					t.Fatalf("parseForm names %q, which was not posted", field)
				}
			}
			return
		}
		form := r.PostForm
		for name, vs := range r.Form {
			for _, s := range vs {
				if !domain.CleanText(name) || !domain.CleanText(s) {
					t.Fatalf("parseForm let %q=%q through", name, s)
				}
			}
		}
		var v domain.Validator
		doc := docFromForm(form, &v)
		due := formDay(form, "due_date", &v)
		rows := linesFromForm(form)
		if len(rows) != len(form["line_desc"]) || len(doc.Lines) > len(rows) {
			t.Fatalf("%d rows and %d lines from %d descriptions", len(rows), len(doc.Lines), len(form["line_desc"]))
		}
		fields := domain.FieldErrors(v.Err())
		for field, msg := range fields {
			m := billingFieldRE.FindStringSubmatch(field)
			if m == nil || msg == "" {
				t.Fatalf("error %q: %q names no field of the form", field, msg)
			}
			if m[3] != "" {
				if i, err := strconv.Atoi(m[3]); err != nil || i >= len(rows) {
					t.Fatalf("error %q names no row of %d", field, len(rows))
				}
			}
		}
		if _, bad := fields["project_id"]; !bad {
			want := strings.TrimSpace(form.Get("project_id"))
			if doc.ProjectID < 0 || doc.ProjectID > 0 && strconv.FormatInt(doc.ProjectID, 10) != strings.TrimLeft(strings.TrimPrefix(want, "+"), "0") {
				t.Fatalf("project_id %q read as %d", form.Get("project_id"), doc.ProjectID)
			}
		}
		for name, d := range map[string]domain.Day{"issue_date": doc.IssueDate, "due_date": due} {
			typed := strings.TrimSpace(form.Get(name))
			if _, bad := fields[name]; !bad && d.String() != typed {
				t.Fatalf("%s %q read as %q", name, typed, d)
			}
		}
		var inputs []domain.LineInput
		for _, row := range rows {
			inputs = append(inputs, domain.LineInput{Description: row.Description, Quantity: row.Quantity, Unit: row.Unit, UnitPrice: row.Price, VATRate: row.VAT})
		}
		lines, _ := domain.ParseLines(inputs)
		if len(lines) != len(doc.Lines) {
			t.Fatalf("docFromForm kept %d lines, the rows hold %d", len(doc.Lines), len(lines))
		}
		for i := range lines {
			if lines[i] != doc.Lines[i] {
				t.Fatalf("line %d: %+v, the rows say %+v", i, doc.Lines[i], lines[i])
			}
		}
	})
}

// filterZones are the tenants' zones the date filters are tried in: ones whose
// clocks skip or repeat midnight, where "the whole day" is easy to get wrong.
var filterZones = []string{"UTC", "Europe/Bratislava", "America/Santiago", "America/Havana", "Asia/Beirut", "America/Asuncion", "Pacific/Apia"}

// FuzzDateFilter: the protocol lists' from and to filters (staff and portal)
// are either ignored, or from is the first instant of the typed day in the
// tenant's zone and to the first instant after the typed day: the whole day is
// in, and nothing of the days around it. (A day the zone skipped whole starts
// where the next one does.)
func FuzzDateFilter(f *testing.F) {
	for i, s := range []string{"2026-03-15", "2026-09-06", "2026-04-05", "2026-03-08", "2026-10-04", "2011-12-30", "0000-01-01", "9999-12-31",
		"2026-02-30", "2026-3-15", "", "2026-03-15T00:00", "15.03.2026"} {
		f.Add(s, s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, fromText, toText string, zone uint8) {
		loc, err := time.LoadLocation(filterZones[int(zone)%len(filterZones)])
		if err != nil {
			t.Fatal(err)
		}
		from, to := dateFilter(url.Values{"from": {fromText}, "to": {toText}}, loc)
		startOf := func(text string, got time.Time, next int) {
			t.Helper()
			day, ok := domain.ParseDay(text)
			if !ok {
				if !got.IsZero() && text != "0001-01-01" {
					t.Fatalf("%q is no date but filters from %v", text, got)
				}
				return
			}
			want := day.AddDays(next)
			if got.IsZero() || domain.DayOf(got, loc).Before(want) || !domain.DayOf(got.Add(-time.Nanosecond), loc).Before(want) {
				t.Fatalf("%q in %s: %v is not the first instant of %s or after", text, loc, got.In(loc), want)
			}
		}
		startOf(fromText, from, 0)
		startOf(toText, to, 1)
	})
}

// FuzzProtocolForm: a protocol form either reports its problem on a field, or
// yields a protocol with a performed-at time to the minute and whose
// material quantities are real numbers within the limits, once validated.
func FuzzProtocolForm(f *testing.F) {
	f.Add("site_id=3&technician_id=2&performed_at=2026-03-14T08%3A30&service_type=Pest+control&findings=Droppings+in+the+store&recommendations=" +
		"&m_material=4&m_qty=250&m_unit=g&m_where=Kitchen&m_material=5&m_qty=1%2C5&m_unit=l&m_where=Cellar&m_material=&m_qty=&m_unit=&m_where=")
	f.Add("site_id=3&performed_at=2026-03-14&service_type=x&m_material=4&m_qty=abc")
	f.Add("site_id=3&performed_at=2026-03-14T08:30&service_type=x&m_material=4&m_qty=1e9&m_material=4&m_qty=-0&m_material=x&m_where=y")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		loc, _ := time.LoadLocation("Europe/Bratislava")
		p, bad := protocolFromForm(v, loc)
		for field, msg := range bad {
			if field != "performed_at" && field != "materials" || msg == "" {
				t.Fatalf("problem %q: %q", field, msg)
			}
		}
		// A time the clocks skip (02:30 as summer time starts) is moved past the
		// gap, so the check is that a time was read, to the minute.
		if _, ok := bad["performed_at"]; !ok && v.Get("performed_at") != "" && (p.PerformedAt.IsZero() || p.PerformedAt.Second() != 0 || p.PerformedAt.Nanosecond() != 0) {
			t.Fatalf("performed_at %q read as %v", v.Get("performed_at"), p.PerformedAt)
		}
		if len(p.Materials) > len(v["m_material"]) {
			t.Fatalf("%d materials from %d lines", len(p.Materials), len(v["m_material"]))
		}
		p.ClientID = 1 // set by the handler from the page
		p.Normalize()
		if len(bad) > 0 || p.Validate() != nil {
			return
		}
		for _, m := range p.Materials {
			if m.MaterialID == 0 || math.IsNaN(m.Quantity) || math.IsInf(m.Quantity, 0) || m.Quantity < 0 || m.Quantity > 1e9 {
				t.Fatalf("material %+v accepted", m)
			}
		}
	})
}

// FuzzDocumentForm: a document form's date is read as typed or reported, a
// typed date never becomes "no expiry", its ids and checkboxes are what was
// posted, and an id that cannot be read is reported, never taken for none.
func FuzzDocumentForm(f *testing.F) {
	f.Add("kind=certificate&title=Pest+control+licence&client_id=7&all_sites=1&portal_visible=1&valid_until=2027-12-31")
	f.Add("kind=sds&title=Racumin&material_id=4&site_ids=3&site_ids=x&site_ids=-2&site_ids=9&valid_until=31.12.2027")
	f.Add("kind=plan&client_id=abc&all_sites=on&valid_until=+2027-12-31+")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		d, bad := documentFromForm(v)
		for field := range bad {
			switch field {
			case "valid_until":
			case "material_id", "client_id":
				if choice(strings.TrimSpace(v.Get(field))) {
					t.Fatalf("problem on %q = %q", field, v.Get(field))
				}
			case "site_ids":
				if _, ok := formIDs(v[field]); ok {
					t.Fatalf("problem on %q = %q", field, v[field])
				}
			default:
				t.Fatalf("problem on %q", field)
			}
		}
		for _, field := range []string{"material_id", "client_id"} {
			if _, reported := bad[field]; !reported && !choice(strings.TrimSpace(v.Get(field))) {
				t.Fatalf("%s %q read as none", field, v.Get(field))
			}
		}
		if typed := strings.TrimSpace(v.Get("valid_until")); typed != "" {
			if _, reported := bad["valid_until"]; !reported && (d.ValidUntil.IsZero() || d.ValidUntil.Format(time.DateOnly) != typed) {
				t.Fatalf("valid_until %q read as %v", typed, d.ValidUntil)
			}
		} else if !d.ValidUntil.IsZero() {
			t.Fatalf("no valid_until, read as %v", d.ValidUntil)
		}
		if d.AllSites != (v.Get("all_sites") == "1") || d.PortalVisible != (v.Get("portal_visible") == "1") {
			t.Fatalf("checkboxes %+v from %v", d, v)
		}
		checkIDs(t, v["site_ids"], d.SiteIDs)
	})
}

// choice reports whether s chooses an id or none as a form's choice must:
// empty, 0, or an id in its canonical spelling.
func choice(s string) bool {
	if s == "" || s == "0" {
		return true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n > 0 && strconv.FormatInt(n, 10) == s
}

// checkIDs checks ids read from a list field: each a positive id that was
// posted, in the order posted.
func checkIDs(t *testing.T, posted []string, ids []int64) {
	t.Helper()
	j := 0
	for _, id := range ids {
		if id <= 0 {
			t.Fatalf("id %d from %q", id, posted)
		}
		for j < len(posted) {
			n, err := strconv.ParseInt(posted[j], 10, 64)
			j++
			if err == nil && n == id {
				break
			}
			if j == len(posted) {
				t.Fatalf("id %d was not posted in %q", id, posted)
			}
		}
	}
}

// FuzzIDs: ids from paths, queries and list fields are positive ids that were
// typed, or nothing (not found, no filter, skipped); an id in a path, and a
// portal file name, is an id in its one canonical spelling (with or without
// .pdf for a file), anything else not found.
func FuzzIDs(f *testing.F) {
	for _, s := range []string{"42", "42.pdf", "0", "-1", "+7", "007", "9223372036854775807", "9223372036854775808", "1e3", " 5", "5.pdf.pdf", ".pdf", "٣"} {
		f.Add(s, s+"0")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ids, ok := formIDs([]string{a, b})
		checkIDs(t, []string{a, b}, ids)
		listValue := func(s string) bool { return strings.TrimSpace(s) == "" || s != "0" && choice(s) }
		if want := listValue(a) && listValue(b); ok != want {
			t.Fatalf("formIDs(%q, %q) ok = %v", a, b, ok)
		}

		if id := queryID(url.Values{"site": {a}}, "site"); id < 0 {
			t.Fatalf("queryID(%q) = %d", a, id)
		}

		r := httptest.NewRequest(http.MethodGet, "/portal/acme/invoices/1", nil)
		r.SetPathValue("id", a)
		r.SetPathValue("file", a)
		id, err := pathID(r, "id")
		n, perr := strconv.ParseInt(a, 10, 64)
		canonical := perr == nil && n > 0 && strconv.FormatInt(n, 10) == a
		if err == nil && (!canonical || id != n) || err != nil && (domain.ErrorCode(err) != domain.ENOTFOUND || canonical) {
			t.Fatalf("pathID(%q) = %d, %v", a, id, err)
		}

		id, isPDF, err := portalDocID(r)
		if err != nil {
			if domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("portalDocID(%q): %v", a, err)
			}
			return
		}
		file := strconv.FormatInt(id, 10)
		if isPDF {
			file += ".pdf"
		}
		if id <= 0 || file != a {
			t.Fatalf("portalDocID(%q) = %d, %v", a, id, isPDF)
		}
	})
}

// browserTarget returns the path a browser goes to when told to go to loc
// from a page of this site, following the URL standard: tabs and newlines
// vanish, leading and trailing spaces and controls are dropped, a backslash is
// a slash, dot segments (percent-encoded ones too) are resolved. It returns ""
// when loc leaves the site.
func browserTarget(loc string) string {
	loc = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, loc)
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
		return ""
	}
	if i := strings.IndexAny(loc, "?#"); i >= 0 {
		loc = loc[:i]
	}
	var out []string
	segs := strings.Split(loc[1:], "/")
	for i, seg := range segs {
		last := i == len(segs)-1
		switch strings.ToLower(seg) {
		case ".", "%2e":
			if last {
				out = append(out, "")
			}
		case "..", ".%2e", "%2e.", "%2e%2e":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	return "/" + strings.Join(out, "/")
}

// FuzzRedirectTarget: whatever next a sign-in form or link carries, the
// redirect after it stays on this site, as a browser reads the Location header
// the server actually sends; the portal's stays inside the tenant's portal;
// the link to the sign-in page carries a next the sign-in form accepts.
func FuzzRedirectTarget(f *testing.F) {
	for _, s := range []string{"/app/clients/3/invoices?state=overdue&page=2", "/app/", "/app/clients", "//evil.example/", "/\\evil.example/",
		"https://evil.example/", "javascript:alert(1)", "/portal/acme/protocols/4", "/portal/acme//evil.example", "/portal/acme/../other/",
		"", "/", "/app/settings/billing#top"} {
		f.Add(s)
	}
	acme := &domain.Company{Slug: "acme"}
	f.Fuzz(func(t *testing.T, next string) {
		for name, to := range map[string]string{"localNext": localNext(next), "billingBack": billingBack(next), "portalNext": portalNext(acme, next)} {
			w := httptest.NewRecorder()
			http.Redirect(w, httptest.NewRequest(http.MethodPost, "/app/login", nil), to, http.StatusSeeOther)
			loc := w.Header().Get("Location")
			target := browserTarget(loc)
			if target == "" {
				t.Fatalf("%s(%q) = %q: the browser is sent to %q, off this site", name, next, to, loc)
			}
			if name == "portalNext" && target != "/portal/acme" && !strings.HasPrefix(target, "/portal/acme/") {
				t.Fatalf("portalNext(%q) = %q leaves the tenant's portal", next, to)
			}
		}
		login := safeNext(next)
		back, err := url.QueryUnescape(login)
		if err != nil || localNext(back) != back {
			t.Fatalf("safeNext(%q) = %q, which the sign-in form does not take back", next, login)
		}
	})
}
