// Package web is Portico's HTTP face: the route table, middleware, handlers and
// embedded templates and assets of the staff app (and, later, the portal and the
// JSON API). Handlers parse input, call one app or store method and render; they
// decide nothing about access — each route's policy does.
package web

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/store"
)

//go:embed static
var staticFS embed.FS

// Config is what a Server needs.
type Config struct {
	App *app.App
	Log *slog.Logger
	// SecureCookies marks cookies Secure; set when the server is reached over TLS
	// (a base URL starting with https://).
	SecureCookies bool
	// HSTSMaxAge, when positive, is sent as Strict-Transport-Security on every
	// response. Set it when the server is reached over https (the base URL), even
	// behind a proxy that ends TLS, where the request itself arrives in the clear.
	HSTSMaxAge time.Duration
	// TrustProxy makes the client IP come from X-Forwarded-For (behind a load balancer).
	TrustProxy bool
	// DevMailbox adds the mailbox page, where demo mode delivers mail.
	DevMailbox bool
	// BrokerSecret is the shared secret an external broker (EMQX) sends to ask
	// who may connect and what they may do (broker_auth.go); "" turns that off.
	BrokerSecret string
	// APIRateLimit is how many requests a minute one API token may make; 0
	// means no limit.
	APIRateLimit int
	// Metrics receives the server's Prometheus metrics (metrics.go); nil keeps
	// them unexported.
	Metrics prometheus.Registerer
	// Command is how a person on this machine runs portico, for the command
	// lines the pages show (a switch's `portico simulate …`): "portico" when
	// empty, "go run ./cmd/portico" for a server started that way.
	Command string
}

// Server serves Portico over HTTP. Build it with NewServer.
type Server struct {
	app     *app.App
	log     *slog.Logger
	secure  bool
	proxy   bool
	dev     bool
	tmpl    templates
	routes  []route
	handler http.Handler
	secret  string // the external broker's shared secret (Config.BrokerSecret)
	hsts    string // the Strict-Transport-Security value; "" sends none
	metrics *metrics
	apiRate int    // requests a minute per API token (Config.APIRateLimit)
	command string // how to run portico here (Config.Command)
}

// NewServer parses the templates and builds the router.
func NewServer(cfg Config) (*Server, error) {
	t, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{app: cfg.App, log: cfg.Log, secure: cfg.SecureCookies, proxy: cfg.TrustProxy, dev: cfg.DevMailbox, tmpl: t,
		secret: cfg.BrokerSecret, metrics: newMetrics(cfg.Metrics), apiRate: cfg.APIRateLimit, command: cfg.Command}
	if s.command == "" {
		s.command = "portico"
	}
	if cfg.HSTSMaxAge > 0 {
		s.hsts = "max-age=" + strconv.FormatInt(int64(cfg.HSTSMaxAge/time.Second), 10)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		mux.Handle(rt.pattern, s.guard(rt))
	}
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheForever(http.FileServerFS(static))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("/", s.adapt(func(w http.ResponseWriter, r *http.Request) error {
		return domain.Errorf(domain.ENOTFOUND, "Page not found.")
	}))
	cop := http.NewCrossOriginProtection()
	// The API takes a bearer token, never a cookie, so a cross-site request
	// carries no credentials of the visitor's: nothing to protect (api.go).
	cop.AddInsecureBypassPattern("/api/")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serveError(w, r, domain.Errorf(domain.EFORBIDDEN, "This form was sent from another site and was refused. Reload the page and try again."))
	}))
	s.handler = s.metrics.measure(s.recoverer(s.logRequests(s.securityHeaders(noStorePrivate(cop.Handler(limitBody(mux)))))))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.app.Ready(ctx); err != nil {
		s.log.Warn("readiness check failed", "err", err)
		http.Error(w, "database unreachable\n", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}

// adapt turns a handlerFunc into an http.Handler that serves its error.
func (s *Server) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.serveError(w, r, err)
		}
	})
}

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.hsts != "" {
			h.Set("Strict-Transport-Security", s.hsts)
		}
		next.ServeHTTP(w, r)
	})
}

