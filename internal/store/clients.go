package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

const clientColumns = `c.id, c.company_id, c.name, c.company_number, c.tax_id, c.vat_id, c.contact_person,
	c.email, c.protocol_email, c.phone, c.street, c.city, c.postal_code, c.country, c.archived_at, c.created_at, c.updated_at,
	(SELECT COUNT(*) FROM sites x WHERE x.company_id = c.company_id AND x.client_id = c.id),
	(SELECT COUNT(*) FROM contacts x WHERE x.company_id = c.company_id AND x.client_id = c.id),
	(SELECT COUNT(*) FROM projects x WHERE x.company_id = c.company_id AND x.client_id = c.id)`

func scanClient(row interface{ Scan(...any) error }) (*domain.Client, error) {
	var c domain.Client
	var archived sql.NullInt64
	var created, updated int64
	err := row.Scan(&c.ID, &c.CompanyID, &c.Name, &c.CompanyNumber, &c.TaxID, &c.VATID, &c.ContactPerson,
		&c.Email, &c.ProtocolEmail, &c.Phone, &c.Street, &c.City, &c.PostalCode, &c.Country, &archived, &created, &updated,
		&c.SiteCount, &c.ContactCount, &c.ProjectCount)
	if err != nil {
		return nil, err
	}
	c.Archived = archived.Valid
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

func clientSearchText(c *domain.Client) string {
	return fold(strings.Join([]string{c.Name, c.CompanyNumber, c.ContactPerson, c.Email, c.City}, " "))
}

// ClientFilter narrows the client list.
type ClientFilter struct {
	Query    string // matches name, company ID, contact person, email or city, ignoring case and accents
	Archived bool   // list archived clients instead of active ones
	domain.ListOptions
}

// clientOrder is the order of the client list: by name.
var clientOrder = keyOrder{cols: []string{"c.name", "c.id"}, kinds: []keyKind{keyText, keyInt}}

// Clients lists one page of the staff member's company's clients by name; a
// keyset page (f.Keyset) is not counted.
func (view *StaffView) Clients(ctx context.Context, f ClientFilter) ([]*domain.Client, domain.PageInfo, error) {
	s, staff := view.s, view.staff
	opts := f.ListOptions.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	archived := expr("c.archived_at IS NULL")
	if f.Archived {
		archived = expr("c.archived_at IS NOT NULL")
	}
	after, err := clientOrder.after(opts)
	if err != nil {
		return nil, info, err
	}
	base := and(eq("c.company_id", staff.CompanyID()), archived, contains("c.search_text", f.Query))
	where, args := base.where()
	if !opts.Keyset {
		if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM clients c WHERE `+where), args...).Scan(&info.Total); err != nil {
			return nil, info, fmt.Errorf("store: count clients: %w", err)
		}
	}
	afterSQL, afterArgs := and(base, after).where()
	limit, offset := clientOrder.limit(opts)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+clientColumns+` FROM clients c WHERE `+afterSQL+
		` ORDER BY `+clientOrder.orderBy()+` LIMIT ? OFFSET ?`), append(afterArgs, limit, offset)...)
	if err != nil {
		return nil, info, fmt.Errorf("store: clients: %w", err)
	}
	defer rows.Close()
	var out []*domain.Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, info, err
		}
		out = append(out, c)
	}
	out = trim(opts, out, &info, func(c *domain.Client) []any { return []any{c.Name, c.ID} })
	return out, info, rows.Err()
}

// Client returns the client id of the staff member's company, or ENOTFOUND — a
// client of another company is missing.
func (view *StaffView) Client(ctx context.Context, id int64) (*domain.Client, error) {
	s, staff := view.s, view.staff
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+clientColumns+` FROM clients c WHERE c.company_id = ? AND c.id = ?`), staff.CompanyID(), id)
	c, err := scanClient(row)
	return c, notFound(err, "Client not found.")
}

// CreateClient adds a client to the staff member's company. It needs clients.manage
// and returns EINVALID naming each bad field.
func (view *StaffView) CreateClient(ctx context.Context, c *domain.Client) error {
	return view.CreateClientWithContact(ctx, c, nil)
}

// CreateClientWithContact adds a client and, when first is not nil, its first
// contact, in one transaction: both are made or neither. The contact's errors
// are the contact form's field names prefixed with "contact_".
func (view *StaffView) CreateClientWithContact(ctx context.Context, c *domain.Client, first *domain.Contact) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	c.Normalize()
	err := c.Validate()
	if first != nil {
		first.Normalize()
		if cerr := first.Validate(); cerr != nil {
			fields := map[string]string{}
			for k, v := range domain.FieldErrors(err) {
				fields[k] = v
			}
			for k, v := range domain.FieldErrors(cerr) {
				fields["contact_"+k] = v
			}
			err = &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.", Fields: fields}
		}
	}
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		c.CompanyID, c.CreatedAt, c.UpdatedAt = staff.CompanyID(), now, now
		id, err := s.insert(ctx, tx, `INSERT INTO clients (company_id, name, search_text, company_number, tax_id, vat_id, contact_person,
			email, protocol_email, phone, street, city, postal_code, country, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.CompanyID, c.Name, clientSearchText(c), c.CompanyNumber, c.TaxID, c.VATID, c.ContactPerson,
			c.Email, c.ProtocolEmail, c.Phone, c.Street, c.City, c.PostalCode, c.Country, micros(now), micros(now))
		if err != nil {
			return fmt.Errorf("store: create client: %w", err)
		}
		c.ID = id
		if err := s.audit(ctx, tx, staff, "client.create", "Client "+c.Name); err != nil {
			return err
		}
		if first == nil {
			return nil
		}
		first.CompanyID, first.ClientID = c.CompanyID, c.ID
		cid, err := s.insert(ctx, tx, `INSERT INTO contacts (company_id, client_id, first_name, last_name, email, phone, position, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, first.CompanyID, first.ClientID, first.FirstName, first.LastName, first.Email, first.Phone, first.Position, micros(now))
		if err != nil {
			return fmt.Errorf("store: create contact: %w", err)
		}
		first.ID = cid
		return s.audit(ctx, tx, staff, "contact.create", "Contact "+first.Name())
	})
}

// UpdateClient replaces the editable fields of client c.ID. It needs clients.manage
// and returns ENOTFOUND for a client of another company.
func (view *StaffView) UpdateClient(ctx context.Context, c *domain.Client) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		c.UpdatedAt = s.Now()
		res, err := tx.ExecContext(ctx, s.q(`UPDATE clients SET name = ?, search_text = ?, company_number = ?, tax_id = ?, vat_id = ?,
			contact_person = ?, email = ?, protocol_email = ?, phone = ?, street = ?, city = ?, postal_code = ?, country = ?, updated_at = ?
			WHERE company_id = ? AND id = ?`),
			c.Name, clientSearchText(c), c.CompanyNumber, c.TaxID, c.VATID, c.ContactPerson, c.Email, c.ProtocolEmail,
			c.Phone, c.Street, c.City, c.PostalCode, c.Country, micros(c.UpdatedAt), staff.CompanyID(), c.ID)
		if err := mustAffect(res, err, "Client not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "client.update", "Client "+c.Name)
	})
}

// ArchiveClient archives (or, with archived false, restores) the client. Archived
// clients leave the default list but keep all their data.
func (view *StaffView) ArchiveClient(ctx context.Context, id int64, archived bool) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var at sql.NullInt64
		action := "client.restore"
		if archived {
			at, action = sql.NullInt64{Int64: micros(s.Now()), Valid: true}, "client.archive"
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE clients SET archived_at = ? WHERE company_id = ? AND id = ?`), at, staff.CompanyID(), id)
		if err := mustAffect(res, err, "Client not found."); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, action, fmt.Sprintf("Client #%d", id))
	})
}

