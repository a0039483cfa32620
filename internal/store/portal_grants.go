package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"portico/internal/domain"
)

// This file holds the data steps of the portal-user use cases (inviting, adding,
// changing access, disconnecting, resetting): methods of StaffTx, each inside the
// staff member's tenant.

// LockedClient is a client of the tenant whose row the transaction has locked
// (PostgreSQL) or whose database it writes alone (SQLite), so that a count of its
// portal users stays true until the transaction ends. Only LockClient makes one,
// and granting access to a client needs one: the limit on portal users per client
// cannot be checked without the lock.
type LockedClient struct {
	client *domain.Client
}

// Client is the locked client as read under the lock.
func (c LockedClient) Client() *domain.Client { return c.client }

// LockClient reads the tenant's client and holds it until the end of the
// transaction, so that checks on its portal users serialize. ENOTFOUND for a
// client of another tenant or none.
func (t *StaffTx) LockClient(ctx context.Context, clientID int64) (LockedClient, error) {
	s := t.s
	c, err := scanClient(t.tx.QueryRowContext(ctx, s.q(`SELECT `+clientColumns+` FROM clients c WHERE c.company_id = ? AND c.id = ?`+s.dialect.forUpdate),
		t.staff.CompanyID(), clientID))
	if err != nil {
		return LockedClient{}, notFound(err, "Client not found.")
	}
	return LockedClient{client: c}, nil
}

// CountPortalUsers returns how many portal users have access to the locked client.
func (t *StaffTx) CountPortalUsers(ctx context.Context, c LockedClient) (int, error) {
	if c.client == nil {
		return 0, errors.New("store: count portal users: the client is not locked")
	}
	var n int
	err := t.tx.QueryRowContext(ctx, t.s.q(`SELECT COUNT(*) FROM portal_grants WHERE company_id = ? AND client_id = ?`),
		t.staff.CompanyID(), c.client.ID).Scan(&n)
	return n, err
}

// InsertGrant gives the portal user access to all sites of the locked client,
// linked to the client's contact contactID (0: none).
func (t *StaffTx) InsertGrant(ctx context.Context, c LockedClient, userID, contactID int64) error {
	if c.client == nil {
		return errors.New("store: grant: the client is not locked")
	}
	_, err := t.tx.ExecContext(ctx, t.s.q(`INSERT INTO portal_grants (company_id, portal_user_id, client_id, contact_id, created_at) VALUES (?, ?, ?, ?, ?)`),
		t.staff.CompanyID(), userID, c.client.ID, nullID(contactID), micros(t.s.Now()))
	if err != nil {
		return fmt.Errorf("store: grant: %w", err)
	}
	return nil
}

// HasGrant reports whether the portal user has access to the client.
func (t *StaffTx) HasGrant(ctx context.Context, userID, clientID int64) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, t.s.q(`SELECT COUNT(*) FROM portal_grants WHERE company_id = ? AND portal_user_id = ? AND client_id = ?`),
		t.staff.CompanyID(), userID, clientID).Scan(&n)
	return n > 0, err
}

// GrantedClients lists the clients the portal user has access to, by id.
func (t *StaffTx) GrantedClients(ctx context.Context, userID int64) ([]int64, error) {
	return t.s.grantedClients(ctx, t.tx, t.staff.CompanyID(), userID)
}

// LinkGrantContact links the portal user's access to the client to the client's
// contact, as an invitation from the Contacts tab does.
func (t *StaffTx) LinkGrantContact(ctx context.Context, userID, clientID, contactID int64) error {
	_, err := t.tx.ExecContext(ctx, t.s.q(`UPDATE portal_grants SET contact_id = ? WHERE company_id = ? AND portal_user_id = ? AND client_id = ?`),
		contactID, t.staff.CompanyID(), userID, clientID)
	return err
}

// SetInviteMail records the outbox row of the latest invitation for the portal
// user's access to the client, for the delivery state on the client's page.
func (t *StaffTx) SetInviteMail(ctx context.Context, userID, clientID, mailID int64) error {
	_, err := t.tx.ExecContext(ctx, t.s.q(`UPDATE portal_grants SET invite_outbox_id = ? WHERE company_id = ? AND portal_user_id = ? AND client_id = ?`),
		mailID, t.staff.CompanyID(), userID, clientID)
	return err
}

