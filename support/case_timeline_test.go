package support_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"mitidportal/support"
)

// TestTimelineAppendOnly checks that the database refuses to change or remove an entry.
func TestTimelineAppendOnly(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	c := e.open()
	for _, stmt := range []string{
		`UPDATE support_entry SET body = 'changed'`,
		`DELETE FROM support_entry`,
		`TRUNCATE support_entry`,
		`DELETE FROM support_case`, // its entries keep a case
	} {
		t.Run(stmt, func(t *testing.T) {
			if _, err := e.pool.Exec(e.ctx, stmt); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	tl, err := e.cases.Timeline(e.ctx, c.ID, true)
	if err != nil || len(tl) != 1 || tl[0].Body != "Min kodeviser viser ingen kode." {
		t.Errorf("timeline after the attempts: %+v, %v", tl, err)
	}
}

// TestChangesWriteEntries checks that every change of the case row writes its entry and adds
// one to the version, that a change to the same value does neither, and that a change on an
// old version is refused.
func TestChangesWriteEntries(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent, other := e.staff(), e.staff("supervisor")
	c := e.open()
	steps := []struct {
		name   string
		do     func(v int) (support.Case, error)
		want   support.Entry // Kind, From, To; Detail when set
		change bool
	}{
		{"assign", func(v int) (support.Case, error) { return e.cases.Assign(e.ctx, c.ID, agent, agent, v) },
			support.Entry{Kind: support.EntryAssignment, From: "", To: itoa(agent)}, true},
		{"assign again", func(v int) (support.Case, error) { return e.cases.Assign(e.ctx, c.ID, agent, agent, v) },
			support.Entry{}, false},
		{"reassign", func(v int) (support.Case, error) { return e.cases.Assign(e.ctx, c.ID, agent, other, v) },
			support.Entry{Kind: support.EntryAssignment, From: itoa(agent), To: itoa(other)}, true},
		{"priority", func(v int) (support.Case, error) {
			return e.cases.SetPriority(e.ctx, c.ID, agent, support.PriorityHigh, v)
		}, support.Entry{Kind: support.EntryPriority, From: "normal", To: "high"}, true},
		{"tags", func(v int) (support.Case, error) {
			return e.cases.SetTags(e.ctx, c.ID, agent, []string{"kodeviser", "ny"}, v)
		}, support.Entry{Kind: support.EntryTags, Detail: map[string]any{"added": []any{"kodeviser", "ny"}, "removed": []any{}}}, true},
		{"same tags", func(v int) (support.Case, error) {
			return e.cases.SetTags(e.ctx, c.ID, agent, []string{"NY", "kodeviser"}, v)
		}, support.Entry{}, false},
		{"other tags", func(v int) (support.Case, error) {
			return e.cases.SetTags(e.ctx, c.ID, agent, []string{"ny", "brev"}, v)
		}, support.Entry{Kind: support.EntryTags, Detail: map[string]any{"added": []any{"brev"}, "removed": []any{"kodeviser"}}}, true},
		{"status", func(v int) (support.Case, error) {
			return e.cases.SetStatus(e.ctx, c.ID, agent, support.StatusOpen, v)
		}, support.Entry{Kind: support.EntryStatus, From: "new", To: "open"}, true},
		{"unassign", func(v int) (support.Case, error) { return e.cases.Assign(e.ctx, c.ID, agent, 0, v) },
			support.Entry{Kind: support.EntryAssignment, From: itoa(other), To: ""}, true},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before := e.get(c.ID)
			n := len(timeline(t, e, c.ID))
			if _, err := s.do(before.Version - 1); !errors.Is(err, support.ErrConflict) {
				t.Errorf("on an old version: %v, want ErrConflict", err)
			}
			got, err := s.do(before.Version)
			if err != nil {
				t.Fatal(err)
			}
			tl := timeline(t, e, c.ID)
			if !s.change {
				if got.Version != before.Version || len(tl) != n {
					t.Errorf("no-op change: version %d→%d, %d→%d entries", before.Version, got.Version, n, len(tl))
				}
				return
			}
			if got.Version != before.Version+1 || len(tl) != n+1 {
				t.Fatalf("version %d→%d, %d→%d entries", before.Version, got.Version, n, len(tl))
			}
			last := tl[n]
			if last.Kind != s.want.Kind || last.From != s.want.From || last.To != s.want.To || last.StaffID != agent ||
				s.want.Detail != nil && !equalJSON(last.Detail, s.want.Detail) {
				t.Errorf("entry %+v, want %+v", last, s.want)
			}
		})
	}
	if got := e.get(c.ID); got.AssigneeID != 0 || got.Priority != support.PriorityHigh || !slices.Equal(got.Tags, []string{"brev", "ny"}) {
		t.Errorf("case after the changes: %+v", got)
	}
}

// TestConcurrentStatusChange checks that of two agents changing the same version, one wins
// and the other is told.
func TestConcurrentStatusChange(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	a, b := e.staff(), e.staff()
	c := e.open()
	errs := make(chan error, 2)
	go func() { _, err := e.cases.SetStatus(e.ctx, c.ID, a, support.StatusResolved, c.Version); errs <- err }()
	go func() { _, err := e.cases.SetStatus(e.ctx, c.ID, b, support.StatusWaiting, c.Version); errs <- err }()
	e1, e2 := <-errs, <-errs
	if (e1 == nil) == (e2 == nil) || !errors.Is(errors.Join(e1, e2), support.ErrConflict) {
		t.Fatalf("errors %v and %v; want one ErrConflict", e1, e2)
	}
	if n := len(timeline(t, e, c.ID)); n != 2 {
		t.Errorf("%d entries, want the message and one status change", n)
	}
}

// TestCitizenMessage checks that a citizen's answer reopens a waiting or resolved case, is
// searchable, is recorded once per mail, and that a closed case refuses it.
func TestCitizenMessage(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	c := e.open()
	reply, err := e.cases.AddReply(e.ctx, support.Reply{CaseID: c.ID, StaffID: agent, Body: "Prøv igen.", MessageID: "<r1@portal.example>"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.cases.ByMessageID(e.ctx, reply.MessageID); err != nil || got.ID != c.ID {
		t.Fatalf("ByMessageID = %d, %v", got.ID, err)
	}
	for _, status := range []support.CaseStatus{support.StatusWaiting, support.StatusResolved} {
		t.Run(string(status), func(t *testing.T) {
			cur := e.get(c.ID)
			if cur.Status != status {
				if _, err := e.cases.SetStatus(e.ctx, c.ID, agent, status, cur.Version); err != nil {
					t.Fatal(err)
				}
			}
			e.clock.Add(time.Hour)
			msg := support.NewMessage{CaseID: c.ID, Body: "Nu er skærmen på min telefon knækket. " + string(status), MessageID: "<" + string(status) + "@mail.example>"}
			m, err := e.cases.AddMessage(e.ctx, msg)
			if err != nil || m.Kind != support.EntryMessage || m.StaffID != 0 {
				t.Fatalf("AddMessage = %+v, %v", m, err)
			}
			again, err := e.cases.AddMessage(e.ctx, msg)
			if err != nil || again.ID != m.ID {
				t.Errorf("the same mail again: %+v, %v", again, err)
			}
			got := e.get(c.ID)
			tl := timeline(t, e, c.ID)
			last := tl[len(tl)-1]
			if got.Status != support.StatusOpen || last.Kind != support.EntryStatus || last.From != string(status) || last.StaffID != 0 {
				t.Errorf("after the message: %s, last entry %+v", got.Status, last)
			}
		})
	}
	res, err := e.cases.Search(e.ctx, "telefonens skærm", 10)
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Case.ID != c.ID {
		t.Errorf("search for the message's words: %+v, %v", res, err)
	}
	cur := e.get(c.ID)
	cur, _ = e.cases.SetStatus(e.ctx, c.ID, agent, support.StatusResolved, cur.Version)
	if _, err := e.cases.SetStatus(e.ctx, c.ID, agent, support.StatusClosed, cur.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cases.AddMessage(e.ctx, support.NewMessage{CaseID: c.ID, Body: "Hallo?"}); !errors.Is(err, support.ErrClosed) {
		t.Errorf("message on a closed case: %v", err)
	}
	if _, err := e.cases.AddMessage(e.ctx, support.NewMessage{CaseID: c.ID, Body: " "}); !errors.Is(err, support.ErrBodyRequired) {
		t.Errorf("empty message: %v", err)
	}
}

// TestFirstResponse checks that the first reply or call meets the first-response deadline and
// later ones do not move it.
func TestFirstResponse(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	opened := e.clock.Now()

	t.Run("reply", func(t *testing.T) {
		c := e.open()
		e.clock.Add(time.Hour)
		if _, err := e.cases.AddNote(e.ctx, c.ID, agent, "Kigger på det."); err != nil {
			t.Fatal(err)
		}
		if got := e.get(c.ID); !got.FirstResponse.Met.IsZero() {
			t.Errorf("a note met the first response")
		}
		if _, err := e.cases.AddReply(e.ctx, support.Reply{CaseID: c.ID, StaffID: agent, Body: "Hej"}); err != nil {
			t.Fatal(err)
		}
		first := e.clock.Now()
		e.clock.Add(time.Hour)
		if _, err := e.cases.AddReply(e.ctx, support.Reply{CaseID: c.ID, StaffID: agent, Body: "Hej igen"}); err != nil {
			t.Fatal(err)
		}
		got := e.get(c.ID)
		if !got.FirstResponse.Met.Equal(first) || got.FirstResponse.State(e.clock.Now()) != support.BreachMet ||
			got.FirstResponse.Left != 7*time.Hour || !got.FirstResponse.Due.IsZero() {
			t.Errorf("first response %+v", got.FirstResponse)
		}
	})
	t.Run("call that began before the case", func(t *testing.T) {
		e.clock.Set(opened.Add(3 * time.Hour))
		c := e.open(func(n *support.NewCase) { n.Channel, n.StaffID = support.ChannelPhone, agent })
		e.clock.Add(10 * time.Minute)
		_, err := e.cases.LogCall(e.ctx, support.Call{CaseID: c.ID, StaffID: agent, Start: c.CreatedAt.Add(-2 * time.Minute),
			End: e.clock.Now(), Outcome: support.CallSolved, Note: "Nulstillet", Version: c.Version})
		if err != nil {
			t.Fatal(err)
		}
		if got := e.get(c.ID); !got.FirstResponse.Met.Equal(c.CreatedAt) || got.FirstResponse.Left != 8*time.Hour {
			t.Errorf("first response %+v, want met at the opening", got.FirstResponse)
		}
		tl := timeline(t, e, c.ID)
		if call := tl[len(tl)-1]; call.CallDuration() != 12*time.Minute || call.Outcome != support.CallSolved {
			t.Errorf("call entry %+v", call)
		}
	})
	t.Run("call validation", func(t *testing.T) {
		c := e.open()
		now := e.clock.Now()
		for _, tt := range []struct {
			name string
			call support.Call
			want error
		}{
			{"end before start", support.Call{Start: now, End: now.Add(-time.Second), Outcome: support.CallSolved}, support.ErrCallTimes},
			{"no start", support.Call{End: now, Outcome: support.CallSolved}, support.ErrCallTimes},
			{"in the future", support.Call{Start: now, End: now.Add(time.Hour), Outcome: support.CallSolved}, support.ErrCallTimes},
			{"13 hours", support.Call{Start: now.Add(-13 * time.Hour), End: now, Outcome: support.CallSolved}, support.ErrCallTimes},
			{"no outcome", support.Call{Start: now.Add(-time.Minute), End: now}, support.ErrOutcomeInvalid},
		} {
			tt.call.CaseID, tt.call.StaffID, tt.call.Version = c.ID, agent, c.Version
			if _, err := e.cases.LogCall(e.ctx, tt.call); !errors.Is(err, tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
			}
		}
	})
}

// TestPublicTimeline checks what the citizen sees of a case, and that a closed case takes
// only internal notes.
func TestPublicTimeline(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	c := e.open()
	now := e.clock.Now()
	steps := []func() error{
		func() error { _, err := e.cases.AddNote(e.ctx, c.ID, agent, "Ring tilbage"); return err },
		func() error {
			_, err := e.cases.LogCall(e.ctx, support.Call{CaseID: c.ID, StaffID: agent, Start: now, End: now,
				Outcome: support.CallDropped, Version: e.get(c.ID).Version})
			return err
		},
		func() error {
			_, err := e.cases.RecordVerification(e.ctx, support.Verification{CaseID: c.ID, StaffID: agent,
				Method: support.VerifyApp, Result: support.VerifyApproved, AppRequestID: 7})
			return err
		},
		func() error {
			_, err := e.cases.RecordAction(e.ctx, support.Action{CaseID: c.ID, StaffID: agent, Kind: support.ActionBlock,
				Detail: map[string]any{"reason": "stolen"}})
			return err
		},
		func() error { _, err := e.cases.Assign(e.ctx, c.ID, agent, agent, e.get(c.ID).Version); return err },
		func() error {
			_, err := e.cases.AddReply(e.ctx, support.Reply{CaseID: c.ID, StaffID: agent, Body: "Dit MitID er spærret."})
			return err
		},
		func() error {
			_, err := e.cases.SetStatus(e.ctx, c.ID, agent, support.StatusResolved, e.get(c.ID).Version)
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	kinds := func(internal bool) []support.EntryKind {
		tl, err := e.cases.Timeline(e.ctx, c.ID, internal)
		if err != nil {
			t.Fatal(err)
		}
		var out []support.EntryKind
		for _, en := range tl {
			out = append(out, en.Kind)
		}
		return out
	}
	if got, want := kinds(false), []support.EntryKind{support.EntryMessage, support.EntryReply, support.EntryStatus}; !slices.Equal(got, want) {
		t.Errorf("public timeline %v, want %v", got, want)
	}
	if got := kinds(true); len(got) != 8 {
		t.Errorf("staff timeline %v", got)
	}
	tl := timeline(t, e, c.ID)
	if v := tl[3]; v.Method != support.VerifyApp || v.Result != support.VerifyApproved || v.Detail["app_request_id"] != float64(7) {
		t.Errorf("verification %+v", v)
	}
	if a := tl[4]; a.Action != support.ActionBlock || a.Detail["reason"] != "stolen" {
		t.Errorf("action %+v", a)
	}
	if _, err := e.cases.Timeline(e.ctx, 999999, true); !errors.Is(err, support.ErrNotFound) {
		t.Errorf("timeline of no case: %v", err)
	}

	if _, err := e.cases.SetStatus(e.ctx, c.ID, agent, support.StatusClosed, e.get(c.ID).Version); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cases.AddNote(e.ctx, c.ID, agent, "Lukket efter aftale"); err != nil {
		t.Errorf("note on a closed case: %v", err)
	}
	for i, step := range steps[1:] {
		if err := step(); !errors.Is(err, support.ErrClosed) {
			t.Errorf("step %d on a closed case: %v, want ErrClosed", i+1, err)
		}
	}
}

func timeline(t *testing.T, e *caseEnv, id int64) []support.Entry {
	t.Helper()
	tl, err := e.cases.Timeline(e.ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// equalJSON compares jsonb read back from the database with want.
func equalJSON(got, want map[string]any) bool {
	if len(got) != len(want) {
		return false
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			return false
		}
		gs, gok := g.([]any)
		ws, wok := w.([]any)
		if gok && wok {
			if !slices.Equal(gs, ws) {
				return false
			}
			continue
		}
		if !strings.EqualFold(toString(g), toString(w)) {
			return false
		}
	}
	return true
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}
