// Package files keeps uploaded files (blobs) outside the database: in a directory
// of the data directory by default, or in an S3-compatible object store when
// several servers share the work. Keys are made by Portico, never taken from
// user input.
package files

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrNotFound is returned by Open for a key that holds nothing.
var ErrNotFound = errors.New("files: not found")

// Store keeps blobs under keys. Implementations are safe for concurrent use.
type Store interface {
	// Put stores size bytes read from r under key, replacing what was there.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open returns the blob under key; ErrNotFound if there is none. The caller closes it.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the blob under key; a missing blob is not an error.
	Delete(ctx context.Context, key string) error
}

// NewKey returns a fresh key for a blob of the tenant: "<companyID>/<kind>/<random>".
// The random part carries 128 bits, so keys cannot be guessed or collide.
func NewKey(companyID int64, kind string) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("files: crypto/rand failed: " + err.Error())
	}
	return fmt.Sprintf("%d/%s/%s", companyID, kind, hex.EncodeToString(b))
}

// validKey reports whether key is safe as a relative path and an object name:
// segments of letters, digits, '-', '_' and '.', none of them "." or "..".
func validKey(key string) bool {
	if key == "" || len(key) > 512 || strings.HasPrefix(key, "/") {
		return false
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		for _, r := range seg {
			ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
			if !ok {
				return false
			}
		}
	}
	return true
}

func badKey(key string) error { return fmt.Errorf("files: invalid key %q", key) }
