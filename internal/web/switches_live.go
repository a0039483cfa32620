package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"portico/internal/app"
	"portico/internal/domain"
)

// activityLimit is how many actions the Recent activity card lists (seed: 20).
const activityLimit = 20

// switchPanel is what the Switches section and the Recent activity card show,
// both on the page and in each live update.
type switchPanel struct {
	Company  *domain.Company
	Switches []*domain.Switch
	Activity []*domain.SwitchEvent
	// A switch's toggle form posts to ToggleBase/{id}ToggleSuffix: the staff app
	// and the portal name the action differently.
	ToggleBase   string
	ToggleSuffix string
	ManageBase   string // staff: add, edit, delete, credentials under ManageBase
	EventsURL    string // the live stream
	Staff        bool   // staff view: device sources
	CanManage    bool
	Now          time.Time // when the panel was read, for "since 14:05" against "since 2 Jan"
	// ReadOnly, when set, says why no switch can be toggled here (staff viewing
	// the portal as a user); the buttons are disabled and described by it.
	ReadOnly string
	// ProjectOf, for a panel of switches of several projects (the portal's
	// overview), gives each switch's project: a toggle then posts to
	// ToggleBase/projects/{project}/switches/{id}.
	ProjectOf map[int64]int64
}

// ToggleURL is where switch id's toggle form posts.
func (p *switchPanel) ToggleURL(id int64) string {
	if p.ProjectOf != nil {
		return p.ToggleBase + "/projects/" + strconv.FormatInt(p.ProjectOf[id], 10) + "/switches/" + strconv.FormatInt(id, 10)
	}
	return p.ToggleBase + "/" + strconv.FormatInt(id, 10) + p.ToggleSuffix
}

// When is a moment in the tenant's zone as a switch row says it: the time alone
// today ("14:05"), with the day this year, the full date before.
func (p *switchPanel) When(t time.Time) string {
	loc := time.UTC
	if p.Company != nil {
		loc = p.Company.Location()
	}
	t = t.In(loc)
	now := p.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.In(loc)
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("2 Jan, 15:04")
	}
	return t.Format("2 Jan 2006, 15:04")
}

// Live updates: a page with switches opens a server-sent event stream. On
// connecting, and whenever the project's switches change in any server process
// (each one listens to the broker and to the others' change notes), the stream
// sends the Switches section and the Recent activity card rendered afresh from the
// database, the source of truth. A page that lost its stream gets the current
// state when the browser reconnects. Streams end after a few minutes, so that the
// browser reconnects through the route's guard and a revoked session or access
// takes effect.
const (
	liveLifetime  = 5 * time.Minute
	liveHeartbeat = 20 * time.Second
	liveResync    = 30 * time.Second
)

// streamPanel serves the live stream of a project's switch panel. load renders
// the panel afresh; it is called with a fresh Scope each time for the portal.
func (s *Server) streamPanel(w http.ResponseWriter, r *http.Request, projectID int64, load func() (*switchPanel, error)) error {
	first, err := load() // before any header is written, so that errors are pages
	if err != nil {
		return err
	}
	return s.streamPanels(w, r, []int64{projectID}, first, load)
}

// streamPanels serves the live stream of a switch panel drawn from the switches
// of several projects (the portal's overview), first being its first rendering.
func (s *Server) streamPanels(w http.ResponseWriter, r *http.Request, projectIDs []int64, first *switchPanel, load func() (*switchPanel, error)) error {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	defer s.metrics.streamOpened()()
	rc.SetWriteDeadline(time.Now().Add(liveLifetime + time.Minute))

	var updates, ending <-chan struct{}
	if sw := s.app.Switches; sw != nil {
		updates, ending = watchProjects(r.Context(), sw, projectIDs), sw.StreamsEnd()
	}
	fmt.Fprintf(w, "retry: 2000\n\n")
	var last [32]byte
	send := func(p *switchPanel) error {
		sw, err := s.renderPartial(r, "switchcard", p)
		if err != nil {
			return err
		}
		act, err := s.renderPartial(r, "activitycard", p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(sw + act))
		if sum == last {
			return nil
		}
		last = sum
		writeEvent(w, "switches", sw)
		writeEvent(w, "activity", act)
		return rc.Flush()
	}
	if err := send(first); err != nil {
		return nil
	}
	end := time.NewTimer(liveLifetime)
	defer end.Stop()
	beat := time.NewTicker(liveHeartbeat)
	defer beat.Stop()
	resync := time.NewTicker(liveResync)
	defer resync.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-end.C:
			return nil
		case <-ending:
			return nil
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return nil
			}
			continue
		case <-updates:
		case <-resync.C:
		}
		p, err := load()
		if err != nil {
			// Access was lost, or the project deleted: end the stream; the browser's
			// reconnection then meets the guard.
			return nil
		}
		if err := send(p); err != nil {
			return nil
		}
	}
}

