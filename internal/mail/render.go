package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strings"
	texttemplate "text/template"
)

// Mail kinds: the kind column of the outbox, and the template that renders it.
const (
	KindPortalInvitation    = "portal_invitation"     // data: Invitation
	KindPortalAccessGranted = "portal_access_granted" // data: AccessGranted
	KindPortalReset         = "portal_reset"          // data: Reset
	KindPortalReminder      = "portal_reminder"       // data: Reminder
)

// Locales are the languages every mail is written in: English, the default, and Slovak.
var Locales = []string{"en", "sk"}

// Invitation is the data of a KindPortalInvitation email: a new portal user is
// asked to activate their account.
type Invitation struct {
	CompanyName string // the service company, sender of the invitation
	ClientName  string // the client whose data the portal shows
	// Clients names every client whose data the portal shows the recipient, when
	// there are several ("Hotel Tatra and Penzión Lipa"); empty: ClientName alone.
	// Only clients the recipient may see belong here.
	Clients       []string
	RecipientName string // "" greets without a name
	Link          string // the one-time activation link
	ValidDays     int    // how long Link lives
	SignIn        string // the portal's sign-in page, for every later visit; "" leaves it out
	Contents      Contents
}

// Contents counts what a portal user finds in the portal for the client a mail is
// about, within their Scope (their sites and switches only). The mails name what
// there is and leave out what there is not.
type Contents struct {
	Protocols, Documents, Sites, Projects, Switches, Invoices, Estimates int
}

// AccessGranted is the data of a KindPortalAccessGranted email: an existing portal
// user may now see one more client.
type AccessGranted struct {
	CompanyName   string
	ClientName    string
	RecipientName string
	Link          string // the portal's sign-in page
	Contents      Contents
}

// Reminder is the data of a KindPortalReminder email: an invitation sent again to
// a portal user who has activated their account already. It reminds them where
// to sign in and what is there; it grants nothing new.
type Reminder struct {
	CompanyName   string
	ClientName    string
	Clients       []string // every client the portal shows the recipient; empty: ClientName alone
	RecipientName string
	Link          string // the portal's sign-in page
	Contents      Contents
}

// Reset is the data of a KindPortalReset email: a one-time link to set a new
// portal password.
type Reset struct {
	CompanyName   string
	RecipientName string
	Link          string // the one-time reset link
	ValidMinutes  int    // how long Link lives
	// ByStaff says the service company's staff sent the link, rather than someone
	// asking on the sign-in page.
	ByStaff bool
}

//go:embed templates/*.tmpl templates/sk/*.tmpl
var templateFS embed.FS

// kindTemplates is one kind's pair of templates: text (with its subject) and HTML.
type kindTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// kinds are the mail kinds, each with a template pair per locale.
var kinds = []string{KindPortalInvitation, KindPortalAccessGranted, KindPortalReminder, KindPortalReset, KindEstimateDecision}

// templates are parsed once, when the program starts, per locale; a broken
// template stops it.
var templates = map[string]map[string]kindTemplates{
	"en": parseTemplates("templates", english),
	"sk": parseTemplates("templates/sk", slovak),
}

func parseTemplates(dir string, l lang) map[string]kindTemplates {
	funcs := map[string]any{
		"button":   func(url, label string) button { return button{URL: url, Label: label} },
		"days":     l.days,
		"duration": l.duration,
		"period":   period,
		"contents": l.contents,
		"names":    l.names,
	}
	out := make(map[string]kindTemplates, len(kinds))
	for _, kind := range kinds {
		out[kind] = kindTemplates{
			text: texttemplate.Must(texttemplate.New(kind).Funcs(funcs).ParseFS(templateFS,
				dir+"/layout.txt.tmpl", dir+"/"+kind+".txt.tmpl")),
			html: htmltemplate.Must(htmltemplate.New(kind).Funcs(funcs).ParseFS(templateFS,
				dir+"/layout.html.tmpl", dir+"/"+kind+".html.tmpl")),
		}
	}
	return out
}

// button is the argument of the layouts' "button" template.
type button struct{ URL, Label string }

// Render renders an email of the kind in English; see RenderIn.
func Render(kind string, data any) (*Email, error) { return RenderIn("en", kind, data) }

