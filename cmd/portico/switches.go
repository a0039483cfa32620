package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"portico/internal/app"
	"portico/internal/store"
	"portico/internal/switches"
)

// mqttConfig is the broker side of the server's options.
type mqttConfig struct {
	MQTTAddr    string
	MQTTTLSAddr string
	MQTTTLSCert string
	MQTTTLSKey  string
	MQTTURL     string
	MQTTHost    string
	// MQTTDynsec: the external broker is Mosquitto with its dynamic-security
	// plugin, in which the server keeps each switch's account and ACL.
	MQTTDynsec bool
	// MQTTAuthSecret is the secret EMQX sends when it asks the server about
	// devices (its HTTP authentication and authorization).
	MQTTAuthSecret string

	mqttDeviceURL  string // where this process's devices connect, once the broker runs
	mqttRandomPort bool   // --addr asked for a random port, so the broker's default does too
}

// mqttFlags registers the broker options.
func (c *mqttConfig) mqttFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.MQTTAddr, "mqtt-addr", "", "embedded MQTT broker: address devices connect to, 127.0.0.1:1883 when empty (random when --addr asks for a random port, :0); \"off\" for none (PORTICO_MQTT_ADDR)")
	fs.StringVar(&c.MQTTTLSAddr, "mqtt-tls-addr", "", "embedded MQTT broker: TLS listener, e.g. :8883; needs --mqtt-tls-cert and --mqtt-tls-key (PORTICO_MQTT_TLS_ADDR)")
	fs.StringVar(&c.MQTTTLSCert, "mqtt-tls-cert", "", "PEM certificate (chain) of the TLS listener (PORTICO_MQTT_TLS_CERT)")
	fs.StringVar(&c.MQTTTLSKey, "mqtt-tls-key", "", "PEM private key of the TLS listener (PORTICO_MQTT_TLS_KEY)")
	fs.StringVar(&c.MQTTURL, "mqtt-url", "", "external broker instead of the embedded one: mqtt://user:pass@host:1883 or mqtts://… (PORTICO_MQTT_URL)")
	fs.StringVar(&c.MQTTHost, "mqtt-host", "", "broker host name shown to staff in devices' connection instructions; default the host of --base-url (PORTICO_MQTT_HOST)")
	fs.BoolVar(&c.MQTTDynsec, "mqtt-dynsec", false, "the --mqtt-url broker is Mosquitto with its dynamic-security plugin: keep each switch's account and ACL in it; the URL's user must be the plugin's admin (PORTICO_MQTT_DYNSEC)")
	fs.StringVar(&c.MQTTAuthSecret, "mqtt-auth-secret", "", "shared secret with which EMQX's HTTP authentication and authorization ask POST /mqtt/authn and /mqtt/authz about devices (sent as \"Authorization: Bearer SECRET\"); empty turns them off (PORTICO_MQTT_AUTH_SECRET)")
}

