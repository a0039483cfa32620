package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/app"
	"portico/internal/switches"
	"portico/internal/testenv"
)

// The commands are driven through run, exactly as main calls it, with the
// environment stubbed; PostgreSQL comes from testenv.
func TestMain(m *testing.M) {
	// The test binary doubles as the portico binary, so that tests can run real
	// server processes and kill them (see processes_test.go).
	if args, ok := os.LookupEnv(childArgsVar); ok {
		os.Exit(childMain(strings.Split(args, "\x1f")))
	}
	testenv.Main(m)
}

// env returns a getenv that knows only vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// noEnv is an empty environment.
var noEnv = env(nil)

// syncBuffer is an output the program under test writes from its goroutines while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runCmd runs one command to completion and returns what it wrote.
func runCmd(t *testing.T, getenv func(string) string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), args, &out, &errOut, getenv)
	return out.String(), errOut.String(), err
}

// mustRun runs a command that has to succeed and returns its standard output.
func mustRun(t *testing.T, getenv func(string) string, args ...string) string {
	t.Helper()
	out, errOut, err := runCmd(t, getenv, args...)
	if err != nil {
		t.Fatalf("portico %s: %v\nstderr:\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// running is a long-lived command (serve, demo) running in the background.
type running struct {
	stdout, stderr syncBuffer
	cancel         context.CancelFunc
	done           chan error

	once sync.Once
	err  error
}

// start runs a command until the test stops it or ends.
func start(t *testing.T, getenv func(string) string, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- run(ctx, args, &r.stdout, &r.stderr, getenv) }()
	t.Cleanup(func() {
		if err := r.stop(t); err != nil {
			t.Errorf("portico %s ended with %v", strings.Join(args, " "), err)
		}
		if t.Failed() {
			t.Logf("portico %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.stdout.String(), r.stderr.String())
		}
	})
	return r
}

// stop cancels the command's context, as Ctrl+C does, and returns what run returned.
// Shutdown is graceful but must be prompt when nothing is in flight.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case r.err = <-r.done:
		case <-time.After(10 * time.Second):
			r.err = errors.New("still running 10 s after cancel")
		}
	})
	return r.err
}

// waitUntil polls cond until it holds; it fails the test if the command ends first.
func (r *running) waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		select {
		case err := <-r.done:
			r.done <- err // let stop see it too
			t.Fatalf("waiting for %s: the command ended: %v\nstderr:\n%s", what, err, r.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: timed out\nstdout:\n%s\nstderr:\n%s", what, r.stdout.String(), r.stderr.String())
		}
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		wantErr    error
		wantStdout string // part of standard output; "" = must be empty
		wantStderr string // part of standard error; "" = must be empty
	}{
		{"no command", nil, errUsage, "", "Usage:"},
		{"unknown command", []string{"frobnicate"}, errUsage, "", `unknown command "frobnicate"`},
		{"tenant without a subcommand", []string{"tenant"}, errUsage, "", "portico tenant create"},
		{"unknown tenant subcommand", []string{"tenant", "delete"}, errUsage, "", "portico tenant create"},
		{"help", []string{"help"}, nil, "Usage:", ""},
		{"-h", []string{"-h"}, nil, "portico serve", ""},
		{"--help", []string{"--help"}, nil, "portico backup --out FILE", ""},
		{"a command's flags", []string{"serve", "-h"}, errUsage, "", "PORTICO_ADDR"},
		{"an unknown flag", []string{"migrate", "--no-such-flag"}, errUsage, "", "flag provided but not defined: -no-such-flag"},
		{"a flag without its value", []string{"backup", "--out"}, errUsage, "", "flag needs an argument: -out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := runCmd(t, noEnv, tc.args...)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			check := func(stream, got, want string) {
				t.Helper()
				if want == "" && got != "" {
					t.Errorf("%s = %q, want nothing", stream, got)
				}
				if !strings.Contains(got, want) {
					t.Errorf("%s = %q, want it to contain %q", stream, got, want)
				}
			}
			check("stdout", out, tc.wantStdout)
			check("stderr", errOut, tc.wantStderr)
		})
	}
}

