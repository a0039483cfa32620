package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
)

// The use cases of staff giving people portal access: inviting from a client's
// page or its Contacts tab, adding a user on the Users page, changing a user's
// access, disconnecting a user from a client and sending a password reset. Each
// checks the member's permission, then runs as one store transaction in which the
// grant, the queued mail and the audit entry are written together or not at all.

// Invite options of the invitation dialog (seed: "Main email", "Protocol email",
// "Another email").
const (
	InviteMainEmail     = "main"
	InviteProtocolEmail = "protocol"
	InviteAnotherEmail  = "other"
)

// InviteResult says what an invitation did.
type InviteResult struct {
	User    *domain.PortalUser // the invited account with its grants, after the invitation
	Created bool               // a new account was made
	Resent  bool               // the person already had access; the mail was sent again
	MailID  int64              // the outbox row of the mail
}

// InviteClient invites a person to the portal for the client: the client's main
// email, its protocol email, or another address (option is one of the Invite…
// options). See InvitePortalUser for what an invitation does. Needs portal.invite;
// ENOTFOUND for a client of another tenant.
func (a *App) InviteClient(ctx context.Context, staff access.Staff, clientID int64, option, other string) (*InviteResult, error) {
	if err := staff.Require(access.PortalInvite); err != nil {
		return nil, err
	}
	var res *InviteResult
	err := a.store.Staff(staff).Tx(ctx, access.PortalInvite, func(tx *store.StaffTx) error {
		client, err := tx.LockClient(ctx, clientID)
		if err != nil {
			return err
		}
		email, err := invitationAddress(client.Client(), option, other)
		if err != nil {
			return err
		}
		res, err = invite(ctx, tx, client, email, nil)
		return err
	})
	return res, err
}

// invitationAddress is the address the invitation dialog's option chooses.
func invitationAddress(c *domain.Client, option, other string) (string, error) {
	switch option {
	case InviteMainEmail:
		if c.Email == "" {
			return "", invalid("email_choice", "The client has no main email. Choose another email.")
		}
		return c.Email, nil
	case InviteProtocolEmail:
		if c.ProtocolEmail == "" {
			return "", invalid("email_choice", "The client has no protocol email. Choose another email.")
		}
		return c.ProtocolEmail, nil
	case InviteAnotherEmail:
		var v domain.Validator
		v.Required("other_email", other, "Email")
		v.Email("other_email", domain.NormalizeEmail(other))
		return other, v.Err()
	}
	return "", invalid("email_choice", "Choose where to send the invitation.")
}

// InviteContact invites a contact of the client to the portal ("Invite to portal"
// on the Contacts tab); the access is linked to the contact, and a new account
// takes the contact's name. Needs portal.invite; ENOTFOUND for a contact of
// another client or tenant, EINVALID for a contact without an email address.
func (a *App) InviteContact(ctx context.Context, staff access.Staff, clientID, contactID int64) (*InviteResult, error) {
	if err := staff.Require(access.PortalInvite); err != nil {
		return nil, err
	}
	var res *InviteResult
	err := a.store.Staff(staff).Tx(ctx, access.PortalInvite, func(tx *store.StaffTx) error {
		ct, err := tx.Contact(ctx, clientID, contactID)
		if err != nil {
			return err
		}
		if ct.Email == "" {
			return domain.Errorf(domain.EINVALID, "%s has no email address. Add one to the contact first.", ct.Name())
		}
		client, err := tx.LockClient(ctx, clientID)
		if err != nil {
			return err
		}
		res, err = invite(ctx, tx, client, ct.Email, ct)
		return err
	})
	return res, err
}

