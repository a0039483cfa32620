package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"portico/internal/app"
	"portico/internal/demo"
	"portico/internal/mail"
	"portico/internal/store"
	"portico/internal/switches"
	"portico/internal/web"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var c config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.flags(fs, "./portico-data")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	log := c.logger(stderr)
	st, err := c.openStore(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	return serve(ctx, &c, st, log, nil)
}

// serve runs the HTTP server until ctx ends, then shuts down gracefully: it stops
// accepting, lets in-flight requests finish (up to 20 s) and returns. ready, if not
// nil, is called with the listening address. When c.Addr asks for any free port
// (port 0), serve records the port it got in c.Addr, so that links carry it.
func serve(ctx context.Context, c *config, st *store.Store, log *slog.Logger, ready func(addr string)) error {
	c.mqttRandomPort = strings.HasSuffix(c.Addr, ":0") // before the real port replaces it
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	if host, port, err := net.SplitHostPort(c.Addr); err == nil && port == "0" {
		_, got, _ := net.SplitHostPort(ln.Addr().String())
		c.Addr = net.JoinHostPort(host, got)
	}
	reg, stopMetrics, err := c.serveMetrics(st, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMetrics()
	stopPprof, err := c.servePprof(log)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopPprof()
	a := app.New(st, log, c.baseURL())
	if a.Files, err = c.fileStore(ctx); err != nil {
		ln.Close()
		return err
	}
	sw, stopSwitches, err := c.startSwitches(ctx, st, log, switches.NewMetrics(reg))
	if err != nil {
		ln.Close()
		return err
	}
	defer stopSwitches()
	a.Switches = sw
	srv, err := web.NewServer(web.Config{App: a, Log: log,
		SecureCookies: c.secure(), HSTSMaxAge: c.hstsMaxAge(), TrustProxy: c.TrustProxy, DevMailbox: c.DevMailbox, BrokerSecret: c.MQTTAuthSecret,
		APIRateLimit: c.APIRate, Command: selfCommand(),
		Metrics: reg})
	if err != nil {
		ln.Close()
		return err
	}
	sender, err := c.mailSender(st, log)
	if err != nil {
		ln.Close()
		return err
	}
	// The outbox worker runs beside the server and stops with it, finishing the
	// message in hand; whatever is left stays in the outbox for the next start.
	workerDone := make(chan struct{})
	wctx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	defer func() { stopWorker(); <-workerDone }()
	if sender == nil {
		log.Warn("no SMTP server configured (--smtp-url): mail stays queued in the outbox until one is")
	}
	mailMetrics := mail.NewMetrics(reg, app.MailQueue{Store: st})
	go func() {
		defer close(workerDone)
		if sender != nil {
			w := a.NewMailWorker(sender)
			w.Metrics = mailMetrics
			w.Run(wctx)
		}
	}()
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	hs.RegisterOnShutdown(sw.EndStreams) // live switch streams would hold the shutdown up
	log.Info("listening", "addr", ln.Addr().String(), "base_url", c.baseURL(), "database", st.Dialect())
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveMetrics starts the metrics listener of --metrics-addr, serving a registry
// of its own at /metrics, and returns that registry for the parts to register
// their metrics with. Without --metrics-addr the registry is nil: the parts keep
// their counts to themselves. stop ends the listener, letting a scrape in
// progress finish.
func (c *config) serveMetrics(st *store.Store, log *slog.Logger) (reg prometheus.Registerer, stop func(), err error) {
	if c.MetricsAddr == "" {
		return nil, func() {}, nil
	}
	ln, err := net.Listen("tcp", c.MetricsAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := st.RegisterMetrics(r); err != nil {
		ln.Close()
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(r, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn), Timeout: 10 * time.Second}))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String(), "path", "/metrics")
	return r, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		<-done
	}, nil
}

// servePprof starts the profiling listener of --pprof-addr, serving Go's
// runtime profiles (CPU, heap, allocations, goroutines…) under /debug/pprof/.
// Without --pprof-addr nothing listens; stop ends the listener.
func (c *config) servePprof(log *slog.Logger) (stop func(), err error) {
	if c.PprofAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", c.PprofAddr)
	if err != nil {
		return nil, fmt.Errorf("--pprof-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	// A CPU profile or trace runs for its ?seconds= before it answers.
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof listener", "err", err)
		}
	}()
	log.Info("pprof listening", "addr", ln.Addr().String(), "path", "/debug/pprof/")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		<-done
	}, nil
}

