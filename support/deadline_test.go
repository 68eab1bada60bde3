package support_test

import (
	"testing"
	"time"

	"mitidportal/support"
)

// TestDeadlines checks the deadline arithmetic with exact timestamps in the default hours
// (Monday–Friday 08–20, weekends 10–16, closed on holidays) across evenings, weekends, Easter
// 2026 (Maundy Thursday 2 April to Easter Monday 6 April), daylight saving and pauses.
func TestDeadlines(t *testing.T) {
	t.Parallel()
	cph := copenhagen(t)
	s := support.DefaultSchedule(cph)
	at := func(m time.Month, d, hh, mm int) time.Time { return time.Date(2026, m, d, hh, mm, 0, 0, cph) }
	change := func(when time.Time, to support.CaseStatus) support.StatusChange {
		return support.StatusChange{At: when, To: to}
	}
	const (
		login = support.CategoryLogin
		theft = support.CategoryIdentityTheft
	)
	type want struct {
		due, warn time.Time
		left      time.Duration
	}
	tests := []struct {
		name          string
		opened        time.Time
		category      support.Category
		priority      support.Priority
		changes       []support.StatusChange
		firstResponse time.Time
		first, res    want
	}{
		{
			name: "normal, Tuesday morning", opened: at(11, 24, 9, 0), category: login, priority: support.PriorityNormal,
			// 8 h the same day; 60 h: Tue 11, Wed–Fri 36, Sat 6, Sun 6, Mon 1.
			first: want{due: at(11, 24, 17, 0), warn: at(11, 24, 15, 24)},
			res:   want{due: at(11, 30, 9, 0), warn: at(11, 28, 11, 0)},
		},
		{
			name: "normal, Tuesday evening", opened: at(11, 24, 19, 30), category: login, priority: support.PriorityNormal,
			// 30 min on Tuesday, 7 h 30 min on Wednesday. 60 h: Tue 0.5, Wed–Fri 36, Sat 6,
			// Sun 6, Mon 11.5.
			first: want{due: at(11, 25, 15, 30), warn: at(11, 25, 13, 54)},
			res:   want{due: at(11, 30, 19, 30), warn: at(11, 29, 15, 30)},
		},
		{
			name: "high, Friday evening over the weekend", opened: at(11, 27, 19, 0), category: login, priority: support.PriorityHigh,
			// 4 h: Fri 1, Sat 3. 24 h: Fri 1, Sat 6, Sun 6, Mon 11.
			first: want{due: at(11, 28, 13, 0), warn: at(11, 28, 12, 12)},
			res:   want{due: at(11, 30, 19, 0), warn: at(11, 30, 14, 12)},
		},
		{
			name: "low, opened on Saturday night", opened: at(11, 28, 22, 0), category: login, priority: support.PriorityLow,
			// 16 h: Sun 6, Mon 10. 120 h: Sun 6, Mon–Fri 60, Sat 6, Sun 6, Mon–Wed 36, Thu 6.
			first: want{due: at(11, 30, 18, 0), warn: at(11, 30, 14, 48)},
			res:   want{due: at(12, 10, 14, 0), warn: at(12, 8, 14, 0)},
		},
		{
			name: "normal, Wednesday before Easter", opened: at(4, 1, 18, 0), category: login, priority: support.PriorityNormal,
			// 8 h: Wed 2, then closed Maundy Thursday and Good Friday, Sat 4 April 6 = runs out at
			// closing. 60 h: Wed 2, Sat 6, closed Easter Sunday and Monday, Tue–Fri 48, Sat 4.
			first: want{due: at(4, 4, 16, 0), warn: at(4, 4, 14, 24)},
			res:   want{due: at(4, 11, 14, 0), warn: at(4, 10, 12, 0)},
		},
		{
			name: "urgent login on Maundy Thursday", opened: at(4, 2, 10, 0), category: login, priority: support.PriorityUrgent,
			// Opening hours even when urgent: 1 h on Holy Saturday; 8 h: Sat 6, Tue 7 April 2.
			first: want{due: at(4, 4, 11, 0), warn: at(4, 4, 10, 48)},
			res:   want{due: at(4, 7, 10, 0), warn: at(4, 7, 8, 24)},
		},
		{
			name: "identity theft on Good Friday night counts around the clock", opened: at(4, 3, 23, 30), category: theft, priority: support.PriorityUrgent,
			first: want{due: at(4, 4, 0, 30), warn: at(4, 4, 0, 18)},
			res:   want{due: at(4, 4, 7, 30), warn: at(4, 4, 5, 54)},
		},
		{
			name: "identity theft across the change to summer time", opened: time.Date(2026, 3, 29, 1, 30, 0, 0, cph), category: theft, priority: support.PriorityUrgent,
			// 01.30 CET + 1 h real time is 03.30 CEST.
			first: want{due: time.Date(2026, 3, 29, 3, 30, 0, 0, cph), warn: time.Date(2026, 3, 29, 3, 18, 0, 0, cph)},
			res:   want{due: time.Date(2026, 3, 29, 10, 30, 0, 0, cph), warn: time.Date(2026, 3, 29, 8, 54, 0, 0, cph)},
		},
		{
			name: "normal, Saturday before summer time", opened: at(3, 28, 15, 0), category: login, priority: support.PriorityNormal,
			// 8 h: Sat 1, Sun 29 March 10–16 CEST 6, Mon 1. 60 h: Sat 1, Sun 6, Mon–Wed 36,
			// closed Maundy Thursday and Good Friday, Sat 4 April 6, closed Easter Sunday and
			// Monday, Tue 7 April 11.
			first: want{due: at(3, 30, 9, 0), warn: at(3, 29, 15, 24)},
			res:   want{due: at(4, 7, 19, 0), warn: at(4, 4, 15, 0)},
		},
		{
			name: "waiting for the citizen pauses both clocks", opened: at(11, 23, 9, 0), category: login, priority: support.PriorityNormal,
			changes: []support.StatusChange{change(at(11, 23, 9, 10), support.StatusOpen),
				change(at(11, 23, 10, 0), support.StatusWaiting), change(at(11, 25, 14, 0), support.StatusOpen)},
			// 1 h ran before the pause. 7 h from Wed 14.00: Wed 6, Thu 1. 59 h: Wed 6, Thu 12,
			// Fri 12, Sat 6, Sun 6, Mon 12, Tue 5.
			first: want{due: at(11, 26, 9, 0), warn: at(11, 25, 19, 24)},
			res:   want{due: at(12, 1, 13, 0), warn: at(11, 30, 13, 0)},
		},
		{
			name: "still waiting: the clocks stand with the time left", opened: at(11, 23, 9, 0), category: login, priority: support.PriorityNormal,
			changes: []support.StatusChange{change(at(11, 23, 10, 0), support.StatusWaiting)},
			first:   want{left: 7 * time.Hour},
			res:     want{left: 59 * time.Hour},
		},
		{
			name: "a pause in closed hours changes nothing", opened: at(11, 23, 9, 0), category: login, priority: support.PriorityNormal,
			changes: []support.StatusChange{change(at(11, 23, 21, 0), support.StatusWaiting), change(at(11, 24, 7, 0), support.StatusOpen)},
			// 60 h: Mon 11, Tue–Fri 48, Sat 1.
			first: want{due: at(11, 23, 17, 0), warn: at(11, 23, 15, 24)},
			res:   want{due: at(11, 28, 11, 0), warn: at(11, 27, 9, 0)},
		},
		{
			name: "breached before the pause stays breached", opened: at(11, 23, 9, 0), category: login, priority: support.PriorityUrgent,
			changes: []support.StatusChange{change(at(11, 23, 11, 0), support.StatusWaiting)},
			first:   want{due: at(11, 23, 10, 0), warn: at(11, 23, 9, 48)},
			res:     want{left: 6 * time.Hour},
		},
		{
			name: "a pause that begins at the deadline does not save it", opened: at(11, 23, 9, 0), category: login, priority: support.PriorityUrgent,
			changes: []support.StatusChange{change(at(11, 23, 10, 0), support.StatusWaiting)},
			first:   want{due: at(11, 23, 10, 0), warn: at(11, 23, 9, 48)},
			res:     want{left: 7 * time.Hour},
		},
		{
			name: "a reply stops the first-response clock", opened: at(11, 23, 9, 0), category: login, priority: support.PriorityNormal,
			changes:       []support.StatusChange{change(at(11, 23, 10, 0), support.StatusWaiting)},
			firstResponse: at(11, 23, 9, 50),
			first:         want{left: 7*time.Hour + 10*time.Minute},
			res:           want{left: 59 * time.Hour},
		},
		{
			name: "a reply while waiting: the clock had stopped at the pause", opened: at(11, 23, 9, 0), category: login, priority: support.PriorityNormal,
			changes:       []support.StatusChange{change(at(11, 23, 10, 0), support.StatusWaiting), change(at(11, 24, 9, 0), support.StatusOpen)},
			firstResponse: at(11, 23, 12, 0),
			// Resolution: 59 h from Tue 09.00: Tue 11, Wed–Fri 36, Sat 6, Sun 6 = closing time.
			first: want{left: 7 * time.Hour},
			res:   want{due: at(11, 29, 16, 0), warn: at(11, 27, 20, 0)},
		},
		{
			name: "a late reply", opened: at(11, 23, 9, 0), category: login, priority: support.PriorityUrgent,
			firstResponse: at(11, 23, 10, 1),
			first:         want{due: at(11, 23, 10, 0), warn: at(11, 23, 9, 48)},
			res:           want{due: at(11, 23, 17, 0), warn: at(11, 23, 15, 24)},
		},
		{
			name: "resolved and reopened the next morning", opened: at(11, 23, 8, 0), category: login, priority: support.PriorityNormal,
			changes: []support.StatusChange{change(at(11, 23, 12, 0), support.StatusResolved), change(at(11, 24, 8, 0), support.StatusOpen)},
			// 4 h ran. First response: 4 h from Tue 08.00. Resolution: 56 h: Tue–Fri 48, Sat 6, Sun 2.
			first: want{due: at(11, 24, 12, 0), warn: at(11, 24, 10, 24)},
			res:   want{due: at(11, 29, 12, 0), warn: at(11, 27, 16, 0)},
		},
		{
			name: "resolved and closed", opened: at(11, 23, 8, 0), category: login, priority: support.PriorityNormal,
			changes: []support.StatusChange{change(at(11, 23, 12, 0), support.StatusResolved), change(at(11, 25, 9, 0), support.StatusClosed)},
			first:   want{left: 4 * time.Hour},
			res:     want{left: 56 * time.Hour},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, res := s.Deadlines(support.Timing{Opened: tt.opened, Category: tt.category, Priority: tt.priority,
				Changes: tt.changes, FirstResponse: tt.firstResponse})
			check := func(label string, got support.Deadline, w want) {
				t.Helper()
				if !got.Due.Equal(w.due) || !got.Warn.Equal(w.warn) || got.Left != w.left {
					t.Errorf("%s deadline\n got due %s warn %s left %v\nwant due %s warn %s left %v", label,
						show(got.Due), show(got.Warn), got.Left, show(w.due), show(w.warn), w.left)
				}
			}
			check("first-response", first, tt.first)
			check("resolution", res, tt.res)
			if span := support.TargetsFor(tt.priority); first.Span != span.FirstResponse || res.Span != span.Resolution {
				t.Errorf("spans %v/%v, want %+v", first.Span, res.Span, span)
			}
			if !first.Met.Equal(tt.firstResponse) {
				t.Errorf("first response met %s, want %s", show(first.Met), show(tt.firstResponse))
			}
		})
	}
}

