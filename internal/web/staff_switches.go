package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/domain"
)

// projectPageData is a project's page in the staff app.
type projectPageData struct {
	clientTabPage
	Project *domain.Project
	Panel   *switchPanel
}

// staffProject loads the client frame and the project of the path.
func (s *Server) staffProject(r *http.Request) (clientTabPage, *domain.Project, error) {
	t, err := s.clientTab(r, "projects")
	if err != nil {
		return t, nil, err
	}
	pid, err := pathID(r, "pid")
	if err != nil {
		return t, nil, err
	}
	p, err := s.staffView(r).Project(r.Context(), t.Client.ID, pid)
	if err != nil {
		return t, nil, err
	}
	t.Title = p.Name
	return t, p, nil
}

func projectBase(p *domain.Project) string {
	return fmt.Sprintf("/app/clients/%d/projects/%d", p.ClientID, p.ID)
}

// staffPanel loads the project's switches and their full activity, with real names.
func (s *Server) staffPanel(r *http.Request, p *domain.Project) (*switchPanel, error) {
	staff := who(r)
	sws, err := s.staffView(r).ProjectSwitches(r.Context(), p.ClientID, p.ID)
	if err != nil {
		return nil, err
	}
	acts, err := s.staffView(r).SwitchActivity(r.Context(), p.ClientID, p.ID, activityLimit)
	if err != nil {
		return nil, err
	}
	base := projectBase(p)
	return &switchPanel{Company: staffOf(r).company, Switches: sws, Activity: acts, ToggleBase: base + "/switches", ToggleSuffix: "/toggle",
		ManageBase: base + "/switches", EventsURL: base + "/live", Staff: true, CanManage: staff.Can(access.SwitchesManage), Now: s.app.Now()}, nil
}

// projectPage serves GET /app/clients/{id}/projects/{pid}.
func (s *Server) projectPage(w http.ResponseWriter, r *http.Request) error {
	t, p, err := s.staffProject(r)
	if err != nil {
		return err
	}
	return s.renderProjectPage(w, r, http.StatusOK, t, p)
}

func (s *Server) renderProjectPage(w http.ResponseWriter, r *http.Request, status int, t clientTabPage, p *domain.Project) error {
	panel, err := s.staffPanel(r, p)
	if err != nil {
		return err
	}
	s.render(w, r, status, "project", &projectPageData{clientTabPage: t, Project: p, Panel: panel})
	return nil
}

// projectLive serves GET /app/clients/{id}/projects/{pid}/live.
func (s *Server) projectLive(w http.ResponseWriter, r *http.Request) error {
	_, p, err := s.staffProject(r)
	if err != nil {
		return err
	}
	return s.streamPanel(w, r, p.ID, func() (*switchPanel, error) { return s.staffPanel(r, p) })
}

// staffToggle serves POST …/switches/{sid}/toggle. Every staff member may toggle.
func (s *Server) staffToggle(w http.ResponseWriter, r *http.Request) error {
	t, p, err := s.staffProject(r)
	if err != nil {
		return s.answerToggle(w, r, nil, err, "", nil)
	}
	res, err := s.toggleAsStaff(r, p)
	return s.answerToggle(w, r, res, err, projectBase(p), func(status int, msg string) error {
		t.Error = msg
		return s.renderProjectPage(w, r, status, t, p)
	})
}

// toggleAsStaff turns the switch of the path on or off as the form asks.
func (s *Server) toggleAsStaff(r *http.Request, p *domain.Project) (*app.ToggleResult, error) {
	sw, err := s.switchOf(r, p)
	if err != nil {
		return nil, err
	}
	on, err := parseWanted(r)
	if err != nil {
		return nil, err
	}
	svc, err := s.switchService()
	if err != nil {
		return nil, err
	}
	return svc.ToggleAsStaff(r.Context(), who(r), sw.ID, on)
}

// ---- managing switches (switches.manage)

type switchFormPage struct {
	clientTabPage
	Project  *domain.Project
	Form     *Form
	Action   string
	ID       int64
	Families []familyChoice
}

// familyChoice is a device family of the form, with what the channel and the
// topic mean for it.
type familyChoice struct {
	Value, Label           string
	ChannelHint, TopicHint string
}

