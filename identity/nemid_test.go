package identity

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"mitidportal/locales"
)

// cph is a moment on the Copenhagen wall clock.
func cph(t *testing.T, y int, mo time.Month, d, h, mi, s int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(y, mo, d, h, mi, s, 0, loc)
}

func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// TestNemIDStatusRule: the state, the days left in Copenhagen days (0 on the last day, the
// date in Copenhagen and not in UTC) across both daylight-saving changes, and past.
func TestNemIDStatusRule(t *testing.T) {
	t.Parallel()
	sel := cph(t, 2026, 3, 28, 23, 30, 0) // the night before summer time begins
	selected := nemidRow{HasNemID: true, SelectedAt: &sel, Deadline: day(2026, 4, 27)}
	days := int32(30)
	extended := selected
	extended.Deadline, extended.ExtendedAt, extended.ExtensionDays = day(2026, 5, 27), &sel, &days
	autumn := cph(t, 2026, 10, 1, 9, 0, 0)
	winter := nemidRow{HasNemID: true, SelectedAt: &autumn, Deadline: day(2026, 10, 31)}
	done := selected
	done.HasNemID = false
	tests := []struct {
		name  string
		row   nemidRow
		now   time.Time
		state NemIDState
		left  int
		past  bool
		can   bool
	}{
		{"no nemid", nemidRow{}, sel, NemIDNone, 0, false, false},
		{"nemid, not selected", nemidRow{HasNemID: true}, sel, NemIDNotSelected, 0, false, false},
		{"selection day", selected, sel, NemIDSelected, 30, false, true},
		// 28 March 23:30 is 22:30 UTC; at 00:30 on the 29th (summer time began at 02:00) one
		// Copenhagen day has passed.
		{"after midnight into summer time", selected, cph(t, 2026, 3, 29, 0, 30, 0), NemIDSelected, 29, false, true},
		{"last second of the day before", selected, cph(t, 2026, 4, 26, 23, 59, 59), NemIDSelected, 1, false, true},
		// 00:30 in Copenhagen is still 26 April in UTC: the Copenhagen date counts.
		{"first minute of the last day", selected, cph(t, 2026, 4, 27, 0, 30, 0), NemIDSelected, 0, false, true},
		{"last second of the last day", selected, cph(t, 2026, 4, 27, 23, 59, 59), NemIDSelected, 0, false, true},
		{"midnight after the last day", selected, cph(t, 2026, 4, 28, 0, 0, 0), NemIDSelected, -1, true, false},
		{"extended", extended, cph(t, 2026, 4, 28, 0, 0, 0), NemIDSelected, 29, false, false},
		// Winter time begins 25 October at 03:00: the day with 25 hours counts as one.
		{"across the end of summer time", winter, cph(t, 2026, 10, 24, 12, 0, 0), NemIDSelected, 7, false, true},
		{"the day after the 25-hour day", winter, cph(t, 2026, 10, 26, 0, 0, 1), NemIDSelected, 5, false, true},
		{"done", done, cph(t, 2026, 4, 1, 12, 0, 0), NemIDDone, 26, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := nemidStatus(tt.row, tt.now)
			if st.State != tt.state {
				t.Fatalf("state %s, want %s", st.State, tt.state)
			}
			if tt.row.SelectedAt != nil && (st.DaysLeft != tt.left || st.Past != tt.past) {
				t.Errorf("days left %d past %v, want %d %v", st.DaysLeft, st.Past, tt.left, tt.past)
			}
			if st.CanExtend() != tt.can {
				t.Errorf("can extend %v, want %v", st.CanExtend(), tt.can)
			}
		})
	}
}

