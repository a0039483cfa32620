package web_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"portico/internal/access"
	"portico/internal/demo"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// axeSource is axe-core 4.14 (MPL-2.0, testdata/axe/LICENSE), the accessibility
// engine the checks below run in the page.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// axeTags are the WCAG 2.2 AA rule sets every page must pass.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// a11yRig is the demo tenant, served with switches, plus a project of three
// switches on simulated devices: one on, one off, one offline, so that every
// colour of a switch row is on the page. Ada sees Dencorp and that project's
// client, so the portal shows the company picker too.
type a11yRig struct {
	ss       *testenv.SwitchServer
	tn       *testenv.Tenant
	client   *domain.Client
	project  *domain.Project
	on, off  *domain.Switch
	adaEmail string
}

func newA11yRig(t *testing.T, db *testenv.DB) *a11yRig {
	t.Helper()
	ctx := context.Background()
	r := &a11yRig{ss: testenv.StartSwitchServer(t, db, testenv.BrokerEmbedded, testenv.SwitchOptions{CommandTimeout: 3 * time.Second, QueryTimeout: time.Second})}
	d, err := demo.Fill(ctx, db.Store)
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	company, err := db.Store.CompanyBySlug(ctx, d.Slug)
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := db.Store.StaffCredentials(ctx, company.ID, d.AdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	r.tn = &testenv.Tenant{Company: company, Admin: admin, Staff: access.NewStaff(admin)}
	clients, _, err := db.Store.Staff(r.tn.Staff).Clients(ctx, store.ClientFilter{ListOptions: domain.ListOptions{PerPage: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var dencorp int64
	for _, c := range clients {
		if c.Name == "Dencorp" {
			dencorp = c.ID
		}
	}
	r.client = db.Client(t, r.tn, "Lumen s.r.o.")
	site := db.Site(t, r.tn, r.client, "Lumen hall", "Žilina")
	r.project = db.Project(t, r.tn, r.client, "Hall lighting", site)
	var pOn, pOff, pGone string
	r.on, pOn = db.Switch(t, r.tn, r.project, "Hall light", domain.FamilyTasmota, "hall_light")
	r.off, pOff = db.Switch(t, r.tn, r.project, "Fountain pump", domain.FamilyShelly, "shellyplus1-a11y0001")
	gone, pGone := db.Switch(t, r.tn, r.project, "Yard lamp", domain.FamilyTasmota, "yard_lamp")
	on := r.ss.Device(t, r.on, pOn)
	on.SetRelay(true)
	r.ss.Device(t, r.off, pOff)
	if res, err := r.ss.Switches.ToggleAsStaff(ctx, r.tn.Staff, r.on.ID, true); err != nil || res.Status != domain.EventConfirmed {
		t.Fatalf("turning the hall light on: %+v %v", res, err)
	}
	r.ss.Device(t, gone, pGone).GoOffline()
	r.ss.WaitSwitch(t, gone.ID, "offline", func(s *domain.Switch) bool { return !s.Online })
	r.adaEmail = "ada@lumen.test"
	swPortalUser(t, db, r.tn, "Ada", r.adaEmail, []int64{r.client.ID, dencorp})
	return r
}

// axeCheck runs axe on the page as it is now and fails the test for each
// violation, naming the rule, the elements and the page (what, at width px).
func axeCheck(t *testing.T, b *testenv.Browser, what string) {
	t.Helper()
	if !testenv.Result(b, chromedp.Evaluate[bool](`typeof window.axe === "object"`)) {
		b.Run(chromedp.Evaluate[chromedp.Void](axeSource + ";void 0"))
	}
	type node struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	}
	type violation struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []node `json:"nodes"`
	}
	tags, _ := json.Marshal(axeTags)
	extra := map[string]map[string]bool{}
	for _, r := range axeExtraRules {
		extra[r] = map[string]bool{"enabled": true}
	}
	rules, _ := json.Marshal(extra)
	vs := testenv.Result(b, chromedp.Evaluate[[]violation](fmt.Sprintf(
		// Transitions (a dialog fading in) run out first: half-faded text is
		// not what anyone reads.
		`Promise.race([Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))), new Promise(r => setTimeout(r, 2000))])
		.then(() => axe.run(document, {runOnly: {type: "tag", values: %s}, rules: %s, resultTypes: ["violations"]})).then(r => r.violations)`, tags, rules),
		chromedp.EvalAwaitPromise))
	// Every id once: a second copy takes the first one's label and description.
	if dups := testenv.Result(b, chromedp.Evaluate[[]string](`(() => { const seen = {}, dup = [];
		for (const e of document.querySelectorAll("[id]")) { if (seen[e.id] && !dup.includes(e.id)) dup.push(e.id); seen[e.id] = true; }
		return dup; })()`)); len(dups) > 0 {
		t.Errorf("axe: %s: ids used more than once: %s", what, strings.Join(dups, ", "))
	}
	for _, v := range vs {
		var targets []string
		for i, n := range v.Nodes {
			if i == 5 {
				targets = append(targets, fmt.Sprintf("… %d more", len(v.Nodes)-5))
				break
			}
			targets = append(targets, fmt.Sprintf("%v (%s)", n.Target, strings.ReplaceAll(n.Summary, "\n", " ")))
		}
		t.Errorf("axe: %s: %s [%s] %s\n\t%s", what, v.ID, v.Impact, v.Help, strings.Join(targets, "\n\t"))
	}
}

// axeExtraRules are axe's best-practice rules that WCAG 2.2 AA still needs
// here: landmarks told apart by their names (two "Breadcrumb" navs), and
// ids that label and describe controls only once.
var axeExtraRules = []string{"landmark-unique", "duplicate-id-aria"}

// a11yShape is an address with its numbers and query taken out: one page of
// each kind is enough.
var a11yNumber = regexp.MustCompile(`\d+`)

func a11yShape(u *url.URL) string { return a11yNumber.ReplaceAllString(u.Path, "N") }

// a11ySkip are addresses that are not HTML pages or that end the session,
// and the portal's lists and details again under View as (the portal itself
// is checked; View as keeps its home, My data and a project).
var a11ySkip = regexp.MustCompile(`/logout|/pdf$|\.pdf$|\.csv$|/file$|/live$|download=|/dev/|/view-as/\d+/(documents|estimates|invoices|protocols|sites)`)

// a11yCrawl visits every kind of page reachable by links under prefix from
// start, runs axe on each, and on each dialog it can open; it returns the
// addresses visited.
func a11yCrawl(t *testing.T, b *testenv.Browser, base, prefix, label string, dialogs map[string]bool, starts ...string) []string {
	t.Helper()
	seen := map[string]bool{}
	var queue []string
	for _, s := range starts {
		queue = append(queue, base+s)
	}
	var visited []string
	for len(queue) > 0 && len(visited) < 120 {
		page := queue[0]
		queue = queue[1:]
		u, err := url.Parse(page)
		if err != nil {
			continue
		}
		u.RawQuery, u.Fragment = "", ""
		if seen[a11yShape(u)] {
			continue
		}
		seen[a11yShape(u)] = true
		b.Run(chromedp.Navigate(u.String()))
		if testenv.Result(b, chromedp.Evaluate[string](`document.contentType`)) != "text/html" {
			continue
		}
		loc := browserLocation(t, b)
		if !strings.HasPrefix(loc, base+prefix) {
			continue
		}
		visited = append(visited, u.Path)
		axeCheck(t, b, label+" "+u.Path)
		a11yDialogs(t, b, label+" "+u.Path, dialogs)
		links := testenv.Result(b, chromedp.Evaluate[[]string](`[...document.querySelectorAll("a[href]")].map(a => a.href)`))
		for _, l := range links {
			lu, err := url.Parse(l)
			if err != nil || lu.Host != u.Host || !strings.HasPrefix(lu.Path, prefix) || a11ySkip.MatchString(l) {
				continue
			}
			queue = append(queue, l)
		}
	}
	sort.Strings(visited)
	return visited
}

// a11yDialogs opens each kind of dialog of the page in turn, runs axe with it
// open, and closes it with Escape.
func a11yDialogs(t *testing.T, b *testenv.Browser, what string, done map[string]bool) {
	t.Helper()
	ids := testenv.Result(b, chromedp.Evaluate[[]string](`[...new Set([...document.querySelectorAll("[data-open-dialog]:not([disabled])")]
		.filter(e => e.getClientRects().length > 0).map(e => e.getAttribute("data-open-dialog")))]`))
	for _, id := range ids {
		shape := a11yNumber.ReplaceAllString(id, "N")
		if done[shape] {
			continue
		}
		done[shape] = true
		b.Run(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`[...document.querySelectorAll('[data-open-dialog=%q]')].find(e => e.getClientRects().length > 0).click()`, id)))
		waitJS(t, b, fmt.Sprintf(`document.getElementById(%q).open`, id))
		axeCheck(t, b, what+" with dialog #"+id+" open")
		b.Run(chromedp.KeyEvent(kb.Escape))
		waitJS(t, b, fmt.Sprintf(`!document.getElementById(%q).open`, id))
	}
}

