package web

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in   string
		want string // åååå-mm-dd, or "" for refused
	}{
		{"24-12-2026", "2026-12-24"},
		{"24.12.2026", "2026-12-24"},
		{"1/2/2027", "2027-02-01"},
		{" 05-03-2026 ", "2026-03-05"},
		{"2026-03-05", ""}, // ISO: not the way the hints ask
		{"12-24-2026", ""}, // the browser's mm-dd order is not a Danish date
		{"31-02-2026", ""},
		{"24-12-1926", ""},
		{"24-12-26", ""},
		{"", ""},
		{"24-12-2026\x00", ""},
		{"næste uge", ""},
		{string(make([]byte, 10000)), ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseDate(c.in, cph)
			if c.want == "" {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %v, want it refused", c.in, got)
				}
				return
			}
			if err != nil || got.Format(time.DateOnly) != c.want || got.Location() != cph || got.Hour() != 0 {
				t.Fatalf("ParseDate(%q) = %v, %v, want %s midnight in Copenhagen", c.in, got, err, c.want)
			}
		})
	}
}
