package support_test

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Copenhagen must resolve on machines without zoneinfo.

	"mitidportal/support"
)

func TestStatus(t *testing.T) {
	t.Parallel()
	cph := copenhagen(t)
	s := support.DefaultSchedule(cph)
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, cph) }
	utc := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, time.UTC) }
	open := func(closes time.Time) support.Status { return support.Status{Open: true, ClosesAt: closes} }
	closed := func(next time.Time, holidayID string) support.Status {
		return support.Status{NextOpen: next, HolidayID: holidayID}
	}
	tests := []struct {
		name string
		at   time.Time
		want support.Status
	}{
		{"weekday before opening", at(2026, 11, 24, 7, 59), closed(at(2026, 11, 24, 8, 0), "")},
		{"weekday 08.00 sharp", at(2026, 11, 24, 8, 0), open(at(2026, 11, 24, 20, 0))},
		{"weekday last second", at(2026, 11, 24, 19, 59).Add(59 * time.Second), open(at(2026, 11, 24, 20, 0))},
		{"weekday 20.00 sharp", at(2026, 11, 24, 20, 0), closed(at(2026, 11, 25, 8, 0), "")},
		{"saturday noon", at(2026, 11, 28, 12, 0), open(at(2026, 11, 28, 16, 0))},
		{"sunday before opening", at(2026, 11, 29, 9, 59), closed(at(2026, 11, 29, 10, 0), "")},
		{"sunday 16.00 sharp", at(2026, 11, 29, 16, 0), closed(at(2026, 11, 30, 8, 0), "")},
		{"maundy thursday", at(2026, 4, 2, 12, 0), closed(at(2026, 4, 4, 10, 0), "holiday.maundy_thursday")},
		{"good friday", at(2026, 4, 3, 12, 0), closed(at(2026, 4, 4, 10, 0), "holiday.good_friday")},
		{"holy saturday is no holiday", at(2026, 4, 4, 11, 0), open(at(2026, 4, 4, 16, 0))},
		{"easter sunday", at(2026, 4, 5, 12, 0), closed(at(2026, 4, 7, 8, 0), "holiday.easter_sunday")},
		{"easter monday", at(2026, 4, 6, 12, 0), closed(at(2026, 4, 7, 8, 0), "holiday.easter_monday")},
		{"easter monday evening", at(2026, 4, 6, 22, 0), closed(at(2026, 4, 7, 8, 0), "holiday.easter_monday")},
		{"constitution day", at(2026, 6, 5, 12, 0), closed(at(2026, 6, 6, 10, 0), "holiday.constitution_day")},
		{"christmas eve", at(2026, 12, 24, 10, 0), closed(at(2026, 12, 27, 10, 0), "holiday.christmas_eve")},
		{"new year's eve", at(2026, 12, 31, 12, 0), closed(at(2027, 1, 2, 10, 0), "holiday.new_years_eve")},
		{"great prayer day 2023", at(2023, 5, 5, 12, 0), closed(at(2023, 5, 6, 10, 0), "holiday.great_prayer_day")},
		{"its date in 2024 is a working day", at(2024, 4, 26, 12, 0), open(at(2024, 4, 26, 20, 0))},
		{"its date in 2025 is a working day", at(2025, 5, 16, 12, 0), open(at(2025, 5, 16, 20, 0))},
		{"summer, UTC, 08.00 CEST", utc(2026, 7, 1, 6, 0), open(utc(2026, 7, 1, 18, 0))},
		{"summer, UTC, 07.59 CEST", utc(2026, 7, 1, 5, 59), closed(utc(2026, 7, 1, 6, 0), "")},
		{"winter, UTC, 08.00 CET", utc(2026, 1, 14, 7, 0), open(utc(2026, 1, 14, 19, 0))},
		{"winter, UTC, 07.59 CET", utc(2026, 1, 14, 6, 59), closed(utc(2026, 1, 14, 7, 0), "")},
		{"clocks go forward, 10.00 CEST", utc(2026, 3, 29, 8, 0), open(utc(2026, 3, 29, 14, 0))},
		{"clocks go forward, 09.59 CEST", utc(2026, 3, 29, 7, 59), closed(utc(2026, 3, 29, 8, 0), "")},
		{"clocks go back, 10.00 CET", utc(2026, 10, 25, 9, 0), open(utc(2026, 10, 25, 15, 0))},
		{"clocks go back, 09.59 CET", utc(2026, 10, 25, 8, 59), closed(utc(2026, 10, 25, 9, 0), "")},
		{"christmas eve by copenhagen's date", utc(2026, 12, 23, 23, 30), closed(at(2026, 12, 27, 10, 0), "holiday.christmas_eve")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Status(tt.at)
			if got.Open != tt.want.Open || !got.ClosesAt.Equal(tt.want.ClosesAt) ||
				!got.NextOpen.Equal(tt.want.NextOpen) || got.HolidayID != tt.want.HolidayID {
				t.Errorf("Status(%v)\n got %+v\nwant %+v", tt.at, got, tt.want)
			}
			if s.IsOpen(tt.at) != tt.want.Open {
				t.Errorf("IsOpen(%v) = %v", tt.at, !tt.want.Open)
			}
		})
	}
}

