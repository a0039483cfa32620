package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/switches"
)

// Default command timeouts: how long a toggle waits for the device's report, and
// then for the answer to the one state query sent before giving up.
const (
	DefaultCommandTimeout = 5 * time.Second
	DefaultQueryTimeout   = 2 * time.Second
)

// Default command rate limit per switch: a relay is rated for a number of
// switchings, and nobody needs more than this many in a minute.
const (
	DefaultCommandLimit  = 10
	DefaultCommandWindow = time.Minute
)

// expiryGrace is how long past the sender's own deadline other processes wait
// before they fail a command that is still pending: the sender normally decides.
const expiryGrace = time.Second

// sweepEvery is how often each process fails the commands whose senders died.
const sweepEvery = time.Second

// changedPrefix is the bus topic on which server processes tell each other that a
// project's switches changed in the database; each process listens, so that the
// open pages of every process update.
const changedPrefix = "portico/changed/"

// SwitchesConfig configures the switch service.
type SwitchesConfig struct {
	Bus            switches.Bus
	CommandTimeout time.Duration // DefaultCommandTimeout when 0
	QueryTimeout   time.Duration // DefaultQueryTimeout when 0
	// CommandLimit commands per CommandWindow per switch (DefaultCommandLimit per
	// DefaultCommandWindow when 0; a negative limit turns it off).
	CommandLimit  int
	CommandWindow time.Duration
	// Broker is where devices connect, for the connection instructions.
	Broker BrokerInfo
	// FreshBroker says the broker has just started with no device connected (the
	// embedded broker): every switch starts offline until its device announces itself.
	FreshBroker bool
	// Metrics counts toggles and connected devices; nil counts nothing.
	Metrics *switches.Metrics
}

// Switches runs the server's side of the devices: it listens to the broker,
// stores what devices report (the database is the source of truth), sends
// commands and waits for their confirmation, and tells open pages what changed.
type Switches struct {
	store        *store.Store
	bus          switches.Bus
	log          *slog.Logger
	timeout      time.Duration
	queryTimeout time.Duration
	policy       store.CommandPolicy
	fresh        bool
	broker       BrokerInfo
	metrics      *switches.Metrics

	queue   chan queued
	done    chan struct{}
	stopped atomic.Bool
	workers sync.WaitGroup
	queryID atomic.Int64

	mu       sync.Mutex
	watchers map[int64]map[*watcher]struct{} // project id → watchers
	resyncs  map[int64]chan struct{}         // switch id → closed when a report arrives

	last map[string]lastReport // family and topic → newest report applied; the worker's own

	endStreams sync.Once
	streamsEnd chan struct{}
}

type watcher struct{ ch chan struct{} }

// NewSwitches returns the switch service over the bus; Start starts it.
func NewSwitches(st *store.Store, log *slog.Logger, cfg SwitchesConfig) *Switches {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Switches{store: st, bus: cfg.Bus, log: log, timeout: cfg.CommandTimeout, queryTimeout: cfg.QueryTimeout, fresh: cfg.FreshBroker, broker: cfg.Broker, metrics: cfg.Metrics,
		queue: make(chan queued, 4096), done: make(chan struct{}), streamsEnd: make(chan struct{}),
		watchers: map[int64]map[*watcher]struct{}{}, resyncs: map[int64]chan struct{}{}, last: map[string]lastReport{}}
	if s.timeout <= 0 {
		s.timeout = DefaultCommandTimeout
	}
	if s.queryTimeout <= 0 {
		s.queryTimeout = DefaultQueryTimeout
	}
	s.policy = store.CommandPolicy{TTL: s.timeout + s.queryTimeout + expiryGrace, Limit: cfg.CommandLimit, Window: cfg.CommandWindow}
	if s.policy.Limit == 0 {
		s.policy.Limit = DefaultCommandLimit
	}
	if s.policy.Window <= 0 {
		s.policy.Window = DefaultCommandWindow
	}
	s.queryID.Store(1 << 40)
	s.metrics.CountDevices(s.connectedDevices)
	return s
}

