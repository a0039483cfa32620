package switches

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// ExternalConfig configures the client of an external broker.
type ExternalConfig struct {
	// URL is mqtt://user:pass@host:1883 or mqtts://… (tls://… works too).
	URL       string
	TLSConfig *tls.Config
	// ClientID defaults to portico-<random>, so that several server processes can
	// share a broker.
	ClientID string
	// Backoff is the longest wait between reconnection attempts (10 s by default).
	Backoff time.Duration
	Log     *slog.Logger
}

// External is the server's Bus on an external broker (Mosquitto, EMQX, HiveMQ…):
// an MQTT 5 client that reconnects on its own and restores its subscriptions.
//
// Its subscriptions are made with No Local, so that the server's own commands
// and change notes do not come back to it, and the broker holds only filters that
// no other of them covers: a broker may deliver a message once per matching
// subscription (Mosquitto does), while the bus's own dispatch already hands each
// message to every handler whose filters match it.
type External struct {
	cm   *autopaho.ConnectionManager
	subs subscriptions
	log  *slog.Logger
	stop context.CancelFunc

	brokerMu sync.Mutex
	onBroker []string // the filters subscribed on the broker, none covering another
}

// DialExternal connects to the broker, waiting at most until ctx ends for the
// first connection; after that it reconnects by itself until Close.
func DialExternal(ctx context.Context, cfg ExternalConfig) (*External, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("switches: broker URL: %w", err)
	}
	switch u.Scheme {
	case "mqtt", "tcp":
		u.Scheme = "mqtt"
	case "mqtts", "tls", "ssl":
		u.Scheme = "tls"
	default:
		return nil, fmt.Errorf("switches: broker URL: use mqtt:// or mqtts://, not %q", u.Scheme)
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.ClientID == "" {
		b := make([]byte, 6)
		rand.Read(b)
		cfg.ClientID = "portico-" + hex.EncodeToString(b)
	}
	backoff := cfg.Backoff
	if backoff <= 0 {
		backoff = 10 * time.Second
	}
	e := &External{log: log}
	pc := autopaho.ClientConfig{
		ServerUrls:                    []*url.URL{u},
		TlsCfg:                        cfg.TLSConfig,
		KeepAlive:                     20,
		CleanStartOnInitialConnection: true,
		SessionExpiryInterval:         0,
		ConnectTimeout:                10 * time.Second,
		ReconnectBackoff: func(attempt int) time.Duration {
			d := time.Duration(attempt+1) * 250 * time.Millisecond
			return min(d, backoff)
		},
		OnConnectionUp: func(cm *autopaho.ConnectionManager, _ *paho.Connack) {
			// Restoring subscriptions must not block the callback.
			go e.resubscribe(cm)
		},
		OnConnectError: func(err error) { log.Warn("mqtt: connecting to the broker failed", "err", err) },
		ClientConfig: paho.ClientConfig{
			ClientID: cfg.ClientID,
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){func(pr paho.PublishReceived) (bool, error) {
				p := pr.Packet
				e.subs.dispatch(Message{Topic: p.Topic, Payload: p.Payload, Retained: p.Retain})
				return true, nil
			}},
			OnClientError: func(err error) { log.Warn("mqtt: broker connection error", "err", err) },
		},
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		pc.ConnectUsername, pc.ConnectPassword = u.User.Username(), []byte(pw)
	}
	bctx, stop := context.WithCancel(context.Background())
	cm, err := autopaho.NewConnection(bctx, pc)
	if err != nil {
		stop()
		return nil, err
	}
	e.cm, e.stop = cm, stop
	if err := cm.AwaitConnection(ctx); err != nil {
		stop()
		return nil, fmt.Errorf("switches: connecting to the broker at %s: %w", u.Host, err)
	}
	return e, nil
}

