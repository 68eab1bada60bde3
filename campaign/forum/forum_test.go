package forum_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/campaign/forum"
	"mitidportal/db/dbtest"
	"mitidportal/locales"
)

// env is a fresh database with a Forum whose audit and notify hooks record what they were told.
type env struct {
	pool    *pgxpool.Pool
	forum   *forum.Forum
	mu      sync.Mutex
	events  []forum.Event
	notices []forum.Notice
	now     time.Time
	n       int
}

// undeliverable is an address the env's notify hook refuses.
const undeliverable = "ikke en adresse"

func newEnv(t *testing.T) *env {
	e := &env{pool: dbtest.New(t), now: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)}
	e.forum = forum.New(e.pool, nil, forum.Hooks{Audit: func(_ context.Context, _ pgx.Tx, ev forum.Event) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.events = append(e.events, ev)
		return nil
	}, Notify: func(_ context.Context, _ pgx.Tx, n forum.Notice) error {
		if n.Email == undeliverable {
			return forum.ErrUndeliverable // as the outbox's hook answers an address that is none
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		e.notices = append(e.notices, n)
		return nil
	}})
	e.forum.SetClock(func() time.Time { return e.now })
	return e
}

// citizen inserts a person with a MitID and returns the MitID's id.
func (e *env) citizen(t testing.TB) int64 {
	t.Helper()
	e.n++
	cpr := fmt.Sprintf("02027%05d", e.n)
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `INSERT INTO person (cpr, given_name, family_name, birth_date, address_line, postcode, city)
		VALUES ($1, 'Sofie', $2, '1980-01-01', 'Vej 2', '8000', 'Aarhus')`, cpr, fmt.Sprintf("Jensen%d", e.n)); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := e.pool.QueryRow(ctx, `INSERT INTO mitid (cpr, username, identity_assurance) VALUES ($1, $2, 'substantial') RETURNING id`,
		cpr, fmt.Sprintf("forum%d", e.n)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// org inserts an organisation with status and forum membership, with members.
func (e *env) org(t testing.TB, status string, forumMember bool, members ...int64) int64 {
	t.Helper()
	e.n++
	ctx := context.Background()
	var id int64
	decided := "now()"
	if status == "pending" {
		decided = "NULL"
	}
	err := e.pool.QueryRow(ctx, `INSERT INTO organisation (cvr, name, kind, status, forum_member, contact_name, contact_email, lang, applied_at, decided_at)
		VALUES ($1, $2, 'association', $3, $4, 'Bo', 'bo@example.dk', 'da', now(), `+decided+`) RETURNING id`,
		fmt.Sprintf("%08d", 10000000+e.n), fmt.Sprintf("Forening %d", e.n), status, forumMember).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if _, err := e.pool.Exec(ctx, `INSERT INTO organisation_member (organisation_id, mitid_id, role, email, lang, joined_at)
			VALUES ($1, $2, 'member', 'm@example.dk', 'da', now())`, id, m); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func (e *env) viewer(t testing.TB, mitid int64) forum.Viewer {
	t.Helper()
	v, err := e.forum.ViewerOf(context.Background(), mitid, false)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (e *env) meeting(t testing.TB, capacity int) forum.Meeting {
	t.Helper()
	m, err := e.forum.CreateMeeting(context.Background(), 7, forum.NewMeeting{TitleDA: "Møde (privat) – feedback på materialer",
		TitleEN: "Meeting (private) – feedback on material", Audience: forum.ForPrivate,
		Starts: e.now.Add(14 * 24 * time.Hour), Ends: e.now.Add(14*24*time.Hour + 2*time.Hour), Place: "Digitaliseringsstyrelsen",
		Capacity: capacity, SignupDeadline: e.now.Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWhoMaySee: members of approved forum organisations and editors see the forum; members of
// a pending, rejected or non-forum organisation, and citizens without one, do not.
func TestWhoMaySee(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := e.meeting(t, 10)
	forumMember, plainMember, pendingMember, rejectedMember, nobody := e.citizen(t), e.citizen(t), e.citizen(t), e.citizen(t), e.citizen(t)
	e.org(t, "approved", true, forumMember)
	e.org(t, "approved", false, plainMember)
	e.org(t, "pending", true, pendingMember)
	e.org(t, "rejected", true, rejectedMember)
	tests := []struct {
		name string
		v    forum.Viewer
		ok   bool
	}{
		{"forum member", e.viewer(t, forumMember), true},
		{"editor", forum.Viewer{Editor: true}, true},
		{"member of an organisation outside the forum", e.viewer(t, plainMember), false},
		{"member of a pending forum organisation", e.viewer(t, pendingMember), false},
		{"member of a rejected forum organisation", e.viewer(t, rejectedMember), false},
		{"citizen without organisation", e.viewer(t, nobody), false},
		{"anonymous", forum.Viewer{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.forum.Meeting(ctx, tt.v, m.ID)
			if tt.ok != (err == nil) || (!tt.ok && !errors.Is(err, forum.ErrForbidden)) {
				t.Errorf("Meeting: %v, want allowed=%v", err, tt.ok)
			}
			_, err = e.forum.Questions(ctx, tt.v, false)
			if tt.ok != (err == nil) {
				t.Errorf("Questions: %v, want allowed=%v", err, tt.ok)
			}
			if err := e.forum.SignUp(ctx, tt.v, m.ID, 0); !tt.v.Editor && tt.ok != (err == nil) {
				t.Errorf("SignUp: %v, want allowed=%v", err, tt.ok)
			}
		})
	}
	// Leaving the forum takes effect on the next request.
	if _, err := e.pool.Exec(ctx, `UPDATE organisation SET forum_member = false`); err != nil {
		t.Fatal(err)
	}
	if v := e.viewer(t, forumMember); v.Allowed() {
		t.Error("still allowed after the organisation left the forum")
	}
}

// TestSignUpCapacityUnderParallelLoad: 100 members signing up at once for a meeting with 10
// seats get exactly 10 seats; the rest hear that it is full; the count matches the rows.
func TestSignUpCapacityUnderParallelLoad(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := e.meeting(t, 10)
	people := make([]int64, 100)
	for i := range people {
		people[i] = e.citizen(t)
	}
	e.org(t, "approved", true, people...)
	viewers := make([]forum.Viewer, len(people))
	for i, p := range people {
		viewers[i] = e.viewer(t, p)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(people))
	start := make(chan struct{})
	for i := range viewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = e.forum.SignUp(ctx, viewers[i], m.ID, 0)
		}()
	}
	close(start)
	wg.Wait()
	ok, full := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, forum.ErrFull):
			full++
		default:
			t.Errorf("sign-up: %v", err)
		}
	}
	var rows, counted int
	if err := e.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM forum_signup WHERE meeting_id = $1),
		(SELECT signed_up FROM forum_meeting WHERE id = $1)`, m.ID).Scan(&rows, &counted); err != nil {
		t.Fatal(err)
	}
	if ok != 10 || full != 90 || rows != 10 || counted != 10 {
		t.Errorf("%d signed up, %d full, %d rows, count %d; want 10, 90, 10, 10", ok, full, rows, counted)
	}
	// Cancelling frees a seat; signing up twice takes one seat.
	var someone, seated forum.Viewer
	for i, err := range errs {
		if errors.Is(err, forum.ErrFull) {
			someone = viewers[i]
		} else {
			seated = viewers[i]
		}
	}
	if err := e.forum.Cancel(ctx, seated, m.ID); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := e.forum.SignUp(ctx, someone, m.ID, 0); err != nil {
			t.Fatalf("sign-up after a cancellation: %v", err)
		}
	}
	got, _ := e.forum.Meeting(ctx, someone, m.ID)
	if got.SignedUp != 10 {
		t.Errorf("count %d after one cancellation and a double sign-up, want 10", got.SignedUp)
	}
}

// TestSignUpDeadlineAndStatus: after the deadline, or for a cancelled meeting, nobody signs up.
func TestSignUpDeadlineAndStatus(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.citizen(t)
	e.org(t, "approved", true, p)
	v := e.viewer(t, p)
	late := e.meeting(t, 10)
	cancelled := e.meeting(t, 10)
	if err := e.forum.SetStatus(ctx, 7, cancelled.ID, forum.Cancelled); err != nil {
		t.Fatal(err)
	}
	if err := e.forum.SignUp(ctx, v, cancelled.ID, 0); !errors.Is(err, forum.ErrSignupClosed) {
		t.Errorf("cancelled meeting: %v", err)
	}
	e.now = e.now.Add(8 * 24 * time.Hour)
	if err := e.forum.SignUp(ctx, v, late.ID, 0); !errors.Is(err, forum.ErrSignupClosed) {
		t.Errorf("after the deadline: %v", err)
	}
	if len(e.events) != 3 || e.events[2].Action != forum.EventMeetingStatus {
		t.Errorf("audited %+v", e.events)
	}
}

// TestOneAnswerPerOrganisation: members of one organisation edit the same answer, also in
// parallel, which ends as one whole answer; another organisation has its own; a closed question
// takes nothing; a person cannot answer for an organisation they are not in.
func TestOneAnswerPerOrganisation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a1, a2, b1 := e.citizen(t), e.citizen(t), e.citizen(t)
	orgA := e.org(t, "approved", true, a1, a2)
	orgB := e.org(t, "approved", true, b1)
	q, err := e.forum.CreateQuestion(ctx, 7, "Mangler der noget på planen?", "Is anything missing from the plan?", nil)
	if err != nil {
		t.Fatal(err)
	}
	va1, va2, vb1 := e.viewer(t, a1), e.viewer(t, a2), e.viewer(t, b1)
	var wg sync.WaitGroup
	texts := make([]string, 40)
	for i := range texts {
		texts[i] = strings.Repeat(fmt.Sprintf("svar %02d ", i), 50)
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := va1
			if i%2 == 1 {
				v = va2
			}
			if err := e.forum.SaveAnswer(ctx, v, q.ID, orgA, texts[i]); err != nil {
				t.Errorf("answer %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if err := e.forum.SaveAnswer(ctx, vb1, q.ID, orgB, "Vores medlemmer mangler hjælp til MitID Erhverv."); err != nil {
		t.Fatal(err)
	}
	all, err := e.forum.Answers(ctx, forum.Viewer{Editor: true}, q.ID)
	if err != nil || len(all) != 2 {
		t.Fatalf("answers %+v %v", all, err)
	}
	whole := false
	for _, s := range texts {
		whole = whole || strings.TrimSpace(s) == all[0].Body
	}
	if !whole {
		t.Errorf("organisation A's answer is no one edit whole: %.80q", all[0].Body)
	}
	if err := e.forum.SaveAnswer(ctx, va1, q.ID, orgB, "ikke min"); !errors.Is(err, forum.ErrNotOrgMember) {
		t.Errorf("answer for another organisation: %v", err)
	}
	tests := []struct {
		name string
		body string
		want error
	}{
		{"empty", "  ", forum.ErrAnswerRequired},
		{"too long", strings.Repeat("æ", forum.MaxAnswer+1), forum.ErrAnswerTooLong},
		{"at the limit", strings.Repeat("æ", forum.MaxAnswer), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := e.forum.SaveAnswer(ctx, va1, q.ID, orgA, tt.body); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	if err := e.forum.SetOpen(ctx, 7, q.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := e.forum.SaveAnswer(ctx, va1, q.ID, orgA, "for sent"); !errors.Is(err, forum.ErrQuestionClosed) {
		t.Errorf("closed question: %v", err)
	}
	if _, err := e.forum.Answers(ctx, va1, q.ID); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("a member read every answer: %v", err)
	}
}

// TestPlan: a meeting is marked in the month it starts, an activity in every month it spans.
func TestPlan(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := e.meeting(t, 10) // 19 December 2026
	if _, err := e.forum.CreateActivity(ctx, 7, forum.Activity{TitleDA: "Distribution – understøttende materiale",
		TitleEN: "Distribution – supporting material", FirstMonth: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		LastMonth: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.forum.CreateActivity(ctx, 7, forum.Activity{TitleDA: "x", TitleEN: "x",
		FirstMonth: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), LastMonth: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}); !errors.Is(err, forum.ErrMonthsInvalid) {
		t.Errorf("backwards activity: %v", err)
	}
	loc, _ := time.LoadLocation("Europe/Copenhagen")
	p, err := e.forum.Plan(ctx, forum.Viewer{Editor: true}, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), 6, loc)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != 2 || p.Rows[0].MeetingID != m.ID {
		t.Fatalf("rows %+v", p.Rows)
	}
	marks := func(r forum.PlanRow) string {
		s := ""
		for _, on := range r.Marks {
			s += map[bool]string{true: "■", false: "·"}[on]
		}
		return s
	}
	if got := marks(p.Rows[0]); got != "·····■" {
		t.Errorf("meeting marks %s", got)
	}
	if got := marks(p.Rows[1]); got != "····■■" {
		t.Errorf("activity marks %s", got)
	}
}

// TestMessagesExist checks every message ID the package hands out in every language.
func TestMessagesExist(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range forum.MessageIDs() {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, id) {
				t.Errorf("message %q is missing in %s", id, lang)
			}
		}
	}
}
