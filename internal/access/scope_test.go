package access

import (
	"reflect"
	"testing"
)

func TestScope(t *testing.T) {
	sc := Scope{CompanyID: 1, PortalUserID: 9, Clients: []ClientAccess{
		{ClientID: 10, AllSites: true},
		{ClientID: 20, SiteIDs: []int64{201, 202}},
	}}
	for _, tc := range []struct {
		name         string
		scope        Scope
		client, site int64
		want         bool
	}{
		{"zero scope sees nothing", Scope{}, 10, 100, false},
		{"all sites of an assigned client", sc, 10, 100, true},
		{"listed site of a restricted client", sc, 20, 202, true},
		{"unlisted site of a restricted client", sc, 20, 203, false},
		{"other client", sc, 30, 300, false},
		{"scope of a deleted user", Scope{CompanyID: 1, Clients: sc.Clients}, 10, 100, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.scope.CanSeeSite(tc.client, tc.site); got != tc.want {
				t.Fatalf("CanSeeSite(%d, %d) = %v, want %v", tc.client, tc.site, got, tc.want)
			}
		})
	}
	if !sc.AllSitesOf(10) || sc.AllSitesOf(20) || sc.AllSitesOf(30) {
		t.Fatal("AllSitesOf wrong")
	}
}

func TestScopeSQL(t *testing.T) {
	sc := Scope{CompanyID: 1, PortalUserID: 9, Clients: []ClientAccess{
		{ClientID: 10, AllSites: true},
		{ClientID: 20, SiteIDs: []int64{201, 202}},
	}}
	where, args := sc.SitesWhere("p.client_id", "p.site_id")
	if want := "(p.client_id IN (?) OR (p.client_id = ? AND p.site_id IN (?, ?)))"; where != want {
		t.Fatalf("SitesWhere = %q, want %q", where, want)
	}
	if want := []any{int64(10), int64(20), int64(201), int64(202)}; !reflect.DeepEqual(args, want) {
		t.Fatalf("args = %v, want %v", args, want)
	}
	for _, s := range []Scope{{}, {CompanyID: 1, PortalUserID: 2}} {
		if w, _ := s.SitesWhere("a", "b"); w != "1 = 0" {
			t.Fatalf("empty scope SitesWhere = %q", w)
		}
		if w, _ := s.ClientsWhere("a"); w != "1 = 0" {
			t.Fatalf("empty scope ClientsWhere = %q", w)
		}
	}
	where, args = sc.ClientsWhere("c.id")
	if where != "c.id IN (?, ?)" || len(args) != 2 {
		t.Fatalf("ClientsWhere = %q %v", where, args)
	}
}

func TestScopeSwitches(t *testing.T) {
	sc := Scope{CompanyID: 1, PortalUserID: 9, Clients: []ClientAccess{
		{ClientID: 10, AllSites: true},
		{ClientID: 20, AllSites: true, SwitchIDs: []int64{7, 8}},
	}}
	for _, tc := range []struct {
		name         string
		client, swID int64
		want         bool
	}{
		{"client without narrowing: any switch", 10, 1, true},
		{"narrowed client: listed switch", 20, 8, true},
		{"narrowed client: other switch", 20, 9, false},
		{"unassigned client", 30, 7, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sc.CanSeeSwitch(tc.client, tc.swID); got != tc.want {
				t.Fatalf("CanSeeSwitch(%d, %d) = %v, want %v", tc.client, tc.swID, got, tc.want)
			}
		})
	}
	where, args := sc.SwitchesWhere("sw.client_id", "sw.id")
	if want := "(sw.client_id NOT IN (?) OR sw.id IN (?, ?))"; where != want {
		t.Fatalf("SwitchesWhere = %q, want %q", where, want)
	}
	if want := []any{int64(20), int64(7), int64(8)}; !reflect.DeepEqual(args, want) {
		t.Fatalf("args = %v, want %v", args, want)
	}
	if w, _ := (Scope{}).SwitchesWhere("a", "b"); w != "1 = 0" {
		t.Fatalf("zero scope SwitchesWhere = %q", w)
	}
}
