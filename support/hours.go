package support

import (
	"errors"
	"fmt"
	"time"
)

// DayHours is one weekday's opening hours as minutes after midnight in wall-clock time: open
// from Open until just before Close. The zero DayHours means closed all day. An interval
// cannot run past midnight; Close may be 24*60.
type DayHours struct {
	Open, Close int
}

func (h DayHours) closed() bool { return h == DayHours{} }

// Schedule is the support desk's opening hours: at most one interval per weekday, in the
// wall-clock time of a location, and closed all day on holidays and closed days (HolidayOn).
// Hours are wall-clock so that "08.00" stays 08.00 across a daylight saving change; lengths of
// opening time are real elapsed time. The zero Schedule is not usable: build one with
// NewSchedule or DefaultSchedule. A Schedule is a value and safe for concurrent use.
type Schedule struct {
	loc  *time.Location
	week [7]DayHours // indexed by time.Weekday
}

// NewSchedule builds a Schedule from hours indexed by time.Weekday. It refuses a schedule
// that is never open, because NextOpen and AddOpenDuration would then search forever.
func NewSchedule(loc *time.Location, week [7]DayHours) (Schedule, error) {
	if loc == nil {
		return Schedule{}, errors.New("support: schedule needs a location")
	}
	open := false
	for d, h := range week {
		if h.closed() {
			continue
		}
		if h.Open < 0 || h.Close > 24*60 || h.Open >= h.Close {
			return Schedule{}, fmt.Errorf("support: %v hours %d–%d are not an interval within one day", time.Weekday(d), h.Open, h.Close)
		}
		open = true
	}
	if !open {
		return Schedule{}, errors.New("support: schedule is never open")
	}
	return Schedule{loc: loc, week: week}, nil
}

// DefaultSchedule is the desk's published hours in loc (Europe/Copenhagen): Monday to Friday
// 08.00–20.00, Saturday and Sunday 10.00–16.00, closed on holidays and closed days. It panics
// on a nil loc, which is a wiring mistake.
func DefaultSchedule(loc *time.Location) Schedule {
	weekday := DayHours{Open: 8 * 60, Close: 20 * 60}
	weekend := DayHours{Open: 10 * 60, Close: 16 * 60}
	s, err := NewSchedule(loc, [7]DayHours{
		time.Sunday: weekend, time.Monday: weekday, time.Tuesday: weekday, time.Wednesday: weekday,
		time.Thursday: weekday, time.Friday: weekday, time.Saturday: weekend,
	})
	if err != nil {
		panic(err)
	}
	return s
}

// Location is the time zone the schedule is kept in (Europe/Copenhagen).
func (s Schedule) Location() *time.Location { return s.loc }

// Hours returns a weekday's regular hours in minutes after midnight, for the table on the
// contact page; ok is false when the desk is closed that weekday. Holidays are not applied.
func (s Schedule) Hours(d time.Weekday) (open, close int, ok bool) {
	h := s.week[d]
	return h.Open, h.Close, !h.closed()
}

// Status is whether the desk is open at a moment, for the footer every page shows.
type Status struct {
	Open bool
	// ClosesAt is when the desk closes, set when Open.
	ClosesAt time.Time
	// NextOpen is when the desk opens next, set when not Open.
	NextOpen time.Time
	// HolidayID is the message ID of the holiday or closed day when the desk is closed all
	// day for one, so the footer can say "Closed today: Easter Monday".
	HolidayID string
}

// Status reports whether the desk is open at t. Times in it are in the schedule's location.
func (s Schedule) Status(t time.Time) Status {
	c := s.dayOf(t)
	if open, close, ok := s.interval(c); ok && !t.Before(open) && t.Before(close) {
		return Status{Open: true, ClosesAt: close}
	}
	st := Status{NextOpen: s.NextOpen(t)}
	if h, ok := s.closure(c); ok {
		st.HolidayID = h.ID
	}
	return st
}

// IsOpen reports whether the desk is open at t. Opening is inclusive and closing exclusive:
// open at 08.00 sharp, closed at 20.00 sharp.
func (s Schedule) IsOpen(t time.Time) bool { return s.Status(t).Open }

