package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"portico/internal/switches"
)

// portico simulate runs emulated devices on a broker and prints every message
// they receive and publish, with its topic, and takes commands on standard input.
func TestSimulate(t *testing.T) {
	sum := sha256.Sum256([]byte("device-password"))
	e, err := switches.StartEmbedded(switches.EmbeddedConfig{Addr: "127.0.0.1:0", Log: slog.New(slog.DiscardHandler),
		Accounts: switches.AccountsFunc(func(_ context.Context, user string) (*switches.Account, error) {
			switch user {
			case "sw-lamp":
				return &switches.Account{Family: "tasmota", Topic: "lamp", PasswordHash: hex.EncodeToString(sum[:])}, nil
			case "sw-pump":
				return &switches.Account{Family: "shelly", Topic: "pump", PasswordHash: hex.EncodeToString(sum[:])}, nil
			}
			return nil, errors.New("unknown")
		})})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	stdin, input := io.Pipe()
	defer input.Close()
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- cmdSimulate(ctx, []string{"--broker", "mqtt://" + e.Addrs()[0],
			"--device", "tasmota:lamp:sw-lamp:device-password", "--device", "shelly:pump:sw-pump:device-password"}, stdin, &out, io.Discard, noEnv)
	}()
	waitOut := func(what string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(out.String(), what) {
			if time.Now().After(deadline) {
				t.Fatalf("portico simulate did not print %q:\n%s", what, out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitOut("shelly pump is online at")
	for _, line := range []string{
		"lamp → tele/lamp/LWT Online (retained)",
		`lamp → stat/lamp/RESULT {"POWER":"OFF"}`,
		"pump → pump/online true (retained)",
	} {
		waitOut(line)
	}

	if err := e.Publish(ctx, "cmnd/lamp/POWER", []byte("ON"), false); err != nil {
		t.Fatal(err)
	}
	waitOut("lamp ← cmnd/lamp/POWER ON")
	waitOut(`lamp → stat/lamp/RESULT {"POWER":"ON"}`)
	waitOut("lamp → stat/lamp/POWER ON")
	if err := e.Publish(ctx, "pump/rpc", []byte(`{"id":1,"src":"pump/portico","method":"Switch.Set","params":{"id":0,"on":true}}`), false); err != nil {
		t.Fatal(err)
	}
	waitOut(`pump → pump/portico/rpc {"id":1,`)
	waitOut(`pump → pump/status/switch:0 {"id":0, "source":"MQTT", "output":true`)

	io.WriteString(input, "press lamp\n")
	waitOut("pressed lamp: now OFF")
	waitOut("lamp → stat/lamp/POWER OFF")
	io.WriteString(input, "reconnect lamp\n")
	waitOut("\nlamp is online\n")
	if n := strings.Count(out.String(), "lamp → tele/lamp/LWT Online (retained)"); n != 2 {
		t.Errorf("the lamp announced itself %d times, want 2 (power-up and reconnect)", n)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("portico simulate: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("portico simulate still runs 10 s after Ctrl+C")
	}
}
