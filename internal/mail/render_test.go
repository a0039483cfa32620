package mail_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"portico/internal/mail"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/mail -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test ./internal/mail -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestMailRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		name    string // of the golden files; the kind when empty
		kind    string
		data    any
		subject string
		says    []string // in both the text and the HTML part
		button  string   // the label of the HTML button
	}{
		{
			kind: mail.KindPortalInvitation,
			data: mail.Invitation{
				CompanyName: "Čistá Služba s.r.o.", ClientName: "ABC Košice s.r.o.", RecipientName: "Ján Novák",
				Link: "https://portal.example.com/p/cista/activate/Qk9Pa2xpbms", ValidDays: 7,
				SignIn:   "https://portal.example.com/p/cista/login",
				Contents: mail.Contents{Protocols: 12, Documents: 1, Sites: 2, Projects: 1, Switches: 3, Estimates: 1},
			},
			subject: "Invitation to the client portal",
			says: []string{
				"Čistá Služba s.r.o. invites you to its client portal, where you can see what it keeps for ABC Košice s.r.o.",
				"You will find there:", "12 service protocols", "1 document", "2 sites", "1 project", "3 switches you can turn on and off", "1 estimate",
				"The link is valid for 7 days and works once. If it has expired, ask Čistá Služba s.r.o. to send a new one.",
				"https://portal.example.com/p/cista/activate/Qk9Pa2xpbms",
				"with your email and password. Bookmark", "https://portal.example.com/p/cista/login",
			},
			button: "Activate account",
		},
		{
			kind: mail.KindPortalAccessGranted,
			data: &mail.AccessGranted{
				CompanyName: "Čistá Služba s.r.o.", ClientName: "Pekáreň Žilina", RecipientName: "Ján Novák",
				Link: "https://portal.example.com/p/cista/signin",
			},
			subject: "You now have access to Pekáreň Žilina in the client portal",
			says: []string{"access to Pekáreň Žilina", "your password is unchanged", "https://portal.example.com/p/cista/signin",
				"Nothing is there yet: Čistá Služba s.r.o. adds protocols and documents as the work goes on."},
			button: "Sign in",
		},
		{
			kind: mail.KindPortalReminder,
			data: mail.Reminder{
				CompanyName: "Čistá Služba s.r.o.", ClientName: "Pekáreň Žilina", RecipientName: "Ján Novák",
				Link: "https://portal.example.com/p/cista/login", Contents: mail.Contents{Protocols: 1, Sites: 1, Invoices: 4},
			},
			subject: "Signing in to the client portal of Čistá Služba s.r.o.",
			says: []string{"A reminder from Čistá Služba s.r.o.: you have an account in its client portal", "1 service protocol", "1 site", "4 invoices",
				"https://portal.example.com/p/cista/login", "Forgot your password?"},
			button: "Sign in",
		},
		{
			kind: mail.KindPortalReset,
			data: mail.Reset{
				CompanyName: "Čistá Služba s.r.o.", Link: "https://portal.example.com/p/cista/reset/UmVzZXRsaW5r", ValidMinutes: 60,
			},
			subject: "Reset your client portal password",
			says:    []string{"Hello,", "valid for 1 hour", "If you did not ask for this, ignore this email.", "https://portal.example.com/p/cista/reset/UmVzZXRsaW5r"},
			button:  "Set a new password",
		},
		{
			name: "portal_reset_by_staff",
			kind: mail.KindPortalReset,
			data: mail.Reset{
				CompanyName: "Čistá Služba s.r.o.", RecipientName: "Ján Novák", Link: "https://portal.example.com/p/cista/reset/UmVzZXRsaW5r", ValidMinutes: 60,
				ByStaff: true,
			},
			subject: "Reset your client portal password",
			says:    []string{"Your service company Čistá Služba s.r.o. sent you a link to set a new password", "valid for 1 hour", "Until you use it, your password stays as it is."},
			button:  "Set a new password",
		},
		{
			kind: mail.KindEstimateDecision,
			data: mail.EstimateDecision{
				CompanyName: "Čistá Služba s.r.o.", ClientName: "ABC Košice s.r.o.", Number: "EST-2026-0003",
				Title: "Deratizácia skladu", Accepted: true, ByName: "Ján Novák", ByEmail: "jan.novak@abc.test",
				At: "15 Mar 2026, 14:05", Total: "€1,234.56", Comment: "Please start on Monday.\nThe gate code is 4711.",
				Link: "https://portico.example.com/app/clients/7/billing/estimates/12",
			},
			subject: "ABC Košice s.r.o. accepted estimate EST-2026-0003",
			says: []string{
				"Ján Novák", "(jan.novak@abc.test) of ABC Košice s.r.o.", "estimate EST-2026-0003 — Deratizácia skladu in the client portal on 15 Mar 2026, 14:05.",
				"€1,234.56", "Please start on Monday.\nThe gate code is 4711.", "https://portico.example.com/app/clients/7/billing/estimates/12",
			},
			button: "Open the estimate",
		},
	} {
		if tc.name == "" {
			tc.name = tc.kind
		}
		t.Run(tc.name, func(t *testing.T) {
			e, err := mail.Render(tc.kind, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if e.Subject != tc.subject {
				t.Errorf("subject = %q, want %q", e.Subject, tc.subject)
			}
			for _, s := range tc.says {
				if !strings.Contains(e.Text, s) {
					t.Errorf("text part lacks %q", s)
				}
				if !strings.Contains(e.HTML, s) {
					t.Errorf("HTML part lacks %q", s)
				}
			}
			for _, part := range []string{e.Text, e.HTML} {
				if !strings.Contains(part, "Sent by Čistá Služba s.r.o. through Portico") {
					t.Errorf("a part lacks the footer")
				}
			}
			if !strings.Contains(e.HTML, `text-decoration:none;">`+tc.button+`</a>`) || !strings.Contains(e.HTML, `bgcolor="#0f766e"`) {
				t.Errorf("HTML lacks the %q button", tc.button)
			}
			golden(t, tc.name+".txt.golden", "Subject: "+e.Subject+"\n\n"+e.Text)
			golden(t, tc.name+".html.golden", e.HTML)
		})
	}
}

