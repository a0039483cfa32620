// Command portico is Portico's one binary: the web server, the demo, migrations,
// tenant creation and backups. It parses flags and wires the parts together;
// nothing else.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"portico/internal/domain"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "portico:", describe(err))
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// describe words an error for the command line: a form-style error names the flag
// of each bad field instead of printing a map.
func describe(err error) string {
	fields := domain.FieldErrors(err)
	if len(fields) == 0 {
		return err.Error()
	}
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("invalid input:")
	for _, f := range names {
		fmt.Fprintf(&b, "\n  --%s: %s", strings.ReplaceAll(f, "_", "-"), fields[f])
	}
	return b.String()
}

const usage = `Portico — the client portal for service businesses.

Usage:
  portico serve    [flags]   run the web server
  portico demo     [flags]   fill a demo tenant and serve it
  portico migrate  [flags]   apply database migrations and exit
  portico tenant create --name NAME --slug SLUG --admin-email EMAIL [flags]
                             create a service company and its first administrator
  portico simulate --broker URL --device family:topic:username:password …
                             run simulated Tasmota and Shelly devices
  portico backup --out FILE [flags]
                             write a consistent copy of the SQLite database
  portico bench fill|load [flags]
                             fill a load-test tenant, or drive its portal pages

Run "portico COMMAND -h" for the flags of a command. Every flag can also be set
as an environment variable: --base-url is PORTICO_BASE_URL.
`

// run is the whole program behind main, reusable by tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], stdout, stderr, getenv)
	case "demo":
		return cmdDemo(ctx, args[1:], stdout, stderr, getenv)
	case "migrate":
		return cmdMigrate(ctx, args[1:], stdout, stderr, getenv)
	case "tenant":
		if len(args) < 2 || args[1] != "create" {
			fmt.Fprint(stderr, usage)
			return errUsage
		}
		return cmdTenantCreate(ctx, args[2:], stdout, stderr, getenv)
	case "simulate":
		return cmdSimulate(ctx, args[1:], os.Stdin, stdout, stderr, getenv)
	case "backup":
		return cmdBackup(ctx, args[1:], stdout, stderr, getenv)
	case "bench":
		return cmdBench(ctx, args[1:], stdout, stderr, getenv)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
	return errUsage
}
