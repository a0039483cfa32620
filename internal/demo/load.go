package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// LoadConfig says what Load drives and how hard.
type LoadConfig struct {
	URL         string        // the server's base URL, e.g. http://127.0.0.1:8080
	Tenant      string        // the portal's tenant slug; BenchSlug when empty
	Users       []string      // portal sign-ins to drive; every BenchUsers email when empty
	Password    string        // their password; BenchPassword when empty
	Connections int           // concurrent keep-alive connections per page
	Duration    time.Duration // measured time per page
	Warmup      time.Duration // unmeasured load before each measurement
	Timeout     time.Duration // longest wait for one response, counted as an error after; a minute when 0
	Engine      string        // label for the table, e.g. "sqlite"
	Size        string        // label for the table, e.g. "100k"
	Log         io.Writer     // progress lines; nil for none
}

// LoadResult is one measured page: a user's portal page, or the bare page.
type LoadResult struct {
	Engine, Size, User, Page string
	Requests                 int // answered 200 with the page's marker
	Errors                   int // anything else: a transport error, another status, a page without its marker
	FirstError               string
	RPS                      float64
	P50, P99                 time.Duration
	PctOfBare                float64 // RPS as a percentage of the bare page's in the same run
}

// benchPage is a portal page Load drives, and what its body must contain.
type benchPage struct {
	name, path string
	markers    []*regexp.Regexp
}

var (
	projectLink = regexp.MustCompile(`href="/portal/[^/"]+/projects/(\d+)"`)
	protoRow    = regexp.MustCompile(`href="/portal/[^/"]+/protocols/\d+"`)
)

func portalPages(projectID string) []benchPage {
	m := func(exprs ...string) []*regexp.Regexp {
		var out []*regexp.Regexp
		for _, e := range exprs {
			out = append(out, regexp.MustCompile(e))
		}
		return out
	}
	return []benchPage{
		{"dashboard", "/", m(`<h1>Welcome`)},
		{"protocols", "/protocols", append(m(`<h1>Protocols</h1>`), protoRow)},
		{"protocols p3", "/protocols?page=3", append(m(`<h1>Protocols</h1>`), protoRow)},
		{"documents", "/documents", m(`<h1>Documents</h1>`, `Pest control certificate`)},
		{"project", "/projects/" + projectID, m(`<h1>Service contract`, `Bench switch 1`)},
		{"invoices", "/invoices", m(`<h1>Invoices</h1>`, `INV-\d{4}-`)},
	}
}

// barePage is the bare net/http page's body: 2 KB of HTML.
var barePage = func() []byte {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><title>Bare</title></head><body><h1>Bare page</h1>\n")
	for b.Len() < 2048-len("</body></html>\n")-60 {
		b.WriteString("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n")
	}
	b.WriteString(strings.Repeat(" ", 2048-len("</body></html>\n")-b.Len()))
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}()

// Load signs each user in through the portal's sign-in form, finds the pages
// (the first project of the user, which the bench fill gives switches), and
// drives each page with cfg.Connections keep-alive connections for
// cfg.Duration after cfg.Warmup. Beside them, in the same run, it drives a bare
// net/http page of 2 KB served from this process on another port, the yardstick
// for "% of bare". Every response must be 200 and carry the page's marker;
// anything else is counted as an error. Latencies are exact: all of them are
// kept and sorted.
func Load(ctx context.Context, cfg LoadConfig) ([]LoadResult, error) {
	if cfg.Tenant == "" {
		cfg.Tenant = BenchSlug
	}
	if cfg.Password == "" {
		cfg.Password = BenchPassword
	}
	if len(cfg.Users) == 0 {
		for _, u := range BenchUsers(0) {
			cfg.Users = append(cfg.Users, u.Email)
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	if cfg.Connections < 1 || cfg.Duration <= 0 {
		return nil, errors.New("load: need at least one connection and a duration")
	}
	base := strings.TrimRight(cfg.URL, "/")
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	bare := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(barePage)
	}), ReadHeaderTimeout: 10 * time.Second}
	go bare.Serve(ln)
	defer bare.Close()

	var out []LoadResult
	r := drive(ctx, cfg, "http://"+ln.Addr().String()+"/", "", []*regexp.Regexp{regexp.MustCompile(`<h1>Bare page</h1>`)})
	r.User, r.Page = "—", "bare net/http 2 KB"
	logf("load: %-22s %-14s %8.0f req/s  p50 %v  p99 %v  errors %d", r.User, r.Page, r.RPS, r.P50, r.P99, r.Errors)
	out = append(out, r)
	bareRPS := r.RPS

	for _, user := range cfg.Users {
		cookie, err := portalSignIn(ctx, base, cfg.Tenant, user, cfg.Password)
		if err != nil {
			return out, err
		}
		portal := base + "/portal/" + cfg.Tenant
		body, status, err := get(ctx, http.DefaultClient, portal+"/projects", cookie)
		if err != nil || status != http.StatusOK {
			return out, fmt.Errorf("load: %s: projects page: %d %v", user, status, err)
		}
		pid := projectLink.FindStringSubmatch(body)
		if pid == nil {
			return out, fmt.Errorf("load: %s sees no project", user)
		}
		for _, p := range portalPages(pid[1]) {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			r := drive(ctx, cfg, portal+p.path, cookie, p.markers)
			r.User, r.Page = user, p.name
			logf("load: %-22s %-14s %8.0f req/s  p50 %v  p99 %v  errors %d", r.User, r.Page, r.RPS, r.P50, r.P99, r.Errors)
			out = append(out, r)
		}
	}
	for i := range out {
		out[i].Engine, out[i].Size = cfg.Engine, cfg.Size
		if bareRPS > 0 {
			out[i].PctOfBare = 100 * out[i].RPS / bareRPS
		}
	}
	return out, nil
}