func show(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("Mon 2006-01-02 15:04 MST")
}

// TestDeadlineState checks the breach states the queues show.
func TestDeadlineState(t *testing.T) {
	t.Parallel()
	due := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	warn := due.Add(-96 * time.Minute)
	running := support.Deadline{Span: 8 * time.Hour, Due: due, Warn: warn}
	tests := []struct {
		name string
		d    support.Deadline
		now  time.Time
		want support.BreachState
	}{
		{"plenty of time", running, warn.Add(-time.Second), support.BreachOK},
		{"a fifth left", running, warn, support.BreachDueSoon},
		{"at the deadline", running, due, support.BreachDueSoon},
		{"a second late", running, due.Add(time.Second), support.BreachBreached},
		{"paused", support.Deadline{Span: 8 * time.Hour, Left: time.Hour}, due.Add(time.Hour), support.BreachPaused},
		{"met in time", support.Deadline{Span: 8 * time.Hour, Left: time.Hour, Met: warn}, due.Add(time.Hour), support.BreachMet},
		{"met at the deadline", support.Deadline{Span: 8 * time.Hour, Due: due, Warn: warn, Met: due}, due.Add(time.Hour), support.BreachMet},
		{"met late", support.Deadline{Span: 8 * time.Hour, Due: due, Warn: warn, Met: due.Add(time.Minute)}, due.Add(time.Hour), support.BreachBreached},
		{"breached, then paused", support.Deadline{Span: 8 * time.Hour, Due: due, Warn: warn}, due.Add(24 * time.Hour), support.BreachBreached},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.State(tt.now); got != tt.want {
				t.Errorf("State = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestCaseBreach checks that a case shows the worse of its deadlines that still count.
func TestCaseBreach(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	ok := support.Deadline{Span: time.Hour, Due: now.Add(time.Hour), Warn: now.Add(30 * time.Minute)}
	soon := support.Deadline{Span: time.Hour, Due: now.Add(time.Minute), Warn: now.Add(-time.Minute)}
	late := support.Deadline{Span: time.Hour, Due: now.Add(-time.Minute), Warn: now.Add(-time.Hour)}
	paused := support.Deadline{Span: time.Hour, Left: time.Minute}
	lateMet := late
	lateMet.Met = now
	tests := []struct {
		name      string
		status    support.CaseStatus
		first, rs support.Deadline
		want      support.BreachState
	}{
		{"both fine", support.StatusOpen, ok, ok, support.BreachOK},
		{"first response due soon", support.StatusOpen, soon, ok, support.BreachDueSoon},
		{"resolution breached", support.StatusNew, soon, late, support.BreachBreached},
		{"late first response no longer counts", support.StatusOpen, lateMet, ok, support.BreachOK},
		{"waiting", support.StatusWaiting, paused, paused, support.BreachPaused},
		{"waiting after a breach", support.StatusWaiting, late, paused, support.BreachBreached},
		{"resolved in time", support.StatusResolved, paused, support.Deadline{Left: time.Minute, Met: now}, support.BreachMet},
		{"resolved late", support.StatusClosed, late, lateMet, support.BreachBreached},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := support.Case{Status: tt.status, FirstResponse: tt.first, Resolution: tt.rs}
			if got := c.Breach(now); got != tt.want {
				t.Errorf("Breach = %s, want %s", got, tt.want)
			}
		})
	}
}