// selectedCitizen makes a MitID whose person a bank selected at the env clock's now.
func (e *env) selectedCitizen() MitID {
	e.t.Helper()
	m := e.bareMitID()
	if err := e.persons.SelectForNemIDMove(context.Background(), m.CPR, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// TestExtendNemID: one extension by the configured days, in the activity log; the second is
// refused; on the last day it is still allowed, the day after refused; a person who is not
// selected or has moved is refused; a second selection does not move the deadline.
func TestExtendNemID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, Config{NemIDExtensionDays: 14})
	m := e.selectedCitizen()
	st, err := e.store.NemIDStatusOf(ctx, m.ID)
	if err != nil || st.State != NemIDSelected || st.DaysLeft != NemIDSelectionDays {
		t.Fatalf("after selection: %+v %v", st, err)
	}
	first := st.Deadline
	// A bank asking again later does not move the deadline.
	if err := e.persons.SelectForNemIDMove(ctx, m.CPR, e.clock.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	t.Run("once", func(t *testing.T) {
		got, err := e.store.ExtendNemID(ctx, m.ID, ActorCitizen)
		if err != nil {
			t.Fatal(err)
		}
		if want := first.AddDate(0, 0, 14); !got.Deadline.Equal(want) || !got.Extended || got.ExtensionDays != 14 {
			t.Errorf("extended to %v (%+v), want %v", got.Deadline, got, want)
		}
		if kinds := activityKinds(t, e.store, m.ID); kinds[0] != ActivityNemIDExtended {
			t.Errorf("activity %v", kinds)
		}
	})
	t.Run("second refused", func(t *testing.T) {
		if _, err := e.store.ExtendNemID(ctx, m.ID, ActorCitizen); !errors.Is(err, ErrNemIDAlreadyExtended) {
			t.Errorf("second extension: %v", err)
		}
	})
	t.Run("last day allowed, the day after refused", func(t *testing.T) {
		late := e.selectedCitizen()
		e.clock.Add(NemIDSelectionDays * 24 * time.Hour) // the last day (10:00 UTC)
		if st, _ := e.store.NemIDStatusOf(ctx, late.ID); st.DaysLeft != 0 {
			t.Fatalf("days left %d, want 0", st.DaysLeft)
		}
		other := e.selectedCitizenAt(e.clock.Now().Add(-(NemIDSelectionDays + 1) * 24 * time.Hour))
		if _, err := e.store.ExtendNemID(ctx, other.ID, ActorCitizen); !errors.Is(err, ErrNemIDDeadlinePassed) {
			t.Errorf("after the deadline: %v", err)
		}
		if _, err := e.store.ExtendNemID(ctx, late.ID, ActorCitizen); err != nil {
			t.Errorf("on the last day: %v", err)
		}
	})
	t.Run("not selected or done", func(t *testing.T) {
		plain := e.bareMitID()
		if _, err := e.store.ExtendNemID(ctx, plain.ID, ActorCitizen); !errors.Is(err, ErrNemIDNotSelected) {
			t.Errorf("not selected: %v", err)
		}
		moved := e.selectedCitizen()
		if err := e.persons.SetHasNemID(ctx, moved.CPR, false); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.store.NemIDStatusOf(ctx, moved.ID); st.State != NemIDDone {
			t.Errorf("after closing the NemID: %s", st.State)
		}
		if _, err := e.store.ExtendNemID(ctx, moved.ID, ActorCitizen); !errors.Is(err, ErrNemIDNotSelected) {
			t.Errorf("done: %v", err)
		}
		if _, err := e.store.ExtendNemID(ctx, 1<<40, ActorCitizen); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown mitid: %v", err)
		}
	})
}

// selectedCitizenAt makes a MitID whose person was selected at at.
func (e *env) selectedCitizenAt(at time.Time) MitID {
	e.t.Helper()
	m := e.bareMitID()
	if err := e.persons.SelectForNemIDMove(context.Background(), m.CPR, at); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// TestExtendNemIDParallel: 100 requests at once extend exactly once, with one log entry.
func TestExtendNemIDParallel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, Config{})
	m := e.selectedCitizen()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for range 100 {
		wg.Go(func() {
			_, err := e.store.ExtendNemID(ctx, m.ID, ActorCitizen)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrNemIDAlreadyExtended):
				refused++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok != 1 || refused != 99 {
		t.Errorf("%d extended, %d refused; want 1 and 99", ok, refused)
	}
	st, _ := e.store.NemIDStatusOf(ctx, m.ID)
	if st.DaysLeft != NemIDSelectionDays+DefaultNemIDExtensionDays {
		t.Errorf("days left %d", st.DaysLeft)
	}
	if n := one[int](t, e.pool, `SELECT count(*) FROM activity WHERE mitid_id = $1 AND kind = $2`, m.ID, ActivityNemIDExtended); n != 1 {
		t.Errorf("%d log entries, want 1", n)
	}
}

func TestNemIDMessagesExist(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range NemIDMessageIDs() {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, id) {
				t.Errorf("message %q is missing in %s", id, lang)
			}
		}
	}
}
