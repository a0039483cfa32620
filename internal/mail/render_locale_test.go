package mail_test

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"portico/internal/mail"
)

// localeSample is one mail to render in every language: data per locale, since
// figures and dates arrive formatted in the recipient's language.
type localeSample struct {
	name string
	kind string
	data map[string]any
}

// both is the same data in every language.
func both(d any) map[string]any { return map[string]any{"en": d, "sk": d} }

func localeSamples() []localeSample {
	inv := mail.Invitation{CompanyName: "Čistá Služba s.r.o.", ClientName: "ABC Košice s.r.o.", RecipientName: "Ján Novák",
		Link: "https://portal.example.com/p/cista/activate/Qk9Pa2xpbms", ValidDays: 7, SignIn: "https://portal.example.com/p/cista/login",
		Contents: mail.Contents{Protocols: 12, Documents: 3, Sites: 2, Projects: 1, Switches: 5, Invoices: 1, Estimates: 2}}
	empty := inv
	empty.Contents, empty.RecipientName, empty.SignIn = mail.Contents{}, "", ""
	granted := mail.AccessGranted{CompanyName: inv.CompanyName, ClientName: "Pekáreň Žilina", Link: inv.SignIn,
		Contents: mail.Contents{Protocols: 1, Documents: 21, Sites: 1}}
	reminder := mail.Reminder{CompanyName: inv.CompanyName, ClientName: inv.ClientName, RecipientName: "Ján Novák", Link: inv.SignIn,
		Contents: mail.Contents{Protocols: 4, Switches: 1, Invoices: 22}}
	reset := mail.Reset{CompanyName: inv.CompanyName, RecipientName: "Ján Novák", Link: "https://portal.example.com/p/cista/reset/UmVzZXRsaW5r", ValidMinutes: 60}
	byStaff := reset
	byStaff.ByStaff = true
	decision := func(at, total string, accepted bool, comment string) mail.EstimateDecision {
		return mail.EstimateDecision{CompanyName: inv.CompanyName, ClientName: inv.ClientName, Number: "EST-2026-0003", Title: "Deratizácia skladu",
			Accepted: accepted, ByName: "Ján Novák", ByEmail: "jan.novak@abc.test", At: at, Total: total, Comment: comment,
			Link: "https://portico.example.com/app/clients/7/billing/estimates/12"}
	}
	return []localeSample{
		{"portal_invitation", mail.KindPortalInvitation, both(inv)},
		{"portal_invitation_empty", mail.KindPortalInvitation, both(empty)},
		{"portal_access_granted", mail.KindPortalAccessGranted, both(granted)},
		{"portal_reminder", mail.KindPortalReminder, both(reminder)},
		{"portal_reset", mail.KindPortalReset, both(reset)},
		{"portal_reset_by_staff", mail.KindPortalReset, both(byStaff)},
		{"estimate_decision", mail.KindEstimateDecision, map[string]any{
			"en": decision("15 Mar 2026, 14:05", "€1,234.56", true, "Please start on Monday."),
			"sk": decision("15. 3. 2026 o 14:05", "1\u00a0234,56\u00a0€", true, "Začnite, prosím, v pondelok."),
		}},
		{"estimate_declined", mail.KindEstimateDecision, map[string]any{
			"en": decision("15 Mar 2026, 14:05", "€1,234.56", false, ""),
			"sk": decision("15. 3. 2026 o 14:05", "1\u00a0234,56\u00a0€", false, ""),
		}},
	}
}

var wordRE = regexp.MustCompile(`\p{L}+`)

// words are the words of s, lower-cased.
func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range wordRE.FindAllString(strings.ToLower(s), -1) {
		out[w] = true
	}
	return out
}

// dataWords are the words of the data's values (names, links): they are the same
// in every language.
func dataWords(d any) map[string]bool {
	rv := reflect.ValueOf(d)
	var b strings.Builder
	for i := range rv.NumField() {
		if f := rv.Field(i); f.Kind() == reflect.String {
			b.WriteString(f.String() + " ")
		}
	}
	return words(b.String())
}

