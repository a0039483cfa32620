package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portico/internal/domain"
	"portico/internal/testenv"
	"portico/internal/web"
)

// The first minutes of someone trying Portico: staff create a new client with
// its contact person, a project and a Tasmota switch; `portico simulate` runs
// with the very command the connection page shows; staff invite the contact
// from their row, confirming what access it gives; the contact activates the
// account from the mail (delivered over real SMTP), signs in on a 390 px phone
// at the address the mail and the welcome page give, and turns the switch on
// from the overview — and the simulated device really turns on.
//
// The test walks the path as a person does, clicking the links and buttons the
// pages offer, and counts what that person does on the way — keys, clicks,
// decisions, words read (first_minutes_model_test.go). It logs the step-by-step
// table of the modelled person's time beside the product's measured time, and
// fails when the person would need more than three minutes.
func TestBrowserFirstMinutes(t *testing.T) {
	bin := buildPortico(t)
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ss := testenv.StartSwitchServer(t, db, testenv.BrokerEmbedded, testenv.SwitchOptions{})
		tn := db.Tenant(t, "")
		slug := tn.Company.Slug
		mail := ss.StartMail(t)
		k := &klmModel{t: t}
		// The browsers start, and staff sign in, before the clock runs.
		b := testenv.NewBrowser(t)
		browserSignInAs(t, b, ss.URL, slug, tn.Admin.Email)
		client := testenv.NewBrowser(t)
		p := testenv.NewPhoneBrowser(t)
		staffPhone := testenv.NewPhoneBrowser(t) // for the 390 px layout of the staff pages
		browserSignInAs(t, staffPhone, ss.URL, slug, tn.Admin.Email)

		// The README's section is what the person follows.
		k.step("README")
		if sec := k.readREADME("The first three minutes"); !strings.Contains(sec, "Add client") {
			t.Errorf("the README's first three minutes do not begin with Add client:\n%s", sec)
		}

		// Staff: a new client, with its contact person made the first contact.
		d := k.desktop(b)
		k.step("new client with its contact")
		b.Run(chromedp.Navigate(ss.URL+"/app/clients"), chromedp.WaitVisible(chromedp.CSS("main h1")))
		d.follow(browserLink("Add client"))
		b.Run(chromedp.WaitVisible(chromedp.ID("f-name")))
		d.arrive()
		if !testenv.Result(b, chromedp.Evaluate[bool](`document.getElementById("f-add_contact").checked`)) {
			t.Error("“Also add the contact person as a contact” is not ticked on a new client")
		}
		// A contact person without a last name is refused (not the person's path).
		b.Run(browserFill("name", "Zelená záhrada s.r.o."), browserFill("contact_person", "Jana"), browserFill("email", "jana@zahrada.test"))
		if st := b.Follow(chromedp.Click(browserSubmit)); st != http.StatusUnprocessableEntity {
			t.Fatalf("a contact person without a last name: status %d, want 422", st)
		}
		browserWantText(t, b, "Enter a first and a last name")
		b.Screenshot("new-client-one-name")
		b.Run(chromedp.Navigate(ss.URL+"/app/clients/new"), chromedp.WaitVisible(chromedp.ID("f-name")))
		d.fill("name", "Zelená záhrada s.r.o.")
		d.fill("contact_person", "Jana Nováková")
		d.fill("email", "jana@zahrada.test")
		d.read(`label[for="f-add_contact"]`)
		b.Screenshot("new-client")
		if st := d.follow(string(browserSubmit)); st != http.StatusOK {
			t.Fatalf("creating the client: status %d", st)
		}
		browserWantText(t, b, "Client Zelená záhrada s.r.o. created, with Jana Nováková as its first contact.")
		d.arrive()
		clientURL := browserLocation(t, b)

		// A project, then a switch whose topic the form suggests.
		k.step("project and switch")
		d.follow(browserLink("Add project")) // on the new client's page
		d.arrive()
		d.fill("name", "Garden")
		if st := d.follow(string(browserSubmit)); st != http.StatusOK {
			t.Fatalf("creating the project: status %d", st)
		}
		browserWantText(t, b, "Project Garden added.") // the new project opens on its own page
		d.arrive()
		d.follow(browserLink("Add switch"))
		d.arrive()
		d.fill("name", "Garden pump")
		waitJS(t, b, `document.getElementById("f-topic").value === "garden_pump"`)
		b.Screenshot("new-switch-suggested-topic")
		if st := d.follow(string(browserSubmit)); st != http.StatusOK {
			t.Fatalf("adding the switch: status %d", st)
		}
		d.arrive()

		// The connection page's command, run as shown.
		k.step("simulated device online")
		cmdline := strings.TrimSpace(testenv.Result(b, chromedp.Text(chromedp.ID("simulate-command"))))
		if !strings.HasPrefix(cmdline, "portico simulate --broker "+ss.BrokerURL+" --device tasmota:garden_pump:sw-") || strings.Contains(cmdline, "PASSWORD") {
			t.Fatalf("the connection page's command is %q", cmdline)
		}
		browserWantText(t, b, "is this computer itself", "Copy")
		d.read("#simulate-heading", "#simulate-howto")
		b.Screenshot("switch-connection")
		d.click(`button[data-copy="simulate-command"]`)
		d.elsewhere(true) // the terminal, to paste into
		d.keys(3+1, true) // paste (Ctrl, Shift, V) and Enter
		action := testenv.Result(b, chromedp.AttributeValue(chromedp.CSS(`form[action$="/credentials"]`), "action")).Value
		var id int64
		if _, err := fmt.Sscanf(action[strings.LastIndex(action, "/switches/"):], "/switches/%d/credentials", &id); err != nil {
			t.Fatalf("no switch id in %q: %v", action, err)
		}
		sim := startSimulate(t, bin, cmdline)
		sim.wait(t, "tasmota garden_pump is online at")
		k.readText("tasmota garden_pump is online at") // the line that says it works
		sw := ss.WaitSwitch(t, id, "online", func(sw *domain.Switch) bool { return sw.Online })
		d.elsewhere(false) // back to the browser

		// The invitation, offered by the connection page once the device is
		// online, with the confirmation of the contact's row.
		k.step("invitation")
		b.Run(chromedp.WaitVisible(chromedp.ID("next-step")))
		b.Screenshot("switch-connected-next-step")
		staffPhone.Run(chromedp.Navigate(fmt.Sprintf("%s/projects/%d/switches/%d/connect", clientURL, sw.ProjectID, sw.ID)), chromedp.WaitVisible(chromedp.ID("next-step")))
		browserNoSidewaysScroll(t, staffPhone, "connection page")
		staffPhone.Screenshot("phone-switch-connected-next-step")
		d.read("#next-step .next-step-text")
		d.click(`#next-step button`)
		b.Run(chromedp.WaitVisible(chromedp.CSS("dialog[open]")))
		dialog := testenv.Result(b, chromedp.Text(chromedp.CSS("dialog[open]")))
		for _, want := range []string{"Invite Jana Nováková to the portal?", "jana@zahrada.test", "Zelená záhrada s.r.o.", "all its sites", "0/5 used, 1/5 after this invitation"} {
			if !strings.Contains(dialog, want) {
				t.Errorf("the invitation's confirmation lacks %q:\n%s", want, dialog)
			}
		}
		d.read("dialog[open] h2", "dialog[open] .modal-body")
		b.Screenshot("invite-confirmation")
		if st := d.follow(`dialog[open] button[type="submit"]`); st != http.StatusOK {
			t.Fatalf("inviting: status %d", st)
		}
		browserWantText(t, b, "Invitation sent to jana@zahrada.test.")
		d.arrive()
		if got, want := browserLocation(t, b), fmt.Sprintf("%s/projects/%d/switches/%d/connect", clientURL, sw.ProjectID, sw.ID); got != want {
			t.Errorf("after inviting the browser is at %s, want back on the connection page %s", got, want)
		}
		if testenv.Result(b, chromedp.Evaluate[bool](`!!document.getElementById("next-step")`)) {
			t.Error("the connection page still offers to invite Jana, who is invited")
		}

		// The mail: the activation link and the address to bookmark.
		k.step("activation")
		if n := mail.Deliver(); n != 1 {
			t.Fatalf("%d mails delivered, want 1", n)
		}
		m := mail.Last("jana@zahrada.test")
		activate := regexp.MustCompile(`http://\S+/activate/\S+`).FindString(m.Text)
		signIn := ss.URL + "/portal/" + slug + "/login"
		if activate == "" || !strings.Contains(m.Text, signIn) || !strings.Contains(m.Text, "Bookmark it") {
			t.Fatalf("the invitation lacks the activation link or the sign-in address:\n%s", m.Text)
		}
		d.elsewhere(false) // the mailbox
		k.readText(klmProse(m.Text[:strings.Index(m.Text, activate)]))
		d.elsewhere(false)                                                                  // the link
		p.Run(chromedp.Navigate(activate), chromedp.WaitVisible(chromedp.ID("f-password"))) // looking does not use the link
		browserNoSidewaysScroll(t, p, "activation page")
		p.Screenshot("phone-activation")
		client.Run(chromedp.Navigate(activate), chromedp.WaitVisible(chromedp.ID("f-password")))
		c := k.desktop(client)
		c.arrive()
		c.read(".auth-card > p")
		const password = "garden hose twelve lilies"
		c.fill("password", password)
		if st := c.follow(string(browserSubmit)); st != http.StatusOK {
			t.Fatalf("activating: status %d", st)
		}
		address := strings.TrimSpace(testenv.Result(client, chromedp.Text(chromedp.ID("signin-address"))))
		if address != signIn {
			t.Errorf("the welcome page gives %q to bookmark, want %q", address, signIn)
		}
		browserWantText(t, client, "Your account is ready", "Bookmark it")
		c.arrive()
		c.read(".welcome-body .stack > p:not(.welcome-address):not(.row)")
		client.Screenshot("welcome")
		// The QR code opens the sign-in with her email filled in (in the
		// fragment, which no server sees).
		scan := signIn + "#email=" + url.QueryEscape("jana@zahrada.test")
		want, err := web.QRDataURI(scan)
		if err != nil {
			t.Fatal(err)
		}
		if src := testenv.Result(client, chromedp.AttributeValue(chromedp.CSS("img.welcome-qr"), "src")).Value; src != want {
			t.Errorf("the welcome page's QR code does not say %s", scan)
		}

		// On the phone: sign in at that address, turn the pump on from the overview.
		k.step("phone sign-in and toggle")
		k.device()
		ph := k.phone(p)
		p.Run(chromedp.Navigate(scan), chromedp.WaitVisible(chromedp.ID("f-email")))
		waitJS(t, p, `document.activeElement && document.activeElement.id === "f-password"`)
		if got := testenv.Result(p, chromedp.Value(chromedp.ID("f-email"))); got != "jana@zahrada.test" {
			t.Errorf("the sign-in opened from the QR code has %q in Email", got)
		}
		ph.arrive()
		ph.fill("password", password)
		if st := ph.follow(string(browserSubmit)); st != http.StatusOK {
			t.Fatalf("signing in on the phone: status %d", st)
		}
		ph.arrive()
		row := fmt.Sprintf("#switch-%d", sw.ID)
		p.Run(chromedp.WaitVisible(chromedp.CSS(row + ".switch-grey")))
		waitJS(t, p, `!!window.EventSource`)
		button := row + " form.switch-toggle button"
		if bottom := testenv.Result(p, chromedp.Evaluate[float64](fmt.Sprintf(`document.querySelector(%q).getBoundingClientRect().bottom`, button))); bottom > 844 {
			t.Errorf("the pump's Turn on button ends at %.0f px, below the fold of a 390×844 phone", bottom)
		}
		browserNoSidewaysScroll(t, p, "portal overview")
		p.Screenshot("phone-overview")
		ph.read(row + " .switch-name")
		ph.press(button)
		clickToggle(t, p, row)
		p.Run(chromedp.WaitVisible(chromedp.CSS(row + ".switch-green")))
		sim.wait(t, "garden_pump ← cmnd/garden_pump/POWER ON")
		sim.wait(t, `garden_pump → stat/garden_pump/RESULT {"POWER":"ON"}`)
		ss.WaitSwitch(t, sw.ID, "on", func(sw *domain.Switch) bool { return sw.On })
		p.Screenshot("phone-overview-on")
		k.finish(db.Engine)
	})
}