// a11yErrorStates submits each kind of form page among pages with its fields
// emptied, so that it comes back refused, and runs axe on the refusal.
func a11yErrorStates(t *testing.T, b *testenv.Browser, base string, pages []string, label string) {
	t.Helper()
	form := regexp.MustCompile(`/(new|edit|invite|settings|billing)$`)
	for _, p := range pages {
		if !form.MatchString(p) {
			continue
		}
		b.Run(chromedp.Navigate(base + p))
		ok := testenv.Result(b, chromedp.Evaluate[bool](`(() => {
			const btn = document.querySelector("main .form-actions button[type=submit]");
			if (!btn) return false;
			const f = btn.form;
			f.noValidate = true;
			for (const el of f.elements) {
				if (el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
				if (el.type === "checkbox" || el.type === "radio") continue;
				if (el.tagName === "SELECT") { if (el.multiple) [...el.options].forEach(o => o.selected = false); continue; }
				el.value = "";
			}
			return true;
		})()`))
		if !ok {
			continue
		}
		st := b.Follow(chromedp.Evaluate[chromedp.Void](`document.querySelector("main .form-actions button[type=submit]").click()`))
		if st < 400 {
			t.Logf("%s %s: the emptied form was accepted (%d)", label, p, st)
			continue
		}
		axeCheck(t, b, fmt.Sprintf("%s %s refused (%d)", label, p, st))
	}
}

