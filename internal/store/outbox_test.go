package store_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// enqueue puts a portal invitation to addr in the tenant's outbox.
func enqueue(t testing.TB, db *testenv.DB, tn *testenv.Tenant, addr string) int64 {
	t.Helper()
	id, err := db.Store.EnqueueMail(t.Context(), store.OutboxMessage{
		CompanyID: tn.Company.ID, Kind: "portal_invitation", To: addr, PortalUserID: 7, ClientID: 9,
	})
	if err != nil {
		t.Fatalf("EnqueueMail(%s): %v", addr, err)
	}
	return id
}

// claim claims for owner and returns the ids, failing the test on error.
func claim(t testing.TB, db *testenv.DB, owner string, lease time.Duration, limit int) []int64 {
	t.Helper()
	msgs, err := db.Store.Mail(testenv.MailPrincipal()).ClaimMail(t.Context(), owner, lease, limit)
	if err != nil {
		t.Fatalf("ClaimMail(%s): %v", owner, err)
	}
	var ids []int64
	for _, m := range msgs {
		ids = append(ids, m.ID)
	}
	return ids
}

// mailState returns the state of one outbox row of the tenant.
func mailState(t testing.TB, db *testenv.DB, tn *testenv.Tenant, id int64) store.MailState {
	t.Helper()
	states, err := db.Store.Staff(tn.Staff).MailStates(t.Context(), []int64{id})
	if err != nil {
		t.Fatalf("MailStates: %v", err)
	}
	st, ok := states[id]
	if !ok {
		t.Fatalf("MailStates: no state for %d", id)
	}
	return st
}

