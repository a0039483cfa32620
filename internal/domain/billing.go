package domain

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Invoice statuses. Draft, sent, paid and void are stored; overdue is derived: a
// sent invoice whose due date has passed in the tenant's time zone.
const (
	InvoiceDraft   = "draft"
	InvoiceSent    = "sent"
	InvoiceOverdue = "overdue"
	InvoicePaid    = "paid"
	InvoiceVoid    = "void"
)

// Estimate statuses. Draft, sent, accepted and declined are stored; expired is
// derived: a sent estimate whose valid-until day has passed in the tenant's time zone.
const (
	EstimateDraft    = "draft"
	EstimateSent     = "sent"
	EstimateAccepted = "accepted"
	EstimateDeclined = "declined"
	EstimateExpired  = "expired"
)

// DefaultCurrency is the currency of a new document.
const DefaultCurrency = "EUR"

// Currencies lists the currencies the forms offer.
var Currencies = []string{"EUR", "CZK", "HUF", "PLN", "USD", "GBP", "CHF"}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// BillingDoc is what invoices and estimates share: the client (and optionally one
// of its projects, whose site decides who in the portal may see the document), a
// number given when the document is sent, dates, currency, lines and totals.
type BillingDoc struct {
	ID          int64
	CompanyID   int64
	ClientID    int64
	ClientName  string
	Client      *Client // the billing address and IDs printed on it; filled by detail queries
	ProjectID   int64   // 0 when not tied to a project
	ProjectName string
	SiteID      int64 // the project's site; 0 when none
	SiteName    string
	Number      string // sequential per tenant and kind; "" while a draft
	Title       string // what the document is for, shown in lists
	Status      string // as stored; see the Invoice… and Estimate… constants
	IssueDate   Day
	Currency    string
	Note        string // printed on the document, seen by the client
	Lines       []Line // filled by detail queries
	Totals      Totals // Net, VAT and Gross in lists; with Groups in detail queries
	SentAt      time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DisplayNumber is the number, or "Draft" before the document has one.
func (d *BillingDoc) DisplayNumber() string {
	if d.Number == "" {
		return "Draft"
	}
	return d.Number
}

// IsDraft reports whether the document is still being written.
func (d *BillingDoc) IsDraft() bool { return d.Status == InvoiceDraft }

// Normalize trims the text fields and upper-cases the currency.
func (d *BillingDoc) Normalize() {
	d.Title = strings.TrimSpace(d.Title)
	d.Note = strings.TrimSpace(d.Note)
	d.Currency = strings.ToUpper(strings.TrimSpace(d.Currency))
	if d.Currency == "" {
		d.Currency = DefaultCurrency
	}
	for i := range d.Lines {
		d.Lines[i].Description = strings.TrimSpace(d.Lines[i].Description)
		d.Lines[i].Unit = strings.TrimSpace(d.Lines[i].Unit)
	}
}

func (d *BillingDoc) validate(v *Validator) {
	v.MaxLen("title", d.Title, 200)
	v.MaxLen("note", d.Note, 2000)
	if !currencyRE.MatchString(d.Currency) {
		v.Add("currency", "Choose a currency.")
	}
	if d.IssueDate.IsZero() {
		v.Add("issue_date", "Issue date is required.")
	}
	if len(d.Lines) > MaxLines {
		v.Add("lines", "Use at most "+strconv.Itoa(MaxLines)+" lines.")
	}
	for i, l := range d.Lines {
		validateLine(v, i, l)
	}
	if NegativeTotal(d.Lines) {
		v.Add("lines", NegativeTotalMessage)
	}
}

// NegativeTotalMessage is why a document whose total is below zero is refused.
const NegativeTotalMessage = "The total is below zero. A discount may lower the total to zero at most; a refund is not an invoice."

// NegativeTotal reports whether the lines add up to less than nothing, net or
// with VAT. Discount lines may be negative; the document as a whole may not ask
// the client to pay a negative amount.
func NegativeTotal(lines []Line) bool {
	t := ComputeTotals(lines)
	return t.Net < 0 || t.Gross < 0
}

// LineField names a line's form field: "line_qty.2".
func LineField(name string, i int) string { return name + "." + strconv.Itoa(i) }

func validateLine(v *Validator, i int, l Line) {
	if strings.TrimSpace(l.Description) == "" {
		v.Add(LineField("line_desc", i), "Describe the line.")
	}
	v.MaxLen(LineField("line_desc", i), l.Description, 500)
	v.MaxLen(LineField("line_unit", i), l.Unit, 20)
	if l.Quantity == 0 || l.Quantity > MaxQuantity || l.Quantity < -MaxQuantity {
		v.Add(LineField("line_qty", i), "Enter a quantity other than 0, up to 1,000,000.")
	}
	if l.UnitPrice > MaxUnitPrice || l.UnitPrice < -MaxUnitPrice {
		v.Add(LineField("line_price", i), "Enter a price up to 10,000,000.")
	}
	if l.VATRate < 0 || l.VATRate > MaxRate {
		v.Add(LineField("line_vat", i), "Enter a VAT rate from 0 to 100 %.")
	}
}

// LineInput is one line of a billing form as typed.
type LineInput struct {
	Description, Quantity, Unit, UnitPrice, VATRate string
}

// Blank reports whether the line has no description, unit or price. Forms offer
// a few empty lines, with quantity and VAT rate prefilled, and those are ignored.
func (l LineInput) Blank() bool {
	return strings.TrimSpace(l.Description+l.Unit+l.UnitPrice) == ""
}

// ParseLines reads the typed lines, skipping blank ones. A number that cannot be
// read is an EINVALID error naming its field ("line_qty.2", by the index among
// the inputs), so that a form can show it next to what was typed.
func ParseLines(in []LineInput) ([]Line, error) {
	var v Validator
	var out []Line
	for i, li := range in {
		if li.Blank() {
			continue
		}
		l := Line{Description: strings.TrimSpace(li.Description), Unit: strings.TrimSpace(li.Unit)}
		var ok bool
		if l.Quantity, ok = ParseQuantity(li.Quantity); !ok {
			v.Add(LineField("line_qty", i), "Enter a number with at most 3 decimals, like 1.5.")
		}
		if l.UnitPrice, ok = ParseMoney(li.UnitPrice); !ok {
			v.Add(LineField("line_price", i), "Enter an amount with at most 2 decimals, like 49.90.")
		}
		if l.VATRate, ok = ParseRate(li.VATRate); !ok {
			v.Add(LineField("line_vat", i), "Enter a rate in percent, like 23.")
		}
		validateLine(&v, i, l)
		out = append(out, l)
	}
	return out, v.Err()
}

// Invoice is a bill to a client.
type Invoice struct {
	BillingDoc
	DueDate  Day
	Overdue  bool      // derived when loaded: sent, and the due date has passed
	PaidAt   time.Time // when marked paid
	VoidedAt time.Time
}

// State is the status to show: draft, sent, overdue, paid or void.
func (i *Invoice) State() string {
	if i.Status == InvoiceSent && i.Overdue {
		return InvoiceOverdue
	}
	return i.Status
}

// Validate checks the invoice's fields and lines and returns an EINVALID error
// naming each bad one.
func (i *Invoice) Validate() error {
	var v Validator
	i.validate(&v)
	if i.DueDate.IsZero() {
		v.Add("due_date", "Due date is required.")
	} else if !i.IssueDate.IsZero() && i.DueDate.Before(i.IssueDate) {
		v.Add("due_date", "The due date cannot be before the issue date.")
	}
	return v.Err()
}

// Estimate is a priced offer to a client, which the client may accept or decline
// in the portal.
type Estimate struct {
	BillingDoc
	ValidUntil Day
	Expired    bool              // derived when loaded: sent, and valid-until has passed
	Decision   *EstimateDecision // the client's answer, nil until there is one
}

// State is the status to show: draft, sent, expired, accepted or declined.
func (e *Estimate) State() string {
	if e.Status == EstimateSent && e.Expired {
		return EstimateExpired
	}
	return e.Status
}

// Decidable reports whether the estimate can still be accepted or declined: sent,
// and not expired.
func (e *Estimate) Decidable() bool { return e.Status == EstimateSent && !e.Expired }

// Validate checks the estimate's fields and lines.
func (e *Estimate) Validate() error {
	var v Validator
	e.validate(&v)
	if e.ValidUntil.IsZero() {
		v.Add("valid_until", "Valid until is required.")
	} else if !e.IssueDate.IsZero() && e.ValidUntil.Before(e.IssueDate) {
		v.Add("valid_until", "Valid until cannot be before the issue date.")
	}
	return v.Err()
}

// EstimateDecision is a recorded answer to an estimate: by a portal user in the
// portal, or recorded by staff on the client's behalf (e.g. a "yes" on the phone).
type EstimateDecision struct {
	Decision     string // EstimateAccepted or EstimateDeclined
	Comment      string
	PortalUserID int64  // who decided in the portal; 0 when staff recorded it
	StaffUserID  int64  // who recorded it in the staff app; 0 for a portal decision
	ByName       string // the person's name at the time (a portal user's, or a staff member's)
	ByEmail      string
	At           time.Time
}

// ByStaff reports whether staff recorded the decision. Portal users are shown the
// tenant's team label instead of a staff member's name.
func (d *EstimateDecision) ByStaff() bool { return d.PortalUserID == 0 }
