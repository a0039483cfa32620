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

// Kinds of portal mail written to the outbox.
const (
	MailPortalInvitation    = "portal_invitation"
	MailPortalAccessGranted = "portal_access_granted"
	MailPortalReset         = "portal_reset"
)

// loadGrants fills the grants of the users, with client and site names, in two
// queries whatever the number of users.
func (s *Store) loadGrants(ctx context.Context, q querier, companyID int64, users []*domain.PortalUser) error {
	if len(users) == 0 {
		return nil
	}
	byID := map[int64]*domain.PortalUser{}
	ids := make([]int64, 0, len(users))
	for _, u := range users {
		byID[u.ID] = u
		u.Grants = nil
		ids = append(ids, u.ID)
	}
	where, args := and(eq("g.company_id", companyID), in("g.portal_user_id", ids)).where()
	rows, err := q.QueryContext(ctx, s.q(`SELECT g.portal_user_id, g.client_id, c.name, COALESCE(g.contact_id, 0), COALESCE(g.invite_outbox_id, 0), g.created_at
		FROM portal_grants g JOIN clients c ON c.company_id = g.company_id AND c.id = g.client_id
		WHERE `+where+` ORDER BY c.name, g.client_id`), args...)
	if err != nil {
		return fmt.Errorf("store: grants: %w", err)
	}
	for rows.Next() {
		var uid int64
		var g domain.Grant
		var created int64
		if err := rows.Scan(&uid, &g.ClientID, &g.ClientName, &g.ContactID, &g.InviteMail, &created); err != nil {
			rows.Close()
			return err
		}
		g.CreatedAt = fromMicros(created)
		byID[uid].Grants = append(byID[uid].Grants, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	where, args = and(eq("sg.company_id", companyID), in("sg.portal_user_id", ids)).where()
	rows, err = q.QueryContext(ctx, s.q(`SELECT sg.portal_user_id, sg.client_id, sg.site_id, st.name
		FROM portal_site_grants sg JOIN sites st ON st.company_id = sg.company_id AND st.id = sg.site_id
		WHERE `+where+` ORDER BY st.name, sg.site_id`), args...)
	if err != nil {
		return fmt.Errorf("store: site grants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid, clientID, siteID int64
		var name string
		if err := rows.Scan(&uid, &clientID, &siteID, &name); err != nil {
			return err
		}
		u := byID[uid]
		for i := range u.Grants {
			if u.Grants[i].ClientID == clientID {
				u.Grants[i].SiteIDs = append(u.Grants[i].SiteIDs, siteID)
				u.Grants[i].SiteNames = append(u.Grants[i].SiteNames, name)
			}
		}
	}
	return rows.Err()
}

func (s *Store) collectPortalUsers(ctx context.Context, q querier, companyID int64, query string, args ...any) ([]*domain.PortalUser, error) {
	rows, err := q.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: portal users: %w", err)
	}
	var out []*domain.PortalUser
	for rows.Next() {
		u, err := scanPortalUser(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.loadGrants(ctx, q, companyID, out)
}

// ClientPortalUsers lists the portal users with access to the client, oldest first,
// with their grants; empty for a client of another company.
func (view *StaffView) ClientPortalUsers(ctx context.Context, clientID int64) ([]*domain.PortalUser, error) {
	s, staff := view.s, view.staff
	return s.collectPortalUsers(ctx, s.db, staff.CompanyID(), `SELECT `+portalUserColumns+` FROM portal_users u
		JOIN portal_grants g ON g.company_id = u.company_id AND g.portal_user_id = u.id
		WHERE u.company_id = ? AND g.client_id = ? ORDER BY g.created_at, u.id`, staff.CompanyID(), clientID)
}

// PortalUsers lists one page of the company's portal users by email, with grants.
func (view *StaffView) PortalUsers(ctx context.Context, opts domain.ListOptions) ([]*domain.PortalUser, domain.PageInfo, error) {
	s, staff := view.s, view.staff
	opts = opts.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM portal_users WHERE company_id = ?`), staff.CompanyID()).Scan(&info.Total); err != nil {
		return nil, info, err
	}
	users, err := s.collectPortalUsers(ctx, s.db, staff.CompanyID(), `SELECT `+portalUserColumns+` FROM portal_users u
		WHERE u.company_id = ? ORDER BY u.email, u.id LIMIT ? OFFSET ?`, staff.CompanyID(), opts.PerPage, opts.Offset())
	return users, info, err
}

// PortalUser returns the company's portal user id with grants, or ENOTFOUND.
func (view *StaffView) PortalUser(ctx context.Context, id int64) (*domain.PortalUser, error) {
	s, staff := view.s, view.staff
	return s.portalUser(ctx, s.db, staff.CompanyID(), id)
}

// Recipient returns the company's portal user an outbox message is about, with
// their grants, or ENOTFOUND when the account no longer exists.
func (view *MailView) Recipient(ctx context.Context, companyID, portalUserID int64) (*domain.PortalUser, error) {
	s := view.s
	return s.portalUser(ctx, s.db, companyID, portalUserID)
}

func (s *Store) portalUser(ctx context.Context, q querier, companyID, id int64) (*domain.PortalUser, error) {
	users, err := s.collectPortalUsers(ctx, q, companyID, `SELECT `+portalUserColumns+` FROM portal_users u WHERE u.company_id = ? AND u.id = ?`, companyID, id)
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Portal user not found.")
	}
	return users[0], nil
}

// Invitation asks to give a person portal access to a client.
type Invitation struct {
	ClientID  int64
	Email     string
	ContactID int64 // the contact invited from the Contacts tab, 0 otherwise
}

// InviteResult says what an invitation did.
type InviteResult struct {
	User    *domain.PortalUser
	Created bool  // a new account was made
	Resent  bool  // the person already had access; the mail was sent again
	MailID  int64 // the outbox row of the mail
}

// InvitePortalUser gives the person with the email access to all sites of the
// client, creating their portal account in the company if they have none, and
// queues the mail in the same transaction: an invitation with an activation link for
// an account without a password, an "access granted" note for an active one.
// Inviting someone who already has access sends the mail again. A client has at
// most access.MaxPortalUsersPerClient users: the count is checked under a lock on
// the client row (PostgreSQL) or the single writer (SQLite), so concurrent
// invitations cannot make a sixth; the sixth gets ECONFLICT. Needs portal.invite.
func (view *StaffView) InvitePortalUser(ctx context.Context, inv Invitation) (*InviteResult, error) {
	s, staff := view.s, view.staff
	if err := staff.Require(access.PortalInvite); err != nil {
		return nil, err
	}
	inv.Email = domain.NormalizeEmail(inv.Email)
	var v domain.Validator
	v.Required("email", inv.Email, "Email")
	v.Email("email", inv.Email)
	if err := v.Err(); err != nil {
		return nil, err
	}
	res := &InviteResult{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		client, err := s.lockClient(ctx, tx, staff.CompanyID(), inv.ClientID)
		if err != nil {
			return err
		}
		if inv.ContactID != 0 {
			if err := s.contactOfClient(ctx, tx, staff.CompanyID(), inv.ClientID, inv.ContactID); err != nil {
				return err
			}
		}
		u, err := s.portalUserByEmail(ctx, tx, staff.CompanyID(), inv.Email)
		switch {
		case err == nil:
		case domain.ErrorCode(err) == domain.ENOTFOUND:
			u = &domain.PortalUser{CompanyID: staff.CompanyID(), Email: inv.Email}
			if inv.ContactID != 0 {
				var first, last string
				if err := tx.QueryRowContext(ctx, s.q(`SELECT first_name, last_name FROM contacts WHERE company_id = ? AND id = ?`),
					staff.CompanyID(), inv.ContactID).Scan(&first, &last); err != nil {
					return err
				}
				u.FirstName, u.LastName = first, last
			}
			if err := s.insertPortalUser(ctx, tx, u); err != nil {
				return err
			}
			res.Created = true
		default:
			return err
		}
		has, err := s.hasGrant(ctx, tx, u.ID, inv.ClientID)
		if err != nil {
			return err
		}
		if has {
			res.Resent = true
			if inv.ContactID != 0 {
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE portal_grants SET contact_id = ? WHERE portal_user_id = ? AND client_id = ?`),
					inv.ContactID, u.ID, inv.ClientID); err != nil {
					return err
				}
			}
		} else {
			if err := s.checkRoom(ctx, tx, staff.CompanyID(), client); err != nil {
				return err
			}
			if err := s.insertGrant(ctx, tx, staff.CompanyID(), u.ID, inv.ClientID, inv.ContactID); err != nil {
				return err
			}
		}
		kind := MailPortalInvitation
		if u.Activated {
			kind = MailPortalAccessGranted
		}
		id, err := s.enqueueMail(ctx, tx, OutboxMessage{CompanyID: staff.CompanyID(), Kind: kind, To: u.Email, PortalUserID: u.ID, ClientID: inv.ClientID})
		if err != nil {
			return err
		}
		res.MailID = id
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE portal_grants SET invite_outbox_id = ? WHERE portal_user_id = ? AND client_id = ?`),
			id, u.ID, inv.ClientID); err != nil {
			return err
		}
		action := "portal.invite"
		if res.Resent {
			action = "portal.resend"
		}
		if err := s.audit(ctx, tx, staff, action, fmt.Sprintf("%s → %s", u.Email, client.name)); err != nil {
			return err
		}
		res.User, err = s.portalUser(ctx, tx, staff.CompanyID(), u.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// NewPortalUser is a portal user added on the Users page.
type NewPortalUser struct {
	FirstName, LastName, Email string
	ClientIDs                  []int64
	SiteIDs                    []int64 // empty: all sites of the assigned clients
}

// CreatePortalUser adds a portal account with access to the clients — restricted,
// per client, to the chosen sites of that client when any are chosen — and queues
// its invitation. The email must be new in the company (EINVALID otherwise: edit
// the existing user instead). Each client keeps at most access.MaxPortalUsersPerClient
// users. Needs portal.invite.
func (view *StaffView) CreatePortalUser(ctx context.Context, n NewPortalUser) (*domain.PortalUser, error) {
	s, staff := view.s, view.staff
	if err := staff.Require(access.PortalInvite); err != nil {
		return nil, err
	}
	n.Email = domain.NormalizeEmail(n.Email)
	n.FirstName, n.LastName = strings.TrimSpace(n.FirstName), strings.TrimSpace(n.LastName)
	var v domain.Validator
	v.Required("first_name", n.FirstName, "First name")
	v.Required("last_name", n.LastName, "Last name")
	v.MaxLen("first_name", n.FirstName, 100)
	v.MaxLen("last_name", n.LastName, 100)
	v.Required("email", n.Email, "Email")
	v.Email("email", n.Email)
	if len(n.ClientIDs) == 0 {
		v.Add("client_ids", "Assign at least one client.")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *domain.PortalUser
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.portalUserByEmail(ctx, tx, staff.CompanyID(), n.Email); err == nil {
			return fieldError("email", "A portal user with this email already exists. Edit that user to assign more clients.")
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		u := &domain.PortalUser{CompanyID: staff.CompanyID(), Email: n.Email, FirstName: n.FirstName, LastName: n.LastName}
		if err := s.insertPortalUser(ctx, tx, u); err != nil {
			return err
		}
		if err := s.setGrants(ctx, tx, staff.CompanyID(), u.ID, n.ClientIDs, n.SiteIDs); err != nil {
			return err
		}
		firstClient := uniqueIDs(n.ClientIDs)[0]
		id, err := s.enqueueMail(ctx, tx, OutboxMessage{CompanyID: staff.CompanyID(), Kind: MailPortalInvitation, To: u.Email, PortalUserID: u.ID, ClientID: firstClient})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE portal_grants SET invite_outbox_id = ? WHERE portal_user_id = ?`), id, u.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, staff, "portal.user.create", u.Email); err != nil {
			return err
		}
		out, err = s.portalUser(ctx, tx, staff.CompanyID(), u.ID)
		return err
	})
	return out, err
}

