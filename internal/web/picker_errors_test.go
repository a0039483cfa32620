package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/testenv"
)

// A refused choice in a picker (a select) is tied to its message: the select
// says it is invalid and names the message by id, so a screen reader reads the
// reason on the field, as it does for text fields.
func TestPickerErrorsAreTiedToTheirField(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newABC(t, db)
		base := fmt.Sprintf("/app/clients/%d", w.abc.ID)
		r := w.staff.Post(base+"/projects", url.Values{"name": {"Greenhouse"}, "status": {"active"}})
		wantStatus(t, r, http.StatusSeeOther)
		project := r.Location
		for _, tc := range []struct {
			field string
			post  func() *testenv.Response
		}{
			{"status", func() *testenv.Response {
				return w.staff.Post(base+"/projects", url.Values{"name": {"Monitoring"}, "status": {"paused"}})
			}},
			{"site_id", func() *testenv.Response {
				return w.staff.Post(base+"/projects", url.Values{"name": {"Monitoring"}, "status": {"active"}, "site_id": {"999999"}})
			}},
			{"family", func() *testenv.Response {
				return w.staff.Post(project+"/switches", url.Values{"name": {"Pump"}, "family": {"zigbee"}, "topic": {"pump"}})
			}},
			{"currency", func() *testenv.Response {
				return w.staff.Post(base+"/billing/invoices", url.Values{"currency": {"euro"}, "issue_date": {"2026-12-01"}, "due_date": {"2026-12-15"}, "l_description": {"Work"}, "l_quantity": {"1"}, "l_unit_price": {"10"}})
			}},
			{"technician_id", func() *testenv.Response {
				return w.staff.Post(base+"/protocols", url.Values{"site_id": {itoa(w.sites["Košice"].ID)}, "service_type": {"Deratization"}, "technician_id": {"999999"}, "performed_at": {"2026-12-01T10:00"}})
			}},
		} {
			t.Run(tc.field, func(t *testing.T) {
				r := tc.post()
				wantStatus(t, r, http.StatusUnprocessableEntity)
				sel := `name="` + tc.field + `" aria-invalid="true" aria-describedby="e-` + tc.field + `"`
				if !strings.Contains(r.Body, sel) {
					t.Errorf("the select is not tied to its error; want %s in the page", sel)
				}
				wantBody(t, r, `<p class="error" id="e-`+tc.field+`">`)
			})
		}
	})
}