// connectedDevices counts the devices connected to the embedded broker, or with
// an external one, which tells nothing of connections, the switches whose
// devices last said they were online.
func (s *Switches) connectedDevices(ctx context.Context) (int, error) {
	if dc, ok := s.bus.(switches.DeviceCounter); ok {
		return dc.ConnectedDevices(), nil
	}
	ids, err := s.store.Devices(switchesPrincipal()).OnlineSwitches(ctx)
	return len(ids), err
}

// BrokerInfo says where devices connect.
type BrokerInfo struct {
	Host    string // "" means the host of the web address
	Port    int    // plain MQTT; 0 when there is none
	TLSPort int    // MQTT over TLS; 0 when there is none
}

// Broker says where devices connect.
func (s *Switches) Broker() BrokerInfo { return s.broker }

// Start subscribes to every device family's topics and to the other processes'
// change notes, and processes device messages until Stop.
func (s *Switches) Start(ctx context.Context) error {
	if s.fresh {
		if err := s.store.Devices(switchesPrincipal()).MarkAllSwitchesOffline(ctx); err != nil {
			return err
		}
	}
	s.workers.Add(2)
	go s.work()
	go s.sweep()
	if ps, ok := s.bus.(switches.PresenceSource); ok {
		ps.OnPresence(s.enqueuePresence)
	}
	if err := s.bus.Subscribe(ctx, []string{changedPrefix + "+"}, s.onChanged); err != nil {
		return err
	}
	// After a reconnect the server may have missed reports: ask every device that
	// was online for its state. Retained availability arrives with the subscription.
	s.bus.OnUp(s.resyncAll)
	return s.bus.Subscribe(ctx, switches.AllFilters(), s.enqueue)
}

// Stop stops processing messages and waits for the message in hand; the bus is
// the caller's to close.
func (s *Switches) Stop() {
	if s.stopped.CompareAndSwap(false, true) {
		close(s.done)
	}
	s.workers.Wait()
}

// queued is a device message, or what the broker saw of a device's connection,
// with the time it reached this process.
type queued struct {
	msg      switches.Message
	presence *switches.Presence
	at       time.Time
}

func (s *Switches) enqueue(m switches.Message) {
	s.put(queued{msg: m, at: s.store.Now()})
}

func (s *Switches) enqueuePresence(p switches.Presence) {
	s.put(queued{presence: &p, at: s.store.Now()})
}

// put queues in arrival order: presence and messages of one device must be
// handled in the order the broker saw them (Tasmota says Online before it
// subscribes).
func (s *Switches) put(q queued) {
	select {
	case s.queue <- q:
	case <-s.done:
	}
}

func (s *Switches) work() {
	defer s.workers.Done()
	for {
		select {
		case q := <-s.queue:
			if q.presence != nil {
				s.handlePresence(*q.presence, q.at)
			} else {
				s.handle(q.msg, q.at)
			}
		case <-s.done:
			return
		}
	}
}

// sweep fails, every sweepEvery, the pending commands past their expiry: those
// whose sending process died before it could decide.
func (s *Switches) sweep() {
	defer s.workers.Done()
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		s.expire()
		select {
		case <-t.C:
		case <-s.done:
			return
		}
	}
}

func (s *Switches) expire() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	projects, err := s.store.Devices(switchesPrincipal()).ExpireCommands(ctx, s.store.Now())
	if err != nil {
		if !s.stopped.Load() {
			s.log.Error("switches: expiring commands", "err", err)
		}
		return
	}
	for _, id := range projects {
		s.changed(ctx, id)
	}
}

func (s *Switches) onChanged(m switches.Message) {
	if id, err := strconv.ParseInt(strings.TrimPrefix(m.Topic, changedPrefix), 10, 64); err == nil {
		s.notify(id)
	}
}