func TestNextOpen(t *testing.T) {
	t.Parallel()
	cph := copenhagen(t)
	s := support.DefaultSchedule(cph)
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, cph) }
	tests := []struct {
		name     string
		from     time.Time
		want     time.Time
		wantZone string
	}{
		{"open now", at(2026, 11, 24, 9, 15), at(2026, 11, 24, 9, 15), "CET"},
		{"friday evening", at(2026, 11, 27, 20, 0), at(2026, 11, 28, 10, 0), "CET"},
		{"over maundy thursday and good friday", at(2026, 4, 1, 20, 30), at(2026, 4, 4, 10, 0), "CEST"},
		{"over easter sunday and monday", at(2026, 4, 4, 16, 0), at(2026, 4, 7, 8, 0), "CEST"},
		{"over christmas", at(2026, 12, 23, 20, 0), at(2026, 12, 27, 10, 0), "CET"},
		{"over new year", at(2026, 12, 31, 8, 0), at(2027, 1, 2, 10, 0), "CET"},
		{"into summer time", at(2026, 3, 28, 16, 0), time.Date(2026, 3, 29, 8, 0, 0, 0, time.UTC), "CEST"},
		{"into winter time", at(2026, 10, 24, 16, 0), time.Date(2026, 10, 25, 9, 0, 0, 0, time.UTC), "CET"},
		{"asked in UTC", time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC), at(2026, 11, 28, 10, 0), "CET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.NextOpen(tt.from)
			if zone, _ := got.Zone(); !got.Equal(tt.want) || zone != tt.wantZone {
				t.Errorf("NextOpen(%v) = %v, want %v in %s", tt.from, got, tt.want.In(cph), tt.wantZone)
			}
		})
	}
}

func TestAddOpenDuration(t *testing.T) {
	t.Parallel()
	cph := copenhagen(t)
	s := support.DefaultSchedule(cph)
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, cph) }
	tests := []struct {
		name  string
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"into saturday", at(2026, 11, 27, 19, 0), 2 * time.Hour, at(2026, 11, 28, 11, 0)},
		{"over a weekday evening", at(2026, 11, 24, 18, 0), 3 * time.Hour, at(2026, 11, 25, 9, 0)},
		{"from before opening", at(2026, 11, 24, 6, 0), time.Hour, at(2026, 11, 24, 9, 0)},
		{"ends at closing", at(2026, 11, 24, 19, 0), time.Hour, at(2026, 11, 24, 20, 0)},
		{"one minute over closing", at(2026, 11, 24, 19, 59).Add(30 * time.Second), time.Minute, at(2026, 11, 25, 8, 0).Add(30 * time.Second)},
		{"zero while closed", at(2026, 11, 29, 22, 0), 0, at(2026, 11, 29, 22, 0)},
		{"over maundy thursday and good friday", at(2026, 4, 1, 19, 0), 2 * time.Hour, at(2026, 4, 4, 11, 0)},
		{"over easter sunday and monday", at(2026, 4, 4, 15, 0), 2 * time.Hour, at(2026, 4, 7, 9, 0)},
		{"into summer time", at(2026, 3, 28, 15, 0), 2 * time.Hour, time.Date(2026, 3, 29, 9, 0, 0, 0, time.UTC)},
		{"into winter time", at(2026, 10, 24, 15, 0), 2 * time.Hour, time.Date(2026, 10, 25, 10, 0, 0, 0, time.UTC)},
		{"most of a week", at(2026, 11, 23, 8, 0), 40 * time.Hour, at(2026, 11, 26, 12, 0)},
		{"over a whole week", at(2026, 12, 7, 8, 0), 100 * time.Hour, at(2026, 12, 16, 12, 0)},
		{"over christmas", at(2026, 12, 23, 19, 0), 3 * time.Hour, at(2026, 12, 27, 12, 0)},
		{"start in UTC", time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC), 2 * time.Hour, at(2026, 11, 28, 11, 0)},
		{"over great prayer day 2023", at(2023, 5, 4, 19, 0), 2 * time.Hour, at(2023, 5, 6, 11, 0)},
		{"its date in 2024 counts", at(2024, 4, 25, 19, 0), 2 * time.Hour, at(2024, 4, 26, 9, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.AddOpenDuration(tt.start, tt.d); !got.Equal(tt.want) {
				t.Errorf("AddOpenDuration(%v, %v) = %v, want %v", tt.start, tt.d, got, tt.want.In(cph))
			}
		})
	}
}

