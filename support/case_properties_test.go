package support_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"mitidportal/support"
)

// TestSetProperties: the case page's properties form is checked as a new case is, writes one
// timeline entry per property changed and keeps an identity-theft case urgent.
func TestSetProperties(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	phoneOnly := func(n *support.NewCase) { n.Channel, n.Email, n.Phone = support.ChannelPhone, "", "12345678" }
	theft := func(n *support.NewCase) { n.Category = support.CategoryIdentityTheft }
	props := func(c support.Case) support.Properties {
		return support.Properties{Priority: c.Priority, Category: c.Category, System: c.System, Email: c.Email, Phone: c.Phone}
	}
	for _, tc := range []struct {
		name    string
		open    []func(*support.NewCase)
		change  func(*support.Properties)
		version int // added to the case's version: -1 posts a stale form
		err     error
		entries []support.EntryKind // the entries the change adds, in order
		check   func(t *testing.T, c support.Case)
	}{
		{name: "a phone case gets an e-mail address", open: []func(*support.NewCase){phoneOnly},
			change:  func(p *support.Properties) { p.Email = " bo@example.dk " },
			entries: []support.EntryKind{support.EntryProperty},
			check: func(t *testing.T, c support.Case) {
				if c.Email != "bo@example.dk" {
					t.Errorf("e-mail %q", c.Email)
				}
			}},
		{name: "every property at once, one entry each",
			change: func(p *support.Properties) {
				p.Priority, p.Category, p.System, p.Email, p.Phone = support.PriorityHigh, support.CategoryBlock,
					support.SystemVirk, "ny@example.dk", "+45 11 22 33 44"
			},
			entries: []support.EntryKind{support.EntryPriority, support.EntryProperty, support.EntryProperty,
				support.EntryProperty, support.EntryProperty}},
		{name: "nothing changed is no entry and no error", change: func(*support.Properties) {}},
		{name: "moving to identity theft makes the case urgent",
			change:  func(p *support.Properties) { p.Category = support.CategoryIdentityTheft },
			entries: []support.EntryKind{support.EntryPriority, support.EntryProperty},
			check: func(t *testing.T, c support.Case) {
				if c.Priority != support.PriorityUrgent {
					t.Errorf("priority %q, want urgent", c.Priority)
				}
			}},
		{name: "an identity-theft case cannot be lowered", open: []func(*support.NewCase){theft},
			change: func(p *support.Properties) { p.Priority = support.PriorityLow }, err: support.ErrIdentityTheftUrgent},
		{name: "an invalid e-mail address", change: func(p *support.Properties) { p.Email = "bo at example" }, err: support.ErrEmailInvalid},
		{name: "an invalid phone number", change: func(p *support.Properties) { p.Phone = "ring mig" }, err: support.ErrPhoneInvalid},
		{name: "an unknown category", change: func(p *support.Properties) { p.Category = "x" }, err: support.ErrCategoryInvalid},
		{name: "an unknown system", change: func(p *support.Properties) { p.System = "x" }, err: support.ErrSystemInvalid},
		{name: "an unknown priority", change: func(p *support.Properties) { p.Priority = "x" }, err: support.ErrPriorityInvalid},
		{name: "an anonymous case keeps a way to reach the caller",
			change: func(p *support.Properties) { p.Email, p.Phone = "", "" }, err: support.ErrContactRequired},
		{name: "a stale form", change: func(p *support.Properties) { p.System = support.SystemVirk }, version: -1, err: support.ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.open(tc.open...)
			before, err := e.cases.Timeline(e.ctx, c.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			p := props(c)
			tc.change(&p)
			got, err := e.cases.SetProperties(e.ctx, c.ID, agent, p, c.Version+tc.version)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			after, err := e.cases.Timeline(e.ctx, c.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []support.EntryKind
			for _, en := range after[len(before):] {
				kinds = append(kinds, en.Kind)
			}
			if len(kinds) != len(tc.entries) {
				t.Fatalf("entries %v, want %v", kinds, tc.entries)
			}
			for i := range kinds {
				if kinds[i] != tc.entries[i] {
					t.Errorf("entry %d is %q, want %q", i, kinds[i], tc.entries[i])
				}
			}
			stored := e.get(c.ID)
			if tc.err != nil && stored.Version != c.Version {
				t.Errorf("a refused change moved the version from %d to %d", c.Version, stored.Version)
			}
			if tc.err == nil && len(tc.entries) > 0 && (stored.Version != c.Version+1 || got.Version != stored.Version) {
				t.Errorf("version %d (returned %d), want %d", stored.Version, got.Version, c.Version+1)
			}
			if tc.check != nil {
				tc.check(t, stored)
			}
		})
	}
}

// TestReplyAndSetStatus: a reply moves the case to the status chosen in its transaction,
// after the reply on the timeline; a status the case may not move to sends nothing.
func TestReplyAndSetStatus(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	sent := 0
	cases := support.NewCases(e.pool, support.DefaultSchedule(e.cph), support.WithClock(e.clock.Now),
		support.WithHooks(support.Hooks{ReplyMail: func(context.Context, pgx.Tx, support.Case, support.ReplyMail) (string, error) {
			sent++
			return "", nil
		}, Audit: auditHook(e.pool)}))
	agent := e.staff()
	for _, tc := range []struct {
		name        string
		from        support.CaseStatus // set before the reply ("" leaves new)
		status      support.CaseStatus
		err         error
		want        support.CaseStatus
		statusEntry bool // a status entry follows the reply
	}{
		{name: "waiting for the citizen", status: support.StatusWaiting, want: support.StatusWaiting, statusEntry: true},
		{name: "kept as it is", status: "", want: support.StatusNew},
		{name: "the status it already has", from: support.StatusWaiting, status: support.StatusWaiting, want: support.StatusWaiting},
		{name: "resolved with the answer", status: support.StatusResolved, want: support.StatusResolved, statusEntry: true},
		{name: "a move not allowed", from: support.StatusResolved, status: support.StatusWaiting, err: support.ErrTransition, want: support.StatusResolved},
		{name: "an unknown status", status: "x", err: support.ErrStatusInvalid, want: support.StatusNew},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.open()
			if tc.from != "" {
				var err error
				if c, err = e.cases.SetStatus(e.ctx, c.ID, agent, tc.from, c.Version); err != nil {
					t.Fatal(err)
				}
			}
			sentBefore := sent
			_, err := cases.ReplyAndSetStatus(e.ctx, c.ID, agent, "bo@example.dk", "Svar", tc.status, c.Version)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if got := e.get(c.ID).Status; got != tc.want {
				t.Errorf("status %q, want %q", got, tc.want)
			}
			entries, err := e.cases.Timeline(e.ctx, c.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			last := entries[len(entries)-1]
			switch {
			case tc.err != nil:
				if sent != sentBefore || last.Kind == support.EntryReply {
					t.Error("a refused reply was sent or recorded")
				}
			case tc.statusEntry:
				if prev := entries[len(entries)-2]; prev.Kind != support.EntryReply || last.Kind != support.EntryStatus || last.To != string(tc.want) {
					t.Errorf("the timeline ends %q, %q to %q; want the reply, then the status change", prev.Kind, last.Kind, last.To)
				}
			default:
				if last.Kind != support.EntryReply {
					t.Errorf("the timeline ends with %q, want the reply alone", last.Kind)
				}
			}
		})
	}
}

