package testenv

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"portico/internal/app"
	"portico/internal/domain"
	"portico/internal/switches"
	"portico/internal/web"
)

// Broker kinds a switch test runs against.
const (
	BrokerEmbedded  = "embedded"
	BrokerMosquitto = "mosquitto"
	// BrokerMosquittoDynsec is Mosquitto with its dynamic-security plugin, whose
	// device accounts and ACLs the server keeps (switches.Dynsec).
	BrokerMosquittoDynsec = "mosquitto-dynsec"
)

// SwitchOptions tunes a switch server.
type SwitchOptions struct {
	CommandTimeout time.Duration // app.DefaultCommandTimeout when 0
	QueryTimeout   time.Duration // app.DefaultQueryTimeout when 0
	CommandLimit   int           // app.DefaultCommandLimit when 0; -1 for none
	CommandWindow  time.Duration // app.DefaultCommandWindow when 0
	// Grace is how long the start's reconciliation of a dynamic-security broker
	// waits before it removes the accounts of deleted switches; 1 s when 0.
	Grace time.Duration
	// Metrics counts the switch service's toggles and devices; nil for none.
	Metrics *switches.Metrics
}

// SwitchServer is the app with a broker: the embedded one on a random port, or a
// throwaway Mosquitto that the server reaches as an external broker, keeping its
// device accounts when it has dynamic security.
type SwitchServer struct {
	*Server
	Kind      string
	Switches  *app.Switches
	Bus       switches.Bus
	Embedded  *switches.Embedded // for Kind Embedded
	Mosquitto *Mosquitto         // for Kinds Mosquitto and MosquittoDynsec
	BrokerURL string             // where devices connect, without credentials
	// Reconciled is what the last start did to the accounts of a broker with
	// dynamic security.
	Reconciled switches.Reconciled

	t    testing.TB
	opts SwitchOptions
	log  *slog.Logger
	addr string // the embedded broker's address, kept across restarts
}

