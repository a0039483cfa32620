package mail_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"portico/internal/mail"
	"portico/internal/testenv"
)

// depth is the store's outbox count, as app adapts it.
type depth struct{ queue }

func (d depth) OutboxDepth(ctx context.Context) (map[string]int, error) {
	return d.s.Mail(testenv.MailPrincipal()).OutboxDepth(ctx)
}

// The worker counts each attempt by its outcome, and the outbox depth follows
// what is left to deliver.
func TestMailMetrics(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newMailWorld(t, db)
		reg := prometheus.NewRegistry()
		worker := w.worker("w1")
		worker.MaxAttempts = 2
		worker.Metrics = mail.NewMetrics(reg, depth{queue{db.Store}})
		want := func(when string, sent, retry, failed, queued, retrying int) {
			t.Helper()
			var b strings.Builder
			fmt.Fprintf(&b, `
# HELP portico_mail_delivery_attempts_total Outbox delivery attempts made by this process, by outcome: sent, retry (failed, tried again later) or failed (given up).
# TYPE portico_mail_delivery_attempts_total counter
portico_mail_delivery_attempts_total{outcome="failed"} %d
portico_mail_delivery_attempts_total{outcome="retry"} %d
portico_mail_delivery_attempts_total{outcome="sent"} %d
# HELP portico_mail_outbox_depth Outbox messages of every tenant still to be delivered, by status: queued (not yet attempted) or retrying.
# TYPE portico_mail_outbox_depth gauge
portico_mail_outbox_depth{status="queued"} %d
portico_mail_outbox_depth{status="retrying"} %d
`, failed, retry, sent, queued, retrying)
			if err := testutil.GatherAndCompare(reg, strings.NewReader(b.String())); err != nil {
				t.Errorf("%s: %v", when, err)
			}
		}
		w.enqueue(t, 3)
		want("before any attempt", 0, 0, 0, 3, 0)

		w.sink.FailNext(2, 451, "Greylisted, try again later")
		if _, err := worker.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		want("after two greylisted attempts and a delivery", 1, 2, 0, 0, 2)

		db.Clock.Advance(time.Hour)
		w.sink.FailNext(1, 451, "Greylisted, try again later")
		if _, err := worker.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		want("after the last attempts", 2, 2, 1, 0, 0)
	})
}