// Every staff and portal page, signed out and in, with its dialogs open and its
// forms refused, passes axe's WCAG 2.2 AA rules: at desktop width on SQLite and
// at phone width on PostgreSQL.
func TestBrowserAxe(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newA11yRig(t, db)
		base := r.ss.URL
		var b *testenv.Browser
		label := "1280px"
		if db.Engine == "postgres" {
			b, label = testenv.NewPhoneBrowser(t), "390px"
		} else {
			b = testenv.NewBrowser(t)
		}
		dialogs := map[string]bool{}

		// Signed out, and refused.
		portal := "/portal/" + demo.Slug
		for _, p := range []string{"/app/login", portal + "/login", portal + "/forgot"} {
			b.Run(chromedp.Navigate(base + p))
			axeCheck(t, b, label+" "+p)
		}
		b.Run(chromedp.Navigate(base+portal+"/login"), browserFill("email", r.adaEmail), browserFill("password", "wrong password"))
		b.Follow(chromedp.Click(browserSubmit))
		axeCheck(t, b, label+" portal sign-in refused")
		b.Run(chromedp.Navigate(base+"/app/login"), browserFill("company", demo.Slug), browserFill("email", demo.AdminEmail), browserFill("password", "wrong password"))
		b.Follow(chromedp.Click(browserSubmit))
		axeCheck(t, b, label+" staff sign-in refused")

		// The portal, as Ada.
		b.Run(chromedp.Navigate(base+portal+"/login"), browserFill("email", r.adaEmail), browserFill("password", testenv.Password))
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("portal sign-in: status %d", st)
		}
		pages := a11yCrawl(t, b, base, portal+"/", label+" portal", dialogs,
			fmt.Sprintf("%s/projects/%d", portal, r.project.ID), portal+"/")
		t.Logf("portal pages checked: %s", strings.Join(pages, " "))
		// A document's preview page, and on a phone the menu opened.
		b.Run(chromedp.Navigate(base + portal + "/documents"))
		preview := testenv.Result(b, chromedp.Evaluate[string](`(document.querySelector("a[data-preview]") || {}).href || ""`))
		if preview == "" {
			t.Fatal("the portal's Documents page has no preview link")
		}
		b.Run(chromedp.Navigate(preview))
		axeCheck(t, b, label+" portal document preview")
		if label == "390px" {
			b.Run(chromedp.Click(chromedp.CSS("details.nav-menu > summary")))
			waitJS(t, b, `document.querySelector("details.nav-menu").open`)
			axeCheck(t, b, label+" portal menu open")
		}
		// My data with a refused email edit: the inline form and the dialog.
		b.Run(chromedp.Navigate(base + portal + "/my-data"))
		b.Run(chromedp.Click(chromedp.CSS(`[data-open-dialog="edit-emails"]`)), chromedp.WaitVisible(chromedp.ID("edit-emails")))
		b.Run(chromedp.Evaluate[chromedp.Void](`document.querySelector("#edit-emails input[name=email]").value = "not an email"`))
		if st := b.Follow(chromedp.Click(chromedp.CSS(`#edit-emails button[type=submit]`))); st != http.StatusUnprocessableEntity {
			t.Errorf("a bad email on My data: status %d, want 422", st)
		}
		axeCheck(t, b, label+" portal my-data refused")
		b.Follow(chromedp.Click(chromedp.CSS(`.btn-signout`)))

		// The staff app, as the administrator.
		b.Run(chromedp.Navigate(base+"/app/login"), browserFill("company", demo.Slug), browserFill("email", demo.AdminEmail), browserFill("password", demo.AdminPassword))
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("staff sign-in: status %d", st)
		}
		pages = a11yCrawl(t, b, base, "/app/", label+" staff", dialogs,
			fmt.Sprintf("/app/clients/%d/projects/%d", r.client.ID, r.project.ID), "/app/")
		t.Logf("staff pages checked: %s", strings.Join(pages, " "))
		a11yErrorStates(t, b, base, pages, label+" staff")
	})
}