// watchProjects returns a channel that has a value whenever a switch of one of
// the projects changed, until ctx ends.
func watchProjects(ctx context.Context, sw *app.Switches, projectIDs []int64) <-chan struct{} {
	if len(projectIDs) == 1 {
		ch, stop := sw.Watch(projectIDs[0])
		context.AfterFunc(ctx, stop)
		return ch
	}
	out := make(chan struct{}, 1)
	for _, id := range projectIDs {
		ch, stop := sw.Watch(id)
		go func() {
			defer stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-ch:
					select {
					case out <- struct{}{}:
					default:
					}
				}
			}
		}()
	}
	return out
}

// writeEvent writes one server-sent event whose data may span lines.
func writeEvent(w http.ResponseWriter, event, data string) {
	var b bytes.Buffer
	b.WriteString("event: " + event + "\n")
	for line := range strings.SplitSeq(data, "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	w.Write(b.Bytes())
}

// renderPartial renders a shared template (a partial) to a string.
func (s *Server) renderPartial(r *http.Request, name string, data any) (string, error) {
	locale := requestLocale(r)
	if s.tmpl[locale] == nil {
		locale = "en"
	}
	set := s.tmpl[locale]
	t, ok := set["portal_project"]
	if !ok {
		return "", fmt.Errorf("web: no template set for partial %s", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// wantsJSON reports whether a toggle came from switches.js, which reads JSON.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// toggleJSON is the answer to a toggle sent by switches.js. It names the switch
// and its state only: no people, no credentials.
type toggleJSON struct {
	OK      bool   `json:"ok"`
	Status  string `json:"status"`
	Message string `json:"message"`

	retryAfter int // seconds, for a refusal that time lifts (the Retry-After header)
}

func writeToggleJSON(w http.ResponseWriter, status int, v toggleJSON) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// toggleOutcome turns a toggle's result or error into a status and an answer.
// Whatever was not found — the project, the switch, or either outside what the
// person may see — is "Switch not found."; errors other than refusals and not
// found are returned as they are.
func toggleOutcome(res *app.ToggleResult, err error) (int, toggleJSON, error) {
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.ECONFLICT, domain.EINVALID:
			return http.StatusConflict, toggleJSON{Status: "refused", Message: domain.ErrorMessage(err)}, nil
		case domain.ETOOMANY:
			secs := 60 // when the limit does not say
			if d := domain.RetryAfter(err); d > 0 {
				secs = int((d + time.Second - 1) / time.Second)
			}
			return http.StatusTooManyRequests, toggleJSON{Status: "refused", Message: domain.ErrorMessage(err), retryAfter: secs}, nil
		case domain.ENOTFOUND:
			return http.StatusNotFound, toggleJSON{Status: "not_found", Message: "Switch not found."}, nil
		}
		return 0, toggleJSON{}, err
	}
	switch res.Status {
	case domain.EventConfirmed:
		return http.StatusOK, toggleJSON{OK: true, Status: res.Status, Message: res.Message}, nil
	case domain.EventSuperseded:
		return http.StatusOK, toggleJSON{OK: true, Status: res.Status, Message: res.Message}, nil
	}
	return http.StatusGatewayTimeout, toggleJSON{Status: res.Status, Message: res.Message}, nil
}

// answerToggle answers a toggle that ended with res or err. switches.js gets JSON
// for every outcome short of a server failure. A form posted without JavaScript
// is redirected to back with the message when the toggle worked, gets the error
// page when nothing was found (or page is nil: the toggle never got as far as
// its page), and otherwise page, which shows the message above the switches.
func (s *Server) answerToggle(w http.ResponseWriter, r *http.Request, res *app.ToggleResult, err error, back string, page func(status int, msg string) error) error {
	status, out, ferr := toggleOutcome(res, err)
	if ferr != nil {
		return ferr
	}
	if out.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(out.retryAfter))
	}
	switch {
	case wantsJSON(r):
		return writeToggleJSON(w, status, out)
	case out.OK:
		return s.redirectFlash(w, r, back, out.Message)
	case err != nil && (page == nil || status == http.StatusNotFound):
		return err
	}
	return page(status, out.Message)
}

// parseWanted reads the wanted state of a toggle form: "on" or "off".
func parseWanted(r *http.Request) (bool, error) {
	if err := parseForm(r); err != nil {
		return false, err
	}
	switch r.PostForm.Get("state") {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, domain.Errorf(domain.EINVALID, "Choose to turn the switch on or off.")
}

// switchService returns the switch service, or an error saying switches are
// unavailable when the server runs without a broker.
func (s *Server) switchService() (*app.Switches, error) {
	if s.app.Switches == nil {
		return nil, domain.Errorf(domain.ECONFLICT, "Switches cannot be controlled right now: the server is not connected to the MQTT broker.")
	}
	return s.app.Switches, nil
}
