package support_test

import (
	"testing"
	"time"

	"mitidportal/support"
)

// TestStoredDeadlines walks a case through a reply, a wait for the citizen over a weekend and
// the citizen's answer, and checks the deadlines the store keeps at each step.
func TestStoredDeadlines(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	e.clock.Set(e.at(2026, 11, 27, 19, 0)) // Friday evening
	c := e.open()
	// 8 h: Fri 1, Sat 6, Sun 1. 60 h: Fri 1, Sat 6, Sun 6, Mon–Wed 36, Thu 11.
	checkDeadline(t, "opened, first response", c.FirstResponse, e.at(2026, 11, 29, 11, 0), 0)
	checkDeadline(t, "opened, resolution", c.Resolution, e.at(2026, 12, 3, 19, 0), 0)
	if !c.NextDue.Equal(c.FirstResponse.Due) || c.Breach(e.clock.Now()) != support.BreachOK {
		t.Errorf("next due %s, breach %s", show(c.NextDue), c.Breach(e.clock.Now()))
	}

	// Saturday 11.00: a reply (2 h used) and the case waits for the citizen.
	e.clock.Set(e.at(2026, 11, 28, 11, 0))
	if _, err := e.cases.AddReply(e.ctx, support.Reply{CaseID: c.ID, StaffID: agent, Body: "Hvilken telefon har du?"}); err != nil {
		t.Fatal(err)
	}
	c, err := e.cases.SetStatus(e.ctx, c.ID, agent, support.StatusWaiting, c.Version)
	if err != nil {
		t.Fatal(err)
	}
	checkDeadline(t, "waiting, first response", c.FirstResponse, time.Time{}, 6*time.Hour)
	checkDeadline(t, "waiting, resolution", c.Resolution, time.Time{}, 58*time.Hour)
	if !c.NextDue.IsZero() || c.Breach(e.at(2026, 12, 20, 0, 0)) != support.BreachPaused || c.FirstResponse.State(e.clock.Now()) != support.BreachMet {
		t.Errorf("waiting: next due %s, breach %s", show(c.NextDue), c.Breach(e.clock.Now()))
	}

	// Tuesday 10.00: the citizen answers; 58 h from then: Tue 10, Wed–Fri 36, Sat 6, Sun 6 (to
	// closing time). Due soon with 12 h left: Friday 20.00.
	e.clock.Set(e.at(2026, 12, 1, 10, 0))
	if _, err := e.cases.AddMessage(e.ctx, support.NewMessage{CaseID: c.ID, Body: "En iPhone 15."}); err != nil {
		t.Fatal(err)
	}
	c = e.get(c.ID)
	if c.Status != support.StatusOpen {
		t.Fatalf("status %s after the answer", c.Status)
	}
	checkDeadline(t, "answered, resolution", c.Resolution, e.at(2026, 12, 6, 16, 0), 0)
	if !c.Resolution.Warn.Equal(e.at(2026, 12, 4, 20, 0)) || !c.NextDue.Equal(c.Resolution.Due) {
		t.Errorf("warn %s, next due %s", show(c.Resolution.Warn), show(c.NextDue))
	}
	for _, tt := range []struct {
		at   time.Time
		want support.BreachState
	}{
		{e.at(2026, 12, 4, 19, 59), support.BreachOK},
		{e.at(2026, 12, 4, 20, 0), support.BreachDueSoon},
		{e.at(2026, 12, 6, 16, 0), support.BreachDueSoon},
		{e.at(2026, 12, 6, 16, 1), support.BreachBreached},
	} {
		if got := c.Breach(tt.at); got != tt.want {
			t.Errorf("Breach(%s) = %s, want %s", show(tt.at), got, tt.want)
		}
	}

	// Resolved on Saturday 5 December: met in time, whatever comes later.
	e.clock.Set(e.at(2026, 12, 5, 12, 0))
	if c, err = e.cases.SetStatus(e.ctx, c.ID, agent, support.StatusResolved, c.Version); err != nil {
		t.Fatal(err)
	}
	if !c.Resolution.Met.Equal(e.clock.Now()) || c.Breach(e.at(2027, 1, 1, 0, 0)) != support.BreachMet || !c.NextDue.IsZero() {
		t.Errorf("resolved: %+v, next due %s", c.Resolution, show(c.NextDue))
	}
}

// TestStoredDeadlinesPriority checks that a change of priority recomputes the deadlines from
// the opening, and that identity theft counts around the clock.
func TestStoredDeadlinesPriority(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	e.clock.Set(e.at(2026, 11, 28, 22, 0)) // Saturday night
	c := e.open()
	checkDeadline(t, "normal", c.FirstResponse, e.at(2026, 11, 30, 10, 0), 0) // Sun 6, Mon 2
	e.clock.Add(time.Hour)
	c, err := e.cases.SetPriority(e.ctx, c.ID, agent, support.PriorityUrgent, c.Version)
	if err != nil {
		t.Fatal(err)
	}
	checkDeadline(t, "urgent", c.FirstResponse, e.at(2026, 11, 29, 11, 0), 0)
	checkDeadline(t, "urgent", c.Resolution, e.at(2026, 11, 30, 10, 0), 0)

	e.clock.Set(e.at(2026, 11, 28, 22, 0))
	theft := e.open(func(n *support.NewCase) { n.Category = support.CategoryIdentityTheft })
	checkDeadline(t, "identity theft", theft.FirstResponse, e.at(2026, 11, 28, 23, 0), 0)
	checkDeadline(t, "identity theft", theft.Resolution, e.at(2026, 11, 29, 6, 0), 0)
}

func checkDeadline(t *testing.T, label string, d support.Deadline, due time.Time, left time.Duration) {
	t.Helper()
	if !d.Due.Equal(due) || d.Left != left {
		t.Errorf("%s: due %s left %v, want due %s left %v", label, show(d.Due), d.Left, show(due), left)
	}
}
