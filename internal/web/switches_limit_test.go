package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"portico/internal/domain"
	"portico/internal/testenv"
)

// Over the per-switch command limit a toggle through the real router answers
// 429 with Retry-After: JSON for switches.js, the project page with the message
// for a form posted without JavaScript; nothing more reaches the device.
func TestToggleRateLimitThroughTheRouter(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ss := testenv.StartSwitchServer(t, db, testenv.BrokerEmbedded, testenv.SwitchOptions{CommandLimit: 2, CommandWindow: time.Minute})
		tn := db.Tenant(t, "")
		client := db.Client(t, tn, "Dencorp")
		project := db.Project(t, tn, client, "Office lighting", nil)
		sw, pw := db.Switch(t, tn, project, "Office light", domain.FamilyTasmota, "office_light")
		dev := ss.Device(t, sw, pw)
		swPortalUser(t, db, tn, "Denisa", "denisa@dencorp.test", []int64{client.ID})
		c := swPortalClient(t, ss.Server, tn.Company.Slug, "denisa@dencorp.test")
		path := fmt.Sprintf("/portal/%s/projects/%d/switches/%d", tn.Company.Slug, project.ID, sw.ID)
		for _, state := range []string{"on", "off"} {
			if r := swToggleJSON(t, c, path, state); r.Status != http.StatusOK {
				t.Fatalf("toggle %s under the limit: %d %s", state, r.Status, r.Body)
			}
		}
		received := len(dev.Received())

		r := swToggleJSON(t, c, path, "on")
		secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if r.Status != http.StatusTooManyRequests || err != nil || secs < 1 || secs > 60 {
			t.Fatalf("third toggle: %d, Retry-After %q; want 429 with 1–60 s", r.Status, r.Header.Get("Retry-After"))
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil || got["status"] != "refused" || !strings.Contains(fmt.Sprint(got["message"]), "To spare the relay") {
			t.Errorf("third toggle answered %s", r.Body)
		}
		form := c.Post(path, url.Values{"state": {"on"}})
		if form.Status != http.StatusTooManyRequests || !strings.Contains(form.Body, "To spare the relay") || form.Header.Get("Retry-After") == "" {
			t.Errorf("form without JavaScript: %d, Retry-After %q, message shown %v", form.Status, form.Header.Get("Retry-After"), strings.Contains(form.Body, "To spare the relay"))
		}
		time.Sleep(200 * time.Millisecond)
		if n := len(dev.Received()) - received; n != 0 {
			t.Errorf("%d commands over the limit reached the device", n)
		}
	})
}
