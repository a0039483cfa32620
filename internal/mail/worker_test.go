package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"portico/internal/domain"
	"portico/internal/mail"
	"portico/internal/store"
	"portico/internal/testenv"
)

// queue is the store as a mail.Queue, as app adapts it.
type queue struct{ s *store.Store }

func (q queue) ClaimMail(ctx context.Context, owner string, lease time.Duration, limit int) ([]mail.Message, error) {
	rows, err := q.s.Mail(testenv.MailPrincipal()).ClaimMail(ctx, owner, lease, limit)
	out := make([]mail.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, mail.Message(r))
	}
	return out, err
}

func (q queue) MailSent(ctx context.Context, id int64, owner string) error {
	return q.s.Mail(testenv.MailPrincipal()).MailSent(ctx, id, owner)
}

func (q queue) MailFailed(ctx context.Context, id int64, owner, errText string, retryAt time.Time, final bool) error {
	return q.s.Mail(testenv.MailPrincipal()).MailFailed(ctx, id, owner, errText, retryAt, final)
}

func (q queue) ExtendMail(ctx context.Context, owner string, ids []int64, lease time.Duration) error {
	return q.s.Mail(testenv.MailPrincipal()).ExtendMail(ctx, owner, ids, lease)
}

func (q queue) ReleaseMail(ctx context.Context, id int64, owner string) error {
	return q.s.Mail(testenv.MailPrincipal()).ReleaseMail(ctx, id, owner)
}

// compose renders every message as an invitation with a link naming the message.
func compose(_ context.Context, m mail.Message) (*mail.Email, error) {
	e, err := mail.Render(mail.KindPortalInvitation, mail.Invitation{
		CompanyName: "Čistá Služba Žilina", ClientName: "ABC Košice", RecipientName: m.To,
		Link: fmt.Sprintf("https://portal.example.com/activate/%d", m.ID), ValidDays: 7,
	})
	if err != nil {
		return nil, err
	}
	e.To, e.CompanyID = m.To, m.CompanyID
	return e, nil
}

// mailWorld is a tenant with an outbox, a real SMTP server, and a worker factory.
type mailWorld struct {
	db     *testenv.DB
	tenant *testenv.Tenant
	sink   *testenv.SMTPSink
	sender *mail.SMTPSender
}

func newMailWorld(t *testing.T, db *testenv.DB) *mailWorld {
	t.Helper()
	sink := testenv.StartSMTP(t)
	sender, err := mail.NewSMTPSender(sink.URL())
	if err != nil {
		t.Fatal(err)
	}
	return &mailWorld{db: db, tenant: db.Tenant(t, ""), sink: sink, sender: sender}
}

// worker returns a worker on the world's outbox and clock, sending over SMTP.
func (w *mailWorld) worker(owner string) *mail.Worker {
	return &mail.Worker{
		Queue: queue{w.db.Store}, Compose: compose, Sender: w.sender,
		Log: slog.New(slog.DiscardHandler), Now: w.db.Clock.Now,
		Owner: owner, BaseBackoff: time.Minute, Interval: 10 * time.Millisecond,
	}
}

// enqueue queues n invitations to distinct recipients and returns their ids.
func (w *mailWorld) enqueue(t *testing.T, n int) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		id, err := w.db.Store.EnqueueMail(t.Context(), store.OutboxMessage{
			CompanyID: w.tenant.Company.ID, Kind: mail.KindPortalInvitation, To: fmt.Sprintf("user%02d@abc.test", i),
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// states returns the outbox rows' states in the order of ids.
func (w *mailWorld) states(t *testing.T, ids []int64) []store.MailState {
	t.Helper()
	m, err := w.db.Store.Staff(w.tenant.Staff).MailStates(t.Context(), ids)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]store.MailState, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out
}

// wantOncePerRecipient fails unless the sink received exactly one message for each
// of the n recipients.
func wantOncePerRecipient(t *testing.T, got []testenv.ReceivedMail, n int) {
	t.Helper()
	count := map[string]int{}
	for _, m := range got {
		count[strings.Join(m.To, ",")+" "+m.Subject]++
	}
	for i := range n {
		key := fmt.Sprintf("user%02d@abc.test Invitation to the client portal", i)
		if count[key] != 1 {
			t.Errorf("%s received %d times, want once", key, count[key])
		}
		delete(count, key)
	}
	for k, c := range count {
		t.Errorf("unexpected message %s (%d times)", k, c)
	}
}

func TestMailWorkerSMTPDownThenUp(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newMailWorld(t, db)
		w.sink.Stop()
		ids := w.enqueue(t, 10)
		worker := w.worker("w1")

		delivered, err := worker.RunOnce(t.Context())
		if err != nil || delivered != 0 {
			t.Fatalf("RunOnce with SMTP down = %d, %v; want 0, nil", delivered, err)
		}
		for i, st := range w.states(t, ids) {
			if st.Status != store.MailStatusRetrying || st.Attempts != 1 || !strings.Contains(st.LastError, "connection refused") {
				t.Errorf("message %d: %+v, want retrying after 1 attempt with the connection error", i, st)
			}
		}

		w.sink.Start()
		if delivered, err := worker.RunOnce(t.Context()); err != nil || delivered != 0 {
			t.Fatalf("RunOnce before the backoff passed = %d, %v; want 0, nil", delivered, err)
		}
		db.Clock.Advance(time.Minute + time.Second)
		if delivered, err := worker.RunOnce(t.Context()); err != nil || delivered != 10 {
			t.Fatalf("RunOnce with SMTP up = %d, %v; want 10, nil", delivered, err)
		}
		for i, st := range w.states(t, ids) {
			if st.Status != store.MailStatusSent || st.Attempts != 2 || st.LastError != "" {
				t.Errorf("message %d: %+v, want sent on the second attempt", i, st)
			}
		}

		db.Clock.Advance(2 * time.Hour)
		if delivered, err := worker.RunOnce(t.Context()); err != nil || delivered != 0 {
			t.Fatalf("RunOnce after everything went out = %d, %v; want 0, nil", delivered, err)
		}
		wantOncePerRecipient(t, w.sink.Messages(), 10)
	})
}