// StartSwitchServer serves the app over db with switches on a broker of the kind,
// until t ends.
func StartSwitchServer(t testing.TB, db *DB, kind string, opts SwitchOptions) *SwitchServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ss := &SwitchServer{Kind: kind, t: t, opts: opts, log: log}
	switch kind {
	case BrokerEmbedded:
		ss.addr = "127.0.0.1:0"
	case BrokerMosquitto:
		ss.Mosquitto = StartMosquitto(t)
		ss.BrokerURL = ss.Mosquitto.DeviceURL()
	case BrokerMosquittoDynsec:
		ss.Mosquitto = StartMosquitto(t, WithDynsec())
		ss.BrokerURL = ss.Mosquitto.DeviceURL()
	default:
		t.Fatalf("testenv: unknown broker kind %q", kind)
	}
	ss.startBus(db)

	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	a := app.New(db.Store, log, base)
	a.Switches = ss.Switches
	srv, err := web.NewServer(web.Config{App: a, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	ss.Server = &Server{DB: db, URL: base, App: a}
	t.Cleanup(ss.stopBus)
	return ss
}

// startBus starts the bus and the switch service (again, after a restart).
func (ss *SwitchServer) startBus(db *DB) {
	t := ss.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	switch ss.Kind {
	case BrokerEmbedded:
		ss.Embedded, err = switches.StartEmbedded(switches.EmbeddedConfig{Addr: ss.addr, Accounts: app.DeviceAccounts(db.Store), Log: ss.log})
		if err != nil {
			t.Fatalf("testenv: embedded broker: %v", err)
		}
		ss.addr = ss.Embedded.Addrs()[0]
		ss.BrokerURL = "mqtt://" + ss.addr
		ss.Bus = ss.Embedded
	case BrokerMosquitto, BrokerMosquittoDynsec:
		ss.Bus, err = switches.DialExternal(ctx, switches.ExternalConfig{URL: ss.Mosquitto.URL(), Backoff: 500 * time.Millisecond, Log: ss.log})
		if err != nil {
			t.Fatalf("testenv: connecting to mosquitto: %v\n%s", err, ss.Mosquitto.Log())
		}
	}
	if ss.Kind == BrokerMosquittoDynsec {
		grace := ss.opts.Grace
		if grace <= 0 {
			grace = time.Second
		}
		// As cmd/portico does: the service finds the accounts' keeper in its bus.
		ss.Bus, err = switches.NewDynsec(ctx, ss.Bus, switches.DynsecConfig{Admin: ServerUser, Grace: grace, Log: ss.log})
		if err != nil {
			t.Fatalf("testenv: dynamic security: %v\n%s", err, ss.Mosquitto.Log())
		}
	}
	// Where devices connect, for the connection pages: as cmd/portico says it.
	var broker app.BrokerInfo
	if _, p, err := net.SplitHostPort(ss.addr); err == nil && ss.Kind == BrokerEmbedded {
		broker.Port, _ = strconv.Atoi(p)
	} else if ss.Mosquitto != nil {
		broker.Port = ss.Mosquitto.Port
	}
	svc := app.NewSwitches(db.Store, ss.log, app.SwitchesConfig{Bus: ss.Bus, Broker: broker, CommandTimeout: ss.opts.CommandTimeout,
		QueryTimeout: ss.opts.QueryTimeout, FreshBroker: ss.Kind == BrokerEmbedded,
		CommandLimit: ss.opts.CommandLimit, CommandWindow: ss.opts.CommandWindow, Metrics: ss.opts.Metrics})
	if err := svc.Start(ctx); err != nil {
		t.Fatalf("testenv: switch service: %v", err)
	}
	if ss.Reconciled, err = svc.ReconcileAccounts(ctx); err != nil {
		t.Fatalf("testenv: the broker's device accounts: %v", err)
	}
	ss.Switches = svc
	if ss.Server != nil {
		ss.App.Switches = svc // the web server reaches the service through its App
	}
}

func (ss *SwitchServer) stopBus() {
	if ss.Switches != nil {
		ss.Switches.Stop()
	}
	if ss.Bus != nil {
		ss.Bus.Close()
	}
}

// RestartBroker stops the broker and starts it again: the embedded broker
// restarts with its server's switch side (as when the process restarts), and
// Mosquitto restarts on its own while the server's client reconnects.
func (ss *SwitchServer) RestartBroker() {
	ss.t.Helper()
	switch ss.Kind {
	case BrokerEmbedded:
		ss.stopBus()
		ss.startBus(ss.DB)
	case BrokerMosquitto, BrokerMosquittoDynsec:
		ss.Mosquitto.Stop()
		time.Sleep(300 * time.Millisecond)
		ss.Mosquitto.Start()
	}
}

// Switch adds a switch to the project with the tenant's administrator and
// returns it with its password.
func (db *DB) Switch(t testing.TB, tn *Tenant, p *domain.Project, name, family, topic string) (*domain.Switch, string) {
	t.Helper()
	sw := &domain.Switch{ClientID: p.ClientID, ProjectID: p.ID, Name: name, Family: family, Topic: topic}
	pw, err := db.Store.Staff(tn.Staff).CreateSwitch(context.Background(), sw)
	if err != nil {
		t.Fatalf("testenv: switch %s: %v", name, err)
	}
	return sw, pw
}

// AddSwitch adds a switch to the project through the app, as the staff form
// does, so that a broker with dynamic security gets the device's account, and
// returns it with its password.
func (ss *SwitchServer) AddSwitch(t testing.TB, tn *Tenant, p *domain.Project, name, family, topic string) (*domain.Switch, string) {
	t.Helper()
	sw := &domain.Switch{ClientID: p.ClientID, ProjectID: p.ID, Name: name, Family: family, Topic: topic}
	pw, err := ss.Switches.CreateSwitch(context.Background(), tn.Staff, sw)
	if err != nil {
		t.Fatalf("testenv: switch %s: %v", name, err)
	}
	return sw, pw
}

// TryConnect connects to the broker as a device with the username and password
// ("" for none), disconnects, and returns the broker's refusal, if any.
func TryConnect(brokerURL, username, password string) error {
	u, err := url.Parse(brokerURL)
	if err != nil {
		return err
	}
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := paho.NewClient(paho.ClientConfig{Conn: conn})
	_, err = c.Connect(ctx, &paho.Connect{ClientID: fmt.Sprintf("probe-%d", seq.Add(1)), KeepAlive: 10, CleanStart: true,
		Username: username, UsernameFlag: username != "", Password: []byte(password), PasswordFlag: password != ""})
	if err != nil {
		return err
	}
	return c.Disconnect(&paho.Disconnect{})
}

// Device connects a simulated device for the switch, with its credentials, and
// waits until the server has stored it online. It disconnects when t ends.
func (ss *SwitchServer) Device(t testing.TB, sw *domain.Switch, password string) *switches.SimDevice {
	t.Helper()
	if ss.Mosquitto != nil && !ss.Mosquitto.Dynsec {
		ss.Mosquitto.AddUser(sw.Username, password)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := switches.StartSim(ctx, switches.SimConfig{Device: switches.Device{Family: sw.Family, Topic: sw.Topic, Channel: sw.Channel},
		BrokerURL: ss.BrokerURL, Username: sw.Username, Password: password, Log: ss.log})
	if err != nil {
		t.Fatalf("testenv: device %s: %v", sw.Topic, err)
	}
	t.Cleanup(d.Close)
	ss.WaitSwitch(t, sw.ID, "online with a known state", func(s *domain.Switch) bool { return s.Online && s.Known })
	return d
}

// WaitSwitch waits (up to 20 s, generous for a loaded machine) until the stored
// switch satisfies ok, and returns it.
func (ss *SwitchServer) WaitSwitch(t testing.TB, id int64, what string, ok func(*domain.Switch) bool) *domain.Switch {
	t.Helper()
	return WaitSwitch(t, ss.DB, id, what, ok)
}

// WaitSwitch waits (up to 20 s) until the stored switch satisfies ok.
func WaitSwitch(t testing.TB, db *DB, id int64, what string, ok func(*domain.Switch) bool) *domain.Switch {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		sw, err := db.Store.Devices(SwitchesPrincipal()).SwitchByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(sw) {
			return sw
		}
		if time.Now().After(deadline) {
			t.Fatalf("switch %d is not %s after 20 s: %+v", id, what, *sw)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// EachBroker runs fn as two subtests: on the embedded broker and on Mosquitto.
func EachBroker(t *testing.T, fn func(t *testing.T, kind string)) {
	t.Helper()
	for _, kind := range []string{BrokerEmbedded, BrokerMosquitto} {
		t.Run(kind, func(t *testing.T) { fn(t, kind) })
	}
}

// String names the server for test messages.
func (ss *SwitchServer) String() string { return fmt.Sprintf("%s broker at %s", ss.Kind, ss.BrokerURL) }

// Stream opens path with the client's cookies and returns the response without
// reading its body, for server-sent event streams; the caller closes the body.
// Redirects are not followed.
func (c *Client) Stream(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	return c.hc.Do(req)
}