// buildPortico builds the portico command for the test.
func buildPortico(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "portico")
	out, err := exec.Command("go", "build", "-o", bin, "portico/cmd/portico").CombinedOutput()
	if err != nil {
		t.Fatalf("building portico: %v\n%s", err, out)
	}
	return bin
}

// simulated is a running `portico simulate`.
type simulated struct {
	mu  sync.Mutex
	out bytes.Buffer
}

func (s *simulated) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

func (s *simulated) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// wait waits (up to 20 s) until the command has printed what.
func (s *simulated) wait(t *testing.T, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.String(), what) {
		if time.Now().After(deadline) {
			t.Fatalf("portico simulate did not print %q:\n%s", what, s.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startSimulate runs the command line as shown — "portico simulate …" — with
// the built binary as portico, until the test ends.
func startSimulate(t *testing.T, bin, cmdline string) *simulated {
	t.Helper()
	args := strings.Fields(cmdline)
	if len(args) < 2 || args[0] != "portico" || args[1] != "simulate" {
		t.Fatalf("not a portico simulate command: %q", cmdline)
	}
	sim := &simulated{}
	cmd := exec.Command(bin, args[1:]...)
	cmd.Stdout, cmd.Stderr = sim, sim
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		stdin.Close()
		t.Logf("portico simulate printed:\n%s", sim.String())
	})
	return sim
}
