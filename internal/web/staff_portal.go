package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/store"
)

// accessRow is one portal user on a client's Portal access card.
type accessRow struct {
	User  *domain.PortalUser
	Grant domain.Grant
	Mail  *store.MailState // the latest invitation mail, nil if none
}

// portalAccess is the Portal access card of a client's page.
type portalAccess struct {
	Rows []accessRow
	Max  int
}

// Full reports whether the client has the most portal users allowed.
func (p portalAccess) Full() bool { return len(p.Rows) >= p.Max }

func (s *Server) portalAccessOf(r *http.Request, clientID int64) (portalAccess, error) {
	users, err := s.staffView(r).ClientPortalUsers(r.Context(), clientID)
	if err != nil {
		return portalAccess{}, err
	}
	var mailIDs []int64
	out := portalAccess{Max: access.MaxPortalUsersPerClient}
	for _, u := range users {
		row := accessRow{User: u}
		for _, g := range u.Grants {
			if g.ClientID == clientID {
				row.Grant = g
				if g.InviteMail != 0 {
					mailIDs = append(mailIDs, g.InviteMail)
				}
			}
		}
		out.Rows = append(out.Rows, row)
	}
	states, err := s.staffView(r).MailStates(r.Context(), mailIDs)
	if err != nil {
		return portalAccess{}, err
	}
	for i := range out.Rows {
		if st, ok := states[out.Rows[i].Grant.InviteMail]; ok {
			out.Rows[i].Mail = &st
		}
	}
	return out, nil
}

// maxInviters is how many of the people who may invite a note names; a
// company with more has an administrator to ask.
const maxInviters = 3

// withInviteHints fills what the places that invite a client say besides the
// form: to a member without portal.invite, who has it; to one with it, whether
// the client has no completed protocol yet (a hint, never a block: the product
// suggests inviting after the first protocol).
func (s *Server) withInviteHints(r *http.Request, p *clientTabPage) error {
	view := s.staffView(r)
	if !who(r).Can(access.PortalInvite) {
		names, err := view.StaffNamesWith(r.Context(), access.PortalInvite)
		if len(names) <= maxInviters {
			p.Inviters = names
		}
		return err
	}
	// A client with projects (and their switches) has a portal with something
	// in it already; the hint is for a portal that would open empty.
	has, err := view.ClientHasCompletedProtocol(r.Context(), p.Client.ID)
	p.NoProtocols = !has && p.Client.ProjectCount == 0
	return err
}

type invitePage struct {
	clientTabPage
	Form *Form
}

// clientInviteForm serves GET /app/clients/{id}/portal/invite: the invitation
// dialog as a page, for browsers without JavaScript and for showing errors.
func (s *Server) clientInviteForm(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "overview")
	if err != nil {
		return err
	}
	f := newForm(url.Values{"email_choice": {app.InviteMainEmail}})
	if t.Client.Email == "" {
		f.Values.Set("email_choice", app.InviteAnotherEmail)
	}
	t.Title = "Invite to the portal"
	if err := s.withInviteHints(r, &t); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "client_invite", &invitePage{clientTabPage: t, Form: f})
	return nil
}

// clientInvite serves POST /app/clients/{id}/portal/invite.
func (s *Server) clientInvite(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "overview")
	if err != nil {
		return err
	}
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	var res *app.InviteResult
	err = unlessText(textErr, func() (err error) {
		res, err = s.app.InviteClient(r.Context(), who(r), t.Client.ID, r.PostForm.Get("email_choice"), r.PostForm.Get("other_email"))
		return err
	})
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.EINVALID, domain.ECONFLICT:
			t.Title = "Invite to the portal"
			if err := s.withInviteHints(r, &t); err != nil {
				return err
			}
			s.render(w, r, http.StatusUnprocessableEntity, "client_invite", &invitePage{clientTabPage: t, Form: newForm(r.PostForm).withError(err)})
			return nil
		}
		return err
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d#portal-access", t.Client.ID), inviteMessage(res))
}

func inviteMessage(res *app.InviteResult) string {
	switch {
	case res.Resent && res.User.Activated:
		return res.User.Email + " already has access; a sign-in link was sent to them again."
	case res.Resent:
		return "The invitation to " + res.User.Email + " was sent again."
	case res.User.Activated:
		return res.User.Email + " already has a portal account; they now have access to this client and were told by email."
	default:
		return "Invitation sent to " + res.User.Email + "."
	}
}

