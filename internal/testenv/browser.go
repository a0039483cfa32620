package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const (
	// defaultChromium is where Debian's chromium package puts the browser;
	// $PORTICO_CHROMIUM overrides it.
	defaultChromium = "/usr/bin/chromium"

	// browserStartTimeout bounds the start of Chromium: a browser that hangs at
	// start must fail the test, not stall it until go test's own timeout.
	browserStartTimeout = 60 * time.Second

	// actionTimeout bounds one Run, Follow or Result call. Queries wait for their
	// element to appear, so a selector that never matches fails after this long.
	actionTimeout = 30 * time.Second
)

// Browser is headless Chromium driven over the DevTools protocol: one browser
// process with one tab, closed when the test ends.
type Browser struct {
	t   testing.TB
	ctx context.Context // the tab; the browser lives as long as it does
	art *artifacts

	mu         sync.Mutex
	exceptions []string // uncaught JavaScript errors, reported when the test ends
}

// NewBrowser starts Chromium with a 1280×900 viewport. It fails the test when
// Chromium is missing or does not start; a browser test never skips.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	return newBrowser(t, 1280, 900, false)
}

// NewPhoneBrowser starts Chromium with a 390×844 viewport emulating a phone
// (device pixel ratio 1, so screenshots stay small and pixels map to CSS pixels).
func NewPhoneBrowser(t testing.TB) *Browser {
	t.Helper()
	return newBrowser(t, 390, 844, true)
}

func newBrowser(t testing.TB, width, height int, phone bool) *Browser {
	t.Helper()
	path := chromiumPath(t)

	var output syncBuffer // Chromium's stdout and stderr, quoted when it fails to start
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // Chromium refuses to start as root with the sandbox
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
		chromedp.CombinedOutput(&output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b := &Browser{t: t, ctx: ctx, art: artifactsOf(t)}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser process to exit
		b.reportExceptions()
	})

	// The first action starts the browser and binds it to ctx, so it must not
	// run under a timeout of its own; a timer cancels the start instead.
	watchdog := time.AfterFunc(browserStartTimeout, cancelAlloc)
	err := chromedp.Do(ctx)
	if !watchdog.Stop() {
		t.Fatalf("testenv: Chromium (%s) did not start within %v\n%s", path, browserStartTimeout, output.String())
	}
	if err != nil {
		t.Fatalf("testenv: starting Chromium (%s): %v\n%s", path, err, output.String())
	}

	// Listen sees each event before the reply to any later command, so an
	// exception thrown while a step ran is recorded when that step returns.
	if err := chromedp.Listen(ctx, b.onEvent); err != nil {
		t.Fatalf("testenv: listening to Chromium: %v", err)
	}
	// Headless Chromium subtracts room for browser UI it does not draw from the
	// window size; fixing the viewport makes pages lay out at exactly width×height.
	var emulate []chromedp.EmulateViewportOption
	if phone {
		emulate = append(emulate, chromedp.EmulateMobile)
	}
	b.Run(chromedp.EmulateViewport(int64(width), int64(height), emulate...))
	return b
}

// chromiumPath returns the browser binary, failing the test with a hint when it
// is not installed.
func chromiumPath(t testing.TB) string {
	t.Helper()
	path := os.Getenv("PORTICO_CHROMIUM")
	if path == "" {
		path = defaultChromium
	}
	if !strings.ContainsRune(path, filepath.Separator) {
		if p, err := exec.LookPath(path); err == nil {
			path = p
		}
	}
	if !isExecutable(path) {
		t.Fatalf("testenv: browser tests need Chromium, and %s is not an executable file "+
			"(set $PORTICO_CHROMIUM to use another binary); %s", path, installHint)
	}
	return path
}

// onEvent records uncaught JavaScript errors. It runs in the loop that reads the
// browser's messages, so it only appends.
func (b *Browser) onEvent(ev any) {
	e, ok := ev.(*runtime.EventExceptionThrown)
	if !ok || e.ExceptionDetails == nil {
		return
	}
	d := e.ExceptionDetails
	msg := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		msg += " " + d.Exception.Description
	}
	msg = fmt.Sprintf("%s:%d:%d: %s", d.URL, d.LineNumber+1, d.ColumnNumber+1, msg)
	b.mu.Lock()
	b.exceptions = append(b.exceptions, msg)
	b.mu.Unlock()
}

// reportExceptions fails the test for each uncaught JavaScript error: a page
// whose script throws can look right in a screenshot and still be broken.
func (b *Browser) reportExceptions() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.exceptions {
		b.t.Errorf("testenv: uncaught JavaScript error in the browser: %s", e)
	}
}

// Run runs the actions in order in the browser's tab, failing the test at the
// first error. Each call has its own timeout of 30 seconds. On failure it saves
// a screenshot of the page as it was, and names it in the message.
func (b *Browser) Run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := b.run(chromedp.Steps(actions...)); err != nil {
		b.fail(err)
	}
}

