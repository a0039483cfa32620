package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The switch connection page shows a `portico simulate …` line to paste into a
// terminal; it must start portico the way this machine can: go run's binary
// is not on the PATH, and an installed one may be.
func TestCommandFor(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "portico")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "portico")
	if err := os.Symlink(exe, link); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "portico")
	if err := os.WriteFile(other, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ exe, onPath, want string }{
		{"/tmp/go-build1234567/b001/exe/portico", "", "go run ./cmd/portico"},
		{"/root/.cache/go-build/ab/cd/portico", other, "go run ./cmd/portico"},
		{exe, exe, "portico"},
		{exe, link, "portico"},
		{exe, other, exe},
		{exe, "", exe},
	} {
		if got := commandFor(tc.exe, tc.onPath); got != tc.want {
			t.Errorf("commandFor(%q, %q) = %q, want %q", tc.exe, tc.onPath, got, tc.want)
		}
	}
}
