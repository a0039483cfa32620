package access

import (
	"reflect"
	"testing"
)

func TestScope(t *testing.T) {
	sc := NewScope(1, 9, []ClientAccess{
		{ClientID: 20, SiteIDs: []int64{202, 201}},
		{ClientID: 10, AllSites: true},
	})
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
		{"scope of a deleted user", NewScope(1, 0, sc.Clients()), 10, 100, false},
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

func TestScopeCopies(t *testing.T) {
	grants := []ClientAccess{{ClientID: 20, SiteIDs: []int64{202, 201}}, {ClientID: 10, AllSites: true}}
	scope := NewScope(1, 9, grants)
	grants[0].SiteIDs[0] = 999
	got := scope.Clients()
	if want := []ClientAccess{{ClientID: 10, AllSites: true}, {ClientID: 20, SiteIDs: []int64{201, 202}}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Clients() = %v, want %v (sorted, and not changed by the caller's slice)", got, want)
	}
	got[1].SiteIDs[0] = 999
	if !scope.CanSeeSite(20, 201) {
		t.Fatal("changing the slice Clients() returned changed the Scope")
	}
	if ids := (Scope{}).ClientIDs(); len(ids) != 0 {
		t.Fatalf("zero Scope ClientIDs = %v", ids)
	}
	if NewScope(1, 0, grants).Clients() != nil {
		t.Fatal("an invalid Scope lists clients")
	}
}

func TestScopeSwitches(t *testing.T) {
	scope := NewScope(1, 9, []ClientAccess{
		{ClientID: 10, AllSites: true},
		{ClientID: 20, AllSites: true, SwitchIDs: []int64{8, 7}},
	})
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
			if got := scope.CanSeeSwitch(tc.client, tc.swID); got != tc.want {
				t.Fatalf("CanSeeSwitch(%d, %d) = %v, want %v", tc.client, tc.swID, got, tc.want)
			}
		})
	}
}