func TestMailWorkersConcurrent(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newMailWorld(t, db)
		const n = 40
		ids := w.enqueue(t, n)
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		senders := map[string]*countingSender{}
		for _, owner := range []string{"server-a", "server-b"} {
			worker := w.worker(owner)
			worker.Batch = 3
			cs := &countingSender{next: w.sender}
			worker.Sender, senders[owner] = cs, cs
			wg.Go(func() { worker.Run(ctx) })
		}
		w.sink.WaitFor(t, n, 30*time.Second)
		time.Sleep(100 * time.Millisecond) // room for a duplicate, were there one
		cancel()
		wg.Wait()
		wantOncePerRecipient(t, w.sink.Messages(), n)
		for owner, cs := range senders {
			if cs.n.Load() == 0 {
				t.Errorf("%s delivered nothing; the test did not run two workers at once", owner)
			}
		}
		for i, st := range w.states(t, ids) {
			if st.Status != store.MailStatusSent || st.Attempts != 1 {
				t.Errorf("message %d: %+v, want sent on the first attempt", i, st)
			}
		}
	})
}

func TestMailWorkerBackoffAndMaxAttempts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		base  time.Duration
		waits []time.Duration // after attempts 1, 2, 3; the 4th is the last
	}{
		{"doubles", time.Minute, []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute}},
		{"capped at an hour", 40 * time.Minute, []time.Duration{40 * time.Minute, time.Hour, time.Hour}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := testenv.NewDB(t, "sqlite")
			w := newMailWorld(t, db)
			ids := w.enqueue(t, 1)
			worker := w.worker("w1")
			worker.BaseBackoff, worker.MaxAttempts = tc.base, 4
			w.sink.FailNext(100, 451, "Greylisted, try again later")

			for attempt, wait := range tc.waits {
				if _, err := worker.RunOnce(t.Context()); err != nil {
					t.Fatal(err)
				}
				st := w.states(t, ids)[0]
				gap := st.NextAttemptAt.Sub(db.Clock.Now())
				if st.Status != store.MailStatusRetrying || st.Attempts != attempt+1 || gap > wait || gap < wait-5*time.Second {
					t.Fatalf("after attempt %d: %+v, next in %v; want retrying in %v", attempt+1, st, gap, wait)
				}
				if !strings.Contains(st.LastError, "451") || !strings.Contains(st.LastError, "Greylisted") {
					t.Fatalf("last error %q, want the server's reply", st.LastError)
				}
				db.Clock.Advance(wait - 10*time.Second) // not yet
				if _, err := worker.RunOnce(t.Context()); err != nil {
					t.Fatal(err)
				}
				if got := w.states(t, ids)[0].Attempts; got != attempt+1 {
					t.Fatalf("an attempt before the backoff passed (attempts %d)", got)
				}
				db.Clock.Advance(10 * time.Second)
			}
			if _, err := worker.RunOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			if st := w.states(t, ids)[0]; st.Status != store.MailStatusFailed || st.Attempts != 4 {
				t.Fatalf("after MaxAttempts: %+v, want failed after 4 attempts", st)
			}
			db.Clock.Advance(24 * time.Hour)
			if _, err := worker.RunOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			if st := w.states(t, ids)[0]; st.Attempts != 4 {
				t.Fatalf("a failed message was tried again: %+v", st)
			}
		})
	}
}

