package web

import (
	"html/template"
	"testing"

	"pgregory.net/rapid"

	"portico/internal/domain"
)

// frameReference is the template the Go-written frame replaced
// (render_frame.go), kept as the reference its output must equal.
const frameReference = `{{define "ptop"}}<!doctype html>
<html lang="{{.Locale}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{t .Title}} · {{.Tenant.Name}}</title>
<link rel="stylesheet" href="/static/portico.css">
<script src="/static/app.js" defer></script>
</head>
{{if .User}}<body class="portal">
<a class="skip-link" href="#main">{{t "Skip to content"}}</a>
<header class="topbar">
  <a class="brand" href="{{.Base}}/"><span class="brand-mark">{{icon "building"}}</span><span class="brand-text"><span class="brand-name">{{.Tenant.Name}}</span><span class="brand-sub">{{t "Client portal"}}</span></span></a>
  <nav class="nav" aria-label="{{t "Main"}}">{{template "pnavlinks" .}}</nav>
  {{/* phone: one menu (no JavaScript needed) instead of the sideways row; its
     summary names the page and the user, every destination is one tap inside */}}
  <details class="nav-menu">
    <summary><span class="nav-menu-icon">{{icon "menu"}}</span><span class="sr-only">{{t "Menu"}}: </span><span class="nav-menu-page">{{t .NavName}}</span>{{if .User}}<span class="nav-menu-user">{{icon "user"}} {{.User.Name}}</span>{{end}}{{icon "chevron-down"}}</summary>
    <nav class="nav-menu-links" aria-label="{{t "Menu"}}">{{template "pnavlinks" .}}
      {{if not .ViewingAs}}<a href="{{.Base}}/account"{{if eq .Nav "account"}} aria-current="page"{{end}}>{{icon "user"}} {{t "Your account"}}</a>
      <a href="{{.Base}}/account/security"{{if eq .Nav "security"}} aria-current="page"{{end}}>{{icon "shield"}} {{t "Account security"}}</a>
      <a href="{{.Base}}/account/tokens"{{if eq .Nav "tokens"}} aria-current="page"{{end}}>{{icon "key"}} {{t "API tokens"}}</a>{{end}}
    </nav>
  </details>
  <div class="topbar-end">
    {{if gt (len .Companies) 1}}<form method="get" action="{{.Base}}/my-data" class="row" aria-label="{{t "Company"}}">
      <select name="company" aria-label="{{t "Company"}}" data-autosubmit>{{clientOptions .Companies (itoa .CompanyID)}}</select>
      <button class="btn btn-sm no-js-only" type="submit">{{t "Go"}}</button>
    </form>{{end}}
    {{if not .ViewingAs}}
    <a class="topbar-user" href="{{.Base}}/account"{{if or (eq .Nav "account") (eq .Nav "security") (eq .Nav "tokens")}} aria-current="page"{{end}} title="{{t "Your account"}}">{{icon "user"}} {{.User.Name}}</a>
    <form method="post" action="{{.Base}}/logout"><button class="btn btn-sm btn-signout" type="submit" aria-label="{{t "Sign out"}}" title="{{t "Sign out"}} ({{.User.Name}})">{{icon "logout"}}<span class="btn-text">{{t "Sign out"}}</span></button></form>{{end}}
  </div>
</header>
{{if .ViewingAs}}<div class="viewing-as" role="note"><div class="container"><span id="viewing-as">{{icon "eye"}} {{t "Viewing as"}} <strong>{{.User.Name}}</strong> — {{t "read-only"}}</span> <a href="/app/users">{{t "Back to staff app"}}</a></div></div>{{end}}
<main class="container" id="main" tabindex="-1">
{{if .Flash}}<div class="flash flash-success" role="status">{{icon "check"}} {{msg .Flash}}</div>{{end}}
{{else}}<body class="auth portal">
{{end}}{{end}}

{{define "pbottom"}}{{if .User}}</main>
<footer class="footer">{{.Tenant.Name}} · {{t "Client portal"}}</footer>
{{end}}</body>
</html>{{end}}


{{define "pnavlinks"}}
    <a href="{{.Base}}/"{{if eq .Nav "home"}} aria-current="page"{{end}}>{{icon "home"}} {{t "Overview"}}</a>
    <a href="{{.Base}}/projects"{{if eq .Nav "projects"}} aria-current="page"{{end}}>{{icon "briefcase"}} {{t "Projects"}}</a>
    <a href="{{.Base}}/protocols"{{if eq .Nav "protocols"}} aria-current="page"{{end}}>{{icon "file-text"}} {{t "Protocols"}}</a>
    <a href="{{.Base}}/documents"{{if eq .Nav "documents"}} aria-current="page"{{end}}>{{icon "file"}} {{t "Documents"}}</a>
    <a href="{{.Base}}/invoices"{{if eq .Nav "invoices"}} aria-current="page"{{end}}>{{icon "file-text"}} {{t "Invoices"}}</a>
    <a href="{{.Base}}/estimates"{{if eq .Nav "estimates"}} aria-current="page"{{end}}>{{icon "briefcase"}} {{t "Estimates"}}</a>
    <a href="{{.Base}}/my-data"{{if eq .Nav "my-data"}} aria-current="page"{{end}}>{{icon "user"}} {{t "My data"}}</a>
{{end}}`

