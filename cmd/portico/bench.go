package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"portico/internal/demo"
)

const benchUsage = `Usage:
  portico bench fill --data DIR [--database URL] --clients N --protocols M [--big-clients K]
                             fill the load-test tenant "bench"
  portico bench load --url URL [--users a@bench.test,…] [--connections 32] [--duration 5s]
                             drive the bench tenant's portal pages and print a table
`

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) > 0 {
		switch args[0] {
		case "fill":
			return cmdBenchFill(ctx, args[1:], stdout, stderr, getenv)
		case "load":
			return cmdBenchLoad(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprint(stderr, benchUsage)
	return errUsage
}

func cmdBenchFill(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var c config
	var cfg demo.BenchConfig
	fs := flag.NewFlagSet("bench fill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.flags(fs, "./bench-data")
	fs.IntVar(&cfg.Clients, "clients", 1000, "clients to make, two sites each (at least 5)")
	fs.IntVar(&cfg.Protocols, "protocols", 100_000, "completed protocols to spread over the clients and the last two years")
	fs.IntVar(&cfg.BigClients, "big-clients", 0, "clients of big@bench.test (default 100, or all clients when fewer)")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed of the generated data")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	log := c.logger(stderr)
	st, err := c.openStore(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.Files, err = c.fileStore(ctx); err != nil {
		return err
	}
	cfg.Log = stdout
	b, err := demo.FillBench(ctx, st, cfg)
	if errors.Is(err, demo.ErrBenchFilled) {
		fmt.Fprintf(stdout, "The bench tenant in %s is already filled; nothing to do. Start from an empty data directory or database to fill it again.\n", c.databaseURL())
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nPortal: %s/portal/%s/login — password %s\n", c.baseURL(), demo.BenchSlug, demo.BenchPassword)
	for _, u := range b.Users {
		reach := fmt.Sprintf("%d client(s)", u.Clients)
		if u.OneSite {
			reach += ", one site"
		}
		fmt.Fprintf(stdout, "  %-24s %s\n", u.Email, reach)
	}
	return nil
}

func cmdBenchLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg demo.LoadConfig
	var users, out string
	fs := flag.NewFlagSet("bench load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "base URL of the server to drive")
	fs.StringVar(&users, "users", "", "comma-separated portal users to drive (default: every bench user)")
	fs.IntVar(&cfg.Connections, "connections", 32, "concurrent keep-alive connections per page")
	fs.DurationVar(&cfg.Duration, "duration", 5*time.Second, "measured time per page")
	fs.DurationVar(&cfg.Warmup, "warmup", time.Second, "unmeasured load before each page's measurement")
	fs.DurationVar(&cfg.Timeout, "timeout", time.Minute, "longest wait for one response; a longer one counts as an error")
	fs.StringVar(&cfg.Engine, "engine", "", "database engine, for the table")
	fs.StringVar(&cfg.Size, "size", "", "data size, for the table")
	fs.StringVar(&out, "out", "", "also write the table to this file")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if users != "" {
		cfg.Users = strings.Split(users, ",")
	}
	cfg.Log = stderr
	results, err := demo.Load(ctx, cfg)
	if err != nil {
		return err
	}
	demo.WriteLoadTable(stdout, results)
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		demo.WriteLoadTable(f, results)
		if err := f.Close(); err != nil {
			return err
		}
	}
	for _, r := range results {
		if r.Errors > 0 {
			return fmt.Errorf("bench load: %d page(s) answered with errors", countErrors(results))
		}
	}
	return nil
}

func countErrors(rs []demo.LoadResult) int {
	n := 0
	for _, r := range rs {
		if r.Errors > 0 {
			n++
		}
	}
	return n
}
