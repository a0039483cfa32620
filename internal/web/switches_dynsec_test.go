package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"portico/internal/domain"
	"portico/internal/testenv"
)

var (
	connectUsername = regexp.MustCompile(`<dt>Username</dt><dd class="mono">([^<]+)</dd>`)
	connectPassword = regexp.MustCompile(`id="device-password">([^<]+)<`)
)

// credentialsOn reads the username and password a connection page shows.
func credentialsOn(t *testing.T, r *testenv.Response) (user, password string) {
	t.Helper()
	u, p := connectUsername.FindStringSubmatch(r.Body), connectPassword.FindStringSubmatch(r.Body)
	if r.Status != http.StatusOK || u == nil || p == nil {
		t.Fatalf("no credentials on the connection page: status %d\n%.600s", r.Status, r.Body)
	}
	return html.UnescapeString(u[1]), html.UnescapeString(p[1])
}

func wantBrokerLogin(t *testing.T, ss *testenv.SwitchServer, what, user, password string, ok bool) {
	t.Helper()
	err := testenv.TryConnect(ss.BrokerURL, user, password)
	if ok && err != nil {
		t.Errorf("%s: refused: %v", what, err)
	}
	if !ok && err == nil {
		t.Errorf("%s: let in", what)
	}
}

// On a server whose Mosquitto keeps device accounts in its dynamic-security
// plugin, a switch added on the staff form lets its device in with the
// credentials shown and nobody else; new credentials shut the old ones out;
// deleting the switch shuts its device out; and with the broker down, the form
// says so and nothing is stored.
func TestSwitchFormsWithDynsecBroker(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ss := testenv.StartSwitchServer(t, db, testenv.BrokerMosquittoDynsec, testenv.SwitchOptions{})
		tn := db.Tenant(t, "")
		client := db.Client(t, tn, "Dencorp")
		project := db.Project(t, tn, client, "Office lighting", db.Site(t, tn, client, "Office", "Bratislava"))
		staff := ss.NewClient(t)
		staff.SignIn(tn.Company.Slug, tn.Admin.Email)
		base := fmt.Sprintf("/app/clients/%d/projects/%d", client.ID, project.ID)
		form := url.Values{"name": {"Office light"}, "family": {domain.FamilyTasmota}, "topic": {"office_light"}, "channel": {"1"}}

		user, pw := credentialsOn(t, staff.Post(base+"/switches", form))
		sw, err := db.Store.Devices(testenv.SwitchesPrincipal()).SwitchByTopic(context.Background(), domain.FamilyTasmota, "office_light")
		if err != nil {
			t.Fatal(err)
		}
		sw.Username = user
		ss.Device(t, sw, pw) // online with the shown credentials, over the device's ACL
		wantBrokerLogin(t, ss, "a wrong password", user, pw+"x", false)
		wantBrokerLogin(t, ss, "an anonymous client", "", "", false)
		wantBrokerLogin(t, ss, "the server's account name with the device's password", testenv.ServerUser, pw, false)
		connect := fmt.Sprintf("%s/switches/%d/connect", base, sw.ID)
		dontWantBody(t, staff.Get(connect), "no account for this device")

		// New credentials: the old ones are refused at once, the new ones work.
		user2, pw2 := credentialsOn(t, staff.Post(fmt.Sprintf("%s/switches/%d/credentials", base, sw.ID), nil))
		if user2 == user || pw2 == pw {
			t.Fatal("the credentials did not change")
		}
		wantBrokerLogin(t, ss, "the old credentials", user, pw, false)
		wantBrokerLogin(t, ss, "the new credentials", user2, pw2, true)

		// Deleted: its device is refused.
		r := staff.Post(fmt.Sprintf("%s/switches/%d/delete", base, sw.ID), nil)
		wantStatus(t, r, http.StatusSeeOther)
		wantBrokerLogin(t, ss, "a deleted switch's credentials", user2, pw2, false)

		// The broker is down: the form says so, keeps what was typed, and stores nothing.
		ss.Mosquitto.Stop()
		form.Set("name", "Hall light")
		form.Set("topic", "hall_light")
		r = staff.Post(base+"/switches", form)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, "The MQTT broker could not be reached; nothing was changed. Try again.", `value="Hall light"`, `value="hall_light"`)
		if sws, err := db.Store.Staff(tn.Staff).ProjectSwitches(context.Background(), client.ID, project.ID); err != nil || len(sws) != 0 {
			t.Errorf("switches stored with the broker down: %d, %v", len(sws), err)
		}
		log, _, err := db.Store.Staff(tn.Staff).AuditLog(context.Background(), domain.ListOptions{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range log {
			if strings.Contains(e.Subject, "Hall light") {
				t.Errorf("the audit log records a switch that was not made: %+v", e)
			}
		}
		ss.Mosquitto.Start()

		// A switch the broker has no account for (made before the broker kept
		// accounts) says so on its connection page.
		bare, _ := db.Switch(t, tn, project, "Sign", domain.FamilyShelly, "sign-1")
		page := fmt.Sprintf("%s/switches/%d/connect", base, bare.ID)
		deadline := time.Now().Add(20 * time.Second)
		for r = staff.Get(page); !strings.Contains(r.Body, "no account for this device") && time.Now().Before(deadline); r = staff.Get(page) {
			time.Sleep(200 * time.Millisecond) // until the server reaches the restarted broker
		}
		wantBody(t, r, "The broker has no account for this device yet: regenerate its credentials.")
	})
}
