package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// defaultMosquitto is where Debian's mosquitto package puts the broker;
// $PORTICO_MOSQUITTO overrides it.
const defaultMosquitto = "/usr/sbin/mosquitto"

// defaultDynsecPlugin is where Debian's mosquitto package puts the
// dynamic-security plugin; $PORTICO_MOSQUITTO_DYNSEC overrides it.
const defaultDynsecPlugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so"

// Mosquitto is a throwaway Mosquitto broker on a random loopback port, with a
// password file the test fills, or with the dynamic-security plugin
// (WithDynsec). It stops when the test ends.
type Mosquitto struct {
	t    testing.TB
	dir  string
	bin  string
	Port int
	// Dynsec says the broker keeps its accounts in the dynamic-security plugin,
	// whose admin is the server's account.
	Dynsec bool

	mu    sync.Mutex
	cmd   *exec.Cmd
	users map[string]string
	log   *syncBuffer
}

// ServerUser and ServerPassword are the account the server connects to Mosquitto with.
const (
	ServerUser     = "portico-server"
	ServerPassword = "server-password-for-tests"
)

// MosquittoOption changes how StartMosquitto sets the broker up.
type MosquittoOption func(*Mosquitto)

// WithDynsec makes the broker keep its accounts and ACLs in the dynamic-security
// plugin instead of a password file: the server's account is the plugin's admin
// (as "mosquitto_ctrl dynsec init" makes it), and every other account is for the
// server to make through the plugin.
func WithDynsec() MosquittoOption { return func(m *Mosquitto) { m.Dynsec = true } }