func TestMailRenderEscapesHTML(t *testing.T) {
	e, err := mail.Render(mail.KindPortalInvitation, mail.Invitation{
		CompanyName: `Smith & Sons <b>`, ClientName: `"Quotes" & <script>alert(1)</script>`,
		Link: "javascript:alert(1)", ValidDays: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<b>", `href="javascript:`} {
		if strings.Contains(e.HTML, bad) {
			t.Errorf("HTML contains %q unescaped", bad)
		}
	}
	if !strings.Contains(e.HTML, "Smith &amp; Sons &lt;b&gt;") {
		t.Errorf("HTML does not show the company name escaped")
	}
	if !strings.Contains(e.Text, "Smith & Sons <b> invites you") || !strings.Contains(e.Text, "valid for 1 day and") {
		t.Errorf("text part: %s", e.Text)
	}
}

func TestMailRenderRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind string
		data any
		want string
	}{
		{"unknown kind", "protocol_digest", mail.Invitation{}, `unknown kind "protocol_digest"`},
		{"decision without a link", mail.KindEstimateDecision, mail.EstimateDecision{CompanyName: "C"}, "no link"},
		{"data of another kind", mail.KindPortalReset, mail.Invitation{CompanyName: "C", Link: "https://x", ValidDays: 7}, "needs mail.Reset data"},
		{"nil pointer", mail.KindPortalInvitation, (*mail.Invitation)(nil), "needs mail.Invitation data"},
		{"no link", mail.KindPortalAccessGranted, mail.AccessGranted{CompanyName: "C"}, "no link"},
		{"no company", mail.KindPortalInvitation, mail.Invitation{Link: "https://x", ValidDays: 7}, "no company name"},
		{"no validity", mail.KindPortalReset, mail.Reset{CompanyName: "C", Link: "https://x"}, "no validity period"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mail.Render(tc.kind, tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Render error = %v, want one saying %q", err, tc.want)
			}
		})
	}
}
