package web_test

import (
	"testing"

	"mitidportal/handlers/web"
)

// TestSafeCell: a cell a spreadsheet would read as a formula is made text; others stay as they
// are.
func TestSafeCell(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+45 12 34 56 78", "'+45 12 34 56 78"},
		{"-1+2", "'-1+2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"SATEBX", "SATEBX"},
		{"Løst", "Løst"},
		{"2026-11-24 09:00", "2026-11-24 09:00"},
		{"a=b", "a=b"},
		{"", ""},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := web.SafeCell(tt.in); got != tt.want {
				t.Errorf("SafeCell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