// parseConfig parses args and the environment the way every command does.
func parseConfig(args []string, vars map[string]string) (config, error) {
	var c config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.flags(fs, "./portico-data")
	err := parseFlags(fs, args, env(vars))
	return c, err
}

func TestFlagsAndEnvironment(t *testing.T) {
	defaults := config{Addr: "127.0.0.1:8080", Data: "./portico-data", LogFormat: "text", LogLevel: "info", HSTSMaxAge: 8760 * time.Hour, APIRate: 120,
		limitConfig: limitConfig{MQTTMaxPacket: switches.DefaultMaxPacketSize, MQTTMaxConnsPerIP: switches.DefaultMaxConnsPerIP,
			CommandLimit: app.DefaultCommandLimit, CommandWindow: app.DefaultCommandWindow}}
	with := func(f func(c *config)) config { c := defaults; f(&c); return c }

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want config
	}{
		{"defaults", nil, nil, defaults},
		{"variable beats default", nil, map[string]string{"PORTICO_ADDR": "0.0.0.0:9000"},
			with(func(c *config) { c.Addr = "0.0.0.0:9000" })},
		{"flag beats variable", []string{"--addr", "127.0.0.1:7000"}, map[string]string{"PORTICO_ADDR": "0.0.0.0:9000"},
			with(func(c *config) { c.Addr = "127.0.0.1:7000" })},
		{"flag set to its default still beats variable", []string{"--addr=127.0.0.1:8080"}, map[string]string{"PORTICO_ADDR": "0.0.0.0:9000"},
			defaults},
		{"empty variable is no variable", nil, map[string]string{"PORTICO_ADDR": ""}, defaults},
		{"data directory", nil, map[string]string{"PORTICO_DATA": "/srv/portico"},
			with(func(c *config) { c.Data = "/srv/portico" })},
		{"database is PORTICO_DATABASE_URL", nil, map[string]string{"PORTICO_DATABASE_URL": "postgres://db/portico"},
			with(func(c *config) { c.Database = "postgres://db/portico" })},
		{"switch command rate", nil, map[string]string{"PORTICO_SWITCH_COMMAND_LIMIT": "3", "PORTICO_SWITCH_COMMAND_WINDOW": "10s"},
			with(func(c *config) { c.CommandLimit, c.CommandWindow = 3, 10*time.Second })},
		{"broker packet limit", []string{"--mqtt-max-packet", "4096"}, nil,
			with(func(c *config) { c.MQTTMaxPacket = 4096 })},
		{"metrics listener", nil, map[string]string{"PORTICO_METRICS_ADDR": "127.0.0.1:9090"},
			with(func(c *config) { c.MetricsAddr = "127.0.0.1:9090" })},
		{"pprof listener", []string{"--pprof-addr", "127.0.0.1:6060"}, nil,
			with(func(c *config) { c.PprofAddr = "127.0.0.1:6060" })},
		{"PORTICO_DATABASE is not read", nil, map[string]string{"PORTICO_DATABASE": "postgres://db/portico"}, defaults},
		{"hyphenated flags become underscores", nil,
			map[string]string{"PORTICO_BASE_URL": "https://portal.test", "PORTICO_LOG_FORMAT": "json", "PORTICO_LOG_LEVEL": "debug"},
			with(func(c *config) { c.BaseURL, c.LogFormat, c.LogLevel = "https://portal.test", "json", "debug" })},
		{"HSTS max-age is a duration", nil, map[string]string{"PORTICO_HSTS_MAX_AGE": "24h"},
			with(func(c *config) { c.HSTSMaxAge = 24 * time.Hour })},
		{"boolean variable", nil, map[string]string{"PORTICO_TRUST_PROXY": "true"},
			with(func(c *config) { c.TrustProxy = true })},
		{"boolean flag beats variable", []string{"--trust-proxy=false"}, map[string]string{"PORTICO_TRUST_PROXY": "true"}, defaults},
		{"each option on its own", []string{"--data", "d"}, map[string]string{"PORTICO_DATA": "e", "PORTICO_LOG_LEVEL": "warn"},
			with(func(c *config) { c.Data, c.LogLevel = "d", "warn" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseConfig(tc.args, tc.env)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if got != tc.want {
				t.Fatalf("config = %+v\nwant     %+v", got, tc.want)
			}
		})
	}
}

func TestFlagAndEnvironmentErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{"unknown flag", []string{"--port", "80"}, nil, "usage"},
		{"positional argument", []string{"extra"}, nil, "unexpected argument"},
		{"bad boolean variable names the variable", nil, map[string]string{"PORTICO_TRUST_PROXY": "maybe"}, "PORTICO_TRUST_PROXY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig(tc.args, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
			}
		})
	}
}

func TestDerivedSettings(t *testing.T) {
	for _, tc := range []struct {
		name        string
		c           config
		wantBase    string
		wantDB      string
		wantSecure  bool // cookies marked Secure
		wantDebug   bool
		wantJSONLog bool
	}{
		{"defaults", config{Addr: "127.0.0.1:8080", Data: "./portico-data", LogLevel: "info", LogFormat: "text"},
			"http://127.0.0.1:8080", "sqlite:portico-data/portico.db", false, false, false},
		{"base URL given, trailing slash dropped", config{Addr: "127.0.0.1:8080", Data: "d", BaseURL: "https://portal.test/"},
			"https://portal.test", "sqlite:d/portico.db", true, false, false},
		{"any interface means this machine", config{Addr: ":8080", Data: "d"},
			"http://localhost:8080", "sqlite:d/portico.db", false, false, false},
		{"IPv4 wildcard means this machine", config{Addr: "0.0.0.0:8080", Data: "d"},
			"http://localhost:8080", "sqlite:d/portico.db", false, false, false},
		{"IPv6 wildcard means this machine", config{Addr: "[::]:8080", Data: "d"},
			"http://localhost:8080", "sqlite:d/portico.db", false, false, false},
		{"IPv6 loopback keeps its brackets", config{Addr: "[::1]:8080", Data: "d"},
			"http://[::1]:8080", "sqlite:d/portico.db", false, false, false},
		{"PostgreSQL URL wins over the data directory", config{Addr: "127.0.0.1:8080", Data: "d", Database: "postgres://db/x"},
			"http://127.0.0.1:8080", "postgres://db/x", false, false, false},
		{"debug level, JSON logs", config{Addr: "127.0.0.1:8080", Data: "d", LogLevel: "debug", LogFormat: "json"},
			"http://127.0.0.1:8080", "sqlite:d/portico.db", false, true, true},
		{"unknown level falls back to info", config{Addr: "127.0.0.1:8080", Data: "d", LogLevel: "chatty"},
			"http://127.0.0.1:8080", "sqlite:d/portico.db", false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.baseURL(); got != tc.wantBase {
				t.Errorf("baseURL = %q, want %q", got, tc.wantBase)
			}
			if got := tc.c.databaseURL(); got != tc.wantDB {
				t.Errorf("databaseURL = %q, want %q", got, tc.wantDB)
			}
			if got := strings.HasPrefix(tc.c.baseURL(), "https://"); got != tc.wantSecure {
				t.Errorf("secure cookies = %v, want %v", got, tc.wantSecure)
			}
			var buf bytes.Buffer
			log := tc.c.logger(&buf)
			if got := log.Enabled(context.Background(), slog.LevelDebug); got != tc.wantDebug {
				t.Errorf("debug enabled = %v, want %v", got, tc.wantDebug)
			}
			if !log.Enabled(context.Background(), slog.LevelInfo) {
				t.Errorf("info disabled")
			}
			log.Info("hello")
			if got := strings.HasPrefix(buf.String(), "{"); got != tc.wantJSONLog {
				t.Errorf("log line %q: JSON = %v, want %v", buf.String(), got, tc.wantJSONLog)
			}
		})
	}
}
