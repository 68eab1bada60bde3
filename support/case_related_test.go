package support_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"mitidportal/support"
)

func TestRelated(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	a, b := e.open(), e.open()
	refs := func(id int64) (out []string) {
		cs, err := e.cases.Related(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			out = append(out, c.Ref)
		}
		return out
	}
	count := func(id int64) int {
		es, err := e.cases.Timeline(e.ctx, id, true)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range es {
			if x.Kind == support.EntryRelated {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		name       string
		do         func() error
		want       error
		aSees      []string
		bSees      []string
		aEntries   int
		linkAudits int
	}{
		{"link by typed code", func() error { _, err := e.cases.Link(e.ctx, a.ID, agent, " "+b.Ref[:3]+" "+b.Ref[3:]); return err },
			nil, []string{b.Ref}, []string{a.Ref}, 1, 1},
		{"link again changes nothing", func() error { _, err := e.cases.Link(e.ctx, b.ID, agent, a.Ref); return err },
			nil, []string{b.Ref}, []string{a.Ref}, 1, 1},
		{"to itself", func() error { _, err := e.cases.Link(e.ctx, a.ID, agent, a.Ref); return err },
			support.ErrRelatedSelf, []string{b.Ref}, []string{a.Ref}, 1, 1},
		{"unknown code", func() error { _, err := e.cases.Link(e.ctx, a.ID, agent, "ZZZZZZ"); return err },
			support.ErrRelatedUnknown, []string{b.Ref}, []string{a.Ref}, 1, 1},
		{"unlink from the other side", func() error { return e.cases.Unlink(e.ctx, b.ID, agent, a.ID) },
			nil, nil, nil, 2, 1},
		{"unlink again changes nothing", func() error { return e.cases.Unlink(e.ctx, a.ID, agent, b.ID) },
			nil, nil, nil, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.do(); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if g := refs(a.ID); !equal(g, tc.aSees) {
				t.Errorf("a's related %q, want %q", g, tc.aSees)
			}
			if g := refs(b.ID); !equal(g, tc.bSees) {
				t.Errorf("b's related %q, want %q", g, tc.bSees)
			}
			if n := count(a.ID); n != tc.aEntries || count(b.ID) != tc.aEntries {
				t.Errorf("related entries a %d b %d, want %d on both", n, count(b.ID), tc.aEntries)
			}
			if n := e.audited("case_linked", a.Ref) + e.audited("case_linked", b.Ref); n != tc.linkAudits {
				t.Errorf("%d link audit entries, want %d", n, tc.linkAudits)
			}
		})
	}
}

// TestRelatedLimitInParallel: 60 cases linked to one case at once; MaxRelated hold.
func TestRelatedLimitInParallel(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	hub := e.open()
	others := make([]support.Case, 60)
	for i := range others {
		others[i] = e.open()
	}
	var (
		wg       sync.WaitGroup
		ok, full atomic.Int64
	)
	for _, o := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.cases.Link(e.ctx, o.ID, agent, hub.Ref)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, support.ErrTooManyRelated):
				full.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != support.MaxRelated || full.Load() != int64(len(others)-support.MaxRelated) {
		t.Errorf("%d linked, %d refused; want %d and %d", ok.Load(), full.Load(), support.MaxRelated, len(others)-support.MaxRelated)
	}
}
