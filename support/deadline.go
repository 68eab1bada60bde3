package support

import (
	"time"
)

// OpeningDay is the unit the resolution targets count days in: the opening time of one
// weekday (08.00–20.00). A weekend day (10.00–16.00) counts half.
const OpeningDay = 12 * time.Hour

// Targets is how much clock time a case has for its first response and for its resolution.
type Targets struct {
	FirstResponse, Resolution time.Duration
}

// targets is the deadline policy, in the clock time of the case (OpeningHours or
// AroundTheClock):
//
//	priority  first response  resolution
//	urgent    1 h             8 h
//	high      4 h             2 opening days (24 h)
//	normal    8 h             5 opening days (60 h)
//	low       16 h            10 opening days (120 h)
var targets = map[Priority]Targets{
	PriorityUrgent: {FirstResponse: time.Hour, Resolution: 8 * time.Hour},
	PriorityHigh:   {FirstResponse: 4 * time.Hour, Resolution: 2 * OpeningDay},
	PriorityNormal: {FirstResponse: 8 * time.Hour, Resolution: 5 * OpeningDay},
	PriorityLow:    {FirstResponse: 16 * time.Hour, Resolution: 10 * OpeningDay},
}

// TargetsFor returns the deadline spans of a priority.
func TargetsFor(p Priority) Targets { return targets[p] }

// AroundTheClock reports whether a case's deadlines count every hour of every day rather
// than opening hours: identity-theft cases, which are always urgent and are handled by the
// 24/7 blocking line.
func AroundTheClock(c Category) bool { return c == CategoryIdentityTheft }

// DueSoonDivisor sets when a running deadline turns "due soon" in the queues: when less than
// span/DueSoonDivisor (a fifth) of its clock time is left.
const DueSoonDivisor = 5

// BreachState is how a deadline stands, for the queues.
type BreachState string

// Breach states.
const (
	// BreachOK: the clock runs and more than a fifth of the span is left.
	BreachOK BreachState = "ok"
	// BreachDueSoon: the clock runs and less than a fifth of the span is left.
	BreachDueSoon BreachState = "due_soon"
	// BreachBreached: the deadline passed before it was met (it may have been met late).
	BreachBreached BreachState = "breached"
	// BreachPaused: the clock is stopped with time left (waiting for the citizen, resolved).
	BreachPaused BreachState = "paused"
	// BreachMet: the deadline was met in time.
	BreachMet BreachState = "met"
)

// BreachStates lists every state.
var BreachStates = []BreachState{BreachOK, BreachDueSoon, BreachBreached, BreachPaused, BreachMet}

// MsgID is the message ID of the state's display name.
func (b BreachState) MsgID() string { return "support.breach." + string(b) }

func (b BreachState) severity() int {
	switch b {
	case BreachBreached:
		return 4
	case BreachDueSoon:
		return 3
	case BreachOK:
		return 2
	case BreachPaused:
		return 1
	}
	return 0
}

// Deadline is one deadline of a case: its span and where it stands.
type Deadline struct {
	// Span is the clock time allowed (TargetsFor).
	Span time.Duration
	// Due is when the deadline is reached while its clock runs, or was reached if it was
	// breached. It is zero while the clock is stopped with time left.
	Due time.Time
	// Warn is when less than a fifth of Span is left; zero while the clock is stopped (Due is
	// zero).
	Warn time.Time
	// Left is the clock time that was left when the clock stopped (Due is zero then).
	Left time.Duration
	// Met is when the deadline was met: the first reply or call, or the resolution. Zero until
	// then. A deadline met at its Due is met in time.
	Met time.Time
}

// State returns how the deadline stands at now. Due itself still counts as in time.
func (d Deadline) State(now time.Time) BreachState {
	switch {
	case !d.Due.IsZero() && (d.Met.After(d.Due) || d.Met.IsZero() && now.After(d.Due)):
		return BreachBreached
	case !d.Met.IsZero():
		return BreachMet
	case d.Due.IsZero():
		return BreachPaused
	case !d.Warn.IsZero() && !now.Before(d.Warn):
		return BreachDueSoon
	}
	return BreachOK
}

// StatusChange is one change of a case's status, as the deadlines see the timeline.
type StatusChange struct {
	At time.Time
	To CaseStatus
}

