package store

import (
	"context"
	"database/sql"
	"fmt"

	"portico/internal/domain"
)

// Kinds of portal mail written to the outbox.
const (
	MailPortalInvitation    = "portal_invitation"
	MailPortalAccessGranted = "portal_access_granted"
	MailPortalReset         = "portal_reset"
	// MailPortalResetByStaff is a reset link staff sent from the Users page,
	// worded as coming from the service company.
	MailPortalResetByStaff = "portal_reset_staff"
	// MailPortalReminder is an invitation sent again to an account already
	// activated: it reminds where to sign in and grants nothing new.
	MailPortalReminder = "portal_reminder"
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
	return view.PortalUsersMatching(ctx, "", opts)
}

// portalUserSearch is the text a portal user is found by: email and name.
var portalUserSearch = foldedSQL(`u.email || ' ' || u.first_name || ' ' || u.last_name`)

// PortalUsersMatching lists one page of the company's portal users whose email
// or name contains query, ignoring case and accents (all of them when query is
// blank), by email, with grants. Users of other companies never match.
func (view *StaffView) PortalUsersMatching(ctx context.Context, query string, opts domain.ListOptions) ([]*domain.PortalUser, domain.PageInfo, error) {
	s, staff := view.s, view.staff
	opts = opts.Normalized()
	info := domain.PageInfo{Page: opts.Page, PerPage: opts.PerPage}
	where, args := and(eq("u.company_id", staff.CompanyID()), contains(portalUserSearch, query)).where()
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM portal_users u WHERE `+where), args...).Scan(&info.Total); err != nil {
		return nil, info, fmt.Errorf("store: count portal users: %w", err)
	}
	users, err := s.collectPortalUsers(ctx, s.db, staff.CompanyID(), `SELECT `+portalUserColumns+` FROM portal_users u
		WHERE `+where+` ORDER BY u.email, u.id LIMIT ? OFFSET ?`, append(args, opts.PerPage, opts.Offset())...)
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

func fieldError(field, msg string) error {
	return &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.", Fields: map[string]string{field: msg}}
}
