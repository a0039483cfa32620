package store

import (
	"context"
	"fmt"
)

// PortalContents counts what the portal shows a Scope, each count the length of
// the portal's own list: completed protocols, documents, sites, projects,
// switches, invoices and estimates.
type PortalContents struct {
	Protocols, Documents, Sites, Projects, Switches, Invoices, Estimates int
}

// PortalContents counts what the Scope sees, with the same conditions as the
// portal's pages (a restricted user counts only their sites and switches). The
// invitation mails name it.
func (view *PortalView) PortalContents(ctx context.Context) (PortalContents, error) {
	s, scope := view.s, view.scope
	var out PortalContents
	if query, args, ok := summaryCountsQuery(scope); ok {
		rows, err := s.db.QueryContext(ctx, s.q(query), args...)
		if err != nil {
			return out, fmt.Errorf("store: portal contents: %w", err)
		}
		for rows.Next() {
			var id, last int64
			var n int
			if err := rows.Scan(&id, &n, &last); err != nil {
				rows.Close()
				return out, err
			}
			out.Protocols += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return out, err
		}
	}
	var err error
	if out.Documents, err = view.PortalDocumentCount(ctx); err != nil {
		return out, err
	}
	for _, c := range []struct {
		n     *int
		from  string
		where cond
	}{
		{&out.Sites, `sites`, scopeSites(scope, "company_id", "client_id", "id")},
		{&out.Projects, `projects p`, portalProjects(scope)},
		{&out.Switches, `switches sw JOIN projects p ON p.company_id = sw.company_id AND p.id = sw.project_id`, portalSwitches(scope)},
	} {
		if c.where.matchesNothing() {
			continue
		}
		where, args := c.where.where()
		if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM `+c.from+` WHERE `+where), args...).Scan(c.n); err != nil {
			return out, fmt.Errorf("store: portal contents: %w", err)
		}
	}
	if c := portalDocs(scope, portalInvoiceStatuses); !c.matchesNothing() {
		if out.Invoices, err = s.countPortalDocs(ctx, "invoices", c); err != nil {
			return out, err
		}
	}
	if c := portalDocs(scope, portalEstimateStatuses); !c.matchesNothing() {
		if out.Estimates, err = s.countPortalDocs(ctx, "estimates", c); err != nil {
			return out, err
		}
	}
	return out, nil
}
