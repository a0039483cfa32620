package web

import (
	"html/template"
	"strconv"
	"strings"
	"sync"

	"portico/internal/domain"
	"portico/internal/i18n"
)

// Rows written in Go.
//
// The protocol table's rows are the portal's hottest markup: 25 a page, each
// about sixteen actions that html/template runs through reflection with an
// escaper after each. protocolRows writes the same bytes directly, and so do
// documentRows (50 a page), companyCards (the overview, one per company of the
// user) and optionsHTML (the company and site selectors, one option per
// company or site of the user: 300 on the protocols page of a user of 100). Every value
// that is not fixed markup goes through escText, which escapes exactly what
// html/template's text and quoted-attribute escapers escape, the same way; the
// URLs are the portal's base (a fixed prefix and a validated slug, or the staff
// view's prefix and a number) and numbers. TestRowsAsTheTemplate compares
// each with the template it replaced, for random and hostile names.

// htmlEscaper escapes text for HTML text and quoted attribute values as
// html/template does for a string there: NUL, quotes, &, +, < and >.
var htmlEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// escText writes s escaped for HTML text or a quoted attribute value.
func escText(b *strings.Builder, s string) {
	htmlEscaper.WriteString(b, s)
}

// protocolRows writes the rows of the portal's protocol table
// ("portalprotocols"): the locale's labels, base the portal's URL prefix, dates
// in the tenant's zone, the company column when showCompany.
func protocolRows(locale string, base string, tenant *domain.Company, ps []*domain.Protocol, showCompany bool) template.HTML {
	l := rowLabelsOf(locale)
	var b strings.Builder
	b.Grow(len(ps) * 1100)
	zone := zoneOf(tenant)
	var num [20]byte
	for _, p := range ps {
		id := strconv.AppendInt(num[:0], p.ID, 10)
		b.WriteString(`<tr data-protocol-id="`)
		b.Write(id)
		b.WriteString("\">\n    <td class=\"pc-number\"><a href=\"")
		escText(&b, base)
		b.WriteString("/protocols/")
		b.Write(id)
		b.WriteString(`"><span class="pc-label">`)
		b.WriteString(l.protocol)
		b.WriteString(` </span><strong>`)
		b.WriteString(strconv.FormatInt(p.Number, 10))
		b.WriteString("</strong></a></td>\n    <td class=\"nowrap pc-date\" data-label=\"")
		b.WriteString(l.date)
		b.WriteString(`">`)
		escText(&b, i18n.Date(locale, p.PerformedAt, zone))
		b.WriteString("</td>\n    ")
		if showCompany {
			b.WriteString(`<td class="pc-company" data-label="`)
			b.WriteString(l.company)
			b.WriteString(`">`)
			escText(&b, p.ClientName)
			b.WriteString(`</td>`)
		}
		b.WriteString("\n    <td class=\"pc-site\" data-label=\"")
		b.WriteString(l.site)
		b.WriteString(`"><a href="`)
		escText(&b, base)
		b.WriteString("/sites/")
		b.WriteString(strconv.FormatInt(p.SiteID, 10))
		b.WriteString(`">`)
		escText(&b, p.SiteName)
		b.WriteString(`</a>`)
		if p.SiteCity != "" && p.SiteCity != p.SiteName {
			b.WriteString(`<span class="cell-sub">`)
			escText(&b, p.SiteCity)
			b.WriteString(`</span>`)
		}
		b.WriteString("</td>\n    <td class=\"pc-service\" data-label=\"")
		b.WriteString(l.service)
		b.WriteString(`">`)
		escText(&b, p.ServiceType)
		b.WriteString("</td>\n    <td class=\"actions\"><a class=\"btn btn-sm\" href=\"")
		escText(&b, base)
		b.WriteString("/protocols/")
		b.Write(id)
		b.WriteString(`.pdf" data-pdf="`)
		b.Write(id)
		b.WriteString(`" title="`)
		b.WriteString(l.downloadPDF)
		b.WriteString(`: `)
		b.WriteString(l.protocol)
		b.WriteString(` `)
		b.WriteString(strconv.FormatInt(p.Number, 10))
		b.WriteString(`">`)
		b.WriteString(l.downloadIcon)
		b.WriteString(" PDF</a></td>\n  </tr>")
	}
	return template.HTML(b.String())
}

// rowLabels are a locale's translations the Go-written rows use, escaped once.
type rowLabels struct {
	protocol, date, company, site, service, downloadPDF              string
	allSites, typ, validUntil, expired, preview, download            string
	companyID, protocols, lastProtocol, allProtocols, companyDetails string
	downloadIcon, briefcaseIcon, buildingIcon, eyeIcon, fileTextIcon string
}

