package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"portico/internal/app"
	"portico/internal/testenv"
	"portico/internal/web"
)

// recordHandler keeps every log record, to check what was logged at which level.
type recordHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }

// atLeast returns the messages logged at level or above.
func (h *recordHandler) atLeast(level slog.Level) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Level >= level {
			out = append(out, r.Level.String()+" "+r.Message)
		}
	}
	return out
}

// TestClientGoneIsNotAnError checks that a request whose client went away — its
// context cancelled, so the database answers "context canceled" — is not logged
// as an error and gets no error page, while a real failure still is logged.
func TestClientGoneIsNotAnError(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		tn := db.Tenant(t, "acme")
		logs := &recordHandler{}
		log := slog.New(logs)
		srv, err := web.NewServer(web.Config{App: app.New(db.Store, log, "http://portico.test"), Log: log})
		if err != nil {
			t.Fatal(err)
		}
		login := httptest.NewRequest(http.MethodPost, "/app/login",
			strings.NewReader(url.Values{"company": {"acme"}, "email": {tn.Admin.Email}, "password": {testenv.Password}, "next": {"/app/"}}.Encode()))
		login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, login)
		cookies := rec.Result().Cookies()
		if rec.Code != http.StatusSeeOther || len(cookies) == 0 {
			t.Fatalf("sign-in: status %d, cookies %v", rec.Code, cookies)
		}

		ctx, cancel := context.WithCancel(t.Context())
		cancel() // the client hung up before the server got to it
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/app/clients", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec = httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if got := logs.atLeast(slog.LevelWarn); len(got) != 0 {
			t.Errorf("a request the client abandoned logged %q, want nothing at warning or above", got)
		}
		if rec.Body.Len() != 0 {
			t.Errorf("a request the client abandoned got a page (status %d):\n%.300s", rec.Code, rec.Body.String())
		}

		// The same error with the client still there is the server's failure.
		logs.records = nil
		srv, err = web.NewServer(web.Config{App: app.New(db.Store, log, "http://portico.test"), Log: log})
		if err != nil {
			t.Fatal(err)
		}
		db.Store.Close()
		req = httptest.NewRequest(http.MethodGet, "/app/clients", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec = httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if got := logs.atLeast(slog.LevelError); rec.Code != http.StatusInternalServerError || len(got) != 1 {
			t.Errorf("with the database gone: status %d, errors logged %q; want 500 and one error", rec.Code, got)
		}
	})
}
