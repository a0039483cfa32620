package switches

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"portico/internal/domain"
)

// Provisioner keeps device accounts in a broker that authenticates devices by
// itself (Mosquitto's dynamic security). The embedded broker needs none: it
// reads every account from the database when the device connects.
//
// A broker that keeps its own accounts learns a device's password only when it
// is made: the database holds its hash alone.
type Provisioner interface {
	// AddDevice creates the account d.Username with d.Password, allowed exactly
	// the topics of its family and topic.
	AddDevice(ctx context.Context, d DeviceLogin) error
	// SetDeviceTopic confines the account to the topics of another family or
	// topic. An account the broker does not have is left alone.
	SetDeviceTopic(ctx context.Context, username, family, topic string) error
	// DisableDevice stops the account from connecting and ends its connections;
	// EnableDevice lets it in again. A missing account is not an error.
	DisableDevice(ctx context.Context, username string) error
	EnableDevice(ctx context.Context, username string) error
	// RemoveDevice deletes the account and ends its connections. A missing
	// account is not an error.
	RemoveDevice(ctx context.Context, username string) error
	// HasDevice reports whether the broker has the account, enabled.
	HasDevice(ctx context.Context, username string) (bool, error)
	// Reconcile brings the broker in line with the devices that list returns:
	// every device's ACL up to date, accounts of devices no longer listed
	// removed, and the devices the broker has no account for reported.
	Reconcile(ctx context.Context, list func(context.Context) ([]DeviceLogin, error)) (Reconciled, error)
}

// DeviceLogin is a device's account on the broker: its username, its password
// when the account is made (empty otherwise), and the family and topic its
// ACL comes from.
type DeviceLogin struct {
	Username string
	Password string
	Family   string
	Topic    string
}

// Reconciled says what Reconcile did.
type Reconciled struct {
	Updated int      // device ACLs brought up to date
	Removed []string // accounts of devices no longer listed, removed
	Missing []string // listed devices without a working account on the broker
}

// ErrBrokerSilent is returned when a broker command could not be sent, or got
// no answer in time: the broker may or may not have carried it out.
var ErrBrokerSilent = errors.New("switches: the broker did not answer")

// DynsecError is the broker refusing a dynamic-security command.
type DynsecError struct {
	Command string
	Reason  string // the broker's own words, e.g. "Client not found"
}

func (e *DynsecError) Error() string {
	return fmt.Sprintf("switches: the broker refused %s: %s", e.Command, e.Reason)
}

// The broker's topics of its dynamic-security plugin.
const (
	DynsecTopic         = "$CONTROL/dynamic-security/v1"
	DynsecResponseTopic = DynsecTopic + "/response"
)

// Names the server gives what it keeps on the broker. Device roles are named
// after their account, so that a role whose account is gone is recognised.
const (
	dynsecDeviceRolePrefix = "portico-device-"
	dynsecServerRole       = "portico-server"
	dynsecDeviceText       = "Portico switch"
	dynsecDescription      = "Kept by Portico: changes made here are overwritten."
)

// The broker's words for what is not there; answers that Provisioner treats
// as "nothing to do".
const (
	dynsecNoClient   = "Client not found"
	dynsecNoRole     = "Role not found"
	dynsecRoleAbsent = "Role does not exist" // modifyRole's wording
	dynsecRoleExists = "Role already exists"
)

// DynsecConfig configures a Dynsec client.
type DynsecConfig struct {
	// Admin is the server's own username on the broker (the user of its URL). It
	// must be a dynamic-security admin: able to publish on DynsecTopic and to
	// receive on DynsecResponseTopic.
	Admin string
	// Timeout bounds each command's round trip; 5 s by default.
	Timeout time.Duration
	// Grace is how long Reconcile waits before it removes the account of a device
	// it did not find in the database, and looks again: another server process
	// makes a device's account just before it stores the device. 15 s by default.
	Grace time.Duration
	Log   *slog.Logger
}

