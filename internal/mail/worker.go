package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"portico/internal/domain"
)

// Worker defaults, used where a Worker field is zero.
const (
	DefaultLease       = 30 * time.Second
	DefaultInterval    = 2 * time.Second
	DefaultBaseBackoff = time.Minute
	DefaultMaxAttempts = 8
	DefaultBatch       = 10

	// maxBackoff caps the wait between attempts.
	maxBackoff = time.Hour
	// attemptTimeout bounds composing and sending one message, also during shutdown.
	attemptTimeout = 30 * time.Second
	// recordTimeout bounds writing an attempt's outcome to the queue.
	recordTimeout = 10 * time.Second
)

// Worker delivers the outbox: it claims due messages with a lease, composes and
// sends each, and records the outcome. A failed attempt is retried after
// BaseBackoff·2^(attempts-1), capped at one hour; after MaxAttempts attempts, or
// when the Composer says ErrDrop, the message is failed for good.
//
// Several workers (in one process or many) may share a Queue: the lease gives each
// message to one of them. The lease is short, and renewed every third of it while
// the worker still holds the message, so that a batch may take as long as it takes
// while the messages of a worker that died are free again within one lease. Delivery
// is at least once — a process that dies between sending and recording leaves a
// message that is sent again when its lease runs out — and every attempt carries the
// message's one Message-ID, so that a receiver can drop the duplicate.
type Worker struct {
	Queue   Queue
	Compose Composer
	Sender  Sender
	Log     *slog.Logger     // slog.Default() when nil
	Now     func() time.Time // the clock for retry times; time.Now when nil
	Metrics *Metrics         // counts attempts by outcome; nil counts nothing

	// Owner names this worker in leases; it must differ between workers. A random
	// name is used when it is empty.
	Owner string
	// Lease is how long a claimed message is reserved for this worker without a
	// renewal (DefaultLease); the worker renews it every Lease/3 while it holds the
	// message. It is how long mail waits after the worker's process dies.
	Lease time.Duration
	// Interval is how often Run looks for due messages (DefaultInterval).
	Interval time.Duration
	// BaseBackoff is the wait after the first failed attempt (DefaultBaseBackoff).
	BaseBackoff time.Duration
	// MaxAttempts is how many attempts a message gets (DefaultMaxAttempts).
	MaxAttempts int
	// Batch is how many messages are claimed at once (DefaultBatch).
	Batch int

	ownerOnce sync.Once
	owner     string
}

// RunOnce claims one batch of due messages and delivers it, returning how many were
// sent. Failed attempts are recorded in the queue, not returned; the error says
// that the queue itself failed (claiming, or recording an outcome). If ctx ends
// mid-batch, the message in hand is finished and the rest released.
func (w *Worker) RunOnce(ctx context.Context) (delivered int, err error) {
	_, delivered, err = w.runBatch(ctx)
	return delivered, err
}

// Run delivers the outbox until ctx ends: a batch every Interval, or at once after a
// full batch. When ctx ends it finishes the message in hand (bounded by 30 s),
// releases the rest of its batch and returns, so a graceful shutdown loses nothing.
func (w *Worker) Run(ctx context.Context) {
	log := w.log()
	log.Info("mail worker started", "owner", w.leaseOwner())
	defer log.Info("mail worker stopped", "owner", w.leaseOwner())
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		claimed, _, err := w.runBatch(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("mail worker", "err", err)
		}
		wait := w.interval()
		if err == nil && claimed == w.batch() {
			wait = 0 // more may be due
		}
		timer.Reset(wait)
	}
}

// runBatch claims and delivers one batch; it reports how many messages it claimed
// and how many it sent.
func (w *Worker) runBatch(ctx context.Context) (claimed, delivered int, err error) {
	if ctx.Err() != nil {
		return 0, 0, nil
	}
	// A claim that commits while its caller gives up would strand the rows until
	// the lease runs out; so the claim runs to the end, and the loop below hands
	// back what shutdown leaves undone.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	msgs, err := w.Queue.ClaimMail(cctx, w.leaseOwner(), w.lease(), w.batch())
	cancel()
	if err != nil {
		return 0, 0, fmt.Errorf("mail: claim: %w", err)
	}
	if len(msgs) == 0 {
		return 0, 0, nil
	}
	held := newHeldSet(msgs)
	stop := w.keepLeases(ctx, held)
	defer stop()
	var errs []error
	for i, m := range msgs {
		if ctx.Err() != nil {
			w.release(ctx, msgs[i:])
			break
		}
		sent, err := w.deliver(ctx, m)
		held.drop(m.ID)
		if sent {
			delivered++
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return len(msgs), delivered, errors.Join(errs...)
}

// heldSet is the ids of the claimed messages a worker has not finished yet.
type heldSet struct {
	mu  sync.Mutex
	ids map[int64]bool
}

func newHeldSet(msgs []Message) *heldSet {
	h := &heldSet{ids: make(map[int64]bool, len(msgs))}
	for _, m := range msgs {
		h.ids[m.ID] = true
	}
	return h
}

func (h *heldSet) drop(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.ids, id)
}

func (h *heldSet) list() []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]int64, 0, len(h.ids))
	for id := range h.ids {
		out = append(out, id)
	}
	return out
}

