package switches_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"

	"portico/internal/domain"
	"portico/internal/switches"
	"portico/internal/testenv"
)

// Benchmarks are not run by go test; run them with
//
//	go test -run '^$' -bench . -benchtime 200x ./internal/switches/
//
// BenchmarkToggleRoundTrip measures a toggle as a person causes it — HTTP POST,
// command over the embedded broker to a simulated device, its report back, stored
// and confirmed — next to a bare MQTT round trip on the same broker in the same
// run, and reports the 50th and 99th percentiles of both.
func BenchmarkToggleRoundTrip(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) { benchToggle(b, engine) })
	}
}

func benchToggle(b *testing.B, engine string) {
	db := testenv.NewDB(b, engine)
	ss := testenv.StartSwitchServer(b, db, testenv.BrokerEmbedded, testenv.SwitchOptions{CommandLimit: -1})
	tn := db.Tenant(b, "")
	client := db.Client(b, tn, "Dencorp")
	project := db.Project(b, tn, client, "Office lighting", nil)
	sw, pw := db.Switch(b, tn, project, "Office light", domain.FamilyTasmota, "bench_plug")
	echo, echoPW := db.Switch(b, tn, project, "Echo", domain.FamilyTasmota, "bench_echo")
	ss.Device(b, sw, pw)

	c := ss.NewClient(b)
	c.SignIn(tn.Company.Slug, tn.Admin.Email)
	path := fmt.Sprintf("/app/clients/%d/projects/%d/switches/%d/toggle", client.ID, project.ID, sw.ID)

	// The bare round trip: the server's bus publishes on the echo device's command
	// topic, a plain client answers on its stat topic, the bus hears it.
	got := make(chan struct{}, 1)
	if err := ss.Bus.Subscribe(context.Background(), []string{"stat/bench_echo/ECHO"}, func(switches.Message) {
		select { // never block the broker's delivery
		case got <- struct{}{}:
		default:
		}
	}); err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse(ss.BrokerURL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cm *autopaho.ConnectionManager
	cm, err := autopaho.NewConnection(ctx, autopaho.ClientConfig{ServerUrls: []*url.URL{u}, KeepAlive: 30, ConnectUsername: echo.Username, ConnectPassword: []byte(echoPW),
		ClientConfig: paho.ClientConfig{ClientID: "bench-echo", OnPublishReceived: []func(paho.PublishReceived) (bool, error){func(pr paho.PublishReceived) (bool, error) {
			// Only the benchmark's own messages: the server also asks this
			// "device" for its state when it subscribes.
			if pr.Packet.Topic == "cmnd/bench_echo/ECHO" {
				go cm.Publish(ctx, &paho.Publish{Topic: "stat/bench_echo/ECHO", Payload: pr.Packet.Payload, QoS: 1})
			}
			return true, nil
		}}}})
	if err != nil {
		b.Fatal(err)
	}
	if err := cm.AwaitConnection(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := cm.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: "cmnd/bench_echo/#", QoS: 1}}}); err != nil {
		b.Fatal(err)
	}

	var toggles, raws []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		state := "on"
		if i%2 == 1 {
			state = "off"
		}
		start := time.Now()
		res := swToggle(b, c, path, state)
		toggles = append(toggles, time.Since(start))
		if !strings.Contains(res, `"status":"confirmed"`) {
			b.Fatalf("toggle %d: %s", i, res)
		}
		start = time.Now()
		if err := ss.Bus.Publish(ctx, "cmnd/bench_echo/ECHO", []byte("x"), false); err != nil {
			b.Fatal(err)
		}
		select {
		case <-got:
		case <-time.After(10 * time.Second):
			b.Fatal("no echo")
		}
		raws = append(raws, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(pct(toggles, 50), "toggle-p50-ms")
	b.ReportMetric(pct(toggles, 99), "toggle-p99-ms")
	b.ReportMetric(pct(raws, 50), "mqtt-p50-ms")
	b.ReportMetric(pct(raws, 99), "mqtt-p99-ms")
}

func swToggle(b *testing.B, c *testenv.Client, path, state string) string {
	req, _ := http.NewRequest(http.MethodPost, c.BaseURL().String()+path, strings.NewReader("state="+state))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept", "application/json")
	return c.Do(req).Body
}

func pct(ds []time.Duration, p int) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	i = min(max(i-1, 0), len(s)-1)
	return float64(s[i].Microseconds()) / 1000
}