// portalSignIn signs user in through the portal's form the way a browser does
// (the form page first, then a same-origin post) and returns the session cookie.
func portalSignIn(ctx context.Context, base, tenant, user, password string) (string, error) {
	login := base + "/portal/" + tenant + "/login"
	if _, status, err := get(ctx, http.DefaultClient, login, ""); err != nil || status != http.StatusOK {
		return "", fmt.Errorf("load: sign-in form: %d %v", status, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, login,
		strings.NewReader(url.Values{"email": {user}, "password": {password}}.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Do(req)
	if err != nil {
		return "", fmt.Errorf("load: sign in %s: %w", user, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("load: sign in %s: status %d, want 303", user, resp.StatusCode)
	}
	var parts []string
	for _, c := range resp.Cookies() {
		if c.Value != "" {
			parts = append(parts, c.Name+"="+c.Value)
		}
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("load: sign in %s: no session cookie", user)
	}
	return strings.Join(parts, "; "), nil
}

func get(ctx context.Context, c *http.Client, u, cookie string) (string, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", 0, err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode, err
}

// drive loads one URL with cfg.Connections workers, each on its own keep-alive
// connection, first for cfg.Warmup unmeasured, then for cfg.Duration.
func drive(ctx context.Context, cfg LoadConfig, u, cookie string, markers []*regexp.Regexp) LoadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: cfg.Connections, MaxConnsPerHost: cfg.Connections, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	check := func() (time.Duration, error) {
		start := time.Now()
		body, status, err := get(ctx, client, u, cookie)
		d := time.Since(start)
		if err != nil {
			return d, err
		}
		if status != http.StatusOK {
			return d, fmt.Errorf("status %d", status)
		}
		for _, m := range markers {
			if !m.MatchString(body) {
				return d, fmt.Errorf("no %q in the page", m.String())
			}
		}
		return d, nil
	}
	run := func(d time.Duration, measure bool) ([]time.Duration, int, string, time.Duration) {
		var mu sync.Mutex
		var all []time.Duration
		errs, first := 0, ""
		start := time.Now()
		deadline := start.Add(d)
		var wg sync.WaitGroup
		for range cfg.Connections {
			wg.Go(func() {
				var lat []time.Duration
				n, msg := 0, ""
				for time.Now().Before(deadline) && ctx.Err() == nil {
					d, err := check()
					if err != nil {
						if n++; msg == "" {
							msg = err.Error()
						}
						continue
					}
					if measure {
						lat = append(lat, d)
					}
				}
				mu.Lock()
				all = append(all, lat...)
				errs += n
				if first == "" {
					first = msg
				}
				mu.Unlock()
			})
		}
		wg.Wait()
		return all, errs, first, time.Since(start)
	}
	if cfg.Warmup > 0 {
		run(cfg.Warmup, false)
	}
	lat, errs, first, elapsed := run(cfg.Duration, true)
	slices.Sort(lat)
	r := LoadResult{Requests: len(lat), Errors: errs, FirstError: first, RPS: float64(len(lat)) / elapsed.Seconds()}
	if len(lat) > 0 {
		r.P50 = lat[percentileIndex(len(lat), 50)]
		r.P99 = lat[percentileIndex(len(lat), 99)]
	}
	return r
}

// percentileIndex is the index of the p-th percentile in n sorted values by the
// nearest-rank method: the smallest value with at least p % of them at or below it.
func percentileIndex(n int, p float64) int {
	i := int(math.Ceil(p/100*float64(n))) - 1
	return max(0, min(i, n-1))
}

// WriteLoadTable prints results as one Markdown table, and the first error of
// each row that had any below it.
func WriteLoadTable(w io.Writer, results []LoadResult) {
	fmt.Fprintln(w, "| engine | size | user | page | req/s | p50 | p99 | % of bare | errors |")
	fmt.Fprintln(w, "|---|---|---|---|---:|---:|---:|---:|---:|")
	for _, r := range results {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.0f | %s | %s | %.1f %% | %d |\n",
			r.Engine, r.Size, r.User, r.Page, r.RPS, ms(r.P50), ms(r.P99), r.PctOfBare, r.Errors)
	}
	for _, r := range results {
		if r.Errors > 0 {
			fmt.Fprintf(w, "\n%s %s %s %s: %d errors, first: %s\n", r.Engine, r.Size, r.User, r.Page, r.Errors, r.FirstError)
		}
	}
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}
