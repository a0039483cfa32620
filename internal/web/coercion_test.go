package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// A choice posted as something other than an id is not read as "none": the
// form comes back with the field's message and nothing is stored. (Leaving a
// choice empty, or the "—" option's 0, still means none where none is allowed.)
func TestUnreadableChoicesAreFieldErrors(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newBillingRig(t, db)
		ctx := t.Context()
		staff := r.srv.Store.Staff(r.tn.Staff)
		sc := r.srv.NewClient(t)
		sc.SignIn("acme", "admin@acme.test")
		abc := fmt.Sprintf("/app/clients/%d", r.abc.ID)
		dump := func(v any, err error) string {
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		projects := func() string { return dump(staff.Projects(ctx, r.abc.ID)) }
		protocols := func() string {
			l, _, err := staff.Protocols(ctx, store.ProtocolFilter{ClientID: r.abc.ID})
			return dump(l, err)
		}
		protocol := func(field, value string) url.Values {
			v := url.Values{"site_id": {itoa(r.kosice.ID)}, "service_type": {"Deratizácia"}, "technician_id": {itoa(r.tn.Admin.ID)},
				"performed_at": {"2026-03-14T08:30"}, "findings": {"Bez nálezu"}}
			v.Set(field, value)
			return v
		}
		portalUsers := func() string {
			l, _, err := staff.PortalUsers(ctx, domain.ListOptions{})
			return dump(l, err)
		}
		for _, tc := range []struct {
			name   string
			path   string
			form   url.Values
			want   string
			stored func() string
		}{
			{"project site abc", abc + "/projects", url.Values{"name": {"Dezinsekcia"}, "status": {"active"}, "site_id": {"abc"}},
				"Choose one of this client&#39;s sites.", projects},
			{"project site with a sign", abc + "/projects", url.Values{"name": {"Dezinsekcia"}, "status": {"active"}, "site_id": {"+" + itoa(r.kosice.ID)}},
				"Choose one of this client&#39;s sites.", projects},
			{"protocol technician abc", abc + "/protocols", protocol("technician_id", "abc"), "Choose a technician from the list.", protocols},
			{"protocol site abc", abc + "/protocols", protocol("site_id", "abc"), "Choose one of this client&#39;s sites.", protocols},
			{"protocol material abc", abc + "/protocols", func() url.Values {
				v := protocol("m_material", "abc")
				v.Set("m_qty", "2")
				return v
			}(), "Choose the material of every line from the list.", protocols},
			// No site chosen means every site: a site that cannot be read must not widen access.
			{"portal user site abc", "/app/portal-users", url.Values{"first_name": {"Ida"}, "last_name": {"Nová"}, "email": {"ida@abc.test"},
				"client_ids": {itoa(r.abc.ID)}, "site_ids": {"abc"}}, "Choose from the list only.", portalUsers},
			{"portal user site 0042", fmt.Sprintf("/app/portal-users/%d", r.kosiceOnly.ID), url.Values{"first_name": {"Jana"}, "last_name": {"Kováčová"},
				"client_ids": {itoa(r.abc.ID)}, "site_ids": {"0" + itoa(r.kosice.ID)}}, "Choose from the list only.", portalUsers},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := tc.stored()
				resp := sc.Post(tc.path, tc.form)
				wantStatus(t, resp, http.StatusUnprocessableEntity)
				wantBody(t, resp, tc.want)
				if after := tc.stored(); after != before {
					t.Errorf("stored data changed:\nbefore %s\nafter  %s", before, after)
				}
			})
		}

		// The empty choice still means none.
		resp := sc.Post(abc+"/projects", url.Values{"name": {"Bez prevádzky"}, "status": {"active"}, "site_id": {""}})
		wantStatus(t, resp, http.StatusSeeOther)
	})
}
