package store

import (
	"context"
	"fmt"
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
	return s.switchGrants(ctx, s.db, staff.CompanyID(), userID)
}
