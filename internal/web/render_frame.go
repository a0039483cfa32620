package web

import (
	"fmt"
	"html/template"
	"strings"
	"sync"

	"portico/internal/i18n"
)

// The portal's frame written in Go.
//
// Every portal page opens with the same header: the brand, the navigation
// twice (the row and the phone's menu), the company selector, the account
// link and the sign-out button, then the flash. As a template it was about
// fifty actions, each run through reflection with an escaper after it, and
// each of its fields found by a search through the page's embedded structs —
// half of the CPU of a light page such as the overview. portalTop and
// portalBottom write the same bytes directly, with the escaping of
// render_rows.go; TestPortalFrameAsTheTemplate compares them with the
// template they replaced for random pages and hostile names.

// portalFramed is every portal page's data: a struct that embeds PortalPage.
type portalFramed interface{ portalFrame() *PortalPage }

// portalFrame returns the page's frame, for portalTop and portalBottom.
func (p *PortalPage) portalFrame() *PortalPage { return p }

// frameOf finds the PortalPage in a page's data.
func frameOf(data any) (*PortalPage, error) {
	switch d := data.(type) {
	case portalFramed:
		return d.portalFrame(), nil
	case PortalPage:
		return &d, nil
	}
	return nil, fmt.Errorf("portal frame: %T does not embed PortalPage", data)
}

// frameLabels are a locale's fixed parts of the frame, escaped once.
type frameLabels struct {
	skip, clientPortal, main, menu, company, goLabel, account, security, tokens string
	signOut, viewingAs, readOnly, backToStaff                                   string
	nav                                                                         []frameNav
}

// frameNav is one link of the portal's navigation: its key (Page.Nav), path
// below the portal's base, and its icon and name as written.
type frameNav struct{ key, path, label string }

var frameLabelsByLocale = sync.OnceValue(func() map[string]*frameLabels {
	out := map[string]*frameLabels{}
	for _, locale := range append([]string{i18n.EN}, localesOf(catalogues)...) {
		e := func(msg string) string { return htmlEscaper.Replace(translate(locale, msg)) }
		nav := func(key, path, icon, msg string) frameNav {
			return frameNav{key, path, string(iconHTML(icon)) + " " + e(msg)}
		}
		out[locale] = &frameLabels{skip: e("Skip to content"), clientPortal: e("Client portal"), main: e("Main"), menu: e("Menu"),
			company: e("Company"), goLabel: e("Go"), account: e("Your account"), security: e("Account security"), tokens: e("API tokens"),
			signOut: e("Sign out"), viewingAs: e("Viewing as"), readOnly: e("read-only"), backToStaff: e("Back to staff app"),
			nav: []frameNav{
				nav("home", "/", "home", "Overview"),
				nav("projects", "/projects", "briefcase", "Projects"),
				nav("protocols", "/protocols", "file-text", "Protocols"),
				nav("documents", "/documents", "file", "Documents"),
				nav("invoices", "/invoices", "file-text", "Invoices"),
				nav("estimates", "/estimates", "briefcase", "Estimates"),
				nav("my-data", "/my-data", "user", "My data"),
			}}
	}
	return out
})

func frameLabelsOf(locale string) *frameLabels {
	if l := frameLabelsByLocale()[locale]; l != nil {
		return l
	}
	return frameLabelsByLocale()[i18n.EN]
}

// ariaCurrent is the attribute that marks the link of the page one is on.
const ariaCurrent = ` aria-current="page"`

