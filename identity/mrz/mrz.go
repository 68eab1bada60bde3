// Package mrz reads the machine-readable zone of a passport (ICAO Doc 9303, TD3: two lines of
// 44 characters) and checks its check digits. The registration officer types or scans the MRZ at
// borgerservice, and the identification app sends it in its signed result (DESIGN.md §3.4); both
// go through Parse, and every refusal says which part is wrong, so the officer can look at the
// right characters.
package mrz

import (
	"strings"
	"time"

	"mitidportal/fault"
)

// LineLength is the length of each of the two TD3 lines.
const LineLength = 44

// Errors of this package; each names the part of the MRZ that is wrong.
var (
	ErrLength    = fault.New("mrz", fault.Invalid, "mrz.err.length")
	ErrCharacter = fault.New("mrz", fault.Invalid, "mrz.err.character")
	ErrNotTD3    = fault.New("mrz", fault.Invalid, "mrz.err.not_passport")
	ErrDate      = fault.New("mrz", fault.Invalid, "mrz.err.date")
	// The check digits, in the order they stand on line 2.
	ErrCheckNumber    = fault.New("mrz", fault.Invalid, "mrz.err.check_number")
	ErrCheckBirth     = fault.New("mrz", fault.Invalid, "mrz.err.check_birth")
	ErrCheckExpiry    = fault.New("mrz", fault.Invalid, "mrz.err.check_expiry")
	ErrCheckOptional  = fault.New("mrz", fault.Invalid, "mrz.err.check_optional")
	ErrCheckComposite = fault.New("mrz", fault.Invalid, "mrz.err.check_composite")
)

// MessageIDs lists the message IDs of this package's errors, for the locale test.
func MessageIDs() []string {
	var ids []string
	for _, e := range []*fault.Error{ErrLength, ErrCharacter, ErrNotTD3, ErrDate, ErrCheckNumber,
		ErrCheckBirth, ErrCheckExpiry, ErrCheckOptional, ErrCheckComposite} {
		ids = append(ids, e.MsgID)
	}
	return ids
}

// Passport is what a TD3 MRZ says.
type Passport struct {
	// DocumentCode is "P" and possibly a second letter for the kind of passport.
	DocumentCode string
	// IssuingState and Nationality are ICAO three-letter codes ("DNK", "UTO").
	IssuingState string
	Nationality  string
	// Surname and GivenNames are the names with filler removed and parts joined by spaces.
	Surname    string
	GivenNames string
	Number     string // document number without filler
	Birth      Date
	Sex        string // "M", "F" or "X" (printed "<")
	Expiry     Date
	// Optional is the personal number or other optional data, without filler.
	Optional string
}

// Date is a YYMMDD date of the MRZ. The century is not in the MRZ; the caller decides it (a
// birth date is in the past, an expiry date near the present).
type Date struct{ YY, MM, DD int }

// Time returns the date in the century that puts it closest before or at limit (a birth date:
// limit is today) or, with future, the century that puts it in the 100 years from 50 years
// before limit (an expiry date).
func (d Date) Time(limit time.Time, future bool) time.Time {
	year := limit.Year()/100*100 + d.YY
	t := time.Date(year, time.Month(d.MM), d.DD, 0, 0, 0, 0, time.UTC)
	switch {
	case !future && t.After(limit):
		t = t.AddDate(-100, 0, 0)
	case future && t.Before(limit.AddDate(-50, 0, 0)):
		t = t.AddDate(100, 0, 0)
	case future && t.After(limit.AddDate(50, 0, 0)):
		t = t.AddDate(-100, 0, 0)
	}
	return t
}

// Normalize makes typed MRZ lines comparable: upper case, spaces and line breaks removed at the
// ends, and inner spaces (people type them for "<") turned into filler.
func Normalize(line string) string {
	line = strings.ToUpper(strings.TrimSpace(line))
	return strings.ReplaceAll(line, " ", "<")
}

