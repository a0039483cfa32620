package mail_test

import (
	"strings"
	"testing"

	"portico/internal/mail"
)

// An invitation and a reminder name every client they are given, as a sentence
// lists them in the recipient's language, in the text and the HTML alike (the
// HTML escaping each name); without Clients they name ClientName.
func TestMailNamesEveryClient(t *testing.T) {
	for _, tc := range []struct {
		locale  string
		clients []string
		want    string
	}{
		{"en", nil, "keeps for Hotel Tatra."},
		{"en", []string{"Hotel Tatra"}, "keeps for Hotel Tatra."},
		{"en", []string{"Hotel Tatra", "Penzión Lipa"}, "keeps for Hotel Tatra and Penzión Lipa."},
		{"en", []string{"Hotel Tatra", "Penzión Lipa", "Pekáreň & syn s.r.o."}, "keeps for Hotel Tatra, Penzión Lipa and Pekáreň & syn s.r.o."},
		{"sk", []string{"Hotel Tatra", "Penzión Lipa"}, "eviduje pre Hotel Tatra a Penzión Lipa."},
		{"sk", []string{"Hotel Tatra", "Penzión Lipa", "Pekáreň & syn s.r.o."}, "eviduje pre Hotel Tatra, Penzión Lipa a Pekáreň & syn s.r.o."},
	} {
		for _, kind := range []string{mail.KindPortalInvitation, mail.KindPortalReminder} {
			var data any = mail.Invitation{CompanyName: "Čistá Služba", ClientName: "Hotel Tatra", Clients: tc.clients, Link: "https://x/a", ValidDays: 7}
			if kind == mail.KindPortalReminder {
				data = mail.Reminder{CompanyName: "Čistá Služba", ClientName: "Hotel Tatra", Clients: tc.clients, Link: "https://x/login"}
			}
			e, err := mail.RenderIn(tc.locale, kind, data)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(e.Text, tc.want) {
				t.Errorf("%s %s %v: the text lacks %q:\n%s", tc.locale, kind, tc.clients, tc.want, e.Text)
			}
			if html := strings.ReplaceAll(tc.want, "&", "&amp;"); !strings.Contains(e.HTML, html) {
				t.Errorf("%s %s %v: the HTML lacks %q:\n%s", tc.locale, kind, tc.clients, html, e.HTML)
			}
			if tc.locale == "sk" && strings.Contains(e.Text, " and ") {
				t.Errorf("%s %s: English in the Slovak list:\n%s", tc.locale, kind, e.Text)
			}
		}
	}
}