func TestOpenDurationBetween(t *testing.T) {
	t.Parallel()
	cph := copenhagen(t)
	s := support.DefaultSchedule(cph)
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, cph) }
	tests := []struct {
		name string
		a, b time.Time
		want time.Duration
	}{
		{"b before a", at(2026, 11, 24, 12, 0), at(2026, 11, 24, 10, 0), 0},
		{"within one day", at(2026, 11, 24, 9, 0), at(2026, 11, 24, 11, 30), 150 * time.Minute},
		{"from closed into open", at(2026, 11, 29, 8, 0), at(2026, 11, 29, 10, 30), 30 * time.Minute},
		{"over a weekend", at(2026, 11, 27, 19, 0), at(2026, 11, 30, 9, 0), 14 * time.Hour},
		{"easter week", at(2026, 4, 1, 0, 0), at(2026, 4, 7, 0, 0), 18 * time.Hour},
		{"nothing open in between", at(2026, 4, 4, 16, 0), at(2026, 4, 7, 8, 0), 0},
		{"weekend of summer time", at(2026, 3, 28, 0, 0), at(2026, 3, 30, 0, 0), 12 * time.Hour},
		{"weekend of winter time", at(2026, 10, 24, 0, 0), at(2026, 10, 26, 0, 0), 12 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.OpenDurationBetween(tt.a, tt.b); got != tt.want {
				t.Errorf("OpenDurationBetween(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

// TestOpenDurationRoundTrip walks start times through Easter and both daylight saving changes
// and checks that AddOpenDuration, OpenDurationBetween and NextOpen agree with each other.
func TestOpenDurationRoundTrip(t *testing.T) {
	t.Parallel()
	cph := copenhagen(t)
	s := support.DefaultSchedule(cph)
	spans := [][2]time.Time{
		{time.Date(2026, 3, 25, 0, 0, 0, 0, cph), time.Date(2026, 4, 10, 0, 0, 0, 0, cph)},
		{time.Date(2026, 10, 22, 0, 0, 0, 0, cph), time.Date(2026, 10, 28, 0, 0, 0, 0, cph)},
		{time.Date(2026, 12, 20, 0, 0, 0, 0, cph), time.Date(2027, 1, 4, 0, 0, 0, 0, cph)},
	}
	durations := []time.Duration{time.Minute, 90 * time.Minute, 13 * time.Hour, 50 * time.Hour}
	for _, span := range spans {
		for a := span[0]; a.Before(span[1]); a = a.Add(37 * time.Minute) {
			for _, d := range durations {
				b := s.AddOpenDuration(a, d)
				if got := s.OpenDurationBetween(a, b); got != d {
					t.Fatalf("OpenDurationBetween(%v, AddOpenDuration(.., %v) = %v) = %v", a, d, b, got)
				}
				if got := s.OpenDurationBetween(a, b.Add(-time.Second)); got >= d {
					t.Fatalf("AddOpenDuration(%v, %v) = %v is not the earliest such moment", a, d, b)
				}
			}
			if x := a.Add(29 * time.Hour); s.IsOpen(x) {
				if got := s.AddOpenDuration(a, s.OpenDurationBetween(a, x)); !got.Equal(x) {
					t.Fatalf("AddOpenDuration(%v, OpenDurationBetween(.., %v)) = %v", a, x, got)
				}
			}
			n := s.NextOpen(a)
			if n.Before(a) || !s.IsOpen(n) || s.OpenDurationBetween(a, n) != 0 {
				t.Fatalf("NextOpen(%v) = %v is not the next open moment", a, n)
			}
		}
	}
}

func TestHours(t *testing.T) {
	t.Parallel()
	s := support.DefaultSchedule(copenhagen(t))
	for d := time.Sunday; d <= time.Saturday; d++ {
		wantOpen, wantClose := 8*60, 20*60
		if d == time.Saturday || d == time.Sunday {
			wantOpen, wantClose = 10*60, 16*60
		}
		if open, close, ok := s.Hours(d); !ok || open != wantOpen || close != wantClose {
			t.Errorf("Hours(%v) = %d, %d, %v; want %d, %d, true", d, open, close, ok, wantOpen, wantClose)
		}
	}
}

func TestClosuresBetween(t *testing.T) {
	t.Parallel()
	cph := copenhagen(t)
	s := support.DefaultSchedule(cph)
	at := func(y int, m time.Month, d, hh int) time.Time { return time.Date(y, m, d, hh, 0, 0, 0, cph) }
	tests := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"spring", at(2026, 3, 20, 12), at(2026, 5, 31, 12), []string{
			"2026-04-02 holiday.maundy_thursday", "2026-04-03 holiday.good_friday", "2026-04-05 holiday.easter_sunday",
			"2026-04-06 holiday.easter_monday", "2026-05-14 holiday.ascension_day", "2026-05-24 holiday.whit_sunday",
			"2026-05-25 holiday.whit_monday",
		}},
		{"new year", at(2026, 12, 20, 12), at(2027, 1, 5, 12), []string{
			"2026-12-24 holiday.christmas_eve", "2026-12-25 holiday.christmas_day", "2026-12-26 holiday.boxing_day",
			"2026-12-31 holiday.new_years_eve", "2027-01-01 holiday.new_years_day",
		}},
		{"both ends are whole days", at(2026, 4, 6, 23), at(2026, 5, 14, 0), []string{
			"2026-04-06 holiday.easter_monday", "2026-05-14 holiday.ascension_day",
		}},
		{"official one on a shared date", at(2022, 6, 1, 0), at(2022, 6, 10, 0), []string{
			"2022-06-05 holiday.whit_sunday", "2022-06-06 holiday.whit_monday",
		}},
		{"none", at(2026, 11, 1, 0), at(2026, 11, 30, 0), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, h := range s.ClosuresBetween(tt.from, tt.to) {
				got = append(got, h.Date.Format(time.DateOnly)+" "+h.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ClosuresBetween\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestCustomSchedule covers what the default schedule cannot: weekdays that are closed, where
// a holiday changes nothing, and an interval running to midnight across a daylight saving change.
func TestCustomSchedule(t *testing.T) {
	t.Parallel()
	cph := copenhagen(t)
	at := func(y int, m time.Month, d, hh int) time.Time { return time.Date(y, m, d, hh, 0, 0, 0, cph) }
	day := support.DayHours{Open: 9 * 60, Close: 15 * 60}
	office, err := support.NewSchedule(cph, [7]support.DayHours{
		time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := office.Hours(time.Sunday); ok {
		t.Error("Hours(Sunday) is open")
	}
	if got, want := office.NextOpen(at(2026, 11, 27, 15)), at(2026, 11, 30, 9); !got.Equal(want) {
		t.Errorf("NextOpen over the weekend = %v, want %v", got, want)
	}
	if st := office.Status(at(2026, 4, 5, 12)); st.HolidayID != "" {
		t.Errorf("Easter Sunday on a closed Sunday gives HolidayID %q", st.HolidayID)
	}
	var got []string
	for _, h := range office.ClosuresBetween(at(2026, 4, 1, 0), at(2026, 4, 10, 0)) {
		got = append(got, h.ID)
	}
	if want := []string{"holiday.maundy_thursday", "holiday.good_friday", "holiday.easter_monday"}; !slices.Equal(got, want) {
		t.Errorf("ClosuresBetween = %q, want %q", got, want)
	}

	allDay, err := support.NewSchedule(cph, [7]support.DayHours{time.Sunday: {Open: 0, Close: 24 * 60}})
	if err != nil {
		t.Fatal(err)
	}
	if got := allDay.OpenDurationBetween(at(2026, 3, 28, 12), at(2026, 3, 30, 12)); got != 23*time.Hour {
		t.Errorf("the 23-hour Sunday counts %v", got)
	}
	if got, want := allDay.AddOpenDuration(at(2026, 3, 29, 23), 2*time.Hour), at(2026, 4, 12, 1); !got.Equal(want) {
		t.Errorf("AddOpenDuration past midnight = %v, want %v", got, want)
	}
}

func TestNewScheduleRejects(t *testing.T) {
	t.Parallel()
	cph := copenhagen(t)
	tests := []struct {
		name string
		loc  *time.Location
		week [7]support.DayHours
	}{
		{"no location", nil, [7]support.DayHours{time.Monday: {Open: 480, Close: 960}}},
		{"never open", cph, [7]support.DayHours{}},
		{"closes before it opens", cph, [7]support.DayHours{time.Monday: {Open: 960, Close: 480}}},
		{"past midnight", cph, [7]support.DayHours{time.Monday: {Open: 480, Close: 24*60 + 1}}},
		{"before midnight", cph, [7]support.DayHours{time.Monday: {Open: -1, Close: 480}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := support.NewSchedule(tt.loc, tt.week); err == nil {
				t.Error("no error")
			}
		})
	}
}