// mailSender is the dev mailbox in demo mode, the SMTP relay when one is
// configured, and nil otherwise.
func (c *config) mailSender(st *store.Store, log *slog.Logger) (mail.Sender, error) {
	switch {
	case c.DevMailbox:
		return &mail.DevMailbox{Store: app.DevMailStore{Store: st}, Log: log}, nil
	case c.SMTPURL != "":
		s, err := mail.NewSMTPSender(c.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("--smtp-url: %w", err)
		}
		return s, nil
	}
	return nil, nil
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var c config
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.flags(fs, "./portico-data")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	st, err := store.Open(ctx, store.Config{URL: c.databaseURL()})
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Applied %d migration(s) to the %s database.\n", n, st.Dialect())
	return nil
}

func cmdTenantCreate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var c config
	var name, slug, email, adminName string
	fs := flag.NewFlagSet("tenant create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.flags(fs, "./portico-data")
	fs.StringVar(&name, "name", "", "the service company's name, e.g. \"Acme Pest Control\"")
	fs.StringVar(&slug, "slug", "", "short name used in URLs and at sign-in, e.g. acme")
	fs.StringVar(&email, "admin-email", "", "email of the first administrator")
	fs.StringVar(&adminName, "admin-name", "Administrator", "name of the first administrator")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	log := c.logger(stderr)
	st, err := c.openStore(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	a := app.New(st, log, c.baseURL())
	company, link, err := a.CreateTenant(ctx, name, slug, email, adminName)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %s (slug %q).\n\nThe administrator %s sets a password here (valid for 7 days, works once):\n\n  %s\n\nThen they sign in at %s/app/login?company=%s\n",
		company.Name, company.Slug, email, link, c.baseURL(), company.Slug)
	return nil
}

func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var c config
	var out string
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.flags(fs, "./portico-data")
	fs.StringVar(&out, "out", "", "file to write the copy to (must not exist)")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if out == "" {
		return fmt.Errorf("backup: --out is required")
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("backup: %s already exists", out)
	}
	// Opening a missing SQLite file creates an empty one: a mistyped --data would
	// "succeed" with an empty copy.
	if path, ok := strings.CutPrefix(c.databaseURL(), "sqlite:"); ok {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("backup: no database in %s: %w", c.Data, err)
		}
	}
	st, err := store.Open(ctx, store.Config{URL: c.databaseURL()})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote a consistent copy of the database to %s.\n", out)
	return nil
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var c config
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.flags(fs, "./portico-demo")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	// The demo shows its mail on the mailbox page unless a real relay is given.
	c.DevMailbox = c.SMTPURL == ""
	log := c.logger(stderr)
	st, err := c.openStore(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := demo.Fill(ctx, st)
	if err != nil {
		return err
	}
	fst, err := c.fileStore(ctx)
	if err != nil {
		return err
	}
	if err := demo.WriteFiles(ctx, fst); err != nil {
		return err
	}
	return serve(ctx, &c, st, log, func(addr string) {
		// Dencorp's switches get simulated devices on the embedded broker.
		if c.mqttDeviceURL != "" {
			if err := demo.StartDevices(ctx, st, c.mqttDeviceURL, log); err != nil {
				log.Warn("demo: simulated devices did not start", "err", err)
			} else {
				fmt.Fprintf(stdout, "\nSimulated switches run on the embedded MQTT broker at %s (Dencorp's projects).\n", c.mqttDeviceURL)
			}
		}
		base := c.baseURL()
		fmt.Fprintf(stdout, `
Portico demo is running.

  Data:       %s
  Staff app:  %s/app/login?company=%s
              company %s, %s / %s
  Mailbox:    %s/app/dev/mailbox (mail is delivered here, not sent)
  Portal:     %s/portal/%s/login — every portal user's password is %s
`, c.databaseURL(), base, d.Slug, d.Slug, d.AdminEmail, d.AdminPassword, base, base, d.Slug, d.AdminPassword)
		for _, u := range demo.PortalUsers {
			fmt.Fprintf(stdout, "              %-22s %s\n", u.Email, u.Access)
		}
		fmt.Fprint(stdout, "\nPress Ctrl+C to stop.\n")
	})
}

// selfCommand is how a person on this machine starts this portico again, for
// the command lines the pages show.
func selfCommand() string {
	exe, err := os.Executable()
	if err != nil {
		return "portico"
	}
	onPath, _ := exec.LookPath("portico")
	return commandFor(exe, onPath)
}

// commandFor decides selfCommand from the running executable and what
// "portico" on the PATH resolves to ("" for nothing): "go run ./cmd/portico"
// for a binary that go run built in its temporary directory (the README's way,
// from the repository), "portico" when the PATH finds this very file, else the
// executable's own path.
func commandFor(exe, onPath string) string {
	if strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return "go run ./cmd/portico"
	}
	if onPath != "" {
		if a, err := filepath.EvalSymlinks(onPath); err == nil {
			if b, err := filepath.EvalSymlinks(exe); err == nil && a == b {
				return "portico"
			}
		}
	}
	return exe
}
