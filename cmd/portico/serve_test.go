package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"portico/internal/store"
	"portico/internal/testenv"
)

// served is serve running in the background on a random port.
type served struct {
	addr   string
	log    syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// startServe runs serve over st with c until the test ends; c.Addr should ask for
// a random port.
func startServe(t *testing.T, st *store.Store, c config) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{cancel: cancel, done: make(chan error, 1)}
	log := slog.New(slog.NewTextHandler(&s.log, nil))
	ready := make(chan string, 1)
	go func() { s.done <- serve(ctx, &c, st, log, func(addr string) { ready <- addr }) }()
	select {
	case s.addr = <-ready:
	case err := <-s.done:
		t.Fatalf("serve ended before it was ready: %v", err)
	case <-time.After(time.Minute): // a hang, not a speed check: -race on a busy machine is slow
		t.Fatal("serve was not ready after a minute")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	return s
}

// browser is a client of the server at base that keeps cookies and does not follow
// redirects.
func browser(t *testing.T, base string) *testenv.Client {
	return (&testenv.Server{URL: base}).NewClient(t)
}

// freeAddr returns a loopback address whose port was free a moment ago, for commands
// that must know their address before they start.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// accepting reports whether something accepts connections at addr.
func accepting(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

func TestServe(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		s := startServe(t, db.Store, config{Addr: "127.0.0.1:0"})
		if !strings.HasPrefix(s.addr, "127.0.0.1:") || strings.HasSuffix(s.addr, ":0") {
			t.Fatalf("ready reported %q, want the real loopback address", s.addr)
		}
		b := browser(t, "http://"+s.addr)

		for _, tc := range []struct {
			name     string
			path     string
			status   int
			body     string // part of the body
			location string
		}{
			{"liveness", "/healthz", http.StatusOK, "ok", ""},
			{"readiness: the database answers", "/readyz", http.StatusOK, "ok", ""},
			{"the sign-in page", "/app/login", http.StatusOK, `action="/app/login"`, ""},
			{"the front door leads into the app", "/", http.StatusSeeOther, "", "/app/"},
			{"the app wants a session", "/app/clients", http.StatusSeeOther, "", "/app/login?next=%2Fapp%2Fclients"},
			{"static assets are served", "/static/portico.css", http.StatusOK, "", ""},
			{"an unknown page", "/no/such/page", http.StatusNotFound, "Page not found", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := b.Get(tc.path)
				if r.Status != tc.status || !strings.Contains(r.Body, tc.body) || r.Location != tc.location {
					t.Fatalf("GET %s = %d, location %q, body %.200q; want %d, location %q, body with %q",
						tc.path, r.Status, r.Location, r.Body, tc.status, tc.location, tc.body)
				}
				// Every response, whatever it is, carries the security headers.
				csp := r.Header.Get("Content-Security-Policy")
				if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") {
					t.Errorf("Content-Security-Policy = %q", csp)
				}
				if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
				}
				if got := r.Header.Get("X-Frame-Options"); got != "DENY" {
					t.Errorf("X-Frame-Options = %q, want DENY", got)
				}
			})
		}

		t.Run("the request log never holds a link's token", func(t *testing.T) {
			b.Get("/app/password/secret-token-value")
			if log := s.log.String(); strings.Contains(log, "secret-token-value") || !strings.Contains(log, "/app/password/[redacted]") {
				t.Fatalf("server log:\n%s", log)
			}
		})
	})
}