// handle stores what one device message, received at at, says.
func (s *Switches) handle(m switches.Message, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, name := range domain.Families {
		fam := switches.FamilyOf(name)
		ev, ok := fam.Parse(m.Topic, m.Payload)
		if !ok {
			continue
		}
		ev.Retained = m.Retained
		if s.echo(name, ev, at) {
			return
		}
		sw, err := s.store.Devices(switchesPrincipal()).SwitchByTopic(ctx, name, ev.Topic)
		if err != nil {
			if domain.ErrorCode(err) != domain.ENOTFOUND {
				s.log.Error("switches: finding the device", "topic", m.Topic, "err", err)
			}
			continue
		}
		if err := s.apply(ctx, fam, sw, ev, at); err != nil {
			s.log.Error("switches: storing a device report", "topic", m.Topic, "err", err)
		}
		return
	}
}

func (s *Switches) apply(ctx context.Context, fam switches.Family, sw *domain.Switch, ev switches.Event, at time.Time) error {
	switch ev.Kind {
	case switches.EvOnline, switches.EvOffline:
		online := ev.Kind == switches.EvOnline
		if !online {
			if ps, ok := s.bus.(switches.PresenceSource); ok && ps.DeviceConnected(sw.Family, sw.Topic) {
				return nil // the will of a connection the device has already replaced
			}
			return s.offline(ctx, sw, at)
		}
		// A retained Online replayed to a process that has just subscribed says
		// nothing new of a switch already known online: marking it for resync
		// would hide the next real change (a button press) as a resync.
		if !ev.Retained || !sw.Online {
			changed, err := s.store.Devices(switchesPrincipal()).SetSwitchOnline(ctx, sw.ID, true, at)
			if err != nil {
				return err
			}
			if changed {
				s.changed(ctx, sw.ProjectID)
			}
		}
		// A device announcing itself may not hear commands yet (Tasmota says
		// Online before it subscribes) and may not report its state on its own
		// (Tasmota does not after a reconnect): ask until it answers.
		s.resync(fam, sw)
	case switches.EvState:
		on, ok := ev.Power[sw.Channel]
		if !ok {
			return nil
		}
		out, err := s.store.Devices(switchesPrincipal()).ApplyReport(ctx, store.Report{SwitchID: sw.ID, On: on, Retained: ev.Retained, Source: ev.Source, At: at})
		if err != nil {
			return err
		}
		if !ev.Retained {
			s.reported(sw.ID)
		}
		if out.Changed || out.Confirmed != 0 || out.Late != 0 || out.External != 0 || !sw.Online {
			s.changed(ctx, sw.ProjectID)
		}
	case switches.EvAck:
		out, err := s.store.Devices(switchesPrincipal()).AckCommand(ctx, sw.ID, ev.ID, at)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil // not one of ours, or another switch's
		}
		if err != nil {
			return err
		}
		s.reported(sw.ID)
		if out.Changed || out.Confirmed != 0 || out.Late != 0 {
			s.changed(ctx, sw.ProjectID)
		}
	case switches.EvError:
		reason := refusal(ev.Message)
		var failed bool
		var err error
		if ev.ID != 0 {
			failed, err = s.store.Devices(switchesPrincipal()).FailCommand(ctx, sw.ID, ev.ID, reason)
		} else {
			var id int64
			id, err = s.store.Devices(switchesPrincipal()).FailNewestCommand(ctx, sw.ID, reason)
			failed = id != 0
		}
		if err != nil {
			return err
		}
		if failed {
			s.changed(ctx, sw.ProjectID)
		}
	}
	return nil
}

// echoWindow is how soon a device's report of the same relays is taken as a
// second wording of the one before: Tasmota answers every command on
// stat/<t>/RESULT and again on stat/<t>/POWER<n>.
const echoWindow = 300 * time.Millisecond

// lastReport is the newest report this process applied for a device.
type lastReport struct {
	power map[int]bool
	at    time.Time
}

