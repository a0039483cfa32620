package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
)

// ClientImport is one client to import with its sites.
type ClientImport struct {
	Client *domain.Client
	Sites  []*domain.Site
}

// ImportClients adds many clients with their sites at once, in one transaction with
// multi-row inserts — for bringing over the client list of another system (and for
// filling a benchmark). Each client and site gets its id. Needs clients.manage;
// returns EINVALID naming the first bad client or site.
func (view *StaffView) ImportClients(ctx context.Context, cs []ClientImport) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	for _, ci := range cs {
		ci.Client.Normalize()
		if err := ci.Client.Validate(); err != nil {
			return fmt.Errorf("store: import client %q: %w", ci.Client.Name, err)
		}
		for _, x := range ci.Sites {
			x.Normalize()
			if err := x.Validate(); err != nil {
				return fmt.Errorf("store: import site %q of %q: %w", x.Name, ci.Client.Name, err)
			}
		}
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		clients := make([]*domain.Client, len(cs))
		var sites []*domain.Site
		for i, ci := range cs {
			clients[i] = ci.Client
		}
		const clientCols = 16
		err := importRows(ctx, s, tx, `INSERT INTO clients (company_id, name, search_text, company_number, tax_id, vat_id, contact_person,
			email, protocol_email, phone, street, city, postal_code, country, created_at, updated_at) VALUES `, clientCols, len(clients),
			func(i int) []any {
				c := clients[i]
				c.CompanyID, c.CreatedAt, c.UpdatedAt = staff.CompanyID(), now, now
				return []any{c.CompanyID, c.Name, clientSearchText(c), c.CompanyNumber, c.TaxID, c.VATID, c.ContactPerson,
					c.Email, c.ProtocolEmail, c.Phone, c.Street, c.City, c.PostalCode, c.Country, micros(now), micros(now)}
			},
			func(i int, id int64) { clients[i].ID = id })
		if err != nil {
			return fmt.Errorf("store: import clients: %w", err)
		}
		for _, ci := range cs {
			for _, x := range ci.Sites {
				x.CompanyID, x.ClientID = staff.CompanyID(), ci.Client.ID
				sites = append(sites, x)
			}
		}
		err = importRows(ctx, s, tx, `INSERT INTO sites (company_id, client_id, name, street, city, postal_code, country,
			contact_person, phone, email, opening_hours, note, created_at) VALUES `, 13, len(sites),
			func(i int) []any {
				x := sites[i]
				return []any{x.CompanyID, x.ClientID, x.Name, x.Street, x.City, x.PostalCode, x.Country, x.ContactPerson, x.Phone, x.Email,
					x.OpeningHours, x.Note, micros(now)}
			},
			func(i int, id int64) { sites[i].ID = id })
		if err != nil {
			return fmt.Errorf("store: import sites: %w", err)
		}
		return s.audit(ctx, tx, staff, "client.import", fmt.Sprintf("%d clients, %d sites", len(clients), len(sites)))
	})
}

// importRows inserts n rows of cols values each in multi-row INSERTs of at most
// importBatch rows, and hands each row's new id to setID. Within one statement
// both engines take ids in the order the rows are given (SQLite's single writer,
// PostgreSQL's identity sequence called row by row), so the returned ids sorted
// ascending are the rows' ids in order.
func importRows(ctx context.Context, s *Store, tx *sql.Tx, insert string, cols, n int, row func(i int) []any, setID func(i int, id int64)) error {
	ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	for start := 0; start < n; start += importBatch {
		end := min(start+importBatch, n)
		var b strings.Builder
		b.WriteString(insert)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteString(ph)
			args = append(args, row(i)...)
		}
		b.WriteString(" RETURNING id")
		rows, err := tx.QueryContext(ctx, s.q(b.String()), args...)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, end-start)
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) != end-start {
			return fmt.Errorf("inserted %d rows, got %d ids", end-start, len(ids))
		}
		slices.Sort(ids)
		for i, id := range ids {
			setID(start+i, id)
		}
	}
	return nil
}