// Every mail kind renders in every language, and the Slovak one keeps no word of
// the English one other than the names and links of its data: subject, text and
// HTML (tags and attributes aside). Each kind has a template pair in every
// locale, or the package would not start.
func TestMailTemplatesInEveryLanguage(t *testing.T) {
	kinds := map[string]bool{}
	for _, s := range localeSamples() {
		kinds[s.kind] = true
		t.Run(s.name, func(t *testing.T) {
			got := map[string]*mail.Email{}
			for _, loc := range mail.Locales {
				e, err := mail.RenderIn(loc, s.kind, s.data[loc])
				if err != nil {
					t.Fatalf("%s: %v", loc, err)
				}
				if e.Subject == "" || e.Text == "" || e.HTML == "" {
					t.Fatalf("%s: an empty part: %+v", loc, e)
				}
				got[loc] = e
				if loc != "en" { // TestMailRenderGolden keeps the English ones
					golden(t, loc+"/"+s.name+".txt.golden", "Subject: "+e.Subject+"\n\n"+e.Text)
					golden(t, loc+"/"+s.name+".html.golden", e.HTML)
				}
			}
			en, sk := got["en"], got["sk"]
			if !strings.Contains(sk.HTML, `<html lang="sk">`) || !strings.Contains(en.HTML, `<html lang="en">`) {
				t.Errorf("the HTML parts do not say their language")
			}
			same := dataWords(s.data["en"])
			maps := []map[string]bool{words(sk.Subject), words(sk.Text), words(visible(sk.HTML))}
			for w := range words(en.Subject + "\n" + en.Text + "\n" + visible(en.HTML)) {
				// Words of one or two letters ("a", "to") are words of both languages.
				if same[w] || w == "portico" || len([]rune(w)) < 3 {
					continue
				}
				for i, m := range maps {
					if m[w] {
						t.Errorf("the Slovak %s has the English word %q", []string{"subject", "text", "HTML"}[i], w)
					}
				}
			}
		})
	}
	for _, k := range []string{mail.KindPortalInvitation, mail.KindPortalAccessGranted, mail.KindPortalReminder, mail.KindPortalReset, mail.KindEstimateDecision} {
		if !kinds[k] {
			t.Errorf("no sample of %s", k)
		}
	}
}

var tagRE = regexp.MustCompile(`(?s)<[^>]*>`)

// visible is the text of an HTML part a reader sees: no tags, no attributes.
func visible(html string) string { return tagRE.ReplaceAllString(html, " ") }

// Slovak counts take the form of their number: 1, 2–4, and 0 or 5 and more.
func TestMailSlovakPlurals(t *testing.T) {
	render := func(c mail.Contents, days int) string {
		e, err := mail.RenderIn("sk", mail.KindPortalInvitation, mail.Invitation{CompanyName: "C", ClientName: "K", Link: "https://x", ValidDays: days, Contents: c})
		if err != nil {
			t.Fatal(err)
		}
		return e.Text
	}
	for _, tc := range []struct {
		c    mail.Contents
		days int
		want []string
	}{
		{mail.Contents{Protocols: 1, Documents: 1, Sites: 1, Projects: 1, Switches: 1, Invoices: 1, Estimates: 1}, 1,
			[]string{"1 servisný protokol\n", "1 dokument\n", "1 prevádzka\n", "1 projekt\n", "1 spínač, ktorý", "1 faktúra\n", "1 cenová ponuka\n", "platí 1 deň"}},
		{mail.Contents{Protocols: 3, Documents: 2, Sites: 4, Projects: 2, Switches: 3, Invoices: 2, Estimates: 4}, 3,
			[]string{"3 servisné protokoly\n", "2 dokumenty\n", "4 prevádzky\n", "2 projekty\n", "3 spínače, ktoré", "2 faktúry\n", "4 cenové ponuky\n", "platí 3 dni"}},
		{mail.Contents{Protocols: 5, Documents: 11, Sites: 12, Projects: 21, Switches: 5, Invoices: 1234, Estimates: 5}, 7,
			[]string{"5 servisných protokolov\n", "11 dokumentov\n", "12 prevádzok\n", "21 projektov\n", "5 spínačov, ktoré", "1\u00a0234 faktúr\n", "5 cenových ponúk\n", "platí 7 dní"}},
	} {
		text := render(tc.c, tc.days)
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("the Slovak text lacks %q:\n%s", w, text)
			}
		}
	}
	// Reset validity is in the accusative: "platí 1 hodinu", "45 minút".
	for minutes, want := range map[int]string{60: "platí 1 hodinu", 120: "platí 2 hodiny", 300: "platí 5 hodín", 1: "platí 1 minútu", 45: "platí 45 minút"} {
		e, err := mail.RenderIn("sk", mail.KindPortalReset, mail.Reset{CompanyName: "C", Link: "https://x", ValidMinutes: minutes})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(e.Text, want) {
			t.Errorf("%d minutes: the text lacks %q:\n%s", minutes, want, e.Text)
		}
	}
	// Nothing that does not exist is named.
	text := render(mail.Contents{Protocols: 2}, 7)
	for _, absent := range []string{"dokument", "prevádz", "projekt", "spínač", "faktúr", "ponuk"} {
		if strings.Contains(text, absent) {
			t.Errorf("the text names %q, of which there is none:\n%s", absent, text)
		}
	}
	if got := slices.Index(mail.Locales, "sk"); got < 0 {
		t.Errorf("Slovak is not among the locales %v", mail.Locales)
	}
}
