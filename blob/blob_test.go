package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"mitidportal/blob"
)

// stores returns a fresh store of each kind: the disk store in a temporary folder, and the S3
// store against an S3-compatible server in the test process.
func stores(t *testing.T) map[string]blob.Store {
	t.Helper()
	disk, err := blob.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	backend := s3mem.New()
	if err := backend.CreateBucket("portal"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	s3, err := blob.NewS3(context.Background(), blob.S3Config{
		Endpoint: strings.TrimPrefix(srv.URL, "http://"), AccessKey: "test", SecretKey: "test",
		Bucket: "portal", Region: "us-east-1", Prefix: "files/",
	})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]blob.Store{"disk": disk, "s3": s3}
}

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestContract runs the Store contract against every store.
func TestContract(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			content := bytes.Repeat([]byte("Alle med NemID skal have MitID. "), 40000) // ~1.3 MB: several reads
			info, err := s.Put(ctx, bytes.NewReader(content), int64(len(content)))
			if err != nil {
				t.Fatal(err)
			}
			if info.SHA256 != hashOf(content) || info.Size != int64(len(content)) {
				t.Fatalf("info %+v", info)
			}
			// The same content again: the same name, stored once.
			again, err := s.Put(ctx, bytes.NewReader(content), int64(len(content))+1)
			if err != nil || again.SHA256 != info.SHA256 {
				t.Fatalf("second put: %+v %v", again, err)
			}
			st, err := s.Stat(ctx, info.SHA256)
			if err != nil || st.Size != info.Size {
				t.Fatalf("stat: %+v %v", st, err)
			}
			o, err := s.Open(ctx, info.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			if o.Info().Size != info.Size {
				t.Errorf("object size %d", o.Info().Size)
			}
			// Seek into the middle and read a range, as a Range request does.
			if _, err := o.Seek(1000, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			part := make([]byte, 50)
			if _, err := io.ReadFull(o, part); err != nil || !bytes.Equal(part, content[1000:1050]) {
				t.Errorf("range read %q %v", part, err)
			}
			if _, err := o.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			all, err := io.ReadAll(o)
			if err != nil || !bytes.Equal(all, content) {
				t.Errorf("read back %d bytes, %v", len(all), err)
			}
			o.Close()

			empty, err := s.Put(ctx, strings.NewReader(""), 10)
			if err != nil || empty.Size != 0 || empty.SHA256 != hashOf(nil) {
				t.Errorf("empty content: %+v %v", empty, err)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			exact := bytes.Repeat([]byte{7}, 1000)
			if _, err := s.Put(ctx, bytes.NewReader(exact), 1000); err != nil {
				t.Errorf("exactly the limit refused: %v", err)
			}
			over := append(bytes.Repeat([]byte{8}, 1000), 9)
			if _, err := s.Put(ctx, bytes.NewReader(over), 1000); !errors.Is(err, blob.ErrTooLarge) {
				t.Errorf("over the limit: %v", err)
			}
			if _, err := s.Stat(ctx, hashOf(over)); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("refused content was kept: %v", err)
			}
			for _, bad := range []string{"", "../../etc/passwd", strings.ToUpper(hashOf(exact)), hashOf(exact)[:63], hashOf([]byte("never stored"))} {
				if _, err := s.Open(ctx, bad); !errors.Is(err, blob.ErrNotFound) {
					t.Errorf("Open(%q): %v", bad, err)
				}
			}
		})
	}
}

// TestParallelPutsOfOneContent stores the same content from many goroutines: every one gets the
// same name and the content reads back whole.
func TestParallelPutsOfOneContent(t *testing.T) {
	ctx := context.Background()
	content := bytes.Repeat([]byte("kodeviser "), 10000)
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make(chan error, 20)
			for range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					info, err := s.Put(ctx, bytes.NewReader(content), 1<<20)
					if err == nil && info.SHA256 != hashOf(content) {
						err = errors.New("wrong hash " + info.SHA256)
					}
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			o, err := s.Open(ctx, hashOf(content))
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			if got, _ := io.ReadAll(o); !bytes.Equal(got, content) {
				t.Errorf("read back %d bytes", len(got))
			}
		})
	}
}
