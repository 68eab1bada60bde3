package support_test

import (
	"reflect"
	"testing"
	"time"

	"mitidportal/support"
)

// agentCase opens a case at opened for assignee (0: nobody), answers it after first (0: never)
// and resolves it after resolved (0: never).
func (e *caseEnv) agentCase(opened time.Time, assignee int64, first, resolved time.Duration) support.Case {
	e.t.Helper()
	c := e.openAt(opened, support.ChannelWeb, support.SystemMitID, support.CategoryLogin)
	if assignee != 0 {
		if _, err := e.cases.Assign(e.ctx, c.ID, assignee, assignee, e.get(c.ID).Version); err != nil {
			e.t.Fatal(err)
		}
	}
	if first != 0 {
		e.replyAt(opened.Add(first), c, assignee)
	}
	if resolved != 0 {
		e.statusAt(opened.Add(resolved), c, assignee, support.StatusResolved)
	}
	return e.get(c.ID)
}

// TestAgentStats seeds cases with known times for two agents, a supervisor without cases and
// the unassigned pile, and checks each figure for Monday 23 to Wednesday 25 November 2026.
func TestAgentStats(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	a1, a2, super := e.staff(), e.staff(), e.staff("supervisor")
	e.staff("admin") // neither agent nor supervisor: no row
	day := func(d, hh, mm int) time.Time { return e.at(2026, time.November, d, hh, mm) }
	h, m := time.Hour, time.Minute

	// Before the period: not handled in it.
	e.agentCase(day(20, 9, 0), a2, 10*m, 20*m)
	// a1: handled 1 h, 3 h and 24 h (median 3 h), first responses 30 min, 1 h, 3 h (median 1 h),
	// and one open case never answered.
	e.agentCase(day(23, 9, 0), a1, 1*h, 3*h)
	e.agentCase(day(24, 9, 0), a1, 3*h, 24*h)
	e.agentCase(day(24, 9, 0), a1, 30*m, 1*h)
	e.agentCase(day(25, 9, 0), a1, 0, 0)
	// a2: an even count takes the mean of the middle two: handling 40 min and 2 h (median
	// 1 h 20 min), first responses 10 and 50 min (median 30 min).
	e.agentCase(day(23, 9, 0), a2, 10*m, 40*m)
	e.agentCase(day(23, 9, 0), a2, 50*m, 2*h)
	// Nobody's: open.
	e.agentCase(day(24, 10, 0), 0, 0, 0)

	got, err := e.cases.AgentStats(e.ctx, support.Period{From: day(23, 0, 0), To: day(25, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	want := []support.AgentFigures{
		{StaffID: 0, Open: 1},
		{StaffID: a1, Handled: 3, MedianHandling: 3 * h, Open: 1, Responded: 3, MedianFirstResponse: h},
		{StaffID: a2, Handled: 2, MedianHandling: h + 20*m, Responded: 2, MedianFirstResponse: 30 * m},
		{StaffID: super},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AgentStats:\n got %+v\nwant %+v", got, want)
	}
	if _, err := e.cases.AgentStats(e.ctx, support.Period{From: day(25, 0, 0), To: day(23, 0, 0)}); err != support.ErrPeriodOrder {
		t.Errorf("a period backwards: %v", err)
	}
}

// TestEachCase lists the cases opened in the period, oldest first, with their times and how
// their deadlines went as of Thursday noon.
func TestEachCase(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	day := func(d, hh, mm int) time.Time { return e.at(2026, time.November, d, hh, mm) }
	e.agentCase(day(20, 9, 0), agent, time.Hour, 2*time.Hour) // before the period
	answered := e.agentCase(day(23, 9, 0), agent, time.Hour, 3*time.Hour)
	// Opened Tuesday 10.00, never answered: 8 opening hours to the first response, due 18.00.
	silent := e.agentCase(day(24, 10, 0), 0, 0, 0)
	e.agentCase(day(26, 9, 0), agent, 0, 0) // after the period
	e.clock.Set(day(26, 12, 0))

	var rows []support.CaseRow
	err := e.cases.EachCase(e.ctx, support.Period{From: day(23, 0, 0), To: day(25, 0, 0)}, func(r support.CaseRow) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Ref != answered.Ref || rows[1].Ref != silent.Ref {
		t.Fatalf("rows %+v", rows)
	}
	a := rows[0]
	if !a.Created.Equal(day(23, 9, 0)) || !a.FirstResponse.Equal(day(23, 10, 0)) || !a.Resolved.Equal(day(23, 12, 0)) ||
		a.Status != support.StatusResolved || a.System != support.SystemMitID || a.Channel != support.ChannelWeb ||
		a.Priority != support.PriorityNormal || a.FirstResponseMet != support.OutcomeMet || a.ResolutionMet != support.OutcomeMet {
		t.Errorf("answered case: %+v", a)
	}
	s := rows[1]
	if !s.FirstResponse.IsZero() || !s.Resolved.IsZero() || s.FirstResponseMet != support.OutcomeBreached ||
		s.ResolutionMet != support.OutcomePending {
		t.Errorf("silent case: %+v", s)
	}
	// An error from the callback stops the export and comes back.
	stop := support.ErrNotFound
	if err := e.cases.EachCase(e.ctx, support.Period{From: day(23, 0, 0), To: day(25, 0, 0)},
		func(support.CaseRow) error { return stop }); err == nil {
		t.Error("the callback's error was lost")
	}
}
