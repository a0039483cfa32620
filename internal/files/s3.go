package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 keeps blobs as objects of a bucket in any S3-compatible object store (AWS S3,
// MinIO, Ceph, Cloudflare R2, Backblaze B2, …).
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // prepended to every key, "" or ending in "/"
}

// NewS3 connects to the bucket named by rawURL:
//
//	https://ACCESS_KEY:SECRET_KEY@s3.eu-central-1.amazonaws.com/BUCKET/optional/prefix?region=eu-central-1
//
// http:// talks without TLS (a local MinIO). Without a user in the URL the
// credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
// variables. It checks that the bucket exists.
func NewS3(ctx context.Context, rawURL string) (*S3, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("files: S3 URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("files: S3 URL must start with https:// or http://")
	}
	path := strings.Trim(u.Path, "/")
	bucket, prefix, _ := strings.Cut(path, "/")
	if bucket == "" {
		return nil, fmt.Errorf("files: S3 URL names no bucket (https://host/BUCKET)")
	}
	if prefix != "" {
		prefix += "/"
	}
	creds := credentials.NewEnvAWS()
	if u.User != nil {
		secret, _ := u.User.Password()
		creds = credentials.NewStaticV4(u.User.Username(), secret, "")
	}
	opts := &minio.Options{Creds: creds, Secure: u.Scheme == "https", Region: u.Query().Get("region")}
	if u.Query().Get("path-style") == "true" {
		opts.BucketLookup = minio.BucketLookupPath
	}
	client, err := minio.New(u.Host, opts)
	if err != nil {
		return nil, fmt.Errorf("files: S3: %w", err)
	}
	ok, err := client.BucketExists(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("files: S3 bucket %s: %w", bucket, err)
	}
	if !ok {
		return nil, fmt.Errorf("files: S3 bucket %s does not exist", bucket)
	}
	return &S3{client: client, bucket: bucket, prefix: prefix}, nil
}

// Put implements Store.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if !validKey(key) {
		return badKey(key)
	}
	_, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, r, size, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return fmt.Errorf("files: S3 put: %w", err)
	}
	return nil
}

// Open implements Store. The object's existence is checked at once, so a missing
// one is ErrNotFound here rather than at the first read.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if !validKey(key) {
		return nil, badKey(key)
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("files: S3 get: %w", err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if isNoSuchKey(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("files: S3 get: %w", err)
	}
	return obj, nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if !validKey(key) {
		return badKey(key)
	}
	err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{})
	if err != nil && !isNoSuchKey(err) {
		return fmt.Errorf("files: S3 delete: %w", err)
	}
	return nil
}

func isNoSuchKey(err error) bool {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.Code == "NoSuchKey" || er.StatusCode == 404
	}
	return false
}
