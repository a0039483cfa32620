package testenv

import (
	"context"
	"errors"
	"fmt"
	"html"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/switches"
)

// Switches in a generated world: zero to three switches on each project of the
// tenant (world_billing.go), and for some portal users a narrowing to chosen
// switches. No device ever connects, so every switch stays offline and a toggle
// of a switch the user may see is refused — nothing is ever switched.

// SwitchesSpec is the switches of one tenant of a world.
type SwitchesSpec struct {
	Switches []SwitchSpec
	// Narrow holds, per portal user (index for index with TenantSpec.Users), the
	// switches (indexes into Switches) their access is narrowed to; empty: none.
	Narrow [][]int
}

// SwitchSpec is a switch on project Project of the tenant's BillingSpec.
type SwitchSpec struct {
	Project int
	Shelly  bool // else Tasmota
}

// genSwitches draws the switches of tenant ti, whose projects are drawn already,
// and the users' narrowings: each switch a user may be narrowed to belongs to one
// of their clients, as the store requires.
func genSwitches(t *rapid.T, ti int, ts TenantSpec) SwitchesSpec {
	var sp SwitchesSpec
	for pi := range ts.Billing.Projects {
		for i := range rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("t%d.pr%d.switches", ti, pi)) {
			sp.Switches = append(sp.Switches, SwitchSpec{Project: pi, Shelly: rapid.Bool().Draw(t, fmt.Sprintf("t%d.pr%d.sw%d.shelly", ti, pi, i))})
		}
	}
	sp.Narrow = make([][]int, len(ts.Users))
	for ui, u := range ts.Users {
		var own []int
		for si, sw := range sp.Switches {
			c := ts.Billing.Projects[sw.Project].Client
			if slices.ContainsFunc(u.Grants, func(g GrantSpec) bool { return g.Client == c }) {
				own = append(own, si)
			}
		}
		if len(own) == 0 || !rapid.Bool().Draw(t, fmt.Sprintf("t%d.u%d.narrowed", ti, ui)) {
			continue
		}
		n := rapid.SliceOfNDistinct(rapid.SampledFrom(own), 1, len(own), rapid.ID[int]).Draw(t, fmt.Sprintf("t%d.u%d.switches", ti, ui))
		slices.Sort(n)
		sp.Narrow[ui] = n
	}
	return sp
}

// buildSwitches creates the tenant's switches and the users' narrowings through
// the store, as its administrator. Topics are unique across tenants: the slug is.
func (s *Server) buildSwitches(t testing.TB, wt *WorldTenant, sp SwitchesSpec) []*domain.Switch {
	t.Helper()
	ctx := context.Background()
	slug := wt.Company.Slug
	var out []*domain.Switch
	for si, ss := range sp.Switches {
		p := wt.Billing.Projects[ss.Project]
		sw := &domain.Switch{ClientID: p.ClientID, ProjectID: p.ID, Name: fmt.Sprintf("Switch %d of %s", si, slug),
			Family: domain.FamilyTasmota, Topic: fmt.Sprintf("%s-sw%d", slug, si)}
		if ss.Shelly {
			sw.Family = domain.FamilyShelly
		}
		if _, err := s.Store.Staff(wt.Staff).CreateSwitch(ctx, sw); err != nil {
			t.Fatalf("testenv: switch %d of %s: %v", si, slug, err)
		}
		out = append(out, sw)
	}
	for ui, n := range sp.Narrow {
		if len(n) == 0 {
			continue
		}
		ids := make([]int64, len(n))
		for i, si := range n {
			ids[i] = out[si].ID
		}
		if err := s.App.SetPortalSwitchGrants(ctx, wt.Staff, wt.Users[ui].ID, ids); err != nil {
			t.Fatalf("testenv: switch grants of user %d of %s: %v", ui, slug, err)
		}
	}
	return out
}

// offlineBus is a broker nothing ever connects to. The switches of a world are
// all offline, so a toggle is refused before anything is published; should one
// get through, publishing fails and nothing is switched.
type offlineBus struct{}

func (offlineBus) Publish(context.Context, string, []byte, bool) error {
	return errors.New("testenv: the world's broker publishes nothing")
}
func (offlineBus) Subscribe(context.Context, []string, switches.Handler) error { return nil }
func (offlineBus) OnUp(func())                                                 {}
func (offlineBus) Close() error                                                { return nil }

// OfflineSwitches gives the server a switch service on a broker no device is
// connected to (not started: it processes no device messages), so that portal
// toggles reach the access checks and an offline switch is refused. Call it
// before the first request.
func (s *Server) OfflineSwitches() {
	s.App.Switches = app.NewSwitches(s.Store, nil, app.SwitchesConfig{Bus: offlineBus{}})
}

