package mail_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"portico/internal/mail"
	"portico/internal/testenv"
)

// slovak is an email whose every part carries diacritics.
func slovak(t *testing.T, to string) *mail.Email {
	t.Helper()
	e, err := mail.Render(mail.KindPortalAccessGranted, mail.AccessGranted{
		CompanyName: "Čistá Služba Žilina", ClientName: "Pekáreň Košice", RecipientName: "Ľubomír Šťastný",
		Link: "https://portal.example.com/p/cista/signin",
	})
	if err != nil {
		t.Fatal(err)
	}
	e.To = to
	return e
}

func TestMailSMTPSenderDelivers(t *testing.T) {
	sink := testenv.StartSMTP(t)
	// With a user, the sender authenticates (PLAIN, which it allows on a relay
	// the operator declared unencrypted).
	u, _ := url.Parse(sink.URL())
	u.User = url.UserPassword("portico", "s3cret")
	s, err := mail.NewSMTPSender(u.String())
	if err != nil {
		t.Fatal(err)
	}
	e := slovak(t, "lubomir@pekaren.test")
	if err := s.Send(t.Context(), e); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := sink.WaitFor(t, 1, 5*time.Second)[0]
	for _, c := range []struct{ what, got, want string }{
		{"envelope from", got.From, "no-reply@portico.test"},
		{"envelope to", strings.Join(got.To, ","), "lubomir@pekaren.test"},
		{"auth user", got.User, "portico"},
		{"subject", got.Subject, "You now have access to Pekáreň Košice in the client portal"},
		{"text", got.Text, e.Text},
		{"html", got.HTML, e.HTML},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	raw := string(got.Raw)
	for _, h := range []string{"Content-Type: multipart/alternative", "charset=UTF-8", "From: \"Portico\" <no-reply@portico.test>", "Date: "} {
		if !strings.Contains(raw, h) {
			t.Errorf("raw message lacks %q", h)
		}
	}
	if !strings.HasPrefix(got.MessageID, "<") || !strings.HasSuffix(got.MessageID, "@portico.test>") {
		t.Errorf("Message-ID = %q, want <…@portico.test>", got.MessageID)
	}

	// Every message gets its own Message-ID.
	if err := s.Send(t.Context(), slovak(t, "eva@pekaren.test")); err != nil {
		t.Fatal(err)
	}
	if msgs := sink.WaitFor(t, 2, 5*time.Second); msgs[0].MessageID == msgs[1].MessageID {
		t.Errorf("two messages share Message-ID %s", msgs[0].MessageID)
	}
}

func TestMailSMTPSenderErrors(t *testing.T) {
	sink := testenv.StartSMTP(t)
	u, _ := url.Parse(sink.URL())
	u.User = url.UserPassword("portico", "s3cret")
	s, err := mail.NewSMTPSender(u.String())
	if err != nil {
		t.Fatal(err)
	}

	sink.FailNext(1, 451, "Mailbox busy, try again later")
	err = s.Send(t.Context(), slovak(t, "jan@abc.test"))
	if want := "the mail server refused the message: 451 4.0.0 Mailbox busy, try again later"; err == nil || err.Error() != want {
		t.Errorf("rejected message: error = %v, want %q", err, want)
	}

	sink.Stop()
	err = s.Send(t.Context(), slovak(t, "jan@abc.test"))
	want := "dial tcp " + sink.Addr() + ": connect: connection refused"
	if err == nil || err.Error() != want {
		t.Errorf("server down: error = %v, want %q", err, want)
	}
	if err != nil && strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q shows the password", err)
	}

	// A sender told to insist on STARTTLS refuses a server that cannot do it.
	sink.Start()
	strict, err := mail.NewSMTPSender(strings.Replace(sink.URL(), "tls=none", "tls=starttls", 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := strict.Send(t.Context(), slovak(t, "jan@abc.test")); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("starttls against a plain server: error = %v, want one about STARTTLS", err)
	}
	if n := len(sink.Messages()); n != 0 {
		t.Errorf("sink received %d messages, want none", n)
	}
}

func TestMailSMTPSenderURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want string // String() of the sender, or the error's text
	}{
		{"smtp://mail.example.com?from=no-reply@example.com", "smtp://mail.example.com:587 (tls=starttls, from <no-reply@example.com>)"},
		{"smtp://u:p@mail.example.com?from=Portico%20%3Cno-reply@example.com%3E&tls=tls", `smtp://u@mail.example.com:465 (tls=tls, from "Portico" <no-reply@example.com>)`},
		{"smtp://relay:2525?tls=none&from=a@b.test", "smtp://relay:2525 (tls=none, from <a@b.test>)"},
		{"smtp://u:hunter2@mail.example.com", "mail: the SMTP URL needs a from parameter, e.g. from=Portico%20<no-reply@example.com>"},
		{"smtp://u:hunter2@mail.example.com?from=a@b.test&tls=ssl", `mail: the SMTP URL's tls must be starttls, tls or none, not "ssl"`},
		{"smtp://u:hunter2@mail.example.com:99999?from=a@b.test", `mail: the SMTP URL's port "99999" is not valid`},
		{"smtp://u:hunter2@?from=a@b.test", "mail: the SMTP URL names no host"},
		{"http://mail.example.com?from=a@b.test", `mail: the SMTP URL must start with smtp://, not "http://"`},
		{"smtp://u:hunter2@mail.example.com?from=nobody", `mail: the SMTP URL's from "nobody" is not an email address`},
		{"smtp://u:hunter2@[::1?from=a@b.test", "mail: the SMTP URL is not a valid URL"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			s, err := mail.NewSMTPSender(tc.url)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = s.String()
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if strings.Contains(got, "hunter2") {
				t.Errorf("%q shows the password", got)
			}
		})
	}
}
