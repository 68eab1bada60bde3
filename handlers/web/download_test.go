package web_test

import (
	"bytes"
	"strings"
	"testing"

	"mitidportal/handlers/web"
)

func writeCSV(b *bytes.Buffer, cell string) error {
	w := web.NewCSV(b)
	if err := w.Write([]string{cell}); err != nil {
		return err
	}
	return w.Flush()
}

// TestCSVEscaping: cells that a spreadsheet would read as a formula are made text; quotes,
// semicolons and line breaks are quoted; the file starts with a byte order mark.
func TestCSVEscaping(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", `"'=HYPERLINK(""http://x"")"`},
		{"+45 12 34", "'+45 12 34"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tTAB", "'\tTAB"},
		{"a;b", `"a;b"`},
		{"linje 1\nlinje 2", "\"linje 1\r\nlinje 2\""}, // CRLF inside the quotes too, as Excel writes
		{"Hjælp til ældre", "Hjælp til ældre"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeCSV(&b, tt.in); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			if !strings.HasPrefix(got, "\uFEFF") {
				t.Fatal("no byte order mark")
			}
			if got = strings.TrimSuffix(strings.TrimPrefix(got, "\uFEFF"), "\r\n"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAttachment(t *testing.T) {
	tests := []struct{ name, want string }{
		{"plakat.pdf", `attachment; filename="plakat.pdf"`},
		{"Plakat - ældre.pdf", `attachment; filename="Plakat - aeldre.pdf"; filename*=utf-8''Plakat%20-%20%C3%A6ldre.pdf`},
		{`a"b\c.csv`, `attachment; filename="a_b_c.csv"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := web.Attachment(tt.name); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
