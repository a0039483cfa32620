package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"portico/internal/access"
	"portico/internal/domain"
)

const portalUserColumns = `u.id, u.company_id, u.email, u.first_name, u.last_name, u.locale, u.activated_at, u.totp_enabled_at IS NOT NULL, u.last_login_at, u.created_at`

func scanPortalUser(row interface{ Scan(...any) error }) (*domain.PortalUser, error) {
	var u domain.PortalUser
	var activated, lastLogin sql.NullInt64
	var created int64
	if err := row.Scan(&u.ID, &u.CompanyID, &u.Email, &u.FirstName, &u.LastName, &u.Locale, &activated, &u.TwoFactor, &lastLogin, &created); err != nil {
		return nil, err
	}
	u.Activated = activated.Valid
	u.LastLoginAt = nullMicros(lastLogin)
	u.CreatedAt = fromMicros(created)
	return &u, nil
}

// PortalCredentials returns the company's portal user with the email and their
// password hash ("" before activation), or ENOTFOUND.
func (s *Store) PortalCredentials(ctx context.Context, companyID int64, email string) (*domain.PortalUser, string, error) {
	var hash string
	u, err := scanPortalUser(scanAppend{s.db.QueryRowContext(ctx, s.q(`SELECT `+portalUserColumns+`, u.password_hash
		FROM portal_users u WHERE u.company_id = ? AND u.email = ?`), companyID, domain.NormalizeEmail(email)), &hash})
	if err != nil {
		return nil, "", notFound(err, "Portal user not found.")
	}
	return u, hash, nil
}

// CreatePortalSession stores a new session for the portal user under tokenHash and
// records the sign-in time.
func (s *Store) CreatePortalSession(ctx context.Context, companyID, userID int64, tokenHash string, absolute time.Duration) error {
	now := s.Now()
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO sessions (token_hash, company_id, portal_user_id, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`), tokenHash, companyID, userID, micros(now), micros(now), micros(now.Add(absolute)))
		if err != nil {
			return fmt.Errorf("store: create portal session: %w", err)
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE portal_users SET last_login_at = ? WHERE company_id = ? AND id = ?`), micros(now), companyID, userID)
		return err
	})
}

// PortalSession returns the portal user of the live session stored under tokenHash
// in the company, with the user's grants loaded fresh. A session of another
// tenant, an expired one (idle or absolute) or one of a deleted user is EUNAUTHORIZED.
func (s *Store) PortalSession(ctx context.Context, companyID int64, tokenHash string, idle time.Duration) (*domain.PortalUser, []access.ClientAccess, error) {
	// The session and its user in one round trip: this runs before every
	// signed-in portal page.
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+portalSessionColumns+` FROM sessions s
		JOIN portal_users u ON u.company_id = s.company_id AND u.id = s.portal_user_id
		WHERE s.token_hash = ? AND s.company_id = ?`), tokenHash, companyID)
	return s.portalSession(ctx, row, tokenHash, idle)
}

// PortalTenantSession is PortalSession for the tenant with the slug, the tenant
// read in the same round trip as the session and its user: together with the
// grants, two queries before every signed-in portal page instead of three. An
// unknown slug is ENOTFOUND, as from CompanyBySlug; a known one without the
// session returns the tenant and EUNAUTHORIZED.
func (s *Store) PortalTenantSession(ctx context.Context, slug, tokenHash string, idle time.Duration) (*domain.Company, *domain.PortalUser, []access.ClientAccess, error) {
	var c domain.Company
	var created int64
	row := s.db.QueryRowContext(ctx, s.q(`SELECT co.id, co.slug, co.name, co.time_zone, co.locale, co.team_label, co.require_two_factor, co.created_at, `+
		portalSessionColumns+` FROM companies co
		JOIN sessions s ON s.company_id = co.id AND s.token_hash = ?
		JOIN portal_users u ON u.company_id = s.company_id AND u.id = s.portal_user_id
		WHERE co.slug = ?`), tokenHash, strings.ToLower(slug))
	u, grants, err := s.portalSession(ctx, scanLeading{row, []any{&c.ID, &c.Slug, &c.Name, &c.TimeZone, &c.Locale, &c.Team, &c.RequireTwoFactor, &created}}, tokenHash, idle)
	if err == nil {
		c.CreatedAt = fromMicros(created)
		return &c, u, grants, nil
	}
	if c.ID != 0 {
		// The session was found but has expired.
		c.CreatedAt = fromMicros(created)
		return &c, nil, nil, err
	}
	if domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		return nil, nil, nil, err
	}
	// No session: tell an unknown tenant (not found) from a signed-out visitor.
	company, cerr := s.CompanyBySlug(ctx, slug)
	if cerr != nil {
		return nil, nil, nil, cerr
	}
	return company, nil, nil, err
}

