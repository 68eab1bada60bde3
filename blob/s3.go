package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says where an S3-compatible object store is.
type S3Config struct {
	// Endpoint is host:port of the service, without scheme.
	Endpoint  string
	AccessKey string
	SecretKey string
	Bucket    string
	Region    string
	// Secure uses https.
	Secure bool
	// Prefix is put before every object name ("portal/"), so that one bucket can serve several
	// uses.
	Prefix string
	// Transport overrides the HTTP transport (tests).
	Transport http.RoundTripper
}

// S3 keeps content in an S3-compatible bucket, for several instances sharing their files.
// Content is uploaded under a temporary name while it is hashed, then copied to its hash's name
// on the service's side and the temporary object removed.
type S3 struct {
	c      *minio.Client
	bucket string
	prefix string
}

// partSize is the multipart chunk: what one upload holds in memory at most.
const partSize = 8 << 20

// NewS3 connects to the bucket of cfg and checks that it exists.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    cfg.Secure,
		Region:    cfg.Region,
		Transport: cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: s3: %w", err)
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: s3 bucket %q: %w", cfg.Bucket, err)
	}
	if !ok {
		return nil, fmt.Errorf("blob: s3 bucket %q does not exist", cfg.Bucket)
	}
	return &S3{c: c, bucket: cfg.Bucket, prefix: cfg.Prefix}, nil
}

func (s *S3) key(sha string) string { return s.prefix + "sha256/" + sha }

// Put implements Store.
func (s *S3) Put(ctx context.Context, r io.Reader, max int64) (Info, error) {
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	tmp := s.prefix + "tmp/" + hex.EncodeToString(rnd[:])
	h := sha256.New()
	lr := newLimited(r, max)
	// An unknown size is uploaded in parts; empty content must say its size instead.
	var first [1]byte
	n, err := io.ReadFull(lr, first[:])
	if err != nil && !errors.Is(err, io.EOF) {
		if lr.err != nil {
			return Info{}, lr.err
		}
		return Info{}, fmt.Errorf("blob: read: %w", err)
	}
	body, size := io.Reader(io.MultiReader(bytes.NewReader(first[:n]), lr)), int64(-1)
	if n == 0 {
		size = 0
	}
	// DisableContentSha256: the content's hash is ours to compute; the service's streaming
	// signature of every chunk is not needed over the connection's own TLS.
	up, err := s.c.PutObject(ctx, s.bucket, tmp, io.TeeReader(body, h), size,
		minio.PutObjectOptions{PartSize: partSize, ContentType: "application/octet-stream", DisableContentSha256: true})
	if lr.err != nil {
		_ = s.c.RemoveObject(context.WithoutCancel(ctx), s.bucket, tmp, minio.RemoveObjectOptions{})
		return Info{}, lr.err
	}
	if err != nil {
		_ = s.c.RemoveObject(context.WithoutCancel(ctx), s.bucket, tmp, minio.RemoveObjectOptions{})
		return Info{}, fmt.Errorf("blob: s3 upload: %w", err)
	}
	defer func() {
		_ = s.c.RemoveObject(context.WithoutCancel(ctx), s.bucket, tmp, minio.RemoveObjectOptions{})
	}()
	sha := hex.EncodeToString(h.Sum(nil))
	if info, err := s.Stat(ctx, sha); err == nil {
		return info, nil // stored before
	} else if !errors.Is(err, ErrNotFound) {
		return Info{}, err
	}
	_, err = s.c.CopyObject(ctx, minio.CopyDestOptions{Bucket: s.bucket, Object: s.key(sha)},
		minio.CopySrcOptions{Bucket: s.bucket, Object: tmp})
	if err != nil {
		return Info{}, fmt.Errorf("blob: s3 copy: %w", err)
	}
	info, err := s.Stat(ctx, sha)
	if err != nil {
		return Info{}, err
	}
	if info.Size != up.Size && up.Size > 0 {
		return Info{}, fmt.Errorf("blob: s3 stored %d bytes, uploaded %d", info.Size, up.Size)
	}
	return info, nil
}

// Open implements Store.
func (s *S3) Open(ctx context.Context, sha string) (Object, error) {
	info, err := s.Stat(ctx, sha)
	if err != nil {
		return nil, err
	}
	o, err := s.c.GetObject(ctx, s.bucket, s.key(sha), minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("blob: s3 get: %w", err)
	}
	return &s3Object{Object: o, info: info}, nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, sha string) (Info, error) {
	if !ValidHash(sha) {
		return Info{}, ErrNotFound
	}
	st, err := s.c.StatObject(ctx, s.bucket, s.key(sha), minio.StatObjectOptions{})
	if err != nil {
		if minio.ToErrorResponse(err).StatusCode == http.StatusNotFound {
			return Info{}, ErrNotFound
		}
		return Info{}, fmt.Errorf("blob: s3 stat: %w", err)
	}
	return Info{SHA256: sha, Size: st.Size, Stored: st.LastModified}, nil
}

type s3Object struct {
	*minio.Object
	info Info
}

func (o *s3Object) Info() Info { return o.info }
