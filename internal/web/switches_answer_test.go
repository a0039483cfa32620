package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"portico/internal/domain"
)

// A toggle refused by the per-switch command limit says how long to wait: 429
// with Retry-After in seconds, JSON for switches.js, and for a form posted
// without JavaScript the page with the message, like any other refusal.
func TestToggleTooManyAnswers(t *testing.T) {
	limit := domain.Errorf(domain.ETOOMANY, "Too many commands for Office light. Please wait 20 seconds and try again.")
	limit.RetryAfter = 19500 * time.Millisecond
	s := &Server{}

	r := httptest.NewRequest(http.MethodPost, "/portal/acme/projects/1/switches/2", nil)
	r.Header.Set("Accept", "application/json")
	w := httptest.NewRecorder()
	page := func(int, string) error { t.Fatal("switches.js got a page"); return nil }
	if err := s.answerToggle(w, r, nil, limit, "/back", page); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "20" || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Errorf("JSON answer: %d, Retry-After %q, %s", w.Code, w.Header().Get("Retry-After"), w.Header().Get("Content-Type"))
	}
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["ok"] != false || got["status"] != "refused" || got["message"] != domain.ErrorMessage(limit) {
		t.Errorf("JSON answer = %v", got)
	}

	r = httptest.NewRequest(http.MethodPost, "/portal/acme/projects/1/switches/2", nil)
	w = httptest.NewRecorder()
	var shown string
	var status int
	err := s.answerToggle(w, r, nil, limit, "/back", func(st int, msg string) error {
		status, shown = st, msg
		return nil
	})
	if err != nil || status != http.StatusTooManyRequests || shown != domain.ErrorMessage(limit) || w.Header().Get("Retry-After") != "20" {
		t.Errorf("form answer: err %v, page %d %q, Retry-After %q", err, status, shown, w.Header().Get("Retry-After"))
	}
}

// An offline row says since when it has been offline and why its button is
// disabled; without that moment it falls back to when the device was last
// heard. Times are in the tenant's zone, the day left out when it is today.
func TestOfflineRowText(t *testing.T) {
	tmpl, err := parseLocale("en")
	if err != nil {
		t.Fatal(err)
	}
	company := &domain.Company{Name: "Acme", TimeZone: "Europe/Bratislava"}
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	render := func(sw *domain.Switch) string {
		t.Helper()
		var b bytes.Buffer
		p := &switchPanel{Company: company, Switches: []*domain.Switch{sw}, ToggleBase: "/portal/acme/projects/1/switches", Now: now}
		if err := tmpl["portal_project"].ExecuteTemplate(&b, "switchcard", p); err != nil {
			t.Fatal(err)
		}
		text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(b.String(), " ")
		return strings.Join(strings.Fields(text), " ")
	}
	why := "— it can be turned on or off once it is back online"
	for _, tc := range []struct {
		name string
		sw   domain.Switch
		want string
	}{
		{"offline since today", domain.Switch{ID: 1, Name: "Pump", OfflineSince: time.Date(2026, 3, 10, 13, 5, 0, 0, time.UTC),
			LastSeen: time.Date(2026, 3, 10, 13, 4, 0, 0, time.UTC)}, "Pump Offline since 14:05 " + why},
		{"offline since an earlier day", domain.Switch{ID: 1, Name: "Pump", OfflineSince: time.Date(2026, 3, 2, 7, 30, 0, 0, time.UTC)},
			"Pump Offline since 2 Mar, 08:30 " + why},
		{"offline since last year", domain.Switch{ID: 1, Name: "Pump", OfflineSince: time.Date(2025, 12, 31, 7, 30, 0, 0, time.UTC)},
			"Pump Offline since 31 Dec 2025, 08:30 " + why},
		{"only last seen", domain.Switch{ID: 1, Name: "Pump", LastSeen: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)},
			"Pump Offline · last seen 10:00 " + why},
		{"never heard", domain.Switch{ID: 1, Name: "Pump"}, "Pump Offline " + why},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(&tc.sw); !strings.Contains(got, tc.want) {
				t.Errorf("the row reads %q, want %q", got, tc.want)
			}
		})
	}
	online := domain.Switch{ID: 1, Name: "Pump", Online: true, Known: true}
	if got := render(&online); strings.Contains(got, "back online") {
		t.Errorf("an online row says %q", got)
	}
}