// portalSessionColumns are the columns portalSession scans: the session s and
// its user u.
const portalSessionColumns = `s.id, s.last_seen_at, s.expires_at, ` + portalUserColumns

// portalSession scans a session and its user (portalSessionColumns), ends the
// session when it has expired, and loads the user's grants.
func (s *Store) portalSession(ctx context.Context, row interface{ Scan(...any) error }, tokenHash string, idle time.Duration) (*domain.PortalUser, []access.ClientAccess, error) {
	var id, lastSeen, expires int64
	var u domain.PortalUser
	var activated, lastLogin sql.NullInt64
	var created int64
	err := row.Scan(&id, &lastSeen, &expires,
		&u.ID, &u.CompanyID, &u.Email, &u.FirstName, &u.LastName, &u.Locale, &activated, &u.TwoFactor, &lastLogin, &created)
	if err != nil {
		return nil, nil, notFoundAs(err, domain.EUNAUTHORIZED, "Please sign in.")
	}
	u.Activated = activated.Valid
	u.LastLoginAt = nullMicros(lastLogin)
	u.CreatedAt = fromMicros(created)
	now := s.Now()
	if now.After(fromMicros(expires)) || now.Sub(fromMicros(lastSeen)) > idle {
		s.DeleteSession(ctx, tokenHash)
		return nil, nil, domain.Errorf(domain.EUNAUTHORIZED, "Your session has expired. Please sign in again.")
	}
	grants, err := s.PortalGrants(ctx, u.CompanyID, u.ID)
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(fromMicros(lastSeen)) > time.Minute {
		if _, err := s.wdb.ExecContext(ctx, s.q(`UPDATE sessions SET last_seen_at = ? WHERE id = ?`), micros(now), id); err != nil {
			return nil, nil, fmt.Errorf("store: touch session: %w", err)
		}
	}
	return &u, grants, nil
}

// scanLeading scans a row whose first columns go to lead and the rest to the
// destinations Scan is called with.
type scanLeading struct {
	row  interface{ Scan(...any) error }
	lead []any
}

func (sl scanLeading) Scan(dest ...any) error {
	return sl.row.Scan(append(slices.Clip(sl.lead), dest...)...)
}