// a11yFocus describes document.activeElement: its tag, id, classes, text and
// the attributes the checks below look at.
type a11yFocus struct {
	Tag       string  `json:"tag"`
	ID        string  `json:"id"`
	Class     string  `json:"class"`
	Text      string  `json:"text"`
	Dialog    string  `json:"dialog"`    // the id of the dialog it is in, if any
	Row       string  `json:"row"`       // the id of the switch row it is in, if any
	Invalid   string  `json:"invalid"`   // aria-invalid
	Described string  `json:"described"` // aria-describedby
	Opens     string  `json:"opens"`     // data-open-dialog
	Ring      float64 `json:"ring"`      // contrast of its focus ring against what surrounds it
}

func (f a11yFocus) String() string {
	return fmt.Sprintf("<%s id=%q class=%q> %q", f.Tag, f.ID, f.Class, f.Text)
}

// a11yFocusJS reads a11yFocus in the page. The ring is the outline (or, for
// form fields, the box shadow) blended over the background behind the element.
const a11yFocusJS = `(() => {
  const el = document.activeElement || document.body;
  const rgb = s => { const m = (s.match(/[\d.]+/g) || [0, 0, 0, 0]).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = c => [c.r, c.g, c.b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((acc, v, i) => acc + v * [0.2126, 0.7152, 0.0722][i], 0);
  let ring = 0;
  const cs = getComputedStyle(el);
  let color = null;
  if (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2) color = cs.outlineColor;
  else { const m = cs.boxShadow.match(/rgba?\([^)]*\)/); if (m && cs.boxShadow !== "none") color = m[0]; }
  if (color) {
    let p = el.parentElement, bg = {r: 255, g: 255, b: 255, a: 1};
    while (p) { const c = rgb(getComputedStyle(p).backgroundColor); if (c.a > 0) { bg = c; break; } p = p.parentElement; }
    const c = rgb(color);
    const mix = {r: c.r * c.a + bg.r * (1 - c.a), g: c.g * c.a + bg.g * (1 - c.a), b: c.b * c.a + bg.b * (1 - c.a)};
    const a = lum(mix), b = lum(bg);
    ring = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }
  const dlg = el.closest("dialog"), row = el.closest(".switch-row");
  return {tag: el.tagName.toLowerCase(), id: el.id, class: typeof el.className === "string" ? el.className : "",
    text: (el.textContent || "").trim().slice(0, 60), dialog: dlg ? dlg.id : "", row: row ? row.id : "",
    invalid: el.getAttribute("aria-invalid") || "", described: el.getAttribute("aria-describedby") || "",
    opens: el.getAttribute("data-open-dialog") || "", ring};
})()`

