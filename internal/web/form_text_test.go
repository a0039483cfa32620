package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/store"
	"portico/internal/testenv"
)

// Text that is not valid UTF-8, or that carries control characters other than
// tab and newline, is refused on every form, staff and portal alike, with the
// field named, and nothing is stored. Each form is otherwise valid, so that
// without the check it would be saved.
func TestFormsRefuseInvalidText(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newBillingRig(t, db)
		ctx := t.Context()
		staff := r.srv.Store.Staff(r.tn.Staff)
		sc := r.srv.NewClient(t)
		sc.SignIn("acme", "admin@acme.test")
		pc := r.srv.PortalClient(t, r.tn, r.owner)
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
		for _, tc := range []struct {
			name   string
			c      *testenv.Client
			path   string
			form   url.Values
			field  string
			stored func() string
		}{
			{"client", sc, "/app/clients", url.Values{"name": {"Nový klient"}, "country": {"Slovakia"}}, "name",
				func() string { l, _, err := staff.Clients(ctx, store.ClientFilter{}); return dump(l, err) }},
			{"site", sc, abc + "/sites", url.Values{"name": {"Sklad"}, "city": {"Nitra"}, "note": {"Zadný vchod"}}, "name",
				func() string { return dump(staff.Sites(ctx, r.abc.ID)) }},
			{"contact", sc, abc + "/contacts", url.Values{"first_name": {"Eva"}, "last_name": {"Malá"}, "email": {"eva@abc.test"}}, "last_name",
				func() string { return dump(staff.Contacts(ctx, r.abc.ID)) }},
			{"project", sc, abc + "/projects", url.Values{"name": {"Dezinsekcia"}, "status": {"active"}}, "name",
				func() string { return dump(staff.Projects(ctx, r.abc.ID)) }},
			{"protocol note", sc, abc + "/protocols", url.Values{"site_id": {itoa(r.kosice.ID)}, "service_type": {"Deratizácia"},
				"technician_id": {itoa(r.tn.Admin.ID)}, "performed_at": {"2026-03-14T08:30"}, "findings": {"Bez nálezu"}}, "findings",
				func() string {
					l, _, err := staff.Protocols(ctx, store.ProtocolFilter{ClientID: r.abc.ID})
					return dump(l, err)
				}},
			{"billing line text", sc, abc + "/billing/invoices", url.Values{"title": {"Marec"}, "currency": {"EUR"},
				"issue_date": {r.today.String()}, "due_date": {r.today.AddDays(14).String()},
				"line_desc": {"Kontrola"}, "line_qty": {"1"}, "line_unit": {"h"}, "line_price": {"10"}, "line_vat": {"23"}}, "line_desc",
				func() string {
					l, _, err := staff.Invoices(ctx, store.BillingFilter{ClientID: r.abc.ID})
					return dump(l, err)
				}},
			{"switch name", sc, fmt.Sprintf("%s/projects/%d/switches", abc, r.project.ID),
				url.Values{"name": {"Svetlo"}, "family": {"tasmota"}, "topic": {"svetlo_sklad"}, "channel": {"1"}}, "name",
				func() string { return dump(staff.ProjectSwitches(ctx, r.abc.ID, r.project.ID)) }},
			{"portal my data", pc, "/portal/acme/my-data?company=" + itoa(r.abc.ID),
				url.Values{"company": {itoa(r.abc.ID)}, "email": {"office@abc.test"}, "protocol_email": {"protokoly@abc.test"}}, "protocol_email",
				func() string { return dump(staff.Client(ctx, r.abc.ID)) }},
		} {
			for _, bad := range []string{"\xff\xfe", "\x00", "\x1b[31m", "\r", "\u0085"} {
				t.Run(fmt.Sprintf("%s %q", tc.name, bad), func(t *testing.T) {
					form := url.Values{}
					for k, v := range tc.form {
						form[k] = append([]string(nil), v...)
					}
					v := form.Get(tc.field)
					if at := strings.IndexByte(v, '@'); at > 0 { // an address stays one, but for the bytes
						form.Set(tc.field, v[:at]+bad+v[at:])
					} else {
						form.Set(tc.field, v+bad)
					}
					before := tc.stored()
					resp := tc.c.Post(tc.path, form)
					switch resp.Status {
					case http.StatusBadRequest: // an error page naming the field
						wantBody(t, resp, `data-field="`+tc.field+`"`, "control characters")
					case http.StatusUnprocessableEntity: // the form again, the message beside the field
						wantBody(t, resp, `id="e-`+tc.field+`"`, "control characters")
					default:
						t.Fatalf("status %d, want 400 or 422\n%.1500s", resp.Status, resp.Body)
					}
					if after := tc.stored(); after != before {
						t.Errorf("stored data changed:\nbefore %s\nafter  %s", before, after)
					}
				})
			}
		}

		// A document upload is multipart, read apart from parseForm, and checked the same way.
		docs := func() string {
			l, _, err := staff.Documents(ctx, store.DocumentFilter{})
			return dump(l, err)
		}
		before := docs()
		resp := multipartPost(t, sc, "/app/documents", url.Values{"kind": {"certificate"}, "title": {"Plán\x1b[2J"},
			"client_id": {itoa(r.abc.ID)}, "all_sites": {"1"}, "portal_visible": {"1"}}, "plan.png", pngBytes(t))
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantBody(t, resp, `id="e-title"`, "control characters")
		if after := docs(); after != before {
			t.Errorf("a document was stored: %s", after)
		}

		// Tab and newline are text; a textarea's CRLF line breaks are read as newlines.
		resp = sc.Post(abc+"/sites", url.Values{"name": {"Sklad\tB"}, "city": {"Nitra"}, "note": {"Prvý riadok\r\nDruhý riadok\n"}})
		wantStatus(t, resp, http.StatusSeeOther)
		sites, err := staff.Sites(ctx, r.abc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, s := range sites {
			if s.Name == "Sklad\tB" {
				found = true
				if s.Note != "Prvý riadok\nDruhý riadok" {
					t.Errorf("note stored as %q", s.Note)
				}
			}
		}
		if !found {
			t.Errorf("the site with a tab in its name was not stored: %+v", sites)
		}
	})
}