// PortalGrants loads what the company's portal user may see, for the session code
// to make the user's access.Scope from: each assigned client with all of its sites
// or the listed ones, and all of its switches or the listed ones. A user with no
// grants gets none. One round trip: it runs before every signed-in portal page.
func (s *Store) PortalGrants(ctx context.Context, companyID, userID int64) ([]access.ClientAccess, error) {
	// Kind 0: a client grant, with a site it is narrowed to (NULL: all sites);
	// kind 1: a switch a client grant is narrowed to.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT 0, g.client_id, sg.site_id FROM portal_grants g
		LEFT JOIN portal_site_grants sg ON sg.portal_user_id = g.portal_user_id AND sg.client_id = g.client_id
		WHERE g.company_id = ? AND g.portal_user_id = ?
		UNION ALL
		SELECT 1, w.client_id, w.switch_id FROM portal_switch_grants w
		WHERE w.company_id = ? AND w.portal_user_id = ?
		ORDER BY 1, 2, 3`), companyID, userID, companyID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: scope: %w", err)
	}
	defer rows.Close()
	var grants []access.ClientAccess
	for rows.Next() {
		var kind int
		var clientID int64
		var ref sql.NullInt64
		if err := rows.Scan(&kind, &clientID, &ref); err != nil {
			return nil, err
		}
		if kind == 1 {
			for i := range grants {
				if grants[i].ClientID == clientID {
					grants[i].SwitchIDs = append(grants[i].SwitchIDs, ref.Int64)
				}
			}
			continue
		}
		n := len(grants)
		if n == 0 || grants[n-1].ClientID != clientID {
			grants = append(grants, access.ClientAccess{ClientID: clientID, AllSites: !ref.Valid})
			n++
		}
		if ref.Valid && !slices.Contains(grants[n-1].SiteIDs, ref.Int64) {
			grants[n-1].SiteIDs = append(grants[n-1].SiteIDs, ref.Int64)
		}
	}
	return grants, rows.Err()
}

// CreatePortalToken stores a one-time link for the company's portal user and
// invalidates their older links of the same purpose. The mail worker calls it when
// it renders the mail, so a raw link exists only in the mail itself.
func (s *Store) CreatePortalToken(ctx context.Context, companyID, userID int64, purpose, tokenHash string, ttl time.Duration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return s.createToken(ctx, tx, portalCol, companyID, userID, purpose, tokenHash, ttl)
	})
}

// PortalTokenUser returns the portal user of the company a live link belongs to,
// without using it, or ENOTFOUND when it is unknown, of another tenant, used,
// superseded or expired.
func (s *Store) PortalTokenUser(ctx context.Context, companyID int64, tokenHash, purpose string) (*domain.PortalUser, error) {
	cid, uid, err := s.tokenOwner(ctx, portalCol, tokenHash, purpose)
	if err != nil {
		return nil, err
	}
	if cid != companyID {
		return nil, domain.Errorf(domain.ENOTFOUND, "This link is no longer valid.")
	}
	u, err := scanPortalUser(s.db.QueryRowContext(ctx, s.q(`SELECT `+portalUserColumns+` FROM portal_users u WHERE u.company_id = ? AND u.id = ?`), cid, uid))
	return u, notFound(err, "This link is no longer valid.")
}

// RedeemPortalToken uses a live link of the company: it sets the password hash,
// marks the account activated and ends the user's sessions and other links, all
// in one transaction; of concurrent submissions exactly one succeeds.
func (s *Store) RedeemPortalToken(ctx context.Context, companyID int64, tokenHash, purpose, passwordHash string) (*domain.PortalUser, error) {
	var u *domain.PortalUser
	err := s.tx(ctx, func(tx *sql.Tx) error {
		cid, uid, err := s.redeemToken(ctx, tx, portalCol, tokenHash, purpose)
		if err != nil {
			return err
		}
		if cid != companyID {
			return domain.Errorf(domain.ENOTFOUND, "This link is no longer valid.")
		}
		if err := s.setPortalPassword(ctx, tx, cid, uid, passwordHash); err != nil {
			return err
		}
		u, err = scanPortalUser(tx.QueryRowContext(ctx, s.q(`SELECT `+portalUserColumns+` FROM portal_users u WHERE u.company_id = ? AND u.id = ?`), cid, uid))
		return err
	})
	return u, err
}

// SetPortalPassword sets the portal user's password hash and ends all of their
// sessions and links.
func (s *Store) SetPortalPassword(ctx context.Context, companyID, userID int64, hash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.setPortalPassword(ctx, tx, companyID, userID, hash) })
}

func (s *Store) setPortalPassword(ctx context.Context, tx *sql.Tx, companyID, userID int64, hash string) error {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE portal_users SET password_hash = ?, activated_at = COALESCE(activated_at, ?) WHERE company_id = ? AND id = ?`),
		hash, micros(s.Now()), companyID, userID)
	if err := mustAffect(res, err, "Portal user not found."); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM sessions WHERE company_id = ? AND portal_user_id = ?`,
		`DELETE FROM one_time_tokens WHERE company_id = ? AND portal_user_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, s.q(q), companyID, userID); err != nil {
			return err
		}
	}
	return nil
}

// PortalClientNames lists the clients in the scope by name, with their ids and
// names only: the portal header's company selector, on every page. Unlike
// PortalClients it counts no sites.
func (view *PortalView) PortalClientNames(ctx context.Context) ([]*domain.Client, error) {
	s, scope := view.s, view.scope
	clients := scopeClientsByID(scope)
	if clients.matchesNothing() {
		return nil, nil
	}
	where, args := clients.where()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT c.id, c.name FROM clients c WHERE `+where+` ORDER BY c.name, c.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: portal clients: %w", err)
	}
	defer rows.Close()
	var out []*domain.Client
	for rows.Next() {
		c := &domain.Client{CompanyID: scope.CompanyID()}
		if err := rows.Scan(&c.ID, &c.Name); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PortalClients lists the clients in the scope by name, with the counts of the
// sites the user may see.
func (view *PortalView) PortalClients(ctx context.Context) ([]*domain.Client, error) {
	s, scope := view.s, view.scope
	clients := scopeClientsByID(scope)
	if clients.matchesNothing() {
		return nil, nil
	}
	where, args := clients.where()
	sites, siteArgs := scopeSites(scope, "x.company_id", "x.client_id", "x.id").where()
	// The site count's placeholders come first in the text, so its arguments do too.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT c.id, c.name, c.company_number, c.city,
		(SELECT COUNT(*) FROM sites x WHERE x.company_id = c.company_id AND x.client_id = c.id AND `+sites+`)
		FROM clients c WHERE `+where+` ORDER BY c.name, c.id`), slices.Concat(siteArgs, args)...)
	if err != nil {
		return nil, fmt.Errorf("store: portal clients: %w", err)
	}
	defer rows.Close()
	var out []*domain.Client
	for rows.Next() {
		c := &domain.Client{CompanyID: scope.CompanyID()}
		if err := rows.Scan(&c.ID, &c.Name, &c.CompanyNumber, &c.City, &c.SiteCount); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
