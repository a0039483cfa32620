package main

import (
	"bufio"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"portico/internal/testenv"
)

// rssBytes is this process's resident set size.
func rssBytes(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatalf("reading the resident set size: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// Unauthenticated clients that announce 200 MiB CONNECT packets and stream data
// into them do not make the server allocate it: the broker refuses packets over
// its maximum before reading them, and the web side keeps answering.
func TestBrokerRefusesHugePacketsBeforeAuthentication(t *testing.T) {
	db := testenv.NewDB(t, "sqlite")
	mqttAddr := freeAddr(t)
	s := startServe(t, db.Store, config{Addr: "127.0.0.1:0", mqttConfig: mqttConfig{MQTTAddr: mqttAddr}})
	b := browser(t, "http://"+s.addr)

	before := rssBytes(t)
	// CONNECT with a remaining length of 200 MiB, as a variable byte integer.
	header := []byte{0x10}
	for n := 200 << 20; ; {
		d := byte(n % 128)
		n /= 128
		if n > 0 {
			header = append(header, d|0x80)
			continue
		}
		header = append(header, d)
		break
	}
	junk := make([]byte, 64<<10)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sent int64
	deadline := time.Now().Add(3 * time.Second)
	for range 4 {
		wg.Go(func() {
			conn, err := net.Dial("tcp", mqttAddr)
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			if _, err := conn.Write(header); err != nil {
				return
			}
			for time.Now().Before(deadline) {
				conn.SetWriteDeadline(deadline)
				n, err := conn.Write(junk)
				mu.Lock()
				sent += int64(n)
				mu.Unlock()
				if err != nil {
					return // the broker hung up, as it should
				}
			}
		})
	}
	wg.Wait()
	grown := rssBytes(t) - before
	t.Logf("sent %d MiB of oversized CONNECT bodies; resident set grew by %d MiB", sent>>20, grown>>20)
	if grown > 50<<20 {
		t.Fatalf("resident set grew by %d MiB, want under 50 MiB", grown>>20)
	}
	start := time.Now()
	if r := b.Get("/healthz"); r.Status != http.StatusOK {
		t.Fatalf("/healthz answered %d after the flood", r.Status)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("/healthz took %v after the flood", d)
	}
}
