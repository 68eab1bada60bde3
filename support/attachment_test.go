package support_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"mitidportal/support"
)

func TestSanitizeName(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "brev.pdf", "brev.pdf"},
		{"Danish", "Søren Ærø.pdf", "Søren Ærø.pdf"},
		{"path", "../../etc/passwd", "passwd"},
		{"Windows path", `C:\Users\bo\skærm.png`, "skærm.png"},
		{"NUL and controls", "a\x00b\x1bc\x7f.txt", "abc.txt"},
		{"line breaks", "a\r\nb\tc.txt", "a b c.txt"},
		{"right-to-left override", "evil\u202efdp.exe", "evilfdp.exe"},
		{"invalid UTF-8", "bad\xff\xfename.pdf", "bad_name.pdf"},
		{"dots only", "..", "file"},
		{"empty", "", "file"},
		{"leading dot", ".htaccess", "htaccess"},
		{"quotes", `a"b<c>.pdf`, "a_b_c_.pdf"},
		{"10,000 characters", strings.Repeat("x", 10000) + ".pdf", strings.Repeat("x", 196) + ".pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := support.SanitizeName(tt.in)
			if got != tt.want || !utf8.ValidString(got) || utf8.RuneCountInString(got) > 200 {
				t.Errorf("SanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSniffType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, head string
		typ        string
		ok         bool
	}{
		{"pdf", "%PDF-1.7\n", "application/pdf", true},
		{"png", "\x89PNG\r\n\x1a\n", "image/png", true},
		{"jpeg", "\xff\xd8\xff\xe0", "image/jpeg", true},
		{"gif", "GIF89a", "image/gif", true},
		{"text", "Hej med dig", "text/plain", true},
		{"html", "<html><script>alert(1)</script>", "text/html", false},
		{"windows executable", "MZ\x90\x00\x03\x00\x00\x00\x04\x00", "application/octet-stream", false},
		{"elf", "\x7fELF\x02\x01\x01\x00", "application/octet-stream", false},
		{"zip", "PK\x03\x04", "application/zip", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, ok := support.SniffType([]byte(tt.head))
			if typ != tt.typ || ok != tt.ok {
				t.Errorf("SniffType = %q, %v; want %q, %v", typ, ok, tt.typ, tt.ok)
			}
		})
	}
}