func a11yFocused(b *testenv.Browser) a11yFocus {
	return testenv.Result(b, chromedp.Evaluate[a11yFocus](a11yFocusJS))
}

// a11yKeyboard starts a browser (a phone's when phone) whose page counts as
// focused throughout, as the window a person types into is: headless
// Chromium can leave a page that was navigated to by a key press without
// focus, and then no element matches :focus and no ring shows.
func a11yKeyboard(t *testing.T, phone bool) *testenv.Browser {
	t.Helper()
	var b *testenv.Browser
	if phone {
		b = testenv.NewPhoneBrowser(t)
	} else {
		b = testenv.NewBrowser(t)
	}
	b.Run(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	return b
}

// a11yKey presses one key, as a keyboard would.
func a11yKey(b *testenv.Browser, key string) {
	b.Run(a11yPress(key))
}

// a11yPress is a press of one key. Enter goes as Chromium gets it from a
// keyboard, a key down that carries its text, so that an Enter which moves
// the focus (opening a dialog) does not press again on the new focus, as
// chromedp.KeyEvent's separate char event would.
func a11yPress(key string) chromedp.Action[chromedp.Void] {
	if key != kb.Enter {
		return chromedp.KeyEvent(key)
	}
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter",
			WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13, Text: "\r", UnmodifiedText: "\r"}
		up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "Enter", Code: "Enter",
			WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		for _, p := range []input.DispatchKeyEventParams{down, up} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// a11yTabTo presses Tab until ok holds for the focused element, at most max
// times, and returns how many presses it took.
func a11yTabTo(t *testing.T, b *testenv.Browser, what string, max int, ok func(a11yFocus) bool) int {
	t.Helper()
	var seen []string
	for n := 1; n <= max; n++ {
		a11yKey(b, kb.Tab)
		f := a11yFocused(b)
		if ok(f) {
			return n
		}
		seen = append(seen, f.String())
	}
	t.Fatalf("%d presses of Tab did not reach %s; focus went through:\n\t%s", max, what, strings.Join(seen, "\n\t"))
	return 0
}

// a11yWantRing fails the test unless the focused element shows a focus ring
// of at least 3:1 against its surroundings, once its transition has run.
func a11yWantRing(t *testing.T, b *testenv.Browser) {
	t.Helper()
	// The ring fades in (a .15 s transition), later still on a loaded machine:
	// wait for it rather than guess, and judge it when it has settled.
	deadline := time.Now().Add(3 * time.Second)
	f := a11yFocused(b)
	for f.Ring < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		f = a11yFocused(b)
	}
	if f.Ring < 3 {
		t.Errorf("the focus ring of %s has a contrast of %.2f:1, want at least 3:1", f, f.Ring)
	}
}

// a11yType types text into the focused field, key by key.
func a11yType(b *testenv.Browser, text string) {
	b.Run(chromedp.KeyEvent(text))
}

// a11yToggleKeepsFocus presses Enter on the focused Turn on/off button of row
// and checks, every few milliseconds until the row has turned (and a while
// after), that the focus never leaves that button.
func a11yToggleKeepsFocus(t *testing.T, b *testenv.Browser, row, want string) {
	t.Helper()
	sel := "#" + row + " .switch-toggle button"
	// The page samples the focus itself, so that no moment between the key
	// press and the confirmation escapes.
	b.Run(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`window.__focusLost = [];
		window.__focusWatch = setInterval(() => { const a = document.activeElement;
			if (!a || !a.matches(%q)) window.__focusLost.push(a ? a.tagName + "#" + a.id + "." + a.className : "none"); }, 5);`, sel)))
	a11yKey(b, kb.Enter)
	waitJS(t, b, fmt.Sprintf(`document.querySelector(%q).textContent.trim() === %q && !document.querySelector("#%s").classList.contains("switch-pending")`, sel, want, row))
	time.Sleep(300 * time.Millisecond)
	lost := testenv.Result(b, chromedp.Evaluate[[]string](`clearInterval(window.__focusWatch), window.__focusLost`))
	if len(lost) > 0 {
		t.Errorf("after Enter on the switch of %s the focus left its button %d times, to %s", row, len(lost), strings.Join(lost[:min(len(lost), 5)], ", "))
	}
	if f := a11yFocused(b); f.Row != row || !strings.Contains(f.Class, "btn") || f.Text != want {
		t.Errorf("after the toggle of %s was confirmed the focus is on %s, want its %q button", row, f, want)
	}
}

