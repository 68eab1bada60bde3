package campaign_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/campaign"
	"mitidportal/fault"
	"mitidportal/identity"
	"mitidportal/locales"
)

// roundEnv is a database with packs, organisations and Rounds whose hooks record what they
// were told, counting comments on the real throttle.
type roundEnv struct {
	*noticeEnv
	rounds   *campaign.Rounds
	rmu      sync.Mutex
	revents  []campaign.RoundEvent
	rnotices []campaign.RoundNotice
}

func newRoundEnv(t *testing.T) *roundEnv {
	e := &roundEnv{noticeEnv: newNoticeEnv(t)}
	throttle := identity.NewAddressThrottle(e.pool, map[string]identity.ThrottleRule{
		campaign.ThrottleRoundComment: {Max: campaign.CommentLimit, Window: campaign.CommentWindow}})
	e.rounds = campaign.NewRounds(e.pool, e.packs, campaign.RoundHooks{
		Audit: func(_ context.Context, _ pgx.Tx, ev campaign.RoundEvent) error {
			e.rmu.Lock()
			defer e.rmu.Unlock()
			e.revents = append(e.revents, ev)
			return nil
		},
		Opened: func(_ context.Context, _ pgx.Tx, n campaign.RoundNotice) error {
			e.rmu.Lock()
			defer e.rmu.Unlock()
			e.rnotices = append(e.rnotices, n)
			return nil
		}}, throttle)
	return e
}

// forumMember returns the viewer of a new member of a new approved organisation.
func (e *roundEnv) viewer(t *testing.T, forum bool) (campaign.Viewer, int64) {
	t.Helper()
	org, admin := e.org(t, forum)
	v, err := e.packs.ViewerOf(context.Background(), admin, false)
	if err != nil {
		t.Fatal(err)
	}
	return v, org
}

func (e *roundEnv) open(t *testing.T, items ...int64) campaign.Round {
	t.Helper()
	rd, err := e.rounds.Open(context.Background(), 7, campaign.NewRound{Title: "Folder til ældre",
		Description: "Hvad mangler?", Deadline: e.now.Add(14 * 24 * time.Hour), Items: items})
	if err != nil {
		t.Fatal(err)
	}
	return rd
}