// The frame written in Go is, byte for byte, the template it replaced: signed
// in or not, viewed as by staff or not, with none, one or several companies,
// on every section and an unknown one, with and without a flash, for random
// and hostile names, in every locale.
func TestPortalFrameAsTheTemplate(t *testing.T) {
	text := rapid.OneOf(rapid.String(), rapid.StringMatching(`[<>"'&+ a-z\x00]{0,12}`), rapid.Just(`<script>alert(1)</script>"onmouseover=x`),
		rapid.Just(""), rapid.Just("\xff\xfe<"), rapid.Just("Košice"))
	navs := []string{"", "unknown"}
	for k := range portalNavNames {
		navs = append(navs, k)
	}
	navs = append(navs, "account", "security", "tokens")
	for _, locale := range append([]string{"en"}, localesOf(catalogues)...) {
		ref := template.Must(template.Must(template.New("ref").Funcs(templateFuncs(locale)).Parse(frameReference)).
			Parse(`{{template "ptop" .}}<p>page</p>{{template "pbottom" .}}`))
		now := template.Must(template.New("now").Funcs(templateFuncs(locale)).Parse(`{{portalTop .}}<p>page</p>{{portalBottom .}}`))
		t.Run(locale, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				p := &portalProtocolsPage{PortalPage: PortalPage{
					Page: Page{Title: rapid.SampledFrom([]string{"Protocols", "Overview", "My data"}).Draw(rt, "titleKnown"),
						Nav: rapid.SampledFrom(navs).Draw(rt, "nav"), Locale: rapid.SampledFrom([]string{"en", "sk", `"x`}).Draw(rt, "locale")},
					Tenant: &domain.Company{Name: text.Draw(rt, "tenant")},
					Base:   rapid.SampledFrom([]string{"/portal/acme", "/app/view-as/12"}).Draw(rt, "base"),
				}}
				if rapid.Bool().Draw(rt, "hostileTitle") {
					p.Title = text.Draw(rt, "title")
				}
				if rapid.Bool().Draw(rt, "flash") {
					p.Flash = rapid.OneOf(rapid.Just("Your password is set. Welcome!"), text).Draw(rt, "flashText")
				}
				if rapid.IntRange(0, 4).Draw(rt, "signedIn") > 0 {
					p.User = &domain.PortalUser{FirstName: text.Draw(rt, "first"), LastName: text.Draw(rt, "last"), Email: text.Draw(rt, "email")}
					if rapid.IntRange(0, 3).Draw(rt, "staff") == 0 {
						p.ViewingAs = &domain.StaffUser{Name: text.Draw(rt, "staffName")}
					}
					for i := range rapid.IntRange(0, 4).Draw(rt, "companies") {
						p.Companies = append(p.Companies, &domain.Client{ID: int64(i + 1), Name: text.Draw(rt, "company")})
					}
					p.CompanyID = int64(rapid.IntRange(0, 5).Draw(rt, "companyID"))
				}
				sameOutput(rt, ref, now, p)
			})
		})
	}
}

// A page whose data does not embed PortalPage cannot be framed: the render
// fails (a clean 500) rather than writing a page without its header.
func TestPortalFrameNeedsAPortalPage(t *testing.T) {
	if _, err := portalTop("en", struct{ Title string }{"x"}); err == nil {
		t.Fatal("portalTop framed a page without a PortalPage")
	}
	if _, err := portalBottom("en", map[string]any{}); err == nil {
		t.Fatal("portalBottom framed a page without a PortalPage")
	}
}
