package support_test

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mitidportal/support"
)

// date is a calendar day the way Holiday.Date holds it.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestEasterDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		year int
		want time.Time
	}{
		{1818, date(1818, time.March, 22)}, // earliest possible
		{1943, date(1943, time.April, 25)}, // latest possible
		{2000, date(2000, time.April, 23)},
		{2008, date(2008, time.March, 23)},
		{2019, date(2019, time.April, 21)},
		{2020, date(2020, time.April, 12)},
		{2023, date(2023, time.April, 9)},
		{2024, date(2024, time.March, 31)},
		{2025, date(2025, time.April, 20)},
		{2026, date(2026, time.April, 5)},
		{2027, date(2027, time.March, 28)},
		{2038, date(2038, time.April, 25)},
		{2285, date(2285, time.March, 22)},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.year), func(t *testing.T) {
			i := slices.IndexFunc(support.Holidays(tt.year), func(h support.Holiday) bool { return h.ID == "holiday.easter_sunday" })
			if i < 0 {
				t.Fatal("no Easter Sunday")
			}
			if got := support.Holidays(tt.year)[i].Date; !got.Equal(tt.want) {
				t.Errorf("Easter %d = %s, want %s", tt.year, got.Format(time.DateOnly), tt.want.Format(time.DateOnly))
			}
		})
	}
}

func TestHolidaysFullYears(t *testing.T) {
	t.Parallel()
	tests := []struct {
		year int
		want []string // date and ID, in order
	}{
		{2023, []string{
			"2023-01-01 holiday.new_years_day", "2023-04-06 holiday.maundy_thursday",
			"2023-04-07 holiday.good_friday", "2023-04-09 holiday.easter_sunday",
			"2023-04-10 holiday.easter_monday", "2023-05-05 holiday.great_prayer_day",
			"2023-05-18 holiday.ascension_day", "2023-05-28 holiday.whit_sunday",
			"2023-05-29 holiday.whit_monday", "2023-12-25 holiday.christmas_day",
			"2023-12-26 holiday.boxing_day",
		}},
		{2024, []string{
			"2024-01-01 holiday.new_years_day", "2024-03-28 holiday.maundy_thursday",
			"2024-03-29 holiday.good_friday", "2024-03-31 holiday.easter_sunday",
			"2024-04-01 holiday.easter_monday", "2024-05-09 holiday.ascension_day",
			"2024-05-19 holiday.whit_sunday", "2024-05-20 holiday.whit_monday",
			"2024-12-25 holiday.christmas_day", "2024-12-26 holiday.boxing_day",
		}},
		{2026, []string{
			"2026-01-01 holiday.new_years_day", "2026-04-02 holiday.maundy_thursday",
			"2026-04-03 holiday.good_friday", "2026-04-05 holiday.easter_sunday",
			"2026-04-06 holiday.easter_monday", "2026-05-14 holiday.ascension_day",
			"2026-05-24 holiday.whit_sunday", "2026-05-25 holiday.whit_monday",
			"2026-12-25 holiday.christmas_day", "2026-12-26 holiday.boxing_day",
		}},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.year), func(t *testing.T) {
			var got []string
			for _, h := range support.Holidays(tt.year) {
				if !h.Official {
					t.Errorf("%s is not marked official", h.ID)
				}
				if h.Date.Location() != time.UTC || h.Date.Hour() != 0 {
					t.Errorf("%s date %v is not midnight UTC", h.ID, h.Date)
				}
				got = append(got, h.Date.Format(time.DateOnly)+" "+h.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Holidays(%d)\n got %q\nwant %q", tt.year, got, tt.want)
			}
		})
	}
}

func TestClosedDays(t *testing.T) {
	t.Parallel()
	var got []string
	for _, h := range support.ClosedDays(2026) {
		if h.Official {
			t.Errorf("%s is marked official", h.ID)
		}
		got = append(got, h.Date.Format(time.DateOnly)+" "+h.ID)
	}
	want := []string{"2026-06-05 holiday.constitution_day", "2026-12-24 holiday.christmas_eve", "2026-12-31 holiday.new_years_eve"}
	if !slices.Equal(got, want) {
		t.Errorf("ClosedDays(2026)\n got %q\nwant %q", got, want)
	}
}