// attemptErrors lists the recorded attempts of an outbox row, by their error text.
func attemptErrors(t testing.TB, db *testenv.DB, id int64) []string {
	t.Helper()
	raw := rawDB(t, db)
	q := `SELECT error FROM outbox_attempts WHERE outbox_id = ? ORDER BY id`
	if db.Engine == "postgres" {
		q = strings.Replace(q, "?", "$1", 1)
	}
	rows, err := raw.QueryContext(t.Context(), q, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// rawDB opens a second handle on the test database, for what the store's API does
// not offer from outside: a transaction of the caller's, a look at raw rows.
func rawDB(t testing.TB, db *testenv.DB) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", db.URL
	if db.Engine == "sqlite" {
		driver, dsn = "sqlite", "file:"+strings.TrimPrefix(db.URL, "sqlite:")+"?_pragma=busy_timeout(10000)"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func TestOutboxLease(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn := db.Tenant(t, "")
		id := enqueue(t, db, tn, "jan@abc.test")
		if st := mailState(t, db, tn, id); st.Status != store.MailStatusQueued || st.Attempts != 0 {
			t.Fatalf("new message: %+v, want queued with no attempts", st)
		}

		msgs, err := db.Store.Mail(testenv.MailPrincipal()).ClaimMail(ctx, "a", time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 || len(msgs[0].MessageID) != 32 {
			t.Fatalf("claim by a = %+v, want one message with its Message-ID", msgs)
		}
		want := store.OutboxMessage{ID: id, CompanyID: tn.Company.ID, Kind: "portal_invitation", To: "jan@abc.test", PortalUserID: 7, ClientID: 9,
			MessageID: msgs[0].MessageID}
		if msgs[0] != want {
			t.Fatalf("claim by a = %+v, want [%+v]", msgs, want)
		}
		if got := claim(t, db, "b", time.Minute, 10); len(got) != 0 {
			t.Fatalf("claim by b while a holds the lease = %v, want nothing", got)
		}

		db.Clock.Advance(time.Minute + time.Second) // a died; its lease ran out
		again, err := db.Store.Mail(testenv.MailPrincipal()).ClaimMail(ctx, "b", time.Minute, 10)
		if err != nil || len(again) != 1 || again[0].ID != id {
			t.Fatalf("claim by b after the lease ran out = %+v, %v; want [%d]", again, err, id)
		}
		if again[0].MessageID != want.MessageID {
			t.Fatalf("the second claim's Message-ID %q, want the first's %q", again[0].MessageID, want.MessageID)
		}
		wantCode(t, db.Store.Mail(testenv.MailPrincipal()).MailSent(ctx, id, "a"), domain.ECONFLICT) // a woke up, too late
		if st := mailState(t, db, tn, id); st.Status != store.MailStatusQueued {
			t.Fatalf("after the stale owner's MailSent: status %q, want queued", st.Status)
		}
		wantCode(t, db.Store.Mail(testenv.MailPrincipal()).MailSent(ctx, id, "b"), "")

		st := mailState(t, db, tn, id)
		if st.Status != store.MailStatusSent || st.Attempts != 1 || st.LastError != "" || db.Store.Now().Sub(st.SentAt).Abs() > 5*time.Second {
			t.Fatalf("after MailSent: %+v, want sent once, now", st)
		}
		// Both attempts happened, and both are on record.
		if got := attemptErrors(t, db, id); !slices.Equal(got, []string{"", ""}) {
			t.Fatalf("attempts = %q, want two successful ones", got)
		}
		db.Clock.Advance(time.Hour)
		if got := claim(t, db, "c", time.Minute, 10); len(got) != 0 {
			t.Fatalf("claim after sending = %v, want nothing", got)
		}
		wantCode(t, db.Store.Mail(testenv.MailPrincipal()).MailSent(ctx, id, "b"), domain.ECONFLICT) // sent is final
		wantCode(t, db.Store.Mail(testenv.MailPrincipal()).MailSent(ctx, 987654, "b"), domain.ENOTFOUND)
	})
}

// A live owner's renewal keeps the message past its first lease; a renewal by
// anyone else, or of a message already finished, changes nothing.
func TestOutboxExtendLease(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn := db.Tenant(t, "")
		mine, theirs := enqueue(t, db, tn, "jan@abc.test"), enqueue(t, db, tn, "eva@abc.test")
		view := db.Store.Mail(testenv.MailPrincipal())
		if got := claim(t, db, "a", 30*time.Second, 1); !slices.Equal(got, []int64{mine}) {
			t.Fatalf("claim by a = %v, want [%d]", got, mine)
		}
		if got := claim(t, db, "b", 30*time.Second, 1); !slices.Equal(got, []int64{theirs}) {
			t.Fatalf("claim by b = %v, want [%d]", got, theirs)
		}
		for range 3 {
			db.Clock.Advance(20 * time.Second)
			// a renews both; only its own lease moves.
			wantCode(t, view.ExtendMail(ctx, "a", []int64{mine, theirs}, 30*time.Second), "")
		}
		// 60 s after the claims: a's message is still a's, b's (never renewed) is free.
		if got := claim(t, db, "c", 30*time.Second, 10); !slices.Equal(got, []int64{theirs}) {
			t.Fatalf("claim by c after a renewed = %v, want only [%d]", got, theirs)
		}
		wantCode(t, view.MailSent(ctx, mine, "a"), "")
		wantCode(t, view.ExtendMail(ctx, "a", []int64{mine}, time.Hour), "")
		wantCode(t, view.ExtendMail(ctx, "a", nil, time.Hour), "")
		db.Clock.Advance(time.Hour)
		if st := mailState(t, db, tn, mine); st.Status != store.MailStatusSent {
			t.Fatalf("after a renewal of a sent message: %+v, want still sent", st)
		}
	})
}

func TestOutboxRetryThenFail(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn := db.Tenant(t, "")
		id := enqueue(t, db, tn, "jan@abc.test")

		claim(t, db, "a", time.Minute, 1)
		retryAt := db.Store.Now().Add(5 * time.Minute).Truncate(time.Microsecond)
		wantCode(t, db.Store.Mail(testenv.MailPrincipal()).MailFailed(ctx, id, "a", "dial tcp 127.0.0.1:2525: connect: connection refused", retryAt, false), "")
		st := mailState(t, db, tn, id)
		if st.Status != store.MailStatusRetrying || st.Attempts != 1 || !strings.Contains(st.LastError, "connection refused") || !st.NextAttemptAt.Equal(retryAt) {
			t.Fatalf("after a failed attempt: %+v, want retrying at %v with the error", st, retryAt)
		}
		if got := claim(t, db, "b", time.Minute, 10); len(got) != 0 {
			t.Fatalf("claim before the retry is due = %v, want nothing", got)
		}

		db.Clock.Advance(5 * time.Minute)
		msgs, err := db.Store.Mail(testenv.MailPrincipal()).ClaimMail(ctx, "b", time.Minute, 10)
		if err != nil || len(msgs) != 1 || msgs[0].Attempts != 1 {
			t.Fatalf("claim when due = %+v, %v; want the message with 1 attempt", msgs, err)
		}
		wantCode(t, db.Store.Mail(testenv.MailPrincipal()).MailFailed(ctx, id, "b", "554 no such mailbox", db.Store.Now().Add(time.Hour), true), "")
		st = mailState(t, db, tn, id)
		if st.Status != store.MailStatusFailed || st.Attempts != 2 || st.LastError != "554 no such mailbox" {
			t.Fatalf("after the final attempt: %+v, want failed after 2 attempts", st)
		}
		db.Clock.Advance(2 * time.Hour)
		if got := claim(t, db, "c", time.Minute, 10); len(got) != 0 {
			t.Fatalf("claim of a failed message = %v, want nothing", got)
		}
		if got := attemptErrors(t, db, id); !slices.Equal(got, []string{"dial tcp 127.0.0.1:2525: connect: connection refused", "554 no such mailbox"}) {
			t.Fatalf("attempts = %q", got)
		}
	})
}