// With the keyboard alone, a staff member and a portal user skip to the
// content, reach a switch and toggle it without losing their place, open and
// close the invite dialog, and land on the error after a refused form; every
// focus ring they see stands out at 3:1.
func TestBrowserKeyboardOnly(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newSwRig(t, db)
		tas := r.ss.Device(t, r.tas, r.passwords[0])
		r.ss.Device(t, r.sh, r.passwords[1])
		slug := r.tn.Company.Slug
		swPortalUser(t, db, r.tn, "Denisa", "denisa@dencorp.test", []int64{r.client.ID})
		tasRow := fmt.Sprintf("switch-%d", r.tas.ID)
		isSkip := func(f a11yFocus) bool { return strings.Contains(f.Class, "skip-link") }

		b := a11yKeyboard(t, false)
		// Sign in: type, Tab, type, Tab, type, Enter.
		b.Run(chromedp.Navigate(r.ss.URL+"/app/login"), chromedp.WaitVisible(chromedp.ID("f-company")))
		a11yTabTo(t, b, "the company field", 5, func(f a11yFocus) bool { return f.ID == "f-company" })
		a11yType(b, slug)
		a11yKey(b, kb.Tab)
		a11yType(b, r.tn.Admin.Email)
		a11yKey(b, kb.Tab)
		a11yType(b, testenv.Password)
		if st := b.Follow(a11yPress(kb.Enter)); st != http.StatusOK {
			t.Fatalf("signing in with the keyboard: status %d", st)
		}

		// The project page: the first Tab stop skips to the content, from where
		// the first switch is a few presses away.
		b.Run(chromedp.Navigate(fmt.Sprintf("%s/app/clients/%d/projects/%d", r.ss.URL, r.client.ID, r.project.ID)),
			chromedp.WaitVisible(chromedp.CSS("#"+tasRow+".switch-grey")))
		waitJS(t, b, `!!window.EventSource`)
		a11yKey(b, kb.Tab)
		f := a11yFocused(b)
		if !isSkip(f) || f.Text != "Skip to content" {
			t.Fatalf("the first Tab stop of the staff project page is %s, want the Skip to content link", f)
		}
		a11yWantRing(t, b)
		a11yKey(b, kb.Enter)
		if f := a11yFocused(b); f.ID != "main" {
			t.Errorf("Enter on Skip to content moved the focus to %s, want <main>", f)
		}
		n := a11yTabTo(t, b, "the Office light's Turn on button", 20, func(f a11yFocus) bool { return f.Row == tasRow && f.Text == "Turn on" })
		t.Logf("from the content, the first switch is %d Tab presses away", n)
		a11yWantRing(t, b)
		a11yToggleKeepsFocus(t, b, tasRow, "Turn off")
		if !tas.On() {
			t.Error("Enter on Turn on did not turn the device on")
		}
		b.Screenshot("staff-switch-toggled-by-keyboard")

		// The invite dialog: Enter opens it with the focus inside, Escape closes
		// it and gives the focus back to the button that opened it.
		b.Run(chromedp.Navigate(fmt.Sprintf("%s/app/clients/%d", r.ss.URL, r.client.ID)), chromedp.WaitReady(chromedp.ID("portal-access")))
		a11yKey(b, kb.Tab)
		a11yKey(b, kb.Enter)
		a11yTabTo(t, b, "the portal access Add button", 25, func(f a11yFocus) bool { return f.Opens == "invite-dialog" })
		a11yWantRing(t, b)
		a11yKey(b, kb.Enter)
		waitJS(t, b, `document.getElementById("invite-dialog").open`)
		if f := a11yFocused(b); f.Dialog != "invite-dialog" {
			t.Errorf("with the invite dialog open the focus is on %s, outside it", f)
		}
		a11yWantRing(t, b)
		a11yKey(b, kb.Tab)
		if f := a11yFocused(b); f.Dialog != "invite-dialog" {
			t.Errorf("Tab in the invite dialog moved the focus out of it, to %s", f)
		}
		b.Screenshot("invite-dialog-keyboard")
		a11yKey(b, kb.Escape)
		waitJS(t, b, `!document.getElementById("invite-dialog").open`)
		if f := a11yFocused(b); f.Opens != "invite-dialog" {
			t.Errorf("after Escape closed the invite dialog the focus is on %s, want the button that opened it", f)
		}

		// A refused form: Add portal user without a client. The focus lands on
		// the client picker, which is marked invalid and described by the error.
		b.Run(chromedp.Navigate(r.ss.URL+"/app/portal-users/new"), chromedp.WaitVisible(chromedp.ID("f-first_name")))
		a11yTabTo(t, b, "the first name field", 25, func(f a11yFocus) bool { return f.ID == "f-first_name" })
		a11yWantRing(t, b)
		a11yType(b, "Oskar")
		a11yKey(b, kb.Tab)
		a11yType(b, "Klient")
		a11yKey(b, kb.Tab)
		a11yType(b, "oskar@dencorp.test")
		if st := b.Follow(a11yPress(kb.Enter)); st != http.StatusUnprocessableEntity {
			t.Fatalf("adding a portal user without a client: status %d, want 422", st)
		}
		f = a11yFocused(b)
		if f.ID != "f-client_ids-add" || f.Invalid != "true" || !strings.Contains(f.Described, "e-client_ids") {
			t.Errorf("after the refused Add portal user the focus is on %s (aria-invalid %q, aria-describedby %q), want the client picker, invalid and described by its error",
				f, f.Invalid, f.Described)
		}
		a11yWantRing(t, b)
		if msg := testenv.Result(b, chromedp.Evaluate[string](`(document.getElementById("e-client_ids") || {}).textContent || ""`)); !strings.Contains(msg, "Assign at least one client.") {
			t.Errorf("#e-client_ids says %q", msg)
		}
		if got := testenv.Result(b, chromedp.Evaluate[string](`document.getElementById("f-client_ids").getAttribute("aria-describedby") || ""`)); got != "e-client_ids" {
			t.Errorf("the client select's aria-describedby = %q, want e-client_ids", got)
		}
		b.Screenshot("portal-user-refused-keyboard")

		// The portal on a phone: a refused sign-in focuses the error, then the
		// switch toggles from the keyboard without losing the focus.
		p := a11yKeyboard(t, true)
		p.Run(chromedp.Navigate(r.ss.URL+"/portal/"+slug+"/login"), chromedp.WaitVisible(chromedp.ID("f-email")))
		a11yTabTo(t, p, "the email field", 5, func(f a11yFocus) bool { return f.ID == "f-email" })
		a11yType(p, "denisa@dencorp.test")
		a11yKey(p, kb.Tab)
		a11yType(p, "not the password")
		p.Follow(a11yPress(kb.Enter))
		if f := a11yFocused(p); !strings.Contains(f.Class, "alert-error") {
			t.Errorf("after a refused portal sign-in the focus is on %s, want the error summary", f)
		}
		p.Run(chromedp.Evaluate[chromedp.Void](`document.getElementById("f-password").value = ""`))
		a11yTabTo(t, p, "the password field", 5, func(f a11yFocus) bool { return f.ID == "f-password" })
		a11yType(p, testenv.Password)
		if st := p.Follow(a11yPress(kb.Enter)); st != http.StatusOK {
			t.Fatalf("portal sign-in with the keyboard: status %d", st)
		}
		p.Run(chromedp.Navigate(fmt.Sprintf("%s/portal/%s/projects/%d", r.ss.URL, slug, r.project.ID)),
			chromedp.WaitVisible(chromedp.CSS("#"+tasRow+".switch-green")))
		waitJS(t, p, `!!window.EventSource`)
		a11yKey(p, kb.Tab)
		if f := a11yFocused(p); !isSkip(f) {
			t.Fatalf("the first Tab stop of the portal project page is %s, want the Skip to content link", f)
		}
		a11yKey(p, kb.Enter)
		a11yTabTo(t, p, "the Office light's Turn off button", 20, func(f a11yFocus) bool { return f.Row == tasRow && f.Text == "Turn off" })
		a11yWantRing(t, p)
		a11yToggleKeepsFocus(t, p, tasRow, "Turn on")
		if tas.On() {
			t.Error("Enter on Turn off did not turn the device off")
		}
		p.Screenshot("portal-switch-toggled-by-keyboard")
	})
}

