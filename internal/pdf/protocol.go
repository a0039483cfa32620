package pdf

import (
	"fmt"
	"strconv"
	"strings"

	"portico/internal/domain"
)

// ProtocolData is everything a protocol's PDF shows.
type ProtocolData struct {
	Company  *domain.Company // the tenant
	Client   *domain.Client
	Site     *domain.Site
	Protocol *domain.Protocol
	// Locale is the reader's language: "sk" prints Slovak labels and dates,
	// anything else English; "" is the tenant's language.
	Locale string
}

// Protocol renders a completed (or draft) protocol: the tenant's header, client and
// site, date, service, materials, findings, recommendations and signature lines,
// in data.Locale's language. Phone numbers are never broken across lines.
// The work is signed for by the tenant's team label: portal users never see
// staff names, and staff and portal get the same bytes.
func Protocol(data ProtocolData) ([]byte, error) {
	p, c, s, co := data.Protocol, data.Client, data.Site, data.Company
	if p == nil || c == nil || s == nil || co == nil {
		return nil, fmt.Errorf("pdf: protocol data incomplete")
	}
	loc := co.Location()
	lang := data.Locale
	if lang == "" {
		lang = co.Locale
	}
	f := domain.BillingFormat{Locale: lang}
	t := func(s string) string { return tr(lang, s) }
	ref := t("No. ") + strconv.FormatInt(p.Number, 10)
	title := t("Service protocol")
	if !p.Completed() {
		title = t("Service protocol (DRAFT)")
	}
	d := New(House{Tenant: co.Name, Title: title, Ref: ref, Date: p.UpdatedAt, Subtitle: t("Service report for ") + c.Name, Locale: lang})

	d.Fields(
		[]Field{
			{t("Client"), c.Name},
			{t("Company ID"), join(" · ", c.CompanyNumber, prefixed(t("VAT ID "), c.VATID))},
			{t("Billing address"), join(", ", c.Street, strings.TrimSpace(c.PostalCode+" "+c.City), c.Country)},
			{t("Contact"), join(" · ", c.ContactPerson, keepTogether(c.Phone))},
		},
		[]Field{
			{t("Site"), s.Name},
			{t("Address"), s.Address()},
			{t("Site contact"), join(" · ", s.ContactPerson, keepTogether(s.Phone))},
			{t("Performed"), f.DateTime(p.PerformedAt.In(loc))},
			{t("Service"), p.ServiceType},
			{t("Performed by"), teamLabel(co, lang)},
		},
	)

	d.Section(t("Materials used"))
	var rows [][]string
	for _, m := range p.Materials {
		rows = append(rows, []string{m.MaterialName, m.ActiveSubstance, formatQty(f, m.Quantity, m.Unit), m.Location})
	}
	d.Table([]Column{
		{t("Material"), 52, "L"}, {t("Active substance"), 40, "L"}, {t("Quantity"), 24, "R"}, {t("Where applied"), bodyW - 116, "L"},
	}, rows, t("No materials were used."))

	d.Section(t("Findings"))
	d.Paragraph(p.Findings, t("No findings recorded."))
	d.Section(t("Recommendations"))
	d.Paragraph(p.Recommendations, t("No recommendations."))

	d.Signatures(t("Technician — ")+co.Name, t("Client — ")+c.Name)
	return d.Bytes()
}

// formatQty writes a quantity without trailing zeros, with its unit and the
// locale's decimal point: "1.5 l", "1,5 l".
func formatQty(f domain.BillingFormat, q float64, unit string) string {
	n := strconv.FormatFloat(q, 'f', -1, 64)
	if f.Locale == "sk" {
		n = strings.Replace(n, ".", ",", 1)
	}
	return strings.TrimSpace(n + " " + unit)
}

// prefixed is v after its label ("VAT ID SK2020…"), kept together on one
// line; "" when there is no v.
func prefixed(prefix, v string) string {
	if v == "" {
		return ""
	}
	return keepTogether(prefix + v)
}

// join joins the non-empty parts with sep.
func join(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