// StartMosquitto starts Mosquitto with anonymous access off and one account for
// the server. It fails the test when Mosquitto is not installed: switch tests
// never skip.
func StartMosquitto(t testing.TB, opts ...MosquittoOption) *Mosquitto {
	t.Helper()
	bin := os.Getenv("PORTICO_MOSQUITTO")
	if bin == "" {
		bin = defaultMosquitto
	}
	if !isExecutable(bin) {
		if p, err := exec.LookPath("mosquitto"); err == nil {
			bin = p
		} else {
			t.Fatalf("testenv: the external-broker tests need Mosquitto, and %s is not an executable file "+
				"(set $PORTICO_MOSQUITTO to use another binary); %s", bin, installHint)
		}
	}
	if _, err := exec.LookPath("mosquitto_passwd"); err != nil {
		t.Fatalf("testenv: mosquitto_passwd is missing; %s", installHint)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	m := &Mosquitto{t: t, dir: t.TempDir(), bin: bin, Port: port, users: map[string]string{ServerUser: ServerPassword}, log: &syncBuffer{}}
	for _, o := range opts {
		o(m)
	}
	conf := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous false\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n", m.Port)
	if m.Dynsec {
		conf += m.dynsecConf()
	} else {
		conf += "password_file " + filepath.Join(m.dir, "passwd") + "\n"
	}
	if os.Geteuid() == 0 {
		// Started as root, Mosquitto would drop to the mosquitto user, who cannot
		// read the test's private directory.
		conf += "user root\n"
	}
	if err := os.WriteFile(filepath.Join(m.dir, "mosquitto.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if !m.Dynsec {
		m.writePasswords()
	}
	m.Start()
	t.Cleanup(func() {
		m.Stop()
		if t.Failed() {
			t.Logf("mosquitto log:\n%s", m.log.String())
		}
	})
	return m
}

// URL is the broker's URL with the server's account.
func (m *Mosquitto) URL() string {
	return fmt.Sprintf("mqtt://%s:%s@127.0.0.1:%d", ServerUser, ServerPassword, m.Port)
}

// DeviceURL is the broker's URL without credentials.
func (m *Mosquitto) DeviceURL() string { return fmt.Sprintf("mqtt://127.0.0.1:%d", m.Port) }

// dynsecConf writes the plugin's file with the server's account as its admin,
// made by mosquitto_ctrl as an operator would, and returns the configuration
// lines that load the plugin.
func (m *Mosquitto) dynsecConf() string {
	m.t.Helper()
	plugin := os.Getenv("PORTICO_MOSQUITTO_DYNSEC")
	if plugin == "" {
		plugin = defaultDynsecPlugin
		if _, err := os.Stat(plugin); err != nil {
			if found, _ := filepath.Glob("/usr/lib/*/mosquitto_dynamic_security.so"); len(found) > 0 {
				plugin = found[0]
			}
		}
	}
	if _, err := os.Stat(plugin); err != nil {
		m.t.Fatalf("testenv: the dynamic-security tests need Mosquitto's plugin, and %s is missing "+
			"(set $PORTICO_MOSQUITTO_DYNSEC to use another file); %s", plugin, installHint)
	}
	ctrl, err := exec.LookPath("mosquitto_ctrl")
	if err != nil {
		m.t.Fatalf("testenv: mosquitto_ctrl is missing; %s", installHint)
	}
	file := filepath.Join(m.dir, "dynamic-security.json")
	if out, err := exec.Command(ctrl, "dynsec", "init", file, ServerUser, ServerPassword).CombinedOutput(); err != nil {
		m.t.Fatalf("testenv: mosquitto_ctrl dynsec init: %v\n%s", err, out)
	}
	// The plugin logs every command it carries out at the information level.
	return fmt.Sprintf("plugin %s\nplugin_opt_config_file %s\nlog_type information\n", plugin, file)
}

// AddUser adds an account and makes the running broker reload its password file.
// A broker with dynamic security has no password file: its accounts are made
// through the plugin.
func (m *Mosquitto) AddUser(user, password string) {
	m.t.Helper()
	if m.Dynsec {
		m.t.Fatalf("testenv: AddUser on a broker with dynamic security; make the account through the plugin")
	}
	m.mu.Lock()
	m.users[user] = password
	m.mu.Unlock()
	m.writePasswords()
	m.mu.Lock()
	cmd := m.cmd
	m.mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
			m.t.Fatalf("testenv: reloading mosquitto: %v", err)
		}
		// The reload is asynchronous, and slow on a loaded machine: wait until
		// the broker takes the new account rather than guessing how long that is.
		deadline := time.Now().Add(15 * time.Second)
		for {
			err := TryConnect(m.DeviceURL(), user, password)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				m.t.Fatalf("testenv: mosquitto did not take the account %s after a reload: %v\n%s", user, err, m.Log())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func (m *Mosquitto) writePasswords() {
	m.t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	// Written beside and renamed into place, so that a reload still pending from
	// an earlier AddUser never reads a half-written file and drops an account
	// (and, with it, a connected device).
	file := filepath.Join(m.dir, "passwd")
	next := file + ".next"
	os.Remove(next)
	if err := os.WriteFile(next, nil, 0o600); err != nil {
		m.t.Fatal(err)
	}
	for u, p := range m.users {
		out, err := exec.Command("mosquitto_passwd", "-b", next, u, p).CombinedOutput()
		if err != nil {
			m.t.Fatalf("testenv: mosquitto_passwd: %v\n%s", err, out)
		}
	}
	if err := os.Rename(next, file); err != nil {
		m.t.Fatal(err)
	}
}

// Start starts the broker (again, after Stop) and waits until it accepts connections.
func (m *Mosquitto) Start() {
	m.t.Helper()
	cmd := exec.Command(m.bin, "-c", filepath.Join(m.dir, "mosquitto.conf"))
	cmd.Stdout, cmd.Stderr = m.log, m.log
	if err := cmd.Start(); err != nil {
		m.t.Fatalf("testenv: starting mosquitto: %v", err)
	}
	m.mu.Lock()
	m.cmd = cmd
	m.mu.Unlock()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", m.Port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("testenv: mosquitto did not listen on port %d: %v\n%s", m.Port, err, m.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop stops the broker and waits for it to exit. Retained messages are lost
// (persistence is off), as after a crash of a broker without persistence.
func (m *Mosquitto) Stop() {
	m.mu.Lock()
	cmd := m.cmd
	m.cmd = nil
	m.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// Log returns what the broker logged.
func (m *Mosquitto) Log() string { return strings.TrimSpace(m.log.String()) }