// echo reports whether ev repeats the report of the same device applied just
// before it, which then need not cost a transaction; it remembers ev otherwise.
// Availability events forget the device, so that its first report after coming
// back is always applied. Only the worker goroutine calls it.
func (s *Switches) echo(family string, ev switches.Event, at time.Time) bool {
	key := family + "\x00" + ev.Topic
	switch {
	case ev.Kind == switches.EvOnline || ev.Kind == switches.EvOffline || ev.Retained:
		delete(s.last, key)
	case ev.Kind == switches.EvState:
		if prev, ok := s.last[key]; ok && at.Sub(prev.at) < echoWindow && maps.Equal(prev.power, ev.Power) {
			return true
		}
		s.last[key] = lastReport{power: ev.Power, at: at}
	}
	return false
}

// refusal is the reason shown for a command the device refused, with the
// device's own words when it gave any: they are cut short and stripped of
// anything but printable text, since a device is not to be trusted.
func refusal(msg string) string {
	var b strings.Builder
	for _, r := range msg {
		if b.Len() >= 120 {
			break
		}
		if r == utf8.RuneError || unicode.IsControl(r) {
			continue
		}
		b.WriteRune(r)
	}
	why := strings.TrimRight(strings.TrimSpace(b.String()), ".!")
	if why == "" {
		return "The device refused the command."
	}
	return "The device refused the command: " + why + "."
}

// offline records that the device went away at at, and fails its pending
// command at once: nobody will confirm it.
func (s *Switches) offline(ctx context.Context, sw *domain.Switch, at time.Time) error {
	changed, err := s.store.Devices(switchesPrincipal()).SetSwitchOnline(ctx, sw.ID, false, at)
	if err != nil {
		return err
	}
	s.reported(sw.ID) // stop asking
	id, err := s.store.Devices(switchesPrincipal()).FailNewestCommand(ctx, sw.ID, "The switch went offline before it confirmed the command.")
	if err != nil {
		return err
	}
	if changed || id != 0 {
		s.changed(ctx, sw.ProjectID)
	}
	return nil
}

// handlePresence acts on what the embedded broker saw of a device's connection:
// a subscription means the device hears commands now, so a state query is
// answered; the end of its last connection means it is offline, whether or not
// it left a last will.
func (s *Switches) handlePresence(p switches.Presence, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// By family and topic, not username: a device cut off because its
	// credentials were replaced is still that switch's device.
	sw, err := s.store.Devices(switchesPrincipal()).SwitchByTopic(ctx, p.Family, p.Topic)
	if err != nil {
		return // deleted meanwhile
	}
	fam := switches.FamilyOf(sw.Family)
	if fam == nil {
		return
	}
	delete(s.last, p.Family+"\x00"+p.Topic)
	switch p.Kind {
	case switches.PresenceSubscribed:
		if !fam.MaySubscribe(sw.Topic, p.Filter) {
			return
		}
		if !sw.Online {
			// A device that subscribes is connected and hears commands, whether or
			// not it announced itself.
			changed, err := s.store.Devices(switchesPrincipal()).SetSwitchOnline(ctx, sw.ID, true, at)
			if err != nil {
				s.log.Error("switches: storing availability", "switch", sw.ID, "err", err)
				return
			}
			if changed {
				s.changed(ctx, sw.ProjectID)
			}
		}
		s.query(ctx, fam, sw)
		s.resync(fam, sw)
	case switches.PresenceGone:
		if ps, ok := s.bus.(switches.PresenceSource); ok && ps.DeviceConnected(sw.Family, sw.Topic) {
			return // a session the device has already replaced with a new one
		}
		if err := s.offline(ctx, sw, at); err != nil {
			s.log.Error("switches: storing availability", "switch", sw.ID, "err", err)
		}
	}
}

// query asks the device for its state.
func (s *Switches) query(ctx context.Context, fam switches.Family, sw *domain.Switch) {
	topic, payload := fam.Query(deviceOf(sw), s.queryID.Add(1))
	if err := s.bus.Publish(ctx, topic, payload, false); err != nil && !s.stopped.Load() {
		s.log.Warn("switches: state query", "switch", sw.ID, "err", err)
	}
}