// NextOpen returns the earliest moment at or after t when the desk is open: t itself when it
// is open, otherwise the next opening, in the schedule's location.
func (s Schedule) NextOpen(t time.Time) time.Time {
	t = t.In(s.loc)
	for c := s.dayOf(t); ; c = c.next() {
		open, close, ok := s.interval(c)
		if !ok || !t.Before(close) {
			continue
		}
		if t.Before(open) {
			return open
		}
		return t
	}
}

// ClosuresBetween returns the holidays and closed days from the calendar day of from through
// that of to, read in the schedule's location, that close the desk on a day it would otherwise
// open; the contact page lists them. On a date shared by two, the official holiday is given.
func (s Schedule) ClosuresBetween(from, to time.Time) []Holiday {
	var out []Holiday
	last := s.dayOf(to)
	for c := s.dayOf(from); !last.before(c); c = c.next() {
		if h, ok := s.closure(c); ok {
			out = append(out, h)
		}
	}
	return out
}

// AddOpenDuration returns the moment at which d of opening time has passed since start, for
// deadlines counted in opening hours: Friday 19.00 plus two hours is Saturday 11.00. Time
// outside opening hours does not count, and when d runs out exactly at closing time the
// closing time is returned. A d of zero or less returns start. The result is in the
// schedule's location.
func (s Schedule) AddOpenDuration(start time.Time, d time.Duration) time.Time {
	t := start.In(s.loc)
	if d <= 0 {
		return t
	}
	for c := s.dayOf(t); ; c = c.next() {
		open, close, ok := s.interval(c)
		if !ok || !t.Before(close) {
			continue
		}
		if t.Before(open) {
			t = open
		}
		left := close.Sub(t)
		if d <= left {
			return t.Add(d)
		}
		d -= left
		t = close
	}
}

// OpenDurationBetween returns how much opening time lies between a and b, for pausing a
// deadline: AddOpenDuration(a, OpenDurationBetween(a, b)) is b whenever b is within opening
// hours. It is zero when b is not after a.
func (s Schedule) OpenDurationBetween(a, b time.Time) time.Duration {
	if !a.Before(b) {
		return 0
	}
	var sum time.Duration
	last := s.dayOf(b)
	for c := s.dayOf(a); !last.before(c); c = c.next() {
		open, close, ok := s.interval(c)
		if !ok {
			continue
		}
		if open.Before(a) {
			open = a
		}
		if close.After(b) {
			close = b
		}
		if open.Before(close) {
			sum += close.Sub(open)
		}
	}
	return sum
}

// day is a calendar day in the schedule's location. Walking days as dates, not by adding
// 24 hours, keeps the walk right on the 23- and 25-hour days of daylight saving changes.
type day struct {
	y int
	m time.Month
	d int
}

func (s Schedule) dayOf(t time.Time) day {
	y, m, d := t.In(s.loc).Date()
	return day{y, m, d}
}

func (c day) next() day {
	y, m, d := time.Date(c.y, c.m, c.d+1, 12, 0, 0, 0, time.UTC).Date()
	return day{y, m, d}
}

func (c day) before(o day) bool {
	if c.y != o.y {
		return c.y < o.y
	}
	if c.m != o.m {
		return c.m < o.m
	}
	return c.d < o.d
}

func (c day) weekday() time.Weekday {
	return time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC).Weekday()
}

// closure returns the holiday or closed day on c when the desk would otherwise open that day.
func (s Schedule) closure(c day) (Holiday, bool) {
	if s.week[c.weekday()].closed() {
		return Holiday{}, false
	}
	return lookup(c.y, c.m, c.d)
}

// interval returns the instants the desk opens and closes on c; ok is false when it stays
// closed all day.
func (s Schedule) interval(c day) (open, close time.Time, ok bool) {
	h := s.week[c.weekday()]
	if h.closed() {
		return time.Time{}, time.Time{}, false
	}
	if _, holiday := lookup(c.y, c.m, c.d); holiday {
		return time.Time{}, time.Time{}, false
	}
	open = time.Date(c.y, c.m, c.d, 0, h.Open, 0, 0, s.loc)
	close = time.Date(c.y, c.m, c.d, 0, h.Close, 0, 0, s.loc)
	return open, close, true
}
