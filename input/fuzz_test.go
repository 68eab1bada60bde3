package input_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"mitidportal/input"
)

// FuzzCheck feeds any bytes to Check under each kind of rule: it must never panic, an accepted
// value must be text PostgreSQL takes within the limit, and a refused one must come back safe to
// show again.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "Søren Kierkegaard", "a\x00b", "\xe6\xf8\xe5", "\xff\xfe",
		"linje 1\r\nlinje 2\rlinje 3", "\t \n", "\u0085\u009b", strings.Repeat("å", 201), "\x1b[31m"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, raw string, max int) {
		if max < 0 || max > 1000 {
			max = 0
		}
		for _, r := range []input.Rule{{Max: max}, {Max: max, Multiline: true}, {Max: max, Secret: true}} {
			v, p := input.Check(raw, r)
			if !input.Valid(v, r.Multiline) {
				t.Fatalf("Check(%q, %+v) gave %q, which is not valid text", raw, r, v)
			}
			limit := r.Max
			if limit == 0 {
				limit = input.DefaultMax
			}
			switch p {
			case input.OK:
				if utf8.RuneCountInString(v) > limit {
					t.Fatalf("accepted %d characters, limit %d", utf8.RuneCountInString(v), limit)
				}
				if r.Multiline && strings.Contains(v, "\r") {
					t.Fatalf("accepted a carriage return: %q", v)
				}
				if !r.Secret && strings.TrimSpace(v) != v {
					t.Fatalf("not trimmed: %q", v)
				}
			case input.BadText:
				if input.Valid(raw, r.Multiline) && !strings.Contains(raw, "\r") {
					t.Fatalf("refused valid text %q", raw)
				}
			}
			if c := input.Clean(raw, r.Multiline); !input.Valid(c, r.Multiline) {
				t.Fatalf("Clean(%q) = %q, not valid", raw, c)
			}
		}
	})
}