// resyncDelays are the waits between state queries to a device that has just
// come online, until it reports: a query sent before the device subscribed is
// lost, and the broker does not always say when it has (an external broker never does).
var resyncDelays = []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second,
	4 * time.Second, 8 * time.Second, 15 * time.Second}

// resync asks the device for its state until a report arrives, it goes offline
// or resyncDelays run out; one loop per switch at a time.
func (s *Switches) resync(fam switches.Family, sw *domain.Switch) {
	s.mu.Lock()
	if _, running := s.resyncs[sw.ID]; running {
		s.mu.Unlock()
		return
	}
	got := make(chan struct{})
	s.resyncs[sw.ID] = got
	s.mu.Unlock()
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		defer s.reported(sw.ID)
		for _, d := range resyncDelays {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-got:
				t.Stop()
				return
			case <-s.done:
				t.Stop()
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			s.query(ctx, fam, sw)
			cancel()
		}
	}()
}

// reported ends the switch's resync loop, if one runs: the device has spoken.
func (s *Switches) reported(switchID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if got, ok := s.resyncs[switchID]; ok {
		close(got)
		delete(s.resyncs, switchID)
	}
}

func (s *Switches) resyncAll() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ids, err := s.store.Devices(switchesPrincipal()).OnlineSwitches(ctx)
	if err != nil {
		if !s.stopped.Load() {
			s.log.Error("switches: resync", "err", err)
		}
		return
	}
	for _, id := range ids {
		if s.stopped.Load() {
			return
		}
		sw, err := s.store.Devices(switchesPrincipal()).SwitchByID(ctx, id)
		if err != nil {
			continue
		}
		if fam := switches.FamilyOf(sw.Family); fam != nil {
			s.resync(fam, sw)
		}
	}
}

func deviceOf(sw *domain.Switch) switches.Device {
	return switches.Device{Family: sw.Family, Topic: sw.Topic, Channel: sw.Channel}
}

// ---- change notes

// EndStreams tells open live streams to end, so that a graceful shutdown need
// not wait for them; browsers reconnect to another process or after the restart.
func (s *Switches) EndStreams() { s.endStreams.Do(func() { close(s.streamsEnd) }) }

// StreamsEnd is closed when live streams should end.
func (s *Switches) StreamsEnd() <-chan struct{} { return s.streamsEnd }

// Watch returns a channel that receives a value soon after anything of the
// project's switches changes in any server process, and a function to stop
// watching. A burst of changes may arrive as one value.
func (s *Switches) Watch(projectID int64) (<-chan struct{}, func()) {
	w := &watcher{ch: make(chan struct{}, 1)}
	s.mu.Lock()
	if s.watchers[projectID] == nil {
		s.watchers[projectID] = map[*watcher]struct{}{}
	}
	s.watchers[projectID][w] = struct{}{}
	s.mu.Unlock()
	return w.ch, func() {
		s.mu.Lock()
		delete(s.watchers[projectID], w)
		if len(s.watchers[projectID]) == 0 {
			delete(s.watchers, projectID)
		}
		s.mu.Unlock()
	}
}

func (s *Switches) notify(projectID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for w := range s.watchers[projectID] {
		select {
		case w.ch <- struct{}{}:
		default:
		}
	}
}

// changed tells this process's watchers at once and the other processes
// through the broker.
func (s *Switches) changed(ctx context.Context, projectID int64) {
	s.notify(projectID)
	if err := s.bus.Publish(ctx, changedPrefix+strconv.FormatInt(projectID, 10), nil, false); err != nil {
		s.log.Warn("switches: change note", "project", projectID, "err", err)
	}
}

// ---- toggling

// ToggleResult is how a command ended.
type ToggleResult struct {
	Status  string // domain.EventConfirmed, EventFailed or EventSuperseded
	Message string // a sentence for the user
	Switch  *domain.Switch
}