func (e *External) resubscribe(cm *autopaho.ConnectionManager) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e.brokerMu.Lock()
	// The session did not outlive the connection: the broker holds nothing. The
	// covering filters alone bring back every retained message the others would.
	e.onBroker = nil
	err := e.extend(ctx, cm, minimalCover(e.subs.allFilters()))
	e.brokerMu.Unlock()
	if err != nil {
		e.log.Warn("mqtt: restoring subscriptions failed", "err", err)
		return
	}
	for _, fn := range e.subs.upFuncs() {
		fn()
	}
}

// extend subscribes to filters on the broker, so that their retained messages
// are delivered, and then drops whichever of its subscriptions another one
// covers. The caller holds brokerMu.
func (e *External) extend(ctx context.Context, cm *autopaho.ConnectionManager, filters []string) error {
	// Among the new filters, the covering ones alone bring every retained message.
	filters = minimalCover(filters)
	if len(filters) == 0 {
		return nil
	}
	if err := subscribe(ctx, cm, filters); err != nil {
		return err
	}
	all := append(append([]string{}, e.onBroker...), filters...)
	e.onBroker = minimalCover(all)
	var drop []string
	for _, f := range all {
		if !slices.Contains(e.onBroker, f) && !slices.Contains(drop, f) {
			drop = append(drop, f)
		}
	}
	if len(drop) > 0 {
		// Left in place, a covered subscription only costs duplicate deliveries.
		if _, err := cm.Unsubscribe(ctx, &paho.Unsubscribe{Topics: drop}); err != nil {
			e.log.Warn("mqtt: dropping covered subscriptions failed", "err", err)
		}
	}
	return nil
}

// minimalCover returns the filters that no other of filters covers, each once.
func minimalCover(filters []string) []string {
	var out []string
	for _, f := range filters {
		if slices.Contains(out, f) {
			continue
		}
		covered := false
		for _, g := range filters {
			// Two different filters that cover each other keep the smaller.
			if g != f && filterCovers(g, f) && (!filterCovers(f, g) || g < f) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, f)
		}
	}
	return out
}

// filterCovers reports whether filter a matches every topic filter b matches.
func filterCovers(a, b string) bool {
	ap, bp := strings.Split(a, "/"), strings.Split(b, "/")
	// A filter starting with a wildcard does not match $ topics.
	if (ap[0] == "+" || ap[0] == "#") && strings.HasPrefix(bp[0], "$") {
		return false
	}
	for i, x := range ap {
		if x == "#" {
			return true
		}
		if i >= len(bp) || bp[i] == "#" {
			return false
		}
		if x != "+" && x != bp[i] {
			return false
		}
	}
	return len(ap) == len(bp)
}

func subscribe(ctx context.Context, cm *autopaho.ConnectionManager, filters []string) error {
	s := &paho.Subscribe{}
	for _, f := range filters {
		s.Subscriptions = append(s.Subscriptions, paho.SubscribeOptions{Topic: f, QoS: 1, NoLocal: true})
	}
	ack, err := cm.Subscribe(ctx, s)
	if err != nil {
		return err
	}
	for i, r := range ack.Reasons {
		if r >= 0x80 {
			return fmt.Errorf("subscription to %s refused (reason %d)", filters[i], r)
		}
	}
	return nil
}

// Publish implements Bus.
func (e *External) Publish(ctx context.Context, topic string, payload []byte, retain bool) error {
	_, err := e.cm.Publish(ctx, &paho.Publish{Topic: topic, Payload: payload, QoS: 1, Retain: retain})
	if errors.Is(err, autopaho.ConnectionDownError) {
		return fmt.Errorf("switches: the broker is unreachable: %w", err)
	}
	return err
}

// Subscribe implements Bus.
func (e *External) Subscribe(ctx context.Context, filters []string, h Handler) error {
	e.subs.add(filters, h)
	e.brokerMu.Lock()
	defer e.brokerMu.Unlock()
	return e.extend(ctx, e.cm, filters)
}

// OnUp implements Bus.
func (e *External) OnUp(fn func()) { e.subs.onUp(fn) }

// Close implements Bus.
func (e *External) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := e.cm.Disconnect(ctx)
	e.stop()
	return err
}