// Dynsec keeps device accounts and their ACLs in Mosquitto's dynamic-security
// plugin, with JSON commands published on DynsecTopic and answers matched by
// their correlation data on DynsecResponseTopic.
//
// A Dynsec is also the Bus it speaks over: it passes everything else through,
// so that the switch service, given a Dynsec as its bus, finds its Provisioner
// there.
type Dynsec struct {
	Bus
	cfg    DynsecConfig
	log    *slog.Logger
	prefix string // this client's correlation prefix: several servers share the response topic
	seq    atomic.Uint64

	mu      sync.Mutex
	waiting map[string]chan []dynsecResponse
}

var _ Provisioner = (*Dynsec)(nil)

// NewDynsec returns a dynamic-security client over bus, listening for the
// broker's answers before it returns.
func NewDynsec(ctx context.Context, bus Bus, cfg DynsecConfig) (*Dynsec, error) {
	if cfg.Admin == "" {
		return nil, errors.New("switches: dynamic security needs the server's own username, the broker's admin")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 15 * time.Second
	}
	d := &Dynsec{Bus: bus, cfg: cfg, log: cfg.Log, waiting: map[string]chan []dynsecResponse{}}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	b := make([]byte, 6)
	rand.Read(b)
	d.prefix = "portico-" + hex.EncodeToString(b) + "-"
	if err := bus.Subscribe(ctx, []string{DynsecResponseTopic}, d.onResponse); err != nil {
		return nil, fmt.Errorf("switches: listening for the broker's dynamic-security answers: %w", err)
	}
	return d, nil
}

// ---- the protocol

// dynsecCommand is one command of a request: "command" and its fields.
type dynsecCommand map[string]any

func dynsecCmd(name string, kv ...any) dynsecCommand {
	c := dynsecCommand{"command": name}
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i].(string)] = kv[i+1]
	}
	return c
}

type dynsecResponse struct {
	Command         string          `json:"command"`
	Error           string          `json:"error"`
	CorrelationData string          `json:"correlationData"`
	Data            json.RawMessage `json:"data"`
}

func (r dynsecResponse) err() error {
	if r.Error == "" {
		return nil
	}
	return &DynsecError{Command: r.Command, Reason: r.Error}
}

// refusedAs reports whether err is the broker refusing with reason.
func refusedAs(err error, reasons ...string) bool {
	var de *DynsecError
	return errors.As(err, &de) && slices.Contains(reasons, de.Reason)
}

// do sends the commands in one request and returns their answers in order.
// The broker carries out every command of a request, whatever the earlier ones
// answered.
func (d *Dynsec) do(ctx context.Context, cmds ...dynsecCommand) ([]dynsecResponse, error) {
	id := d.prefix + strconv.FormatUint(d.seq.Add(1), 36)
	for i, c := range cmds {
		c["correlationData"] = id + "." + strconv.Itoa(i)
	}
	payload, err := json.Marshal(map[string]any{"commands": cmds})
	if err != nil {
		return nil, err
	}
	ch := make(chan []dynsecResponse, 1)
	d.mu.Lock()
	d.waiting[id] = ch
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.waiting, id)
		d.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	if err := d.Bus.Publish(ctx, DynsecTopic, payload, false); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBrokerSilent, cmds[0]["command"], err)
	}
	select {
	case rs := <-ch:
		out := make([]dynsecResponse, len(cmds))
		for _, r := range rs {
			_, n, _ := strings.Cut(r.CorrelationData, ".")
			if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < len(out) {
				out[i] = r
			}
		}
		for i, r := range out {
			if r.Command == "" {
				return nil, fmt.Errorf("%w: no answer to %s", ErrBrokerSilent, cmds[i]["command"])
			}
		}
		return out, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %s: %v", ErrBrokerSilent, cmds[0]["command"], ctx.Err())
	}
}

// do1 sends one command and returns its answer, or its refusal as an error.
func (d *Dynsec) do1(ctx context.Context, c dynsecCommand) (dynsecResponse, error) {
	rs, err := d.do(ctx, c)
	if err != nil {
		return dynsecResponse{}, err
	}
	return rs[0], rs[0].err()
}

