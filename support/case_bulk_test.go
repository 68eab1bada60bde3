package support_test

import (
	"errors"
	"slices"
	"testing"

	"mitidportal/support"
)

func TestBulkRefusedAsAWhole(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	disabled := e.staff()
	if _, err := e.pool.Exec(e.ctx, `UPDATE staff_user SET disabled_at = now() WHERE id = $1`, disabled); err != nil {
		t.Fatal(err)
	}
	c := e.open()
	one := []support.BulkItem{{ID: c.ID, Version: c.Version}}
	many := make([]support.BulkItem, support.MaxBulk+1)
	for i := range many {
		many[i] = one[0]
	}
	for _, tc := range []struct {
		name   string
		items  []support.BulkItem
		change support.BulkChange
		want   error
	}{
		{"no change", one, support.BulkChange{}, support.ErrBulkEmpty},
		{"no case", nil, support.BulkChange{AddTag: "x"}, support.ErrBulkCount},
		{"too many cases", many, support.BulkChange{AddTag: "x"}, support.ErrBulkCount},
		{"unknown status", one, support.BulkChange{Status: "gone"}, support.ErrStatusInvalid},
		{"bad tag", one, support.BulkChange{AddTag: "<b>"}, support.ErrTagInvalid},
		{"disabled assignee", one, support.BulkChange{Assign: &disabled}, support.ErrAssigneeInvalid},
		{"unknown case", []support.BulkItem{{ID: c.ID + 1000, Version: 1}}, support.BulkChange{AddTag: "x"}, support.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.cases.Bulk(e.ctx, agent, tc.items, tc.change); !errors.Is(err, tc.want) {
				t.Fatalf("Bulk: %v, want %v", err, tc.want)
			}
			if got := e.get(c.ID); got.Version != c.Version {
				t.Errorf("refused bulk changed the case")
			}
		})
	}
}

func TestBulkEachCaseAsByHand(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent, other := e.staff(), e.staff()
	fresh := e.open()
	tagged := e.open()
	tagged, err := e.cases.SetTags(e.ctx, tagged.ID, agent, []string{"spærring"}, tagged.Version)
	if err != nil {
		t.Fatal(err)
	}
	tagged, err = e.cases.Assign(e.ctx, tagged.ID, agent, agent, tagged.Version)
	if err != nil {
		t.Fatal(err)
	}
	movedOn := e.open()
	seen := movedOn.Version
	if _, err := e.cases.Assign(e.ctx, movedOn.ID, other, other, movedOn.Version); err != nil {
		t.Fatal(err)
	}
	resolved := e.open()
	resolved, err = e.cases.SetStatus(e.ctx, resolved.ID, agent, support.StatusResolved, resolved.Version)
	if err != nil {
		t.Fatal(err)
	}
	closed := e.open()
	e.closeCase(closed, agent)
	closed = e.get(closed.ID)

	items := []support.BulkItem{{fresh.ID, fresh.Version}, {tagged.ID, tagged.Version}, {movedOn.ID, seen},
		{resolved.ID, resolved.Version}, {closed.ID, closed.Version}}
	res, err := e.cases.Bulk(e.ctx, agent, items, support.BulkChange{Assign: &agent, AddTag: "Spærring"})
	if err != nil {
		t.Fatal(err)
	}
	skipped := map[string]*support.Error{}
	for _, s := range res.Skipped {
		skipped[s.Ref] = s.Err
	}
	if !equal(res.Changed, []string{fresh.Ref, resolved.Ref}) || !equal(res.Unchanged, []string{tagged.Ref}) ||
		skipped[movedOn.Ref] != support.ErrConflict || skipped[closed.Ref] != support.ErrClosed || len(skipped) != 2 {
		t.Fatalf("result %+v", res)
	}
	for _, tc := range []struct {
		name    string
		c       support.Case
		version int
		audits  int
	}{
		{"fresh: assigned and tagged, two changes", fresh, fresh.Version + 2, 1},
		{"already so: untouched", tagged, tagged.Version, 0},
		{"moved on: left to the other agent", movedOn, seen + 1, 0},
		{"closed: untouched", closed, closed.Version, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := e.get(tc.c.ID)
			if got.Version != tc.version {
				t.Errorf("version %d, want %d", got.Version, tc.version)
			}
			if n := e.audited("case_bulk_changed", tc.c.Ref); n != tc.audits {
				t.Errorf("%d audit entries, want %d", n, tc.audits)
			}
			if tc.audits > 0 && (got.AssigneeID != agent || !slices.Contains(got.Tags, "spærring")) {
				t.Errorf("assignee %d tags %v", got.AssigneeID, got.Tags)
			}
		})
	}

	// A status change not allowed for one case skips that one only.
	a, b := e.get(fresh.ID), e.get(resolved.ID)
	res, err = e.cases.Bulk(e.ctx, agent, []support.BulkItem{{a.ID, a.Version}, {b.ID, b.Version}},
		support.BulkChange{Status: support.StatusWaiting})
	if err != nil {
		t.Fatal(err)
	}
	if !equal(res.Changed, []string{a.Ref}) || len(res.Skipped) != 1 || res.Skipped[0].Err != support.ErrTransition {
		t.Errorf("status bulk: %+v", res)
	}
	if got := e.get(a.ID); got.Status != support.StatusWaiting {
		t.Errorf("status %s, want waiting", got.Status)
	}
}