// DeleteClient deletes a client and its contacts. It refuses with ECONFLICT while
// the client still has sites, projects or portal users, and suggests archiving
// instead.
func (view *StaffView) DeleteClient(ctx context.Context, id int64) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		c, err := scanClient(tx.QueryRowContext(ctx, s.q(`SELECT `+clientColumns+` FROM clients c WHERE c.company_id = ? AND c.id = ?`), staff.CompanyID(), id))
		if err != nil {
			return notFound(err, "Client not found.")
		}
		var still []string
		if c.SiteCount > 0 {
			still = append(still, plural(c.SiteCount, "site", "sites"))
		}
		if c.ProjectCount > 0 {
			still = append(still, plural(c.ProjectCount, "project", "projects"))
		}
		var portal int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM portal_grants WHERE company_id = ? AND client_id = ?`), staff.CompanyID(), id).Scan(&portal); err != nil {
			return err
		}
		if portal > 0 {
			still = append(still, plural(portal, "portal user", "portal users"))
		}
		if docs, err := s.clientDocuments(ctx, tx, staff.CompanyID(), id); err != nil {
			return err
		} else if docs > 0 {
			still = append(still, plural(docs, "document", "documents"))
		}
		if refs, err := s.billingRefs(ctx, tx, staff.CompanyID(), id, 0); err != nil {
			return err
		} else if refs != "" {
			still = append(still, refs)
		}
		if len(still) > 0 {
			return domain.Errorf(domain.ECONFLICT, "%s still has %s. Delete or disconnect those first, or archive the client instead — archiving keeps its history.",
				c.Name, joinAnd(still))
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM contacts WHERE company_id = ? AND client_id = ?`), staff.CompanyID(), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM clients WHERE company_id = ? AND id = ?`), staff.CompanyID(), id); err != nil {
			return fmt.Errorf("store: delete client: %w", err)
		}
		return s.audit(ctx, tx, staff, "client.delete", "Client "+c.Name)
	})
}

// mustAffect turns an Exec result that touched no row into ENOTFOUND with msg.
func mustAffect(res sql.Result, err error, msg string) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "%s", msg)
	}
	return nil
}

// joinAnd joins items as "a, b and c".
func joinAnd(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
