package web_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"

	"portico/internal/testenv"
)

// The person's time on the first minutes is modelled, not timed: a browser
// test runs far faster than anyone reads or types, and a stopwatch would only
// measure the machine. The model is the keystroke-level model of Card, Moran
// and Newell ("The Keystroke-Level Model for User Performance Time with
// Interactive Systems", Communications of the ACM 23(7), 1980; and The
// Psychology of Human-Computer Interaction, 1983): a task's time is the sum of
// the operators a person performs, each with a measured mean duration. The
// test counts the operators while it walks the path, so the figure follows
// the pages as they are: a longer hint, another click or a second password
// field shows in it at once. The counts are deterministic; so is the figure.
const (
	// klmKeyDesktop is K for an average non-secretarial typist, 40 words a
	// minute (CMN: 0.28 s per keystroke, a shifted key counting as two).
	klmKeyDesktop = 0.28
	// klmKeyPhone is K on a phone's on-screen keyboard, taken as CMN's figure
	// for typing random letters and complex codes (0.5 s): a thumb on glass is
	// no faster than that for a name or a password.
	klmKeyPhone = 0.5
	// klmPoint is P, pointing at a target with a mouse (CMN: 1.1 s); a tap on
	// a phone is counted the same.
	klmPoint = 1.1
	// klmButton is B, pressing or releasing a mouse button (CMN: 0.1 s); a
	// click is a press and a release, BB.
	klmButton = 0.1
	// klmHome is H, moving the hand between keyboard and mouse (CMN: 0.4 s).
	klmHome = 0.4
	// klmMental is M, the mental preparation before each decision (CMN: 1.35 s).
	klmMental = 1.35
	// klmWordsPerMinute is the reading speed of ordinary text on a screen, 250
	// words a minute (0.24 s a word); KLM has no reading operator, so reading is
	// added as its own operator, as KLM studies commonly do.
	klmWordsPerMinute = 250
	// klmSwitchDevice is picking up the phone, scanning the QR code with its
	// camera and opening the link (8 s, an estimate of our own: CMN give none).
	klmSwitchDevice = 8.0
	// klmBudget is what the whole path may take a person: three minutes.
	klmBudget = 180.0
)

// The operators are placed by these rules, applied by the recorder's methods
// and so the same on every run:
//
//   - read: the words a person must read to go on. On arriving at a page, its
//     h1 and the flash message, if any; for each field filled, its label and
//     hint; for each control used, its text; and the passages named in the
//     test (the README's "The first three minutes" section, the connection
//     page's instructions, the invitation's confirmation, the mail up to its
//     link, the welcome page). Words are runs of letters or digits; a URL or
//     a command line the person copies is not read word by word, but the
//     sentence around it is. A word is a run between spaces with a letter or
//     a digit in it.
//   - fill: M (what to type), then to reach the field a click (P and BB), or
//     Tab (one K) when the hand is on the keyboard from the field before in
//     the same form, or nothing when the page put the cursor there (autofocus;
//     on a phone a tap all the same, as a phone may not raise its keyboard for
//     a field it did not see tapped); H when the hand was on the mouse; one K
//     per character typed.
//   - click: M (deciding), H when the hand was on the keyboard, P and BB.
//   - key: H when the hand was on the mouse, one K per key (a paste is Ctrl,
//     Shift, V; Enter is one); and M unless it continues the unit begun by the
//     click before it (KLM's rule 3: copying a command, bringing the terminal
//     forward and pasting it is one cognitive unit, with one M).
//   - device: klmSwitchDevice, once, when the person picks up the phone.
//
// On the phone there is no H: the thumb types and taps.

// klmStep is one step of the path: what the person did in it, and how long the
// product took.
type klmStep struct {
	name                         string
	deskKeys, phoneKeys          int
	clicks, homes, mental, words int
	devices                      int
	product                      time.Duration
}

func (s *klmStep) person() float64 {
	return float64(s.deskKeys)*klmKeyDesktop + float64(s.phoneKeys)*klmKeyPhone +
		float64(s.clicks)*(klmPoint+2*klmButton) + float64(s.homes)*klmHome + float64(s.mental)*klmMental +
		float64(s.words)*60/klmWordsPerMinute + float64(s.devices)*klmSwitchDevice
}

// klmModel records the path's operators step by step.
type klmModel struct {
	t     *testing.T
	steps []*klmStep
	last  time.Time
}

// step begins a step; the product time of the one before ends here.
func (k *klmModel) step(name string) {
	now := time.Now()
	if n := len(k.steps); n > 0 {
		k.steps[n-1].product = now.Sub(k.last)
	}
	k.last = now
	k.steps = append(k.steps, &klmStep{name: name})
}

