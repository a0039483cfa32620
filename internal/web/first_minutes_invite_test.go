package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/testenv"
)

// A switch's connection page offers the next step of the first minutes once
// its device is online: inviting the client's first contact who has no portal
// access yet, with the contact row's confirmation, and the invitation comes
// back to the page. Only to staff who may invite; the way back is only ever a
// connection page of the same client.
func TestConnectPageOffersInvitation(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ss := testenv.StartSwitchServer(t, db, testenv.BrokerEmbedded, testenv.SwitchOptions{})
		tn := db.Tenant(t, "")
		slug := tn.Company.Slug
		c := db.Client(t, tn, "Zelená záhrada s.r.o.")
		other := db.Client(t, tn, "Other s.r.o.")
		jana := db.Contact(t, tn, c, "Jana", "Nováková", "jana@zahrada.test")
		p := db.Project(t, tn, c, "Garden", nil)
		sw, pw := db.Switch(t, tn, p, "Garden pump", domain.FamilyTasmota, "offer_pump")
		op := db.Project(t, tn, other, "Other", nil)
		osw, _ := db.Switch(t, tn, op, "Other pump", domain.FamilyTasmota, "offer_other")
		base := fmt.Sprintf("/app/clients/%d/projects/%d", c.ID, p.ID)
		connect := fmt.Sprintf("%s/switches/%d/connect", base, sw.ID)
		otherConnect := fmt.Sprintf("/app/clients/%d/projects/%d/switches/%d/connect", other.ID, op.ID, osw.ID)

		admin := ss.NewClient(t)
		admin.SignIn(slug, tn.Admin.Email)
		// Offline: the step is there, hidden until the live stream says otherwise.
		page := admin.Get(connect)
		wantStatus(t, page, http.StatusOK)
		wantBody(t, page, `id="next-step" hidden`, fmt.Sprintf(`data-when-online="%s/live"`, base), fmt.Sprintf(`data-switch-row="switch-%d"`, sw.ID),
			"Invite Jana Nováková to the portal", fmt.Sprintf(`id="invite-contact-%d"`, jana.ID), "0/5 used, 1/5 after this invitation",
			fmt.Sprintf(`name="next" value="%s"`, connect))
		// Online: shown at once.
		ss.Device(t, sw, pw)
		ss.WaitSwitch(t, sw.ID, "online", func(sw *domain.Switch) bool { return sw.Online })
		page = admin.Get(connect)
		wantBody(t, page, `id="next-step" data-when-online`)

		// Staff who may manage switches but not invite are not offered it.
		db.StaffUser(t, tn, "tech@zahrada.test", access.SwitchesManage)
		tech := ss.NewClient(t)
		tech.SignIn(slug, "tech@zahrada.test")
		page = tech.Get(connect)
		wantStatus(t, page, http.StatusOK)
		dontWantBody(t, page, `id="next-step"`, "invite-contact-")

		// The way back: only a connection page of this client, else the Contacts tab.
		invite := fmt.Sprintf("/app/clients/%d/contacts/%d/invite", c.ID, jana.ID)
		// (Four tries and Jana fill the client's five seats.)
		for i, next := range []string{"https://elsewhere.test/", "//elsewhere.test" + connect, otherConnect, connect + "?x=1"} {
			j2 := db.Contact(t, tn, c, "Test", fmt.Sprintf("Person%c", 'A'+i), fmt.Sprintf("t%d@zahrada.test", i))
			r := admin.Post(fmt.Sprintf("/app/clients/%d/contacts/%d/invite", c.ID, j2.ID), url.Values{"next": {next}})
			wantStatus(t, r, http.StatusSeeOther)
			if want := fmt.Sprintf("/app/clients/%d/contacts", c.ID); r.Location != want {
				t.Errorf("invited with next=%q: back to %s, want %s", next, r.Location, want)
			}
		}
		r := admin.Post(invite, url.Values{"next": {connect}})
		wantStatus(t, r, http.StatusSeeOther)
		if r.Location != connect {
			t.Errorf("invited from the connection page: back to %s, want %s", r.Location, connect)
		}
		// Everyone invited, the seats full: nothing left to offer.
		page = admin.Get(connect)
		dontWantBody(t, page, `id="next-step"`)
		if strings.Contains(page.Body, "Invite Jana Nováková to the portal") {
			t.Error("the connection page still offers to invite Jana, who is invited")
		}
	})
}