// startSwitches starts the embedded broker (or connects to the external one) and
// the switch service over it. stop closes both.
func (c *config) startSwitches(ctx context.Context, st *store.Store, log *slog.Logger, metrics *switches.Metrics) (svc *app.Switches, stop func(), err error) {
	if c.MQTTDynsec && c.MQTTURL == "" {
		return nil, nil, errors.New("--mqtt-dynsec needs --mqtt-url: the embedded broker keeps device accounts by itself")
	}
	var bus switches.Bus
	info := app.BrokerInfo{Host: c.MQTTHost}
	if info.Host == "" {
		if u, err := url.Parse(c.baseURL()); err == nil {
			info.Host = u.Hostname()
		}
	}
	if c.MQTTURL != "" {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		x, err := switches.DialExternal(cctx, switches.ExternalConfig{URL: c.MQTTURL, Log: log})
		if err != nil {
			return nil, nil, err
		}
		bus = x
		if c.MQTTDynsec {
			// The switch service finds the accounts' keeper in its bus.
			u, _ := url.Parse(c.MQTTURL)
			if u.User == nil || u.User.Username() == "" {
				x.Close()
				return nil, nil, errors.New("--mqtt-dynsec needs the dynamic-security admin's user and password in --mqtt-url")
			}
			d, err := switches.NewDynsec(cctx, x, switches.DynsecConfig{Admin: u.User.Username(), Log: log})
			if err != nil {
				x.Close()
				return nil, nil, err
			}
			bus = d
		}
		if u, err := url.Parse(c.MQTTURL); err == nil {
			if c.MQTTHost == "" {
				info.Host = u.Hostname()
			}
			port, _ := strconv.Atoi(u.Port())
			if strings.HasPrefix(u.Scheme, "mqtts") || u.Scheme == "tls" || u.Scheme == "ssl" {
				info.TLSPort = cmp(port, 8883)
			} else {
				info.Port = cmp(port, 1883)
			}
		}
		log.Debug("switches: connected to the external MQTT broker", "host", info.Host)
	} else {
		cfg := switches.EmbeddedConfig{Accounts: app.DeviceAccounts(st), Log: log,
			MaxPacketSize: c.MQTTMaxPacket, MaxConnsPerIP: c.MQTTMaxConnsPerIP}
		switch {
		case c.MQTTAddr == "off":
		case c.MQTTAddr != "":
			cfg.Addr = c.MQTTAddr
		case c.mqttRandomPort:
			cfg.Addr = "127.0.0.1:0"
		default:
			cfg.Addr = "127.0.0.1:1883"
		}
		if c.MQTTTLSAddr != "" {
			cert, err := tls.LoadX509KeyPair(c.MQTTTLSCert, c.MQTTTLSKey)
			if err != nil {
				return nil, nil, fmt.Errorf("--mqtt-tls-cert/--mqtt-tls-key: %w", err)
			}
			cfg.TLSAddr, cfg.TLSConfig = c.MQTTTLSAddr, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		}
		e, err := switches.StartEmbedded(cfg)
		if err != nil && c.MQTTAddr == "" && cfg.Addr != "" {
			// The default address is taken (another broker on this machine?). Run
			// without a device listener rather than not at all, and say so.
			log.Warn("switches: the embedded MQTT broker cannot listen on its default address; devices cannot connect until --mqtt-addr names a free one",
				"addr", cfg.Addr, "err", err)
			cfg.Addr = ""
			e, err = switches.StartEmbedded(cfg)
		}
		if err != nil {
			return nil, nil, err
		}
		bus = e
		addrs := e.Addrs()
		if cfg.Addr != "" {
			c.mqttDeviceURL = "mqtt://" + addrs[0]
			_, p, _ := net.SplitHostPort(addrs[0])
			info.Port, _ = strconv.Atoi(p)
		}
		if cfg.TLSAddr != "" {
			_, p, _ := net.SplitHostPort(addrs[len(addrs)-1])
			info.TLSPort, _ = strconv.Atoi(p)
		}
		log.Debug("switches: embedded MQTT broker listening", "addrs", strings.Join(addrs, ", "))
	}
	svc = app.NewSwitches(st, log, app.SwitchesConfig{Bus: bus, Broker: info, FreshBroker: c.MQTTURL == "",
		CommandLimit: c.CommandLimit, CommandWindow: c.CommandWindow, Metrics: metrics})
	if err := svc.Start(ctx); err != nil {
		bus.Close()
		return nil, nil, err
	}
	if c.MQTTDynsec {
		// Deleted switches' accounts go, every ACL is brought up to date, and
		// switches without an account are logged before the first request.
		if _, err := svc.ReconcileAccounts(ctx); err != nil {
			svc.Stop()
			bus.Close()
			return nil, nil, err
		}
	}
	return svc, func() { svc.Stop(); bus.Close() }, nil
}