// onResponse hands an answer to the request waiting for it; answers to other
// servers' requests are ignored.
func (d *Dynsec) onResponse(m Message) {
	var body struct {
		Responses []dynsecResponse `json:"responses"`
	}
	if json.Unmarshal(m.Payload, &body) != nil {
		return
	}
	for _, r := range body.Responses {
		id, _, ok := strings.Cut(r.CorrelationData, ".")
		if !ok || !strings.HasPrefix(id, d.prefix) {
			continue
		}
		d.mu.Lock()
		ch := d.waiting[id]
		d.mu.Unlock()
		if ch != nil {
			select {
			case ch <- body.Responses:
			default:
			}
		}
		return
	}
}

// ---- ACLs

// dynsecACL is one ACL of a role.
type dynsecACL struct {
	Type     string `json:"acltype"`
	Topic    string `json:"topic"`
	Priority int    `json:"priority"`
	Allow    bool   `json:"allow"`
}

func aclAllow(typ, topic string) dynsecACL { return dynsecACL{Type: typ, Topic: topic, Allow: true} }

// DeviceACLs are what a device of the family with topic may do on the broker,
// as dynamic-security ACLs: exactly what the family's MayPublish and
// MaySubscribe allow on the embedded broker. The broker matches an ACL topic
// level by level, so a topic or prefix of several levels (home/plus1) works.
//
// A Tasmota device publishes under stat/<t>/ and tele/<t>/ and subscribes to
// cmnd/<t>/. (Tasmota also sends an empty cmnd/<t>/POWER once it connects; the
// embedded broker drops it, and so does this ACL: the server never needs it.)
// A Shelly publishes under <p>/ except on the topics it takes requests from,
// <p>/rpc and <p>/command/, and subscribes to those. Each device may receive
// only what it may subscribe to.
func deviceACLs(family, topic string) ([]dynsecACL, error) {
	var acls []dynsecACL
	switch family {
	case domain.FamilyTasmota:
		acls = []dynsecACL{
			aclAllow("publishClientSend", "stat/"+topic+"/#"),
			aclAllow("publishClientSend", "tele/"+topic+"/#"),
			aclAllow("subscribePattern", "cmnd/"+topic+"/#"),
			aclAllow("publishClientReceive", "cmnd/"+topic+"/#"),
		}
	case domain.FamilyShelly:
		// Denials come first: the broker checks a role's ACLs by priority, highest first.
		acls = []dynsecACL{
			{Type: "publishClientSend", Topic: topic + "/rpc", Priority: 1},
			{Type: "publishClientSend", Topic: topic + "/command/#", Priority: 1},
			aclAllow("publishClientSend", topic+"/#"),
			aclAllow("subscribePattern", topic+"/rpc"),
			aclAllow("subscribePattern", topic+"/command/#"),
			aclAllow("publishClientReceive", topic+"/rpc"),
			aclAllow("publishClientReceive", topic+"/command/#"),
		}
	default:
		return nil, fmt.Errorf("switches: unknown device family %q", family)
	}
	if topic == "" || strings.ContainsAny(topic, "+#") || strings.HasPrefix(topic, "$") {
		return nil, fmt.Errorf("switches: %q cannot be a device topic", topic)
	}
	return acls, nil
}

// serverACLs let the server's own account do its work: publish commands and
// change notes anywhere, hear every device, and speak to the plugin.
var serverACLs = []dynsecACL{
	aclAllow("publishClientSend", "#"),
	aclAllow("publishClientReceive", "#"),
	aclAllow("subscribePattern", "#"),
	aclAllow("publishClientSend", DynsecTopic),
	aclAllow("publishClientReceive", DynsecResponseTopic),
	aclAllow("subscribePattern", DynsecResponseTopic),
}