// The outbox depth counts what is still to be delivered, of every tenant.
func TestOutboxDepth(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		view := db.Store.Mail(testenv.MailPrincipal())
		depth := func() map[string]int {
			t.Helper()
			d, err := view.OutboxDepth(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if d := depth(); d[store.MailStatusQueued] != 0 || d[store.MailStatusRetrying] != 0 || len(d) != 2 {
			t.Fatalf("empty outbox: depth %v, want queued 0 and retrying 0", d)
		}
		a, b := db.Tenant(t, ""), db.Tenant(t, "")
		first := enqueue(t, db, a, "jan@abc.test")
		enqueue(t, db, a, "eva@abc.test")
		sent := enqueue(t, db, b, "ivo@xyz.test")
		claim(t, db, "w", time.Minute, 10)
		wantCode(t, view.MailFailed(ctx, first, "w", "421 try later", db.Store.Now().Add(time.Minute), false), "")
		wantCode(t, view.MailSent(ctx, sent, "w"), "")
		// One retrying, one queued (claimed, but not yet attempted), one sent.
		if d := depth(); d[store.MailStatusQueued] != 1 || d[store.MailStatusRetrying] != 1 {
			t.Fatalf("depth %v, want queued 1 and retrying 1", d)
		}
	})
}

func TestOutboxReleaseMail(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn := db.Tenant(t, "")
		id := enqueue(t, db, tn, "jan@abc.test")
		claim(t, db, "a", time.Hour, 1)
		wantCode(t, db.Store.Mail(testenv.MailPrincipal()).ReleaseMail(ctx, id, "b"), "") // not b's to release: no effect
		if got := claim(t, db, "b", time.Hour, 1); len(got) != 0 {
			t.Fatalf("claim after a stranger's release = %v, want nothing", got)
		}
		wantCode(t, db.Store.Mail(testenv.MailPrincipal()).ReleaseMail(ctx, id, "a"), "")
		if got := claim(t, db, "b", time.Hour, 1); !slices.Equal(got, []int64{id}) {
			t.Fatalf("claim after release = %v, want [%d]", got, id)
		}
		if st := mailState(t, db, tn, id); st.Attempts != 0 {
			t.Fatalf("release counted an attempt: %+v", st)
		}
	})
}

