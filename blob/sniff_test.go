package blob

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestSniff(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 600)
	tests := []struct {
		name, body, want string
		empty            bool
	}{
		{"empty", "", "", true},
		{"PDF", "%PDF-1.7\n" + strings.Repeat("x", 2000), "application/pdf", false},
		{"PNG longer than the sniffed bytes", png, "image/png", false},
		{"text without its charset", "Dette er ikke en PDF", "text/plain", false},
		{"one byte", "a", "text/plain", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mt, whole, empty, err := Sniff(strings.NewReader(tc.body))
			if err != nil || mt != tc.want || empty != tc.empty {
				t.Fatalf("Sniff = %q, empty %v, %v; want %q, empty %v", mt, empty, err, tc.want, tc.empty)
			}
			if empty {
				return
			}
			got, err := io.ReadAll(whole)
			if err != nil || !bytes.Equal(got, []byte(tc.body)) {
				t.Errorf("the whole upload again: %d bytes (%v), want %d", len(got), err, len(tc.body))
			}
		})
	}
	broken := errors.New("connection reset")
	if _, _, _, err := Sniff(iotest.ErrReader(broken)); !errors.Is(err, broken) {
		t.Errorf("a failing body: %v, want %v", err, broken)
	}
}