// InvitePortalUser gives the person with the email access to all sites of the
// client, creating their portal account in the tenant if they have none, and
// queues the mail: an invitation with an activation link for an account without
// a password, an "access granted" note for an active one. Inviting someone who
// already has access sends the mail again. A client has at most
// access.MaxPortalUsersPerClient users; the count is taken under a lock on the
// client, so concurrent invitations cannot make one more, and the one too many
// gets ECONFLICT and changes nothing. Needs portal.invite; ENOTFOUND for a client
// of another tenant.
func (a *App) InvitePortalUser(ctx context.Context, staff access.Staff, clientID int64, email string) (*InviteResult, error) {
	if err := staff.Require(access.PortalInvite); err != nil {
		return nil, err
	}
	if err := validInvitationEmail(email); err != nil {
		return nil, err
	}
	var res *InviteResult
	err := a.store.Staff(staff).Tx(ctx, access.PortalInvite, func(tx *store.StaffTx) error {
		client, err := tx.LockClient(ctx, clientID)
		if err != nil {
			return err
		}
		res, err = invite(ctx, tx, client, email, nil)
		return err
	})
	return res, err
}

func validInvitationEmail(email string) error {
	email = domain.NormalizeEmail(email)
	var v domain.Validator
	v.Required("email", email, "Email")
	v.Email("email", email)
	return v.Err()
}

// invite is the invitation in the caller's transaction, with the client locked;
// contact is the contact invited from the Contacts tab, nil otherwise.
func invite(ctx context.Context, tx *store.StaffTx, client store.LockedClient, email string, contact *domain.Contact) (*InviteResult, error) {
	if err := validInvitationEmail(email); err != nil {
		return nil, err
	}
	email = domain.NormalizeEmail(email)
	clientID := client.Client().ID
	res := &InviteResult{}
	u, err := tx.PortalUserByEmail(ctx, email)
	switch {
	case err == nil:
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		u = &domain.PortalUser{Email: email}
		if contact != nil {
			u.FirstName, u.LastName = contact.FirstName, contact.LastName
		}
		if err := tx.InsertPortalUser(ctx, u); err != nil {
			return nil, err
		}
		res.Created = true
	default:
		return nil, err
	}
	has, err := tx.HasGrant(ctx, u.ID, clientID)
	if err != nil {
		return nil, err
	}
	if has {
		res.Resent = true
		if contact != nil {
			if err := tx.LinkGrantContact(ctx, u.ID, clientID, contact.ID); err != nil {
				return nil, err
			}
		}
	} else {
		if err := checkRoom(ctx, tx, client); err != nil {
			return nil, err
		}
		var contactID int64
		if contact != nil {
			contactID = contact.ID
		}
		if err := tx.InsertGrant(ctx, client, u.ID, contactID); err != nil {
			return nil, err
		}
	}
	kind := store.MailPortalInvitation
	switch {
	case u.Activated && res.Resent:
		kind = store.MailPortalReminder
	case u.Activated:
		kind = store.MailPortalAccessGranted
	}
	if res.MailID, err = tx.EnqueueMail(ctx, store.QueuedMail{Kind: kind, To: u.Email, PortalUserID: u.ID, ClientID: clientID}); err != nil {
		return nil, err
	}
	if err := tx.SetInviteMail(ctx, u.ID, clientID, res.MailID); err != nil {
		return nil, err
	}
	action := "portal.invite"
	if res.Resent {
		action = "portal.resend"
	}
	if err := tx.Audit(ctx, action, fmt.Sprintf("%s → %s", u.Email, client.Client().Name)); err != nil {
		return nil, err
	}
	if res.User, err = tx.PortalUser(ctx, u.ID); err != nil {
		return nil, err
	}
	return res, nil
}

// checkRoom returns ECONFLICT when the locked client already has the most portal
// users allowed.
func checkRoom(ctx context.Context, tx *store.StaffTx, client store.LockedClient) error {
	n, err := tx.CountPortalUsers(ctx, client)
	if err != nil {
		return err
	}
	if n >= access.MaxPortalUsersPerClient {
		return domain.Errorf(domain.ECONFLICT, "%s already has %d portal users, the most a client can have. Disconnect one first.",
			client.Client().Name, access.MaxPortalUsersPerClient)
	}
	return nil
}

