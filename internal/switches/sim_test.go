package switches_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"portico/internal/switches"
	"portico/internal/testenv"
)

// settle waits until no more goroutines run than baseline, and fails with their
// stacks if some stay.
func settle(t *testing.T, baseline int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			var b strings.Builder
			pprof.Lookup("goroutine").WriteTo(&b, 1)
			t.Fatalf("%d goroutines run, %d before the devices:\n%s", runtime.NumGoroutine(), baseline, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Emulated devices leave no goroutine behind once closed, whatever they went
// through: presses, reconnections, a freeze, a DISCONNECT, a connection lost
// while away.
func TestSimCloseLeavesNothing(t *testing.T) {
	b := startWireBroker(t, testenv.BrokerEmbedded)
	baseline := runtime.NumGoroutine()
	ctx := ctxT(t)
	var devs []*switches.SimDevice
	for _, cfg := range []switches.SimConfig{
		{Device: switches.Device{Family: "tasmota", Topic: "leak_t"}, KeepAlive: 2 * time.Second},
		{Device: switches.Device{Family: "shelly", Topic: "leak-s"}, KeepAlive: 2 * time.Second},
	} {
		cfg.Username, cfg.Password = "user-"+cfg.Topic, "password-of-"+cfg.Topic
		b.addUser(cfg.Username, cfg.Password, cfg.Family, cfg.Topic)
		cfg.BrokerURL = b.url
		d, err := switches.StartSim(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		devs = append(devs, d)
		d.Press(ctx)
		if err := d.Reconnect(ctx); err != nil {
			t.Fatal(err)
		}
		d.Freeze()
		if err := d.GoOnline(ctx); err != nil {
			t.Fatal(err)
		}
		d.Disconnect()
		if err := d.GoOnline(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := runtime.NumGoroutine(); n < baseline+4 {
		t.Fatalf("%d goroutines with two devices running, %d before: the count does not see them", n, baseline)
	}
	devs[0].GoOffline()
	devs[1].Freeze()
	for _, d := range devs {
		d.Close()
		d.Close() // twice is harmless
		d.Press(ctx)
		if err := d.GoOnline(ctx); err == nil {
			t.Error("GoOnline on a closed device succeeded")
		}
	}
	settle(t, baseline)
}

// A device that cannot reach its broker keeps trying until Close, which ends
// its attempts at once; StartSim gives up when its context ends.
func TestSimCloseStopsRetrying(t *testing.T) {
	baseline := runtime.NumGoroutine()
	// A broker that hangs up on every connection.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err = switches.StartSim(ctx, switches.SimConfig{Device: switches.Device{Family: "tasmota", Topic: "nowhere"}, BrokerURL: "mqtt://" + ln.Addr().String()})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("StartSim against a broker that hangs up: %v after %v", err, time.Since(start))
	}

	// A device whose broker goes away while it is connected.
	e, err := switches.StartEmbedded(switches.EmbeddedConfig{Addr: "127.0.0.1:0", Log: slog.New(slog.DiscardHandler),
		Accounts: switches.AccountsFunc(func(context.Context, string) (*switches.Account, error) {
			sum := sha256.Sum256([]byte("p"))
			return &switches.Account{Family: "shelly", Topic: "gone", PasswordHash: hex.EncodeToString(sum[:])}, nil
		})})
	if err != nil {
		t.Fatal(err)
	}
	d, err := switches.StartSim(ctxT(t), switches.SimConfig{Device: switches.Device{Family: "shelly", Topic: "gone"}, BrokerURL: "mqtt://" + e.Addrs()[0], Username: "u", Password: "p"})
	if err != nil {
		e.Close()
		t.Fatal(err)
	}
	e.Close()
	time.Sleep(500 * time.Millisecond) // a few attempts against the closed port
	start = time.Now()
	d.Close()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Close took %v while the device was retrying", took)
	}
	ln.Close()
	settle(t, baseline)
}
