package mail_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"portico/internal/mail"
	"portico/internal/store"
	"portico/internal/testenv"
)

// errKilled is what a killed process's writes amount to: nothing reaches the database.
var errKilled = errors.New("the process was killed")

// killableQueue is a worker's view of the outbox that goes dead on kill, as the
// database connection of a killed process does: no outcome, lease renewal or
// release gets through any more.
type killableQueue struct {
	queue
	dead atomic.Bool
}

func (q *killableQueue) kill() { q.dead.Store(true) }

func (q *killableQueue) ClaimMail(ctx context.Context, owner string, lease time.Duration, limit int) ([]mail.Message, error) {
	if q.dead.Load() {
		return nil, errKilled
	}
	return q.queue.ClaimMail(ctx, owner, lease, limit)
}

func (q *killableQueue) MailSent(ctx context.Context, id int64, owner string) error {
	if q.dead.Load() {
		return errKilled
	}
	return q.queue.MailSent(ctx, id, owner)
}

func (q *killableQueue) MailFailed(ctx context.Context, id int64, owner, errText string, retryAt time.Time, final bool) error {
	if q.dead.Load() {
		return errKilled
	}
	return q.queue.MailFailed(ctx, id, owner, errText, retryAt, final)
}

func (q *killableQueue) ReleaseMail(ctx context.Context, id int64, owner string) error {
	if q.dead.Load() {
		return errKilled
	}
	return q.queue.ReleaseMail(ctx, id, owner)
}

func (q *killableQueue) ExtendMail(ctx context.Context, owner string, ids []int64, lease time.Duration) error {
	if q.dead.Load() {
		return errKilled
	}
	return q.queue.ExtendMail(ctx, owner, ids, lease)
}

// frozenSender stands for a process that stops mid-send: it announces the first
// send, then holds it until thawed and sends nothing, ever.
type frozenSender struct {
	started chan struct{}
	thaw    chan struct{}
	once    atomic.Bool
}

func (f *frozenSender) Send(context.Context, *mail.Email) error {
	if f.once.CompareAndSwap(false, true) {
		close(f.started)
	}
	<-f.thaw
	return errKilled
}

// A worker killed after claiming a batch holds its messages only for the short
// lease it no longer renews: a new worker delivers all of them, once each, about
// half a minute later, not ten minutes later.
func TestMailWorkerKilledMidBatch(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newMailWorld(t, db)
		ids := w.enqueue(t, 10)

		dead := &killableQueue{queue: queue{db.Store}}
		frozen := &frozenSender{started: make(chan struct{}), thaw: make(chan struct{})}
		victim := w.worker("victim")
		victim.Queue, victim.Sender = dead, frozen
		victimCtx, stopVictim := context.WithCancel(context.Background())
		victimDone := make(chan struct{})
		go func() { defer close(victimDone); victim.RunOnce(victimCtx) }()
		<-frozen.started // the batch is claimed, the first message in hand …
		dead.kill()      // … when the process is killed
		defer func() { stopVictim(); close(frozen.thaw); <-victimDone }()

		heir := w.worker("heir")
		if delivered, err := heir.RunOnce(t.Context()); err != nil || delivered != 0 {
			t.Fatalf("at once after the kill: %d delivered (%v); want none, the lease still holds", delivered, err)
		}
		db.Clock.Advance(31 * time.Second)
		delivered, err := heir.RunOnce(t.Context())
		if err != nil || delivered != 10 {
			t.Fatalf("31 s after the kill: %d delivered (%v), want all 10", delivered, err)
		}
		wantOncePerRecipient(t, w.sink.Messages(), 10)
		for i, st := range w.states(t, ids) {
			if st.Status != store.MailStatusSent || st.Attempts != 1 {
				t.Errorf("message %d: %+v, want sent on the first recorded attempt", i, st)
			}
		}
	})
}

// slowSender holds every send for a while before passing it on: a batch that
// takes longer than the lease. It announces the first send.
type slowSender struct {
	next    mail.Sender
	wait    time.Duration
	started chan struct{}
	once    atomic.Bool
}

func (s *slowSender) Send(ctx context.Context, e *mail.Email) error {
	if s.once.CompareAndSwap(false, true) {
		close(s.started)
	}
	time.Sleep(s.wait)
	return s.next.Send(ctx, e)
}

// A worker that is alive keeps renewing the lease of the messages it still holds,
// however long its batch takes, so a second worker never sends them twice.
func TestMailWorkerRenewsLeaseWhileAlive(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newMailWorld(t, db)
		ids := w.enqueue(t, 3)
		slow := w.worker("slow")
		sender := &slowSender{next: w.sender, wait: time.Second, started: make(chan struct{})}
		// The batch takes twice the lease: only renewals keep it.
		slow.Lease, slow.Sender = 1500*time.Millisecond, sender
		done := make(chan int)
		go func() {
			n, err := slow.RunOnce(context.Background())
			if err != nil {
				t.Error(err)
			}
			done <- n
		}()

		<-sender.started // the slow worker holds the batch
		other := w.worker("other")
		stolen := 0
	poll:
		for {
			select {
			case n := <-done:
				if n != 3 {
					t.Errorf("the slow worker delivered %d, want its whole batch of 3", n)
				}
				break poll
			case <-time.After(50 * time.Millisecond):
				n, err := other.RunOnce(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				stolen += n
			}
		}
		if stolen != 0 {
			t.Errorf("another worker took %d messages the slow one still held", stolen)
		}
		wantOncePerRecipient(t, w.sink.Messages(), 3)
		for i, st := range w.states(t, ids) {
			if st.Status != store.MailStatusSent || st.Attempts != 1 {
				t.Errorf("message %d: %+v, want sent once", i, st)
			}
		}
	})
}

// Every message has one Message-ID, fixed when it is queued: a retry after a
// failed attempt carries the same one, so a receiver that got the first copy
// after all can drop the second; two messages never share one.
func TestMailMessageIDStableAcrossRetries(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newMailWorld(t, db)
		ids := w.enqueue(t, 2)
		worker := w.worker("w1")
		w.sink.FailNext(2, 451, "Try again later")
		if delivered, err := worker.RunOnce(t.Context()); err != nil || delivered != 0 {
			t.Fatalf("first attempt: %d delivered (%v), want none", delivered, err)
		}
		db.Clock.Advance(time.Minute + time.Second)
		if delivered, err := worker.RunOnce(t.Context()); err != nil || delivered != 2 {
			t.Fatalf("second attempt: %d delivered (%v), want 2", delivered, err)
		}
		first, second := w.sink.Rejected(), w.sink.Messages()
		if len(first) != 2 || len(second) != 2 {
			t.Fatalf("%d rejected and %d received, want 2 and 2", len(first), len(second))
		}
		byRecipient := map[string]string{}
		for _, m := range first {
			if m.MessageID == "" {
				t.Fatalf("a message without Message-ID:\n%s", m.Raw)
			}
			byRecipient[m.To[0]] = m.MessageID
		}
		for _, m := range second {
			if got, want := m.MessageID, byRecipient[m.To[0]]; got != want {
				t.Errorf("to %s: retry sent Message-ID %q, first attempt %q", m.To[0], got, want)
			}
		}
		if second[0].MessageID == second[1].MessageID {
			t.Errorf("two messages share the Message-ID %q", second[0].MessageID)
		}
		for i, st := range w.states(t, ids) {
			if st.Status != store.MailStatusSent || st.Attempts != 2 {
				t.Errorf("message %d: %+v, want sent on the second attempt", i, st)
			}
		}
	})
}
