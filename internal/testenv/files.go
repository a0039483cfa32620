package testenv

import (
	"testing"

	"portico/internal/files"
)

// testFiles is the blob store of a test server: a directory that lives as long
// as the test.
func testFiles(t testing.TB) files.Store {
	t.Helper()
	st, err := files.NewLocal(t.TempDir())
	if err != nil {
		t.Fatalf("testenv: file store: %v", err)
	}
	return st
}
