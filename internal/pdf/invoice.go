package pdf

import (
	"fmt"
	"strconv"
	"strings"

	"portico/internal/domain"
)

// BillingData is the frame of an invoice's or estimate's PDF: the tenant and the
// supplier details it prints (address, IDs, bank account; see the billing settings).
type BillingData struct {
	Company *domain.Company
	Details string
	// Locale is the reader's language: "sk" prints Slovak labels, dates and
	// figures, anything else English; "" is the tenant's language.
	Locale string
}

// lang is the language the document is printed in.
func (b BillingData) lang() string {
	if b.Locale != "" {
		return b.Locale
	}
	return b.Company.Locale
}

// Invoice renders an invoice: supplier and customer, number and dates, the lines
// with each line's rounded net amount, the VAT recapitulation by rate and the
// totals. Every figure is printed by domain.BillingFormat from the values the
// totals add up, so the printed lines sum exactly to the printed totals. Drafts
// and void invoices say so in the title.
func Invoice(b BillingData, inv *domain.Invoice) ([]byte, error) {
	if b.Company == nil || inv == nil {
		return nil, fmt.Errorf("pdf: invoice data incomplete")
	}
	lang := b.lang()
	f := domain.BillingFormat{Locale: lang}
	title := tr(lang, "Invoice")
	switch inv.State() {
	case domain.InvoiceDraft:
		title = tr(lang, "Invoice (DRAFT)")
	case domain.InvoiceVoid:
		title = tr(lang, "Invoice (VOID)")
	}
	d := billingFrame(b, &inv.BillingDoc, title)
	d.Fields(
		[]Field{{d.t("Invoice no."), inv.DisplayNumber()}, {d.t("Issue date"), f.Day(inv.IssueDate)}, {d.t("Due date"), f.Day(inv.DueDate)}},
		[]Field{{d.t("Project"), projectLine(&inv.BillingDoc)}, {d.t("Currency"), inv.Currency}, {d.t("Status"), d.stateLabel(inv.State())}},
	)
	billingLines(d, f, &inv.BillingDoc)
	var closing []string
	switch inv.State() {
	case domain.InvoicePaid:
		closing = append(closing, d.t("Paid. Thank you."))
	case domain.InvoiceSent, domain.InvoiceOverdue:
		closing = append(closing, fmt.Sprintf(d.t("Please pay %s by %s, quoting %s."), f.Money(inv.Totals.Gross, inv.Currency), f.Day(inv.DueDate), inv.DisplayNumber()))
	}
	billingNote(d, inv.Note, closing)
	return d.Bytes()
}

// Estimate renders an estimate like an invoice, with its valid-until day and, once
// answered, the decision: by the client's named person, or, when staff recorded
// it, by the tenant's team label (portal users never see staff names, and staff
// and portal get the same file).
func Estimate(b BillingData, e *domain.Estimate) ([]byte, error) {
	if b.Company == nil || e == nil {
		return nil, fmt.Errorf("pdf: estimate data incomplete")
	}
	lang := b.lang()
	f := domain.BillingFormat{Locale: lang}
	title := tr(lang, "Estimate")
	if e.State() == domain.EstimateDraft {
		title = tr(lang, "Estimate (DRAFT)")
	}
	d := billingFrame(b, &e.BillingDoc, title)
	d.Fields(
		[]Field{{d.t("Estimate no."), e.DisplayNumber()}, {d.t("Issue date"), f.Day(e.IssueDate)}, {d.t("Valid until"), f.Day(e.ValidUntil)}},
		[]Field{{d.t("Project"), projectLine(&e.BillingDoc)}, {d.t("Currency"), e.Currency}, {d.t("Status"), d.stateLabel(e.State())}},
	)
	billingLines(d, f, &e.BillingDoc)
	var closing []string
	if dec := e.Decision; dec != nil {
		by := dec.ByName
		if dec.ByStaff() {
			by = fmt.Sprintf(d.t("%s for the client"), teamLabel(b.Company, lang))
		}
		closing = append(closing, fmt.Sprintf(d.t("%s by %s on %s."), d.stateLabel(dec.Decision), by,
			f.DateTime(dec.At.In(b.Company.Location()))))
		if dec.Comment != "" {
			closing = append(closing, d.t("Comment: ")+dec.Comment)
		}
	} else if e.State() == domain.EstimateSent {
		closing = append(closing, fmt.Sprintf(d.t("This estimate is valid until %s. Accept or decline it in the client portal."), f.Day(e.ValidUntil)))
	}
	billingNote(d, e.Note, closing)
	return d.Bytes()
}

// billingFrame starts the document and writes supplier and customer.
func billingFrame(b BillingData, doc *domain.BillingDoc, title string) *Doc {
	client := doc.Client
	if client == nil {
		client = &domain.Client{Name: doc.ClientName}
	}
	lang := b.lang()
	sub := fmt.Sprintf(tr(lang, "for %s"), client.Name)
	if doc.Title != "" {
		sub = doc.Title + " — " + sub
	}
	d := New(House{Tenant: b.Company.Name, Title: title, Ref: doc.DisplayNumber(), Date: doc.IssueDate.Time(), Subtitle: sub, Locale: lang})
	parties(d,
		Field{d.t("Supplier"), join("\n", b.Company.Name, b.Details)},
		Field{d.t("Customer"), join("\n", client.Name, client.Street, strings.TrimSpace(client.PostalCode+" "+client.City), client.Country,
			join(" · ", prefixed(d.t("Company ID "), client.CompanyNumber), prefixed(d.t("Tax ID "), client.TaxID), prefixed(d.t("VAT ID "), client.VATID)))},
	)
	return d
}

