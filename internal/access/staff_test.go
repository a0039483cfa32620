package access

import (
	"testing"

	"portico/internal/domain"
)

func TestStaffCan(t *testing.T) {
	admin := NewStaff(&domain.StaffUser{ID: 1, CompanyID: 7, Permissions: []string{ClientsManage, UsersManage}})
	disabled := NewStaff(&domain.StaffUser{ID: 2, CompanyID: 7, Permissions: []string{ClientsManage}, Disabled: true})
	for _, tc := range []struct {
		name string
		s    Staff
		perm string
		want bool
	}{
		{"zero value may do nothing", Staff{}, "", false},
		{"granted permission", admin, ClientsManage, true},
		{"reading needs no permission", admin, "", true},
		{"permission not granted", admin, BillingManage, false},
		{"disabled user may do nothing", disabled, ClientsManage, false},
		{"admin", admin, UsersManage, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.Can(tc.perm); got != tc.want {
				t.Fatalf("Can(%q) = %v, want %v", tc.perm, got, tc.want)
			}
			if err := tc.s.Require(tc.perm); (err == nil) != tc.want {
				t.Fatalf("Require(%q) = %v", tc.perm, err)
			}
		})
	}
}
