package store

import (
	"context"
	"database/sql"
	"fmt"

	"portico/internal/access"
	"portico/internal/domain"
)

const contactColumns = `id, company_id, client_id, first_name, last_name, email, phone, position`

func scanContact(row interface{ Scan(...any) error }) (*domain.Contact, error) {
	var c domain.Contact
	err := row.Scan(&c.ID, &c.CompanyID, &c.ClientID, &c.FirstName, &c.LastName, &c.Email, &c.Phone, &c.Position)
	return &c, err
}

// Contacts lists the contacts of the client by last and first name; an empty list
// for a client of another company.
func (view *StaffView) Contacts(ctx context.Context, clientID int64) ([]*domain.Contact, error) {
	s, staff := view.s, view.staff
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+contactColumns+` FROM contacts WHERE company_id = ? AND client_id = ?
		ORDER BY last_name, first_name, id`), staff.CompanyID(), clientID)
	if err != nil {
		return nil, fmt.Errorf("store: contacts: %w", err)
	}
	defer rows.Close()
	var out []*domain.Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Contact returns contact id of client clientID, or ENOTFOUND.
func (view *StaffView) Contact(ctx context.Context, clientID, id int64) (*domain.Contact, error) {
	s, staff := view.s, view.staff
	c, err := scanContact(s.db.QueryRowContext(ctx, s.q(`SELECT `+contactColumns+` FROM contacts
		WHERE company_id = ? AND client_id = ? AND id = ?`), staff.CompanyID(), clientID, id))
	return c, notFound(err, "Contact not found.")
}

// CreateContact adds a contact to client c.ClientID. It needs clients.manage and
// returns ENOTFOUND if the client is not in the company.
func (view *StaffView) CreateContact(ctx context.Context, c *domain.Contact) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.clientExists(ctx, tx, staff, c.ClientID); err != nil {
			return err
		}
		c.CompanyID = staff.CompanyID()
		id, err := s.insert(ctx, tx, `INSERT INTO contacts (company_id, client_id, first_name, last_name, email, phone, position, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.CompanyID, c.ClientID, c.FirstName, c.LastName, c.Email, c.Phone, c.Position, micros(s.Now()))
		if err != nil {
			return fmt.Errorf("store: create contact: %w", err)
		}
		c.ID = id
		return s.audit(ctx, tx, staff, "contact.create", "Contact "+c.Name())
	})
}

// UpdateContact replaces the fields of contact c.ID of client c.ClientID.
func (view *StaffView) UpdateContact(ctx context.Context, c *domain.Contact) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE contacts SET first_name = ?, last_name = ?, email = ?, phone = ?, position = ?
			WHERE company_id = ? AND client_id = ? AND id = ?`), c.FirstName, c.LastName, c.Email, c.Phone, c.Position, staff.CompanyID(), c.ClientID, c.ID)
		if err := mustAffect(res, err, "Contact not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "contact.update", "Contact "+c.Name())
	})
}

// DeleteContact deletes contact id of client clientID; portal accounts invited
// through it keep their access.
func (view *StaffView) DeleteContact(ctx context.Context, clientID, id int64) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		// A portal account invited through the contact keeps its access; it is just
		// no longer linked to the contact.
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE portal_grants SET contact_id = NULL WHERE company_id = ? AND client_id = ? AND contact_id = ?`),
			staff.CompanyID(), clientID, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM contacts WHERE company_id = ? AND client_id = ? AND id = ?`), staff.CompanyID(), clientID, id)
		if err := mustAffect(res, err, "Contact not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "contact.delete", fmt.Sprintf("Contact #%d", id))
	})
}

// clientExists returns ENOTFOUND unless the client is in the staff member's company.
func (s *Store) clientExists(ctx context.Context, tx *sql.Tx, staff access.Staff, clientID int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM clients WHERE company_id = ? AND id = ?`), staff.CompanyID(), clientID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "Client not found.")
	}
	return nil
}