// TestGreatPrayerDayAbolished checks that Store Bededag is a holiday up to 2023 only.
func TestGreatPrayerDayAbolished(t *testing.T) {
	t.Parallel()
	tests := []struct {
		day     time.Time
		holiday bool
	}{
		{date(2022, time.May, 13), true},
		{date(2023, time.May, 5), true},
		{date(2024, time.April, 26), false},
		{date(2025, time.May, 16), false},
		{date(2026, time.May, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.day.Format(time.DateOnly), func(t *testing.T) {
			h, ok := support.HolidayOn(tt.day)
			if ok != tt.holiday || ok && h.ID != "holiday.great_prayer_day" {
				t.Errorf("HolidayOn = %+v, %v; want holiday %v", h, ok, tt.holiday)
			}
		})
	}
}

func TestHolidayOn(t *testing.T) {
	t.Parallel()
	cph := copenhagen(t)
	tests := []struct {
		name   string
		at     time.Time
		wantID string // "" for no holiday
	}{
		{"easter monday late evening", time.Date(2026, 4, 6, 23, 59, 0, 0, cph), "holiday.easter_monday"},
		{"holy saturday", time.Date(2026, 4, 4, 12, 0, 0, 0, cph), ""},
		{"christmas eve", time.Date(2026, 12, 24, 0, 0, 0, 0, cph), "holiday.christmas_eve"},
		{"day read in its own zone", time.Date(2026, 12, 24, 23, 30, 0, 0, time.UTC), "holiday.christmas_eve"},
		{"same instant in copenhagen", time.Date(2026, 12, 24, 23, 30, 0, 0, time.UTC).In(cph), "holiday.christmas_day"},
		{"whit sunday on constitution day", date(2022, time.June, 5), "holiday.whit_sunday"},
		{"whit monday on constitution day", date(2017, time.June, 5), "holiday.whit_monday"},
		{"ordinary day", date(2026, time.November, 24), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ok := support.HolidayOn(tt.at)
			if ok != (tt.wantID != "") || h.ID != tt.wantID {
				t.Errorf("HolidayOn(%v) = %q, %v; want %q", tt.at, h.ID, ok, tt.wantID)
			}
		})
	}
}

// TestSharedDateListedTwice checks that Constitution Day on Whit Sunday is in both lists.
func TestSharedDateListedTwice(t *testing.T) {
	t.Parallel()
	in := func(hs []support.Holiday, id string) bool {
		return slices.ContainsFunc(hs, func(h support.Holiday) bool { return h.ID == id && h.Date.Equal(date(2022, 6, 5)) })
	}
	if !in(support.Holidays(2022), "holiday.whit_sunday") || !in(support.ClosedDays(2022), "holiday.constitution_day") {
		t.Error("5 June 2022 is missing from Holidays or ClosedDays")
	}
}

func TestHolidayIDs(t *testing.T) {
	t.Parallel()
	ids := support.HolidayIDs()
	if len(ids) != 14 {
		t.Errorf("%d IDs, want 14", len(ids))
	}
	for _, id := range ids {
		if !strings.HasPrefix(id, "holiday.") {
			t.Errorf("ID %q lacks the holiday. prefix", id)
		}
	}
	seen := map[string]bool{}
	for y := 2000; y <= 2040; y++ {
		for _, h := range append(support.Holidays(y), support.ClosedDays(y)...) {
			if !slices.Contains(ids, h.ID) {
				t.Errorf("%d: %q is not in HolidayIDs", y, h.ID)
			}
			seen[h.ID] = true
		}
	}
	if len(seen) != len(ids) {
		t.Errorf("years 2000–2040 use %d IDs, HolidayIDs has %d", len(seen), len(ids))
	}
}

// TestHolidaysReturnsCopy checks that a caller changing the result cannot change the cache.
func TestHolidaysReturnsCopy(t *testing.T) {
	t.Parallel()
	support.Holidays(2031)[0].ID = "changed"
	if got := support.Holidays(2031)[0].ID; got != "holiday.new_years_day" {
		t.Errorf("first holiday of 2031 became %q", got)
	}
}

// TestHolidayOnConcurrent is for the race detector: the per-year cache is filled from many
// goroutines at once.
func TestHolidayOnConcurrent(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for y := 2100; y < 2140; y++ {
				if _, ok := support.HolidayOn(date(y+g%2, time.December, 25)); !ok {
					t.Errorf("Christmas Day %d missing", y)
				}
			}
		})
	}
	wg.Wait()
}

func copenhagen(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