// BenchmarkEmbeddedBrokerMemory connects 10,000 devices — each authenticated, with
// a retained last will and a subscription to its commands, like a Tasmota — to the
// embedded broker and reports the memory the broker's process holds per connected
// device (heap and goroutine stacks, after a GC). The devices are bare sockets in
// a child process (this test binary again, see TestDeviceSwarm), so that neither
// their memory nor their file descriptors count here.
func BenchmarkEmbeddedBrokerMemory(b *testing.B) {
	const n = 10000
	raiseFileLimit(b, n+1000)
	accounts := switches.AccountsFunc(func(_ context.Context, user string) (*switches.Account, error) {
		return &switches.Account{Family: domain.FamilyTasmota, Topic: strings.TrimPrefix(user, "u-"), PasswordHash: swarmHash(user)}, nil
	})
	for i := 0; i < b.N; i++ {
		e, err := switches.StartEmbedded(switches.EmbeddedConfig{Addr: "127.0.0.1:0", Accounts: accounts})
		if err != nil {
			b.Fatal(err)
		}
		before := heldMemory()
		start := time.Now()
		cmd := exec.Command(os.Args[0], "-test.run=^TestDeviceSwarm$", "-test.v")
		cmd.Env = append(os.Environ(), "PORTICO_SWARM_ADDR="+e.Addrs()[0], fmt.Sprintf("PORTICO_SWARM_N=%d", n))
		stdin, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		ready := false
		for sc.Scan() {
			if strings.Contains(sc.Text(), "swarm ready") {
				ready = true
				break
			}
			b.Log(sc.Text())
		}
		if !ready {
			b.Fatal("the device swarm did not connect")
		}
		connected := time.Since(start)
		if got := e.Clients(); got != n {
			b.Fatalf("%d devices connected, want %d", got, n)
		}
		after := heldMemory()
		b.ReportMetric(float64(after-before)/n/1024, "KiB/device")
		b.ReportMetric(connected.Seconds(), "s-to-connect")
		stdin.Close()
		go io.Copy(io.Discard, out)
		cmd.Wait()
		e.Close()
	}
}

func swarmHash(user string) string {
	sum := sha256.Sum256([]byte("pw-" + user))
	return hex.EncodeToString(sum[:])
}

// TestDeviceSwarm is the child process of BenchmarkEmbeddedBrokerMemory: with
// PORTICO_SWARM_ADDR set it connects PORTICO_SWARM_N bare devices, says so, and
// holds them until its standard input closes. Otherwise it checks one bare device
// against a broker of its own.
func TestDeviceSwarm(t *testing.T) {
	addr := os.Getenv("PORTICO_SWARM_ADDR")
	n, _ := strconv.Atoi(os.Getenv("PORTICO_SWARM_N"))
	if addr == "" {
		e, err := switches.StartEmbedded(switches.EmbeddedConfig{Addr: "127.0.0.1:0", Accounts: switches.AccountsFunc(
			func(_ context.Context, user string) (*switches.Account, error) {
				return &switches.Account{Family: domain.FamilyTasmota, Topic: strings.TrimPrefix(user, "u-"), PasswordHash: swarmHash(user)}, nil
			})})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		addr, n = e.Addrs()[0], 3
	}
	var conns []net.Conn
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for d := 0; d < n; d++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(d int) {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := rawDevice(addr, fmt.Sprintf("plug%05d", d))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}(d)
	}
	wg.Wait()
	if os.Getenv("PORTICO_SWARM_ADDR") == "" {
		for _, c := range conns {
			c.Close()
		}
		return
	}
	fmt.Println("swarm ready")
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}

func heldMemory() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

func raiseFileLimit(b *testing.B, want uint64) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		b.Fatal(err)
	}
	if r.Cur >= want {
		return
	}
	r.Cur = min(want, r.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		b.Fatalf("this benchmark needs %d open files: %v", want, err)
	}
}

// rawDevice connects like a Tasmota over MQTT 3.1.1 — username, password, a
// retained last will — subscribes to its commands and keeps only the socket.
func rawDevice(addr, topic string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	user := "u-" + topic
	str := func(s string) []byte { return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...) }
	var body []byte
	body = append(body, str("MQTT")...)
	body = append(body, 4, 0x80|0x40|0x20|0x08|0x04|0x02, 0, 120) // user, password, will retain, will QoS 1, will, clean; keepalive 120 s
	body = append(body, str("DVES_"+topic)...)
	body = append(body, str("tele/"+topic+"/LWT")...)
	body = append(body, str("Offline")...)
	body = append(body, str(user)...)
	body = append(body, str("pw-"+user)...)
	sub := append([]byte{0, 1}, str("cmnd/"+topic+"/#")...)
	sub = append(sub, 1)
	pkt := append(append([]byte{0x10}, varint(len(body))...), body...)
	pkt = append(pkt, append(append([]byte{0x82}, varint(len(sub))...), sub...)...)
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Write(pkt); err != nil {
		c.Close()
		return nil, err
	}
	r := bufio.NewReader(c)
	// CONNACK (4 bytes) and SUBACK (5 bytes).
	buf := make([]byte, 9)
	if _, err := io.ReadFull(r, buf); err != nil {
		c.Close()
		return nil, fmt.Errorf("device %s: %w", topic, err)
	}
	if buf[0] != 0x20 || buf[3] != 0 || buf[4] != 0x90 || buf[8] >= 0x80 {
		c.Close()
		return nil, fmt.Errorf("device %s refused: % x", topic, buf)
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

func varint(n int) []byte {
	var out []byte
	for {
		d := byte(n % 128)
		n /= 128
		if n > 0 {
			d |= 0x80
		}
		out = append(out, d)
		if n == 0 {
			return out
		}
	}
}