// ToggleAsStaff turns switch id of the staff member's tenant on or off, waits
// for the device's confirmation and attributes the change to the staff member.
// Any staff member may toggle. An offline switch is refused at once (ECONFLICT),
// and so is a switch over its command rate limit (ETOOMANY, with RetryAfter):
// nothing is sent and nothing recorded.
func (s *Switches) ToggleAsStaff(ctx context.Context, staff access.Staff, id int64, on bool) (*ToggleResult, error) {
	cmd, err := s.store.Staff(staff).StaffCommand(ctx, id, on, s.policy)
	if err != nil {
		return nil, s.refused(err)
	}
	return s.run(ctx, cmd)
}

// ToggleAsPortal turns switch id on or off for a portal user: the switch must be
// in the Scope (ENOTFOUND otherwise), online (ECONFLICT otherwise) and under its
// command rate limit (ETOOMANY otherwise).
func (s *Switches) ToggleAsPortal(ctx context.Context, scope access.Scope, user *domain.PortalUser, id int64, on bool) (*ToggleResult, error) {
	if user == nil || user.ID != scope.PortalUserID() {
		return nil, domain.Errorf(domain.ENOTFOUND, "Switch not found.")
	}
	cmd, err := s.store.Portal(scope).PortalCommand(ctx, user.Name(), id, on, s.policy)
	if err != nil {
		return nil, s.refused(err)
	}
	return s.run(ctx, cmd)
}

// refused counts a toggle refused before anything was sent, and returns err.
func (s *Switches) refused(err error) error {
	switch domain.ErrorCode(err) {
	case domain.ECONFLICT:
		s.metrics.Toggle(switches.ToggleOffline, 0)
	case domain.ETOOMANY:
		s.metrics.Toggle(switches.ToggleRateLimited, 0)
	}
	return err
}

// run publishes a recorded command and waits for its end: the device's report
// (default 5 s), else one state query and a shorter wait, else failed.
func (s *Switches) run(ctx context.Context, cmd *store.Command) (*ToggleResult, error) {
	// The command is recorded: finish it even if the person leaves the page.
	ctx = context.WithoutCancel(ctx)
	sw, ev := cmd.Switch, cmd.Event
	fam := switches.FamilyOf(sw.Family)
	if fam == nil {
		return nil, fmt.Errorf("app: switch %d has unknown family %q", sw.ID, sw.Family)
	}
	updates, stop := s.Watch(sw.ProjectID)
	defer stop()
	s.changed(ctx, sw.ProjectID)

	topic, payload := fam.Command(deviceOf(sw), ev.On, ev.ID)
	sent := time.Now()
	if err := s.bus.Publish(ctx, topic, payload, false); err != nil {
		s.log.Warn("switches: publishing a command", "switch", sw.ID, "err", err)
		s.fail(ctx, sw, ev.ID, "The broker could not be reached.")
		r, err := s.result(ctx, sw, ev)
		s.count(r, false, 0)
		return r, err
	}
	status, err := s.await(ctx, updates, ev.ID, s.timeout)
	if err != nil {
		return nil, err
	}
	roundTrip, timedOut := time.Since(sent), false
	if status == domain.EventPending {
		s.query(ctx, fam, sw)
		if status, err = s.await(ctx, updates, ev.ID, s.queryTimeout); err != nil {
			return nil, err
		}
		roundTrip = time.Since(sent)
		if status == domain.EventPending {
			s.fail(ctx, sw, ev.ID, "The switch did not confirm the command in time.")
			timedOut = true
		}
	}
	r, err := s.result(ctx, sw, ev)
	s.count(r, timedOut, roundTrip)
	return r, err
}

// count records a toggle's result (nil: none): timedOut says the command was
// failed for want of an answer, roundTrip how long a confirmation took.
func (s *Switches) count(r *ToggleResult, timedOut bool, roundTrip time.Duration) {
	if r == nil {
		return
	}
	switch r.Status {
	case domain.EventConfirmed:
		s.metrics.Toggle(switches.ToggleConfirmed, roundTrip)
	case domain.EventSuperseded:
		s.metrics.Toggle(switches.ToggleSuperseded, 0)
	case domain.EventFailed:
		if timedOut {
			s.metrics.Toggle(switches.ToggleTimeout, 0)
		} else {
			s.metrics.Toggle(switches.ToggleFailed, 0)
		}
	}
}