// TestRoundVisibilityOnEveryReadPath: a draft in a round is seen by forum members (item,
// versions, pack page, pack list count: the file, thumbnail and ZIP routes read these) only
// while the round is open and before its deadline; never by other members or visitors.
func TestRoundVisibilityOnEveryReadPath(t *testing.T) {
	t.Parallel()
	e := newRoundEnv(t)
	ctx := context.Background()
	pk := e.pack(t, "privat")
	draft := e.item(t, pk, campaign.VisiblePublic, time.Time{})
	other := e.item(t, pk, campaign.VisiblePublic, time.Time{}) // a draft in no round
	forum, _ := e.viewer(t, true)
	member, _ := e.viewer(t, false)
	viewers := map[string]campaign.Viewer{"forum member": forum, "member": member, "visitor": {},
		"editor": {Editor: true}}
	paths := map[string]func(v campaign.Viewer, id int64) bool{
		"item": func(v campaign.Viewer, id int64) bool {
			_, err := e.packs.Item(ctx, v, id)
			return err == nil
		},
		"versions": func(v campaign.Viewer, id int64) bool {
			vers, err := e.packs.Versions(ctx, v, id)
			return err == nil && len(vers) == 1
		},
		"versions of": func(v campaign.Viewer, id int64) bool {
			m, err := e.packs.VersionsOf(ctx, v, []int64{id})
			must(t, err)
			return len(m[id]) == 1
		},
		"pack page": func(v campaign.Viewer, id int64) bool {
			_, items, err := e.packs.PackBySlug(ctx, v, "privat")
			must(t, err)
			for _, it := range items {
				if it.ID == id {
					return true
				}
			}
			return false
		},
		"pack list": func(v campaign.Viewer, id int64) bool {
			list, err := e.packs.List(ctx, v)
			must(t, err)
			want := 1 // the other draft is seen by editors only
			if v.Editor {
				want = 2
			}
			return list[0].Items == want
		},
	}
	check := func(t *testing.T, forumSees bool) {
		for name, v := range viewers {
			for path, sees := range paths {
				want := v.Editor || (forumSees && name == "forum member")
				if got := sees(v, draft.ID); got != want {
					t.Errorf("%s, %s: sees %v, want %v", name, path, got, want)
				}
			}
			if _, err := e.packs.Item(ctx, v, other.ID); (err == nil) != v.Editor {
				t.Errorf("%s sees a draft in no round: %v", name, err)
			}
		}
	}
	t.Run("before the round", func(t *testing.T) { check(t, false) })
	rd := e.open(t, draft.ID)
	t.Run("round open", func(t *testing.T) { check(t, true) })
	e.now = rd.Deadline
	t.Run("at the deadline", func(t *testing.T) { check(t, false) })
	e.now = rd.Deadline.Add(-time.Hour)
	must(t, e.rounds.SetDeadline(ctx, 7, rd.ID, rd.Deadline.Add(24*time.Hour)))
	e.now = rd.Deadline.Add(time.Hour)
	t.Run("deadline moved", func(t *testing.T) { check(t, true) })
	must(t, e.rounds.Close(ctx, 7, rd.ID))
	t.Run("closed", func(t *testing.T) { check(t, false) })
	t.Run("published after closing follows its own visibility", func(t *testing.T) {
		must(t, e.packs.Publish(ctx, 1, draft.ID, e.now))
		if _, err := e.packs.Item(ctx, campaign.Viewer{}, draft.ID); err != nil {
			t.Errorf("a visitor does not see the published item: %v", err)
		}
	})
}