// PortalAccessUpdate replaces a portal user's name, clients, site restriction and
// switch narrowing.
type PortalAccessUpdate struct {
	FirstName, LastName string
	ClientIDs           []int64
	SiteIDs             []int64 // empty: all sites of every assigned client
	SwitchIDs           []int64 // empty: all switches of every assigned client
}

// UpdatePortalAccess replaces the user's clients, sites and switches in one
// transaction. Grants that stay keep their contact link; removing every site (or
// switch) restores access to all of them. At least one client must remain
// (disconnect removes the last). Needs clients.manage.
func (view *StaffView) UpdatePortalAccess(ctx context.Context, userID int64, upd PortalAccessUpdate) (*domain.PortalUser, error) {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return nil, err
	}
	upd.FirstName, upd.LastName = strings.TrimSpace(upd.FirstName), strings.TrimSpace(upd.LastName)
	var v domain.Validator
	v.MaxLen("first_name", upd.FirstName, 100)
	v.MaxLen("last_name", upd.LastName, 100)
	if len(upd.ClientIDs) == 0 {
		v.Add("client_ids", "Assign at least one client. To remove the last one, disconnect the user on the client's page.")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *domain.PortalUser
	err := s.tx(ctx, func(tx *sql.Tx) error {
		u, err := s.portalUser(ctx, tx, staff.CompanyID(), userID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE portal_users SET first_name = ?, last_name = ? WHERE company_id = ? AND id = ?`),
			upd.FirstName, upd.LastName, staff.CompanyID(), userID); err != nil {
			return err
		}
		if err := s.setGrants(ctx, tx, staff.CompanyID(), userID, upd.ClientIDs, upd.SiteIDs); err != nil {
			return err
		}
		if err := s.setSwitchGrants(ctx, tx, staff, userID, upd.SwitchIDs); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, staff, "portal.access.edit", u.Email); err != nil {
			return err
		}
		out, err = s.portalUser(ctx, tx, staff.CompanyID(), userID)
		return err
	})
	return out, err
}

// setGrants makes the user's grants exactly clientIDs (adding missing ones under
// the per-client limit, dropping others) and their site restriction exactly
// siteIDs, each of which must be a site of one of those clients.
func (s *Store) setGrants(ctx context.Context, tx *sql.Tx, companyID, userID int64, clientIDs, siteIDs []int64) error {
	clientIDs = uniqueIDs(clientIDs)
	siteIDs = uniqueIDs(siteIDs)
	current, err := s.grantedClients(ctx, tx, companyID, userID)
	if err != nil {
		return err
	}
	for _, id := range current {
		if !slices.Contains(clientIDs, id) {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM portal_grants WHERE company_id = ? AND portal_user_id = ? AND client_id = ?`), companyID, userID, id); err != nil {
				return err
			}
		}
	}
	for _, id := range clientIDs {
		if slices.Contains(current, id) {
			continue
		}
		client, err := s.lockClient(ctx, tx, companyID, id)
		if err != nil {
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return fieldError("client_ids", "Choose clients of your company.")
			}
			return err
		}
		if err := s.checkRoom(ctx, tx, companyID, client); err != nil {
			return err
		}
		if err := s.insertGrant(ctx, tx, companyID, userID, id, 0); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM portal_site_grants WHERE company_id = ? AND portal_user_id = ?`), companyID, userID); err != nil {
		return err
	}
	for _, siteID := range siteIDs {
		var clientID int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT client_id FROM sites WHERE company_id = ? AND id = ?`), companyID, siteID).Scan(&clientID)
		if err != nil || !slices.Contains(clientIDs, clientID) {
			if err != nil && err != sql.ErrNoRows {
				return err
			}
			return fieldError("site_ids", "Choose sites of the assigned clients only.")
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO portal_site_grants (company_id, portal_user_id, client_id, site_id) VALUES (?, ?, ?, ?)`),
			companyID, userID, clientID, siteID); err != nil {
			return fmt.Errorf("store: site grant: %w", err)
		}
	}
	return nil
}

// DisconnectPortalUser removes the user's access to the client. An account left
// without any client is deleted at once, with its sessions, links and queued mail;
// deleted reports that. Needs clients.manage; ENOTFOUND when the user has no access
// to the client.
func (view *StaffView) DisconnectPortalUser(ctx context.Context, clientID, userID int64) (deleted bool, err error) {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return false, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		u, err := s.portalUser(ctx, tx, staff.CompanyID(), userID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM portal_grants WHERE company_id = ? AND portal_user_id = ? AND client_id = ?`),
			staff.CompanyID(), userID, clientID)
		if err := mustAffect(res, err, "Portal user not found."); err != nil {
			return err
		}
		if len(u.Grants) == 1 {
			if err := s.deletePortalUser(ctx, tx, staff.CompanyID(), userID); err != nil {
				return err
			}
			deleted = true
		}
		clientName := fmt.Sprintf("client #%d", clientID)
		for _, g := range u.Grants {
			if g.ClientID == clientID {
				clientName = g.ClientName
			}
		}
		return s.audit(ctx, tx, staff, "portal.disconnect", u.Email+" from "+clientName)
	})
	return deleted, err
}