// Timing is everything a case's deadlines depend on.
type Timing struct {
	Opened   time.Time
	Category Category
	Priority Priority
	// Changes are the case's status changes in order; a case opens as new.
	Changes []StatusChange
	// FirstResponse is when the first reply or call was; zero before it.
	FirstResponse time.Time
}

// Deadlines computes a case's first-response and resolution deadlines. Both count from the
// opening of the case in the case's clock: the desk's opening hours (s), or around the clock
// for identity theft. Both clocks stop while the case waits for the citizen or is resolved,
// and go on with the time that was left when the case is reopened or the citizen answers; a
// deadline already breached when its clock stops stays breached. A change of priority
// applies the new spans from the opening of the case. The first-response clock stops for good
// at the first response, the resolution clock at the (last) resolution.
func (s Schedule) Deadlines(t Timing) (first, resolution Deadline) {
	var clk clock = s
	if AroundTheClock(t.Category) {
		clk = aroundTheClock{}
	}
	span := TargetsFor(t.Priority)
	stops := pauses(t.Changes)

	var resolved time.Time
	if n := len(t.Changes); n > 0 && !t.Changes[n-1].To.Active() {
		for _, c := range t.Changes {
			if c.To == StatusResolved {
				resolved = c.At
			}
		}
	}
	first = deadline(clk, t.Opened, span.FirstResponse, stopAt(stops, t.FirstResponse), t.FirstResponse)
	resolution = deadline(clk, t.Opened, span.Resolution, stops, resolved)
	return first, resolution
}

// clock counts time towards a deadline: Schedule counts opening hours.
type clock interface {
	AddOpenDuration(start time.Time, d time.Duration) time.Time
	OpenDurationBetween(a, b time.Time) time.Duration
}

// aroundTheClock counts every hour of every day.
type aroundTheClock struct{}

func (aroundTheClock) AddOpenDuration(start time.Time, d time.Duration) time.Time {
	return start.Add(max(d, 0))
}

func (aroundTheClock) OpenDurationBetween(a, b time.Time) time.Duration { return max(b.Sub(a), 0) }

// interval is a stretch of time with the clocks stopped; a zero To means it has not ended.
type interval struct{ From, To time.Time }

// pauses returns the stretches in which the case was not new or open.
func pauses(changes []StatusChange) []interval {
	var out []interval
	running := true
	for _, c := range changes {
		run := c.To.running()
		switch {
		case running && !run:
			out = append(out, interval{From: c.At})
		case !running && run:
			out[len(out)-1].To = c.At
		}
		running = run
	}
	return out
}

// stopAt returns the pauses with the clock stopped for good from at on (unchanged when at is
// zero).
func stopAt(stops []interval, at time.Time) []interval {
	if at.IsZero() {
		return stops
	}
	var out []interval
	for _, p := range stops {
		if !p.From.Before(at) {
			break
		}
		if p.To.IsZero() || p.To.After(at) {
			return append(out, interval{From: p.From})
		}
		out = append(out, p)
	}
	return append(out, interval{From: at})
}

// deadline places one deadline of span from start with the clock stopped in stops.
func deadline(clk clock, start time.Time, span time.Duration, stops []interval, met time.Time) Deadline {
	d := Deadline{Span: span, Met: met}
	d.Due, d.Left = reach(clk, start, span, stops)
	if !d.Due.IsZero() {
		d.Warn, _ = reach(clk, start, span-span/DueSoonDivisor, stops)
	}
	return d
}

// reach returns when span of clock time has run from start, the clock stopped in stops (in
// order, not overlapping). When the clock stops for good first, at is zero and left is what
// remained. A stop that begins exactly when the span runs out does not save it: at is that
// instant (a response at that instant is still in time, see State; a pause is not).
func reach(clk clock, start time.Time, span time.Duration, stops []interval) (at time.Time, left time.Duration) {
	t, rem := start, span
	for _, p := range stops {
		if p.From.Before(t) {
			p.From = t
		}
		due := clk.AddOpenDuration(t, rem)
		if !due.After(p.From) {
			return due, 0
		}
		rem -= clk.OpenDurationBetween(t, p.From)
		if p.To.IsZero() {
			return time.Time{}, rem
		}
		if p.To.After(t) {
			t = p.To
		}
	}
	return clk.AddOpenDuration(t, rem), 0
}
