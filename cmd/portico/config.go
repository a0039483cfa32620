package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"time"

	"portico/internal/files"
	"portico/internal/store"
)

// config is every option of the server. Each is a flag and a PORTICO_* variable;
// a flag given on the command line wins over the variable.
type config struct {
	Addr        string
	Data        string
	Database    string
	BaseURL     string
	HSTSMaxAge  time.Duration
	LogFormat   string
	LogLevel    string
	TrustProxy  bool
	SMTPURL     string
	DevMailbox  bool
	S3URL       string
	MetricsAddr string
	PprofAddr   string
	APIRate     int // requests a minute per API token; 0 = no limit
	mqttConfig      // the MQTT broker; see switches.go
	limitConfig     // limits on devices and commands; see limits.go
}

// flags registers the common options on fs with their defaults.
func (c *config) flags(fs *flag.FlagSet, defaultData string) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on (PORTICO_ADDR)")
	fs.StringVar(&c.Data, "data", defaultData, "data directory: SQLite database and uploaded files (PORTICO_DATA)")
	fs.StringVar(&c.Database, "database", "", "postgres://… URL; empty means SQLite in the data directory (PORTICO_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", "", "public URL used in links, e.g. https://portal.example.com; default http://ADDR (PORTICO_BASE_URL)")
	fs.DurationVar(&c.HSTSMaxAge, "hsts-max-age", defaultHSTSMaxAge, "with an https base URL, how long browsers keep to https (Strict-Transport-Security); 0 sends none (PORTICO_HSTS_MAX_AGE)")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json (PORTICO_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error (PORTICO_LOG_LEVEL)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", false, "take the client IP from X-Forwarded-For (PORTICO_TRUST_PROXY)")
	fs.StringVar(&c.SMTPURL, "smtp-url", "", "SMTP relay for outgoing mail: smtp://user:pass@host:587?from=Name%20<addr>&tls=starttls|tls|none (PORTICO_SMTP_URL)")
	fs.StringVar(&c.S3URL, "s3-url", "", "S3-compatible bucket for uploaded files: https://KEY:SECRET@host/bucket[/prefix]?region=…[&path-style=true]; empty keeps them in DATA/files (PORTICO_S3_URL)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "", "address of a separate listener serving Prometheus metrics at /metrics, e.g. 127.0.0.1:9090; empty turns metrics off (PORTICO_METRICS_ADDR)")
	fs.StringVar(&c.PprofAddr, "pprof-addr", "", "address of a separate listener serving Go's profiles at /debug/pprof/, e.g. 127.0.0.1:6060; empty turns it off (PORTICO_PPROF_ADDR)")
	fs.BoolVar(&c.DevMailbox, "dev-mailbox", false, "deliver mail to the staff app's mailbox page instead of SMTP, for trying things out (PORTICO_DEV_MAILBOX)")
	fs.IntVar(&c.APIRate, "api-rate-limit", 120, "requests a minute one API token may make, across all server processes; 0 means no limit (PORTICO_API_RATE_LIMIT)")
	c.mqttFlags(fs)
	c.limitFlags(fs)
}

// defaultHSTSMaxAge is one year, the span browsers' preload lists ask for.
const defaultHSTSMaxAge = 8760 * time.Hour

// envName maps a flag to its environment variable.
func envName(flagName string) string {
	if flagName == "database" {
		return "PORTICO_DATABASE_URL"
	}
	return "PORTICO_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args, then fills every flag not given on the command line from
// its environment variable.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	// Parsing stops at the first non-flag; whatever follows would be silently ignored
	// (an unquoted --name Acme Pest Control drops every later flag).
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; quote values that contain spaces", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %w", envName(f.Name), e)
			}
		}
	})
	return err
}

// databaseURL is the configured PostgreSQL URL, or the SQLite file in the data directory.
func (c *config) databaseURL() string {
	if c.Database != "" {
		return c.Database
	}
	return "sqlite:" + filepath.Join(c.Data, "portico.db")
}

// baseURL is the public URL links are built from: --base-url, or else the listening
// address, where a wildcard host (":8080", "0.0.0.0:8080") means this machine.
func (c *config) baseURL() string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return "http://" + c.Addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// secure reports whether the server is reached over https: its cookies are then
// Secure and it sends Strict-Transport-Security, whatever the proxy in front of
// it speaks to it.
func (c *config) secure() bool { return strings.HasPrefix(c.baseURL(), "https://") }

// hstsMaxAge is the Strict-Transport-Security max-age to send: --hsts-max-age
// with an https base URL, and 0 (none) otherwise — over plain http the header
// would only be ignored, and a wrong one could lock users out.
func (c *config) hstsMaxAge() time.Duration {
	if !c.secure() || c.HSTSMaxAge < 0 {
		return 0
	}
	return c.HSTSMaxAge
}

func (c *config) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens and migrates the configured database.
func (c *config) openStore(ctx context.Context, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, store.Config{URL: c.databaseURL()})
	if err != nil {
		return nil, err
	}
	n, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("database migrated", "applied", n, "dialect", st.Dialect())
	}
	return st, nil
}

// fileStore is where uploaded files go: the S3 bucket of --s3-url, or else the
// files directory in the data directory.
func (c *config) fileStore(ctx context.Context) (files.Store, error) {
	if c.S3URL != "" {
		st, err := files.NewS3(ctx, c.S3URL)
		if err != nil {
			return nil, fmt.Errorf("--s3-url: %w", err)
		}
		return st, nil
	}
	return files.NewLocal(filepath.Join(c.Data, "files"))
}