// portalTop writes the start of a portal page up to and including the flash
// (the page's own content follows): the document head, and for a signed-in
// user the header, the staff view's note and the opening of main.
func portalTop(locale string, data any) (template.HTML, error) {
	p, err := frameOf(data)
	if err != nil {
		return "", err
	}
	l := frameLabelsOf(locale)
	var b strings.Builder
	b.Grow(6000)
	b.WriteString("<!doctype html>\n<html lang=\"")
	escText(&b, p.Locale)
	b.WriteString("\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	escText(&b, translate(locale, p.Title))
	b.WriteString(" · ")
	if p.Tenant != nil {
		escText(&b, p.Tenant.Name)
	}
	b.WriteString("</title>\n<link rel=\"stylesheet\" href=\"/static/portico.css\">\n<script src=\"/static/app.js\" defer></script>\n</head>\n")
	if p.User == nil {
		b.WriteString("<body class=\"auth portal\">\n")
		return template.HTML(b.String()), nil
	}
	name := htmlEscaper.Replace(p.User.Name())
	base := htmlEscaper.Replace(p.Base)
	b.WriteString("<body class=\"portal\">\n<a class=\"skip-link\" href=\"#main\">")
	b.WriteString(l.skip)
	b.WriteString("</a>\n<header class=\"topbar\">\n  <a class=\"brand\" href=\"")
	b.WriteString(base)
	b.WriteString("/\"><span class=\"brand-mark\">")
	b.WriteString(string(iconHTML("building")))
	b.WriteString("</span><span class=\"brand-text\"><span class=\"brand-name\">")
	escText(&b, p.Tenant.Name)
	b.WriteString("</span><span class=\"brand-sub\">")
	b.WriteString(l.clientPortal)
	b.WriteString("</span></span></a>\n  <nav class=\"nav\" aria-label=\"")
	b.WriteString(l.main)
	b.WriteString("\">")
	navLinks(&b, l, base, p.Nav)
	b.WriteString("</nav>\n  \n  <details class=\"nav-menu\">\n    <summary><span class=\"nav-menu-icon\">")
	b.WriteString(string(iconHTML("menu")))
	b.WriteString("</span><span class=\"sr-only\">")
	b.WriteString(l.menu)
	b.WriteString(": </span><span class=\"nav-menu-page\">")
	escText(&b, translate(locale, p.NavName()))
	b.WriteString("</span><span class=\"nav-menu-user\">")
	b.WriteString(string(iconHTML("user")))
	b.WriteString(" ")
	b.WriteString(name)
	b.WriteString("</span>")
	b.WriteString(string(iconHTML("chevron-down")))
	b.WriteString("</summary>\n    <nav class=\"nav-menu-links\" aria-label=\"")
	b.WriteString(l.menu)
	b.WriteString("\">")
	navLinks(&b, l, base, p.Nav)
	b.WriteString("\n      ")
	if p.ViewingAs == nil {
		for _, a := range []struct{ key, path, icon, label string }{
			{"account", "/account", "user", l.account},
			{"security", "/account/security", "shield", l.security},
			{"tokens", "/account/tokens", "key", l.tokens},
		} {
			if a.key != "account" {
				b.WriteString("\n      ")
			}
			b.WriteString("<a href=\"")
			b.WriteString(base)
			b.WriteString(a.path)
			b.WriteString("\"")
			if p.Nav == a.key {
				b.WriteString(ariaCurrent)
			}
			b.WriteString(">")
			b.WriteString(string(iconHTML(a.icon)))
			b.WriteString(" ")
			b.WriteString(a.label)
			b.WriteString("</a>")
		}
	}
	b.WriteString("\n    </nav>\n  </details>\n  <div class=\"topbar-end\">\n    ")
	if len(p.Companies) > 1 {
		b.WriteString("<form method=\"get\" action=\"")
		b.WriteString(base)
		b.WriteString("/my-data\" class=\"row\" aria-label=\"")
		b.WriteString(l.company)
		b.WriteString("\">\n      <select name=\"company\" aria-label=\"")
		b.WriteString(l.company)
		b.WriteString("\" data-autosubmit>")
		b.WriteString(string(optionsHTML(p.Companies, itoa(p.CompanyID), clientIDName)))
		b.WriteString("</select>\n      <button class=\"btn btn-sm no-js-only\" type=\"submit\">")
		b.WriteString(l.goLabel)
		b.WriteString("</button>\n    </form>")
	}
	b.WriteString("\n    ")
	if p.ViewingAs == nil {
		b.WriteString("\n    <a class=\"topbar-user\" href=\"")
		b.WriteString(base)
		b.WriteString("/account\"")
		if p.Nav == "account" || p.Nav == "security" || p.Nav == "tokens" {
			b.WriteString(ariaCurrent)
		}
		b.WriteString(" title=\"")
		b.WriteString(l.account)
		b.WriteString("\">")
		b.WriteString(string(iconHTML("user")))
		b.WriteString(" ")
		b.WriteString(name)
		b.WriteString("</a>\n    <form method=\"post\" action=\"")
		b.WriteString(base)
		b.WriteString("/logout\"><button class=\"btn btn-sm btn-signout\" type=\"submit\" aria-label=\"")
		b.WriteString(l.signOut)
		b.WriteString("\" title=\"")
		b.WriteString(l.signOut)
		b.WriteString(" (")
		b.WriteString(name)
		b.WriteString(")\">")
		b.WriteString(string(iconHTML("logout")))
		b.WriteString("<span class=\"btn-text\">")
		b.WriteString(l.signOut)
		b.WriteString("</span></button></form>")
	}
	b.WriteString("\n  </div>\n</header>\n")
	if p.ViewingAs != nil {
		b.WriteString("<div class=\"viewing-as\" role=\"note\"><div class=\"container\"><span id=\"viewing-as\">")
		b.WriteString(string(iconHTML("eye")))
		b.WriteString(" ")
		b.WriteString(l.viewingAs)
		b.WriteString(" <strong>")
		b.WriteString(name)
		b.WriteString("</strong> — ")
		b.WriteString(l.readOnly)
		b.WriteString("</span> <a href=\"/app/users\">")
		b.WriteString(l.backToStaff)
		b.WriteString("</a></div></div>")
	}
	b.WriteString("\n<main class=\"container\" id=\"main\" tabindex=\"-1\">\n")
	if p.Flash != "" {
		b.WriteString("<div class=\"flash flash-success\" role=\"status\">")
		b.WriteString(string(iconHTML("check")))
		b.WriteString(" ")
		escText(&b, i18n.Message(locale, p.Flash))
		b.WriteString("</div>")
	}
	b.WriteString("\n")
	return template.HTML(b.String()), nil
}

// navLinks writes the portal's navigation links, the current one marked.
func navLinks(b *strings.Builder, l *frameLabels, base, current string) {
	for _, n := range l.nav {
		b.WriteString("\n    <a href=\"")
		b.WriteString(base)
		b.WriteString(n.path)
		b.WriteString("\"")
		if current == n.key {
			b.WriteString(ariaCurrent)
		}
		b.WriteString(">")
		b.WriteString(n.label)
		b.WriteString("</a>")
	}
	b.WriteString("\n")
}

// portalBottom writes the end of a portal page: for a signed-in user the end
// of main and the footer.
func portalBottom(locale string, data any) (template.HTML, error) {
	p, err := frameOf(data)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if p.User != nil {
		b.WriteString("</main>\n<footer class=\"footer\">")
		escText(&b, p.Tenant.Name)
		b.WriteString(" · ")
		b.WriteString(frameLabelsOf(locale).clientPortal)
		b.WriteString("</footer>\n")
	}
	b.WriteString("</body>\n</html>")
	return template.HTML(b.String()), nil
}