// RenderIn renders an email of the kind from its data in the recipient's
// language: "sk" in Slovak, anything else in English. The data is Invitation for
// KindPortalInvitation, AccessGranted for KindPortalAccessGranted, Reminder for
// KindPortalReminder, Reset for KindPortalReset, EstimateDecision for
// KindEstimateDecision; a value or a pointer. Figures and dates in the data
// arrive formatted in that language. The result has Subject, Text and HTML; the
// caller sets To and CompanyID. It fails for an unknown kind, data of the wrong
// type, or data missing the company name or the link.
func RenderIn(locale, kind string, data any) (*Email, error) {
	set, ok := templates[locale]
	if !ok {
		set = templates["en"]
	}
	t, ok := set[kind]
	if !ok {
		return nil, fmt.Errorf("mail: unknown kind %q", kind)
	}
	data, err := checkData(kind, data)
	if err != nil {
		return nil, err
	}
	var subject, text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&subject, "subject", data); err != nil {
		return nil, fmt.Errorf("mail: %s subject: %w", kind, err)
	}
	if err := t.text.ExecuteTemplate(&text, "layout", data); err != nil {
		return nil, fmt.Errorf("mail: %s text: %w", kind, err)
	}
	if err := t.html.ExecuteTemplate(&html, "layout", data); err != nil {
		return nil, fmt.Errorf("mail: %s HTML: %w", kind, err)
	}
	return &Email{
		Subject: oneLine(subject.String()),
		Text:    tidyText(text.String()),
		HTML:    strings.TrimSpace(html.String()) + "\n",
	}, nil
}

// checkData returns data as a value of the kind's data type, failing unless it is
// one (or a pointer to one) and has what every email needs.
func checkData(kind string, data any) (any, error) {
	var ok bool
	var company, link string
	valid := 1
	switch kind {
	case KindPortalInvitation:
		var d Invitation
		d, ok = value[Invitation](data)
		d.Clients = clientsOr(d.Clients, d.ClientName)
		data, company, link, valid = d, d.CompanyName, d.Link, d.ValidDays
	case KindPortalAccessGranted:
		var d AccessGranted
		d, ok = value[AccessGranted](data)
		data, company, link = d, d.CompanyName, d.Link
	case KindPortalReminder:
		var d Reminder
		d, ok = value[Reminder](data)
		d.Clients = clientsOr(d.Clients, d.ClientName)
		data, company, link = d, d.CompanyName, d.Link
	case KindPortalReset:
		var d Reset
		d, ok = value[Reset](data)
		data, company, link, valid = d, d.CompanyName, d.Link, d.ValidMinutes
	case KindEstimateDecision:
		var d EstimateDecision
		d, ok = value[EstimateDecision](data)
		data, company, link = d, d.CompanyName, d.Link
	}
	switch {
	case !ok:
		return nil, fmt.Errorf("mail: %s needs %T data", kind, data)
	case company == "":
		return nil, fmt.Errorf("mail: %s: no company name", kind)
	case link == "":
		return nil, fmt.Errorf("mail: %s: no link", kind)
	case valid <= 0:
		return nil, fmt.Errorf("mail: %s: no validity period", kind)
	}
	return data, nil
}

// clientsOr is the clients a mail names: clients, else the one client name.
func clientsOr(clients []string, one string) []string {
	if len(clients) > 0 || one == "" {
		return clients
	}
	return []string{one}
}

// value returns data as a T, whether it holds a T or a non-nil *T.
func value[T any](data any) (T, bool) {
	switch d := data.(type) {
	case T:
		return d, true
	case *T:
		if d != nil {
			return *d, true
		}
	}
	var zero T
	return zero, false
}

// period ends a sentence after s, unless s ends with a full stop already
// ("ABC s.r.o.").
func period(s string) string {
	if strings.HasSuffix(s, ".") {
		return ""
	}
	return "."
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// tidyText lets the text templates be written for reading: it drops trailing
// spaces, collapses runs of blank lines to one and ends with one newline.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "-- " { // the signature delimiter keeps its space
			lines[i] = strings.TrimRight(l, " \t")
		}
	}
	s = blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s) + "\n"
}