// rowLabelsByLocale is made on first use: the catalogues are complete only
// once every init function has run.
var rowLabelsByLocale = sync.OnceValue(func() map[string]*rowLabels {
	out := map[string]*rowLabels{}
	for _, locale := range append([]string{i18n.EN}, localesOf(catalogues)...) {
		e := func(msg string) string { return htmlEscaper.Replace(translate(locale, msg)) }
		out[locale] = &rowLabels{protocol: e("Protocol"), date: e("Date"), company: e("Company"), site: e("Site"), service: e("Service"),
			downloadPDF: e("Download PDF"), allSites: e("All sites"), typ: e("Type"), validUntil: e("Valid until"), expired: e("Expired"),
			preview: e("Preview"), download: e("Download"), companyID: e("Company ID"), protocols: e("Protocols"),
			lastProtocol: e("Last protocol"), allProtocols: e("All protocols"), companyDetails: e("Company details"),
			downloadIcon: string(iconHTML("download")), briefcaseIcon: string(iconHTML("briefcase")), buildingIcon: string(iconHTML("building")),
			eyeIcon: string(iconHTML("eye")), fileTextIcon: string(iconHTML("file-text"))}
	}
	return out
})

func rowLabelsOf(locale string) *rowLabels {
	if l := rowLabelsByLocale()[locale]; l != nil {
		return l
	}
	return rowLabelsByLocale()[i18n.EN]
}

// documentRows writes the rows of the portal's document table
// ("portaldocuments"), with a heading row before each material's or client's
// documents when group.
func documentRows(locale, base string, docs []*domain.Document, group bool) template.HTML {
	l := rowLabelsOf(locale)
	var b strings.Builder
	b.Grow(len(docs) * 1400)
	var num [20]byte
	current := ""
	for _, d := range docs {
		g := d.MaterialName
		if g == "" {
			g = d.ClientName
		}
		if group && g != current {
			current = g
			b.WriteString("\n    <tr class=\"group-row\"><th colspan=\"4\" scope=\"rowgroup\">")
			if d.MaterialID != 0 {
				b.WriteString(l.briefcaseIcon)
				b.WriteString(" ")
				escText(&b, d.MaterialName)
			} else {
				b.WriteString(l.buildingIcon)
				b.WriteString(" ")
				escText(&b, d.ClientName)
			}
			b.WriteString("</th></tr>")
		}
		id := strconv.AppendInt(num[:0], d.ID, 10)
		b.WriteString("\n    <tr data-document-id=\"")
		b.Write(id)
		b.WriteString("\">\n    <td><strong>")
		escText(&b, d.Title)
		b.WriteString(`</strong><span class="cell-sub">`)
		escText(&b, d.TypeLabel())
		b.WriteString(" · ")
		escText(&b, d.SizeLabel())
		if d.ClientID != 0 {
			b.WriteString(" · ")
			if d.AllSites {
				b.WriteString(l.allSites)
			} else {
				for i, n := range d.SiteNames {
					if i > 0 {
						b.WriteString(", ")
					}
					escText(&b, n)
				}
			}
		}
		b.WriteString("</span></td>\n    <td data-label=\"")
		b.WriteString(l.typ)
		b.WriteString(`">`)
		escText(&b, translate(locale, d.KindLabel()))
		b.WriteString("</td>\n    <td class=\"nowrap\" data-label=\"")
		b.WriteString(l.validUntil)
		b.WriteString(`">`)
		if d.ValidUntil.IsZero() {
			b.WriteString(`<span class="muted">—</span>`)
		} else {
			escText(&b, i18n.Date(locale, d.ValidUntil, nil))
			if d.IsExpired {
				b.WriteString(` <span class="badge badge-red">`)
				b.WriteString(l.expired)
				b.WriteString(`</span>`)
			}
		}
		b.WriteString("</td>\n    <td class=\"actions\">\n      ")
		documentAction(&b, base, id, `/view" data-preview="`+string(id), l.preview, l.eyeIcon, d.Title)
		b.WriteString("\n      ")
		documentAction(&b, base, id, `?download=1`, l.download, l.downloadIcon, d.Title)
		b.WriteString("\n    </td>\n  </tr>")
	}
	return template.HTML(b.String())
}