// What the channel and the topic mean, per family. The form's own hints, for
// pages without JavaScript, give both families' meanings at once.
const (
	channelHintTasmota = "Tasmota: the relay number, 1 to 8 (POWER1…POWER8). Leave empty for a one-relay device."
	channelHintShelly  = "Shelly: the switch id, 0 to 7 (switch:0 is the first). Leave empty for a one-relay device."
	topicHintTasmota   = "Tasmota: the device's Topic, one level of letters, digits, '-' and '_', e.g. office_light. Unique on the broker."
	topicHintShelly    = "Shelly: the device's MQTT prefix, e.g. shellyplus1-a8032ab1 or home/plus1. Unique on the broker, and not inside another device's prefix."
)

func (s *Server) switchForm(w http.ResponseWriter, r *http.Request, status int, t clientTabPage, p *domain.Project, title string, id int64, f *Form) error {
	pg := &switchFormPage{clientTabPage: t, Project: p, Form: f, Action: projectBase(p) + "/switches", ID: id}
	for _, f := range domain.Families {
		c := familyChoice{Value: f, Label: domain.FamilyLabel(f), ChannelHint: channelHintShelly, TopicHint: topicHintShelly}
		if f == domain.FamilyTasmota {
			c.ChannelHint, c.TopicHint = channelHintTasmota, topicHintTasmota
		}
		pg.Families = append(pg.Families, c)
	}
	if id != 0 {
		pg.Action += "/" + strconv.FormatInt(id, 10)
	}
	pg.Title = title
	s.render(w, r, status, "switch_form", pg)
	return nil
}

// switchFromForm reads a switch from the form. An empty channel is 0, the
// device's first relay (see domain.Switch.Normalize); a channel that is not a
// number is an EINVALID error, with the other fields' problems beside it.
func switchFromForm(v url.Values) (*domain.Switch, error) {
	sw := &domain.Switch{Name: v.Get("name"), Family: v.Get("family"), Topic: v.Get("topic")}
	ch := strings.TrimSpace(v.Get("channel"))
	if ch == "" {
		return sw, nil
	}
	n, err := strconv.Atoi(ch)
	if err == nil {
		sw.Channel = n
		return sw, nil
	}
	check := *sw
	check.Normalize()
	fields := map[string]string{}
	maps.Copy(fields, domain.FieldErrors(check.Validate()))
	fields["channel"] = "Enter a whole number, or leave the channel empty for the device's first relay."
	return nil, &domain.Error{Code: domain.EINVALID, Message: "Please correct the highlighted fields.", Fields: fields}
}

// channelValue is how the form shows a stored channel: empty for the device's
// first relay, so that changing the family keeps meaning the first relay.
func channelValue(sw *domain.Switch) string {
	if sw.Channel == domain.FirstChannel(sw.Family) {
		return ""
	}
	return strconv.Itoa(sw.Channel)
}

func (s *Server) switchNew(w http.ResponseWriter, r *http.Request) error {
	t, p, err := s.staffProject(r)
	if err != nil {
		return err
	}
	return s.switchForm(w, r, http.StatusOK, t, p, "Add switch", 0, newForm(url.Values{"family": {domain.FamilyTasmota}}))
}

func (s *Server) switchCreate(w http.ResponseWriter, r *http.Request) error {
	t, p, err := s.staffProject(r)
	if err != nil {
		return err
	}
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	sw, err := switchFromForm(r.PostForm)
	var pw string
	if err == nil && strings.TrimSpace(sw.Topic) == "" && strings.TrimSpace(sw.Name) != "" {
		// An empty topic takes the suggestion the form shows with JavaScript.
		if sw.Topic, err = s.staffView(r).SuggestTopic(r.Context(), sw.Family, sw.Name); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
			return err
		}
		err = nil
	}
	if err == nil {
		sw.ClientID, sw.ProjectID = p.ClientID, p.ID
		err = unlessText(textErr, func() (err error) { pw, err = s.app.CreateSwitch(r.Context(), who(r), sw); return err })
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		return s.switchForm(w, r, http.StatusUnprocessableEntity, t, p, "Add switch", 0, newForm(r.PostForm).withError(err))
	}
	return s.renderConnect(w, r, t, p, sw, pw, "Switch "+sw.Name+" added. Set the device up with these details.")
}

// switchTopic serves GET …/switches/topic?family=&name=: a topic (Tasmota) or
// MQTT prefix (Shelly) made from the name, valid and free on the broker, as JSON
// {"topic": "…"}, which the switch form puts into its topic field.
func (s *Server) switchTopic(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.staffProject(r); err != nil {
		return err
	}
	q := r.URL.Query()
	topic := ""
	if strings.TrimSpace(q.Get("name")) != "" {
		var err error
		if topic, err = s.staffView(r).SuggestTopic(r.Context(), q.Get("family"), q.Get("name")); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
			return err
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]string{"topic": topic})
}