// sameACLs reports whether two ACL lists hold the same ACLs in any order.
func sameACLs(a, b []dynsecACL) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(x dynsecACL) string {
		return strings.ToLower(x.Type) + "\x00" + x.Topic + "\x00" + strconv.Itoa(x.Priority) + "\x00" + strconv.FormatBool(x.Allow)
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = key(a[i]), key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

func deviceRole(username string) string { return dynsecDeviceRolePrefix + username }

// ---- Provisioner

// AddDevice implements Provisioner: a role with the device's ACLs, and the
// account with that role.
func (d *Dynsec) AddDevice(ctx context.Context, dl DeviceLogin) error {
	acls, err := deviceACLs(dl.Family, dl.Topic)
	if err != nil {
		return err
	}
	if dl.Username == "" || dl.Password == "" {
		return errors.New("switches: a device account needs a username and a password")
	}
	role := deviceRole(dl.Username)
	rs, err := d.do(ctx,
		dynsecCmd("createRole", "rolename", role, "textname", dynsecDeviceText, "textdescription", dynsecDescription, "acls", acls),
		dynsecCmd("createClient", "username", dl.Username, "password", dl.Password, "textname", dynsecDeviceText,
			"textdescription", dynsecDescription, "roles", []map[string]any{{"rolename": role}}))
	if err != nil {
		return err
	}
	if err := errors.Join(rs[0].err(), rs[1].err()); err != nil {
		// Take back what was made, so that nothing half-made lets a device in.
		var undo []dynsecCommand
		if rs[1].err() == nil {
			undo = append(undo, dynsecCmd("deleteClient", "username", dl.Username))
		}
		if rs[0].err() == nil {
			undo = append(undo, dynsecCmd("deleteRole", "rolename", role))
		}
		if len(undo) > 0 {
			if _, uerr := d.do(context.WithoutCancel(ctx), undo...); uerr != nil {
				d.log.Warn("dynsec: taking back a half-made device account failed; the next start removes it", "username", dl.Username, "err", uerr)
			}
		}
		return err
	}
	return nil
}

// SetDeviceTopic implements Provisioner.
func (d *Dynsec) SetDeviceTopic(ctx context.Context, username, family, topic string) error {
	acls, err := deviceACLs(family, topic)
	if err != nil {
		return err
	}
	role := deviceRole(username)
	_, err = d.do1(ctx, dynsecCmd("modifyRole", "rolename", role, "acls", acls))
	if !refusedAs(err, dynsecRoleAbsent, dynsecNoRole) {
		return err
	}
	// The role is gone: make it again for the account, if there is one.
	rs, err := d.do(ctx,
		dynsecCmd("createRole", "rolename", role, "textname", dynsecDeviceText, "textdescription", dynsecDescription, "acls", acls),
		dynsecCmd("addClientRole", "username", username, "rolename", role))
	if err != nil {
		return err
	}
	if refusedAs(rs[1].err(), dynsecNoClient) {
		_, err := d.do(ctx, dynsecCmd("deleteRole", "rolename", role))
		return err
	}
	return errors.Join(rs[0].err(), rs[1].err())
}

// DisableDevice implements Provisioner.
func (d *Dynsec) DisableDevice(ctx context.Context, username string) error {
	_, err := d.do1(ctx, dynsecCmd("disableClient", "username", username))
	if refusedAs(err, dynsecNoClient) {
		return nil
	}
	return err
}

// EnableDevice implements Provisioner.
func (d *Dynsec) EnableDevice(ctx context.Context, username string) error {
	_, err := d.do1(ctx, dynsecCmd("enableClient", "username", username))
	if refusedAs(err, dynsecNoClient) {
		return nil
	}
	return err
}

// RemoveDevice implements Provisioner: the account and its role.
func (d *Dynsec) RemoveDevice(ctx context.Context, username string) error {
	rs, err := d.do(ctx, dynsecCmd("deleteClient", "username", username), dynsecCmd("deleteRole", "rolename", deviceRole(username)))
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rs {
		if err := r.err(); !refusedAs(err, dynsecNoClient, dynsecNoRole) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// dynsecClient is an account as the broker lists it.
type dynsecClient struct {
	Username string `json:"username"`
	TextName string `json:"textname"`
	Disabled bool   `json:"disabled"`
	Roles    []struct {
		Name string `json:"rolename"`
	} `json:"roles"`
}

func (c *dynsecClient) hasRole(name string) bool {
	for _, r := range c.Roles {
		if r.Name == name {
			return true
		}
	}
	return false
}

// dynsecRole is a role as the broker lists it.
type dynsecRole struct {
	Name string      `json:"rolename"`
	ACLs []dynsecACL `json:"acls"`
}

func (d *Dynsec) getClient(ctx context.Context, username string) (*dynsecClient, error) {
	r, err := d.do1(ctx, dynsecCmd("getClient", "username", username))
	if err != nil {
		return nil, err
	}
	var data struct {
		Client dynsecClient `json:"client"`
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		return nil, fmt.Errorf("switches: the broker's getClient answer: %w", err)
	}
	return &data.Client, nil
}

// HasDevice implements Provisioner.
func (d *Dynsec) HasDevice(ctx context.Context, username string) (bool, error) {
	c, err := d.getClient(ctx, username)
	if refusedAs(err, dynsecNoClient) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return !c.Disabled, nil
}

// listPage is how many accounts or roles one list command asks for.
const listPage = 500

// list reads every account ("listClients", "clients") or role ("listRoles",
// "roles"), a page at a time.
func list[T any](ctx context.Context, d *Dynsec, cmd, key string) ([]T, error) {
	var out []T
	for offset := 0; ; offset += listPage {
		r, err := d.do1(ctx, dynsecCmd(cmd, "verbose", true, "count", listPage, "offset", offset))
		if err != nil {
			return nil, err
		}
		var data map[string]json.RawMessage
		if err := json.Unmarshal(r.Data, &data); err != nil {
			return nil, fmt.Errorf("switches: the broker's %s answer: %w", cmd, err)
		}
		var page []T
		if err := json.Unmarshal(data[key], &page); err != nil {
			return nil, fmt.Errorf("switches: the broker's %s answer: %w", cmd, err)
		}
		out = append(out, page...)
		if len(page) < listPage {
			return out, nil
		}
	}
}

// Reconcile implements Provisioner. It first makes sure the server's own
// account may do its work and that an account without a role may do nothing;
// accounts of devices that list no longer returns are removed only if they are
// still missing from it after the grace period, since another server may be
// adding a device right now.
func (d *Dynsec) Reconcile(ctx context.Context, listDevices func(context.Context) ([]DeviceLogin, error)) (Reconciled, error) {
	var out Reconciled
	if err := d.ensureServer(ctx); err != nil {
		return out, err
	}
	if _, err := d.do1(ctx, dynsecCmd("setDefaultACLAccess", "acls", []map[string]any{
		{"acltype": "publishClientSend", "allow": false},
		{"acltype": "publishClientReceive", "allow": false},
		{"acltype": "subscribe", "allow": false},
		{"acltype": "unsubscribe", "allow": true},
	})); err != nil {
		return out, fmt.Errorf("switches: setting the broker's default access: %w", err)
	}
	devices, err := listDevices(ctx)
	if err != nil {
		return out, err
	}
	clients, err := list[dynsecClient](ctx, d, "listClients", "clients")
	if err != nil {
		return out, err
	}
	roles, err := list[dynsecRole](ctx, d, "listRoles", "roles")
	if err != nil {
		return out, err
	}
	clientBy := map[string]*dynsecClient{}
	for i := range clients {
		clientBy[clients[i].Username] = &clients[i]
	}
	roleBy := map[string]*dynsecRole{}
	for i := range roles {
		roleBy[roles[i].Name] = &roles[i]
	}

	var fixes []dynsecCommand
	listed := map[string]bool{}
	for _, dev := range devices {
		listed[dev.Username] = true
		acls, err := deviceACLs(dev.Family, dev.Topic)
		if err != nil {
			d.log.Warn("dynsec: a device's topic cannot be an ACL", "username", dev.Username, "err", err)
			continue
		}
		c := clientBy[dev.Username]
		if c == nil {
			out.Missing = append(out.Missing, dev.Username)
			continue
		}
		role := deviceRole(dev.Username)
		switch r := roleBy[role]; {
		case r == nil:
			fixes = append(fixes, dynsecCmd("createRole", "rolename", role, "textname", dynsecDeviceText, "textdescription", dynsecDescription, "acls", acls))
			out.Updated++
		case !sameACLs(r.ACLs, acls):
			fixes = append(fixes, dynsecCmd("modifyRole", "rolename", role, "acls", acls))
			out.Updated++
		}
		if !c.hasRole(role) {
			fixes = append(fixes, dynsecCmd("addClientRole", "username", dev.Username, "rolename", role))
		}
		if c.Disabled {
			// A disabled account of a stored device is the trace of a change that
			// did not finish: the device is still the switch's.
			fixes = append(fixes, dynsecCmd("enableClient", "username", dev.Username))
		}
	}
	if err := d.batch(ctx, fixes); err != nil {
		return out, err
	}

	// Accounts and roles the server made for devices that are gone.
	gone := map[string]bool{}
	for _, c := range clients {
		if !listed[c.Username] && (c.TextName == dynsecDeviceText || c.hasRole(deviceRole(c.Username))) {
			gone[c.Username] = true
		}
	}
	for _, r := range roles {
		if u, ok := strings.CutPrefix(r.Name, dynsecDeviceRolePrefix); ok && !listed[u] {
			gone[u] = true
		}
	}
	if len(gone) == 0 {
		return out, nil
	}
	select {
	case <-time.After(d.cfg.Grace):
	case <-ctx.Done():
		return out, ctx.Err()
	}
	devices, err = listDevices(ctx)
	if err != nil {
		return out, err
	}
	for _, dev := range devices {
		delete(gone, dev.Username)
	}
	var removals []dynsecCommand
	for u := range gone {
		out.Removed = append(out.Removed, u)
		if clientBy[u] != nil {
			removals = append(removals, dynsecCmd("deleteClient", "username", u))
		}
		if roleBy[deviceRole(u)] != nil {
			removals = append(removals, dynsecCmd("deleteRole", "rolename", deviceRole(u)))
		}
	}
	slices.Sort(out.Removed)
	return out, d.batch(ctx, removals)
}

// batch sends commands a hundred at a time and fails on the first refusal.
func (d *Dynsec) batch(ctx context.Context, cmds []dynsecCommand) error {
	for len(cmds) > 0 {
		n := min(len(cmds), 100)
		rs, err := d.do(ctx, cmds[:n]...)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := r.err(); err != nil && !refusedAs(err, dynsecNoClient, dynsecNoRole) {
				return err
			}
		}
		cmds = cmds[n:]
	}
	return nil
}

// ensureServer gives the server's own account a role that lets it publish
// commands and hear devices: an admin made by "mosquitto_ctrl dynsec init" may
// only administer the plugin. The broker ends the account's connections when
// it gets a role, so the answer may be lost; the role is checked until it is
// there.
func (d *Dynsec) ensureServer(ctx context.Context) error {
	_, err := d.do1(ctx, dynsecCmd("createRole", "rolename", dynsecServerRole, "textname", "Portico server",
		"textdescription", dynsecDescription, "acls", serverACLs))
	if refusedAs(err, dynsecRoleExists) {
		_, err = d.do1(ctx, dynsecCmd("modifyRole", "rolename", dynsecServerRole, "acls", serverACLs))
	}
	if err != nil {
		return fmt.Errorf("switches: the server's role on the broker (does it run the dynamic-security plugin, with %q as its admin?): %w", d.cfg.Admin, err)
	}
	c, err := d.getClient(ctx, d.cfg.Admin)
	if err != nil {
		return fmt.Errorf("switches: the server's account %q on the broker: %w", d.cfg.Admin, err)
	}
	if c.hasRole(dynsecServerRole) {
		return nil
	}
	d.log.Info("dynsec: giving the server's account its role; the broker reconnects it", "username", d.cfg.Admin)
	if _, err := d.do1(ctx, dynsecCmd("addClientRole", "username", d.cfg.Admin, "rolename", dynsecServerRole, "priority", 10)); err != nil &&
		!errors.Is(err, ErrBrokerSilent) {
		return fmt.Errorf("switches: giving the server's account its role: %w", err)
	}
	deadline := time.Now().Add(6 * d.cfg.Timeout)
	for {
		c, err := d.getClient(ctx, d.cfg.Admin)
		if err == nil && c.hasRole(dynsecServerRole) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("switches: the server's account did not get its role on the broker: %w", err)
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
