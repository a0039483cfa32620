package web_test

import (
	"strconv"
	"strings"
	"testing"

	"portico/internal/testenv"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// wantStatus fails the test unless r has the status.
func wantStatus(t *testing.T, r *testenv.Response, status int) {
	t.Helper()
	if r.Status != status {
		body := r.Body
		if len(body) > 2000 {
			body = body[:2000]
		}
		t.Fatalf("status %d, want %d (location %q)\n%s", r.Status, status, r.Location, body)
	}
}

// wantBody fails the test unless the body contains every string.
func wantBody(t *testing.T, r *testenv.Response, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.Body, w) {
			t.Errorf("body lacks %q", w)
		}
	}
}

// dontWantBody fails the test if the body contains any of the strings.
func dontWantBody(t *testing.T, r *testenv.Response, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(r.Body, b) {
			t.Errorf("body contains %q", b)
		}
	}
}
