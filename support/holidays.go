package support

import (
	"slices"
	"sync"
	"time"
)

// Holiday is a day the support desk is closed all day: an official Danish public holiday
// (helligdag), or a day the desk closes although the law does not make it one.
type Holiday struct {
	// Date is the calendar day, held as midnight UTC. A holiday is a date, not an instant:
	// read it with Year, Month and Day. Converting it with In would show the day before in
	// any zone west of UTC.
	Date time.Time
	// ID is the message ID of the day's name, e.g. "holiday.easter_monday".
	ID string
	// Official is true for the public holidays in Danish law and false for the days the
	// desk closes anyway (Constitution Day, Christmas Eve, New Year's Eve), so a page can
	// tell the two apart.
	Official bool
}

// rule places one closed day in a year, either a fixed date or a distance from Easter.
type rule struct {
	id       string
	official bool
	month    time.Month // fixed date when not 0
	day      int
	easter   int // days after Easter Sunday when month is 0
	until    int // last year the rule applies; 0 for no end
}

// rules is the calendar in date order. Fixed dates and Easter dates can meet: Whit Sunday
// or Whit Monday falls on Constitution Day in some years (2017, 2022), and then the day is
// listed by both Holidays and ClosedDays.
var rules = []rule{
	{id: "holiday.new_years_day", official: true, month: time.January, day: 1},
	{id: "holiday.maundy_thursday", official: true, easter: -3},
	{id: "holiday.good_friday", official: true, easter: -2},
	{id: "holiday.easter_sunday", official: true, easter: 0},
	{id: "holiday.easter_monday", official: true, easter: 1},
	// Store bededag, the fourth Friday after Easter, was abolished as a public holiday by
	// the Folketing in February 2023; from 2024 it is an ordinary working day.
	{id: "holiday.great_prayer_day", official: true, easter: 26, until: 2023},
	{id: "holiday.ascension_day", official: true, easter: 39},
	{id: "holiday.whit_sunday", official: true, easter: 49},
	{id: "holiday.whit_monday", official: true, easter: 50},
	{id: "holiday.constitution_day", month: time.June, day: 5},
	{id: "holiday.christmas_eve", month: time.December, day: 24},
	{id: "holiday.christmas_day", official: true, month: time.December, day: 25},
	{id: "holiday.boxing_day", official: true, month: time.December, day: 26},
	{id: "holiday.new_years_eve", month: time.December, day: 31},
}

// Holidays returns the official Danish public holidays of year, sorted by date. The rules are
// today's law applied to every year, except that Store Bededag ends with 2023; Easter follows
// the Gregorian calendar, so years before 1583 are not meaningful.
func Holidays(year int) []Holiday {
	return filter(year, true)
}

// ClosedDays returns the days of year on which the support desk closes although they are not
// official holidays (Official is false): Constitution Day, Christmas Eve and New Year's Eve,
// sorted by date. The desk is closed on these and on Holidays.
func ClosedDays(year int) []Holiday {
	return filter(year, false)
}

// HolidayOn reports the holiday or closed day falling on t's calendar day, read in t's own
// location (pass t.In(loc) to ask about the day in loc). When an official holiday and a
// closed day share the date, the official one is returned. Years are computed once and
// cached, so the look-up is cheap and safe for concurrent use.
func HolidayOn(t time.Time) (Holiday, bool) {
	y, m, d := t.Date()
	return lookup(y, m, d)
}

// HolidayIDs returns the message ID of every holiday and closed day, in calendar order, so a
// test can check that each has a name in every language.
func HolidayIDs() []string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.id
	}
	return ids
}

// yearTable is one year of the calendar, built once.
type yearTable struct {
	all   []Holiday       // sorted by date, official first on a shared date
	byDay map[int]Holiday // keyed by dayKey; the official one on a shared date
}

// years memoises buildYear, a pure function, so it holds no state a caller could observe.
var years sync.Map // int → *yearTable

func table(year int) *yearTable {
	if t, ok := years.Load(year); ok {
		return t.(*yearTable)
	}
	t, _ := years.LoadOrStore(year, buildYear(year))
	return t.(*yearTable)
}

func buildYear(year int) *yearTable {
	em, ed := easter(year)
	t := &yearTable{byDay: make(map[int]Holiday, len(rules))}
	for _, r := range rules {
		if r.until != 0 && year > r.until {
			continue
		}
		date := time.Date(year, r.month, r.day, 0, 0, 0, 0, time.UTC)
		if r.month == 0 {
			date = time.Date(year, em, ed+r.easter, 0, 0, 0, 0, time.UTC)
		}
		h := Holiday{Date: date, ID: r.id, Official: r.official}
		t.all = append(t.all, h)
		k := dayKey(date.Month(), date.Day())
		if prev, ok := t.byDay[k]; !ok || !prev.Official {
			t.byDay[k] = h
		}
	}
	slices.SortStableFunc(t.all, func(a, b Holiday) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		if a.Official == b.Official {
			return 0
		}
		if a.Official {
			return -1
		}
		return 1
	})
	return t
}

func lookup(y int, m time.Month, d int) (Holiday, bool) {
	h, ok := table(y).byDay[dayKey(m, d)]
	return h, ok
}

func dayKey(m time.Month, d int) int { return int(m)*32 + d }

// filter copies the year's days of one kind, so callers cannot change the cached table.
func filter(year int, official bool) []Holiday {
	var out []Holiday
	for _, h := range table(year).all {
		if h.Official == official {
			out = append(out, h)
		}
	}
	return out
}

// easter returns the date of Easter Sunday in the Gregorian calendar by the anonymous
// algorithm (Meeus/Jones/Butcher), which needs no tables.
func easter(year int) (time.Month, int) {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Month(month), day
}