// contactInvite serves POST /app/clients/{id}/contacts/{cid}/invite ("Invite to portal").
func (s *Server) contactInvite(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "contacts")
	if err != nil {
		return err
	}
	cid, err := pathID(r, "cid")
	if err != nil {
		return err
	}
	res, err := s.app.InviteContact(r.Context(), who(r), t.Client.ID, cid)
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.EINVALID, domain.ECONFLICT:
			t.Error = domain.ErrorMessage(err)
			p, lerr := s.contactsPage(r, t)
			if lerr != nil {
				return lerr
			}
			s.render(w, r, http.StatusUnprocessableEntity, "client_contacts", p)
			return nil
		}
		return err
	}
	back := fmt.Sprintf("/app/clients/%d/contacts", t.Client.ID)
	if next := r.PostFormValue("next"); connectPathRE.MatchString(next) && strings.HasPrefix(next, fmt.Sprintf("/app/clients/%d/", t.Client.ID)) {
		back = next // invited from a switch's connection page, which goes on from there
	}
	return s.redirectFlash(w, r, back, inviteMessage(res))
}

// connectPathRE is a switch's connection page, the one other page that offers
// to invite a contact and where the invitation returns.
var connectPathRE = regexp.MustCompile(`^/app/clients/[0-9]+/projects/[0-9]+/switches/[0-9]+/connect$`)

// portalResend serves POST /app/clients/{id}/portal/{uid}/resend.
func (s *Server) portalResend(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "overview")
	if err != nil {
		return err
	}
	u, err := s.portalUserOf(r)
	if err != nil {
		return err
	}
	res, err := s.app.InvitePortalUser(r.Context(), who(r), t.Client.ID, u.Email)
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d#portal-access", t.Client.ID), inviteMessage(res))
}

// portalDisconnect serves POST /app/clients/{id}/portal/{uid}/disconnect.
func (s *Server) portalDisconnect(w http.ResponseWriter, r *http.Request) error {
	t, err := s.clientTab(r, "overview")
	if err != nil {
		return err
	}
	u, err := s.portalUserOf(r)
	if err != nil {
		return err
	}
	uid := u.ID
	deleted, err := s.app.DisconnectPortalUser(r.Context(), who(r), t.Client.ID, uid)
	if err != nil {
		return err
	}
	msg := u.Email + " no longer has access to " + t.Client.Name + "."
	if deleted {
		msg += " The account had no other clients and was deleted."
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/app/clients/%d#portal-access", t.Client.ID), msg)
}

// ---- portal users on the Users page

type portalUserFormPage struct {
	Page
	User    *domain.PortalUser // nil when adding
	Form    *Form
	Clients []*domain.Client
	Sites   []siteChoice
	// Switches a user's access may be narrowed to (editing only; see switches).
	Switches []store.SwitchChoice
}

type siteChoice struct {
	ClientName string
	Sites      []*domain.Site
}

func (s *Server) portalUserForm(w http.ResponseWriter, r *http.Request, status int, u *domain.PortalUser, f *Form) error {
	clients, _, err := s.staffView(r).Clients(r.Context(), store.ClientFilter{ListOptions: domain.ListOptions{PerPage: 100}})
	if err != nil {
		return err
	}
	all, err := s.staffView(r).CompanySites(r.Context())
	if err != nil {
		return err
	}
	byClient := map[int64][]*domain.Site{}
	for _, st := range all {
		byClient[st.ClientID] = append(byClient[st.ClientID], st)
	}
	var sites []siteChoice
	for _, c := range clients {
		if ss := byClient[c.ID]; len(ss) > 0 {
			sites = append(sites, siteChoice{ClientName: c.Name, Sites: ss})
		}
	}
	title := "Add portal user"
	if u != nil {
		title = localf(r, "Edit %s", u.Name())
	}
	p := &portalUserFormPage{Page: s.page(r, title), User: u, Form: f, Clients: clients, Sites: sites}
	if u != nil {
		if p.Switches, err = s.staffView(r).SwitchChoices(r.Context()); err != nil {
			return err
		}
	}
	p.Nav = "users"
	s.render(w, r, status, "portal_user_form", p)
	return nil
}

// portalUserNew serves GET /app/portal-users/new.
func (s *Server) portalUserNew(w http.ResponseWriter, r *http.Request) error {
	v := url.Values{}
	if c := r.URL.Query().Get("client"); c != "" {
		v.Set("client_ids", c)
	}
	return s.portalUserForm(w, r, http.StatusOK, nil, newForm(v))
}

// portalUserCreate serves POST /app/portal-users.
func (s *Server) portalUserCreate(w http.ResponseWriter, r *http.Request) error {
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	ids, err := accessIDs(r.PostForm, "client_ids", "site_ids")
	var u *domain.PortalUser
	if err == nil {
		err = unlessText(textErr, func() (err error) {
			u, err = s.app.CreatePortalUser(r.Context(), who(r), app.NewPortalUser{FirstName: r.PostForm.Get("first_name"),
				LastName: r.PostForm.Get("last_name"), Email: r.PostForm.Get("email"),
				ClientIDs: ids["client_ids"], SiteIDs: ids["site_ids"]})
			return err
		})
	}
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.EINVALID, domain.ECONFLICT:
			return s.portalUserForm(w, r, http.StatusUnprocessableEntity, nil, newForm(r.PostForm).withError(err))
		}
		return err
	}
	return s.redirectFlash(w, r, "/app/users", "Invitation sent to "+u.Email+".")
}

