package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/i18n"
)

//go:embed all:templates
var templateFS embed.FS

// Page is what every page template receives: the frame around the content.
type Page struct {
	Title   string
	Nav     string // the active top navigation item
	Staff   *domain.StaffUser
	Company *domain.Company
	Flash   string
	Locale  string
	Dev     bool // demo mode: the dev mailbox is in the menu
	who     access.Staff
}

// Can reports whether the signed-in staff member holds permission p; templates use
// it to hide buttons the server would refuse anyway.
func (p Page) Can(perm string) bool { return p.who.Can(perm) }

// Form is a submitted (or to-be-filled) form: what the user typed, and the message
// to show next to each field.
type Form struct {
	Values url.Values
	Errors map[string]string
	Error  string // a message for the whole form

	localized bool // the messages are in the page's language (see localizeForms)
}

// Get returns the typed value of a field.
func (f *Form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Has reports whether value is among the field's values (checkboxes, multi-selects).
func (f *Form) Has(name, value string) bool {
	if f == nil {
		return false
	}
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// Err returns the message for a field, or "".
func (f *Form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// newForm returns a form filled with a copy of values, made displayable: what
// was typed comes back even when it was refused for not being text.
func newForm(values url.Values) *Form {
	v := url.Values{}
	for k, vs := range values {
		for _, x := range vs {
			v[k] = append(v[k], displayText(x))
		}
	}
	return &Form{Values: v, Errors: map[string]string{}}
}

// withError records err on the form: field messages go next to their fields, the
// rest above the form.
func (f *Form) withError(err error) *Form {
	if fields := domain.FieldErrors(err); len(fields) > 0 {
		f.Errors = fields
	}
	f.Error = domain.ErrorMessage(err)
	return f
}

// templates holds, per locale, one parsed template set per page, each with the
// shared layout and partials.
type templates map[string]map[string]*template.Template

func parseTemplates() (templates, error) {
	out := templates{}
	for _, locale := range append([]string{"en"}, localesOf(catalogues)...) {
		set, err := parseLocale(locale)
		if err != nil {
			return nil, err
		}
		out[locale] = set
	}
	return out, nil
}

func localesOf(m map[string]map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func parseLocale(locale string) (map[string]*template.Template, error) {
	shared, err := fs.Glob(templateFS, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(templateFS, "templates/[a-z]*.html")
	if err != nil {
		return nil, err
	}
	// Every page defines its own names ({{define "clients"}}…) and none defines a
	// name a shared file or another page defines, so one set per locale holds
	// them all and each page is executed by name. Parsing the shared layouts again
	// for every page cost most of the start-up time and memory.
	funcs := templateFuncs(locale)
	set, err := template.New("_pages").Funcs(funcs).ParseFS(templateFS, append(pages, shared...)...)
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	out := map[string]*template.Template{}
	var names []string
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if set.Lookup(name) == nil {
			return nil, fmt.Errorf("web: template %s: the file defines no template %q", p, name)
		}
		out[name] = set
		names = append(names, name)
	}
	if foldTemplates {
		if _, err := foldConstants(set, names, funcs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// foldTemplates turns folding of constant actions on (see foldConstants); a test
// turns it off to compare the pages' bytes with and without it.
var foldTemplates = true

// templateFuncs returns the functions templates may call, with translation bound
// to the locale.
func templateFuncs(locale string) template.FuncMap {
	return template.FuncMap{
		"t": func(msg string) string { return translate(locale, msg) },
		// tf translates a sentence with values in it, so that the translation may
		// move them: {{tf "For %s, a link." (strong .Email)}}. The sentence and
		// every value not already HTML are escaped.
		"tf": func(format string, args ...any) template.HTML {
			vals := make([]any, len(args))
			for i, a := range args {
				if h, ok := a.(template.HTML); ok {
					vals[i] = string(h)
				} else {
					vals[i] = template.HTMLEscapeString(fmt.Sprint(a))
				}
			}
			return template.HTML(fmt.Sprintf(template.HTMLEscapeString(translate(locale, format)), vals...))
		},
		// strong marks a value inside a tf sentence as bold.
		"strong": func(v any) template.HTML {
			return template.HTML("<strong>" + template.HTMLEscapeString(fmt.Sprint(v)) + "</strong>")
		},
		// msg translates a sentence made in Go, which may carry names and numbers.
		"msg": func(m string) string { return i18n.Message(locale, m) },
		// plural picks the form of a count: {{plural .N "%d protocol" "%d protocols"}}.
		"plural": func(n any, one, other string) (string, error) {
			c, err := toInt64(n)
			return i18n.Plural(locale, c, one, other), err
		},
		"number": func(n any) (string, error) {
			c, err := toInt64(n)
			return i18n.Number(locale, c), err
		},
		"money": func(m domain.Money, currency string) string {
			return domain.BillingFormat{Locale: locale}.Money(m, currency)
		},
		"icon": iconHTML,
		// protocolRows writes the protocol table's rows (render_rows.go).
		"protocolRows": func(ps []*domain.Protocol, base string, tenant *domain.Company, showCompany bool) template.HTML {
			return protocolRows(locale, base, tenant, ps, showCompany)
		},
		"documentRows": func(docs []*domain.Document, base string, group bool) template.HTML {
			return documentRows(locale, base, docs, group)
		},
		"companyCards": func(sums []domain.ClientSummary, base string, tenant *domain.Company) template.HTML {
			return companyCards(locale, base, tenant, sums)
		},
		"clientOptions": func(cs []*domain.Client, selected string) template.HTML {
			return optionsHTML(cs, selected, clientIDName)
		},
		"siteOptions": func(ss []*domain.Site, selected string) template.HTML { return optionsHTML(ss, selected, siteIDName) },
		// portalTop and portalBottom write the portal's frame (render_frame.go).
		"portalTop":    func(data any) (template.HTML, error) { return portalTop(locale, data) },
		"portalBottom": func(data any) (template.HTML, error) { return portalBottom(locale, data) },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"datetime":  func(c *domain.Company, t time.Time) string { return i18n.DateTime(locale, t, zoneOf(c)) },
		"date":      func(c *domain.Company, t time.Time) string { return i18n.Date(locale, t, zoneOf(c)) },
		"permLabel": access.PermissionLabel,
		"permHint":  access.PermissionHint,
		// wbrEmail lets a narrow cell break an address before its @, not inside a word.
		"wbrEmail": func(email string) template.HTML {
			local, domain, ok := strings.Cut(email, "@")
			if !ok {
				return template.HTML(template.HTMLEscapeString(email))
			}
			return template.HTML(template.HTMLEscapeString(local) + "<wbr>@" + template.HTMLEscapeString(domain))
		},
		"telHref": telHref,
		"pageURL": func(u *url.URL, page int) string {
			q := u.Query()
			q.Set("page", strconv.Itoa(page))
			return u.Path + "?" + q.Encode()
		},
		"tabTitle": func(tab string) string {
			if tab == "" {
				return ""
			}
			return strings.ToUpper(tab[:1]) + tab[1:]
		},
		"allSites": func(gs []domain.Grant) bool {
			for _, g := range gs {
				if !g.AllSites() {
					return false
				}
			}
			return true
		},
		"linkify": linkify,
		"add":     func(a, b int) int { return a + b },
		"itoa":    func(n int64) string { return strconv.FormatInt(n, 10) },
		"mapURL":  func(addr string) string { return "https://www.openstreetmap.org/search?query=" + url.QueryEscape(addr) },
	}
}

// iconHTML is the markup of the named icon of /static/icons.svg.
func iconHTML(name string) template.HTML {
	return template.HTML(`<svg class="icon" aria-hidden="true"><use href="/static/icons.svg#` +
		template.HTMLEscapeString(name) + `"></use></svg>`)
}

// render executes the page template into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	locale := "en"
	if p, ok := data.(interface{ locale() string }); ok && s.tmpl[p.locale()] != nil {
		locale = p.locale()
	}
	localizeForms(data, locale)
	t, ok := s.tmpl[locale][name]
	if !ok {
		s.log.ErrorContext(r.Context(), "no such template", "name", name)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := t.ExecuteTemplate(buf, name, data); err != nil {
		s.log.ErrorContext(r.Context(), "template failed", "name", name, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	consumeFlash(w, r, s.secure)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// renderBuffers keeps the buffers pages are rendered into: a portal page is 5–30
// KB, and growing a fresh buffer to that size for every request was a steady
// share of the allocations under load.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer kept for reuse; a rare huge page's
// buffer goes to the garbage collector instead of staying in the pool.
const maxPooledBuffer = 256 << 10

func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	renderBuffers.Put(b)
}

var urlRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify escapes text and turns the http(s) URLs in it into links.
func linkify(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range urlRE.FindAllStringIndex(text, -1) {
		b.WriteString(template.HTMLEscapeString(text[last:m[0]]))
		u := template.HTMLEscapeString(text[m[0]:m[1]])
		b.WriteString(`<a href="` + u + `">` + u + `</a>`)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String())
}

func (p Page) locale() string { return p.Locale }

// zoneOf is the company's time zone, nil (the time as it is) without a company.
func zoneOf(c *domain.Company) *time.Location {
	if c == nil {
		return nil
	}
	return c.Location()
}

// toInt64 accepts the integer types templates hand to plural and number.
func toInt64(n any) (int64, error) {
	switch v := n.(type) {
	case int:
		return int64(v), nil
	case int64:
		return v, nil
	case int32:
		return int64(v), nil
	case uint:
		return int64(v), nil
	case uint64:
		return int64(v), nil
	}
	return 0, fmt.Errorf("not a whole number: %v (%T)", n, n)
}
