package web

import (
	"testing"

	"portico/internal/access"
)

// Every permission has a label and a description, and both have Slovak: the
// templates print them through t, so the template check cannot see them.
func TestPermissionTextHasSlovak(t *testing.T) {
	for _, p := range access.Permissions {
		for _, en := range []string{access.PermissionLabel(p), access.PermissionHint(p)} {
			if en == p {
				t.Errorf("permission %s has no label or description", p)
			}
			if _, ok := catalogues["sk"][en]; !ok {
				t.Errorf("%q (permission %s) has no Slovak", en, p)
			}
		}
	}
}