// Parse reads a TD3 MRZ from its two lines and checks every check digit. The first broken rule
// is returned: length, characters, document code, then the check digits in line order, then
// the dates.
func Parse(line1, line2 string) (Passport, error) {
	line1, line2 = Normalize(line1), Normalize(line2)
	if len(line1) != LineLength || len(line2) != LineLength {
		return Passport{}, ErrLength
	}
	for _, l := range []string{line1, line2} {
		for i := 0; i < len(l); i++ {
			if value(l[i]) < 0 {
				return Passport{}, ErrCharacter
			}
		}
	}
	if line1[0] != 'P' {
		return Passport{}, ErrNotTD3
	}
	checks := []struct {
		from, to, digit int
		err             *fault.Error
	}{
		{0, 9, 9, ErrCheckNumber},
		{13, 19, 19, ErrCheckBirth},
		{21, 27, 27, ErrCheckExpiry},
	}
	for _, c := range checks {
		if !checkDigitOK(line2[c.from:c.to], line2[c.digit]) {
			return Passport{}, c.err
		}
	}
	// The optional data's check digit may be "<" when the optional data is all filler.
	if opt := line2[28:42]; !(line2[42] == '<' && strings.Trim(opt, "<") == "") && !checkDigitOK(opt, line2[42]) {
		return Passport{}, ErrCheckOptional
	}
	composite := line2[0:10] + line2[13:20] + line2[21:43]
	if !checkDigitOK(composite, line2[43]) {
		return Passport{}, ErrCheckComposite
	}
	birth, ok1 := parseDate(line2[13:19])
	expiry, ok2 := parseDate(line2[21:27])
	if !ok1 || !ok2 {
		return Passport{}, ErrDate
	}
	surname, given, _ := strings.Cut(line1[5:], "<<")
	sex := line2[20:21]
	if sex == "<" {
		sex = "X"
	}
	return Passport{
		DocumentCode: strings.TrimRight(line1[0:2], "<"),
		IssuingState: strings.TrimRight(line1[2:5], "<"),
		Surname:      names(surname),
		GivenNames:   names(given),
		Number:       strings.TrimRight(line2[0:9], "<"),
		Nationality:  strings.TrimRight(line2[10:13], "<"),
		Birth:        birth,
		Sex:          sex,
		Expiry:       expiry,
		Optional:     strings.TrimRight(line2[28:42], "<"),
	}, nil
}

// CheckDigit computes the ICAO 9303 check digit of s: each character's value (digits as
// themselves, A–Z as 10–35, filler as 0) weighted 7, 3, 1 in turn, summed, modulo 10. It
// returns -1 when s holds a character the MRZ does not use.
func CheckDigit(s string) int {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		v := value(s[i])
		if v < 0 {
			return -1
		}
		sum += v * weights[i%3]
	}
	return sum % 10
}

func checkDigitOK(s string, digit byte) bool {
	want := CheckDigit(s)
	return want >= 0 && digit >= '0' && digit <= '9' && int(digit-'0') == want
}

func value(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	case c == '<':
		return 0
	}
	return -1
}

func parseDate(s string) (Date, bool) {
	n := func(p string) int {
		if p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' {
			return -1
		}
		return int(p[0]-'0')*10 + int(p[1]-'0')
	}
	d := Date{YY: n(s[0:2]), MM: n(s[2:4]), DD: n(s[4:6])}
	if d.YY < 0 || d.MM < 1 || d.MM > 12 || d.DD < 1 {
		return Date{}, false
	}
	// The day must exist in that month in some century: 29 February is allowed for every
	// YY divisible by 4 (2000 was a leap year, so 00 is too).
	days := time.Date(2000+d.YY, time.Month(d.MM)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if d.DD > days {
		return Date{}, false
	}
	return d, true
}

func names(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(strings.Trim(s, "<"), "<", " ")), " ")
}