// ---- the oracle for switches

// SeesProject reports whether user ui of tenant ti may see project pi of their
// tenant: its client is assigned to them, and it is at a site they may see, or at
// no site and they may see all sites of the client.
func (w *World) SeesProject(ti, ui, pi int) bool {
	p := w.Spec.Tenants[ti].Billing.Projects[pi]
	for _, g := range w.Spec.Tenants[ti].Users[ui].Grants {
		if g.Client != p.Client {
			continue
		}
		if len(g.Sites) == 0 || (p.Site >= 0 && slices.Contains(g.Sites, p.Site)) {
			return true
		}
	}
	return false
}

// SeesSwitch reports whether user ui of tenant ti may see switch si of their
// tenant: they see its project, and unless their access to its client is narrowed
// to chosen switches, in which case it must be one of them.
func (w *World) SeesSwitch(ti, ui, si int) bool {
	ts := w.Spec.Tenants[ti]
	pi := ts.Switches.Switches[si].Project
	if !w.SeesProject(ti, ui, pi) {
		return false
	}
	client := ts.Billing.Projects[pi].Client
	narrow := ts.Switches.Narrow[ui]
	narrowed := slices.ContainsFunc(narrow, func(o int) bool { return ts.Billing.Projects[ts.Switches.Switches[o].Project].Client == client })
	return !narrowed || slices.Contains(narrow, si)
}

var reSwitchName = regexp.MustCompile(`<strong class="switch-name">([^<]*)</strong>`)

// CheckPortalSwitches compares what user ui of tenant ti, signed in as c, gets
// from the portal's projects with the oracle: each project page of their tenant
// lists exactly the switches they may see (a project they may not see is not
// found), and a toggle of any switch of the world — through its own project, and
// a visible one through another visible project — is not found unless they may
// see it, when it is refused as offline. It returns the number of requests, and
// the first difference as an error.
func (w *World) CheckPortalSwitches(ti, ui int, c *Client) (int, error) {
	wt := w.Tenants[ti]
	base := "/portal/" + wt.Company.Slug + "/projects/"
	who := fmt.Sprintf("tenant %d user %d %+v narrowed to %v", ti, ui, w.Spec.Tenants[ti].Users[ui].Grants, w.Spec.Tenants[ti].Switches.Narrow[ui])
	n := 0
	for pi, p := range wt.Billing.Projects {
		n++
		r := c.Get(base + fmt.Sprint(p.ID))
		visible := w.SeesProject(ti, ui, pi)
		if want := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[visible]; r.Status != want {
			return n, fmt.Errorf("%s: project %d: status %d, oracle visible=%v", who, pi, r.Status, visible)
		}
		if !visible {
			continue
		}
		got, want := map[string]bool{}, map[string]bool{}
		for _, m := range reSwitchName.FindAllStringSubmatch(r.Body, -1) {
			got[html.UnescapeString(m[1])] = true
		}
		for si, sw := range wt.Switches {
			if sw.ProjectID == p.ID && w.SeesSwitch(ti, ui, si) {
				want[sw.Name] = true
			}
		}
		if !maps.Equal(got, want) {
			return n, fmt.Errorf("%s: switches of project %d: %v, oracle %v", who, pi, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
	}
	toggle := func(projectID int64, sw *domain.Switch, visible bool, what string) error {
		n++
		r := c.Post(fmt.Sprintf("%s%d/switches/%d", base, projectID, sw.ID), url.Values{"state": {"on"}})
		switch {
		case !visible && r.Status != http.StatusNotFound:
			return fmt.Errorf("%s: toggle of %s: status %d, want 404 (oracle: not visible)", who, what, r.Status)
		case visible && r.Status != http.StatusConflict:
			return fmt.Errorf("%s: toggle of %s: status %d, want 409 (visible, refused as offline)\n%.1500s", who, what, r.Status, r.Body)
		}
		return nil
	}
	for oti, ot := range w.Tenants {
		for si, sw := range ot.Switches {
			visible := oti == ti && w.SeesSwitch(ti, ui, si)
			if err := toggle(sw.ProjectID, sw, visible, fmt.Sprintf("switch %d of tenant %d", si, oti)); err != nil {
				return n, err
			}
			if !visible {
				continue
			}
			// The switch must be on the project of the address, even a visible one.
			for pi, p := range wt.Billing.Projects {
				if p.ID != sw.ProjectID && w.SeesProject(ti, ui, pi) {
					if err := toggle(p.ID, sw, false, fmt.Sprintf("switch %d through project %d", si, pi)); err != nil {
						return n, err
					}
					break
				}
			}
		}
	}
	return n, nil
}