// Request body limits. Forms are small; only multipart bodies (uploads) may be
// larger, and each upload handler applies its own, tighter limit on top.
const (
	maxFormBytes      = 1 << 20
	maxMultipartBytes = 25 << 20
)

// limitBody caps every request body: maxFormBytes, or maxMultipartBytes for
// multipart/form-data, which only upload handlers read.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxFormBytes)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			limit = maxMultipartBytes
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// noStorePrivate keeps every response of the staff app and the portal out of
// caches — browser history, shared proxies, the back button after sign-out: their
// pages, JSON, live streams, files and redirects belong to one signed-in person.
// It is set before routing, so no handler can forget it; a handler may only make
// it stricter (files send "private, no-store"). Static assets are outside both
// trees and keep their caching.
func noStorePrivate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStaffPath(r.URL.Path) || strings.HasPrefix(r.URL.Path, "/portal/") {
			w.Header().Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

func cacheForever(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs each request's method, path (never the query, which may hold
// tokens; paths with tokens are redacted), status and duration.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		if strings.HasPrefix(r.URL.Path, "/static/") {
			return
		}
		s.log.Info("http", "method", r.Method, "path", redactPath(r.URL.Path), "status", sw.status, "ms", time.Since(start).Milliseconds())
	})
}

// redactPath hides the token of one-time-link paths: the staff app's
// /app/password/{token} and the portal's /portal/{tenant}/{kind}/{token}.
func redactPath(p string) string {
	if i := strings.Index(p, "/password/"); i >= 0 {
		return p[:i] + "/password/[redacted]"
	}
	if rest, ok := strings.CutPrefix(p, "/portal/"); ok {
		if parts := strings.SplitN(rest, "/", 3); len(parts) == 3 && isLinkKind(parts[1]) {
			return "/portal/" + parts[0] + "/" + parts[1] + "/[redacted]"
		}
	}
	return p
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", redactPath(r.URL.Path), "panic", v)
				http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// clientIP is the address sign-in limits count against.
func (s *Server) clientIP(r *http.Request) string {
	if s.proxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			return strings.TrimSpace(strings.Split(xff, ",")[0])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ctxKey keys request context values.
type ctxKey int

const (
	keyStaff ctxKey = iota
	keyPortal
)

// staffCtx is the signed-in staff member of a request: who they are, and the view
// of the store bound to them, the only way a staff handler reaches data.
type staffCtx struct {
	user    *domain.StaffUser
	company *domain.Company
	who     access.Staff
	view    *store.StaffView
}

func staffOf(r *http.Request) *staffCtx {
	sess, _ := r.Context().Value(keyStaff).(*staffCtx)
	return sess
}

// who returns the access principal of the request's staff member; its zero value
// may do nothing.
func who(r *http.Request) access.Staff {
	if sess := staffOf(r); sess != nil {
		return sess.who
	}
	return access.Staff{}
}

// staffView returns the view of the store bound to the request's staff member;
// signed out, a view of the zero principal, which may do nothing.
func (s *Server) staffView(r *http.Request) *store.StaffView {
	if sess := staffOf(r); sess != nil {
		return sess.view
	}
	return s.app.StaffView(access.Staff{})
}

// page returns the frame of a page for the request.
func (s *Server) page(r *http.Request, title string) Page {
	p := Page{Title: title, Locale: "en", Dev: s.dev}
	if sess := staffOf(r); sess != nil {
		p.Staff, p.Company, p.who = sess.user, sess.company, sess.who
		p.Locale = sess.company.Locale
	}
	if c, err := r.Cookie(flashCookie); err == nil {
		p.Flash = flashText(c.Value)
	}
	return p
}

func isStaffPath(p string) bool { return p == "/app" || strings.HasPrefix(p, "/app/") }
