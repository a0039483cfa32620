package domain

import (
	"strconv"
	"strings"
	"time"
)

// Material is an entry of a tenant's catalogue of materials used on the job:
// baits, biocides, disinfectants. Safety data sheets hang off it as documents.
type Material struct {
	ID              int64
	CompanyID       int64
	Name            string
	Manufacturer    string
	ActiveSubstance string
	Unit            string // the usual unit, e.g. "g", "ml", "pcs"
	CreatedAt       time.Time
	UpdatedAt       time.Time

	DocumentCount int // filled by list queries
}

// Validate checks a material's fields.
func (m *Material) Validate() error {
	var v Validator
	v.Required("name", m.Name, "Name")
	v.MaxLen("name", m.Name, 200)
	v.MaxLen("manufacturer", m.Manufacturer, 200)
	v.MaxLen("active_substance", m.ActiveSubstance, 200)
	v.MaxLen("unit", m.Unit, 20)
	return v.Err()
}

// Normalize trims every field.
func (m *Material) Normalize() {
	for _, p := range []*string{&m.Name, &m.Manufacturer, &m.ActiveSubstance, &m.Unit} {
		*p = strings.TrimSpace(*p)
	}
}

// Protocol statuses. Only completed protocols ever reach the portal.
const (
	ProtocolDraft     = "draft"
	ProtocolCompleted = "completed"
)

// ServiceTypes are the service types the protocol form suggests; any other text
// is allowed too.
var ServiceTypes = []string{"Pest control", "Rodent control", "Insect control", "Disinfection",
	"Monitoring inspection", "Bird control", "Cleaning", "Electrical inspection", "HVAC service"}

// Protocol is a service report: work done at a client's site by a technician.
type Protocol struct {
	ID              int64
	CompanyID       int64
	Number          int64 // sequential per tenant, given when the protocol is created
	ClientID        int64
	SiteID          int64
	PerformedAt     time.Time
	TechnicianID    int64 // a staff user; 0 when not set
	ServiceType     string
	Findings        string
	Recommendations string
	Status          string
	CompletedAt     time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Materials       []ProtocolMaterial // filled by detail queries

	// Names, filled by list and detail queries. TechnicianName is for staff
	// only: the portal never shows staff names.
	ClientName     string
	SiteName       string
	SiteCity       string
	TechnicianName string
}

// Completed reports whether the protocol is final.
func (p *Protocol) Completed() bool { return p.Status == ProtocolCompleted }

// ProtocolMaterial is one line of a protocol's materials table.
type ProtocolMaterial struct {
	MaterialID      int64
	MaterialName    string // filled by queries
	ActiveSubstance string // filled by queries
	Quantity        float64
	Unit            string
	Location        string // where it was applied
}

// QuantityLabel is the quantity without trailing zeros, with its unit: "1.5 l".
func (m ProtocolMaterial) QuantityLabel() string {
	return strings.TrimSpace(strconv.FormatFloat(m.Quantity, 'f', -1, 64) + " " + m.Unit)
}

// Validate checks a protocol's own fields (the store checks that the site,
// technician and materials exist in the tenant).
func (p *Protocol) Validate() error {
	var v Validator
	if p.ClientID == 0 {
		v.Add("client_id", "Choose a client.")
	}
	if p.SiteID == 0 {
		v.Add("site_id", "Choose the site where the work was done.")
	}
	if p.PerformedAt.IsZero() {
		v.Add("performed_at", "Enter the date and time the work was done.")
	}
	v.Required("service_type", p.ServiceType, "Service type")
	v.MaxLen("service_type", p.ServiceType, 100)
	v.MaxLen("findings", p.Findings, 5000)
	v.MaxLen("recommendations", p.Recommendations, 5000)
	if len(p.Materials) > 50 {
		v.Add("materials", "Use at most 50 material lines.")
	}
	for _, m := range p.Materials {
		if !(m.Quantity >= 0 && m.Quantity <= 1e9) { // NaN too
			v.Add("materials", "Quantities must be between 0 and 1,000,000,000.")
		}
		if len([]rune(m.Unit)) > 20 || len([]rune(m.Location)) > 200 {
			v.Add("materials", "Units have at most 20 characters, places at most 200.")
		}
	}
	return v.Err()
}

// Normalize trims the protocol's text fields.
func (p *Protocol) Normalize() {
	for _, s := range []*string{&p.ServiceType, &p.Findings, &p.Recommendations} {
		*s = strings.TrimSpace(*s)
	}
	for i := range p.Materials {
		p.Materials[i].Unit = strings.TrimSpace(p.Materials[i].Unit)
		p.Materials[i].Location = strings.TrimSpace(p.Materials[i].Location)
	}
}
