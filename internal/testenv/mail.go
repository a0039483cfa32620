package testenv

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"

	"portico/internal/app"
	"portico/internal/mail"
	"portico/internal/web"
)

// ServerOptions changes how StartServerWith builds the server.
type ServerOptions struct {
	// DevMailbox serves the demo mailbox page /app/dev/mailbox.
	DevMailbox bool
	// Log, when set, receives every log line of the server and the app from Info
	// up (t.Log still gets Warn and up), e.g. to check what the logs never hold.
	Log io.Writer
}

// StartServerWith is StartServer with options.
func StartServerWith(t testing.TB, db *DB, opts ServerOptions) *Server {
	t.Helper()
	var h slog.Handler = slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})
	if opts.Log != nil {
		h = slog.NewMultiHandler(h, slog.NewTextHandler(opts.Log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	log := slog.New(h)
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	a := app.New(db.Store, log, base)
	a.Files = testFiles(t)
	srv, err := web.NewServer(web.Config{App: a, Log: log, DevMailbox: opts.DevMailbox})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	return &Server{DB: db, URL: base, App: a}
}

// LogBuffer collects log output from many goroutines.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Mail is the server's outbox worker delivering to a real SMTP server of the
// test. It runs only when the test calls Deliver, so what is sent when is
// deterministic.
type Mail struct {
	t      testing.TB
	Sink   *SMTPSink
	Worker *mail.Worker
}

// StartMail starts an SMTP sink, stopped when t ends, and returns an outbox
// worker of the server that delivers to it over SMTP.
func (s *Server) StartMail(t testing.TB) *Mail {
	t.Helper()
	sink := StartSMTP(t)
	sender, err := mail.NewSMTPSender(sink.URL())
	if err != nil {
		t.Fatal(err)
	}
	return &Mail{t: t, Sink: sink, Worker: s.App.NewMailWorker(sender)}
}

// DevMailWorker returns an outbox worker of the server that files mail in the
// demo mailbox, as `portico demo` does.
func (s *Server) DevMailWorker(t testing.TB) *mail.Worker {
	t.Helper()
	return s.App.NewMailWorker(&mail.DevMailbox{Store: app.DevMailStore{Store: s.Store}, Log: s.App.Log})
}

// Deliver runs the worker until no message is due and returns how many it sent.
// Failed attempts are recorded in the outbox (retrying, with the error), not
// returned; the test fails only when the outbox itself fails.
func (m *Mail) Deliver() int {
	m.t.Helper()
	return DeliverAll(m.t, m.Worker)
}

// DeliverAll runs w until a batch delivers nothing and returns how many it sent.
func DeliverAll(t testing.TB, w *mail.Worker) int {
	t.Helper()
	total := 0
	for range 100 {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatalf("testenv: mail worker: %v", err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
	t.Fatal("testenv: the mail worker still had mail due after 100 batches")
	return total
}

// To returns the messages the sink received for the address (envelope recipient),
// oldest first.
func (m *Mail) To(addr string) []ReceivedMail {
	var out []ReceivedMail
	for _, msg := range m.Sink.Messages() {
		for _, to := range msg.To {
			if to == addr {
				out = append(out, msg)
				break
			}
		}
	}
	return out
}

// Last returns the latest message for the address, failing the test when there is none.
func (m *Mail) Last(addr string) ReceivedMail {
	m.t.Helper()
	msgs := m.To(addr)
	if len(msgs) == 0 {
		m.t.Fatalf("testenv: no mail for %s; the sink has %d messages", addr, len(m.Sink.Messages()))
	}
	return msgs[len(msgs)-1]
}
