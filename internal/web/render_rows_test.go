package web

import (
	"bytes"
	"html/template"
	"net/url"
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"

	"portico/internal/domain"
)

// The templates the Go-written rows replaced (render_rows.go), kept here as the
// references their output must equal; each is paired with the template action
// that now writes it.
var rowReferences = []struct{ name, ref, now string }{
	{"protocols", `{{$d := .}}<table class="table table-protocols">
` + `  <tbody>{{range .Protocols}}<tr data-protocol-id="{{.ID}}">
    <td class="pc-number"><a href="{{$d.Base}}/protocols/{{.ID}}"><span class="pc-label">{{t "Protocol"}} </span><strong>{{.Number}}</strong></a></td>
    <td class="nowrap pc-date" data-label="{{t "Date"}}">{{date $d.Tenant .PerformedAt}}</td>
    {{if $d.ShowCompany}}<td class="pc-company" data-label="{{t "Company"}}">{{.ClientName}}</td>{{end}}
    <td class="pc-site" data-label="{{t "Site"}}"><a href="{{$d.Base}}/sites/{{.SiteID}}">{{.SiteName}}</a>{{if and .SiteCity (ne .SiteCity .SiteName)}}<span class="cell-sub">{{.SiteCity}}</span>{{end}}</td>
    <td class="pc-service" data-label="{{t "Service"}}">{{.ServiceType}}</td>
    <td class="actions"><a class="btn btn-sm" href="{{$d.Base}}/protocols/{{.ID}}.pdf" data-pdf="{{.ID}}" title="{{t "Download PDF"}}: {{t "Protocol"}} {{.Number}}">{{icon "download"}} PDF</a></td>
  </tr>{{end}}</tbody>` + `
</table>`, `<table class="table table-protocols">
  <tbody>{{protocolRows .Protocols .Base .Tenant .ShowCompany}}</tbody>
</table>`},
	{"documents", `{{$d := .}}<table class="table">
` + `  <tbody>{{$group := ""}}{{range .Documents}}{{$g := or .MaterialName .ClientName}}{{if and $d.Group (ne $g $group)}}{{$group = $g}}
    <tr class="group-row"><th colspan="4" scope="rowgroup">{{if .MaterialID}}{{icon "briefcase"}} {{.MaterialName}}{{else}}{{icon "building"}} {{.ClientName}}{{end}}</th></tr>{{end}}
    <tr data-document-id="{{.ID}}">
    <td><strong>{{.Title}}</strong><span class="cell-sub">{{.TypeLabel}} · {{.SizeLabel}}{{if .ClientID}} · {{if .AllSites}}{{t "All sites"}}{{else}}{{range $i, $n := .SiteNames}}{{if $i}}, {{end}}{{$n}}{{end}}{{end}}{{end}}</span></td>
    <td data-label="{{t "Type"}}">{{t .KindLabel}}</td>
    <td class="nowrap" data-label="{{t "Valid until"}}">{{if .ValidUntil.IsZero}}<span class="muted">—</span>{{else}}{{date nil .ValidUntil}}{{if .IsExpired}} <span class="badge badge-red">{{t "Expired"}}</span>{{end}}{{end}}</td>
    <td class="actions">
      <a class="icon-btn" href="{{$d.Base}}/documents/{{.ID}}/view" data-preview="{{.ID}}" title="{{t "Preview"}}: {{.Title}}" aria-label="{{t "Preview"}}: {{.Title}}">{{icon "eye"}}<span class="act-label">{{t "Preview"}}</span></a>
      <a class="icon-btn" href="{{$d.Base}}/documents/{{.ID}}?download=1" title="{{t "Download"}}: {{.Title}}" aria-label="{{t "Download"}}: {{.Title}}">{{icon "download"}}<span class="act-label">{{t "Download"}}</span></a>
    </td>
  </tr>{{end}}</tbody>` + `
</table>`, `<table class="table">
  <tbody>{{documentRows .Documents .Base .Group}}</tbody>
</table>`},
	{"cards", `<div class="cards">
` + `{{range .Summaries}}
  <section class="card company-card" data-client="{{.ClientID}}" data-protocols="{{.ProtocolCount}}">
    <div class="card-body">
      <div class="company-card-head">
        <span class="tile">{{icon "building"}}</span>
        <div><h3>{{.Name}}</h3><p class="small muted">{{t "Company ID"}} {{or .CompanyNumber "—"}}</p></div>
      </div>
      <dl class="facts">
        <div><dt>{{t "Protocols"}}</dt><dd>{{.ProtocolCount}}</dd></div>
        <div><dt>{{t "Last protocol"}}</dt><dd>{{if .LastProtocolAt.IsZero}}—{{else}}{{date $.Tenant .LastProtocolAt}}{{end}}</dd></div>
      </dl>
      <p class="row mb-0"><a class="btn btn-primary btn-sm" href="{{$.Base}}/protocols?client={{.ClientID}}">{{icon "file-text"}} {{t "All protocols"}}</a>
        <a class="btn btn-sm" href="{{$.Base}}/my-data?company={{.ClientID}}">{{icon "building"}} {{t "Company details"}}</a></p>
    </div>
  </section>
{{end}}` + `
</div>`, `<div class="cards">
{{companyCards .Summaries .Base .Tenant}}
</div>`},
	{"header", `<select name="company">` + `{{range .Companies}}<option value="{{.ID}}"{{if eq .ID $.CompanyID}} selected{{end}}>{{.Name}}</option>{{end}}` + `</select>`, `<select name="company">{{clientOptions .Companies (itoa .CompanyID)}}</select>`},
	{"filter", `<select name="client">` + `{{range .Companies}}<option value="{{.ID}}"{{if eq ($.Filter.Get "client") (itoa .ID)}} selected{{end}}>{{.Name}}</option>{{end}}` + `</select><select name="site">` + `{{range .Sites}}<option value="{{.ID}}"{{if eq ($.Filter.Get "site") (itoa .ID)}} selected{{end}}>{{.Name}}</option>{{end}}` + `</select>`,
		`<select name="client">{{clientOptions .Companies (.Filter.Get "client")}}</select><select name="site">{{siteOptions .Sites (.Filter.Get "site")}}</select>`},
}