// DeleteGrant removes the portal user's access to the client, with its site and
// switch restrictions. ENOTFOUND when the user had no access to it.
func (t *StaffTx) DeleteGrant(ctx context.Context, userID, clientID int64) error {
	res, err := t.tx.ExecContext(ctx, t.s.q(`DELETE FROM portal_grants WHERE company_id = ? AND portal_user_id = ? AND client_id = ?`),
		t.staff.CompanyID(), userID, clientID)
	return mustAffect(res, err, "Portal user not found.")
}

// Contact returns the contact of the tenant's client, or ENOTFOUND.
func (t *StaffTx) Contact(ctx context.Context, clientID, contactID int64) (*domain.Contact, error) {
	c, err := scanContact(t.tx.QueryRowContext(ctx, t.s.q(`SELECT `+contactColumns+` FROM contacts
		WHERE company_id = ? AND client_id = ? AND id = ?`), t.staff.CompanyID(), clientID, contactID))
	return c, notFound(err, "Contact not found.")
}

// PortalUser returns the tenant's portal user with grants, as the transaction
// sees it, or ENOTFOUND.
func (t *StaffTx) PortalUser(ctx context.Context, userID int64) (*domain.PortalUser, error) {
	return t.s.portalUser(ctx, t.tx, t.staff.CompanyID(), userID)
}

// PortalUserByEmail returns the tenant's portal user with the normalized email,
// without grants, or ENOTFOUND.
func (t *StaffTx) PortalUserByEmail(ctx context.Context, email string) (*domain.PortalUser, error) {
	return t.s.portalUserByEmail(ctx, t.tx, t.staff.CompanyID(), email)
}

// InsertPortalUser adds a portal account without a password to the tenant and
// sets u's id, company and creation time. ECONFLICT when someone else has just
// added the same email.
func (t *StaffTx) InsertPortalUser(ctx context.Context, u *domain.PortalUser) error {
	u.CompanyID = t.staff.CompanyID()
	u.CreatedAt = t.s.Now()
	id, err := t.s.insert(ctx, t.tx, `INSERT INTO portal_users (company_id, email, first_name, last_name, created_at) VALUES (?, ?, ?, ?, ?)`,
		u.CompanyID, u.Email, u.FirstName, u.LastName, micros(u.CreatedAt))
	if err != nil {
		if isUniqueViolation(err) {
			return domain.Errorf(domain.ECONFLICT, "Someone else just added %s. Please try again.", u.Email)
		}
		return fmt.Errorf("store: create portal user: %w", err)
	}
	u.ID = id
	return nil
}

// SetPortalUserName changes the portal user's name.
func (t *StaffTx) SetPortalUserName(ctx context.Context, userID int64, first, last string) error {
	_, err := t.tx.ExecContext(ctx, t.s.q(`UPDATE portal_users SET first_name = ?, last_name = ? WHERE company_id = ? AND id = ?`),
		first, last, t.staff.CompanyID(), userID)
	return err
}

// DeletePortalUser deletes the portal account with its grants, sessions and links,
// withdraws the mail still queued for it, and records in the audit log, in the
// same transaction, whose account it was, why it went (why, e.g. "no client
// left"), who deleted it and when — after this the entry is all that is left of
// it. ENOTFOUND when the tenant has no such user.
func (t *StaffTx) DeletePortalUser(ctx context.Context, userID int64, why string) error {
	s, companyID := t.s, t.staff.CompanyID()
	var email string
	err := t.tx.QueryRowContext(ctx, s.q(`SELECT email FROM portal_users WHERE company_id = ? AND id = ?`), companyID, userID).Scan(&email)
	if err != nil {
		return notFound(err, "Portal user not found.")
	}
	for _, q := range []string{
		`DELETE FROM sessions WHERE company_id = ? AND portal_user_id = ?`,
		`DELETE FROM one_time_tokens WHERE company_id = ? AND portal_user_id = ?`,
		`DELETE FROM recovery_codes WHERE company_id = ? AND portal_user_id = ?`,
		`DELETE FROM portal_site_grants WHERE company_id = ? AND portal_user_id = ?`,
		`DELETE FROM portal_grants WHERE company_id = ? AND portal_user_id = ?`,
	} {
		if _, err := t.tx.ExecContext(ctx, s.q(q), companyID, userID); err != nil {
			return err
		}
	}
	if err := s.CancelMailTo(ctx, t.tx, companyID, userID); err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, s.q(`DELETE FROM portal_users WHERE company_id = ? AND id = ?`), companyID, userID); err != nil {
		return fmt.Errorf("store: delete portal user %d: %w", userID, err)
	}
	subject := email
	if why != "" {
		subject += " (" + why + ")"
	}
	return t.Audit(ctx, "portal.user.delete", subject)
}

