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

// Mosquitto is a throwaway Mosquitto broker on a random loopback port, with a
// password file the test fills. It stops when the test ends.
type Mosquitto struct {
	t    testing.TB
	dir  string
	bin  string
	Port int

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

// StartMosquitto starts Mosquitto with anonymous access off and one account for
// the server. It fails the test when Mosquitto is not installed: switch tests
// never skip.
func StartMosquitto(t testing.TB) *Mosquitto {
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
	conf := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous false\npassword_file %s\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n",
		m.Port, filepath.Join(m.dir, "passwd"))
	if os.Geteuid() == 0 {
		// Started as root, Mosquitto would drop to the mosquitto user, who cannot
		// read the test's private directory.
		conf += "user root\n"
	}
	if err := os.WriteFile(filepath.Join(m.dir, "mosquitto.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	m.writePasswords()
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

// AddUser adds an account and makes the running broker reload its password file.
func (m *Mosquitto) AddUser(user, password string) {
	m.t.Helper()
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
		time.Sleep(200 * time.Millisecond) // the reload is asynchronous
	}
}

func (m *Mosquitto) writePasswords() {
	m.t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	file := filepath.Join(m.dir, "passwd")
	os.Remove(file)
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		m.t.Fatal(err)
	}
	for u, p := range m.users {
		out, err := exec.Command("mosquitto_passwd", "-b", file, u, p).CombinedOutput()
		if err != nil {
			m.t.Fatalf("testenv: mosquitto_passwd: %v\n%s", err, out)
		}
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