func (s *Switches) fail(ctx context.Context, sw *domain.Switch, cmdID int64, reason string) {
	if failed, err := s.store.Devices(switchesPrincipal()).FailCommand(ctx, sw.ID, cmdID, reason); err != nil {
		s.log.Error("switches: failing a command", "switch", sw.ID, "err", err)
	} else if failed {
		s.changed(ctx, sw.ProjectID)
	}
}

// await waits until command cmdID is no longer pending or d has passed, and
// returns its status.
func (s *Switches) await(ctx context.Context, updates <-chan struct{}, cmdID int64, d time.Duration) (string, error) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		status, _, err := s.store.Devices(switchesPrincipal()).CommandStatus(ctx, cmdID)
		if err != nil || status != domain.EventPending {
			return status, err
		}
		select {
		case <-updates:
		case <-timer.C:
			status, _, err := s.store.Devices(switchesPrincipal()).CommandStatus(ctx, cmdID)
			return status, err
		}
	}
}

func (s *Switches) result(ctx context.Context, sw *domain.Switch, ev *domain.SwitchEvent) (*ToggleResult, error) {
	status, reason, err := s.store.Devices(switchesPrincipal()).CommandStatus(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	now, err := s.store.Devices(switchesPrincipal()).SwitchByID(ctx, sw.ID)
	if err != nil {
		return nil, err
	}
	r := &ToggleResult{Status: status, Switch: now}
	switch status {
	case domain.EventConfirmed:
		r.Message = fmt.Sprintf("%s is %s.", sw.Name, ev.StateWord())
	case domain.EventSuperseded:
		r.Message = fmt.Sprintf("A newer command for %s replaced this one.", sw.Name)
	default:
		r.Message = fmt.Sprintf("%s did not turn %s. %s", sw.Name, ev.StateWord(), reason)
	}
	return r, nil
}

// ErrNoBroker is returned by toggles when the server runs without a broker.
var ErrNoBroker = errors.New("app: switches are not connected to a broker")

// DeviceAccounts lets the embedded broker authenticate devices against the
// switches in the database.
func DeviceAccounts(st *store.Store) switches.Accounts {
	return switches.AccountsFunc(func(ctx context.Context, username string) (*switches.Account, error) {
		a, err := st.Devices(switchesPrincipal()).SwitchAccount(ctx, username)
		if err != nil {
			return nil, err
		}
		return &switches.Account{Family: a.Family, Topic: a.Topic, PasswordHash: a.PasswordHash}, nil
	})
}

// RegenerateCredentials gives the switch a new MQTT username and password and
// returns the password, shown once. The device's open connection is ended at
// once, so the old credentials stop working now rather than at its next
// reconnect. A broker that keeps its own accounts gets the new account first;
// when it cannot, nothing changes and the error says so. Needs switches.manage.
func (s *Switches) RegenerateCredentials(ctx context.Context, staff access.Staff, clientID, projectID, id int64) (*domain.Switch, string, error) {
	old, err := s.store.Staff(staff).Switch(ctx, clientID, projectID, id)
	if err != nil {
		return nil, "", err
	}
	if p := s.provisioner(); p != nil {
		return s.regenerateWithBroker(ctx, p, staff, old)
	}
	sw, pw, err := s.store.Staff(staff).RegenerateSwitchCredentials(ctx, clientID, projectID, id)
	if err != nil {
		return nil, "", err
	}
	if k, ok := s.bus.(interface{ DisconnectUser(string) int }); ok {
		if n := k.DisconnectUser(old.Username); n > 0 {
			s.log.InfoContext(ctx, "device disconnected after new credentials", "switch", id, "connections", n)
		}
	}
	return sw, pw, nil
}
