package testenv

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A missing Chromium fails the test with a hint; browser tests never skip.
func TestChromiumMissingFails(t *testing.T) {
	t.Setenv("PORTICO_CHROMIUM", "/nonexistent/chromium")
	ft := &fatalTB{T: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		chromiumPath(ft)
	}()
	<-done
	if !strings.Contains(ft.msg, "/nonexistent/chromium") || !strings.Contains(ft.msg, "scripts/install-deps.sh") {
		t.Fatalf("message = %q, want it to name the path and scripts/install-deps.sh", ft.msg)
	}
}

// fatalTB records Fatalf instead of failing the real test.
type fatalTB struct {
	*testing.T
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// An uncaught JavaScript error is recorded, so that the test fails when it ends.
func TestBrowserRecordsJavaScriptErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>x</title><p>hi</p><script>null.boom()</script>`)
	}))
	t.Cleanup(srv.Close)
	b := NewBrowser(t)
	b.Run(chromedp.Navigate(srv.URL))
	b.mu.Lock()
	got := b.exceptions
	b.exceptions = nil // handled here; the cleanup would fail the test
	b.mu.Unlock()
	if len(got) != 1 || !strings.Contains(got[0], "TypeError") {
		t.Fatalf("recorded exceptions = %q, want one TypeError", got)
	}
	if w := Result(b, chromedp.Evaluate[int]("window.innerWidth")); w != 1280 {
		t.Errorf("viewport width = %d, want 1280", w)
	}
	if h := Result(b, chromedp.Evaluate[int]("window.innerHeight")); h != 900 {
		t.Errorf("viewport height = %d, want 900", h)
	}
}

func TestSanitizeTestName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"TestX", "TestX"},
		{"TestX/sqlite", "TestX/sqlite"},
		{"TestX/a_b#01", "TestX/a_b_01"},
		{"TestX/..", "TestX/__"},
		{"TestX/Košice", "TestX/Ko_ice"},
	} {
		if got := sanitizeTestName(tc.in); got != tc.want {
			t.Errorf("sanitizeTestName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
