package blob_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestServeContentRanges: what the packs' downloads ask of an opened object, on both stores:
// http.ServeContent finds the size by seeking to the end, then serves one range, a suffix
// range and several ranges (seeking back and forth), and the whole content after a range.
func TestServeContentRanges(t *testing.T) {
	ctx := context.Background()
	content := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MB
	size := strconv.Itoa(len(content))
	tests := []struct {
		rng    string
		status int
		parts  []string // the expected bodies, one per range
	}{
		{"", http.StatusOK, []string{string(content)}},
		{"bytes=100-115", http.StatusPartialContent, []string{string(content[100:116])}},
		{"bytes=-16", http.StatusPartialContent, []string{string(content[len(content)-16:])}},
		{"bytes=900000-900009,10-19", http.StatusPartialContent, []string{string(content[900000:900010]), string(content[10:20])}},
		{"bytes=" + size + "-", http.StatusRequestedRangeNotSatisfiable, nil},
	}
	for name, s := range stores(t) {
		info, err := s.Put(ctx, bytes.NewReader(content), int64(len(content)))
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			t.Run(name+" "+tt.rng, func(t *testing.T) {
				o, err := s.Open(ctx, info.SHA256)
				if err != nil {
					t.Fatal(err)
				}
				defer o.Close()
				req := httptest.NewRequest(http.MethodGet, "/f", nil)
				if tt.rng != "" {
					req.Header.Set("Range", tt.rng)
				}
				rec := httptest.NewRecorder()
				http.ServeContent(rec, req, "", time.Time{}, o)
				if rec.Code != tt.status {
					t.Fatalf("status %d, want %d", rec.Code, tt.status)
				}
				var got []string
				mt, params, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
				switch {
				case tt.parts == nil:
				case mt == "multipart/byteranges":
					r := multipart.NewReader(rec.Body, params["boundary"])
					for {
						p, err := r.NextPart()
						if err == io.EOF {
							break
						}
						if err != nil {
							t.Fatal(err)
						}
						b, _ := io.ReadAll(p)
						got = append(got, string(b))
					}
				default:
					got = []string{rec.Body.String()}
				}
				if strings.Join(got, "|") != strings.Join(tt.parts, "|") {
					t.Errorf("got %d parts (%d bytes), want %d", len(got), len(strings.Join(got, "")), len(tt.parts))
				}
			})
		}
	}
}
