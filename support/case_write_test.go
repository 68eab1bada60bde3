package support_test

import (
	"errors"
	"testing"
	"time"

	"mitidportal/support"
)

// TestWrittenOnAVersion: a note or call names the case version its form was made on and
// moves it on. The same entry sent again on the old version is ErrRepeated within
// RepeatWindow; anything else on an old version (another text, another person, another
// outcome, the same text later) is ErrWrittenStale; neither writes an entry.
func TestWrittenOnAVersion(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent, colleague := e.staff(), e.staff()
	c := e.open()
	note := func(staff int64, body string, version int) error {
		_, err := e.cases.WriteNote(e.ctx, c.ID, staff, body, version)
		return err
	}
	call := func(outcome support.CallOutcome, note string, version int) error {
		now := e.clock.Now()
		_, err := e.cases.LogCall(e.ctx, support.Call{CaseID: c.ID, StaffID: agent, Start: now.Add(-time.Minute), End: now,
			Outcome: outcome, Note: note, Version: version})
		return err
	}
	v := c.Version
	if err := note(agent, "Ringer tilbage", v); err != nil {
		t.Fatal(err)
	}
	if got := e.get(c.ID).Version; got != v+1 {
		t.Fatalf("a note left the version at %d, want %d", got, v+1)
	}
	for _, tc := range []struct {
		name string
		send func() error
		want error
	}{
		{"the same note again", func() error { return note(agent, " Ringer tilbage\n", v) }, support.ErrRepeated},
		{"another text", func() error { return note(agent, "Ringer i morgen", v) }, support.ErrWrittenStale},
		{"the same text by a colleague", func() error { return note(colleague, "Ringer tilbage", v) }, support.ErrWrittenStale},
		{"the same text as a call", func() error { return call(support.CallSolved, "Ringer tilbage", v) }, support.ErrWrittenStale},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.send(); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if !errors.Is(tc.want, support.ErrConflict) {
				t.Errorf("%v is not a conflict", tc.want)
			}
		})
	}

	// A call, sent again: the outcome counts, the times (minutes up to now) do not.
	v = e.get(c.ID).Version
	if err := call(support.CallFollowUp, "Venter på brev", v); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Minute)
	if err := call(support.CallFollowUp, "Venter på brev", v); !errors.Is(err, support.ErrRepeated) {
		t.Errorf("the same call a minute later: %v, want ErrRepeated", err)
	}
	if err := call(support.CallSolved, "Venter på brev", v); !errors.Is(err, support.ErrWrittenStale) {
		t.Errorf("the call with another outcome: %v, want ErrWrittenStale", err)
	}
	// Past the window, the same text on the old form is no longer a double click.
	e.clock.Add(support.RepeatWindow)
	if err := call(support.CallFollowUp, "Venter på brev", v); !errors.Is(err, support.ErrWrittenStale) {
		t.Errorf("the same call after the window: %v, want ErrWrittenStale", err)
	}
	var notes, calls int
	for _, en := range timeline(t, e, c.ID) {
		switch en.Kind {
		case support.EntryNote:
			notes++
		case support.EntryCall:
			calls++
		}
	}
	if notes != 1 || calls != 1 {
		t.Errorf("%d notes and %d calls, want one of each", notes, calls)
	}
}