// Follow runs actions that start a navigation, such as clicking a link or a
// submit button, and waits until the new page has loaded. It returns the HTTP
// status of the new document (after redirects) and fails the test on errors.
func (b *Browser) Follow(actions ...chromedp.Action[chromedp.Void]) int {
	b.t.Helper()
	var status int64
	err := b.run(func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		resp, err := chromedp.RunResponse(ctx, actions...)
		if err == nil && resp != nil {
			status = resp.Status
		}
		return chromedp.Void{}, err
	})
	if err != nil {
		b.fail(err)
	}
	return int(status)
}

// Result runs an action that returns a value, such as chromedp.Text or
// chromedp.Evaluate, and returns the value; it fails the test on error.
// (A method cannot have type parameters, hence a function.)
func Result[T any](b *Browser, a chromedp.Action[T]) T {
	b.t.Helper()
	var v T
	err := b.run(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		var err error
		v, err = a(ctx, t)
		return chromedp.Void{}, err
	})
	if err != nil {
		b.fail(err)
	}
	return v
}

// run runs a under the per-call timeout.
func (b *Browser) run(a chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	_, err := chromedp.Run(ctx, a)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no result within %v (does the selector match?): %w", actionTimeout, err)
	}
	return err
}

// fail ends the test with err, the page's address and a screenshot of it.
func (b *Browser) fail(err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	where := "unknown page"
	if loc, lerr := chromedp.Run(ctx, chromedp.Location()); lerr == nil {
		where = loc
	}
	if png, serr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); serr == nil {
		if file, werr := b.art.write("failure", png); werr == nil {
			where += "; screenshot " + file
		}
	}
	b.t.Fatalf("browser (at %s): %v", where, err)
}

// Screenshot saves a full-page PNG as ArtifactDir(t)/NN-name.png, where NN counts
// the screenshots of the test, across all its browsers.
func (b *Browser) Screenshot(name string) {
	b.t.Helper()
	png := Result(b, chromedp.FullScreenshot(100))
	file, err := b.art.write(name, png)
	if err != nil {
		b.t.Fatalf("testenv: saving screenshot: %v", err)
	}
	b.t.Logf("screenshot %s", file)
}

// ArtifactDir returns the directory for files a test leaves for people to look
// at, such as screenshots: $PORTICO_ARTIFACTS, or test-artifacts at the module
// root, joined with the test's name. It creates the directory and never deletes
// it; screenshots left there by an earlier run of the same test are removed on
// first use, so that everything in it comes from one run.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	return artifactsOf(t).dir
}

// artifacts is the artifact directory of one test and its screenshot counter.
type artifacts struct {
	dir string
	mu  sync.Mutex
	n   int
}

var artifactDirs sync.Map // testing.TB → *artifacts

// artifactsOf returns the test's artifact directory, preparing it on first use.
func artifactsOf(t testing.TB) *artifacts {
	t.Helper()
	if a, ok := artifactDirs.Load(t); ok {
		return a.(*artifacts)
	}
	root := os.Getenv("PORTICO_ARTIFACTS")
	if root == "" {
		mod, err := moduleRoot()
		if err != nil {
			t.Fatalf("testenv: %v", err)
		}
		root = filepath.Join(mod, "test-artifacts")
	}
	dir := filepath.Join(root, sanitizeTestName(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("testenv: artifact directory: %v", err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			t.Fatalf("testenv: removing an old screenshot: %v", err)
		}
	}
	a, _ := artifactDirs.LoadOrStore(t, &artifacts{dir: dir})
	t.Cleanup(func() { artifactDirs.Delete(t) })
	return a.(*artifacts)
}

// write saves png as the next numbered file and returns its path.
func (a *artifacts) write(name string, png []byte) (string, error) {
	a.mu.Lock()
	a.n++
	file := filepath.Join(a.dir, fmt.Sprintf("%02d-%s.png", a.n, sanitizeName(name)))
	a.mu.Unlock()
	return file, os.WriteFile(file, png, 0o644)
}

// moduleRoot returns the nearest directory at or above the working directory
// (a test runs in its package's directory) that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; set $PORTICO_ARTIFACTS")
		}
		dir = parent
	}
}

// sanitizeTestName turns "TestX/sub case" into the relative path
// "TestX/sub_case": one directory per level of subtest.
func sanitizeTestName(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = sanitizeName(p)
	}
	return filepath.Join(parts...)
}

// sanitizeName keeps letters, digits, '.', '_' and '-' and replaces anything
// else with '_', so that a name is one safe path element.
func sanitizeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, s)
	if strings.Trim(s, ".") == "" {
		s = strings.Repeat("_", max(len(s), 1))
	}
	return s
}

// syncBuffer is a strings.Builder safe for the writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