func cmp(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// deviceFlag collects --device values: family:topic[:channel]:username:password.
type deviceFlag []switches.SimConfig

func (d *deviceFlag) String() string { return fmt.Sprintf("%d devices", len(*d)) }

func (d *deviceFlag) Set(v string) error {
	parts := strings.Split(v, ":")
	var sc switches.SimConfig
	switch len(parts) {
	case 4:
		sc.Family, sc.Topic, sc.Username, sc.Password = parts[0], parts[1], parts[2], parts[3]
	case 5:
		ch, err := strconv.Atoi(parts[2])
		if err != nil {
			return fmt.Errorf("channel %q is not a number", parts[2])
		}
		sc.Family, sc.Topic, sc.Channel, sc.Username, sc.Password = parts[0], parts[1], ch, parts[3], parts[4]
	default:
		return errors.New("use family:topic[:channel]:username:password")
	}
	if switches.FamilyOf(sc.Family) == nil {
		return fmt.Errorf("unknown device family %q (tasmota or shelly)", sc.Family)
	}
	*d = append(*d, sc)
	return nil
}

const simulateHelp = `Commands on standard input, one a line:
  press TOPIC       press the device's button (a change the server did not command)
  offline TOPIC     drop the connection without a goodbye: the broker sends the last will
  disconnect TOPIC  leave with an MQTT DISCONNECT: the broker keeps the will to itself
  freeze TOPIC      keep the connection but go silent, until the broker's keepalive ends it
  online TOPIC      come back, as the firmware does after a lost connection
  reconnect TOPIC   drop the connection and come straight back
  deaf TOPIC        ignore commands;  hear TOPIC   obey them again
  list              show the devices and their relays
Every message a device receives (←) or publishes (→) is printed with its topic.
`

// cmdSimulate runs simulated Tasmota and Shelly devices against a broker until
// ctx ends.
func cmdSimulate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	var devices deviceFlag
	var broker, logLevel string
	var pressEvery time.Duration
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&broker, "broker", "mqtt://127.0.0.1:1883", "the broker devices connect to (PORTICO_BROKER)")
	fs.Var(&devices, "device", "a device: family:topic[:channel]:username:password, e.g. tasmota:office_light:sw-1a2b…:PASSWORD; repeat for more")
	fs.DurationVar(&pressEvery, "press-every", 0, "press the first device's button this often, e.g. 3m; 0 never (PORTICO_PRESS_EVERY)")
	fs.StringVar(&logLevel, "log-level", "info", "log level (PORTICO_LOG_LEVEL)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: portico simulate --broker URL --device family:topic[:channel]:username:password …\n\n")
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\n"+simulateHelp)
	}
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if len(devices) == 0 {
		return errors.New("simulate: give at least one --device")
	}
	c := config{LogLevel: logLevel}
	log := c.logger(stderr)
	// The devices print their traffic from their own goroutines.
	stdout = &lockedWriter{w: stdout}
	byTopic := map[string]*switches.SimDevice{}
	var order []*switches.SimDevice
	for _, d := range devices {
		d.BrokerURL, d.Log = broker, log
		topic := d.Topic
		d.Trace = func(m switches.SimMessage) { fmt.Fprintf(stdout, "%s %s\n", topic, m) }
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		dev, err := switches.StartSim(sctx, d)
		cancel()
		if err != nil {
			return err
		}
		defer dev.Close()
		byTopic[d.Topic] = dev
		order = append(order, dev)
		fmt.Fprintf(stdout, "%s %s is online at %s\n", d.Family, d.Topic, broker)
	}
	fmt.Fprint(stdout, "\n"+simulateHelp+"\nPress Ctrl+C to stop.\n")
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	var tick <-chan time.Time
	if pressEvery > 0 {
		t := time.NewTicker(pressEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
			order[0].Press(ctx)
			fmt.Fprintf(stdout, "pressed %s: now %s\n", order[0].Config().Topic, onOff(order[0].On()))
		case line := <-lines:
			f := strings.Fields(line)
			if len(f) == 0 {
				continue
			}
			if f[0] == "list" {
				for _, d := range order {
					fmt.Fprintf(stdout, "  %-8s %-32s %s\n", d.Config().Family, d.Config().Topic, onOff(d.On()))
				}
				continue
			}
			if len(f) != 2 || byTopic[f[1]] == nil {
				fmt.Fprint(stdout, "?\n"+simulateHelp)
				continue
			}
			d := byTopic[f[1]]
			switch f[0] {
			case "press":
				d.Press(ctx)
				fmt.Fprintf(stdout, "pressed %s: now %s\n", f[1], onOff(d.On()))
			case "offline":
				d.GoOffline()
				fmt.Fprintf(stdout, "%s is offline\n", f[1])
			case "disconnect":
				d.Disconnect()
				fmt.Fprintf(stdout, "%s disconnected\n", f[1])
			case "freeze":
				d.Freeze()
				fmt.Fprintf(stdout, "%s is frozen\n", f[1])
			case "online", "reconnect":
				wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				var err error
				if f[0] == "online" {
					err = d.GoOnline(wctx)
				} else {
					err = d.Reconnect(wctx)
				}
				cancel()
				if err != nil {
					fmt.Fprintf(stdout, "%s: %v\n", f[1], err)
					continue
				}
				fmt.Fprintf(stdout, "%s is online\n", f[1])
			case "deaf":
				d.SetDeaf(true)
			case "hear":
				d.SetDeaf(false)
			default:
				fmt.Fprint(stdout, "?\n"+simulateHelp)
			}
		}
	}
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func onOff(on bool) string {
	if on {
		return "ON"
	}
	return "OFF"
}
