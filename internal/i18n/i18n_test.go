package i18n

import (
	"testing"
	"time"
)

func init() {
	Add(SK, map[string]string{
		"%d protocol|%d protocols": "%d protokol|%d protokoly|%d protokolov",
		"Client %s deleted.":       "Klient %s bol vymazaný.",
		"%s is required.":          "%s je povinné.",
		"Name":                     "Názov",
		"Try again in %s.":         "Skúste to znova o %s.",
		"%d seconds":               "%d sekundu|%d sekundy|%d sekúnd",
		"Draft invoice %s saved.":  "Koncept faktúry %s bol uložený.",
		"%s saved.":                "%s uložené.",
		"%s still has %s.":         "%s má ešte %s.",
		"%d sites":                 "%d prevádzku|%d prevádzky|%d prevádzok",
		"1 site":                   "1 prevádzku",
		"%d projects":              "%d projekt|%d projekty|%d projektov",
		" and ":                    " a ",
	})
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		locale string
		n      int64
		want   string
	}{
		{"en", 0, "0 protocols"}, {"en", 1, "1 protocol"}, {"en", 2, "2 protocols"},
		{"sk", 0, "0 protokolov"}, {"sk", 1, "1 protokol"}, {"sk", 2, "2 protokoly"},
		{"sk", 4, "4 protokoly"}, {"sk", 5, "5 protokolov"}, {"sk", 12, "12 protokolov"},
		{"sk", 1234, "1\u00a0234 protokolov"},
		{"de", 1, "1 protocol"},
	} {
		if got := Plural(tc.locale, tc.n, "%d protocol", "%d protocols"); got != tc.want {
			t.Errorf("Plural(%s, %d) = %q, want %q", tc.locale, tc.n, got, tc.want)
		}
	}
}

func TestMatchAndResolve(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"sk", "sk"}, {"sk-SK,sk;q=0.9,en;q=0.8", "sk"}, {"de, en;q=0.5", "en"},
		{"en;q=0.4, sk;q=0.8", "sk"}, {"de, fr", ""}, {"*", ""}, {"", ""}, {"sk;q=0, en", "en"},
		{"EN-us", "en"},
	} {
		if got := Match(tc.header); got != tc.want {
			t.Errorf("Match(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
	for _, tc := range []struct{ own, header, tenant, want string }{
		{"sk", "en", "en", "sk"}, {"", "sk", "en", "sk"}, {"", "de, en;q=0.5", "sk", "en"},
		{"", "en", "sk", "en"}, {"", "de", "sk", "sk"}, {"", "", "", "en"}, {"xx", "", "sk", "sk"},
	} {
		if got := Resolve(tc.own, tc.header, tc.tenant); got != tc.want {
			t.Errorf("Resolve(%q, %q, %q) = %q, want %q", tc.own, tc.header, tc.tenant, got, tc.want)
		}
	}
}

func TestFormats(t *testing.T) {
	bratislava, err := time.LoadLocation("Europe/Bratislava")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC) // already the 5th in Bratislava
	for _, tc := range []struct{ got, want string }{
		{Date("sk", at, nil), "4. 12. 2026"},
		{Date("sk", at, bratislava), "5. 12. 2026"},
		{Date("en", at, nil), "4 Dec 2026"},
		{DateTime("sk", at, bratislava), "5. 12. 2026 00:30"},
		{DateTime("en", at, nil), "4 Dec 2026, 23:30"},
		{Date("sk", time.Time{}, nil), "—"},
		{Number("sk", 1234567), "1\u00a0234\u00a0567"},
		{Number("en", 1234567), "1,234,567"},
		{Number("en", 12), "12"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestMessage(t *testing.T) {
	for _, tc := range []struct{ locale, msg, want string }{
		{"sk", "Name", "Názov"},
		{"sk", "Client ABC s.r.o. deleted.", "Klient ABC s.r.o. bol vymazaný."},
		{"sk", "Name is required.", "Názov je povinné."},
		{"sk", "Try again in 3 seconds.", "Skúste to znova o 3 sekundy."},
		{"sk", "Try again in 10 seconds.", "Skúste to znova o 10 sekúnd."},
		{"sk", "Draft invoice 2026-001 saved.", "Koncept faktúry 2026-001 bol uložený."},
		{"sk", "Something unknown.", "Something unknown."},
		{"sk", "ABC still has 1 site, 2 projects and 5 sites.", "ABC má ešte 1 prevádzku, 2 projekty a 5 prevádzok."},
		{"sk", "ABC still has apples and pears.", "ABC má ešte apples and pears."},
		{"en", "Client ABC deleted.", "Client ABC deleted."},
	} {
		if got := Message(tc.locale, tc.msg); got != tc.want {
			t.Errorf("Message(%s, %q) = %q, want %q", tc.locale, tc.msg, got, tc.want)
		}
	}
}