// Each Go-written part writes, byte for byte, what the template it replaced
// wrote, for random names (markup, quotes, NUL, '+', invalid UTF-8 and all),
// numbers, dates and choices, with both portal prefixes, in every locale.
func TestRowsAsTheTemplate(t *testing.T) {
	text := rapid.OneOf(rapid.String(), rapid.StringMatching(`[<>"'&+ a-z\x00]{0,12}`), rapid.Just(`<script>alert(1)</script>"onmouseover=x`),
		rapid.Just(""), rapid.Just("\xff\xfe<"), rapid.Just("Košice"))
	id := rapid.Int64Range(1, 1<<40)
	at := func(rt *rapid.T, label string) time.Time {
		if rapid.IntRange(0, 4).Draw(rt, label+"Zero") == 0 {
			return time.Time{}
		}
		return time.Unix(rapid.Int64Range(0, 4e9).Draw(rt, label), 0).UTC()
	}
	for _, locale := range append([]string{"en"}, localesOf(catalogues)...) {
		for _, r := range rowReferences {
			ref := template.Must(template.New("ref").Funcs(templateFuncs(locale)).Parse(r.ref))
			now := template.Must(template.New("now").Funcs(templateFuncs(locale)).Parse(r.now))
			t.Run(locale+"/"+r.name, func(t *testing.T) {
				rapid.Check(t, func(rt *rapid.T) {
					data := map[string]any{"Base": rapid.SampledFrom([]string{"/portal/acme", "/app/view-as/12"}).Draw(rt, "base"),
						"Tenant":      &domain.Company{TimeZone: rapid.SampledFrom([]string{"Europe/Bratislava", "UTC", "America/New_York"}).Draw(rt, "zone")},
						"ShowCompany": rapid.Bool().Draw(rt, "showCompany"), "Group": rapid.Bool().Draw(rt, "group")}
					var ps []*domain.Protocol
					var docs []*domain.Document
					var sums []domain.ClientSummary
					var cs []*domain.Client
					var ss []*domain.Site
					n := rapid.IntRange(0, 5).Draw(rt, "n")
					for range n {
						p := &domain.Protocol{ID: id.Draw(rt, "id"), Number: rapid.Int64Range(0, 1<<40).Draw(rt, "number"),
							SiteID: id.Draw(rt, "site"), ClientName: text.Draw(rt, "client"), SiteName: text.Draw(rt, "siteName"),
							ServiceType: text.Draw(rt, "service"), PerformedAt: at(rt, "at")}
						if rapid.Bool().Draw(rt, "sameCity") {
							p.SiteCity = p.SiteName
						} else {
							p.SiteCity = text.Draw(rt, "city")
						}
						ps = append(ps, p)
						d := &domain.Document{ID: id.Draw(rt, "doc"), Title: text.Draw(rt, "title"),
							Kind:        rapid.OneOf(rapid.SampledFrom([]string{domain.DocSDS, domain.DocCertificate, domain.DocSiteMap, domain.DocOther}), text).Draw(rt, "kind"),
							ContentType: rapid.SampledFrom([]string{"application/pdf", "image/png", "image/jpeg", "text/plain", ""}).Draw(rt, "type"),
							Size:        rapid.Int64Range(0, 1<<33).Draw(rt, "size"), ValidUntil: at(rt, "valid"), IsExpired: rapid.Bool().Draw(rt, "expired")}
						if rapid.Bool().Draw(rt, "sds") {
							d.MaterialID, d.MaterialName = id.Draw(rt, "material"), rapid.SampledFrom([]string{"A", "B", text.Draw(rt, "mname")}).Draw(rt, "materialName")
						} else {
							d.ClientID, d.ClientName = id.Draw(rt, "client"), rapid.SampledFrom([]string{"A", "B", text.Draw(rt, "cname")}).Draw(rt, "clientName")
							d.AllSites = rapid.Bool().Draw(rt, "all")
							d.SiteNames = rapid.SliceOfN(text, 0, 3).Draw(rt, "sites")
						}
						docs = append(docs, d)
						sums = append(sums, domain.ClientSummary{ClientID: id.Draw(rt, "sum"), Name: text.Draw(rt, "sumName"),
							CompanyNumber: text.Draw(rt, "number"), ProtocolCount: rapid.IntRange(0, 1e6).Draw(rt, "count"), LastProtocolAt: at(rt, "last")})
						cs = append(cs, &domain.Client{ID: id.Draw(rt, "cid"), Name: text.Draw(rt, "cname")})
						ss = append(ss, &domain.Site{ID: id.Draw(rt, "sid"), Name: text.Draw(rt, "sname")})
					}
					data["Protocols"], data["Documents"], data["Summaries"], data["Companies"], data["Sites"] = ps, docs, sums, cs, ss
					pick := func(label string, ids []int64) string {
						return rapid.OneOf(rapid.Just(""), rapid.Just("0"+strconv.FormatInt(id.Draw(rt, label), 10)), rapid.SampledFrom(append([]string{"x"}, func() []string {
							var out []string
							for _, i := range ids {
								out = append(out, strconv.FormatInt(i, 10))
							}
							return out
						}()...))).Draw(rt, label)
					}
					var cids, sids []int64
					for i := range cs {
						cids, sids = append(cids, cs[i].ID), append(sids, ss[i].ID)
					}
					data["Filter"] = url.Values{"client": {pick("fclient", cids)}, "site": {pick("fsite", sids)}}
					data["CompanyID"] = int64(0)
					if len(cids) > 0 && rapid.Bool().Draw(rt, "selected") {
						data["CompanyID"] = rapid.SampledFrom(cids).Draw(rt, "companyID")
					}
					sameOutput(rt, ref, now, data)
				})
			})
		}
	}
}

// sameOutput fails rt unless now writes for data, byte for byte, what ref
// writes: a Go-written part against the template it replaced.
func sameOutput(rt *rapid.T, ref, now *template.Template, data any) {
	var want, got bytes.Buffer
	if err := ref.Execute(&want, data); err != nil {
		rt.Fatal(err)
	}
	if err := now.Execute(&got, data); err != nil {
		rt.Fatal(err)
	}
	if got.String() != want.String() {
		rt.Fatalf("Go:\n%s\ntemplate:\n%s", got.String(), want.String())
	}
}
