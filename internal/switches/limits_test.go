package switches_test

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"portico/internal/switches"
)

// closedWithin reports whether the server closes conn within d.
func closedWithin(conn net.Conn, d time.Duration) bool {
	conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.ReadAll(conn)
	ne, timeout := err.(net.Error)
	return !(timeout && ne.Timeout())
}

// A connection that does not send its CONNECT in time is closed, and one IP
// address cannot hold more connections than its limit: both hold before anyone
// has signed in.
func TestEmbeddedBrokerLimitsBeforeAuthentication(t *testing.T) {
	e, err := switches.StartEmbedded(switches.EmbeddedConfig{Addr: "127.0.0.1:0", Accounts: staticAccounts(),
		Log: slog.New(slog.DiscardHandler), MaxConnsPerIP: 3, ConnectTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	addr := e.Addrs()[0]

	t.Run("connect deadline", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if !closedWithin(conn, 10*time.Second) {
			t.Fatal("a connection that never sent CONNECT was still open after 10 s; the deadline is 0.5 s")
		}
	})

	t.Run("connections per address", func(t *testing.T) {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for range 3 {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, c)
		}
		time.Sleep(100 * time.Millisecond) // let the broker accept them
		extra, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer extra.Close()
		if !closedWithin(extra, 300*time.Millisecond) {
			t.Fatal("a fourth connection from one address stayed open; the limit is 3")
		}
		// Slots come back when connections end.
		for _, c := range held {
			c.Close()
		}
		held = nil
		time.Sleep(200 * time.Millisecond)
		again, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		if closedWithin(again, 200*time.Millisecond) {
			t.Fatal("a connection was refused after the others had closed")
		}
	})
}