// keepLeases renews the lease of the messages still held, every third of the
// lease, until the returned stop is called; stop waits for a renewal under way.
// Renewals go on while a shutdown finishes the message in hand: the worker is
// still alive and still holds it.
func (w *Worker) keepLeases(ctx context.Context, held *heldSet) (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		tick := time.NewTicker(w.lease() / 3)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			ids := held.list()
			if len(ids) == 0 {
				continue
			}
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
			err := w.Queue.ExtendMail(rctx, w.leaseOwner(), ids, w.lease())
			cancel()
			if err != nil {
				w.log().Warn("mail lease renewal", "owner", w.leaseOwner(), "messages", len(ids), "err", err)
			}
		}
	}()
	return func() { close(done); <-exited }
}

// deliver makes one attempt at m and records it. It reports whether the message
// went out, and an error when the outcome could not be recorded.
func (w *Worker) deliver(ctx context.Context, m Message) (sent bool, err error) {
	// The attempt outlives ctx: a message being sent when shutdown starts is
	// finished and recorded rather than cut off half-way.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), attemptTimeout)
	defer cancel()
	err = w.attempt(actx, m)
	owner, attempt := w.leaseOwner(), m.Attempts+1
	log := w.log().With("outbox_id", m.ID, "kind", m.Kind, "attempt", attempt)

	if err == nil {
		if rerr := w.record(ctx, func(ctx context.Context) error { return w.Queue.MailSent(ctx, m.ID, owner) }); rerr != nil {
			log.Error("mail sent but not recorded", "err", rerr)
			return true, fmt.Errorf("mail: message %d sent but not recorded: %w", m.ID, rerr)
		}
		w.Metrics.attempt(OutcomeSent)
		log.Info("mail sent")
		return true, nil
	}

	final := attempt >= w.maxAttempts() || errors.Is(err, ErrDrop)
	retryAt := w.now().Add(w.backoff(attempt))
	if rerr := w.record(ctx, func(ctx context.Context) error {
		return w.Queue.MailFailed(ctx, m.ID, owner, err.Error(), retryAt, final)
	}); rerr != nil {
		log.Error("mail attempt failed and not recorded", "err", err, "record_err", rerr)
		return false, fmt.Errorf("mail: message %d failed but not recorded: %w", m.ID, rerr)
	}
	if final {
		w.Metrics.attempt(OutcomeFailed)
		log.Warn("mail failed for good", "err", err)
	} else {
		w.Metrics.attempt(OutcomeRetry)
		log.Warn("mail attempt failed", "err", err, "retry_at", retryAt)
	}
	return false, nil
}

// attempt composes and sends m.
func (w *Worker) attempt(ctx context.Context, m Message) error {
	e, err := w.Compose(ctx, m)
	if err != nil {
		return err
	}
	if e == nil {
		return errors.New("mail: nothing to send")
	}
	if e.To == "" {
		e.To = m.To
	}
	if e.CompanyID == 0 {
		e.CompanyID = m.CompanyID
	}
	if e.MessageID == "" {
		e.MessageID = m.MessageID
	}
	return w.Sender.Send(ctx, e)
}

// record writes an attempt's outcome, retrying a few times: an outcome that is not
// recorded means a duplicate (after a send) or a long wait (after a failure). A
// domain error (the lease was lost, the row is gone) is an answer, not a hiccup.
func (w *Worker) record(ctx context.Context, fn func(ctx context.Context) error) error {
	var err error
	for try := range 3 {
		if try > 0 {
			time.Sleep(time.Duration(try) * 200 * time.Millisecond)
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		err = fn(rctx)
		cancel()
		var de *domain.Error
		if err == nil || errors.As(err, &de) {
			return err
		}
	}
	return err
}

// release hands back claimed messages that were not started.
func (w *Worker) release(ctx context.Context, msgs []Message) {
	r, ok := w.Queue.(Releaser)
	if !ok {
		return // they become due again when the lease runs out
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	for _, m := range msgs {
		if err := r.ReleaseMail(rctx, m.ID, w.leaseOwner()); err != nil {
			w.log().Warn("mail release", "outbox_id", m.ID, "err", err)
		}
	}
}

// backoff is the wait after the attempt-th failed attempt.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.BaseBackoff
	if d <= 0 {
		d = DefaultBaseBackoff
	}
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

func (w *Worker) leaseOwner() string {
	w.ownerOnce.Do(func() {
		w.owner = w.Owner
		if w.owner == "" {
			host, _ := os.Hostname()
			var b [6]byte
			rand.Read(b[:])
			w.owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
		}
	})
	return w.owner
}

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.Default()
	}
	return w.Log
}

func (w *Worker) now() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}

func (w *Worker) lease() time.Duration    { return orDefault(w.Lease, DefaultLease) }
func (w *Worker) interval() time.Duration { return orDefault(w.Interval, DefaultInterval) }
func (w *Worker) maxAttempts() int        { return orDefault(w.MaxAttempts, DefaultMaxAttempts) }
func (w *Worker) batch() int              { return orDefault(w.Batch, DefaultBatch) }

// orDefault returns v, or def when v is not positive.
func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
