package app

import (
	"context"
	"fmt"
	"portico/internal/i18n"
	"slices"
	"time"

	"portico/internal/access"
	"portico/internal/auth"
	"portico/internal/domain"
	"portico/internal/mail"
	"portico/internal/store"
)

// ComposeMail renders an outbox message for the mail worker. One-time links are
// minted here, at delivery, so no raw link is ever stored; a retry carries a fresh
// link that supersedes the previous one. A message about an account or a grant that
// no longer exists is dropped.
func (a *App) ComposeMail(ctx context.Context, m mail.Message) (*mail.Email, error) {
	company, err := a.store.Company(ctx, m.CompanyID)
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if m.Kind == store.MailEstimateDecision { // to the tenant, about no portal account
		return a.composeEstimateDecision(ctx, company, m)
	}
	user, err := a.store.Mail(mailPrincipal()).Recipient(ctx, m.CompanyID, m.PortalUserID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, fmt.Errorf("the portal account no longer exists: %w", mail.ErrDrop)
	}
	if err != nil {
		return nil, err
	}
	recipient := ""
	if user.FirstName != "" || user.LastName != "" {
		recipient = user.Name()
	}
	locale := mailLocale(company, user)
	kind := m.Kind
	clientID := m.ClientID
	if (kind == store.MailPortalReset || kind == store.MailPortalResetByStaff) && !user.Activated && len(user.Grants) > 0 {
		// An account never activated has no password to reset: it gets its
		// invitation again, about its first client.
		kind, clientID = store.MailPortalInvitation, user.Grants[0].ClientID
	}
	var e *mail.Email
	switch kind {
	case store.MailPortalInvitation, store.MailPortalAccessGranted, store.MailPortalReminder:
		client, ok := grantedClient(user, clientID)
		if !ok {
			return nil, fmt.Errorf("the account no longer has access to the client: %w", mail.ErrDrop)
		}
		grants, gerr := a.store.PortalGrants(ctx, user.CompanyID, user.ID)
		if gerr != nil {
			return nil, gerr
		}
		// An invitation or a reminder is about the whole portal: it names every
		// client the user may see and counts what all of them hold. Access granted
		// is news of one client: that one and what it holds.
		clients, counted := visibleClients(user, grants), grants
		one := slices.DeleteFunc(slices.Clone(grants), func(g access.ClientAccess) bool { return g.ClientID != clientID })
		if len(one) == 0 {
			return nil, fmt.Errorf("the account no longer has access to the client: %w", mail.ErrDrop)
		}
		if user.Activated && kind == store.MailPortalAccessGranted {
			counted = one
		}
		contents, cerr := a.mailContents(ctx, user, counted)
		if cerr != nil {
			return nil, cerr
		}
		signIn := a.PortalLink(company, "/login")
		switch {
		case !user.Activated: // a resend or a grant before activation still needs the invitation
			link, lerr := a.portalToken(ctx, company, user, store.PurposeActivation, auth.ActivationTTL, "/activate/")
			if lerr != nil {
				return nil, lerr
			}
			e, err = mail.RenderIn(locale, mail.KindPortalInvitation, mail.Invitation{CompanyName: company.Name, ClientName: client,
				Clients: clients, RecipientName: recipient, Link: link, ValidDays: int(auth.ActivationTTL / (24 * time.Hour)), SignIn: signIn, Contents: contents})
		case kind == store.MailPortalReminder:
			e, err = mail.RenderIn(locale, mail.KindPortalReminder, mail.Reminder{CompanyName: company.Name, ClientName: client,
				Clients: clients, RecipientName: recipient, Link: signIn, Contents: contents})
		default:
			e, err = mail.RenderIn(locale, mail.KindPortalAccessGranted, mail.AccessGranted{CompanyName: company.Name, ClientName: client,
				RecipientName: recipient, Link: signIn, Contents: contents})
		}
	case store.MailPortalReset, store.MailPortalResetByStaff:
		link, lerr := a.portalToken(ctx, company, user, store.PurposeReset, auth.ResetTTL, "/reset/")
		if lerr != nil {
			return nil, lerr
		}
		e, err = mail.RenderIn(locale, mail.KindPortalReset, mail.Reset{CompanyName: company.Name, RecipientName: recipient,
			Link: link, ValidMinutes: int(auth.ResetTTL / time.Minute), ByStaff: kind == store.MailPortalResetByStaff})
	default:
		return nil, fmt.Errorf("unknown mail kind %q: %w", m.Kind, mail.ErrDrop)
	}
	if err != nil {
		return nil, err
	}
	// The stored address, never one typed into a form.
	e.To = user.Email
	e.CompanyID = company.ID
	return e, nil
}