func TestMailWorkerDropIsFinal(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	w := newMailWorld(t, db)
	ids := w.enqueue(t, 2)
	worker := w.worker("w1")
	composeErr := map[int64]error{
		ids[0]: fmt.Errorf("%w: portal user 7 was deleted", mail.ErrDrop),
		ids[1]: errors.New("store: portal user 8: connection reset"), // a hiccup: try again
	}
	worker.Compose = func(_ context.Context, m mail.Message) (*mail.Email, error) { return nil, composeErr[m.ID] }
	if delivered, err := worker.RunOnce(t.Context()); err != nil || delivered != 0 {
		t.Fatalf("RunOnce = %d, %v; want 0, nil", delivered, err)
	}
	st := w.states(t, ids)
	if st[0].Status != store.MailStatusFailed || st[0].Attempts != 1 || !strings.Contains(st[0].LastError, "portal user 7 was deleted") {
		t.Errorf("dropped message: %+v, want failed at once with the reason", st[0])
	}
	if st[1].Status != store.MailStatusRetrying || !strings.Contains(st[1].LastError, "connection reset") {
		t.Errorf("message whose composing failed: %+v, want retrying", st[1])
	}
	if n := len(w.sink.Messages()); n != 0 {
		t.Errorf("%d messages sent, want none", n)
	}
}

// countingSender counts the emails it passes on, slowly enough that two workers'
// batches interleave.
type countingSender struct {
	next mail.Sender
	n    atomic.Int64
}

func (c *countingSender) Send(ctx context.Context, e *mail.Email) error {
	time.Sleep(5 * time.Millisecond)
	c.n.Add(1)
	return c.next.Send(ctx, e)
}

// blockingSender holds each send until released, to catch the worker mid-send.
type blockingSender struct {
	next    mail.Sender
	started chan string
	release chan struct{}
}

func (b *blockingSender) Send(ctx context.Context, e *mail.Email) error {
	b.started <- e.To
	<-b.release
	if ctx.Err() != nil {
		return fmt.Errorf("send abandoned: %w", ctx.Err())
	}
	return b.next.Send(ctx, e)
}

func TestMailWorkerShutdownFinishesMessageInHand(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newMailWorld(t, db)
		ids := w.enqueue(t, 3)
		worker := w.worker("w1")
		bs := &blockingSender{next: w.sender, started: make(chan string, 1), release: make(chan struct{})}
		worker.Sender = bs
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { defer close(done); worker.Run(ctx) }()

		<-bs.started // the first message is being sent …
		cancel()     // … when the server is told to stop
		close(bs.release)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}

		st := w.states(t, ids)
		if st[0].Status != store.MailStatusSent {
			t.Errorf("message in hand: %+v, want sent", st[0])
		}
		wantOncePerRecipient(t, w.sink.Messages(), 1)
		// The rest were handed back untouched: another server takes them at once.
		for i, s := range st[1:] {
			if s.Status != store.MailStatusQueued || s.Attempts != 0 {
				t.Errorf("message %d: %+v, want still queued", i+1, s)
			}
		}
		next := w.worker("w2")
		if delivered, err := next.RunOnce(t.Context()); err != nil || delivered != 2 {
			t.Fatalf("another worker's RunOnce = %d, %v; want 2, nil", delivered, err)
		}
	})
}

// devStore is the store as a mail.DevStore, as app adapts it.
type devStore struct{ s *store.Store }

func (d devStore) AddDevMail(ctx context.Context, companyID int64, e *mail.Email) error {
	return d.s.Mail(testenv.MailPrincipal()).AddDevMail(ctx, companyID, e.To, e.Subject, e.Text, e.HTML)
}

func TestMailDevMailbox(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	tn := db.Tenant(t, "")
	var logs strings.Builder
	dev := &mail.DevMailbox{Store: devStore{db.Store}, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	e, err := compose(t.Context(), mail.Message{ID: 42, CompanyID: tn.Company.ID, To: "jan@abc.test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.Send(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	got, _, err := db.Store.Staff(tn.Staff).DevMailbox(t.Context(), domain.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].To != "jan@abc.test" || got[0].Subject != e.Subject || got[0].Text != e.Text || got[0].HTML != e.HTML {
		t.Fatalf("dev mailbox = %+v, want the email", got)
	}
	line := logs.String()
	if !strings.Contains(line, "mail delivered to dev mailbox") || !strings.Contains(line, "jan@abc.test") || !strings.Contains(line, "Invitation to the client portal") {
		t.Errorf("log %q lacks the delivery with recipient and subject", line)
	}
	if strings.Contains(line, "activate/42") {
		t.Errorf("log %q shows the one-time link", line)
	}
	if err := dev.Send(t.Context(), &mail.Email{To: "x@y.test"}); err == nil {
		t.Error("an email without a company was filed")
	}
}
