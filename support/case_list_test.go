package support_test

import (
	"cmp"
	"errors"
	"slices"
	"testing"
	"time"

	"mitidportal/support"
)

// listFixture opens 40 cases of every kind over a few days and returns them as stored.
func listFixture(t *testing.T, e *caseEnv) (me, other int64, all []support.Case) {
	t.Helper()
	me, other = e.staff(), e.staff()
	prios := support.Priorities
	for i := range 40 {
		e.clock.Add(97 * time.Minute)
		c := e.open(func(n *support.NewCase) {
			n.System = support.Systems[i%len(support.Systems)]
			n.Priority = prios[i%len(prios)]
			if i%9 == 0 {
				n.Category = support.CategoryIdentityTheft
			}
			if i%4 == 1 {
				n.AssigneeID = me
			} else if i%4 == 2 {
				n.AssigneeID = other
			}
			if i%5 == 0 {
				n.Tags = []string{"brev"}
			}
		})
		var err error
		switch i % 7 {
		case 1:
			c, err = e.cases.SetStatus(e.ctx, c.ID, me, support.StatusWaiting, c.Version)
		case 2:
			c, err = e.cases.SetStatus(e.ctx, c.ID, me, support.StatusResolved, c.Version)
		case 3:
			if c, err = e.cases.SetStatus(e.ctx, c.ID, me, support.StatusResolved, c.Version); err == nil {
				c, err = e.cases.SetStatus(e.ctx, c.ID, me, support.StatusClosed, c.Version)
			}
		case 4:
			c, err = e.cases.SetStatus(e.ctx, c.ID, me, support.StatusOpen, c.Version)
		}
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
	}
	e.clock.Add(20 * time.Hour) // some deadlines pass
	return me, other, all
}

// byDeadline is the queues' order: next deadline first, cases without one last, then id.
func byDeadline(a, b support.Case) int {
	switch {
	case a.NextDue.IsZero() != b.NextDue.IsZero():
		if a.NextDue.IsZero() {
			return 1
		}
		return -1
	case !a.NextDue.Equal(b.NextDue):
		return a.NextDue.Compare(b.NextDue)
	}
	return cmp.Compare(a.ID, b.ID)
}

// TestListQueues pages through every queue and filter in pages of 3 and compares with the
// cases chosen and ordered in Go (Case.InQueue).
func TestListQueues(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	me, other, all := listFixture(t, e)
	type test struct {
		name   string
		filter support.Filter
		keep   func(support.Case) bool
	}
	var tests []test
	for _, q := range support.Queues() {
		tests = append(tests, test{"queue " + string(q), support.Filter{Queue: q, Me: me},
			func(c support.Case) bool { return c.InQueue(q, me) }})
	}
	tests = append(tests,
		test{"all", support.Filter{}, func(support.Case) bool { return true }},
		test{"other's cases", support.Filter{AssigneeID: other}, func(c support.Case) bool { return c.AssigneeID == other }},
		test{"closed", support.Filter{Status: support.StatusClosed}, func(c support.Case) bool { return c.Status == support.StatusClosed }},
		test{"urgent digital post", support.Filter{Queue: support.QueueUrgent, System: support.SystemDigitalPost},
			func(c support.Case) bool {
				return c.InQueue(support.QueueUrgent, me) && c.System == support.SystemDigitalPost
			}},
		test{"high in my queue", support.Filter{Queue: support.QueueMine, Me: me, Priority: support.PriorityHigh},
			func(c support.Case) bool {
				return c.InQueue(support.QueueMine, me) && c.Priority == support.PriorityHigh
			}},
		test{"tag", support.Filter{Tag: " Brev "}, func(c support.Case) bool { return slices.Contains(c.Tags, "brev") }},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []support.Case
			for _, c := range all {
				if c = e.get(c.ID); tt.keep(c) {
					want = append(want, c)
				}
			}
			slices.SortFunc(want, byDeadline)
			got := pageAll(t, e, tt.filter)
			if !slices.Equal(ids(got), ids(want)) {
				t.Errorf("got  %v\nwant %v", ids(got), ids(want))
			}
			tt.filter.Newest = true
			slices.SortFunc(want, func(a, b support.Case) int { return cmp.Compare(b.ID, a.ID) })
			if got := pageAll(t, e, tt.filter); !slices.Equal(ids(got), ids(want)) {
				t.Errorf("newest first\ngot  %v\nwant %v", ids(got), ids(want))
			}
		})
	}
	if len(pageAll(t, e, support.Filter{Queue: support.QueueUnassigned})) == 0 {
		t.Error("the fixture has no unassigned case")
	}
	if _, err := e.cases.List(e.ctx, support.Filter{Queue: support.QueueMine}); err == nil {
		t.Error("the mine queue without Me was accepted")
	}
	if _, err := e.cases.List(e.ctx, support.Filter{Queue: "skat"}); !errors.Is(err, support.ErrQueueInvalid) {
		t.Errorf("unknown queue: %v", err)
	}
}

