package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"portico/internal/testenv"
)

// TestSignedInResponsesAreNotStored checks that nothing a signed-in person gets
// from the staff app or the portal may be kept by a cache — pages, files, PDFs
// and the redirect after sign-in — while static assets keep their caching.
func TestSignedInResponsesAreNotStored(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newABC(t, db)
		p, doc := w.protocols["Košice"], w.docs["kosice"]
		fresh := w.srv.NewClient(t)
		signIn := fresh.Post("/app/login", url.Values{"company": {"acme"}, "email": {"admin@acme.test"}, "password": {testenv.Password}, "next": {"/app/clients"}})
		for _, tc := range []struct {
			name string
			r    *testenv.Response
			want string
		}{
			{"the redirect after staff sign-in", signIn, "no-store"},
			{"a staff page", w.staff.Get("/app/clients"), "no-store"},
			{"a staff protocol PDF", w.staff.Get(fmt.Sprintf("/app/clients/%d/protocols/%d/pdf", w.abc.ID, p.ID)), "private, no-store"},
			{"a staff document download", w.staff.Get(fmt.Sprintf("/app/documents/%d/file?download=1", doc.ID)), "private, no-store"},
			{"a portal page", w.kosiceC.Get("/portal/acme/"), "no-store"},
			{"a portal protocol PDF", w.kosiceC.Get(fmt.Sprintf("/portal/acme/protocols/%d.pdf", p.ID)), "private, no-store"},
			{"a portal document preview", w.kosiceC.Get(fmt.Sprintf("/portal/acme/documents/%d", doc.ID)), "private, no-store"},
			{"a portal document download", w.kosiceC.Get(fmt.Sprintf("/portal/acme/documents/%d?download=1", doc.ID)), "private, no-store"},
			{"a portal page not found", w.kosiceC.Get("/portal/acme/protocols/999999"), "no-store"},
			{"a static asset", w.kosiceC.Get("/static/portico.css"), "public, max-age=3600"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.r.Status >= 500 {
					t.Fatalf("status %d", tc.r.Status)
				}
				if got := tc.r.Header.Get("Cache-Control"); got != tc.want {
					t.Errorf("status %d, Cache-Control %q, want %q", tc.r.Status, got, tc.want)
				}
			})
		}
		if signIn.Status != http.StatusSeeOther {
			t.Errorf("sign-in: status %d, want 303", signIn.Status)
		}
	})
}
