package domain

import (
	"strings"
	"time"
)

// Client is a customer company of a tenant.
type Client struct {
	ID            int64
	CompanyID     int64
	Name          string
	CompanyNumber string // registration number (IČO)
	TaxID         string // DIČ
	VATID         string // IČ DPH
	ContactPerson string
	Email         string // main email
	ProtocolEmail string // where protocols are sent, if different
	Phone         string
	Street        string // billing address
	City          string
	PostalCode    string
	Country       string
	Archived      bool
	CreatedAt     time.Time
	UpdatedAt     time.Time

	// Counts, filled by list and detail queries.
	SiteCount    int
	ContactCount int
	ProjectCount int
}

// Validate checks a client's fields — each one text (CleanText), the name
// given, lengths, email addresses — and returns an EINVALID error naming each
// bad one. The staff forms and the API both rely on it.
func (c *Client) Validate() error {
	var v Validator
	for _, f := range []struct{ name, val string }{
		{"name", c.Name}, {"company_number", c.CompanyNumber}, {"tax_id", c.TaxID}, {"vat_id", c.VATID},
		{"contact_person", c.ContactPerson}, {"email", c.Email}, {"protocol_email", c.ProtocolEmail}, {"phone", c.Phone},
		{"street", c.Street}, {"city", c.City}, {"postal_code", c.PostalCode}, {"country", c.Country},
	} {
		v.Text(f.name, f.val)
	}
	v.Required("name", c.Name, "Name")
	v.MaxLen("name", c.Name, 200)
	for _, f := range []struct{ name, val string }{
		{"company_number", c.CompanyNumber}, {"tax_id", c.TaxID}, {"vat_id", c.VATID},
		{"phone", c.Phone}, {"postal_code", c.PostalCode},
	} {
		v.MaxLen(f.name, f.val, 40)
	}
	for _, f := range []struct{ name, val string }{
		{"contact_person", c.ContactPerson}, {"street", c.Street}, {"city", c.City}, {"country", c.Country},
	} {
		v.MaxLen(f.name, f.val, 200)
	}
	v.Email("email", c.Email)
	v.Email("protocol_email", c.ProtocolEmail)
	return v.Err()
}

// Normalize trims every field and lower-cases email addresses.
func (c *Client) Normalize() {
	for _, p := range []*string{&c.Name, &c.CompanyNumber, &c.TaxID, &c.VATID, &c.ContactPerson,
		&c.Phone, &c.Street, &c.City, &c.PostalCode, &c.Country} {
		*p = strings.TrimSpace(*p)
	}
	c.Email = NormalizeEmail(c.Email)
	c.ProtocolEmail = NormalizeEmail(c.ProtocolEmail)
}

// Contact is a person at a client.
type Contact struct {
	ID        int64
	CompanyID int64
	ClientID  int64
	FirstName string
	LastName  string
	Email     string
	Phone     string
	Position  string
}

// Name is the contact's full name.
func (c *Contact) Name() string { return strings.TrimSpace(c.FirstName + " " + c.LastName) }

// Validate checks a contact's fields (text, names given, lengths, email) and
// returns an EINVALID error naming each bad one.
func (c *Contact) Validate() error {
	var v Validator
	for _, f := range []struct{ name, val string }{
		{"first_name", c.FirstName}, {"last_name", c.LastName}, {"email", c.Email}, {"phone", c.Phone}, {"position", c.Position},
	} {
		v.Text(f.name, f.val)
	}
	v.Required("first_name", c.FirstName, "First name")
	v.Required("last_name", c.LastName, "Last name")
	v.MaxLen("first_name", c.FirstName, 100)
	v.MaxLen("last_name", c.LastName, 100)
	v.Email("email", c.Email)
	v.MaxLen("phone", c.Phone, 40)
	v.MaxLen("position", c.Position, 100)
	return v.Err()
}

// Normalize trims every field and lower-cases the email address.
func (c *Contact) Normalize() {
	for _, p := range []*string{&c.FirstName, &c.LastName, &c.Phone, &c.Position} {
		*p = strings.TrimSpace(*p)
	}
	c.Email = NormalizeEmail(c.Email)
}

// Site is a place of a client where work is done.
type Site struct {
	ID            int64
	CompanyID     int64
	ClientID      int64
	Name          string
	Street        string
	City          string
	PostalCode    string
	Country       string
	ContactPerson string
	Phone         string
	Email         string
	OpeningHours  string
	Note          string
}

// Address is the site's one-line postal address.
func (s *Site) Address() string {
	var parts []string
	if s.Street != "" {
		parts = append(parts, s.Street)
	}
	if city := strings.TrimSpace(s.PostalCode + " " + s.City); city != "" {
		parts = append(parts, city)
	}
	if s.Country != "" {
		parts = append(parts, s.Country)
	}
	return strings.Join(parts, ", ")
}

// Validate checks a site's fields.
func (s *Site) Validate() error {
	var v Validator
	v.Required("name", s.Name, "Name")
	v.MaxLen("name", s.Name, 200)
	v.MaxLen("street", s.Street, 200)
	v.Required("city", s.City, "City")
	v.MaxLen("city", s.City, 100)
	v.MaxLen("postal_code", s.PostalCode, 20)
	v.MaxLen("country", s.Country, 100)
	v.MaxLen("contact_person", s.ContactPerson, 200)
	v.MaxLen("phone", s.Phone, 40)
	v.Email("email", s.Email)
	v.MaxLen("opening_hours", s.OpeningHours, 500)
	v.MaxLen("note", s.Note, 2000)
	return v.Err()
}

// Normalize trims every field and lower-cases the email address.
func (s *Site) Normalize() {
	for _, p := range []*string{&s.Name, &s.Street, &s.City, &s.PostalCode, &s.Country,
		&s.ContactPerson, &s.Phone, &s.OpeningHours, &s.Note} {
		*p = strings.TrimSpace(*p)
	}
	s.Email = NormalizeEmail(s.Email)
}

// Project statuses.
const (
	ProjectActive   = "active"
	ProjectFinished = "finished"
)

// Project is a piece of work for a client, optionally at one of its sites.
type Project struct {
	ID        int64
	CompanyID int64
	ClientID  int64
	SiteID    int64 // 0 when the project is not tied to a site
	SiteName  string
	Name      string
	Status    string
	CreatedAt time.Time
}

// Validate checks a project's fields.
func (p *Project) Validate() error {
	var v Validator
	v.Required("name", p.Name, "Name")
	v.MaxLen("name", p.Name, 200)
	v.OneOf("status", p.Status, ProjectActive, ProjectFinished)
	return v.Err()
}

// Normalize trims the project's name.
func (p *Project) Normalize() { p.Name = strings.TrimSpace(p.Name) }
