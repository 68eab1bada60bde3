package identity

import (
	"strings"
	"time"
	"unicode/utf8"
)

// CPR is a Danish personal identification number, held as its ten digits without the hyphen.
// Only ParseCPR makes one, so a CPR value other than "" always has a real birth date.
type CPR string

// Sex is what the CPR number's last digit says: odd for men, even for women.
type Sex string

// Sexes a CPR number encodes.
const (
	SexMale   Sex = "male"
	SexFemale Sex = "female"
)

// ParseCPR reads "DDMMYY-SSSS", "DDMMYY SSSS" or "DDMMYYSSSS" (surrounding spaces ignored:
// people type the number as it is printed, with a dash or a space, or as one run of digits;
// a pasted one may bring a typographic dash or space, see cprSeparator)
// and checks that the digits form a real date in the century the seventh digit gives (see
// Century). There is no modulus-11 check: numbers without it have been issued since 2007.
func ParseCPR(s string) (CPR, error) {
	s = strings.TrimSpace(s)
	if len(s) > 10 {
		if r, n := utf8.DecodeRuneInString(s[6:]); len(s) == 6+n+4 && cprSeparator(r) {
			s = s[:6] + s[6+n:]
		}
	}
	if len(s) != 10 {
		return "", ErrCPRInvalid
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return "", ErrCPRInvalid
		}
	}
	if _, ok := birthDate(s); !ok {
		return "", ErrCPRInvalid
	}
	return CPR(s), nil
}

// cprSeparator reports whether r may stand between the date and the serial number: a dash or
// a space, also as a word processor or a web page gives them when the number is pasted (an en
// dash from autocorrection, a non-breaking space or hyphen, a minus sign).
func cprSeparator(r rune) bool {
	switch r {
	case '-', ' ', '\u00a0', '\u202f', '\u2010', '\u2011', '\u2012', '\u2013', '\u2212':
		return true
	}
	return false
}

// String formats the number as DDMMYY-SSSS.
func (c CPR) String() string {
	if len(c) != 10 {
		return string(c)
	}
	return string(c[:6]) + "-" + string(c[6:])
}

// BirthDate is the date of birth the number encodes, at midnight UTC.
func (c CPR) BirthDate() time.Time {
	d, _ := birthDate(string(c))
	return d
}

// Sex is male for an odd last digit and female for an even one.
func (c CPR) Sex() Sex {
	if len(c) == 10 && (c[9]-'0')%2 == 1 {
		return SexMale
	}
	return SexFemale
}

// Century gives the first year of the century a CPR number's birth year lies in, from its
// seventh digit and its two-digit year yy:
//
//	0–3:    1900
//	4 or 9: 2000 if yy ≤ 36, else 1900
//	5–8:    2000 if yy ≤ 57, else 1800
func Century(seventh, yy int) int {
	switch {
	case seventh <= 3:
		return 1900
	case seventh == 4 || seventh == 9:
		if yy <= 36 {
			return 2000
		}
		return 1900
	default:
		if yy <= 57 {
			return 2000
		}
		return 1800
	}
}

func birthDate(s string) (time.Time, bool) {
	if len(s) != 10 {
		return time.Time{}, false
	}
	num := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	day, month, yy := num(0), num(2), num(4)
	year := Century(int(s[6]-'0'), yy) + yy
	if month < 1 || month > 12 || day < 1 {
		return time.Time{}, false
	}
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 30 February into March; a real date comes back unchanged.
	if d.Day() != day || int(d.Month()) != month {
		return time.Time{}, false
	}
	return d, true
}
