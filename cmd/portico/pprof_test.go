package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"portico/internal/testenv"
)

// Serve with --pprof-addr serves Go's profiles on a listener of its own and
// nowhere else; without it nothing serves them.
func TestServePprof(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		pprofAddr := freeAddr(t)
		s := startServe(t, db.Store, config{Addr: "127.0.0.1:0", PprofAddr: pprofAddr})
		for path, want := range map[string]string{
			"/debug/pprof/":               "heap",
			"/debug/pprof/heap?debug=1":   "HeapInuse",
			"/debug/pprof/allocs?debug=1": "heap profile",
		} {
			resp, err := http.Get("http://" + pprofAddr + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
				t.Errorf("GET %s on the pprof listener: %d, want 200 with %q", path, resp.StatusCode, want)
			}
		}
		if r := browser(t, "http://"+s.addr).Get("/debug/pprof/"); r.Status != http.StatusNotFound {
			t.Errorf("GET /debug/pprof/ on the web listener: %d, want 404", r.Status)
		}
	})
	t.Run("off by default", func(t *testing.T) {
		testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
			s := startServe(t, db.Store, config{Addr: "127.0.0.1:0"})
			if r := browser(t, "http://"+s.addr).Get("/debug/pprof/"); r.Status != http.StatusNotFound {
				t.Errorf("GET /debug/pprof/ on the web listener: %d, want 404", r.Status)
			}
			if strings.Contains(s.log.String(), "pprof listening") {
				t.Errorf("a pprof listener started:\n%s", s.log.String())
			}
		})
	})
}
