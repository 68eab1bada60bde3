package forum_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/campaign/forum"
	"mitidportal/fault"
	"mitidportal/fault/faulttest"
)

// editOf is the edit of m that an editor's form sends, changed by change (nil: no change).
func editOf(m forum.Meeting, change func(*forum.NewMeeting)) forum.MeetingEdit {
	n := forum.NewMeeting{TitleDA: m.TitleDA, TitleEN: m.TitleEN, Audience: m.Audience, Starts: m.Starts, Ends: m.Ends,
		Place: m.Place, VideoURL: m.VideoURL, AgendaDA: m.AgendaDA, AgendaEN: m.AgendaEN, Capacity: m.Capacity,
		SignupDeadline: m.SignupDeadline}
	if change != nil {
		change(&n)
	}
	return forum.MeetingEdit{NewMeeting: n, Version: m.Version()}
}

// seated is a new meeting with capacity seats that every one of vs has signed up for.
func (e *env) seated(t *testing.T, capacity int, vs ...forum.Viewer) forum.Meeting {
	t.Helper()
	ctx := context.Background()
	m := e.meeting(t, capacity)
	for _, v := range vs {
		if err := e.forum.SignUp(ctx, v, m.ID, 0); err != nil {
			t.Fatal(err)
		}
	}
	m, err := e.forum.Meeting(ctx, forum.Viewer{Editor: true}, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *env) counts() (events, notices int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.events), len(e.notices)
}

// TestUpdateMeetingRules: an edit keeps creation's rules and adds one (no fewer seats than are
// taken), all joined; a held or cancelled meeting is not edited, nor is one another editor
// saved since the form was shown. A refused edit writes, audits and mails nothing.
func TestUpdateMeetingRules(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	people := []int64{e.citizen(t), e.citizen(t), e.citizen(t)}
	e.org(t, "approved", true, people...)
	var vs []forum.Viewer
	for _, p := range people {
		vs = append(vs, e.viewer(t, p))
	}
	tests := []struct {
		name   string
		status forum.Status // set before the edit; "" leaves it planned
		stale  bool         // another editor saves first, from the same form
		change func(*forum.NewMeeting)
		want   []*fault.Error
	}{
		{"the agenda", "", false, func(n *forum.NewMeeting) { n.AgendaDA = "1. Velkomst" }, nil},
		{"as many seats as are taken", "", false, func(n *forum.NewMeeting) { n.Capacity = 3 }, nil},
		{"fewer seats than are taken", "", false, func(n *forum.NewMeeting) { n.Capacity = 2 }, []*fault.Error{forum.ErrCapacityBelowSeats}},
		{"creation's rules and the seats, joined", "", false, func(n *forum.NewMeeting) { n.TitleEN, n.Place, n.Capacity = " ", "", 1 },
			[]*fault.Error{forum.ErrTitleRequired, forum.ErrPlaceRequired, forum.ErrCapacityBelowSeats}},
		{"no seats is creation's rule alone", "", false, func(n *forum.NewMeeting) { n.Capacity = 0 }, []*fault.Error{forum.ErrCapacityInvalid}},
		{"ends before it starts", "", false, func(n *forum.NewMeeting) { n.Ends = n.Starts.Add(-time.Hour) }, []*fault.Error{forum.ErrTimesInvalid}},
		{"held", forum.Held, false, func(n *forum.NewMeeting) { n.Place = "Et andet sted" }, []*fault.Error{forum.ErrMeetingClosed}},
		{"cancelled", forum.Cancelled, false, func(n *forum.NewMeeting) { n.Place = "Et andet sted" }, []*fault.Error{forum.ErrMeetingClosed}},
		{"saved by another editor meanwhile", "", true, func(n *forum.NewMeeting) { n.Place = "Et andet sted" }, []*fault.Error{forum.ErrMeetingChanged}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := e.seated(t, 10, vs...)
			if tt.status != "" {
				if err := e.forum.SetStatus(ctx, 7, m.ID, tt.status); err != nil {
					t.Fatal(err)
				}
				m, _ = e.forum.Meeting(ctx, forum.Viewer{Editor: true}, m.ID)
			}
			ed := editOf(m, tt.change)
			if tt.stale {
				if _, err := e.forum.UpdateMeeting(ctx, 8, m.ID, editOf(m, func(n *forum.NewMeeting) { n.AgendaEN = "1. Welcome" })); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := e.forum.Meeting(ctx, forum.Viewer{Editor: true}, m.ID)
			events, notices := e.counts()
			got, err := e.forum.UpdateMeeting(ctx, 7, m.ID, ed)
			faulttest.WantRules(t, "UpdateMeeting", err, tt.want...)
			after, _ := e.forum.Meeting(ctx, forum.Viewer{Editor: true}, m.ID)
			evAfter, noAfter := e.counts()
			if tt.want != nil {
				if after.Version() != before.Version() || evAfter != events || noAfter != notices {
					t.Errorf("a refused edit wrote: version %s → %s, %d → %d events, %d → %d notices",
						before.Version(), after.Version(), events, evAfter, notices, noAfter)
				}
				return
			}
			if got.Version() != after.Version() || after.Version() != editOf(after, nil).Version || after.Version() == before.Version() {
				t.Errorf("the edit was not saved: got %+v, stored %+v", got, after)
			}
			if evAfter != events+1 || noAfter != notices {
				t.Errorf("an edit of no time or place: %d events, %d notices; want 1 and 0", evAfter-events, noAfter-notices)
			}
		})
	}
	if _, err := e.forum.UpdateMeeting(ctx, 7, 999999, forum.MeetingEdit{}); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("unknown meeting: %v", err)
	}
}

