package views

import "strings"

// telDigits turns a phone number as printed ("33 98 00 10") into a tel: URL body.
func telDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if (r >= '0' && r <= '9') || r == '+' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