// mailLocale is the language of a mail to the portal user: their own choice
// (Account page), else the tenant's. A mail has no browser to ask.
func mailLocale(company *domain.Company, u *domain.PortalUser) string {
	if u == nil {
		return i18n.Resolve("", "", company.Locale)
	}
	return i18n.Resolve(u.Locale, "", company.Locale)
}

// mailContents counts what the user finds in the portal within grants (all of
// theirs, or those of one client), as their Scope is now: the clients' sites
// and switches they may see, and only those.
func (a *App) mailContents(ctx context.Context, u *domain.PortalUser, grants []access.ClientAccess) (mail.Contents, error) {
	if len(grants) == 0 {
		return mail.Contents{}, nil
	}
	c, err := a.store.Portal(portalPrincipal(u, grants)).PortalContents(ctx)
	return mail.Contents(c), err
}

// visibleClients names the clients the user may see, in the order of their
// names: those of the user's grants that their Scope's grants hold too, so a
// mail never names a client the user cannot open.
func visibleClients(u *domain.PortalUser, grants []access.ClientAccess) []string {
	var out []string
	for _, g := range u.Grants {
		if slices.ContainsFunc(grants, func(a access.ClientAccess) bool { return a.ClientID == g.ClientID }) {
			out = append(out, g.ClientName)
		}
	}
	return out
}

func grantedClient(u *domain.PortalUser, clientID int64) (string, bool) {
	for _, g := range u.Grants {
		if g.ClientID == clientID {
			return g.ClientName, true
		}
	}
	return "", false
}

func (a *App) portalToken(ctx context.Context, c *domain.Company, u *domain.PortalUser, purpose string, ttl time.Duration, path string) (string, error) {
	token, hash := auth.NewToken()
	if err := a.store.CreatePortalToken(ctx, c.ID, u.ID, purpose, hash, ttl); err != nil {
		return "", err
	}
	return a.PortalLink(c, path+token), nil
}

// MailQueue adapts the store's outbox to the mail worker.
type MailQueue struct{ Store *store.Store }

// ClaimMail leases due messages to owner.
func (q MailQueue) ClaimMail(ctx context.Context, owner string, lease time.Duration, limit int) ([]mail.Message, error) {
	rows, err := q.Store.Mail(mailPrincipal()).ClaimMail(ctx, owner, lease, limit)
	if err != nil {
		return nil, err
	}
	out := make([]mail.Message, len(rows))
	for i, r := range rows {
		out[i] = mail.Message{ID: r.ID, CompanyID: r.CompanyID, Kind: r.Kind, To: r.To, PortalUserID: r.PortalUserID,
			ClientID: r.ClientID, Attempts: r.Attempts, MessageID: r.MessageID}
	}
	return out, nil
}

// MailSent records a delivery.
func (q MailQueue) MailSent(ctx context.Context, id int64, owner string) error {
	return q.Store.Mail(mailPrincipal()).MailSent(ctx, id, owner)
}

// MailFailed records a failed attempt.
func (q MailQueue) MailFailed(ctx context.Context, id int64, owner, errText string, retryAt time.Time, final bool) error {
	return q.Store.Mail(mailPrincipal()).MailFailed(ctx, id, owner, errText, retryAt, final)
}

// ExtendMail renews a live worker's lease on the messages it still holds.
func (q MailQueue) ExtendMail(ctx context.Context, owner string, ids []int64, lease time.Duration) error {
	return q.Store.Mail(mailPrincipal()).ExtendMail(ctx, owner, ids, lease)
}

// OutboxDepth counts the messages still to be delivered, by status, for the
// outbox depth metric.
func (q MailQueue) OutboxDepth(ctx context.Context) (map[string]int, error) {
	return q.Store.Mail(mailPrincipal()).OutboxDepth(ctx)
}

// ReleaseMail gives back a message a stopping worker did not start.
func (q MailQueue) ReleaseMail(ctx context.Context, id int64, owner string) error {
	return q.Store.Mail(mailPrincipal()).ReleaseMail(ctx, id, owner)
}

// DevMailStore files demo-mode mail in the store's dev mailbox.
type DevMailStore struct{ Store *store.Store }

// AddDevMail stores e in the company's dev mailbox.
func (d DevMailStore) AddDevMail(ctx context.Context, companyID int64, e *mail.Email) error {
	return d.Store.Mail(mailPrincipal()).AddDevMail(ctx, companyID, e.To, e.Subject, e.Text, e.HTML)
}

// NewMailWorker returns the outbox worker delivering through sender.
func (a *App) NewMailWorker(sender mail.Sender) *mail.Worker {
	return &mail.Worker{Queue: MailQueue{Store: a.store}, Compose: a.ComposeMail, Sender: sender, Log: a.Log, Now: a.store.Now}
}