// SiteClient returns the client of the tenant's site, or ENOTFOUND.
func (t *StaffTx) SiteClient(ctx context.Context, siteID int64) (int64, error) {
	var clientID int64
	err := t.tx.QueryRowContext(ctx, t.s.q(`SELECT client_id FROM sites WHERE company_id = ? AND id = ?`), t.staff.CompanyID(), siteID).Scan(&clientID)
	return clientID, notFound(err, "Site not found.")
}

// SetSiteGrants restricts the portal user, per client, to the sites: a client
// none of whose sites is listed keeps all of them. The sites must be distinct
// sites of clients the user has access to.
func (t *StaffTx) SetSiteGrants(ctx context.Context, userID int64, siteIDs []int64) error {
	s, companyID := t.s, t.staff.CompanyID()
	if _, err := t.tx.ExecContext(ctx, s.q(`DELETE FROM portal_site_grants WHERE company_id = ? AND portal_user_id = ?`), companyID, userID); err != nil {
		return err
	}
	for _, siteID := range siteIDs {
		if _, err := t.tx.ExecContext(ctx, s.q(`INSERT INTO portal_site_grants (company_id, portal_user_id, client_id, site_id)
			SELECT company_id, ?, client_id, id FROM sites WHERE company_id = ? AND id = ?`), userID, companyID, siteID); err != nil {
			return fmt.Errorf("store: site grant: %w", err)
		}
	}
	return nil
}

// SwitchClient returns the client of the tenant's switch, or ENOTFOUND.
func (t *StaffTx) SwitchClient(ctx context.Context, switchID int64) (int64, error) {
	var clientID int64
	err := t.tx.QueryRowContext(ctx, t.s.q(`SELECT client_id FROM switches WHERE company_id = ? AND id = ?`), t.staff.CompanyID(), switchID).Scan(&clientID)
	return clientID, notFound(err, "Switch not found.")
}

// SwitchGrants lists the switches the portal user's access is narrowed to, by id;
// empty means every switch of every client.
func (t *StaffTx) SwitchGrants(ctx context.Context, userID int64) ([]int64, error) {
	return t.s.switchGrants(ctx, t.tx, t.staff.CompanyID(), userID)
}

// SetSwitchGrants narrows the portal user's access, per client, to the switches:
// a client none of whose switches is listed keeps all of them. The switches must
// be distinct switches of clients the user has access to.
func (t *StaffTx) SetSwitchGrants(ctx context.Context, userID int64, switchIDs []int64) error {
	s, companyID := t.s, t.staff.CompanyID()
	if _, err := t.tx.ExecContext(ctx, s.q(`DELETE FROM portal_switch_grants WHERE company_id = ? AND portal_user_id = ?`), companyID, userID); err != nil {
		return err
	}
	for _, id := range switchIDs {
		if _, err := t.tx.ExecContext(ctx, s.q(`INSERT INTO portal_switch_grants (company_id, portal_user_id, client_id, switch_id)
			SELECT company_id, ?, client_id, id FROM switches WHERE company_id = ? AND id = ?`), userID, companyID, id); err != nil {
			return fmt.Errorf("store: switch grant: %w", err)
		}
	}
	return nil
}

// ---- helpers shared with the views

func (s *Store) portalUserByEmail(ctx context.Context, q querier, companyID int64, email string) (*domain.PortalUser, error) {
	u, err := scanPortalUser(q.QueryRowContext(ctx, s.q(`SELECT `+portalUserColumns+` FROM portal_users u WHERE u.company_id = ? AND u.email = ?`), companyID, email))
	return u, notFound(err, "Portal user not found.")
}

// grantedClients lists the clients the portal user has access to.
func (s *Store) grantedClients(ctx context.Context, q querier, companyID, userID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT client_id FROM portal_grants WHERE company_id = ? AND portal_user_id = ? ORDER BY client_id`), companyID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: granted clients: %w", err)
	}
	return collectIDs(rows)
}

// switchGrants lists the switches the portal user's access is narrowed to.
func (s *Store) switchGrants(ctx context.Context, q querier, companyID, userID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT switch_id FROM portal_switch_grants WHERE company_id = ? AND portal_user_id = ? ORDER BY switch_id`),
		companyID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: switch grants: %w", err)
	}
	return collectIDs(rows)
}

// collectIDs reads a single id column and closes the rows.
func collectIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