func (s *Server) switchOf(r *http.Request, p *domain.Project) (*domain.Switch, error) {
	sid, err := pathID(r, "sid")
	if err != nil {
		return nil, err
	}
	return s.staffView(r).Switch(r.Context(), p.ClientID, p.ID, sid)
}

func (s *Server) switchEdit(w http.ResponseWriter, r *http.Request) error {
	t, p, err := s.staffProject(r)
	if err != nil {
		return err
	}
	sw, err := s.switchOf(r, p)
	if err != nil {
		return err
	}
	v := url.Values{"name": {sw.Name}, "family": {sw.Family}, "topic": {sw.Topic}, "channel": {channelValue(sw)}}
	return s.switchForm(w, r, http.StatusOK, t, p, "Edit switch", sw.ID, newForm(v))
}

func (s *Server) switchUpdate(w http.ResponseWriter, r *http.Request) error {
	t, p, err := s.staffProject(r)
	if err != nil {
		return err
	}
	sid, err := pathID(r, "sid")
	if err != nil {
		return err
	}
	textErr, err := readForm(r)
	if err != nil {
		return err
	}
	sw, err := switchFromForm(r.PostForm)
	if err == nil {
		sw.ID, sw.ClientID, sw.ProjectID = sid, p.ClientID, p.ID
		err = unlessText(textErr, func() error { return s.app.UpdateSwitch(r.Context(), who(r), sw) })
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		return s.switchForm(w, r, http.StatusUnprocessableEntity, t, p, "Edit switch", sid, newForm(r.PostForm).withError(err))
	}
	return s.redirectFlash(w, r, projectBase(p), "Switch "+sw.Name+" saved.")
}

func (s *Server) switchDelete(w http.ResponseWriter, r *http.Request) error {
	_, p, err := s.staffProject(r)
	if err != nil {
		return err
	}
	sid, err := pathID(r, "sid")
	if err != nil {
		return err
	}
	if err := s.app.DeleteSwitch(r.Context(), who(r), p.ClientID, p.ID, sid); err != nil {
		return err
	}
	return s.redirectFlash(w, r, projectBase(p), "Switch deleted.")
}

// switchConnectPage shows how to connect a device: the broker, the account and
// the topics. The password is there only right after it was made.
type switchConnectPage struct {
	clientTabPage
	Project  *domain.Project
	Switch   *domain.Switch
	Password string
	Notice   string
	Missing  bool // the broker has no account for the device: its credentials must be made anew
	Broker   app.BrokerInfo
	Topics   []topicLine
	// Simulate is the portico simulate command that plays this device, with the
	// password when the page shows it, else PASSWORD in its place.
	Simulate string
	// Loopback says the broker address is this machine's own (127.0.0.1,
	// localhost), which a device on the network cannot reach; LAN is then this
	// machine's address on the local network, if it has one.
	Loopback bool
	LAN      string
	// Invitee is the client's first contact with an email and no portal
	// access yet, offered as the next step once the device is online, for
	// staff who may invite and while the client has a free seat; nil else.
	// LiveURL is the project's live stream, which tells the page when the
	// device comes online; Path is this page, where the invitation returns.
	Invitee         *domain.Contact
	Seats, MaxSeats int
	LiveURL, Path   string
}

type topicLine struct{ Topic, What string }

func (s *Server) renderConnect(w http.ResponseWriter, r *http.Request, t clientTabPage, p *domain.Project, sw *domain.Switch, password, notice string) error {
	pg := &switchConnectPage{clientTabPage: t, Project: p, Switch: sw, Password: password, Notice: notice}
	pg.Missing = password == "" && s.brokerAccountMissing(r, sw)
	if s.app.Switches != nil {
		pg.Broker = s.app.Switches.Broker()
	}
	if pg.Broker.Host == "" {
		pg.Broker.Host = hostOf(r)
	}
	pg.Title = localf(r, "Connect %s", sw.Name)
	pg.Topics = topicsOf(sw)
	pg.Simulate = simulateCommand(s.command, pg.Broker, sw, password)
	if ip := net.ParseIP(pg.Broker.Host); pg.Broker.Host == "localhost" || (ip != nil && ip.IsLoopback()) {
		pg.Loopback, pg.LAN = true, lanAddress()
	}
	if err := s.offerInvite(r, pg); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store") // the page may hold a password
	s.render(w, r, http.StatusOK, "switch_credentials", pg)
	return nil
}