// deletePortalUser deletes an account with its sessions, links and queued mail.
func (s *Store) deletePortalUser(ctx context.Context, tx *sql.Tx, companyID, userID int64) error {
	for _, q := range []string{
		`DELETE FROM sessions WHERE company_id = ? AND portal_user_id = ?`,
		`DELETE FROM one_time_tokens WHERE company_id = ? AND portal_user_id = ?`,
		`DELETE FROM portal_site_grants WHERE company_id = ? AND portal_user_id = ?`,
		`DELETE FROM portal_grants WHERE company_id = ? AND portal_user_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, s.q(q), companyID, userID); err != nil {
			return err
		}
	}
	if err := s.CancelMailTo(ctx, tx, companyID, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.q(`DELETE FROM portal_users WHERE company_id = ? AND id = ?`), companyID, userID)
	return err
}

// SendPortalReset queues a password reset mail for the company's portal user,
// recorded in the audit log. Needs portal.invite.
func (view *StaffView) SendPortalReset(ctx context.Context, userID int64) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.PortalInvite); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		u, err := s.portalUser(ctx, tx, staff.CompanyID(), userID)
		if err != nil {
			return err
		}
		if _, err := s.enqueueMail(ctx, tx, OutboxMessage{CompanyID: staff.CompanyID(), Kind: MailPortalReset, To: u.Email, PortalUserID: u.ID}); err != nil {
			return err
		}
		return s.audit(ctx, tx, staff, "portal.reset", u.Email)
	})
}

// RequestPortalReset queues a reset mail to the stored address of the company's
// portal user with the email, if there is one, and does nothing otherwise: the
// caller answers the same either way.
func (s *Store) RequestPortalReset(ctx context.Context, companyID int64, email string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		u, err := s.portalUserByEmail(ctx, tx, companyID, domain.NormalizeEmail(email))
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = s.enqueueMail(ctx, tx, OutboxMessage{CompanyID: companyID, Kind: MailPortalReset, To: u.Email, PortalUserID: u.ID})
		return err
	})
}

// ---- helpers

type lockedClient struct {
	id   int64
	name string
}

// lockClient reads the client and, on PostgreSQL, locks its row until the end of
// the transaction, so that checks on its portal users serialize.
func (s *Store) lockClient(ctx context.Context, tx *sql.Tx, companyID, clientID int64) (lockedClient, error) {
	c := lockedClient{id: clientID}
	err := tx.QueryRowContext(ctx, s.q(`SELECT name FROM clients WHERE company_id = ? AND id = ?`+s.dialect.forUpdate), companyID, clientID).Scan(&c.name)
	return c, notFound(err, "Client not found.")
}

// checkRoom returns ECONFLICT when the client already has the most portal users allowed.
func (s *Store) checkRoom(ctx context.Context, tx *sql.Tx, companyID int64, c lockedClient) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM portal_grants WHERE company_id = ? AND client_id = ?`), companyID, c.id).Scan(&n); err != nil {
		return err
	}
	if n >= access.MaxPortalUsersPerClient {
		return domain.Errorf(domain.ECONFLICT, "%s already has %d portal users, the most a client can have. Disconnect one first.",
			c.name, access.MaxPortalUsersPerClient)
	}
	return nil
}

