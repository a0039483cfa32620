// Package testenv is Portico's test harness: the app on a fresh SQLite file or a
// PostgreSQL database of a cluster it starts itself, fixtures built in Go, an HTTP
// client that behaves like a browser, and headless Chromium.
package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// pgSystemUser is the account initdb and pg_ctl run as when the tests run as root;
	// it is also the name of the cluster's superuser.
	pgSystemUser = "postgres"

	// startAttempts bounds how often StartPostgres retries when the port it picked
	// was taken by someone else before the server could bind it.
	startAttempts = 5

	// logTailBytes is how much of the server log is quoted in errors.
	logTailBytes = 4096

	installHint = "run scripts/install-deps.sh"
)

// Postgres is a throwaway PostgreSQL cluster in a temporary directory, listening on
// 127.0.0.1 on a free port.
type Postgres struct {
	dir     string // temporary root: socket, server log and data directory
	dataDir string
	logFile string
	binDir  string
	asUser  bool // run PostgreSQL binaries via runuser as pgSystemUser
	port    int

	seq atomic.Int64 // suffix for database names

	stopOnce sync.Once
	stopErr  error
}

// StartPostgres runs initdb and pg_ctl from Debian's postgresql package (find the newest
// /usr/lib/postgresql/*/bin, or initdb on PATH) in a fresh temp directory and starts the server.
// initdb refuses to run as root: when os.Geteuid()==0, the data dir is chowned to the
// `postgres` system user and initdb/pg_ctl run via `runuser -u postgres --`.
// Settings for speed: fsync=off, synchronous_commit=off, full_page_writes=off, max_connections=300,
// unix_socket_directories set to the temp dir, listen_addresses=127.0.0.1. Auth: trust for local/host.
// It returns a clear error (naming the missing binary and saying "run scripts/install-deps.sh") when PostgreSQL is not installed.
func StartPostgres() (*Postgres, error) {
	binDir, err := findPostgresBin()
	if err != nil {
		return nil, err
	}
	p := &Postgres{binDir: binDir, asUser: os.Geteuid() == 0}

	var uid, gid int
	if p.asUser {
		if uid, gid, err = lookupPostgresUser(); err != nil {
			return nil, err
		}
	}

	if p.dir, err = os.MkdirTemp("", "testenv-pg-"); err != nil {
		return nil, fmt.Errorf("testenv: creating temp dir: %w", err)
	}
	p.dataDir = filepath.Join(p.dir, "data")
	p.logFile = filepath.Join(p.dir, "postgres.log")

	if err := p.start(uid, gid); err != nil {
		return nil, errors.Join(err, p.Stop())
	}
	return p, nil
}

// start prepares the directory, initialises the cluster, starts the server and
// checks that it accepts TCP connections.
func (p *Postgres) start(uid, gid int) error {
	// The server (possibly running as another user) creates its socket, lock file
	// and log in p.dir, so it must own it; everyone must be able to traverse it.
	if err := os.Chmod(p.dir, 0o755); err != nil {
		return fmt.Errorf("testenv: %w", err)
	}
	if err := os.Mkdir(p.dataDir, 0o700); err != nil {
		return fmt.Errorf("testenv: %w", err)
	}
	if p.asUser {
		for _, d := range []string{p.dir, p.dataDir} {
			if err := os.Chown(d, uid, gid); err != nil {
				return fmt.Errorf("testenv: chown %s to %s: %w", d, pgSystemUser, err)
			}
		}
	}

	out, err := p.run("initdb",
		"--pgdata="+p.dataDir,
		"--username="+pgSystemUser,
		"--auth=trust",
		"--encoding=UTF8",
		"--locale=C",
		"--no-sync",
	)
	if err != nil {
		return fmt.Errorf("testenv: initdb: %w\n%s", err, out)
	}

	if err := p.writeConfig(); err != nil {
		return err
	}

	for attempt := 1; ; attempt++ {
		if p.port, err = freePort(); err != nil {
			return err
		}
		out, err = p.run("pg_ctl", "start",
			"--pgdata="+p.dataDir,
			"--log="+p.logFile,
			"--wait", "--timeout=120",
			"-o", "-p "+strconv.Itoa(p.port),
		)
		if err == nil {
			break
		}
		log := p.logTail()
		if attempt < startAttempts && strings.Contains(log, "could not bind") {
			continue // somebody grabbed the port in the meantime
		}
		return fmt.Errorf("testenv: pg_ctl start: %w\n%s\nserver log (%s):\n%s", err, out, p.logFile, log)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.url("postgres"))
	if err != nil {
		return fmt.Errorf("testenv: connecting to postgres: %w\nserver log (%s):\n%s", err, p.logFile, p.logTail())
	}
	return conn.Close(ctx)
}

