package input_test

import (
	"strings"
	"testing"

	"mitidportal/input"
)

func TestCheck(t *testing.T) {
	line := input.Rule{Max: 10}
	area := input.Rule{Max: 10, Multiline: true}
	secret := input.Rule{Max: 10, Secret: true}
	tests := []struct {
		name    string
		raw     string
		rule    input.Rule
		want    string
		problem input.Problem
	}{
		{"plain", "  Søren  ", line, "Søren", input.OK},
		{"exactly max", "æøåæøåæøåæ", line, "æøåæøåæøåæ", input.OK},
		{"one too many", "æøåæøåæøåæø", line, "æøåæøåæøåæø", input.TooLong},
		{"default max", strings.Repeat("x", 201), input.Rule{}, strings.Repeat("x", 201), input.TooLong},
		{"default max ok", strings.Repeat("x", 200), input.Rule{}, strings.Repeat("x", 200), input.OK},
		{"NUL", "a\x00b", line, "a\uFFFDb", input.BadText},
		{"escape", "a\x1bb", line, "a\uFFFDb", input.BadText},
		{"DEL", "a\x7fb", line, "a\uFFFDb", input.BadText},
		{"C1", "a\u0085b", line, "a\uFFFDb", input.BadText},
		{"newline on one line", "a\nb", line, "a\uFFFDb", input.BadText},
		{"tab on one line", "a\tb", line, "a\uFFFDb", input.BadText},
		{"latin-1", "\xe6\xf8\xe5", line, "\uFFFD\uFFFD\uFFFD", input.BadText},
		{"broken utf-8", "a\xff\xfe", line, "a\uFFFD\uFFFD", input.BadText},
		{"area newlines", "a\r\nb\rc\td", area, "a\nb\nc\td", input.OK},
		{"area NUL", "a\n\x00", area, "a\n\uFFFD", input.BadText},
		{"area counts after CRLF", "123\r\n56789", area, "123\n56789", input.OK},
		{"secret keeps spaces", " pw ", secret, " pw ", input.OK},
		{"secret NUL", "pw\x00", secret, "pw\uFFFD", input.BadText},
		{"secret too long", strings.Repeat("p", 11), secret, strings.Repeat("p", 11), input.TooLong},
		{"bad before long", strings.Repeat("x", 50) + "\x00", line, strings.Repeat("x", 50) + "\uFFFD", input.BadText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, p := input.Check(tt.raw, tt.rule)
			if got != tt.want || p != tt.problem {
				t.Errorf("Check(%q) = %q, %d; want %q, %d", tt.raw, got, p, tt.want, tt.problem)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		name, raw string
		multiline bool
		want      string
	}{
		{"keeps text", "Hej\r\nmed dig\t!", true, "Hej\nmed dig\t!"},
		{"drops controls", "a\x00b\x1bc\x7f", true, "abc"},
		{"repairs latin-1", "Hilsen S\xf8ren", true, "Hilsen S\uFFFDren"},
		{"one line drops newlines", " Re: a\r\n b ", false, "Re: a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := input.Clean(tt.raw, tt.multiline); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}