// offerInvite fills in the connection page's next step: inviting the client's
// first contact who has an email and no portal access yet.
func (s *Server) offerInvite(r *http.Request, pg *switchConnectPage) error {
	if !who(r).Can(access.PortalInvite) {
		return nil
	}
	cs, hasPortal, seats, err := s.contactsAndSeats(r, pg.Client.ID)
	if err != nil {
		return err
	}
	if seats >= access.MaxPortalUsersPerClient {
		return nil
	}
	for _, c := range cs {
		if c.Email != "" && !hasPortal[c.Email] {
			pg.Invitee = c
			break
		}
	}
	if pg.Invitee == nil {
		return nil
	}
	base := fmt.Sprintf("/app/clients/%d/projects/%d", pg.Client.ID, pg.Project.ID)
	pg.Seats, pg.MaxSeats = seats, access.MaxPortalUsersPerClient
	pg.LiveURL, pg.Path = base+"/live", fmt.Sprintf("%s/switches/%d/connect", base, pg.Switch.ID)
	return s.withInviteHints(r, &pg.clientTabPage)
}

// simulateCommand is the command line that runs a simulated device for the
// switch on the broker: what `portico simulate` needs to stand in for it,
// started the way portico runs on this machine (command).
func simulateCommand(command string, b app.BrokerInfo, sw *domain.Switch, password string) string {
	broker := "mqtt://" + net.JoinHostPort(b.Host, strconv.Itoa(b.Port))
	if b.Port == 0 && b.TLSPort != 0 {
		broker = "mqtts://" + net.JoinHostPort(b.Host, strconv.Itoa(b.TLSPort))
	}
	if password == "" {
		password = "PASSWORD"
	}
	dev := sw.Family + ":" + sw.Topic
	if sw.Channel != domain.FirstChannel(sw.Family) {
		dev += ":" + strconv.Itoa(sw.Channel)
	}
	return command + " simulate --broker " + broker + " --device " + dev + ":" + sw.Username + ":" + password
}

// lanAddress is this machine's first IPv4 address on a private network, or "".
func lanAddress() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsPrivate() {
			return n.IP.String()
		}
	}
	return ""
}

func hostOf(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		return h
	}
	return r.Host
}

func topicsOf(sw *domain.Switch) []topicLine {
	if sw.Family == domain.FamilyTasmota {
		power := "POWER"
		if sw.Channel > 1 {
			power += strconv.Itoa(sw.Channel)
		}
		return []topicLine{
			{"cmnd/" + sw.Topic + "/" + power, "commands from Portico (ON / OFF)"},
			{"stat/" + sw.Topic + "/RESULT, stat/" + sw.Topic + "/" + power, "state reports"},
			{"tele/" + sw.Topic + "/STATE", "periodic state"},
			{"tele/" + sw.Topic + "/LWT", "availability (retained Online / Offline)"},
		}
	}
	ch := strconv.Itoa(sw.Channel)
	return []topicLine{
		{sw.Topic + "/rpc", "requests from Portico (Switch.Set, Switch.GetStatus)"},
		{sw.Topic + "/portico/rpc", "the device's replies"},
		{sw.Topic + "/events/rpc", "NotifyStatus events"},
		{sw.Topic + "/status/switch:" + ch, "status updates"},
		{sw.Topic + "/online", "availability (retained true / false)"},
	}
}

func (s *Server) switchConnect(w http.ResponseWriter, r *http.Request) error {
	t, p, err := s.staffProject(r)
	if err != nil {
		return err
	}
	sw, err := s.switchOf(r, p)
	if err != nil {
		return err
	}
	return s.renderConnect(w, r, t, p, sw, "", "")
}

func (s *Server) switchRegenerate(w http.ResponseWriter, r *http.Request) error {
	t, p, err := s.staffProject(r)
	if err != nil {
		return err
	}
	sid, err := pathID(r, "sid")
	if err != nil {
		return err
	}
	var sw *domain.Switch
	var pw string
	msg := "New credentials made. The device was disconnected and needs the new ones to connect again."
	if s.app.Switches != nil {
		sw, pw, err = s.app.Switches.RegenerateCredentials(r.Context(), who(r), p.ClientID, p.ID, sid)
	} else {
		sw, pw, err = s.staffView(r).RegenerateSwitchCredentials(r.Context(), p.ClientID, p.ID, sid)
		msg = "New credentials made. The old ones stop working when the device next connects."
	}
	if err != nil {
		return err
	}
	return s.renderConnect(w, r, t, p, sw, pw, msg)
}
