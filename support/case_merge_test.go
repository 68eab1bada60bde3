package support_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/audit"
	"mitidportal/support"
)

// auditHook is the audit hook app/ wires, writing to the real audit log.
func auditHook(pool *pgxpool.Pool) func(context.Context, pgx.Tx, support.StaffAction) error {
	log := audit.NewLog(pool)
	return func(ctx context.Context, tx pgx.Tx, a support.StaffAction) error {
		return log.Append(ctx, tx, audit.Entry{Actor: audit.Staff(a.StaffID), Action: audit.Action(a.Action),
			Subject: audit.Case(a.Ref), Detail: a.Detail})
	}
}

// audited counts the audit entries of action on case ref.
func (e *caseEnv) audited(action, ref string) int {
	e.t.Helper()
	var n int
	err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM audit_log WHERE action = $1 AND subject = $2`,
		action, audit.Case(ref)).Scan(&n)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestMergeRefusals(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	mitA, _, _ := e.citizen()
	mitB, _, _ := e.citizen()
	for _, tc := range []struct {
		name  string
		setup func() (dup support.Case, intoRef string, version int)
		want  *support.Error
	}{
		{"into itself", func() (support.Case, string, int) {
			c := e.open()
			return c, c.Ref, c.Version
		}, support.ErrMergeSelf},
		{"unknown reference", func() (support.Case, string, int) {
			c := e.open()
			return c, "ZZZZZZ", c.Version
		}, support.ErrMergeTargetUnknown},
		{"into a closed case", func() (support.Case, string, int) {
			c, target := e.open(), e.open()
			e.closeCase(target, agent)
			return c, target.Ref, c.Version
		}, support.ErrMergeTarget},
		{"into a merged case", func() (support.Case, string, int) {
			c, merged, sur := e.open(), e.open(), e.open()
			e.merge(merged, sur, agent)
			return c, merged.Ref, c.Version
		}, support.ErrMergeTarget},
		{"a survivor (chain)", func() (support.Case, string, int) {
			c, merged, other := e.open(), e.open(), e.open()
			e.merge(merged, c, agent)
			return c, other.Ref, e.get(c.ID).Version
		}, support.ErrMergeChain},
		{"a closed case", func() (support.Case, string, int) {
			c, target := e.open(), e.open()
			e.closeCase(c, agent)
			c = e.get(c.ID)
			return c, target.Ref, c.Version
		}, support.ErrClosed},
		{"two citizens' cases", func() (support.Case, string, int) {
			c := e.open(func(n *support.NewCase) { n.MitIDID = mitA })
			target := e.open(func(n *support.NewCase) { n.MitIDID = mitB })
			return c, target.Ref, c.Version
		}, support.ErrMergeCitizens},
		{"a citizen's case into nobody's", func() (support.Case, string, int) {
			c := e.open(func(n *support.NewCase) { n.MitIDID = mitA })
			target := e.open()
			return c, target.Ref, c.Version
		}, support.ErrMergeCitizenless},
		{"a version moved on", func() (support.Case, string, int) {
			c, target := e.open(), e.open()
			return c, target.Ref, c.Version - 1
		}, support.ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dup, into, version := tc.setup()
			_, err := e.cases.Merge(e.ctx, dup.ID, agent, into, version)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Merge: %v, want %v", err, tc.want)
			}
			if got := e.get(dup.ID); got.Version != dup.Version && tc.want != support.ErrClosed {
				t.Errorf("refused merge changed the case: version %d → %d", dup.Version, got.Version)
			}
			if _, err := e.cases.MergedInto(e.ctx, dup.ID); !errors.Is(err, support.ErrNotFound) {
				t.Errorf("refused merge left the case merged: %v", err)
			}
		})
	}
}

// closeCase resolves and closes c.
func (e *caseEnv) closeCase(c support.Case, staffID int64) {
	e.t.Helper()
	c, err := e.cases.SetStatus(e.ctx, c.ID, staffID, support.StatusResolved, e.get(c.ID).Version)
	if err == nil {
		_, err = e.cases.SetStatus(e.ctx, c.ID, staffID, support.StatusClosed, c.Version)
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// merge merges dup into into and fails the test on an error.
func (e *caseEnv) merge(dup, into support.Case, staffID int64) {
	e.t.Helper()
	if _, err := e.cases.Merge(e.ctx, dup.ID, staffID, into.Ref, e.get(dup.ID).Version); err != nil {
		e.t.Fatal(err)
	}
}

func TestMergeJoinsTimelines(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	mit, _, _ := e.citizen()
	sur := e.open(func(n *support.NewCase) { n.MitIDID = mit; n.Message = "Første henvendelse" })
	e.clock.Add(time.Minute)
	dup := e.open(func(n *support.NewCase) { n.MitIDID = mit; n.Message = "Dublet" })
	e.clock.Add(time.Minute)
	if _, err := e.cases.AddNote(e.ctx, sur.ID, agent, "Note på den overlevende"); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Minute)
	got, err := e.cases.Merge(e.ctx, dup.ID, agent, sur.Ref, dup.Version)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != sur.ID {
		t.Fatalf("Merge returned case %d, want the survivor %d", got.ID, sur.ID)
	}
	if d := e.get(dup.ID); d.Status != support.StatusClosed || d.Version != dup.Version+1 {
		t.Errorf("merged case: status %s version %d, want closed, %d", d.Status, d.Version, dup.Version+1)
	}
	if into, err := e.cases.MergedInto(e.ctx, dup.ID); err != nil || into.ID != sur.ID {
		t.Errorf("MergedInto = %d, %v; want %d", into.ID, err, sur.ID)
	}
	if from, err := e.cases.MergedFrom(e.ctx, sur.ID); err != nil || len(from) != 1 || from[0].ID != dup.ID {
		t.Errorf("MergedFrom = %v, %v", from, err)
	}
	if n := e.audited("case_merged", dup.Ref); n != 1 {
		t.Errorf("%d audit entries of the merge, want 1", n)
	}
	e.clock.Add(time.Minute)
	// The citizen answers the duplicate's mail: the message lands on the survivor.
	msg, err := e.cases.AddMessage(e.ctx, support.NewMessage{CaseID: dup.ID, Body: "Svar til dubletten"})
	if err != nil {
		t.Fatal(err)
	}
	if msg.CaseID != sur.ID {
		t.Errorf("message to the merged case went to case %d, want the survivor %d", msg.CaseID, sur.ID)
	}
	kinds := func(es []support.Entry) (out []string) {
		for _, x := range es {
			k := string(x.Kind)
			if x.Body != "" {
				k += ":" + x.Body
			}
			if x.CaseID == dup.ID {
				k = "dup " + k
			}
			out = append(out, k)
		}
		return out
	}
	staffView, err := e.cases.Timeline(e.ctx, sur.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"message:Første henvendelse", "dup message:Dublet", "internal_note:Note på den overlevende",
		"dup status_change", "dup merge", "merge", "message:Svar til dubletten"}
	if g := kinds(staffView); !equal(g, want) {
		t.Errorf("survivor's timeline\n got %q\nwant %q", g, want)
	}
	citizenView, err := e.cases.Timeline(e.ctx, sur.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"message:Første henvendelse", "dup message:Dublet", "dup status_change", "message:Svar til dubletten"}
	if g := kinds(citizenView); !equal(g, want) {
		t.Errorf("citizen's view of the survivor\n got %q\nwant %q", g, want)
	}
	// The duplicate's own timeline is unchanged but for the merge.
	own, err := e.cases.Timeline(e.ctx, dup.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := kinds(own), []string{"dup message:Dublet", "dup status_change", "dup merge"}; !equal(g, w) {
		t.Errorf("merged case's timeline %q, want %q", g, w)
	}
}

// TestMergeHidesAnotherCallersEntriesFromTheCitizen: an anonymous duplicate's messages are not
// shown to the citizen of the survivor.
func TestMergeHidesAnotherCallersEntriesFromTheCitizen(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	mit, _, _ := e.citizen()
	sur := e.open(func(n *support.NewCase) { n.MitIDID = mit })
	dup := e.open(func(n *support.NewCase) { n.Message = "Fra en anden" })
	e.merge(dup, sur, agent)
	es, err := e.cases.Timeline(e.ctx, sur.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range es {
		if x.CaseID == dup.ID {
			t.Errorf("citizen sees entry %s of an anonymous merged case", x.Kind)
		}
	}
}

// TestMergeParallel: 100 agents merge the same pair at once, half each way; exactly one
// merge wins, no deadlock and no other error.
func TestMergeParallel(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	a, b := e.open(), e.open()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
		errs []error
	)
	for i := range 100 {
		dup, into := a, b
		if i%2 == 1 {
			dup, into = b, a
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.cases.Merge(e.ctx, dup.ID, agent, into.Ref, dup.Version)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, support.ErrConflict), errors.Is(err, support.ErrClosed),
				errors.Is(err, support.ErrMergeTarget), errors.Is(err, support.ErrMergeChain):
			default:
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || len(errs) > 0 {
		t.Fatalf("%d merges won, want 1; unexpected errors: %v", wins, errs)
	}
	if n := e.audited("case_merged", a.Ref) + e.audited("case_merged", b.Ref); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