// The pages with forms and dialogs pass axe in Slovak too, where labels and
// buttons are longer and the page must say lang="sk" (axe checks that the
// language is valid; this test that it is Slovak): the portal by the browser's
// Accept-Language, the staff app by the administrator's own choice. At desktop
// width on SQLite and at phone width on PostgreSQL.
func TestBrowserAxeSlovak(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newA11yRig(t, db)
		base := r.ss.URL
		if err := db.Store.Staff(r.tn.Staff).SetStaffLocale(t.Context(), "sk"); err != nil {
			t.Fatal(err)
		}
		var b *testenv.Browser
		label := "sk 1280px"
		if db.Engine == "postgres" {
			b, label = testenv.NewPhoneBrowser(t), "sk 390px"
		} else {
			b = testenv.NewBrowser(t)
		}
		browserLanguage(b, "sk-SK,sk;q=0.9")
		dialogs := map[string]bool{}
		check := func(what string) {
			t.Helper()
			if lang := browserLang(b); lang != "sk" {
				t.Errorf("%s: <html lang=%q>, want sk", what, lang)
			}
			axeCheck(t, b, what)
			a11yDialogs(t, b, what, dialogs)
		}

		portal := "/portal/" + demo.Slug
		for _, p := range []string{portal + "/login", portal + "/forgot"} {
			b.Run(chromedp.Navigate(base + p))
			check(label + " " + p)
		}
		b.Run(chromedp.Navigate(base+portal+"/login"), browserFill("email", r.adaEmail), browserFill("password", "wrong password"))
		b.Follow(chromedp.Click(browserSubmit))
		check(label + " portal sign-in refused")
		b.Run(chromedp.Navigate(base+portal+"/login"), browserFill("email", r.adaEmail), browserFill("password", testenv.Password))
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("portal sign-in: status %d", st)
		}
		for _, p := range []string{"/", fmt.Sprintf("/projects/%d", r.project.ID), "/protocols", "/documents", "/my-data", "/account", "/account/security", "/account/tokens"} {
			b.Run(chromedp.Navigate(base + portal + p))
			check(label + " portal " + p)
		}
		b.Run(chromedp.Navigate(base + portal + "/my-data"))
		b.Run(chromedp.Click(chromedp.CSS(`[data-open-dialog="edit-emails"]`)), chromedp.WaitVisible(chromedp.ID("edit-emails")))
		b.Run(chromedp.Evaluate[chromedp.Void](`document.querySelector("#edit-emails input[name=email]").value = "not an email"`))
		if st := b.Follow(chromedp.Click(chromedp.CSS(`#edit-emails button[type=submit]`))); st != http.StatusUnprocessableEntity {
			t.Errorf("a bad email on My data: status %d, want 422", st)
		}
		check(label + " portal my-data refused")
		b.Follow(chromedp.Click(chromedp.CSS(`.btn-signout`)))

		b.Run(chromedp.Navigate(base+"/app/login"), browserFill("company", demo.Slug), browserFill("email", demo.AdminEmail), browserFill("password", demo.AdminPassword))
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusOK {
			t.Fatalf("staff sign-in: status %d", st)
		}
		client := fmt.Sprintf("/app/clients/%d", r.client.ID)
		pages := []string{"/app/clients", "/app/clients/new", client, client + "/edit", client + "/contacts", client + "/contacts/new",
			client + "/sites/new", client + "/protocols/new", client + "/projects/new", fmt.Sprintf("%s/projects/%d", client, r.project.ID),
			fmt.Sprintf("%s/projects/%d/switches/new", client, r.project.ID), client + "/billing/invoices/new", client + "/billing/estimates/new",
			client + "/portal/invite", "/app/documents/new", "/app/materials/new", "/app/users", "/app/users/new", "/app/portal-users/new",
			"/app/settings", "/app/settings/billing", "/app/account/security", "/app/account/tokens", "/app/access"}
		for _, p := range pages {
			b.Run(chromedp.Navigate(base + p))
			check(label + " staff " + p)
		}
		a11yErrorStates(t, b, base, pages, label+" staff")
	})
}
