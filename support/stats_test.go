package support_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"mitidportal/support"
)

// statsCase opens a case at a moment of the test's week.
func (e *caseEnv) openAt(at time.Time, ch support.Channel, sys support.System, cat support.Category) support.Case {
	e.t.Helper()
	e.clock.Set(at)
	return e.open(func(n *support.NewCase) { n.Channel, n.System, n.Category = ch, sys, cat })
}

func (e *caseEnv) replyAt(at time.Time, c support.Case, staffID int64) {
	e.t.Helper()
	e.clock.Set(at)
	if _, err := e.cases.AddReply(e.ctx, support.Reply{CaseID: c.ID, StaffID: staffID, Body: "Svar"}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *caseEnv) statusAt(at time.Time, c support.Case, staffID int64, to support.CaseStatus) {
	e.t.Helper()
	e.clock.Set(at)
	if _, err := e.cases.SetStatus(e.ctx, c.ID, staffID, to, e.get(c.ID).Version); err != nil {
		e.t.Fatal(err)
	}
}

func (e *caseEnv) actionAt(at time.Time, c support.Case, staffID int64, kind support.ActionKind) {
	e.t.Helper()
	e.clock.Set(at)
	_, err := e.cases.RecordAction(e.ctx, support.Action{CaseID: c.ID, StaffID: staffID, Kind: kind,
		Detail: map[string]any{"reason": "stolen"}})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestStats builds a week of cases with known timelines around the period Monday 23 to
// Wednesday 25 November 2026 and checks every figure of the dashboard, for that period and
// for the Thursday after it, as of Thursday noon.
func TestStats(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	const (
		phone, web, mail = support.ChannelPhone, support.ChannelWeb, support.ChannelEmail
		theft            = support.CategoryIdentityTheft
	)
	day := func(d, hh, mm int) time.Time { return e.at(2026, time.November, d, hh, mm) }

	// E: opened before the period, resolved in it, in time, after 98 hours.
	caseE := e.openAt(day(20, 10, 0), web, support.SystemVirk, support.CategoryBusiness)
	e.replyAt(day(20, 11, 0), caseE, agent)
	// J: opened a minute before the period, never answered: first response due Monday 16.00.
	e.openAt(day(22, 23, 59), web, support.SystemVirk, support.CategoryBusiness)
	// D: identity theft around the clock: blocked Monday night, answered within the hour (due
	// 23.00), resolved within 8 hours (due Tuesday 06.00) after 7 hours.
	caseD := e.openAt(day(23, 22, 0), mail, support.SystemMitID, theft)
	e.actionAt(day(23, 22, 10), caseD, agent, support.ActionBlock)
	e.replyAt(day(23, 22, 30), caseD, agent)
	e.statusAt(day(24, 5, 0), caseD, agent, support.StatusResolved)
	// Tuesday 09.00: A (normal, answered and resolved in time after 2 hours), B (high: first
	// response due 13.00, answered 14.00; resolution due Thursday 09.00, after the period), C
	// (identity theft: no first response by 10.00, blocked twice Tuesday and once Wednesday,
	// resolved Wednesday 10.30 after its 17.00 deadline, 25.5 hours after opening).
	caseA := e.openAt(day(24, 9, 0), web, support.SystemMitID, support.CategoryLogin)
	caseB := e.openAt(day(24, 9, 0), phone, support.SystemNemKonto, support.CategoryLostMeans)
	if _, err := e.cases.SetPriority(e.ctx, caseB.ID, agent, support.PriorityHigh, caseB.Version); err != nil {
		t.Fatal(err)
	}
	caseC := e.openAt(day(24, 9, 0), phone, support.SystemMitID, theft)
	e.actionAt(day(24, 9, 30), caseC, agent, support.ActionBlock)
	e.actionAt(day(24, 9, 45), caseC, agent, support.ActionBlockMeans)
	e.replyAt(day(24, 10, 0), caseA, agent)
	e.statusAt(day(24, 11, 0), caseA, agent, support.StatusResolved)
	e.statusAt(day(24, 12, 0), caseE, agent, support.StatusResolved)
	e.actionAt(day(24, 12, 0), caseB, agent, support.ActionBlock) // not identity theft: no count
	e.replyAt(day(24, 14, 0), caseB, agent)
	// H: waiting for the citizen before its first response: both clocks paused, nothing due.
	caseH := e.openAt(day(25, 9, 0), web, support.SystemDigitalPost, support.CategoryOther)
	e.statusAt(day(25, 9, 30), caseH, agent, support.StatusWaiting)
	e.actionAt(day(25, 10, 0), caseC, agent, support.ActionBlock)
	e.statusAt(day(25, 10, 30), caseC, agent, support.StatusResolved)
	// I: opened late on the last day (already Thursday in UTC); first response due Thursday 16.00.
	e.openAt(day(25, 23, 30), web, support.SystemVirk, support.CategoryBusiness)
	// G: identity theft after the period, blocked at once; first response due Thursday 10.00.
	caseG := e.openAt(day(26, 9, 0), phone, support.SystemMitID, theft)
	e.actionAt(day(26, 9, 5), caseG, agent, support.ActionBlock)
	e.clock.Set(day(26, 12, 0))

	count := func(all []support.Count, n ...int) []support.Count {
		out := make([]support.Count, len(all))
		for i, c := range all {
			out[i] = support.Count{Key: c.Key, MsgID: c.MsgID, N: n[i]}
		}
		return out
	}
	zero, _ := e.cases.Stats(e.ctx, support.Period{From: day(1, 0, 0), To: day(1, 0, 0)})
	blocks := func(from int, n ...int) []support.DayCount {
		var out []support.DayCount
		for i, k := range n {
			out = append(out, support.DayCount{Day: day(from+i, 0, 0), N: k})
		}
		return out
	}
	for _, tt := range []struct {
		name   string
		period support.Period
		want   support.Stats
	}{
		{"Monday to Wednesday", support.Period{From: day(23, 0, 0), To: day(25, 0, 0)}, support.Stats{
			Opened: 6,
			// mitid, mitid_erhverv, digital_post, nemkonto, virk, borger_dk
			BySystem: count(zero.BySystem, 3, 0, 1, 1, 1, 0),
			// login, lost_means, identity_theft, block, lift_block, registration, business, accessibility, other
			ByCategory: count(zero.ByCategory, 1, 1, 2, 0, 0, 0, 1, 0, 1),
			// phone, web, email, in_person
			ByChannel:      count(zero.ByChannel, 2, 3, 1, 0),
			FirstResponse:  support.Compliance{Met: 2, Breached: 3}, // A, D; B, C, J (Monday 16.00)
			Resolution:     support.Compliance{Met: 3, Breached: 1}, // A, D, E; C
			BlocksPerDay:   blocks(23, 1, 1, 1),
			Blocks:         3,
			Resolved:       4, // 2 h, 7 h, 25.5 h, 98 h
			MedianHandling: 16*time.Hour + 15*time.Minute,
		}},
		{"Thursday, as of noon", support.Period{From: day(26, 0, 0), To: day(26, 0, 0)}, support.Stats{
			Opened:        1,
			BySystem:      count(zero.BySystem, 1, 0, 0, 0, 0, 0),
			ByCategory:    count(zero.ByCategory, 0, 0, 1, 0, 0, 0, 0, 0, 0),
			ByChannel:     count(zero.ByChannel, 1, 0, 0, 0),
			FirstResponse: support.Compliance{Breached: 1}, // G at 10.00; I is due at 16.00
			Resolution:    support.Compliance{Breached: 1}, // B at 09.00; G is due at 17.00
			BlocksPerDay:  blocks(26, 1),
			Blocks:        1,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.cases.Stats(e.ctx, tt.period)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Period = tt.period
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("stats:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if p, ok := (support.Compliance{Met: 2, Breached: 1}).Percent(); !ok || p != 67 {
		t.Errorf("2 of 3 met: %d%%, %v; want 67%%", p, ok)
	}
	if _, ok := (support.Compliance{}).Percent(); ok {
		t.Error("a share of nothing due")
	}
}

// TestStatsPeriod: a period must not end before it starts nor be longer than a (leap) year.
func TestStatsPeriod(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	d := func(y int, m time.Month, day int) time.Time { return e.at(y, m, day, 0, 0) }
	for _, tt := range []struct {
		name     string
		from, to time.Time
		want     error
		days     int
	}{
		{"one day", d(2026, 3, 29), d(2026, 3, 29), nil, 1},
		{"across summer time", d(2026, 3, 28), d(2026, 3, 30), nil, 3},
		{"a leap year", d(2028, 1, 1), d(2028, 12, 31), nil, 366},
		{"a day more than a year", d(2026, 1, 1), d(2027, 1, 2), support.ErrPeriodTooLong, 0},
		{"backwards", d(2026, 5, 2), d(2026, 5, 1), support.ErrPeriodOrder, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := support.Period{From: tt.from, To: tt.to}
			st, err := e.cases.Stats(e.ctx, p)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Stats: %v, want %v", err, tt.want)
			}
			if err == nil && (len(st.BlocksPerDay) != tt.days || !st.BlocksPerDay[0].Day.Equal(tt.from)) {
				t.Errorf("%d days from %v, want %d from %v", len(st.BlocksPerDay), st.BlocksPerDay[0].Day, tt.days, tt.from)
			}
		})
	}
}
