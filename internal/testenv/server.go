package testenv

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"portico/internal/app"
	"portico/internal/web"
)

// Server is the app served on a random loopback port over a DB.
type Server struct {
	*DB
	URL string
	App *app.App
}

// StartServer serves the app over db until t ends. Server log lines go to t.Log.
func StartServer(t testing.TB, db *DB) *Server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	a := app.New(db.Store, log, base)
	a.Files = testFiles(t)
	srv, err := web.NewServer(web.Config{App: a, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	return &Server{DB: db, URL: base, App: a}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Client is an HTTP client with a cookie jar that does not follow redirects, so
// tests see exactly what the server answered.
type Client struct {
	t    testing.TB
	base string
	hc   *http.Client
}

// Response is a read response.
type Response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

// NewClient returns a fresh browser-like client of the server.
func (s *Server) NewClient(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, base: s.URL, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// HTTP is the client's http.Client with its cookie jar, safe to use from several
// goroutines (the Client's own methods report failures through t, which only the
// test's goroutine may do).
func (c *Client) HTTP() *http.Client { return c.hc }

// Get requests path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// Post submits a form to path as a same-origin browser would.
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// Do sends a request built by the test.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	return c.do(req)
}

func (c *Client) do(req *http.Request) *Response {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Body: string(b), Location: resp.Header.Get("Location"), Header: resp.Header}
}

// SignIn signs the client in as a staff user of the company with Password, and fails
// the test unless the server redirects into the app.
func (c *Client) SignIn(slug, email string) {
	c.t.Helper()
	r := c.Post("/app/login", url.Values{"company": {slug}, "email": {email}, "password": {Password}, "next": {"/app/"}})
	if r.Status != http.StatusSeeOther || r.Location != "/app/" {
		c.t.Fatalf("sign-in as %s: status %d, location %q", email, r.Status, r.Location)
	}
}

// BaseURL returns the server's URL.
func (c *Client) BaseURL() *url.URL {
	u, _ := url.Parse(c.base)
	return u
}

// Cookies returns the cookies the client would send to the server.
func (c *Client) Cookies() []*http.Cookie { return c.hc.Jar.Cookies(c.BaseURL()) }

// SetCookies stores cookies as if the server had set them.
func (c *Client) SetCookies(cs []*http.Cookie) { c.hc.Jar.SetCookies(c.BaseURL(), cs) }