// TestMovingAMeetingMailsEachParticipant: a new day, place or video link queues exactly one
// notice per participant, with the new time, at the address and in the language of the
// membership they signed up through (or else their register address, in Danish); one with no
// address, or one that takes no mail, is skipped and counted. The audit names the changed fields only. A new agenda mails
// nobody; cancelling mails everyone once; a cancelled meeting set held mails nobody.
func TestMovingAMeetingMailsEachParticipant(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	da, en, registered, unknown, broken := e.citizen(t), e.citizen(t), e.citizen(t), e.citizen(t), e.citizen(t)
	org := e.org(t, "approved", true, da, en, registered, unknown, broken)
	var vs []forum.Viewer
	for _, p := range []int64{da, en, registered, unknown, broken} {
		vs = append(vs, e.viewer(t, p))
	}
	m := e.seated(t, 10, vs...)
	// Their addresses: two memberships, the register's address of one who left the
	// organisation after signing up, nothing for another who left, and one that is no address.
	for _, s := range []string{
		fmt.Sprintf(`UPDATE organisation_member SET email = 'da@example.dk', lang = 'da' WHERE mitid_id = %d`, da),
		fmt.Sprintf(`UPDATE organisation_member SET email = 'en@example.dk', lang = 'en' WHERE mitid_id = %d`, en),
		fmt.Sprintf(`DELETE FROM organisation_member WHERE organisation_id = %d AND mitid_id IN (%d, %d)`, org, registered, unknown),
		fmt.Sprintf(`UPDATE person SET email = 'register@example.dk' FROM mitid WHERE mitid.cpr = person.cpr AND mitid.id = %d`, registered),
		fmt.Sprintf(`UPDATE person SET email = NULL FROM mitid WHERE mitid.cpr = person.cpr AND mitid.id = %d`, unknown),
		fmt.Sprintf(`UPDATE organisation_member SET email = '%s' WHERE mitid_id = %d`, undeliverable, broken),
	} {
		if _, err := e.pool.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	wantTo := map[int64][2]string{da: {"da@example.dk", "da"}, en: {"en@example.dk", "en"}, registered: {"register@example.dk", "da"}}
	next := func(t *testing.T, want int) []forum.Notice {
		t.Helper()
		e.mu.Lock()
		defer e.mu.Unlock()
		got := e.notices
		e.notices = nil
		if len(got) != want {
			t.Fatalf("%d notices, want %d: %+v", len(got), want, got)
		}
		return got
	}
	lastDetail := func() map[string]any {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.events[len(e.events)-1].Detail
	}
	next(t, 0)

	moved := m.Starts.AddDate(0, 0, 1)
	m, err := e.forum.UpdateMeeting(ctx, 7, m.ID, editOf(m, func(n *forum.NewMeeting) {
		n.Starts, n.Ends = moved, moved.Add(2*time.Hour)
	}))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, n := range next(t, 3) {
		if seen[n.MitID] || wantTo[n.MitID] != [2]string{n.Email, n.Lang} || !n.Meeting.Starts.Equal(moved) || n.Cancelled {
			t.Errorf("notice %+v: want one to %v with the new start %s", n, wantTo[n.MitID], moved)
		}
		seen[n.MitID] = true
	}
	d := lastDetail()
	if keys := slices.Sorted(maps.Keys(d)); !slices.Equal(keys, []string{"ends_at", "mailed", "no_address", "starts_at"}) ||
		d["mailed"] != 3 || d["no_address"] != 2 {
		t.Errorf("audit detail %v", d)
	}
	if ch, _ := d["starts_at"].(map[string]any); ch == nil || !ch["to"].(time.Time).Equal(moved) {
		t.Errorf("starts_at in the audit: %v", d["starts_at"])
	}

	// The agenda alone: audited, nobody mailed.
	if m, err = e.forum.UpdateMeeting(ctx, 7, m.ID, editOf(m, func(n *forum.NewMeeting) { n.AgendaEN = "1. Welcome" })); err != nil {
		t.Fatal(err)
	}
	next(t, 0)
	if keys := slices.Sorted(maps.Keys(lastDetail())); !slices.Equal(keys, []string{"agenda_en"}) {
		t.Errorf("audit detail of the agenda: %v", lastDetail())
	}
	// A video link is a new way to be there: mailed.
	if m, err = e.forum.UpdateMeeting(ctx, 7, m.ID, editOf(m, func(n *forum.NewMeeting) { n.VideoURL = "https://møde.example.dk/7" })); err != nil {
		t.Fatal(err)
	}
	for _, n := range next(t, 3) {
		if n.Meeting.VideoURL != "https://møde.example.dk/7" {
			t.Errorf("notice without the link: %+v", n)
		}
	}
	// Nothing changed: nothing written.
	events, _ := e.counts()
	if _, err = e.forum.UpdateMeeting(ctx, 7, m.ID, editOf(m, nil)); err != nil {
		t.Fatal(err)
	}
	if now, _ := e.counts(); now != events {
		t.Errorf("an edit without a change was audited")
	}
	next(t, 0)

	if err := e.forum.SetStatus(ctx, 7, m.ID, forum.Cancelled); err != nil {
		t.Fatal(err)
	}
	for _, n := range next(t, 3) {
		if !n.Cancelled || n.Meeting.Status != forum.Cancelled {
			t.Errorf("cancellation notice %+v", n)
		}
	}
	if d := lastDetail(); d["mailed"] != 3 || d["no_address"] != 2 || d["to"] != "cancelled" {
		t.Errorf("audit detail of the cancellation: %v", d)
	}
	if err := e.forum.SetStatus(ctx, 7, m.ID, forum.Held); err != nil {
		t.Fatal(err)
	}
	next(t, 0)
}

// TestMeetingChangeIsOneTransaction: the hooks run in the change's transaction (they see the
// new row), and when either fails nothing of the change stays: not the edit, not the status.
func TestMeetingChangeIsOneTransaction(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.citizen(t)
	e.org(t, "approved", true, p)
	m := e.seated(t, 10, e.viewer(t, p))
	down := errors.New("down")
	var sawPlace, sawStatus []string
	for _, failing := range []string{"audit", "notify"} {
		f := forum.New(e.pool, nil, forum.Hooks{
			Audit: func(ctx context.Context, tx pgx.Tx, _ forum.Event) error {
				var place, status string
				if err := tx.QueryRow(ctx, `SELECT place, status FROM forum_meeting WHERE id = $1`, m.ID).Scan(&place, &status); err != nil {
					return err
				}
				sawPlace, sawStatus = append(sawPlace, place), append(sawStatus, status)
				if failing == "audit" {
					return down
				}
				return nil
			},
			Notify: func(context.Context, pgx.Tx, forum.Notice) error {
				if failing == "notify" {
					return down
				}
				return nil
			}})
		if _, err := f.UpdateMeeting(ctx, 7, m.ID, editOf(m, func(n *forum.NewMeeting) { n.Place = "Lokale 2" })); !errors.Is(err, down) {
			t.Errorf("%s failing: edit %v", failing, err)
		}
		if err := f.SetStatus(ctx, 7, m.ID, forum.Cancelled); !errors.Is(err, down) {
			t.Errorf("%s failing: cancel %v", failing, err)
		}
		if got, _ := e.forum.Meeting(ctx, forum.Viewer{Editor: true}, m.ID); got.Version() != m.Version() {
			t.Errorf("%s failing: the meeting changed: %+v", failing, got)
		}
	}
	if !slices.Equal(sawPlace, []string{"Lokale 2", m.Place}) || !slices.Equal(sawStatus, []string{"planned", "cancelled"}) {
		t.Errorf("the audit hook saw places %v and states %v, want the change's own", sawPlace, sawStatus)
	}
}

// TestParallelEditsLoseNothing: editors saving the same form at once get one edit through and
// the others refused with ErrMeetingChanged, never a silent overwrite; an edit from the saved
// version then goes through. Sign-ups in between do not void an editor's form.
func TestParallelEditsLoseNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := e.meeting(t, 10)
	const editors = 8
	var wg sync.WaitGroup
	errs := make([]error, editors)
	start := make(chan struct{})
	for i := range editors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = e.forum.UpdateMeeting(ctx, int64(i+1), m.ID, editOf(m, func(n *forum.NewMeeting) {
				n.Place = fmt.Sprintf("Lokale %d", i)
			}))
		}()
	}
	close(start)
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won < 0:
			won = i
		case err == nil:
			t.Errorf("editors %d and %d both saved from the same version", won, i)
		case !errors.Is(err, forum.ErrMeetingChanged):
			t.Errorf("editor %d: %v", i, err)
		}
	}
	got, _ := e.forum.Meeting(ctx, forum.Viewer{Editor: true}, m.ID)
	if won < 0 || got.Place != fmt.Sprintf("Lokale %d", won) {
		t.Fatalf("place %q, winner %d", got.Place, won)
	}
	p := e.citizen(t)
	e.org(t, "approved", true, p)
	if err := e.forum.SignUp(ctx, e.viewer(t, p), m.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.forum.UpdateMeeting(ctx, 9, m.ID, editOf(got, func(n *forum.NewMeeting) { n.AgendaDA = "Nyt punkt" })); err != nil {
		t.Errorf("an edit from the saved version, after a sign-up: %v", err)
	}
}