// NewPortalUser is a portal user added on the Users page.
type NewPortalUser struct {
	FirstName, LastName, Email string
	ClientIDs                  []int64
	SiteIDs                    []int64 // empty: all sites of the assigned clients
}

// CreatePortalUser adds a portal account with access to the clients — restricted,
// per client, to the chosen sites of that client when any are chosen — and queues
// its invitation, about the first of the clients. The email must be new in the
// tenant (EINVALID otherwise: edit the existing user instead). Each client keeps
// at most access.MaxPortalUsersPerClient users (ECONFLICT). Needs portal.invite.
func (a *App) CreatePortalUser(ctx context.Context, staff access.Staff, n NewPortalUser) (*domain.PortalUser, error) {
	if err := staff.Require(access.PortalInvite); err != nil {
		return nil, err
	}
	n.Email = domain.NormalizeEmail(n.Email)
	n.FirstName, n.LastName = strings.TrimSpace(n.FirstName), strings.TrimSpace(n.LastName)
	n.ClientIDs = uniqueIDs(n.ClientIDs)
	var v domain.Validator
	v.Required("first_name", n.FirstName, "First name")
	v.Required("last_name", n.LastName, "Last name")
	v.MaxLen("first_name", n.FirstName, 100)
	v.MaxLen("last_name", n.LastName, 100)
	v.Required("email", n.Email, "Email")
	v.Email("email", n.Email)
	if len(n.ClientIDs) == 0 {
		v.Add("client_ids", "Assign at least one client.")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *domain.PortalUser
	err := a.store.Staff(staff).Tx(ctx, access.PortalInvite, func(tx *store.StaffTx) error {
		if _, err := tx.PortalUserByEmail(ctx, n.Email); err == nil {
			return fieldError("email", "A portal user with this email already exists. Edit that user to assign more clients.")
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		u := &domain.PortalUser{Email: n.Email, FirstName: n.FirstName, LastName: n.LastName}
		if err := tx.InsertPortalUser(ctx, u); err != nil {
			return err
		}
		if err := setGrants(ctx, tx, u.ID, n.ClientIDs, n.SiteIDs); err != nil {
			return err
		}
		mailID, err := tx.EnqueueMail(ctx, store.QueuedMail{Kind: store.MailPortalInvitation, To: u.Email, PortalUserID: u.ID, ClientID: n.ClientIDs[0]})
		if err != nil {
			return err
		}
		for _, clientID := range n.ClientIDs {
			if err := tx.SetInviteMail(ctx, u.ID, clientID, mailID); err != nil {
				return err
			}
		}
		if err := tx.Audit(ctx, "portal.user.create", u.Email); err != nil {
			return err
		}
		out, err = tx.PortalUser(ctx, u.ID)
		return err
	})
	return out, err
}

// PortalAccessUpdate replaces a portal user's name, clients, site restriction and
// switch narrowing.
type PortalAccessUpdate struct {
	FirstName, LastName string
	ClientIDs           []int64
	SiteIDs             []int64 // empty: all sites of every assigned client
	SwitchIDs           []int64 // empty: all switches of every assigned client
}

// UpdatePortalAccess replaces the user's name, clients, sites and switches in one
// transaction: a bad choice anywhere changes nothing. Grants that stay keep their
// contact link; removing every site (or switch) restores access to all of them.
// At least one client must remain (disconnecting removes the last), and each added
// client keeps at most access.MaxPortalUsersPerClient users (ECONFLICT). Needs
// clients.manage, like the rest of a client's data; ENOTFOUND for a user of
// another tenant.
func (a *App) UpdatePortalAccess(ctx context.Context, staff access.Staff, userID int64, upd PortalAccessUpdate) (*domain.PortalUser, error) {
	if err := staff.Require(access.ClientsManage); err != nil {
		return nil, err
	}
	upd.FirstName, upd.LastName = strings.TrimSpace(upd.FirstName), strings.TrimSpace(upd.LastName)
	var v domain.Validator
	v.MaxLen("first_name", upd.FirstName, 100)
	v.MaxLen("last_name", upd.LastName, 100)
	if len(uniqueIDs(upd.ClientIDs)) == 0 {
		v.Add("client_ids", "Assign at least one client. To remove the last one, disconnect the user on the client's page.")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *domain.PortalUser
	err := a.store.Staff(staff).Tx(ctx, access.ClientsManage, func(tx *store.StaffTx) error {
		u, err := tx.PortalUser(ctx, userID)
		if err != nil {
			return err
		}
		// Taken before the clients change: a removed client takes its switches
		// with it, and that too is a change of the narrowing to record.
		before, err := tx.SwitchGrants(ctx, userID)
		if err != nil {
			return err
		}
		if err := tx.SetPortalUserName(ctx, userID, upd.FirstName, upd.LastName); err != nil {
			return err
		}
		if err := setGrants(ctx, tx, userID, upd.ClientIDs, upd.SiteIDs); err != nil {
			return err
		}
		if err := setSwitchGrants(ctx, tx, userID, before, upd.SwitchIDs); err != nil {
			return err
		}
		if err := tx.Audit(ctx, "portal.access.edit", u.Email); err != nil {
			return err
		}
		out, err = tx.PortalUser(ctx, userID)
		return err
	})
	return out, err
}

// SetPortalSwitchGrants narrows the portal user's access, per client, to the
// chosen switches: a client with none of its switches chosen keeps all of them.
// Each switch must belong to one of the user's clients (EINVALID otherwise).
// Needs clients.manage, like the rest of a user's access; ENOTFOUND for a user of
// another tenant.
func (a *App) SetPortalSwitchGrants(ctx context.Context, staff access.Staff, userID int64, switchIDs []int64) error {
	if err := staff.Require(access.ClientsManage); err != nil {
		return err
	}
	return a.store.Staff(staff).Tx(ctx, access.ClientsManage, func(tx *store.StaffTx) error {
		before, err := tx.SwitchGrants(ctx, userID)
		if err != nil {
			return err
		}
		return setSwitchGrants(ctx, tx, userID, before, switchIDs)
	})
}

// setGrants makes the user's grants exactly clientIDs (adding missing ones under
// the per-client limit, dropping others) and their site restriction exactly
// siteIDs, each of which must be a site of one of those clients.
func setGrants(ctx context.Context, tx *store.StaffTx, userID int64, clientIDs, siteIDs []int64) error {
	clientIDs, siteIDs = uniqueIDs(clientIDs), uniqueIDs(siteIDs)
	current, err := tx.GrantedClients(ctx, userID)
	if err != nil {
		return err
	}
	for _, id := range current {
		if !slices.Contains(clientIDs, id) {
			if err := tx.DeleteGrant(ctx, userID, id); err != nil {
				return err
			}
		}
	}
	for _, id := range clientIDs {
		if slices.Contains(current, id) {
			continue
		}
		client, err := tx.LockClient(ctx, id)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return fieldError("client_ids", "Choose clients of your company.")
		} else if err != nil {
			return err
		}
		if err := checkRoom(ctx, tx, client); err != nil {
			return err
		}
		if err := tx.InsertGrant(ctx, client, userID, 0); err != nil {
			return err
		}
	}
	for _, siteID := range siteIDs {
		clientID, err := tx.SiteClient(ctx, siteID)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		if err != nil || !slices.Contains(clientIDs, clientID) {
			return fieldError("site_ids", "Choose sites of the assigned clients only.")
		}
	}
	return tx.SetSiteGrants(ctx, userID, siteIDs)
}

// setSwitchGrants replaces the user's switch narrowing, before being the one the
// transaction started with, and records a change in the audit log.
func setSwitchGrants(ctx context.Context, tx *store.StaffTx, userID int64, before, switchIDs []int64) error {
	switchIDs = uniqueIDs(switchIDs)
	slices.Sort(switchIDs)
	clients, err := tx.GrantedClients(ctx, userID)
	if err != nil {
		return err
	}
	if len(clients) == 0 {
		return domain.Errorf(domain.ENOTFOUND, "Portal user not found.")
	}
	for _, id := range switchIDs {
		clientID, err := tx.SwitchClient(ctx, id)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		if err != nil || !slices.Contains(clients, clientID) {
			return fieldError("switch_ids", "Choose switches of the assigned clients.")
		}
	}
	if err := tx.SetSwitchGrants(ctx, userID, switchIDs); err != nil {
		return err
	}
	if slices.Equal(before, switchIDs) {
		return nil
	}
	what := "all switches"
	if len(switchIDs) > 0 {
		names := make([]string, len(switchIDs))
		for i, id := range switchIDs {
			names[i] = fmt.Sprintf("#%d", id)
		}
		what = "switches " + strings.Join(names, ", ")
	}
	return tx.Audit(ctx, "portal.access.switches", fmt.Sprintf("Portal user #%d: %s", userID, what))
}

// DisconnectPortalUser removes the user's access to the client. An account left
// without any client is deleted at once, with its sessions, links and queued mail,
// and the deletion recorded in the audit log (portal.user.delete, naming its
// email); deleted reports that. Needs clients.manage; ENOTFOUND when the user, in the
// member's tenant, has no access to the client.
func (a *App) DisconnectPortalUser(ctx context.Context, staff access.Staff, clientID, userID int64) (deleted bool, err error) {
	if err := staff.Require(access.ClientsManage); err != nil {
		return false, err
	}
	err = a.store.Staff(staff).Tx(ctx, access.ClientsManage, func(tx *store.StaffTx) error {
		u, err := tx.PortalUser(ctx, userID)
		if err != nil {
			return err
		}
		if err := tx.DeleteGrant(ctx, userID, clientID); err != nil {
			return err
		}
		clientName := fmt.Sprintf("client #%d", clientID)
		for _, g := range u.Grants {
			if g.ClientID == clientID {
				clientName = g.ClientName
			}
		}
		if err := tx.Audit(ctx, "portal.disconnect", u.Email+" from "+clientName); err != nil {
			return err
		}
		if len(u.Grants) == 1 {
			// The deletion is audited with the account's email: nothing else of it remains.
			if err := tx.DeletePortalUser(ctx, userID, "no client left"); err != nil {
				return err
			}
			deleted = true
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return deleted, nil
}

// SendPortalReset queues a password reset mail for the tenant's portal user,
// recorded in the audit log. Needs portal.invite; ENOTFOUND for a user of
// another tenant.
func (a *App) SendPortalReset(ctx context.Context, staff access.Staff, userID int64) error {
	if err := staff.Require(access.PortalInvite); err != nil {
		return err
	}
	return a.store.Staff(staff).Tx(ctx, access.PortalInvite, func(tx *store.StaffTx) error {
		u, err := tx.PortalUser(ctx, userID)
		if err != nil {
			return err
		}
		if _, err := tx.EnqueueMail(ctx, store.QueuedMail{Kind: store.MailPortalResetByStaff, To: u.Email, PortalUserID: u.ID}); err != nil {
			return err
		}
		return tx.Audit(ctx, "portal.reset", u.Email)
	})
}

// invalid is EINVALID whose message is the one field's problem, for a form with
// one choice.
func invalid(field, msg string) error {
	return &domain.Error{Code: domain.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// fieldError is EINVALID pointing at one field of a larger form.
func fieldError(field, msg string) error {
	return &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.", Fields: map[string]string{field: msg}}
}

// uniqueIDs drops non-positive and repeated ids, keeping the first order.
func uniqueIDs(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
