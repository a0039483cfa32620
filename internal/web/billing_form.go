package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"portico/internal/domain"
)

// What the billing pages of the staff app and the portal share: the form of an
// invoice or estimate with its lines, and the choices of the list filters.

// billingKind is "invoice" or "estimate": the two documents share their pages.
type billingKind string

const (
	kindInvoice  billingKind = "invoice"
	kindEstimate billingKind = "estimate"
)

// Plural is the kind's path segment and list name: "invoices", "estimates".
func (k billingKind) Plural() string { return string(k) + "s" }

// Label is the kind as a capitalised word: "Invoice".
func (k billingKind) Label() string { return strings.ToUpper(string(k[:1])) + string(k[1:]) }

// billingChoice is an option of a filter or select.
type billingChoice struct{ Value, Label string }

// billingStates are the states a list may be filtered by; portal lists offer
// neither drafts nor void invoices, which never reach the portal.
func billingStates(k billingKind, portal bool) []billingChoice {
	if k == kindInvoice {
		out := []billingChoice{{"", "All invoices"}}
		if !portal {
			out = append(out, billingChoice{domain.InvoiceDraft, "Drafts"})
		}
		out = append(out, billingChoice{domain.InvoiceSent, "Unpaid, not yet due"}, billingChoice{domain.InvoiceOverdue, "Overdue"},
			billingChoice{domain.InvoicePaid, "Paid"})
		if !portal {
			out = append(out, billingChoice{domain.InvoiceVoid, "Void"})
		}
		return out
	}
	out := []billingChoice{{"", "All estimates"}}
	if !portal {
		out = append(out, billingChoice{domain.EstimateDraft, "Drafts"})
	}
	return append(out, billingChoice{domain.EstimateSent, "Awaiting decision"}, billingChoice{domain.EstimateAccepted, "Accepted"},
		billingChoice{domain.EstimateDeclined, "Declined"}, billingChoice{domain.EstimateExpired, "Expired"})
}

// knownState returns state if it is one of the choices, else "".
func knownState(choices []billingChoice, state string) string {
	for _, c := range choices {
		if c.Value == state {
			return state
		}
	}
	return ""
}

// lineRow is one row of the lines of a billing form, as typed or as stored.
type lineRow struct {
	Index                                   int
	Description, Quantity, Unit, Price, VAT string
}

// blankLines is how many empty rows a form offers below the filled ones.
const blankLines = 3

// linesFromForm reads the rows of the lines table from a posted form; every row
// posts all five fields, so the lists line up.
func linesFromForm(v url.Values) []lineRow {
	n := len(v["line_desc"])
	at := func(name string, i int) string {
		if vs := v[name]; i < len(vs) {
			return vs[i]
		}
		return ""
	}
	rows := make([]lineRow, 0, n)
	for i := range n {
		rows = append(rows, lineRow{Index: i, Description: at("line_desc", i), Quantity: at("line_qty", i), Unit: at("line_unit", i),
			Price: at("line_price", i), VAT: at("line_vat", i)})
	}
	return rows
}

// withBlankLines returns rows followed by n empty ones, numbered on.
func withBlankLines(rows []lineRow, n int, defaultVAT string) []lineRow {
	for range n {
		rows = append(rows, lineRow{Index: len(rows), Quantity: "1", VAT: defaultVAT})
	}
	return rows
}

// trimBlank drops blank rows at the end, keeping those between filled ones (an
// error may point at them by index).
func trimBlank(rows []lineRow) []lineRow {
	for len(rows) > 0 {
		last := rows[len(rows)-1]
		if !(domain.LineInput{Description: last.Description, Unit: last.Unit, UnitPrice: last.Price}).Blank() {
			break
		}
		rows = rows[:len(rows)-1]
	}
	return rows
}

// storedLines turns a document's lines into form rows.
func storedLines(f domain.BillingFormat, lines []domain.Line) []lineRow {
	rows := make([]lineRow, 0, len(lines))
	for i, l := range lines {
		rows = append(rows, lineRow{Index: i, Description: l.Description, Quantity: f.QuantityInput(l.Quantity), Unit: l.Unit,
			Price: f.MoneyInput(l.UnitPrice), VAT: f.RateInput(l.VATRate)})
	}
	return rows
}

// defaultVAT is the rate new lines start with: the standard Slovak rate.
const defaultVAT = "23"

// docFromForm reads the fields both kinds share. Unreadable input is collected in
// v, named by field, so the form can show it next to what was typed.
func docFromForm(form url.Values, v *domain.Validator) domain.BillingDoc {
	d := domain.BillingDoc{Title: form.Get("title"), Currency: form.Get("currency"), Note: form.Get("note")}
	if id := strings.TrimSpace(form.Get("project_id")); id != "" && id != "0" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			v.Add("project_id", "Choose one of this client's projects.")
		}
		d.ProjectID = n
	}
	d.IssueDate = formDay(form, "issue_date", v)
	var inputs []domain.LineInput
	for _, r := range linesFromForm(form) {
		inputs = append(inputs, domain.LineInput{Description: r.Description, Quantity: r.Quantity, Unit: r.Unit, UnitPrice: r.Price, VATRate: r.VAT})
	}
	lines, err := domain.ParseLines(inputs)
	for field, msg := range domain.FieldErrors(err) {
		v.Add(field, msg)
	}
	d.Lines = lines
	return d
}

// formDay reads an ISO date field; a missing one is left to validation, a bad one
// is reported in v.
func formDay(form url.Values, name string, v *domain.Validator) domain.Day {
	s := strings.TrimSpace(form.Get(name))
	if s == "" {
		return domain.Day{}
	}
	d, ok := domain.ParseDay(s)
	if !ok {
		v.Add(name, "Enter a date as YYYY-MM-DD.")
	}
	return d
}

// mergeInvalid returns an EINVALID error holding the messages of v and of the
// document's own validation (v's first), or nil when both are clean.
func mergeInvalid(v *domain.Validator, validate func() error) error {
	for field, msg := range domain.FieldErrors(validate()) {
		v.Add(field, msg)
	}
	return v.Err()
}

// billingListOptions reads ?state= and ?page= of a list.
func billingListOptions(r *http.Request, choices []billingChoice) (state string, opts domain.ListOptions) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	return knownState(choices, q.Get("state")), domain.ListOptions{Page: page, PerPage: 20}
}
