// Package mail renders Portico's emails and delivers them from the outbox. A change
// that must send mail only writes an outbox row (in its own transaction); the
// Worker here claims due rows, renders each through a Composer, hands it to a
// Sender (SMTP, or the dev mailbox in demo mode) and records the outcome, retrying
// with backoff. The package knows nothing of the store: app adapts the store to
// Queue and DevStore.
package mail

import (
	"context"
	"errors"
	"time"
)

// Message is one row of the outbox as the worker sees it.
type Message struct {
	ID           int64
	CompanyID    int64
	Kind         string // one of the Kind… constants
	To           string
	PortalUserID int64 // the portal user the message is about; 0 when none
	ClientID     int64 // the client the message is about; 0 when none
	Attempts     int   // attempts made before this one
	// MessageID is the left part of the message's Message-ID, fixed when it was
	// queued, so that every attempt sends the same one; "" for a fresh one each time.
	MessageID string
}

// Email is a rendered message ready to send.
type Email struct {
	CompanyID int64 // the tenant it is sent for; the dev mailbox files it there
	To        string
	Subject   string
	Text      string
	HTML      string
	// MessageID is the left part of the Message-ID header, before "@" and the
	// sender's domain; "" makes the sender pick a fresh one. The worker sets the
	// queued message's, the same on every attempt, so that a receiver can drop a
	// duplicate.
	MessageID string
}

// Queue is the outbox: rows are claimed with a lease, so that of several server
// processes exactly one delivers a row.
type Queue interface {
	// ClaimMail leases up to limit due messages to owner for lease and returns them.
	ClaimMail(ctx context.Context, owner string, lease time.Duration, limit int) ([]Message, error)
	// MailSent records a successful attempt: status 'sent', sent_at. It fails when
	// owner no longer holds the lease.
	MailSent(ctx context.Context, id int64, owner string) error
	// MailFailed records a failed attempt: status 'retrying' due again at retryAt, or
	// 'failed' when final. It fails when owner no longer holds the lease.
	MailFailed(ctx context.Context, id int64, owner, errText string, retryAt time.Time, final bool) error
	// ExtendMail renews owner's lease on those of ids it still holds to now+lease.
	ExtendMail(ctx context.Context, owner string, ids []int64, lease time.Duration) error
}

// Releaser is an optional addition to Queue: a Queue that has it gets back the
// messages a stopping worker claimed but did not start, so that another process
// can deliver them at once instead of after the lease runs out.
type Releaser interface {
	// ReleaseMail ends owner's lease on message id without counting an attempt.
	ReleaseMail(ctx context.Context, id int64, owner string) error
}

// Sender delivers an email.
type Sender interface {
	Send(ctx context.Context, e *Email) error
}

// Composer renders a message, loading what it needs and minting any one-time link
// at that moment (so that no link is stored in the clear, and a retry carries a
// fresh one). Returning an error wrapping ErrDrop marks the message failed without
// retry, e.g. when the recipient's account was deleted.
type Composer func(ctx context.Context, m Message) (*Email, error)

// ErrDrop, wrapped in a Composer's error, says the message can never be sent and
// must not be retried.
var ErrDrop = errors.New("mail: message dropped")
