package web

import (
	"errors"
	"strings"
	"time"
)

// DateLayout is how the portal shows a date in a form and asks for one: dd-mm-åååå, the
// Danish way the hints describe (a browser's own date input would show mm/dd/yyyy).
const DateLayout = "02-01-2006"

// ErrDate is a date that could not be read; forms turn it into their field error.
var ErrDate = errors.New("web: not a date")

// ParseDate reads a date typed the Danish way, dd-mm-åååå, also with dots, slashes or
// one-digit days and months (24.12.2026, 1/2/2027), as a midnight in loc. Nothing else: an
// ISO date would be a second way the hints do not tell. Years outside 2000-2100 are refused: a
// mistyped year is a typing error here, never a date anyone means.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) > 20 {
		return time.Time{}, ErrDate
	}
	s = strings.NewReplacer(".", "-", "/", "-", " ", "").Replace(s)
	t, err := time.ParseInLocation("2-1-2006", s, loc)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, ErrDate
	}
	return t, nil
}

// ParseClock reads a time of day, tt:mm (also tt.mm) on a 24-hour clock.
func ParseClock(s string) (hour, minute int, ok bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ".", ":")
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}