// TestServeWiring checks what serve derives from the configuration: Secure cookies
// from an https base URL, and the client IP from X-Forwarded-For behind a proxy.
func TestServeWiring(t *testing.T) {
	for _, tc := range []struct {
		name       string
		c          config
		wantSecure bool
		wantIP     string // the address a failed sign-in counts against
	}{
		{"http base URL: plain cookies, the peer's IP", config{Addr: "127.0.0.1:0"}, false, "127.0.0.1"},
		{"https base URL: Secure cookies", config{Addr: "127.0.0.1:0", BaseURL: "https://portal.test"}, true, "127.0.0.1"},
		{"behind a proxy: the forwarded IP", config{Addr: "127.0.0.1:0", TrustProxy: true}, false, "203.0.113.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := testenv.NewDB(t, "sqlite")
			tn := db.Tenant(t, "acme")
			s := startServe(t, db.Store, tc.c)
			b := browser(t, "http://"+s.addr)

			// A failed sign-in from behind a proxy.
			req, _ := http.NewRequest(http.MethodPost, "http://"+s.addr+"/app/login",
				strings.NewReader(url.Values{"company": {"acme"}, "email": {tn.Admin.Email}, "password": {"wrong password"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", "203.0.113.7, 10.0.0.1")
			if r := b.Do(req); r.Status != http.StatusUnauthorized {
				t.Fatalf("wrong password: status %d, want 401", r.Status)
			}
			if n, err := db.Store.LoginFailures(t.Context(), "ip:"+tc.wantIP, time.Hour); err != nil || n != 1 {
				t.Errorf("failures counted against %s: %d (%v), want 1", tc.wantIP, n, err)
			}

			r := b.Post("/app/login", url.Values{"company": {"acme"}, "email": {tn.Admin.Email}, "password": {testenv.Password}, "next": {"/app/"}})
			if r.Status != http.StatusSeeOther {
				t.Fatalf("sign-in: status %d, want 303", r.Status)
			}
			var session *http.Cookie
			for _, c := range (&http.Response{Header: r.Header}).Cookies() {
				if c.Name == "portico_staff" {
					session = c
				}
			}
			if session == nil || session.Value == "" {
				t.Fatalf("sign-in set no session cookie: %q", r.Header.Values("Set-Cookie"))
			}
			if session.Secure != tc.wantSecure || !session.HttpOnly {
				t.Fatalf("session cookie Secure=%v HttpOnly=%v, want Secure=%v HttpOnly=true", session.Secure, session.HttpOnly, tc.wantSecure)
			}
		})
	}
}

// TestServeShutsDownGracefully cancels serve's context while a request is half
// sent: the port closes at once, the request still gets its whole answer, and only
// then does serve return nil.
func TestServeShutsDownGracefully(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	s := startServe(t, db.Store, config{Addr: "127.0.0.1:0"})

	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := url.Values{"company": {"nobody"}, "email": {"x@y.test"}, "password": {"whatever it is"}}.Encode()
	fmt.Fprintf(conn, "POST /app/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
		s.addr, len(body), body[:5])
	time.Sleep(100 * time.Millisecond) // the server reads the headers and enters the handler

	s.cancel()
	deadline := time.Now().Add(5 * time.Second)
	for accepting(s.addr) {
		if time.Now().After(deadline) {
			t.Fatal("the port still accepts connections 5 s after cancel")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-s.done:
		t.Fatalf("serve returned (%v) while a request was in flight", err)
	case <-time.After(200 * time.Millisecond):
	}

	if _, err := io.WriteString(conn, body[5:]); err != nil {
		t.Fatalf("finishing the request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the in-flight request got no answer: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), "</html>") {
		t.Fatalf("in-flight request: status %d, %d bytes, err %v; want the whole 401 page", resp.StatusCode, len(b), err)
	}

	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("serve returned %v, want nil after a graceful shutdown", err)
		}
		s.done <- nil // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return within 5 s of the last request finishing")
	}
}

func TestServeCommand(t *testing.T) {
	t.Run("JSON logs: every line is a JSON object", func(t *testing.T) {
		dir := t.TempDir()
		r := start(t, noEnv, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-format", "json")
		r.waitUntil(t, "the listening line", func() bool { return strings.Contains(r.stderr.String(), `"msg":"listening"`) })
		if err := r.stop(t); err != nil {
			t.Fatalf("serve after cancel: %v, want nil", err)
		}
		var msgs []string
		for _, line := range strings.Split(strings.TrimSpace(r.stderr.String()), "\n") {
			var rec struct {
				Level, Msg, Addr, Database string
				Applied                    int
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line %q is not JSON: %v", line, err)
			}
			if rec.Level == "" {
				t.Errorf("log line %q has no level", line)
			}
			if rec.Msg == "listening" && (rec.Database != "sqlite" || !strings.HasPrefix(rec.Addr, "127.0.0.1:")) {
				t.Errorf("listening line %q: want the address and the database", line)
			}
			if rec.Msg == "database migrated" && rec.Applied != migrationCount(t) {
				t.Errorf("migrated line %q: want every migration applied", line)
			}
			msgs = append(msgs, rec.Msg)
		}
		const want = "database migrated, no SMTP server configured (--smtp-url): mail stays queued in the outbox until one is, listening, shutting down"
		if got := strings.Join(msgs, ", "); got != want {
			t.Errorf("log messages: %s", got)
		}
	})

	t.Run("the port is taken", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		_, _, err = runCmd(t, noEnv, "serve", "--data", t.TempDir(), "--addr", ln.Addr().String())
		if err == nil || !strings.Contains(err.Error(), "address already in use") {
			t.Fatalf("serve on a taken port: %v, want address already in use", err)
		}
	})
}

// TestNewcomer follows the README: create a tenant, start the server, open the
// printed link, set a password and land in the app.
func TestNewcomer(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	base := "http://" + addr
	// The operator configures the server through the environment, as in a container.
	vars := env(map[string]string{"PORTICO_DATA": dir, "PORTICO_BASE_URL": base})

	out := mustRun(t, vars, "tenant", "create", "--name", "Acme Pest Control", "--slug", "acme", "--admin-email", "boss@acme.test")
	m := linkRE.FindStringSubmatch(out)
	if m == nil || m[1] != base {
		t.Fatalf("tenant create printed no link under %s:\n%s", base, out)
	}
	link := strings.TrimPrefix(m[0], base)
	link = strings.TrimSuffix(link, "\n")

	r := start(t, vars, "serve", "--addr", addr)
	r.waitUntil(t, "the server to accept connections", func() bool { return accepting(addr) })
	b := browser(t, base)

	form := b.Get(link)
	if form.Status != http.StatusOK || !strings.Contains(form.Body, "boss@acme.test") || !strings.Contains(form.Body, `name="password_confirm"`) {
		t.Fatalf("GET the link: %d\n%.400s", form.Status, form.Body)
	}
	if got := form.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("the password page leaks its URL: Referrer-Policy %q", got)
	}

	set := b.Post(link, url.Values{"password": {"kestrel meadow 42"}, "password_confirm": {"kestrel meadow 42"}})
	if set.Status != http.StatusSeeOther || set.Location != "/app/" {
		t.Fatalf("POST the password: %d, location %q\n%.400s", set.Status, set.Location, set.Body)
	}
	if home := b.Get("/app/"); home.Status != http.StatusSeeOther || home.Location != "/app/clients" {
		t.Fatalf("GET /app/ with the new session: %d, location %q", home.Status, home.Location)
	}
	clients := b.Get("/app/clients")
	if clients.Status != http.StatusOK || !strings.Contains(clients.Body, "Acme Pest Control") {
		t.Fatalf("GET /app/clients: %d\n%.400s", clients.Status, clients.Body)
	}

	again := browser(t, base).Get(link)
	if again.Status != http.StatusGone || !strings.Contains(again.Body, "no longer valid") {
		t.Fatalf("the used link again: %d, want 410 no longer valid\n%.400s", again.Status, again.Body)
	}

	// The new password signs in from a fresh browser.
	fresh := browser(t, base)
	if in := fresh.Post("/app/login", url.Values{"company": {"acme"}, "email": {"boss@acme.test"},
		"password": {"kestrel meadow 42"}, "next": {"/app/"}}); in.Status != http.StatusSeeOther || in.Location != "/app/" {
		t.Fatalf("sign-in with the new password: %d, location %q", in.Status, in.Location)
	}

	if err := r.stop(t); err != nil {
		t.Fatalf("serve after cancel: %v, want nil", err)
	}
	if accepting(addr) {
		t.Fatalf("%s still accepts connections after the server stopped", addr)
	}
}

var staffAppRE = regexp.MustCompile(`Staff app:\s+(http://\S+)/app/login\?company=demo\n`)

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	for _, round := range []string{"first run fills the tenant", "second run re-uses it"} {
		t.Run(round, func(t *testing.T) {
			// Port 0: the system picks one, and the printed URL must still be the real one.
			r := start(t, noEnv, "demo", "--data", dir, "--addr", "127.0.0.1:0")
			r.waitUntil(t, "the demo banner", func() bool { return strings.Contains(r.stdout.String(), "Press Ctrl+C") })
			out := r.stdout.String()
			for _, want := range []string{"Portico demo is running.", "company demo, admin@demo.test / demo-password", "sqlite:" + dir} {
				if !strings.Contains(out, want) {
					t.Errorf("banner lacks %q:\n%s", want, out)
				}
			}
			m := staffAppRE.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("banner has no staff app URL:\n%s", out)
			}
			base := m[1]
			if strings.HasSuffix(base, ":0") {
				t.Fatalf("the banner shows the port asked for, %s, not the one listened on", base)
			}

			b := browser(t, base)
			login := b.Get("/app/login?company=demo")
			if login.Status != http.StatusOK || !strings.Contains(login.Body, `value="demo"`) {
				t.Fatalf("GET the printed URL: %d\n%.400s", login.Status, login.Body)
			}
			in := b.Post("/app/login", url.Values{"company": {"demo"}, "email": {"admin@demo.test"}, "password": {"demo-password"}, "next": {"/app/clients"}})
			if in.Status != http.StatusSeeOther || in.Location != "/app/clients" {
				t.Fatalf("sign-in as printed: %d, location %q", in.Status, in.Location)
			}
			if list := b.Get("/app/clients"); list.Status != http.StatusOK || !strings.Contains(list.Body, "ABC s.r.o.") {
				t.Fatalf("client list: %d\n%.400s", list.Status, list.Body)
			}

			if err := r.stop(t); err != nil {
				t.Fatalf("demo after cancel: %v, want nil", err)
			}
			if accepting(strings.TrimPrefix(base, "http://")) {
				t.Fatalf("the demo still listens after it stopped")
			}
		})
	}
}