// parties writes supplier and customer side by side, each a small label over the
// full width of its half, as addresses are read on an invoice.
func parties(d *Doc, left, right Field) {
	f := d.f
	colW := bodyW / 2
	y0 := f.GetY()
	yEnd := y0
	for i, fd := range []Field{left, right} {
		x := margin + float64(i)*colW
		f.SetXY(x, y0)
		d.color(muted)
		d.font("", smallPt)
		f.CellFormat(colW-4, lineH, fd.Label, "", 2, "L", false, 0, "")
		f.SetX(x)
		d.color(ink)
		lines := strings.Split(fd.Value, "\n")
		d.font("B", bodyPt)
		f.MultiCell(colW-4, lineH, lines[0], "", "L", false)
		d.font("", bodyPt)
		for _, l := range lines[1:] {
			f.SetX(x)
			f.MultiCell(colW-4, lineH, l, "", "L", false)
		}
		yEnd = max(yEnd, f.GetY())
	}
	f.SetY(yEnd + 4)
}

// billingLines writes the lines and, under them, the totals.
func billingLines(d *Doc, f domain.BillingFormat, doc *domain.BillingDoc) {
	if doc.Title != "" {
		d.Section(doc.Title)
	} else {
		d.Section(d.t("Items"))
	}
	rows := make([][]string, 0, len(doc.Lines))
	for i, l := range doc.Lines {
		rows = append(rows, []string{strconv.Itoa(i + 1), l.Description, f.Quantity(l.Quantity), l.Unit,
			f.Money(l.UnitPrice, doc.Currency), f.Rate(l.VATRate), f.Money(l.Net(), doc.Currency)})
	}
	// Amounts up to ten million with cents, quantities up to a million and rates
	// like "19,5 %" fit their columns on one line.
	qtyW, unitW, priceW, vatW, amountW := 19.0, 12.0, 26.0, 17.0, 30.0
	d.Table([]Column{
		{"#", 10, "R"}, {d.t("Description"), bodyW - 10 - qtyW - unitW - priceW - vatW - amountW, "L"}, {d.t("Qty"), qtyW, "R"}, {d.t("Unit"), unitW, "L"},
		{d.t("Unit price"), priceW, "R"}, {d.t("VAT"), vatW, "R"}, {d.t("Amount"), amountW, "R"},
	}, rows, d.t("No lines yet."))

	t := doc.Totals
	type total struct {
		label, value string
		strong       bool
	}
	totals := []total{{d.t("Total without VAT"), f.Money(t.Net, doc.Currency), false}}
	for _, g := range t.Groups {
		totals = append(totals, total{fmt.Sprintf(d.t("VAT %s of %s"), f.Rate(g.Rate), f.Money(g.Base, doc.Currency)), f.Money(g.VAT, doc.Currency), false})
	}
	totals = append(totals, total{d.t("Total"), f.Money(t.Gross, doc.Currency), true})

	pdf := d.f
	_, pageH := pdf.GetPageSize()
	if pdf.GetY()+float64(len(totals))*6+6 > pageH-30 {
		pdf.AddPage()
	}
	pdf.Ln(2)
	labelW, valueW := 70.0, 34.0
	x := margin + bodyW - labelW - valueW
	for _, row := range totals {
		pdf.SetX(x)
		if row.strong {
			d.draw(rule)
			pdf.SetLineWidth(0.3)
			pdf.Line(x, pdf.GetY()+0.5, margin+bodyW, pdf.GetY()+0.5)
			pdf.Ln(1.5)
			pdf.SetX(x)
			d.color(ink)
			d.font("B", 11)
		} else {
			d.color(muted)
			d.font("", bodyPt)
		}
		pdf.CellFormat(labelW, 6, row.label, "", 0, "R", false, 0, "")
		d.color(ink)
		if !row.strong {
			d.font("", bodyPt)
		}
		pdf.CellFormat(valueW, 6, row.value, "", 1, "R", false, 0, "")
	}
	d.color(ink)
	d.font("", bodyPt)
}

// billingNote writes the document's note and closing sentences, if any.
func billingNote(d *Doc, note string, closing []string) {
	text := join("\n\n", note, strings.Join(closing, "\n"))
	if text == "" {
		return
	}
	d.Section(d.t("Note"))
	d.Paragraph(text, "")
}

// projectLine is "Project — Site", or "—" when the document has no project.
func projectLine(doc *domain.BillingDoc) string {
	if doc.ProjectID == 0 {
		return ""
	}
	return join(" — ", doc.ProjectName, doc.SiteName)
}

// stateLabel is a document state as a word in the document's language:
// "Overdue", "Accepted", "Prijatá".
func (d *Doc) stateLabel(state string) string {
	if state == "" {
		return ""
	}
	return d.t(strings.ToUpper(state[:1]) + state[1:])
}
