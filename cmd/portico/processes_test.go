package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"portico/internal/testenv"
)

// childArgsVar carries a child process's arguments, separated by \x1f.
const childArgsVar = "PORTICO_TEST_CHILD_ARGS"

// childMain runs the test binary as portico with args, the way main does.
func childMain(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, args, os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "portico:", describe(err))
		return 1
	}
	return 0
}

// process is a real `portico serve` process: its own address space, killable.
type process struct {
	t    *testing.T
	name string
	args []string
	addr string
	cmd  *exec.Cmd
	out  *syncBuffer
}

// startProcess runs `portico serve` with args in a child process listening on a
// fresh address, and waits until it answers /healthz.
func startProcess(t *testing.T, name string, args ...string) *process {
	t.Helper()
	p := &process{t: t, name: name, args: args, addr: freeAddr(t), out: &syncBuffer{}}
	p.start()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("process %s:\n%s", p.name, p.out.String())
		}
	})
	return p
}

func (p *process) start() {
	t := p.t
	t.Helper()
	args := append([]string{"serve", "--addr", p.addr, "--base-url", "http://" + p.addr}, p.args...)
	p.cmd = exec.Command(os.Args[0], "-test.run=^$")
	p.cmd.Env = append(os.Environ(), childArgsVar+"="+strings.Join(args, "\x1f"))
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", p.name, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + p.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer /healthz within 30 s:\n%s", p.name, p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process at once, as kill -9 does: nothing of it runs after.
func (p *process) kill() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Kill()
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		p.t.Logf("waiting for %s: %v", p.name, err)
	}
	p.cmd = nil
}

// restart starts the process again on its address after a kill.
func (p *process) restart() {
	p.t.Helper()
	p.kill()
	p.start()
}

// URL is the process's web address.
func (p *process) URL() string { return "http://" + p.addr }

// signIn signs a fresh client in to the tenant's portal on the process.
func (p *process) signIn(t *testing.T, slug, email string) *testenv.Client {
	t.Helper()
	c := browser(t, p.URL())
	r := c.Post("/portal/"+slug+"/login", url.Values{"email": {email}, "password": {testenv.Password}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("portal sign-in on %s: status %d\n%.300s", p.name, r.Status, r.Body)
	}
	return c
}