// TestRoundComments: who may comment, when, and what a member sees of the comments.
func TestRoundComments(t *testing.T) {
	t.Parallel()
	e := newRoundEnv(t)
	ctx := context.Background()
	pk := e.pack(t, "privat")
	draft := e.item(t, pk, campaign.VisiblePublic, time.Time{})
	outside := e.item(t, pk, campaign.VisiblePublic, time.Time{})
	rd := e.open(t, draft.ID)
	a, orgA := e.viewer(t, true)
	b, _ := e.viewer(t, true)
	colleague := e.citizen(t)
	e.member(t, orgA, colleague, campaign.RoleMember, "en")
	aa, err := e.packs.ViewerOf(ctx, colleague, false)
	must(t, err)
	plain, _ := e.viewer(t, false)

	c, err := e.rounds.Comment(ctx, a, rd.ID, draft.ID, "  Teksten er for lang til en folder.  ")
	must(t, err)
	if c.Body != "Teksten er for lang til en folder." || c.OrgID != orgA || !strings.HasPrefix(c.Author, "Mette Hansen") ||
		!strings.HasPrefix(c.OrgName, "Bibliotek") {
		t.Errorf("comment %+v", c)
	}
	if _, err := e.rounds.Comment(ctx, b, rd.ID, draft.ID, "Godt med store bogstaver."); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		v    campaign.Viewer
		item int64
		body string
		want error
	}{
		{"not a forum member", plain, draft.ID, "Hej", campaign.ErrNotForum},
		{"empty", a, draft.ID, "   ", campaign.ErrCommentRequired},
		{"too long", a, draft.ID, strings.Repeat("æ", campaign.MaxComment+1), campaign.ErrCommentTooLong},
		{"item not in the round", a, outside.ID, "Hej", campaign.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.rounds.Comment(ctx, tc.v, rd.ID, tc.item, tc.body); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("a member sees their organisation's comments only", func(t *testing.T) {
		for name, v := range map[string]campaign.Viewer{"author": a, "colleague": aa} {
			got, err := e.rounds.OrgComments(ctx, v, rd.ID)
			must(t, err)
			if len(got) != 1 || got[0].ID != c.ID {
				t.Errorf("%s sees %+v", name, got)
			}
		}
		if got, _ := e.rounds.OrgComments(ctx, plain, rd.ID); len(got) != 0 {
			t.Errorf("a non-forum member sees %d comments", len(got))
		}
	})
	t.Run("after the deadline", func(t *testing.T) {
		e.now = rd.Deadline.Add(time.Minute)
		defer func() { e.now = rd.Deadline.Add(-time.Hour) }()
		if _, err := e.rounds.Comment(ctx, a, rd.ID, draft.ID, "For sent"); !errors.Is(err, campaign.ErrRoundExpired) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("after closing", func(t *testing.T) {
		must(t, e.rounds.Close(ctx, 7, rd.ID))
		if _, err := e.rounds.Comment(ctx, a, rd.ID, draft.ID, "Lukket"); !errors.Is(err, campaign.ErrRoundClosed) {
			t.Errorf("got %v", err)
		}
	})
	all, err := e.rounds.Comments(ctx, rd.ID, false)
	must(t, err)
	if len(all) != 2 {
		t.Errorf("editors see %d comments, want 2", len(all))
	}
}

// TestRoundEditing: the rules of opening and changing a round, its audit entries, the notice
// once per forum member, and marking comments handled.
func TestRoundEditing(t *testing.T) {
	t.Parallel()
	e := newRoundEnv(t)
	ctx := context.Background()
	pk := e.pack(t, "privat")
	draft := e.item(t, pk, campaign.VisiblePublic, time.Time{})
	second := e.item(t, pk, campaign.VisibleMembers, time.Time{})
	published := e.item(t, pk, campaign.VisiblePublic, e.now)
	_, admin := e.org(t, true)
	otherForum, _ := e.org(t, true)
	e.member(t, otherForum, admin, campaign.RoleMember, "en") // in two forum organisations: one mail
	e.org(t, false)                                           // not in the forum: no mail
	deadline := e.now.Add(time.Hour)
	for _, tc := range []struct {
		name string
		n    campaign.NewRound
		want error
	}{
		{"no title", campaign.NewRound{Title: " ", Deadline: deadline, Items: []int64{draft.ID}}, campaign.ErrRoundTitle},
		{"deadline past", campaign.NewRound{Title: "R", Deadline: e.now, Items: []int64{draft.ID}}, campaign.ErrRoundDeadline},
		{"no items", campaign.NewRound{Title: "R", Deadline: deadline}, campaign.ErrRoundNoItems},
		{"a published item", campaign.NewRound{Title: "R", Deadline: deadline, Items: []int64{draft.ID, published.ID}}, campaign.ErrRoundItemInvalid},
		{"long description", campaign.NewRound{Title: "R", Deadline: deadline, Items: []int64{draft.ID},
			Description: strings.Repeat("x", campaign.MaxRoundDescription+1)}, campaign.ErrRoundDescLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.rounds.Open(ctx, 7, tc.n); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	if len(e.revents) != 0 || len(e.rnotices) != 0 {
		t.Fatalf("refused rounds left %d events and %d notices", len(e.revents), len(e.rnotices))
	}
	rd := e.open(t, draft.ID, draft.ID)
	var admins int
	for _, n := range e.rnotices {
		if n.MitID == admin {
			admins++
			if n.Lang != "da" {
				t.Errorf("notice in %s, want the first forum organisation's da", n.Lang)
			}
		}
	}
	if len(e.rnotices) != 2 || admins != 1 {
		t.Errorf("notices %+v: want one to each of the two forum organisations' members", e.rnotices)
	}
	must(t, e.rounds.AddItem(ctx, 7, rd.ID, second.ID))
	if err := e.rounds.AddItem(ctx, 7, rd.ID, published.ID); !errors.Is(err, campaign.ErrRoundItemInvalid) {
		t.Errorf("adding a published item: %v", err)
	}
	must(t, e.rounds.RemoveItem(ctx, 7, rd.ID, second.ID))
	if err := e.rounds.RemoveItem(ctx, 7, rd.ID, second.ID); !errors.Is(err, campaign.ErrNotFound) {
		t.Errorf("removing twice: %v", err)
	}
	v, err := e.packs.ViewerOf(ctx, admin, false)
	must(t, err)
	c, err := e.rounds.Comment(ctx, v, rd.ID, draft.ID, "Godt")
	must(t, err)
	must(t, e.rounds.Close(ctx, 7, rd.ID))
	for name, err := range map[string]error{
		"close twice":   e.rounds.Close(ctx, 7, rd.ID),
		"add closed":    e.rounds.AddItem(ctx, 7, rd.ID, second.ID),
		"remove closed": e.rounds.RemoveItem(ctx, 7, rd.ID, draft.ID),
		"deadline":      e.rounds.SetDeadline(ctx, 7, rd.ID, deadline.Add(time.Hour)),
	} {
		if !errors.Is(err, campaign.ErrRoundClosed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	t.Run("handled after closing, audited", func(t *testing.T) {
		must(t, e.rounds.MarkHandled(ctx, 7, rd.ID, c.ID, true, "Rettet i version 2"))
		got, err := e.rounds.Comments(ctx, rd.ID, true)
		must(t, err)
		if len(got) != 0 {
			t.Errorf("unhandled: %+v", got)
		}
		all, _ := e.rounds.Comments(ctx, rd.ID, false)
		if len(all) != 1 || !all[0].Handled || all[0].HandledNote != "Rettet i version 2" || all[0].HandledAt == nil {
			t.Errorf("comment %+v", all)
		}
		if err := e.rounds.MarkHandled(ctx, 7, rd.ID+1, c.ID, true, ""); !errors.Is(err, campaign.ErrNotFound) {
			t.Errorf("another round's comment: %v", err)
		}
		if err := e.rounds.MarkHandled(ctx, 7, rd.ID, c.ID, true, strings.Repeat("x", campaign.MaxNote+1)); !errors.Is(err, campaign.ErrNoteTooLong) {
			t.Errorf("long note: %v", err)
		}
	})
	var actions []string
	for _, ev := range e.revents {
		if ev.RoundID != rd.ID || ev.StaffID != 7 {
			t.Errorf("event %+v", ev)
		}
		actions = append(actions, ev.Action)
	}
	want := "round_opened round_item_added round_item_removed round_closed round_comment_handled"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("audited %q, want %q", got, want)
	}
}

// TestRoundCommentsThrottledInParallel: 100 parallel comments of one person store the limit.
func TestRoundCommentsThrottledInParallel(t *testing.T) {
	t.Parallel()
	e := newRoundEnv(t)
	ctx := context.Background()
	draft := e.item(t, e.pack(t, "privat"), campaign.VisiblePublic, time.Time{})
	rd := e.open(t, draft.ID)
	v, _ := e.viewer(t, true)
	var wg sync.WaitGroup
	var mu sync.Mutex
	throttled := 0
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.rounds.Comment(ctx, v, rd.ID, draft.ID, "Hej")
			if _, ok := fault.OfKind(err, fault.Throttled); ok {
				mu.Lock()
				throttled++
				mu.Unlock()
			} else if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	all, err := e.rounds.Comments(ctx, rd.ID, false)
	must(t, err)
	if len(all) != campaign.CommentLimit || throttled != 100-campaign.CommentLimit {
		t.Errorf("%d comments stored, %d throttled; want %d", len(all), throttled, campaign.CommentLimit)
	}
}

func TestRoundMessagesExist(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	must(t, err)
	for _, id := range campaign.RoundMessageIDs() {
		for _, lang := range locales.Supported {
			if !cat.Has(lang, id) {
				t.Errorf("message %q is missing in %s", id, lang)
			}
		}
	}
}
