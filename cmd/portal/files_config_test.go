package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"mitidportal/blob"
)

// TestFileStoreSettings: FILES_DIR gives the disk store, FILES_S3_* the object store (against
// an S3-compatible server in the test), and wrong or conflicting settings stop the start with
// a message naming the setting.
func TestFileStoreSettings(t *testing.T) {
	t.Parallel()
	backend := s3mem.New()
	if err := backend.CreateBucket("portal"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	endpoint := strings.TrimPrefix(srv.URL, "http://")
	s3 := map[string]string{"DATABASE_URL": "postgres://x", "FILES_S3_ENDPOINT": endpoint, "FILES_S3_BUCKET": "portal",
		"FILES_S3_ACCESS_KEY": "k", "FILES_S3_SECRET_KEY": "s", "FILES_S3_REGION": "us-east-1", "FILES_S3_INSECURE": "true"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    string // "disk", "s3", "none"
		wantErr string
	}{
		{"nothing set", map[string]string{"DATABASE_URL": "postgres://x"}, "none", ""},
		{"a folder", map[string]string{"DATABASE_URL": "postgres://x", "FILES_DIR": t.TempDir()}, "disk", ""},
		{"an object store", s3, "s3", ""},
		{"both", with(s3, "FILES_DIR", t.TempDir()), "", "both set"},
		{"no bucket", with(s3, "FILES_S3_BUCKET", ""), "", "FILES_S3_BUCKET"},
		{"a missing bucket", with(s3, "FILES_S3_BUCKET", "nirgends"), "", "does not exist"},
		{"a scheme in the endpoint", with(s3, "FILES_S3_ENDPOINT", "https://s3.example.dk"), "", "without a scheme"},
		{"a bad insecure flag", with(s3, "FILES_S3_INSECURE", "ja"), "", "FILES_S3_INSECURE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := loadConfig(envOf(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\"s\"") {
					t.Errorf("the error shows the secret key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := "none"
			switch cfg.Files.(type) {
			case *blob.Disk:
				got = "disk"
			case *blob.S3:
				got = "s3"
			}
			if got != tt.want {
				t.Errorf("store %s, want %s", got, tt.want)
			}
		})
	}
}