func (s *Store) contactOfClient(ctx context.Context, tx *sql.Tx, companyID, clientID, contactID int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM contacts WHERE company_id = ? AND client_id = ? AND id = ?`),
		companyID, clientID, contactID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "Contact not found.")
	}
	return nil
}

func (s *Store) portalUserByEmail(ctx context.Context, q querier, companyID int64, email string) (*domain.PortalUser, error) {
	u, err := scanPortalUser(q.QueryRowContext(ctx, s.q(`SELECT `+portalUserColumns+` FROM portal_users u WHERE u.company_id = ? AND u.email = ?`), companyID, email))
	return u, notFound(err, "Portal user not found.")
}

func (s *Store) insertPortalUser(ctx context.Context, tx *sql.Tx, u *domain.PortalUser) error {
	u.CreatedAt = s.Now()
	id, err := s.insert(ctx, tx, `INSERT INTO portal_users (company_id, email, first_name, last_name, created_at) VALUES (?, ?, ?, ?, ?)`,
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

func (s *Store) hasGrant(ctx context.Context, tx *sql.Tx, userID, clientID int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM portal_grants WHERE portal_user_id = ? AND client_id = ?`), userID, clientID).Scan(&n)
	return n > 0, err
}

func (s *Store) insertGrant(ctx context.Context, tx *sql.Tx, companyID, userID, clientID, contactID int64) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO portal_grants (company_id, portal_user_id, client_id, contact_id, created_at) VALUES (?, ?, ?, ?, ?)`),
		companyID, userID, clientID, nullID(contactID), micros(s.Now()))
	if err != nil {
		return fmt.Errorf("store: grant: %w", err)
	}
	return nil
}

// grantedClients lists the clients the portal user has access to.
func (s *Store) grantedClients(ctx context.Context, q querier, companyID, userID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT client_id FROM portal_grants WHERE company_id = ? AND portal_user_id = ? ORDER BY client_id`), companyID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: granted clients: %w", err)
	}
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

func fieldError(field, msg string) error {
	return &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.", Fields: map[string]string{field: msg}}
}

func uniqueIDs(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