// pageAll follows the cursors through every page of 3, through their string form as a URL
// would carry them.
func pageAll(t *testing.T, e *caseEnv, f support.Filter) []support.Case {
	t.Helper()
	f.Limit = 3
	var out []support.Case
	for range 100 {
		p, err := e.cases.List(e.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Cases) > 3 || p.Next != nil && len(p.Cases) != 3 {
			t.Fatalf("page of %d, next %v", len(p.Cases), p.Next)
		}
		out = append(out, p.Cases...)
		if p.Next == nil {
			return out
		}
		if f.After, err = support.ParseCursor(p.Next.String()); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("more than 100 pages")
	return nil
}

func ids(cs []support.Case) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestCursor(t *testing.T) {
	t.Parallel()
	due := time.Date(2026, 11, 24, 17, 0, 0, 123456000, time.UTC)
	for _, c := range []support.Cursor{{Due: due, ID: 7}, {ID: 12}} {
		got, err := support.ParseCursor(c.String())
		if err != nil || !got.Due.Equal(c.Due) || got.ID != c.ID {
			t.Errorf("ParseCursor(%q) = %+v, %v", c.String(), got, err)
		}
	}
	if c, err := support.ParseCursor(""); c != nil || err != nil {
		t.Errorf("empty cursor: %v, %v", c, err)
	}
	for _, s := range []string{"x", "-.0", "1.x", "abc.1", "-", "1.-3"} {
		if _, err := support.ParseCursor(s); !errors.Is(err, support.ErrCursorInvalid) {
			t.Errorf("ParseCursor(%q) = %v", s, err)
		}
	}
	for _, tt := range []struct {
		in   string
		want support.Queue
		err  error
	}{
		{"", "", nil}, {"mine", support.QueueMine, nil}, {"digital_post", support.SystemQueue(support.SystemDigitalPost), nil},
		{"skat", "", support.ErrQueueInvalid},
	} {
		if q, err := support.ParseQueue(tt.in); q != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParseQueue(%q) = %q, %v", tt.in, q, err)
		}
	}
}

// TestCounts compares the queue counts with Case.InQueue and Case.Breach at the store's now.
func TestCounts(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	me, _, all := listFixture(t, e)
	counts, err := e.cases.Counts(e.ctx, me)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != len(support.Queues()) {
		t.Fatalf("%d counts", len(counts))
	}
	breaches := 0
	for _, got := range counts {
		want := support.QueueCount{Queue: got.Queue}
		for _, c := range all {
			c = e.get(c.ID)
			if !c.InQueue(got.Queue, me) {
				continue
			}
			want.Total++
			switch c.Breach(e.clock.Now()) {
			case support.BreachBreached:
				want.Breached++
			case support.BreachDueSoon:
				want.DueSoon++
			}
		}
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
		breaches += got.Breached + got.DueSoon
	}
	if breaches == 0 {
		t.Error("the fixture has no deadline warnings")
	}
}