func (k *klmModel) cur() *klmStep {
	if len(k.steps) == 0 {
		k.t.Fatal("klm: no step begun")
	}
	return k.steps[len(k.steps)-1]
}

// readText counts the words of text as read.
func (k *klmModel) readText(text string) {
	k.cur().words += klmWords(text)
	if os.Getenv("KLM_DEBUG") != "" {
		k.t.Logf("klm read %d: %q", klmWords(text), text)
	}
}

// device counts picking up the phone.
func (k *klmModel) device() { k.cur().devices++ }

// readREADME counts the words of the README's section headed heading: from
// that heading to the next heading of any level.
func (k *klmModel) readREADME(heading string) string {
	k.t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		k.t.Fatal(err)
	}
	var section []string
	in, fence := false, false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if !fence && strings.HasPrefix(line, "#") {
			if in {
				break
			}
			in = strings.TrimSpace(strings.TrimLeft(line, "#")) == heading
		}
		if in {
			section = append(section, line)
		}
	}
	if len(section) == 0 {
		k.t.Fatalf("README.md has no section %q", heading)
	}
	text := strings.Join(section, "\n")
	k.readText(klmProse(text))
	return text
}

// klmProse drops what a person copies rather than reads: URLs and code spans.
func klmProse(s string) string {
	var out []string
	for _, f := range strings.Fields(s) {
		if strings.Contains(f, "://") || strings.HasPrefix(f, "`") || strings.HasSuffix(f, "`") {
			continue
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

// klmWords counts the words of s: runs between spaces with a letter or a digit
// in them, so that "s.r.o." and an email address are one word each, and a
// bullet or an arrow none.
func klmWords(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

// klmActor is a person at one browser: the desktop's, or the phone's.
type klmActor struct {
	k        *klmModel
	b        *testenv.Browser
	phone    bool
	keyboard bool   // the hand is on the keyboard (desktop)
	form     string // the form the last field typed into belongs to, for Tab
}

func (k *klmModel) desktop(b *testenv.Browser) *klmActor { return &klmActor{k: k, b: b} }
func (k *klmModel) phone(b *testenv.Browser) *klmActor   { return &klmActor{k: k, b: b, phone: true} }

func (a *klmActor) toMouse() {
	if !a.phone && a.keyboard {
		a.k.cur().homes++
		a.keyboard = false
	}
}

func (a *klmActor) toKeyboard() {
	if !a.phone && !a.keyboard {
		a.k.cur().homes++
		a.keyboard = true
	}
}

// klmTextJS returns the visible text of the elements a selector matches: XPath
// when it begins with "/" or "(", CSS otherwise.
func klmTextJS(sel string) string {
	return fmt.Sprintf(`(function(s){
		var els = [];
		if (s[0] === "/" || s[0] === "(") {
			var r = document.evaluate(s, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
			for (var i = 0; i < r.snapshotLength; i++) els.push(r.snapshotItem(i));
		} else { els = Array.from(document.querySelectorAll(s)); }
		return els.filter(function(e){ return e.getClientRects().length > 0; })
			.map(function(e){ return e.innerText || e.value || e.getAttribute("aria-label") || ""; }).join("\n");
	})(%q)`, sel)
}

// text is what the selector's visible elements say.
func (a *klmActor) text(sel string) string {
	a.k.t.Helper()
	return testenv.Result(a.b, chromedp.Evaluate[string](klmTextJS(sel)))
}

// read counts the words of the visible elements the selectors match; each
// must match something, or the page has changed under the model.
func (a *klmActor) read(sels ...string) {
	a.k.t.Helper()
	for _, sel := range sels {
		s := a.text(sel)
		if strings.TrimSpace(s) == "" {
			a.k.t.Fatalf("klm: nothing to read at %s on %s", sel, browserLocation(a.k.t, a.b))
		}
		a.k.readText(klmProse(s))
	}
}

// arrive reads a page the person has just reached: its heading and its flash.
func (a *klmActor) arrive() {
	a.k.t.Helper()
	a.read("main h1, h1")
	if strings.TrimSpace(a.text(".flash")) != "" {
		a.read(".flash")
	}
	a.form = ""
}

// fill types value into the form field named name, reading its label and hint.
func (a *klmActor) fill(name, value string) {
	a.k.t.Helper()
	id := "f-" + name
	a.read(fmt.Sprintf(`label[for=%q]`, id))
	if hint := fmt.Sprintf(`#%s ~ .hint, .field:has(> #%s) .hint`, id, id); strings.TrimSpace(a.text(hint)) != "" {
		a.read(hint)
	}
	st := a.k.cur()
	st.mental++
	form := testenv.Result(a.b, chromedp.Evaluate[string](fmt.Sprintf(`(function(){var f=document.getElementById(%q).form;return f?(f.action||"form"):""})()`, id)))
	// The page puts the cursor in an autofocus field when it loads; read from
	// the markup, not from where the focus is at this instant, for a
	// deterministic count.
	focused := a.form == "" && testenv.Result(a.b, chromedp.Evaluate[bool](fmt.Sprintf(`document.getElementById(%q).hasAttribute("autofocus")`, id)))
	switch {
	case focused && !a.phone:
	case !a.phone && a.keyboard && a.form != "" && a.form == form:
		st.deskKeys++ // Tab
	default:
		a.toMouse()
		st.clicks++
	}
	a.toKeyboard()
	n := len([]rune(value))
	if a.phone {
		st.phoneKeys += n
	} else {
		st.deskKeys += n
	}
	a.form = form
	a.b.Run(browserFill(name, value))
}

// press counts a click on the control sel (reading its text) without doing it.
func (a *klmActor) press(sel string) {
	a.k.t.Helper()
	a.read(sel)
	a.k.cur().mental++
	a.toMouse()
	a.k.cur().clicks++
	a.form = ""
}

// click clicks the control sel, as press counts it.
func (a *klmActor) click(sel string) {
	a.k.t.Helper()
	a.press(sel)
	a.b.Run(klmClick(sel))
}

// follow clicks the control sel, as press counts it, and returns the status of
// the page it leads to.
func (a *klmActor) follow(sel string) int {
	a.k.t.Helper()
	a.press(sel)
	return a.b.Follow(klmClick(sel))
}

// keys counts n keys pressed outside the browser (a paste, Enter); unit says
// they continue the click before them, without a decision of their own.
func (a *klmActor) keys(n int, unit bool) {
	st := a.k.cur()
	if !unit {
		st.mental++
	}
	a.toKeyboard()
	if a.phone {
		st.phoneKeys += n
	} else {
		st.deskKeys += n
	}
}

// elsewhere counts a click outside the page under test: bringing the
// terminal's window to the front, opening the mailbox, following a mail's
// link; unit says it continues the click before it, as keys.
func (a *klmActor) elsewhere(unit bool) {
	if !unit {
		a.k.cur().mental++
	}
	a.toMouse()
	a.k.cur().clicks++
}

// klmClick clicks sel: XPath when it begins with "/" or "(", CSS otherwise.
func klmClick(sel string) chromedp.Action[chromedp.Void] {
	click := chromedp.Click(chromedp.CSS(sel))
	if sel[0] == '/' || sel[0] == '(' {
		click = chromedp.Click(sel)
	}
	// The project page's live stream may replace the element between finding
	// and clicking it (nothing is clicked then): find it again.
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		for try := 1; ; try++ {
			v, err := click(ctx, tg)
			if err == nil || try == 5 || !strings.Contains(err.Error(), "Could not find node") {
				return v, err
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// finish ends the last step, logs the table and fails when the modelled
// person's time is over the budget.
func (k *klmModel) finish(engine string) {
	k.t.Helper()
	k.step("")
	k.steps = k.steps[:len(k.steps)-1]
	var b strings.Builder
	var tot klmStep
	fmt.Fprintf(&b, "| step | desktop keys | phone keys | clicks | H | M | words read | devices | person s | product s |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var person float64
	for _, s := range k.steps {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %d | %.1f | %.1f |\n", s.name, s.deskKeys, s.phoneKeys, s.clicks, s.homes, s.mental, s.words, s.devices, s.person(), s.product.Seconds())
		tot.deskKeys += s.deskKeys
		tot.phoneKeys += s.phoneKeys
		tot.clicks += s.clicks
		tot.homes += s.homes
		tot.mental += s.mental
		tot.words += s.words
		tot.devices += s.devices
		tot.product += s.product
		person += s.person()
	}
	fmt.Fprintf(&b, "| total | %d | %d | %d | %d | %d | %d | %d | %.1f | %.1f |\n", tot.deskKeys, tot.phoneKeys, tot.clicks, tot.homes, tot.mental, tot.words, tot.devices, person, tot.product.Seconds())
	k.t.Logf("first minutes on %s, modelled person %.1f s + measured product %.1f s = %.1f s:\n%s", engine, person, tot.product.Seconds(), person+tot.product.Seconds(), b.String())
	if person > klmBudget {
		k.t.Errorf("a person needs %.1f s (modelled) for the first minutes, over the %.0f s budget", person, klmBudget)
	}
}