// portalUserEdit serves GET /app/portal-users/{uid}/edit.
func (s *Server) portalUserEdit(w http.ResponseWriter, r *http.Request) error {
	u, err := s.portalUserOf(r)
	if err != nil {
		return err
	}
	uid := u.ID
	v := url.Values{"first_name": {u.FirstName}, "last_name": {u.LastName}}
	for _, g := range u.Grants {
		v.Add("client_ids", strconv.FormatInt(g.ClientID, 10))
		for _, sid := range g.SiteIDs {
			v.Add("site_ids", strconv.FormatInt(sid, 10))
		}
	}
	switchIDs, err := s.staffView(r).PortalSwitchGrants(r.Context(), uid)
	if err != nil {
		return err
	}
	for _, id := range switchIDs {
		v.Add("switch_ids", strconv.FormatInt(id, 10))
	}
	return s.portalUserForm(w, r, http.StatusOK, u, newForm(v))
}

// portalUserUpdate serves POST /app/portal-users/{uid}.
func (s *Server) portalUserUpdate(w http.ResponseWriter, r *http.Request) error {
	u, err := s.portalUserOf(r)
	if err != nil {
		return err
	}
	uid := u.ID
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	ids, err := accessIDs(r.PostForm, "client_ids", "site_ids", "switch_ids")
	if err == nil {
		err = unlessText(textErr, func() error {
			_, err := s.app.UpdatePortalAccess(r.Context(), who(r), uid, app.PortalAccessUpdate{FirstName: r.PostForm.Get("first_name"),
				LastName: r.PostForm.Get("last_name"), ClientIDs: ids["client_ids"], SiteIDs: ids["site_ids"], SwitchIDs: ids["switch_ids"]})
			return err
		})
	}
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.EINVALID, domain.ECONFLICT:
			return s.portalUserForm(w, r, http.StatusUnprocessableEntity, u, newForm(r.PostForm).withError(err))
		}
		return err
	}
	return s.redirectFlash(w, r, "/app/users", "Access of "+u.Email+" saved.")
}

// portalUserOf loads the portal user {uid} of the staff member's company;
// another company's user is not found.
func (s *Server) portalUserOf(r *http.Request) (*domain.PortalUser, error) {
	uid, err := pathID(r, "uid")
	if err != nil {
		return nil, err
	}
	return s.staffView(r).PortalUser(r.Context(), uid)
}

// portalUserReset serves POST /app/portal-users/{uid}/reset (the key icon).
func (s *Server) portalUserReset(w http.ResponseWriter, r *http.Request) error {
	u, err := s.portalUserOf(r)
	if err != nil {
		return err
	}
	uid := u.ID
	if err := s.app.SendPortalReset(r.Context(), who(r), uid); err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/app/users", "A password reset link was sent to "+u.Email+".")
}

// formIDs parses ids from a multi-value form field (checkboxes, multi-selects),
// skipping blank values. ok is false when a value is not an id as canonicalID
// reads it: dropping it quietly could widen what is granted, as no site chosen
// means every site.
func formIDs(vs []string) (ids []int64, ok bool) {
	ok = true
	for _, v := range vs {
		if strings.TrimSpace(v) == "" {
			continue
		}
		id, good := canonicalID(v)
		if !good {
			ok = false
			continue
		}
		ids = append(ids, id)
	}
	return ids, ok
}

// accessIDs reads the id lists of the portal user form by field name; a value
// that is not an id is EINVALID on its field.
func accessIDs(v url.Values, names ...string) (map[string][]int64, error) {
	out := map[string][]int64{}
	var val domain.Validator
	for _, name := range names {
		ids, ok := formIDs(v[name])
		if !ok {
			val.Add(name, "Choose from the list only.")
		}
		out[name] = ids
	}
	return out, val.Err()
}