// writeConfig appends the test settings to postgresql.conf; later entries win.
func (p *Postgres) writeConfig() error {
	conf := fmt.Sprintf(`
# testenv settings
listen_addresses = '127.0.0.1'
unix_socket_directories = '%s'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
`, strings.ReplaceAll(p.dir, "'", "''"))

	f, err := os.OpenFile(filepath.Join(p.dataDir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("testenv: %w", err)
	}
	_, err = f.WriteString(conf)
	return errors.Join(err, f.Close())
}

// CreateDatabase creates a new empty database with a unique name and returns its URL
// (postgres://postgres@127.0.0.1:PORT/NAME?sslmode=disable). Safe for concurrent use.
func (p *Postgres) CreateDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("test_%d", p.seq.Add(1))
	// A connection per call: a *pgx.Conn is not safe for concurrent use, and
	// connecting over loopback with trust auth is cheap.
	conn, err := pgx.Connect(ctx, p.url("postgres"))
	if err != nil {
		return "", fmt.Errorf("testenv: connecting to postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("testenv: create database %s: %w", name, err)
	}
	return p.url(name), nil
}

// Stop stops the server (pg_ctl stop -m immediate) and removes the directory.
func (p *Postgres) Stop() error {
	p.stopOnce.Do(func() { p.stopErr = p.stop() })
	return p.stopErr
}

// stop does the work of Stop; it also cleans up after a partial StartPostgres.
func (p *Postgres) stop() error {
	if p.dataDir == "" {
		return nil
	}
	var errs []error
	if _, err := os.Stat(filepath.Join(p.dataDir, "postmaster.pid")); err == nil {
		out, err := p.run("pg_ctl", "stop", "--pgdata="+p.dataDir, "--mode=immediate", "--wait")
		if err != nil {
			errs = append(errs, fmt.Errorf("testenv: pg_ctl stop: %w\n%s", err, out))
			errs = append(errs, p.killPostmaster())
		}
	}
	errs = append(errs, os.RemoveAll(p.dir))
	return errors.Join(errs...)
}

// killPostmaster is the fallback when pg_ctl stop fails: it kills the process
// recorded in postmaster.pid so that no server outlives the directory.
func (p *Postgres) killPostmaster() error {
	b, err := os.ReadFile(filepath.Join(p.dataDir, "postmaster.pid"))
	if err != nil {
		return nil // nothing left to kill
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return fmt.Errorf("testenv: bad postmaster.pid: %q", first)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("testenv: killing postmaster %d: %w", pid, err)
	}
	return nil
}

// url returns the connection URL of database name.
func (p *Postgres) url(name string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", pgSystemUser, p.port, name)
}

// run executes a PostgreSQL binary from p.binDir, via runuser when running as
// root, and returns its combined output.
func (p *Postgres) run(name string, args ...string) ([]byte, error) {
	argv := append([]string{filepath.Join(p.binDir, name)}, args...)
	if p.asUser {
		argv = append([]string{"runuser", "-u", pgSystemUser, "--"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = p.dir // the caller's working directory may be unreadable for postgres
	cmd.Env = postgresEnv()
	// pg_ctl start leaves the server running; never wait on a pipe it might hold.
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return bytes.TrimSpace(out.Bytes()), err
}

// logTail returns the end of the server log.
func (p *Postgres) logTail() string {
	b, err := os.ReadFile(p.logFile)
	if err != nil {
		return fmt.Sprintf("(no server log: %v)", err)
	}
	if len(b) > logTailBytes {
		b = b[len(b)-logTailBytes:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(bytes.TrimSpace(b))
}

// postgresEnv is the environment for PostgreSQL binaries: the current one
// without PG* variables (which would redirect the tools) and with the C locale.
func postgresEnv() []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_ALL=")
	})
	return append(env, "LC_ALL=C")
}

// findPostgresBin returns the directory holding initdb and pg_ctl: the newest
// /usr/lib/postgresql/*/bin, or else the directory of initdb on PATH.
func findPostgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Newest major version first; directory names are versions like "15" or "9.6".
	slices.SortFunc(dirs, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) {
			return checkPgCtl(d)
		}
	}
	initdb, err := exec.LookPath("initdb")
	if err != nil {
		return "", fmt.Errorf("testenv: PostgreSQL is not installed: no initdb in /usr/lib/postgresql/*/bin or on PATH; %s", installHint)
	}
	return checkPgCtl(filepath.Dir(initdb))
}

// checkPgCtl returns dir if it also holds pg_ctl.
func checkPgCtl(dir string) (string, error) {
	if !isExecutable(filepath.Join(dir, "pg_ctl")) {
		return "", fmt.Errorf("testenv: PostgreSQL is incomplete: found initdb but no pg_ctl in %s; %s", dir, installHint)
	}
	return dir, nil
}

// isExecutable reports whether path is a regular file with an execute bit set.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// compareVersions compares dotted numeric versions such as "9.6" and "15";
// non-numeric parts compare as 0.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if c := x - y; c != 0 {
			return c
		}
	}
	return 0
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("testenv: picking a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lookupPostgresUser returns the uid and gid of the postgres system user.
func lookupPostgresUser() (uid, gid int, err error) {
	u, err := user.Lookup(pgSystemUser)
	if err != nil {
		return 0, 0, fmt.Errorf("testenv: running as root needs the %q system user (created by the postgresql package; %s): %w",
			pgSystemUser, installHint, err)
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		return 0, 0, fmt.Errorf("testenv: running as root needs runuser (util-linux): %w", err)
	}
	if uid, err = strconv.Atoi(u.Uid); err == nil {
		gid, err = strconv.Atoi(u.Gid)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("testenv: user %s: %w", pgSystemUser, err)
	}
	return uid, gid, nil
}
