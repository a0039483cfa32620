package web_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// Text that is not valid UTF-8, or that carries control characters other than
// tab and newline, is refused on every form, staff and portal alike, and
// nothing is stored: the form comes back (422) with the message next to the
// field, marked aria-invalid, and what was typed shown with invalid bytes
// replaced and control characters removed. Each form is otherwise valid, so
// that without the check it would be saved. Sign-in refuses such a form like a
// wrong password, naming no field.
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
		est := r.estimate(t, false, 0, 30)
		company := func() string { return dump(r.srv.Store.Company(ctx, r.tn.Company.ID)) }
		mails := func() string {
			ids := make([]int64, 200)
			for i := range ids {
				ids[i] = int64(i + 1)
			}
			return dump(staff.MailStates(ctx, ids))
		}
		for _, tc := range []struct {
			name   string
			c      *testenv.Client
			path   string
			form   url.Values
			field  string
			stored func() string
			errID  string // the field's error element, when not e-<field>
		}{
			{"client", sc, "/app/clients", url.Values{"name": {"Nový klient"}, "country": {"Slovakia"}}, "name",
				func() string { l, _, err := staff.Clients(ctx, store.ClientFilter{}); return dump(l, err) }, ""},
			{"site", sc, abc + "/sites", url.Values{"name": {"Sklad"}, "city": {"Nitra"}, "note": {"Zadný vchod"}}, "name",
				func() string { return dump(staff.Sites(ctx, r.abc.ID)) }, ""},
			{"contact", sc, abc + "/contacts", url.Values{"first_name": {"Eva"}, "last_name": {"Malá"}, "email": {"eva@abc.test"}}, "last_name",
				func() string { return dump(staff.Contacts(ctx, r.abc.ID)) }, ""},
			{"project", sc, abc + "/projects", url.Values{"name": {"Dezinsekcia"}, "status": {"active"}}, "name",
				func() string { return dump(staff.Projects(ctx, r.abc.ID)) }, ""},
			{"protocol note", sc, abc + "/protocols", url.Values{"site_id": {itoa(r.kosice.ID)}, "service_type": {"Deratizácia"},
				"technician_id": {itoa(r.tn.Admin.ID)}, "performed_at": {"2026-03-14T08:30"}, "findings": {"Bez nálezu"}}, "findings",
				func() string {
					l, _, err := staff.Protocols(ctx, store.ProtocolFilter{ClientID: r.abc.ID})
					return dump(l, err)
				}, ""},
			{"billing line text", sc, abc + "/billing/invoices", url.Values{"title": {"Marec"}, "currency": {"EUR"},
				"issue_date": {r.today.String()}, "due_date": {r.today.AddDays(14).String()},
				"line_desc": {"Kontrola"}, "line_qty": {"1"}, "line_unit": {"h"}, "line_price": {"10"}, "line_vat": {"23"}}, "line_desc",
				func() string {
					l, _, err := staff.Invoices(ctx, store.BillingFilter{ClientID: r.abc.ID})
					return dump(l, err)
				}, "e-line_desc-0"},
			{"switch name", sc, fmt.Sprintf("%s/projects/%d/switches", abc, r.project.ID),
				url.Values{"name": {"Svetlo"}, "family": {"tasmota"}, "topic": {"svetlo_sklad"}, "channel": {"1"}}, "name",
				func() string { return dump(staff.ProjectSwitches(ctx, r.abc.ID, r.project.ID)) }, ""},
			{"client edit", sc, abc, url.Values{"name": {"ABC spol."}, "country": {"Slovakia"}}, "name",
				func() string { return dump(staff.Client(ctx, r.abc.ID)) }, ""},
			{"site edit", sc, fmt.Sprintf("%s/sites/%d", abc, r.kosice.ID), url.Values{"name": {"Košice"}, "city": {"Košice"}}, "city",
				func() string { return dump(staff.Sites(ctx, r.abc.ID)) }, ""},
			{"project edit", sc, fmt.Sprintf("%s/projects/%d", abc, r.project.ID), url.Values{"name": {"Monitoring"}, "status": {"active"}}, "name",
				func() string { return dump(staff.Projects(ctx, r.abc.ID)) }, ""},
			{"material", sc, "/app/materials", url.Values{"name": {"Ratimor"}, "manufacturer": {"Bayer"}, "unit": {"kg"}}, "manufacturer",
				func() string { l, _, err := staff.Materials(ctx, store.MaterialFilter{}); return dump(l, err) }, ""},
			{"portal settings", sc, "/app/settings", url.Values{"team_label": {"Technik"}}, "team_label", company, ""},
			{"billing settings", sc, "/app/settings/billing", url.Values{"notification_email": {"fakturacia@acme.test"},
				"billing_details": {"IBAN SK00"}}, "billing_details", func() string { return dump(staff.BillingSettings(ctx)) }, ""},
			{"staff user", sc, "/app/users", url.Values{"name": {"Marek Novák"}, "email": {"marek@acme.test"},
				"password": {"dlhe-heslo-123456"}, "permissions": {"clients"}}, "name",
				func() string { return dump(staff.StaffUsers(ctx)) }, ""},
			{"portal user", sc, "/app/portal-users", url.Values{"first_name": {"Ján"}, "last_name": {"Malý"}, "email": {"jan@abc.test"},
				"client_ids": {itoa(r.abc.ID)}}, "last_name",
				func() string { l, _, err := staff.PortalUsers(ctx, domain.ListOptions{}); return dump(l, err) }, ""},
			{"portal estimate comment", pc, fmt.Sprintf("/portal/acme/estimates/%d/accept", est.ID), url.Values{"comment": {"Začnite v pondelok"}}, "comment",
				func() string { return dump(staff.Estimate(ctx, r.abc.ID, est.ID)) }, "e-decide-comment"},
			{"portal forgot password", r.srv.NewClient(t), "/portal/acme/forgot", url.Values{"email": {"owner@abc.test"}}, "email", mails, ""},
			{"portal my data", pc, "/portal/acme/my-data?company=" + itoa(r.abc.ID),
				url.Values{"company": {itoa(r.abc.ID)}, "email": {"office@abc.test"}, "protocol_email": {"protokoly@abc.test"}}, "protocol_email",
				func() string { return dump(staff.Client(ctx, r.abc.ID)) }, ""},
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
					wantStatus(t, resp, http.StatusUnprocessableEntity)
					errID := cmp.Or(tc.errID, "e-"+tc.field)
					wantBody(t, resp, `aria-invalid="true" aria-describedby="`+errID+`"`,
						`<p class="error" id="`+errID+`">`, "Remove the control characters or invalid bytes")
					if shown := displayable(form.Get(tc.field)); !strings.Contains(resp.Body, shown) {
						t.Errorf("what was typed is not shown again as %q", shown)
					}
					if strings.Contains(resp.Body, bad) {
						t.Errorf("the form shows %q again", bad)
					}
					if after := tc.stored(); after != before {
						t.Errorf("stored data changed:\nbefore %s\nafter  %s", before, after)
					}
				})
			}
		}

		// Sign-in refuses text that is not text like a wrong password: no field named.
		wrong := r.srv.NewClient(t).Post("/app/login", url.Values{"company": {"acme"}, "email": {"admin@acme.test"}, "password": {"nesprávne"}})
		wantStatus(t, wrong, http.StatusUnauthorized)
		wrongPortal := r.srv.NewClient(t).Post("/portal/acme/login", url.Values{"email": {"owner@abc.test"}, "password": {"nesprávne"}})
		wantStatus(t, wrongPortal, http.StatusUnauthorized)
		for _, bad := range []string{"\xff", "\x00", "\x1b"} {
			for _, tc := range []struct {
				path  string
				form  url.Values
				wrong *testenv.Response
			}{
				{"/app/login", url.Values{"company": {"acme"}, "email": {"admin" + bad + "@acme.test"}, "password": {testenv.Password}}, wrong},
				{"/app/login", url.Values{"company": {"acme"}, "email": {"admin@acme.test"}, "password": {testenv.Password + bad}}, wrong},
				{"/app/login", url.Values{"company": {"acme" + bad}, "email": {"admin@acme.test"}, "password": {testenv.Password}}, wrong},
				{"/portal/acme/login", url.Values{"email": {"owner" + bad + "@abc.test"}, "password": {testenv.Password}}, wrongPortal},
				{"/portal/acme/login", url.Values{"email": {"owner@abc.test"}, "password": {bad + testenv.Password}}, wrongPortal},
			} {
				resp := r.srv.NewClient(t).Post(tc.path, tc.form)
				wantStatus(t, resp, http.StatusUnauthorized)
				wantBody(t, resp, "The email or password is not correct.")
				for _, hint := range []string{"control characters", "aria-invalid", `class="error" id="e-`} {
					if strings.Contains(resp.Body, hint) && !strings.Contains(tc.wrong.Body, hint) {
						t.Errorf("%s %q: the refusal hints %q, a wrong password does not", tc.path, tc.form, hint)
					}
				}
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

// displayable is what a form shows again of a refused value: invalid bytes
// replaced by U+FFFD, control characters other than tab and newline removed.
func displayable(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\t' && r != '\n' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
