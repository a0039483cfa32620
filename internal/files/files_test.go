package files_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"portico/internal/files"
)

// eachStore runs fn on the local directory store and on the S3 store talking to
// an in-process S3 server over real HTTP.
func eachStore(t *testing.T, fn func(t *testing.T, st files.Store)) {
	t.Run("local", func(t *testing.T) {
		st, err := files.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		fn(t, st)
	})
	t.Run("s3", func(t *testing.T) {
		fn(t, newFakeS3(t, "portico/uploads"))
	})
}

// newFakeS3 starts an in-process S3 server with the bucket "portico" and returns
// a store on bucketPath ("bucket/prefix").
func newFakeS3(t *testing.T, bucketPath string) *files.S3 {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("portico"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(ts.Close)
	url := strings.Replace(ts.URL, "http://", "http://KEY:SECRET@", 1) + "/" + bucketPath + "?region=us-east-1&path-style=true"
	st, err := files.NewS3(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestPutOpenDelete(t *testing.T) {
	eachStore(t, func(t *testing.T, st files.Store) {
		ctx := context.Background()
		key := files.NewKey(7, "documents")
		body := bytes.Repeat([]byte("%PDF-1.4 Košice "), 5000)
		if err := st.Put(ctx, key, bytes.NewReader(body), int64(len(body)), "application/pdf"); err != nil {
			t.Fatalf("Put: %v", err)
		}
		rc, err := st.Open(ctx, key)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("read back %d bytes (err %v), want the %d put", len(got), err, len(body))
		}
		if err := st.Delete(ctx, key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := st.Open(ctx, key); !errors.Is(err, files.ErrNotFound) {
			t.Fatalf("Open after Delete: %v, want ErrNotFound", err)
		}
		if err := st.Delete(ctx, key); err != nil {
			t.Fatalf("deleting a missing blob: %v, want no error", err)
		}
		if _, err := st.Open(ctx, files.NewKey(7, "documents")); !errors.Is(err, files.ErrNotFound) {
			t.Fatalf("Open of a never-written key: %v, want ErrNotFound", err)
		}
	})
}

func TestKeysFromOutsideAreRefused(t *testing.T) {
	eachStore(t, func(t *testing.T, st files.Store) {
		ctx := context.Background()
		for _, key := range []string{"", "../etc/passwd", "/abs", "a/../../b", "a//b", "a b", "ä"} {
			if err := st.Put(ctx, key, strings.NewReader("x"), 1, "text/plain"); err == nil {
				t.Errorf("Put(%q) succeeded, want an error", key)
			}
			if _, err := st.Open(ctx, key); err == nil {
				t.Errorf("Open(%q) succeeded, want an error", key)
			}
		}
	})
}

func TestShortWriteIsAnError(t *testing.T) {
	st, err := files.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key := files.NewKey(1, "documents")
	if err := st.Put(context.Background(), key, strings.NewReader("abc"), 10, "text/plain"); err == nil {
		t.Fatal("Put of 3 bytes announced as 10 succeeded")
	}
	if _, err := st.Open(context.Background(), key); !errors.Is(err, files.ErrNotFound) {
		t.Fatalf("a failed Put left a blob behind: %v", err)
	}
}

func TestS3MissingBucket(t *testing.T) {
	backend := s3mem.New()
	ts := httptest.NewServer(gofakes3.New(backend).Server())
	defer ts.Close()
	url := strings.Replace(ts.URL, "http://", "http://KEY:SECRET@", 1) + "/nope?path-style=true"
	if _, err := files.NewS3(context.Background(), url); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("NewS3 on a missing bucket: %v, want “does not exist”", err)
	}
	if _, err := files.NewS3(context.Background(), "ftp://x/y"); err == nil {
		t.Fatal("NewS3 accepted an ftp:// URL")
	}
	if _, err := files.NewS3(context.Background(), "https://host/"); err == nil {
		t.Fatal("NewS3 accepted a URL without a bucket")
	}
}
