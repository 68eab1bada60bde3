package identity

import (
	"testing"
	"unicode"
)

// FuzzParseCPR feeds any text to ParseCPR, as the public forms do: it must never panic, and a
// number it accepts is ten digits with a real birth date that reads back to itself.
func FuzzParseCPR(f *testing.F) {
	for _, s := range []string{"010203-1234", "0102031234", " 290200-4000 ", "310299-1234", "010203-12345",
		"01020312\x0034", "０１０２０３１２３４", "01-02-03-1234", "\xff\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCPR(s)
		if err != nil {
			return
		}
		if len(c) != 10 {
			t.Fatalf("ParseCPR(%q) = %q, not ten digits", s, c)
		}
		for _, r := range string(c) {
			if r > unicode.MaxASCII || !unicode.IsDigit(r) {
				t.Fatalf("ParseCPR(%q) = %q holds %q", s, c, r)
			}
		}
		again, err := ParseCPR(c.String())
		if err != nil || again != c {
			t.Fatalf("%q does not read back: %q, %v", c.String(), again, err)
		}
		if c.BirthDate().IsZero() {
			t.Fatalf("%q has no birth date", c)
		}
	})
}