// TestAssignables lists active agents and supervisors with their active cases, and not the
// disabled or those without a desk role.
func TestAssignables(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	busy, idle, sup := e.staff(), e.staff(), e.staff("supervisor")
	admin, gone := e.staff("admin"), e.staff()
	if _, err := e.pool.Exec(e.ctx, `UPDATE staff_user SET disabled_at = now() WHERE id = $1`, gone); err != nil {
		t.Fatal(err)
	}
	e.open(func(n *support.NewCase) { n.AssigneeID = busy })
	e.open(func(n *support.NewCase) { n.AssigneeID = busy })
	done := e.open(func(n *support.NewCase) { n.AssigneeID = busy })
	if _, err := e.cases.SetStatus(e.ctx, done.ID, busy, support.StatusResolved, done.Version); err != nil {
		t.Fatal(err)
	}
	got, err := e.cases.Assignables(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	open := map[int64]int{}
	for _, a := range got {
		open[a.ID] = a.Open
	}
	want := map[int64]int{busy: 2, idle: 0, sup: 0}
	for id, n := range want {
		if m, ok := open[id]; !ok || m != n {
			t.Errorf("staff %d: listed %v with %d open, want %d", id, ok, m, n)
		}
	}
	for _, id := range []int64{admin, gone} {
		if _, ok := open[id]; ok {
			t.Errorf("staff %d is listed but may not take cases", id)
		}
	}
}

// TestCaseChangesAudited: every change of one case by a member of staff (status, assignee,
// priority, properties, tags, and the status a reply sets) is in the audit log once, written
// in the change's transaction; a change that changes nothing writes nothing, and a change
// whose audit entry cannot be written is not made.
func TestCaseChangesAudited(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	c := e.open()
	steps := []struct {
		name string
		do   func(v int) (support.Case, error)
	}{
		{"status", func(v int) (support.Case, error) {
			return e.cases.SetStatus(e.ctx, c.ID, agent, support.StatusOpen, v)
		}},
		{"assignee", func(v int) (support.Case, error) { return e.cases.Assign(e.ctx, c.ID, agent, agent, v) }},
		{"priority", func(v int) (support.Case, error) {
			return e.cases.SetPriority(e.ctx, c.ID, agent, support.PriorityHigh, v)
		}},
		{"properties", func(v int) (support.Case, error) {
			return e.cases.SetProperties(e.ctx, c.ID, agent, support.Properties{Priority: support.PriorityHigh,
				Category: support.CategoryLostMeans, System: support.SystemMitID, Email: c.Email}, v)
		}},
		{"tags", func(v int) (support.Case, error) {
			return e.cases.SetTags(e.ctx, c.ID, agent, []string{"kodeviser"}, v)
		}},
	}
	version := c.Version
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got, err := st.do(version)
			if err != nil {
				t.Fatal(err)
			}
			version = got.Version
			if n := e.audited("case_changed", c.Ref); n != i+1 {
				t.Errorf("%d case_changed entries after %s, want %d", n, st.name, i+1)
			}
			// The same change again changes nothing (a status cannot move to itself: refused)
			// and writes nothing.
			if _, err := st.do(version); err != nil && st.name != "status" {
				t.Fatal(err)
			}
			if n := e.audited("case_changed", c.Ref); n != i+1 {
				t.Errorf("an unchanged %s wrote an audit entry (%d)", st.name, n)
			}
		})
	}

	// Without a working audit log the change is not made.
	failing := support.NewCases(e.pool, support.DefaultSchedule(e.cph), support.WithClock(e.clock.Now),
		support.WithHooks(support.Hooks{Audit: func(context.Context, pgx.Tx, support.StaffAction) error {
			return errors.New("audit log down")
		}}))
	if _, err := failing.SetStatus(e.ctx, c.ID, agent, support.StatusResolved, version); err == nil {
		t.Fatal("the status changed without an audit entry")
	}
	if now, err := e.cases.Get(e.ctx, c.ID); err != nil || now.Status != support.StatusOpen || now.Version != version {
		t.Errorf("after the refused change: %s v%d (%v), want open v%d", now.Status, now.Version, err, version)
	}
}
