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
}

// Protocol renders a completed (or draft) protocol: the tenant's header, client and
// site, date, service, materials, findings, recommendations and signature lines.
// The work is signed for by the tenant's team label: portal users never see
// staff names, and staff and portal get the same bytes.
func Protocol(data ProtocolData) ([]byte, error) {
	p, c, s, co := data.Protocol, data.Client, data.Site, data.Company
	if p == nil || c == nil || s == nil || co == nil {
		return nil, fmt.Errorf("pdf: protocol data incomplete")
	}
	loc := co.Location()
	ref := "No. " + strconv.FormatInt(p.Number, 10)
	title := "Service protocol"
	if !p.Completed() {
		title = "Service protocol (DRAFT)"
	}
	d := New(House{Tenant: co.Name, Title: title, Ref: ref, Date: p.UpdatedAt, Subtitle: "Service report for " + c.Name})

	d.Fields(
		[]Field{
			{"Client", c.Name},
			{"Company ID", join(" · ", c.CompanyNumber, prefixed("VAT ID ", c.VATID))},
			{"Billing address", join(", ", c.Street, strings.TrimSpace(c.PostalCode+" "+c.City), c.Country)},
			{"Contact", join(" · ", c.ContactPerson, c.Phone)},
		},
		[]Field{
			{"Site", s.Name},
			{"Address", s.Address()},
			{"Site contact", join(" · ", s.ContactPerson, s.Phone)},
			{"Performed", p.PerformedAt.In(loc).Format("2 Jan 2006, 15:04")},
			{"Service", p.ServiceType},
			{"Performed by", co.TeamLabel()},
		},
	)

	d.Section("Materials used")
	var rows [][]string
	for _, m := range p.Materials {
		rows = append(rows, []string{m.MaterialName, m.ActiveSubstance, formatQty(m.Quantity, m.Unit), m.Location})
	}
	d.Table([]Column{
		{"Material", 52, "L"}, {"Active substance", 40, "L"}, {"Quantity", 24, "R"}, {"Where applied", bodyW - 116, "L"},
	}, rows, "No materials were used.")

	d.Section("Findings")
	d.Paragraph(p.Findings, "No findings recorded.")
	d.Section("Recommendations")
	d.Paragraph(p.Recommendations, "No recommendations.")

	d.Signatures("Technician — "+co.Name, "Client — "+c.Name)
	return d.Bytes()
}

// formatQty writes a quantity without trailing zeros, with its unit.
func formatQty(q float64, unit string) string {
	return strings.TrimSpace(strconv.FormatFloat(q, 'f', -1, 64) + " " + unit)
}

func prefixed(prefix, v string) string {
	if v == "" {
		return ""
	}
	return prefix + v
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