// Several processes claim at once; each message goes to exactly one of them.
func TestOutboxConcurrentClaims(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn := db.Tenant(t, "")
		const messages, claimers = 40, 6
		for i := range messages {
			enqueue(t, db, tn, fmt.Sprintf("user%d@abc.test", i))
		}
		var mu sync.Mutex
		owners := map[int64][]string{}
		var wg sync.WaitGroup
		for c := range claimers {
			owner := fmt.Sprintf("worker-%d", c)
			wg.Go(func() {
				for range 20 {
					msgs, err := db.Store.Mail(testenv.MailPrincipal()).ClaimMail(t.Context(), owner, time.Hour, 3)
					if err != nil {
						t.Errorf("ClaimMail(%s): %v", owner, err)
						return
					}
					mu.Lock()
					for _, m := range msgs {
						owners[m.ID] = append(owners[m.ID], owner)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(owners) != messages {
			t.Errorf("%d of %d messages claimed", len(owners), messages)
		}
		for id, o := range owners {
			if len(o) != 1 {
				t.Errorf("message %d claimed by %v, want exactly one owner", id, o)
			}
		}
	})
}

func TestOutboxCancelMailTo(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn := db.Tenant(t, "")
		other := db.Tenant(t, "")
		queued := enqueue(t, db, tn, "jan@abc.test") // about portal user 7
		inFlight := enqueue(t, db, tn, "jan@abc.test")
		sent := enqueue(t, db, tn, "jan@abc.test")
		otherUser, err := db.Store.EnqueueMail(ctx, store.OutboxMessage{CompanyID: tn.Company.ID, Kind: "portal_reset", To: "eva@abc.test", PortalUserID: 8})
		if err != nil {
			t.Fatal(err)
		}
		otherTenant := enqueue(t, db, other, "jan@abc.test") // same user id, another tenant

		// w claims the first three: sent goes out, queued is handed back, and
		// inFlight is being sent when the user is disconnected.
		if got := claim(t, db, "w", time.Hour, 3); len(got) != 3 {
			t.Fatalf("claim = %v, want the first three", got)
		}
		wantCode(t, db.Store.Mail(testenv.MailPrincipal()).MailSent(ctx, sent, "w"), "")
		wantCode(t, db.Store.Mail(testenv.MailPrincipal()).ReleaseMail(ctx, queued, "w"), "")

		raw := rawDB(t, db)
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Store.CancelMailTo(ctx, tx, tn.Company.ID, 7); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}

		// The message in flight still went out, and says so.
		wantCode(t, db.Store.Mail(testenv.MailPrincipal()).MailSent(ctx, inFlight, "w"), "")
		states, err := db.Store.Staff(tn.Staff).MailStates(ctx, []int64{queued, inFlight, sent, otherUser, otherTenant})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]string{}
		for id, st := range states {
			got[id] = st.Status
		}
		want := map[int64]string{
			queued:    store.MailStatusCancelled,
			inFlight:  store.MailStatusSent,
			sent:      store.MailStatusSent,
			otherUser: store.MailStatusQueued,
			// otherTenant is another company's: absent.
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("statuses = %v, want %v", got, want)
		}
		db.Clock.Advance(2 * time.Hour)
		if got := claim(t, db, "w2", time.Hour, 10); !slices.Equal(got, []int64{otherUser, otherTenant}) {
			t.Fatalf("claim after cancelling = %v, want [%d %d]", got, otherUser, otherTenant)
		}
	})
}

func TestOutboxEnqueueInvalid(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn := db.Tenant(t, "")
		for _, m := range []store.OutboxMessage{
			{CompanyID: tn.Company.ID, Kind: "portal_invitation", To: " "},
			{CompanyID: tn.Company.ID, To: "jan@abc.test"},
		} {
			_, err := db.Store.EnqueueMail(t.Context(), m)
			wantCode(t, err, domain.EINVALID)
		}
	})
}

func TestDevMailbox(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := t.Context()
		tn, other := db.Tenant(t, ""), db.Tenant(t, "")
		for i := range 3 {
			if err := db.Store.Mail(testenv.MailPrincipal()).AddDevMail(ctx, tn.Company.ID, "jan@abc.test", fmt.Sprintf("Subject %d – Košice", i), "text", "<p>html</p>"); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Store.Mail(testenv.MailPrincipal()).AddDevMail(ctx, other.Company.ID, "x@other.test", "Other", "t", "h"); err != nil {
			t.Fatal(err)
		}
		page, info, err := db.Store.Staff(tn.Staff).DevMailbox(ctx, domain.ListOptions{PerPage: 2})
		if err != nil {
			t.Fatal(err)
		}
		var subjects []string
		for _, m := range page {
			subjects = append(subjects, m.Subject)
			if m.CompanyID != tn.Company.ID || m.To != "jan@abc.test" || m.Text != "text" || m.HTML != "<p>html</p>" || m.DeliveredAt.IsZero() {
				t.Errorf("dev mail %+v", m)
			}
		}
		if !slices.Equal(subjects, []string{"Subject 2 – Košice", "Subject 1 – Košice"}) || info.Total != 3 || !info.HasNext() {
			t.Fatalf("first page = %q (%+v), want the newest two of three", subjects, info)
		}
	})
}
