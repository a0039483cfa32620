package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"portico/internal/domain"
)

// Personal access tokens of the JSON API. A staff member manages their own
// through the StaffView, a portal user theirs through the PortalView; the owner
// always comes from the view's principal. Using a token (UseAPIToken) comes
// before anyone is known, like a session, and only app calls it.

const apiTokenColumns = `id, company_id, COALESCE(staff_user_id, 0), COALESCE(portal_user_id, 0), name, created_at, expires_at, last_used_at, revoked_at`

func scanAPIToken(row interface{ Scan(...any) error }) (*domain.APIToken, error) {
	var t domain.APIToken
	var created int64
	var expires, used, revoked sql.NullInt64
	if err := row.Scan(&t.ID, &t.CompanyID, &t.StaffUserID, &t.PortalUserID, &t.Name, &created, &expires, &used, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromMicros(created), nullMicros(expires), nullMicros(used), nullMicros(revoked)
	return &t, nil
}

func nullableMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return micros(t)
}

// createAPIToken stores a new token of the user (col names staff or portal)
// under tokenHash.
func (s *Store) createAPIToken(ctx context.Context, col string, companyID, userID int64, name, tokenHash string, expires time.Time) (*domain.APIToken, error) {
	now := s.Now()
	name = strings.TrimSpace(name)
	if err := domain.ValidateAPIToken(name, expires, now); err != nil {
		return nil, err
	}
	var id int64
	err := s.wdb.QueryRowContext(ctx, s.q(`INSERT INTO api_tokens (company_id, `+col+`, name, token_hash, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), companyID, userID, name, tokenHash, micros(now), nullableMicros(expires)).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("store: create api token: %w", err)
	}
	t := &domain.APIToken{ID: id, CompanyID: companyID, Name: name, CreatedAt: now, ExpiresAt: expires}
	if col == staffCol {
		t.StaffUserID = userID
	} else {
		t.PortalUserID = userID
	}
	return t, nil
}

// apiTokens lists the user's tokens, newest first, revoked ones included.
func (s *Store) apiTokens(ctx context.Context, col string, companyID, userID int64) ([]*domain.APIToken, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+apiTokenColumns+` FROM api_tokens
		WHERE company_id = ? AND `+col+` = ? ORDER BY created_at DESC, id DESC`), companyID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: api tokens: %w", err)
	}
	defer rows.Close()
	var out []*domain.APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// revokeAPIToken ends the user's token id; a token of someone else is not found.
// Revoking a revoked token changes nothing.
func (s *Store) revokeAPIToken(ctx context.Context, col string, companyID, userID, id int64) error {
	res, err := s.wdb.ExecContext(ctx, s.q(`UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?)
		WHERE company_id = ? AND `+col+` = ? AND id = ?`), micros(s.Now()), companyID, userID, id)
	return mustAffect(res, err, "Token not found.")
}

// CreateAPIToken stores a new token of the staff member under tokenHash.
func (view *StaffView) CreateAPIToken(ctx context.Context, name, tokenHash string, expires time.Time) (*domain.APIToken, error) {
	return view.s.createAPIToken(ctx, staffCol, view.staff.CompanyID(), view.staff.UserID(), name, tokenHash, expires)
}

// APITokens lists the staff member's own tokens, newest first.
func (view *StaffView) APITokens(ctx context.Context) ([]*domain.APIToken, error) {
	return view.s.apiTokens(ctx, staffCol, view.staff.CompanyID(), view.staff.UserID())
}

// RevokeAPIToken revokes the staff member's token id, or returns ENOTFOUND.
func (view *StaffView) RevokeAPIToken(ctx context.Context, id int64) error {
	return view.s.revokeAPIToken(ctx, staffCol, view.staff.CompanyID(), view.staff.UserID(), id)
}

// CreateAPIToken stores a new token of the portal user under tokenHash.
func (view *PortalView) CreateAPIToken(ctx context.Context, name, tokenHash string, expires time.Time) (*domain.APIToken, error) {
	if !view.scope.Valid() {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "Please sign in.")
	}
	return view.s.createAPIToken(ctx, portalCol, view.scope.CompanyID(), view.scope.PortalUserID(), name, tokenHash, expires)
}

// APITokens lists the portal user's own tokens, newest first.
func (view *PortalView) APITokens(ctx context.Context) ([]*domain.APIToken, error) {
	if !view.scope.Valid() {
		return nil, nil
	}
	return view.s.apiTokens(ctx, portalCol, view.scope.CompanyID(), view.scope.PortalUserID())
}

// RevokeAPIToken revokes the portal user's token id, or returns ENOTFOUND.
func (view *PortalView) RevokeAPIToken(ctx context.Context, id int64) error {
	if !view.scope.Valid() {
		return domain.Errorf(domain.ENOTFOUND, "Token not found.")
	}
	return view.s.revokeAPIToken(ctx, portalCol, view.scope.CompanyID(), view.scope.PortalUserID(), id)
}

// UseAPIToken returns the live token stored under tokenHash and counts one
// request against it: the answer's count is the number of requests in the
// current minute, this one included, and resetAt is when that minute ends. An
// unknown, revoked or expired token is EUNAUTHORIZED. The last-used time is
// refreshed at most once a minute. The counter lives in the token's row, so
// the limit holds across server processes.
func (s *Store) UseAPIToken(ctx context.Context, tokenHash string) (t *domain.APIToken, count int, resetAt time.Time, err error) {
	t, err = scanAPIToken(s.db.QueryRowContext(ctx, s.q(`SELECT `+apiTokenColumns+` FROM api_tokens WHERE token_hash = ?`), tokenHash))
	if err != nil {
		return nil, 0, time.Time{}, notFoundAs(err, domain.EUNAUTHORIZED, "The token is not valid.")
	}
	now := s.Now()
	if !t.Active(now) {
		return nil, 0, time.Time{}, domain.Errorf(domain.EUNAUTHORIZED, "The token has expired or was revoked.")
	}
	window := now.Truncate(time.Minute)
	stale := micros(now.Add(-time.Minute))
	err = s.wdb.QueryRowContext(ctx, s.q(`UPDATE api_tokens SET
			rate_count = CASE WHEN rate_window = ? THEN rate_count + 1 ELSE 1 END,
			rate_window = ?,
			last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < ? THEN ? ELSE last_used_at END
		WHERE id = ? RETURNING rate_count`), micros(window), micros(window), stale, micros(now), t.ID).Scan(&count)
	if err != nil {
		return nil, 0, time.Time{}, fmt.Errorf("store: use api token: %w", err)
	}
	return t, count, window.Add(time.Minute), nil
}

// APITokenUser returns the portal user of the company, for the token code to
// load the user's Scope from, or ENOTFOUND.
func (s *Store) APITokenUser(ctx context.Context, companyID, portalUserID int64) (*domain.PortalUser, error) {
	return s.portalUser(ctx, s.db, companyID, portalUserID)
}