// TestServeSendsHSTS checks that an https base URL brings Strict-Transport-Security
// on every response, even though the request itself arrives in the clear (as it
// does behind a proxy that ends TLS), with the configured max-age.
func TestServeSendsHSTS(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string // the header; "" = none
	}{
		{"https base URL: one year by default", []string{"--base-url", "https://portal.test"}, nil, "max-age=31536000"},
		{"max-age from the variable", []string{"--base-url", "https://portal.test"}, map[string]string{"PORTICO_HSTS_MAX_AGE": "1h"}, "max-age=3600"},
		{"max-age 0 turns it off", []string{"--base-url", "https://portal.test", "--hsts-max-age", "0"}, nil, ""},
		{"http base URL: never", []string{"--base-url", "http://portal.test"}, nil, ""},
		{"no base URL: never", nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(append([]string{"--addr", "127.0.0.1:0"}, tc.args...), tc.env)
			if err != nil {
				t.Fatal(err)
			}
			s := startServe(t, db.Store, c)
			b := browser(t, "http://"+s.addr)
			for _, path := range []string{"/app/login", "/static/portico.css", "/healthz", "/no/such/page"} {
				if got := b.Get(path).Header.Get("Strict-Transport-Security"); got != tc.want {
					t.Errorf("GET %s: Strict-Transport-Security %q, want %q", path, got, tc.want)
				}
			}
		})
	}
}
