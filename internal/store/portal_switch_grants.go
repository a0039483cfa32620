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

// SwitchChoice is a switch offered on the portal user form.
type SwitchChoice struct {
	ID          int64
	ClientID    int64
	ClientName  string
	ProjectName string
	Name        string
}

// SwitchChoices lists every switch of the tenant with its client and project, by
// client, project and name.
func (view *StaffView) SwitchChoices(ctx context.Context) ([]SwitchChoice, error) {
	s, staff := view.s, view.staff
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT sw.id, sw.client_id, c.name, p.name, sw.name FROM switches sw
		JOIN clients c ON c.company_id = sw.company_id AND c.id = sw.client_id
		JOIN projects p ON p.company_id = sw.company_id AND p.id = sw.project_id
		WHERE sw.company_id = ? ORDER BY c.name, c.id, p.name, sw.name, sw.id`), staff.CompanyID())
	if err != nil {
		return nil, fmt.Errorf("store: switch choices: %w", err)
	}
	defer rows.Close()
	var out []SwitchChoice
	for rows.Next() {
		var c SwitchChoice
		if err := rows.Scan(&c.ID, &c.ClientID, &c.ClientName, &c.ProjectName, &c.Name); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PortalSwitchGrants lists the switches the portal user's access is narrowed to,
// over all their clients; empty means every switch of every client.
func (view *StaffView) PortalSwitchGrants(ctx context.Context, userID int64) ([]int64, error) {
	s, staff := view.s, view.staff
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT switch_id FROM portal_switch_grants WHERE company_id = ? AND portal_user_id = ? ORDER BY switch_id`),
		staff.CompanyID(), userID)
	if err != nil {
		return nil, err
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

// CheckSwitchGrants returns EINVALID (field switch_ids) unless every switch is a
// switch of the tenant belonging to one of the clients. Callers check before they
// change a user's clients, so that a bad choice changes nothing.
func (view *StaffView) CheckSwitchGrants(ctx context.Context, clientIDs, switchIDs []int64) error {
	s, staff := view.s, view.staff
	return s.checkSwitchGrants(ctx, s.db, staff.CompanyID(), clientIDs, switchIDs)
}

func (s *Store) checkSwitchGrants(ctx context.Context, q querier, companyID int64, clientIDs, switchIDs []int64) error {
	for _, id := range uniqueIDs(switchIDs) {
		var clientID int64
		err := q.QueryRowContext(ctx, s.q(`SELECT client_id FROM switches WHERE company_id = ? AND id = ?`), companyID, id).Scan(&clientID)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		if err == sql.ErrNoRows || !slices.Contains(clientIDs, clientID) {
			return fieldError("switch_ids", "Choose switches of the assigned clients.")
		}
	}
	return nil
}

// SetPortalSwitchGrants narrows the portal user's access, per client, to the
// chosen switches: a client with none of its switches chosen stays with all of
// them. Each switch must belong to one of the user's clients (EINVALID
// otherwise). Needs clients.manage, like the rest of a user's access.
func (view *StaffView) SetPortalSwitchGrants(ctx context.Context, userID int64, switchIDs []int64) error {
	s, staff := view.s, view.staff
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error { return s.setSwitchGrants(ctx, tx, staff, userID, switchIDs) })
}

// setSwitchGrants replaces the user's switch narrowing in the caller's transaction.
func (s *Store) setSwitchGrants(ctx context.Context, tx *sql.Tx, staff access.Staff, userID int64, switchIDs []int64) error {
	switchIDs = uniqueIDs(switchIDs)
	slices.Sort(switchIDs)
	clients, err := s.grantedClients(ctx, tx, staff.CompanyID(), userID)
	if err != nil {
		return err
	}
	if len(clients) == 0 {
		return domain.Errorf(domain.ENOTFOUND, "Portal user not found.")
	}
	if err := s.checkSwitchGrants(ctx, tx, staff.CompanyID(), clients, switchIDs); err != nil {
		return err
	}
	before, err := s.Staff(staff).PortalSwitchGrants(ctx, userID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM portal_switch_grants WHERE company_id = ? AND portal_user_id = ?`), staff.CompanyID(), userID); err != nil {
		return err
	}
	for _, id := range switchIDs {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO portal_switch_grants (company_id, portal_user_id, client_id, switch_id)
			SELECT company_id, ?, client_id, id FROM switches WHERE company_id = ? AND id = ?`), userID, staff.CompanyID(), id); err != nil {
			return err
		}
	}
	if slices.Equal(before, switchIDs) {
		return nil
	}
	names := make([]string, len(switchIDs))
	for i, id := range switchIDs {
		names[i] = fmt.Sprintf("#%d", id)
	}
	what := "all switches"
	if len(names) > 0 {
		what = "switches " + strings.Join(names, ", ")
	}
	return s.audit(ctx, tx, staff, "portal.access.switches", fmt.Sprintf("Portal user #%d: %s", userID, what))
}