// documentAction writes one icon link of a document row: the document's URL
// with rest appended (rest is fixed markup and digits, written as it is), the
// action's label (already escaped) as its visible text and, with the document's
// title, as its title and accessible name.
func documentAction(b *strings.Builder, base string, id []byte, rest, label, icon, title string) {
	b.WriteString(`<a class="icon-btn" href="`)
	escText(b, base)
	b.WriteString("/documents/")
	b.Write(id)
	b.WriteString(rest)
	b.WriteString(`" title="`)
	b.WriteString(label)
	b.WriteString(`: `)
	escText(b, title)
	b.WriteString(`" aria-label="`)
	b.WriteString(label)
	b.WriteString(`: `)
	escText(b, title)
	b.WriteString(`">`)
	b.WriteString(icon)
	b.WriteString(`<span class="act-label">`)
	b.WriteString(label)
	b.WriteString(`</span></a>`)
}

// companyCards writes the overview's card of each of the user's companies.
func companyCards(locale, base string, tenant *domain.Company, sums []domain.ClientSummary) template.HTML {
	l := rowLabelsOf(locale)
	var b strings.Builder
	b.Grow(len(sums) * 1200)
	zone := zoneOf(tenant)
	var num [20]byte
	for _, c := range sums {
		id := strconv.AppendInt(num[:0], c.ClientID, 10)
		b.WriteString("\n  <section class=\"card company-card\" data-client=\"")
		b.Write(id)
		b.WriteString(`" data-protocols="`)
		b.WriteString(strconv.Itoa(c.ProtocolCount))
		b.WriteString("\">\n    <div class=\"card-body\">\n      <div class=\"company-card-head\">\n        <span class=\"tile\">")
		b.WriteString(l.buildingIcon)
		b.WriteString("</span>\n        <div><h3>")
		escText(&b, c.Name)
		b.WriteString(`</h3><p class="small muted">`)
		b.WriteString(l.companyID)
		b.WriteString(" ")
		if c.CompanyNumber != "" {
			escText(&b, c.CompanyNumber)
		} else {
			b.WriteString("—")
		}
		b.WriteString("</p></div>\n      </div>\n      <dl class=\"facts\">\n        <div><dt>")
		b.WriteString(l.protocols)
		b.WriteString(`</dt><dd>`)
		b.WriteString(strconv.Itoa(c.ProtocolCount))
		b.WriteString("</dd></div>\n        <div><dt>")
		b.WriteString(l.lastProtocol)
		b.WriteString(`</dt><dd>`)
		if c.LastProtocolAt.IsZero() {
			b.WriteString("—")
		} else {
			escText(&b, i18n.Date(locale, c.LastProtocolAt, zone))
		}
		b.WriteString("</dd></div>\n      </dl>\n      <p class=\"row mb-0\">")
		companyButton(&b, "btn btn-primary btn-sm", base, "/protocols?client=", id, l.fileTextIcon, l.allProtocols)
		b.WriteString("\n        ")
		companyButton(&b, "btn btn-sm", base, "/my-data?company=", id, l.buildingIcon, l.companyDetails)
		b.WriteString("</p>\n    </div>\n  </section>\n")
	}
	return template.HTML(b.String())
}

// companyButton writes one button link of a company card: base, path and the
// company's id, the icon and the (already escaped) label.
func companyButton(b *strings.Builder, class, base, path string, id []byte, icon, label string) {
	b.WriteString(`<a class="`)
	b.WriteString(class)
	b.WriteString(`" href="`)
	escText(b, base)
	b.WriteString(path)
	b.Write(id)
	b.WriteString(`">`)
	b.WriteString(icon)
	b.WriteString(" ")
	b.WriteString(label)
	b.WriteString("</a>")
}

// optionsHTML writes an <option> per item, value its id, the one whose id
// written in decimal is selected marked so.
func optionsHTML[T any](items []T, selected string, idName func(T) (int64, string)) template.HTML {
	var b strings.Builder
	b.Grow(len(items) * 48)
	var num [20]byte
	for _, it := range items {
		id, name := idName(it)
		v := strconv.AppendInt(num[:0], id, 10)
		b.WriteString(`<option value="`)
		b.Write(v)
		b.WriteString(`"`)
		if string(v) == selected {
			b.WriteString(` selected`)
		}
		b.WriteString(`>`)
		escText(&b, name)
		b.WriteString(`</option>`)
	}
	return template.HTML(b.String())
}

func clientIDName(c *domain.Client) (int64, string) { return c.ID, c.Name }
func siteIDName(s *domain.Site) (int64, string)     { return s.ID, s.Name }
